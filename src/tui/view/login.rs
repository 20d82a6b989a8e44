//! The screens before the table: waiting for the database, logging in, creating this
//! tool's audit log where it is missing, and creating the first superuser of an empty
//! database.

use super::palette::Palette;
use super::text::{self, safe, spinner};
use super::widgets::{self, Body};
use crate::store::seed::DEMO_PASSWORD;
use crate::tui::keymap::{FormAction, KeyAction, TableAction};
use crate::tui::model::App;
use crate::tui::model::login::{BootstrapField, BootstrapForm, LoginField, LoginForm, MigrateScreen};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const APP: &str = "Skriptoteket admin";

fn box_width(area: Rect) -> u16 {
    area.width.saturating_sub(4).min(68)
}

fn height(body: &Body) -> u16 {
    body.height().saturating_add(2)
}

fn target_lines(app: &App, p: Palette) -> Vec<Line<'static>> {
    let mut spans = widgets::label("database", false, p);
    spans.push(Span::raw(safe(&app.options.target).into_owned()));
    let mut lines = vec![Line::from(spans)];
    if !app.options.target_via.is_empty() {
        let mut via = widgets::label("via", false, p);
        via.push(Span::raw(safe(&app.options.target_via).into_owned()));
        lines.push(Line::from(via));
    }
    lines
}

/// Waiting for the database: a spinner and what the worker last said.
pub fn connecting(frame: &mut Frame, area: Rect, app: &App, message: &str, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    let wrapped = text::wrap(&safe(message), iw.saturating_sub(2));
    for (i, l) in wrapped.into_iter().enumerate() {
        let lead = if i == 0 {
            Span::styled(format!("{} ", spinner(app.spinner)), p.warn())
        } else {
            Span::raw("  ")
        };
        body.push(Line::from(vec![lead, Span::raw(l)]));
    }
    body.footer = Some(widgets::hints(&[(widgets::keys(KeyAction::Table(TableAction::Quit)), "quit")], p));
    let inner = widgets::popup(frame, area, w, height(&body), APP, p);
    body.render(frame, inner, 0);
}

/// The busy or error line under a form.
fn outcome(
    body: &mut Body,
    app: &App,
    busy: bool,
    error: Option<&str>,
    busy_text: &str,
    w: usize,
    p: Palette,
) {
    if busy {
        body.push(Line::from(vec![
            Span::styled(format!("{} ", spinner(app.spinner)), p.warn()),
            Span::raw(busy_text.to_string()),
        ]));
    } else if let Some(e) = error {
        body.text(e, p.error(), w);
    } else {
        body.blank();
    }
}

pub fn login(frame: &mut Frame, area: Rect, app: &App, f: &LoginForm, p: Palette) {
    let w = box_width(area);
    let inner_w = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    for l in target_lines(app, p) {
        body.push(l);
    }
    body.blank();
    body.field(widgets::input("Email", &f.email, f.focus == LoginField::Email, inner_w, p));
    body.field(widgets::secret("Password", &f.password, f.focus == LoginField::Password, inner_w, p));
    body.blank();
    outcome(&mut body, app, f.busy, f.error.as_deref(), "checking password…", inner_w, p);
    if app.options.demo_password_hint {
        body.push(Span::styled(format!("demo: password is {DEMO_PASSWORD}"), p.dim()));
    }
    body.footer = Some(widgets::form_hints("log in", "quit", p));
    let inner = widgets::popup(frame, area, w, height(&body), &format!("{APP} · log in"), p);
    if f.busy {
        body.cursor = None;
    }
    body.render(frame, inner, 0);
}

/// No superuser and no audit log: what is missing, what Enter does about it.
pub fn migrate(frame: &mut Frame, area: Rect, app: &App, m: &MigrateScreen, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    body.text("No superuser here, and no audit log of this tool yet.", p.bold(), iw);
    for l in target_lines(app, p) {
        body.push(l);
    }
    body.blank();
    let plain = p.plain();
    body.text("The first superuser is recorded in the audit log, so the log comes first.", plain, iw);
    body.text(
        "Enter creates it now, as `skriptoteket-admin migrate` does: the schema skriptoteket_admin \
         with its tables. The web app's own tables are not touched; running it again changes nothing.",
        plain,
        iw,
    );
    body.blank();
    outcome(&mut body, app, m.busy, m.error.as_deref(), "creating the audit log…", iw, p);
    body.footer = Some(widgets::hints(
        &[
            (widgets::keys(KeyAction::Form(FormAction::Submit)), "create the audit log"),
            (widgets::keys(KeyAction::Form(FormAction::Cancel)), "quit"),
        ],
        p,
    ));
    let inner = widgets::popup(frame, area, w, height(&body), &format!("{APP} · first start"), p);
    body.render(frame, inner, 0);
}

pub fn bootstrap(frame: &mut Frame, area: Rect, app: &App, f: &BootstrapForm, p: Palette) {
    let w = box_width(area);
    let inner_w = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    body.push(Span::styled("This database has no superuser. Create the first one.", p.bold()));
    for l in target_lines(app, p) {
        body.push(l);
    }
    body.blank();
    body.field(widgets::input("Email", &f.email, f.focus == BootstrapField::Email, inner_w, p));
    body.field(widgets::secret("Password", &f.password, f.focus == BootstrapField::Password, inner_w, p));
    body.field(widgets::secret("Confirm", &f.confirm, f.focus == BootstrapField::Confirm, inner_w, p));
    body.blank();
    outcome(&mut body, app, f.busy, f.error.as_deref(), "creating the superuser…", inner_w, p);
    body.footer = Some(widgets::form_hints("create", "quit", p));
    let inner = widgets::popup(frame, area, w, height(&body), &format!("{APP} · first superuser"), p);
    if f.busy {
        body.cursor = None;
    }
    body.render(frame, inner, 0);
}
