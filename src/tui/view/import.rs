//! The import dialog: the file and where the passwords go; the plan of it (what would be
//! created, skipped, refused, line by line as `import --dry-run` says it); the import
//! running, with its two phases' progress.

use super::dialog::{box_width, show};
use super::palette::Palette;
use super::text::{safe, spinner};
use super::widgets::{self, Body};
use crate::domain::Role;
use crate::plural::count;
use crate::provision::{FilePlan, Verdict};
use crate::tui::keymap::{ConfirmAction, FormAction, KeyAction};
use crate::tui::model::App;
use crate::tui::model::import::{Ended, ImportDialog, ImportField, ImportStep, Running};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Lines of the file a plan lists before "and N more".
const MAX_LINES: usize = 6;

pub(super) fn draw(frame: &mut Frame, area: Rect, app: &App, d: &ImportDialog, p: Palette) {
    match &d.step {
        ImportStep::Names | ImportStep::Planning(_) => names(frame, area, app, d, p),
        ImportStep::Plan(plan) => plan_box(frame, area, plan, p),
        ImportStep::Running(run) => running(frame, area, app, run, p),
        ImportStep::Done(ended) => done(frame, area, ended, p),
    }
}

fn done(frame: &mut Frame, area: Rect, ended: &Ended, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    body.text(&safe(&ended.said), if ended.ok { p.plain() } else { p.error() }, iw);
    if let Some(path) = &ended.passwords {
        body.blank();
        body.text(&safe(&path.display().to_string()), p.bold(), iw);
    }
    body.footer = Some(widgets::hints(&[(widgets::keys(KeyAction::Form(FormAction::Submit)), "close")], p));
    show(frame, area, w, if ended.ok { "Imported" } else { "Import: not done" }, body, p);
}

fn names(frame: &mut Frame, area: Rect, app: &App, d: &ImportDialog, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let planning = matches!(d.step, ImportStep::Planning(_));
    let mut body = Body::default();
    body.blank();
    body.text(
        "New accounts from a CSV file with a header line: email and role (user, contributor, admin), and if you like first_name, last_name, display_name. Emails that exist are skipped. Each account gets a generated password, written to a new file readable by you only. Enter shows the plan first; nothing changes before you confirm it.",
        p.plain(),
        iw,
    );
    body.blank();
    body.field(widgets::input("File", &d.file, !planning && d.focus == ImportField::File, iw, p));
    body.field(widgets::input(
        "Passwords",
        &d.passwords,
        !planning && d.focus == ImportField::Passwords,
        iw,
        p,
    ));
    if d.passwords.value().is_empty() {
        body.text("(empty: a new file beside the import, NAME-passwords-DATE.csv)", p.dim(), iw);
    }
    body.blank();
    if planning {
        body.push(Line::from(vec![
            Span::styled(format!("{} ", spinner(app.spinner)), p.warn()),
            Span::raw("reading the file and looking up which accounts exist…"),
        ]));
    } else {
        match &d.error {
            Some(e) => body.text(e, p.error(), iw),
            None => body.blank(),
        }
    }
    body.footer = Some(if planning {
        widgets::hints(&[(widgets::keys(KeyAction::Form(FormAction::Cancel)), "back")], p)
    } else {
        widgets::form_hints("read it", "cancel", p)
    });
    show(frame, area, w, "Import accounts", body, p);
}

/// "37 user, 2 contributor, 1 admin".
fn by_role(plan: &FilePlan) -> String {
    let todo = plan.plan.todo();
    Role::ALL
        .iter()
        .filter_map(|r| {
            let n = todo.iter().filter(|a| a.role == *r).count();
            (n > 0).then(|| format!("{n} {r}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn plan_box(frame: &mut Frame, area: Rect, plan: &FilePlan, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let lines = &plan.plan.lines;
    let todo = plan.plan.todo();
    let invalid: Vec<_> = plan.plan.invalid().collect();
    let existing = plan.plan.existing();
    let mut body = Body::default();
    body.blank();
    let mut read = format!("{}: {}", plan.file.display(), count(lines.len() as i64, "line"));
    if plan.separator != b',' {
        read.push_str(&format!(", read with '{}' between the columns", char::from(plan.separator)));
    }
    body.text(&safe(&read), p.dim(), iw);
    body.blank();
    if !todo.is_empty() {
        let when = if invalid.is_empty() { "" } else { " once the file is fixed" };
        body.text(
            &format!("{} to create{when}: {}", count(todo.len() as i64, "account"), by_role(plan)),
            p.bold(),
            iw,
        );
    }
    if existing > 0 {
        let verb = if existing == 1 { "exists" } else { "exist" };
        body.text(&format!("{} {verb} already: skipped", count(existing as i64, "account")), p.plain(), iw);
    }
    if !invalid.is_empty() {
        body.text(
            &format!(
                "{} invalid: nothing is imported until the file is fixed",
                count(invalid.len() as i64, "line")
            ),
            p.error(),
            iw,
        );
    }
    body.blank();
    // The refused lines first (they are what to fix), else the first to be created.
    let shown: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            let what = match plan.plan.verdict(l) {
                Verdict::Invalid(why) => format!("invalid: {why}"),
                Verdict::Create(a) if invalid.is_empty() => format!("create ({})", a.role),
                _ => return None,
            };
            Some(format!("line {}: {}: {what}", l.line, l.email))
        })
        .collect();
    for line in shown.iter().take(MAX_LINES) {
        body.text(&safe(line), p.plain(), iw);
    }
    if shown.len() > MAX_LINES {
        body.text(
            &format!("… and {} more (import --dry-run FILE lists every line)", shown.len() - MAX_LINES),
            p.dim(),
            iw,
        );
    }
    if let Some(which) = crate::domain::change::privileged(todo.iter().map(|a| a.role)) {
        body.blank();
        body.text(&format!("Includes {which}: check that they are meant to be."), p.warn(), iw);
    }
    if plan.plan.can_run() {
        body.blank();
        body.text(
            &safe(&format!(
                "The passwords go to {} (a new file readable by you only; they are nowhere else).",
                plan.passwords.display()
            )),
            p.plain(),
            iw,
        );
    } else if invalid.is_empty() {
        body.text("Nothing to create: every account exists already.", p.plain(), iw);
    }
    body.footer = Some(if plan.plan.can_run() {
        widgets::hints(
            &[
                (widgets::keys(KeyAction::Confirm(ConfirmAction::Yes)), "import (then the reason)"),
                (widgets::keys(KeyAction::Confirm(ConfirmAction::Cancel)), "back to the names"),
            ],
            p,
        )
    } else {
        widgets::hints(&[(widgets::keys(KeyAction::Confirm(ConfirmAction::Cancel)), "back to the names")], p)
    });
    show(frame, area, w, "Import: the plan (nothing changed yet)", body, p);
}

/// "hashing passwords  12/40 [#####     ]".
fn progress(what: &str, done: usize, total: usize, iw: usize) -> String {
    let label = format!("{what:<18} {done}/{total} ");
    let room = iw.saturating_sub(label.chars().count() + 2).min(30);
    let filled = (done * room).checked_div(total).unwrap_or(room);
    format!("{label}[{}{}]", "#".repeat(filled), " ".repeat(room - filled))
}

fn running(frame: &mut Frame, area: Rect, app: &App, run: &Running, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let hashing = run.hashed < run.total;
    let mut body = Body::default();
    body.blank();
    body.text(&safe(&format!("From {}", run.plan.file.display())), p.dim(), iw);
    body.blank();
    body.text(&progress("hashing passwords", run.hashed, run.total, iw), p.plain(), iw);
    body.text(&progress("creating accounts", run.created, run.total, iw), p.plain(), iw);
    body.blank();
    body.text(&safe(&format!("The passwords go to {}.", run.plan.passwords.display())), p.plain(), iw);
    body.blank();
    let stopping = run.stop.raised();
    body.push(Line::from(vec![
        Span::styled(format!("{} ", spinner(app.spinner)), p.warn()),
        Span::raw(if stopping {
            "stopping…"
        } else if hashing {
            "hashing: nothing is created until every password is written"
        } else {
            "creating every account in one transaction"
        }),
    ]));
    body.footer = Some(if hashing && !stopping {
        widgets::hints(
            &[(widgets::keys(KeyAction::Form(FormAction::Cancel)), "stop (nothing is created)")],
            p,
        )
    } else {
        Line::from(Span::styled("it ends by itself", p.dim()))
    });
    show(frame, area, w, "Importing", body, p);
}
