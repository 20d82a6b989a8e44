//! The export dialog: the file for the rows the table shows, writing, and the question
//! whether to overwrite a file that exists.

use super::dialog::{box_width, show};
use super::palette::Palette;
use super::text::{spinner, users};
use super::widgets::{self, Body};
use crate::tui::keymap::{ConfirmAction, FormAction, KeyAction};
use crate::tui::model::App;
use crate::tui::model::export::ExportForm;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub(super) fn draw(frame: &mut Frame, area: Rect, app: &App, f: &ExportForm, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let n = users(app.users.visible_len());
    let mut body = Body::default();
    body.blank();
    if let Some(path) = &f.exists {
        body.text(&format!("{path} exists."), p.bold(), iw);
        body.blank();
        body.text(
            &format!("Overwrite it with the {n} the table shows? It stays readable by you only."),
            p.plain(),
            iw,
        );
        body.footer = Some(widgets::hints(
            &[
                (widgets::keys(KeyAction::Confirm(ConfirmAction::Yes)), "overwrite"),
                (widgets::keys(KeyAction::Confirm(ConfirmAction::Cancel)), "no, another name"),
            ],
            p,
        ));
        show(frame, area, w, "Export: the file exists", body, p);
        return;
    }
    body.text(
        &format!("Write the {n} the table shows (its filter and sort) to a file readable by you only."),
        p.plain(),
        iw,
    );
    body.text(
        "The extension picks the format: .csv (CSV), .jsonl (JSON Lines) or .json (one JSON array); the fields, names included, are those the list subcommand prints. A CSV edited in a spreadsheet goes back with import --update.",
        p.dim(),
        iw,
    );
    body.blank();
    body.field(widgets::input("File", &f.path, f.request.is_none(), iw, p));
    if f.request.is_some() {
        body.push(Line::from(vec![
            Span::styled(format!("{} ", spinner(app.spinner)), p.warn()),
            Span::raw(if f.reading() { "reading the names…" } else { "writing…" }),
        ]));
    } else {
        match &f.error {
            Some(e) => body.text(e, p.error(), iw),
            None => body.blank(),
        }
    }
    body.footer = Some(if f.reading() {
        widgets::hints(
            &[(widgets::keys(KeyAction::Form(FormAction::Cancel)), "cancel (nothing written yet)")],
            p,
        )
    } else if f.request.is_some() {
        widgets::hints(
            &[(widgets::keys(KeyAction::Form(FormAction::Cancel)), "close (the file is still written)")],
            p,
        )
    } else {
        widgets::hints(
            &[
                (widgets::keys(KeyAction::Form(FormAction::Submit)), "write"),
                (widgets::keys(KeyAction::Form(FormAction::Empty)), "empty"),
                (widgets::keys(KeyAction::Form(FormAction::Cancel)), "cancel"),
            ],
            p,
        )
    });
    show(frame, area, w, "Export the table", body, p);
}
