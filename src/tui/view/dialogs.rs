//! Popups over the table: the forms (new user, password reset), the role picker, the
//! confirmations, and the once-only password display. The viewers (details, audit log,
//! help) live in `viewers` and `help`.

use super::form::{self, Body};
use super::palette::Palette;
use super::text::{self, fit, safe, spinner, users};
use super::{help, viewers};
use crate::domain::{Role, Secret};
use crate::store::delete::DeletePlan;
use crate::store::targets::Expected;
use crate::tui::app::App;
use crate::tui::dialog::{Dialog, Loading, NewUserForm, PasswordMode, ResetForm};
use crate::tui::event::Edit;
use crate::tui::keymap::{Act, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Emails a delete confirmation lists before "and N more".
const MAX_LISTED: usize = 8;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, dialog: &Dialog, p: Palette) {
    match dialog {
        Dialog::NewUser(f) => new_user(frame, area, f, p),
        Dialog::PickRole { targets, selected } => {
            let actor = app.actor.as_ref().map_or(Role::User, |a| a.role);
            pick_role(frame, area, targets, *selected, actor, p)
        }
        Dialog::ConfirmEdit { targets, edit, lines } => confirm_edit(frame, area, targets, edit, lines, p),
        Dialog::ResetPassword(f) => reset(frame, area, f, p),
        Dialog::ShowPassword { email, secret, copied } => {
            show_password(frame, area, email, secret, *copied, p)
        }
        Dialog::ConfirmDelete { targets, plan, typed } => {
            confirm_delete(frame, area, app, targets, plan, typed, p)
        }
        Dialog::Details { data, scroll, .. } => viewers::details(frame, area, app, data, *scroll, p),
        Dialog::Audit(view) => viewers::audit(frame, area, app, view, p),
        Dialog::Help { scroll } => help::draw(frame, area, *scroll, p),
    }
}

/// Width of a dialog box in `area`.
fn box_width(area: Rect) -> u16 {
    area.width.saturating_sub(4).min(72)
}

/// Frames a box just tall enough for `body` and draws it.
fn show(frame: &mut Frame, area: Rect, w: u16, title: &str, body: Body, p: Palette) {
    let inner = form::popup(frame, area, w, body.height().saturating_add(2), title, p);
    body.render(frame, inner, 0);
}

const MODES: [&str; 2] = ["generate (recommended)", "type"];

fn mode_index(m: PasswordMode) -> usize {
    match m {
        PasswordMode::Generate => 0,
        PasswordMode::Type => 1,
    }
}

fn toggle_hint() -> String {
    format!("{} toggles", form::keys(Context::Form, Act::Toggle))
}

fn new_user(frame: &mut Frame, area: Rect, f: &NewUserForm, p: Palette) {
    let w = box_width(area);
    let iw = form::inner_width(w);
    let mut body = Body::default();
    body.blank();
    body.field(form::input("Email", &f.email, f.focus == 0, iw, p));
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let role_hint = format!("{} or 1-4", form::keys(Context::Form, Act::Toggle));
    body.push(form::choice("Role", &roles, f.role as usize, f.focus == 1, &role_hint, p));
    body.push(form::choice("Password", &MODES, mode_index(f.mode), f.focus == 2, &toggle_hint(), p));
    if f.mode == PasswordMode::Type {
        body.field(form::secret("Type it", &f.password, f.focus == 3, iw, p));
        body.field(form::secret("Again", &f.confirm, f.focus == 4, iw, p));
    }
    body.blank();
    error_line(&mut body, f.error.as_deref(), iw, p);
    body.footer = Some(form::form_hints("create", "cancel", p));
    show(frame, area, w, "New user", body, p);
}

fn error_line(body: &mut Body, error: Option<&str>, w: usize, p: Palette) {
    match error {
        Some(e) => body.text(e, p.error(), w),
        None => body.blank(),
    }
}

fn pick_role(frame: &mut Frame, area: Rect, targets: &[Expected], selected: usize, actor: Role, p: Palette) {
    let w = box_width(area).min(56);
    let iw = form::inner_width(w);
    let mut body = Body::default();
    body.blank();
    if let [one] = targets {
        body.text(&format!("{} (now {})", one.email, one.role), p.dim(), iw);
        body.blank();
    }
    for (i, role) in Role::ALL.iter().enumerate() {
        let key = form::keys(Context::RolePicker, Act::PickRole(u8::try_from(i).unwrap_or(0)));
        let here = i == selected;
        // An admin assigns only user and contributor: say so before they choose.
        let allowed = actor == Role::Superuser || *role <= Role::Contributor;
        let style = if here {
            p.chosen()
        } else if allowed {
            p.plain()
        } else {
            p.dim()
        };
        let mut line = vec![
            Span::styled(if here { "▸ " } else { "  " }, p.focus()),
            Span::styled(format!("{key}  "), p.key()),
            Span::styled(fit(role.as_str(), 12), style),
        ];
        if !allowed {
            line.push(Span::styled("superusers only", p.dim()));
        }
        body.push(Line::from(line));
    }
    body.footer = Some(form::hints(
        &[
            (form::keys(Context::RolePicker, Act::Submit), "choose"),
            (form::keys(Context::RolePicker, Act::Cancel), "cancel"),
        ],
        p,
    ));
    show(frame, area, w, &format!("Change role of {}", users(targets.len())), body, p);
}

fn confirm_hints(yes: &str, cancel: &str, p: Palette) -> Line<'static> {
    form::hints(
        &[(form::keys(Context::Confirm, Act::Yes), yes), (form::keys(Context::Confirm, Act::Cancel), cancel)],
        p,
    )
}

fn confirm_edit(
    frame: &mut Frame,
    area: Rect,
    targets: &[Expected],
    edit: &Edit,
    lines: &[String],
    p: Palette,
) {
    let w = box_width(area);
    let iw = form::inner_width(w);
    let mut body = Body::default();
    body.blank();
    for (i, l) in lines.iter().enumerate() {
        body.text(l, if i == 0 { p.bold() } else { p.plain() }, iw);
    }
    body.footer = Some(confirm_hints("yes", "cancel", p));
    let title = format!("Confirm: {} ({})", edit.op().label(), users(targets.len()));
    show(frame, area, w, &title, body, p);
}

fn reset(frame: &mut Frame, area: Rect, f: &ResetForm, p: Palette) {
    let w = box_width(area);
    let iw = form::inner_width(w);
    let mut body = Body::default();
    body.blank();
    let who = format!("{} ({})", f.target.email, f.target.role);
    for line in form::value_lines("Account", &who, iw, p.bold(), p) {
        body.push(line);
    }
    body.blank();
    body.push(form::choice("Password", &MODES, mode_index(f.mode), f.focus == 0, &toggle_hint(), p));
    let mut revoke = form::label("", f.focus == 1, p);
    let x = if f.revoke_sessions { "x" } else { " " };
    revoke.push(Span::styled(
        format!("revoke sessions: [{x}]"),
        if f.focus == 1 { p.bold() } else { p.plain() },
    ));
    revoke.push(Span::styled(format!("   {}", toggle_hint()), p.dim()));
    body.push(Line::from(revoke));
    if f.mode == PasswordMode::Type {
        body.field(form::secret("Type it", &f.password, f.focus == 2, iw, p));
        body.field(form::secret("Again", &f.confirm, f.focus == 3, iw, p));
    }
    body.blank();
    error_line(&mut body, f.error.as_deref(), iw, p);
    body.footer = Some(form::form_hints("reset", "cancel", p));
    show(frame, area, w, "Reset password", body, p);
}

/// The one place a password is drawn in clear: a freshly generated one, shown once.
fn show_password(frame: &mut Frame, area: Rect, email: &str, secret: &Secret, copied: bool, p: Palette) {
    let w = box_width(area);
    let iw = form::inner_width(w);
    let mut body = Body::default();
    body.blank();
    body.text(&format!("New password for {email}"), p.bold(), iw);
    body.blank();
    // Never cut: a long password wraps onto more lines.
    for l in text::wrap(&safe(secret.expose()), iw.saturating_sub(4)) {
        body.push(Line::from(vec![Span::raw("    "), Span::styled(l, p.secret())]));
    }
    body.blank();
    body.text("shown once: it is not stored anywhere.", p.plain(), iw);
    if copied {
        body.push(Span::styled("✓ copied to your clipboard", p.ok()));
    } else {
        body.blank();
    }
    body.footer = Some(form::hints(
        &[
            (form::keys(Context::Password, Act::Copy), "copy to clipboard"),
            (form::keys(Context::Password, Act::Cancel), "close"),
        ],
        p,
    ));
    show(frame, area, w, "New password", body, p);
}

fn confirm_delete(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    targets: &[Expected],
    plan: &Loading<DeletePlan>,
    typed: &str,
    p: Palette,
) {
    let w = box_width(area);
    let iw = form::inner_width(w);
    let mut body = Body::default();
    body.blank();
    match plan {
        Loading::Pending => {
            body.push(Line::from(vec![
                Span::styled(format!("{} ", spinner(app.spinner)), p.warn()),
                Span::raw("checking what would be deleted…"),
            ]));
            body.footer = Some(form::hints(&[(form::keys(Context::Confirm, Act::Cancel), "cancel")], p));
        }
        Loading::Failed(e) => {
            body.text(&format!("could not plan the delete: {e}"), p.error(), iw);
            body.footer = Some(form::hints(&[(form::keys(Context::Confirm, Act::Cancel), "close")], p));
        }
        Loading::Ready(plan) => {
            // Rows inside the largest box: borders, and the blank and footer at the bottom.
            let rows = usize::from(area.height.saturating_sub(4));
            ready_plan(&mut body, plan, iw, rows, p);
            let n = targets.len();
            let cancel = (form::keys(Context::Confirm, Act::Cancel), "cancel");
            body.footer = Some(if plan.is_blocked() {
                let instead = format!("deactivate all {} instead", users(n));
                form::hints(&[(form::keys(Context::Confirm, Act::Alternative), instead.as_str()), cancel], p)
            } else if n == 1 {
                confirm_hints("delete 1 user permanently", "cancel", p)
            } else {
                // Several accounts: the admin types their number, so a reflexive key
                // cannot delete them.
                Line::from(vec![
                    Span::styled(
                        format!("type {n} and Enter to delete {} permanently: ", users(n)),
                        p.bold(),
                    ),
                    Span::styled(format!("{typed}_"), p.warn()),
                    Span::raw("   "),
                    Span::styled(cancel.0.clone(), p.key()),
                    Span::raw(" cancel"),
                ])
            });
        }
    }
    show(frame, area, w, &format!("Delete {}", users(targets.len())), body, p);
}

/// The plan: the accounts (as many as fit, at most `MAX_LISTED`), then what blocks the
/// delete (first, so it is never pushed out of sight), then what goes with them.
fn ready_plan(body: &mut Body, plan: &DeletePlan, iw: usize, rows: usize, p: Palette) {
    let mut tail = Body::default();
    if plan.is_blocked() {
        for d in &plan.blockers {
            tail.text(&format!("BLOCKED by: {}", d.describe()), p.alarm(), iw);
        }
        if plan.emails.len() > 1 && !plan.blocked_emails.is_empty() {
            let held = plan.blocked_emails.iter().take(3).map(|e| safe(e).into_owned()).collect::<Vec<_>>();
            let more = plan.blocked_emails.len().saturating_sub(3);
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            tail.text(
                &format!("held: {}{more} (unmark them to delete the rest)", held.join(", ")),
                p.error(),
                iw,
            );
        }
        tail.text("Nothing can be deleted while these rows exist.", p.error(), iw);
        tail.blank();
    }
    if plan.effects.is_empty() {
        tail.push(Span::styled("No rows in other tables point at them.", p.dim()));
    }
    for d in &plan.effects {
        let line = format!("{}: {}", d.describe(), d.on_delete.describe());
        tail.text(&line, p.plain(), iw);
    }

    body.push(Span::styled(
        format!("Delete {} and everything that goes with them:", users(plan.emails.len())),
        p.bold(),
    ));
    // Lines so far, the blank after the list, and the tail.
    let room = rows.saturating_sub(body.lines.len() + 1 + tail.lines.len()).clamp(2, MAX_LISTED + 1);
    let n = plan.emails.len();
    let listed = if n <= room { n } else { room - 1 };
    for email in plan.emails.iter().take(listed) {
        body.push(format!("  {}", text::safe_truncate(email, iw.saturating_sub(2))));
    }
    if n > listed {
        body.push(Span::styled(format!("  and {} more", n - listed), p.dim()));
    }
    body.blank();
    body.lines.extend(tail.lines);
}
