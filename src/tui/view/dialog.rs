//! Popups over the table: the role picker, the confirmations and the once-only password
//! display; `draw` routes the forms to `forms` and the viewers to `viewers` and `help`.

use super::palette::Palette;
use super::text::{self, fit, safe, spinner, users};
use super::widgets::{self, Body};
use super::{forms, help, viewers};
use crate::domain::references::DeletePlan;
use crate::domain::{Change, Role, Secret};
use crate::store::targets::Seen;
use crate::tui::event::Measured;
use crate::tui::keymap::{ConfirmAction, CopyAction, FormAction, KeyAction, PickerAction, ScrollAction};
use crate::tui::model::App;
use crate::tui::model::dialog::{Dialog, Loading, PendingChange, Sends};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Emails a delete confirmation lists before "and N more".
const MAX_LISTED: usize = 8;

/// Draws the open dialog; the viewers report what they measured.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, dialog: &Dialog, p: Palette) -> Measured {
    match dialog {
        Dialog::Details { data, scroll, session, reveal, note, .. } => {
            let st = viewers::DetailsState {
                scroll: *scroll,
                session: *session,
                reveal: *reveal,
                note: note.as_ref(),
            };
            return viewers::details(frame, area, app, data, st, p);
        }
        Dialog::Help { scroll } => return help::draw(frame, area, *scroll, p),
        Dialog::Messages { scroll } => return help::messages(frame, area, app, *scroll, p),
        Dialog::NewUser(f) => {
            forms::new_user(frame, area, f, app.actor.as_ref().map_or(Role::User, |a| a.role), p)
        }
        Dialog::PickRole { targets, selected } => {
            let actor = app.actor.as_ref().map_or(Role::User, |a| a.role);
            pick_role(frame, area, targets, *selected, actor, p)
        }
        Dialog::Confirm { targets, change, lines, .. } => confirm(frame, area, targets, change, lines, p),
        Dialog::ResetPassword(f) => forms::reset(frame, area, f, p),
        Dialog::Edit(f) => forms::edit(frame, area, app, f, p),
        Dialog::ShowPassword { email, secret, copied } => {
            show_password(frame, area, email, secret, *copied, p)
        }
        Dialog::ConfirmDelete { targets, plan, typed, .. } => {
            confirm_delete(frame, area, app, targets, plan, typed, p)
        }
        Dialog::Audit(view) => return super::audit::audit(frame, area, app, view, p),
        Dialog::SignIns(view) => super::sign_ins::draw(frame, area, app, view, p),
        Dialog::Reason(pending) => reason(frame, area, pending, p),
        Dialog::Command { text } => command(frame, area, text, p),
        Dialog::Export(f) => super::export::draw(frame, area, app, f, p),
        Dialog::Import(d) => super::import::draw(frame, area, app, d, p),
    }
    Measured::default()
}

/// The admin's reason for a confirmed change: kept in the audit log with it.
fn reason(frame: &mut Frame, area: Rect, pending: &PendingChange, p: Palette) {
    // A form's change goes back to its form; any other is cancelled.
    let back = match &pending.sends {
        Sends::Change { change: Change::Create { .. } | Change::ResetPassword { .. }, .. } => {
            "back to the form"
        }
        Sends::Import(_) => "back to the plan",
        Sends::Change { .. } => "cancel, nothing changes",
    };
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    let ask = if pending.required {
        "Why? The deployment requires a reason; it is kept in the audit log."
    } else {
        "Why? (optional: Enter with nothing skips it) It is kept in the audit log."
    };
    if let Some(name) = &pending.confirm_name {
        body.text(
            &format!("{name} is a protected deployment: type its name to go on (Tab: next field)."),
            p.warn(),
            iw,
        );
        body.field(widgets::input("Deployment", &pending.typed_name, pending.name_focus, iw, p));
        body.blank();
    }
    body.text(ask, p.plain(), iw);
    body.blank();
    body.field(widgets::input("Reason", &pending.reason, !pending.name_focus, iw, p));
    if let Some(e) = &pending.error {
        body.text(e, p.error(), iw);
    }
    body.footer = Some(widgets::hints(
        &[
            (widgets::keys(KeyAction::Form(FormAction::Submit)), "do it"),
            (widgets::keys(KeyAction::Form(FormAction::Cancel)), back),
        ],
        p,
    ));
    show(frame, area, w, &format!("Reason: {}", pending.what), body, p);
}

/// The admin's last change as a subcommand.
fn command(frame: &mut Frame, area: Rect, command: &str, p: Palette) {
    let w = area.width.saturating_sub(4).min(120);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    body.text("The same change from a shell. The actor's password comes from", p.plain(), iw);
    body.text("--actor-password-file, a systemd credential, $SKRIPTOTEKET_ACTOR_PASSWORD", p.plain(), iw);
    body.text("or a prompt (docs/scripting.md):", p.plain(), iw);
    body.blank();
    for l in command.lines() {
        for part in text::wrap(&safe(l), iw) {
            body.push(Span::styled(part, p.bold()));
        }
    }
    body.footer = Some(widgets::hints(
        &[
            widgets::pair(KeyAction::Copy(CopyAction::Copy)),
            widgets::pair(KeyAction::Scroll(ScrollAction::Close)),
        ],
        p,
    ));
    show(frame, area, w, "Your last change as a command", body, p);
}

/// Width of a dialog box in `area`.
pub(super) fn box_width(area: Rect) -> u16 {
    area.width.saturating_sub(4).min(72)
}

/// Frames a box just tall enough for `body` and draws it.
pub(super) fn show(frame: &mut Frame, area: Rect, w: u16, title: &str, body: Body, p: Palette) {
    let inner = widgets::popup(frame, area, w, body.height().saturating_add(2), title, p);
    body.render(frame, inner, 0);
}

fn pick_role(frame: &mut Frame, area: Rect, targets: &[Seen], selected: usize, actor: Role, p: Palette) {
    let w = box_width(area).min(56);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    if let [one] = targets {
        body.text(&format!("{} (now {})", one.email, one.role), p.dim(), iw);
        body.blank();
    }
    for (i, role) in Role::ALL.iter().enumerate() {
        let key = widgets::keys(KeyAction::Picker(PickerAction::Pick(*role)));
        let here = i == selected;
        // An admin assigns only user and contributor: the others show disabled, with why.
        let allowed = crate::domain::permissions::may_assign(actor, *role).is_ok();
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
            line.push(Span::styled("not offered", p.dim()));
        }
        body.push(Line::from(line));
    }
    if Role::ALL.iter().any(|r| crate::domain::permissions::may_assign(actor, *r).is_err()) {
        body.blank();
        body.text("Only a superuser gives the roles not offered.", p.dim(), iw);
    }
    body.footer = Some(widgets::hints(
        &[
            widgets::pair(KeyAction::Picker(PickerAction::Submit)),
            widgets::pair(KeyAction::Picker(PickerAction::Cancel)),
        ],
        p,
    ));
    show(frame, area, w, &format!("Change role of {}", users(targets.len())), body, p);
}

fn confirm_hints(yes: &str, cancel: &str, p: Palette) -> Line<'static> {
    widgets::hints(
        &[
            (widgets::keys(KeyAction::Confirm(ConfirmAction::Yes)), yes),
            (widgets::keys(KeyAction::Confirm(ConfirmAction::Cancel)), cancel),
        ],
        p,
    )
}

fn confirm(frame: &mut Frame, area: Rect, targets: &[Seen], change: &Change, lines: &[String], p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    for (i, l) in lines.iter().enumerate() {
        body.text(l, if i == 0 { p.bold() } else { p.plain() }, iw);
    }
    body.footer = Some(confirm_hints("yes, then why", "cancel", p));
    // A revert names no accounts of its own: they are those of the change it reverts.
    let title = if targets.is_empty() {
        format!("Confirm: {}", change.label())
    } else {
        format!("Confirm: {} ({})", change.label(), users(targets.len()))
    };
    show(frame, area, w, &title, body, p);
}

/// The one place a password is drawn in clear: a freshly generated one, shown once.
fn show_password(frame: &mut Frame, area: Rect, email: &str, secret: &Secret, copied: bool, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
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
        body.text("sent to the terminal's clipboard (OSC 52): paste to check", p.plain(), iw);
    } else {
        body.blank();
    }
    body.footer = Some(widgets::hints(
        &[
            (widgets::keys(KeyAction::Copy(CopyAction::Copy)), "send to clipboard"),
            (widgets::keys(KeyAction::Copy(CopyAction::Close)), "close, the password is then gone"),
        ],
        p,
    ));
    show(frame, area, w, "New password", body, p);
}

fn confirm_delete(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    targets: &[Seen],
    plan: &Loading<DeletePlan>,
    typed: &str,
    p: Palette,
) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    if targets.len() > 1
        && let Some(said) = crate::domain::change::privileged(targets.iter().map(|t| t.role))
    {
        let tab = if crate::tui::model::dialog::can_leave_out_admins(targets) {
            " Tab leaves them out."
        } else {
            ""
        };
        body.text(&format!("Includes {said}.{tab}"), p.warn(), iw);
    }
    match plan {
        Loading::Pending => {
            body.push(Line::from(vec![
                Span::styled(format!("{} ", spinner(app.spinner)), p.warn()),
                Span::raw("checking what would be deleted…"),
            ]));
            body.footer = Some(widgets::hints(
                &[(widgets::keys(KeyAction::Confirm(ConfirmAction::Cancel)), "cancel")],
                p,
            ));
        }
        Loading::Failed(e) => {
            body.text(&format!("could not plan the delete: {e}"), p.error(), iw);
            body.footer = Some(widgets::hints(
                &[(widgets::keys(KeyAction::Confirm(ConfirmAction::Cancel)), "close")],
                p,
            ));
        }
        Loading::Ready(plan) => {
            // Rows inside the largest box: borders, and the blank and footer at the bottom.
            let rows = usize::from(area.height.saturating_sub(4));
            ready_plan(&mut body, plan, iw, rows, p);
            let n = targets.len();
            let cancel = (widgets::keys(KeyAction::Confirm(ConfirmAction::Cancel)), "cancel");
            body.footer = Some(if plan.is_blocked() {
                let rest = plan.deletable_rest().map(|m| format!("delete the {m} not held"));
                // Three choices must fit the box's one line at 80 columns.
                let instead = match (n, &rest) {
                    (1, _) => "deactivate instead".to_string(),
                    (_, Some(_)) => format!("deactivate all {n}"),
                    (_, None) => format!("deactivate all {n} users instead"),
                };
                let mut pairs =
                    vec![(widgets::keys(KeyAction::Confirm(ConfirmAction::Alternative)), instead.as_str())];
                if let Some(rest) = &rest {
                    pairs.push((widgets::keys(KeyAction::Confirm(ConfirmAction::DeleteRest)), rest.as_str()));
                }
                pairs.push(cancel);
                widgets::hints(&pairs, p)
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
            let rest = match plan.deletable_rest() {
                Some(_) => format!(
                    " ({} deletes the others, keeping these)",
                    widgets::keys(KeyAction::Confirm(ConfirmAction::DeleteRest))
                ),
                None => String::new(),
            };
            tail.text(&format!("held: {}{more}{rest}", held.join(", ")), p.error(), iw);
        }
        tail.text("Nothing can be deleted while these rows exist.", p.error(), iw);
        tail.blank();
    } else {
        tail.text("A delete cannot be undone.", p.warn(), iw);
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
