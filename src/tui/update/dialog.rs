//! Keys while a dialog is open: routed per dialog; here the role picker, the
//! confirmations and the once-only password display. Confirming closes the dialog and
//! sends exactly one change.

use crate::domain::permissions;
use crate::domain::references::DeletePlan;
use crate::domain::{Change, Role};
use crate::store::targets::Seen;
use crate::tui::event::{Effect, Job};
use crate::tui::keymap::{self, ConfirmAction, CopyAction, FormAction, PickerAction, ScrollAction};
use crate::tui::model::App;
use crate::tui::model::dialog::{Dialog, Loading, PendingChange, Sends};
use crate::tui::model::forms::ResetForm;
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    pub(super) fn dialog_key(&mut self, key: KeyEvent, out: &mut Vec<Effect>) {
        let Some(dialog) = self.dialog.take() else { return };
        self.dialog = match dialog {
            Dialog::Help { scroll } => self.help_key(key, scroll, false),
            Dialog::Messages { scroll } => match self.help_key(key, scroll, true) {
                Some(Dialog::Help { scroll }) => Some(Dialog::Messages { scroll }),
                other => other,
            },
            Dialog::Details { id, request, data, scroll, session, reveal, note: _ } => {
                self.details_key(key, id, request, data, (scroll, session, reveal))
            }
            Dialog::Audit(view) => self.audit_key(key, view, out),
            Dialog::SignIns(view) => self.sign_ins_key(key, view, out),
            Dialog::PickRole { targets, selected } => self.picker_key(key, targets, selected),
            Dialog::Confirm { targets, change, lines, back } => match keymap::confirm(&key) {
                Some(ConfirmAction::Yes) => {
                    self.send_change(change, targets, None, back);
                    self.dialog.take()
                }
                Some(ConfirmAction::Cancel) => {
                    self.info("cancelled; nothing changed");
                    self.go_back(back, out)
                }
                Some(ConfirmAction::LeaveOutAdmins) => {
                    match crate::tui::model::dialog::leave_out_admins(&targets) {
                        Some(rest) => {
                            let left = crate::domain::change::privileged(targets.iter().map(|t| t.role));
                            self.confirm(change, rest);
                            // Asked afresh: a y typed ahead must not confirm the smaller set.
                            self.rearm();
                            if self.dialog.is_some() {
                                self.info(format!(
                                    "{} left out; confirm the others",
                                    left.unwrap_or_default()
                                ));
                            }
                            self.dialog.take()
                        }
                        None => Some(Dialog::Confirm { targets, change, lines, back }),
                    }
                }
                Some(ConfirmAction::Submit | ConfirmAction::Alternative | ConfirmAction::DeleteRest)
                | None => Some(Dialog::Confirm { targets, change, lines, back }),
            },
            Dialog::ConfirmDelete { targets, request, plan, typed } => {
                self.delete_key(key, targets, request, plan, typed, out)
            }
            Dialog::ShowPassword { email, secret, copied } => match keymap::copy(&key) {
                Some(CopyAction::Copy) => {
                    // OSC 52 is fire-and-forget: nothing tells whether the terminal took it.
                    out.push(Effect::Clipboard(secret.clone()));
                    self.info(
                        "sent to the terminal's clipboard (OSC 52); paste to check: some terminals \
                         (tmux by default) drop it",
                    );
                    Some(Dialog::ShowPassword { email, secret, copied: true })
                }
                Some(CopyAction::Close) => None,
                None => {
                    if key.code == KeyCode::Esc {
                        let close = keymap::keys_for(keymap::KeyAction::Copy(CopyAction::Close));
                        self.info(format!(
                            "the password stays until you close it with {close}: it is shown only once"
                        ));
                    }
                    Some(Dialog::ShowPassword { email, secret, copied })
                }
            },
            Dialog::Reason(pending) => self.reason_key(key, pending, out),
            Dialog::Command { text } => match keymap::copy(&key) {
                Some(CopyAction::Copy) => {
                    out.push(Effect::Clipboard(crate::domain::Secret::from(text.as_str())));
                    self.info("the command was sent to your terminal's clipboard (OSC 52); paste to check");
                    Some(Dialog::Command { text })
                }
                Some(CopyAction::Close) => None,
                // It is only text to read: the viewers' close keys close it too.
                None if keymap::scroll(&key) == Some(ScrollAction::Close) => None,
                None => Some(Dialog::Command { text }),
            },
            Dialog::NewUser(form) => self.new_user_key(form, key),
            Dialog::Export(form) => self.export_key(key, form, out),
            Dialog::Import(d) => self.import_key(key, d, out),
            Dialog::ResetPassword(form) => self.reset_key(form, key),
            Dialog::Edit(form) => self.edit_key(form, key),
        };
    }

    fn picker_key(&mut self, key: KeyEvent, targets: Vec<Seen>, selected: usize) -> Option<Dialog> {
        let last = Role::ALL.len() - 1;
        let actor = self.actor.as_ref().map_or(Role::User, |a| a.role);
        let offered = |i: usize| permissions::may_assign(actor, Role::ALL[i]).is_ok();
        // The nearest offered role from `from` in direction `step`, else where it was.
        let step = |from: usize, step: isize| {
            let mut i = from as isize + step;
            while (0..=last as isize).contains(&i) {
                if offered(i as usize) {
                    return i as usize;
                }
                i += step;
            }
            from
        };
        let choose =
            |app: &mut App, role: Role, targets: Vec<Seen>| match permissions::may_assign(actor, role) {
                Ok(()) => {
                    app.confirm(Change::SetRole(role), targets);
                    app.dialog.take()
                }
                Err(e) => {
                    app.error(format!("{role} is not offered: {e}"));
                    Some(Dialog::PickRole { targets, selected })
                }
            };
        match keymap::picker(&key) {
            Some(PickerAction::Pick(role)) => choose(self, role, targets),
            Some(PickerAction::Submit) => choose(self, Role::ALL[selected.min(last)], targets),
            Some(PickerAction::Down) => Some(Dialog::PickRole { targets, selected: step(selected, 1) }),
            Some(PickerAction::Up) => Some(Dialog::PickRole { targets, selected: step(selected, -1) }),
            Some(PickerAction::Cancel) => None,
            None => Some(Dialog::PickRole { targets, selected }),
        }
    }

    /// One account is deleted with `y`; several only after their number is typed, so a
    /// reflexive `y` never deletes hundreds. A blocked delete offers deactivation on `a`,
    /// and, when only some of several are held, the delete of the others on `r`: a new
    /// delete of that smaller set, planned and confirmed afresh.
    fn delete_key(
        &mut self,
        key: KeyEvent,
        targets: Vec<Seen>,
        request: u64,
        plan: Loading<DeletePlan>,
        mut typed: String,
        out: &mut Vec<Effect>,
    ) -> Option<Dialog> {
        let action = keymap::confirm(&key);
        if action == Some(ConfirmAction::Cancel) {
            self.info("cancelled; nothing deleted");
            return None;
        }
        if action == Some(ConfirmAction::LeaveOutAdmins)
            && let Some(rest) = crate::tui::model::dialog::leave_out_admins(&targets)
        {
            let left = crate::domain::change::privileged(targets.iter().map(|t| t.role)).unwrap_or_default();
            self.info(format!("{left} left out; checking the delete of the other {}", rest.len()));
            return Some(self.plan_delete_again(rest, out));
        }
        let Loading::Ready(p) = &plan else {
            return Some(Dialog::ConfirmDelete { targets, request, plan, typed });
        };
        let n = targets.len();
        if p.is_blocked() {
            if action == Some(ConfirmAction::Alternative) {
                let who = if n == 1 { "the account".to_string() } else { format!("all {n} users") };
                let lines = vec![
                    format!("The delete is blocked. Deactivate {who} instead?"),
                    "  They can no longer log in; their rows and history stay.".to_string(),
                ];
                return Some(Dialog::Confirm {
                    targets,
                    change: Change::SetActive(false),
                    lines,
                    back: None,
                });
            }
            if action == Some(ConfirmAction::DeleteRest) && p.deletable_rest().is_some() {
                let held: std::collections::HashSet<&str> =
                    p.blocked_emails.iter().map(String::as_str).collect();
                let kept = held.len();
                let (rest, kept_out): (Vec<Seen>, Vec<Seen>) =
                    targets.into_iter().partition(|t| !held.contains(t.email.as_str()));
                if rest.is_empty() {
                    return Some(Dialog::ConfirmDelete { targets: kept_out, request, plan, typed });
                }
                self.info(format!(
                    "{} held kept out; checking the delete of the other {}",
                    crate::plural::count(kept as i64, "account"),
                    rest.len()
                ));
                return Some(self.plan_delete_again(rest, out));
            }
            return Some(Dialog::ConfirmDelete { targets, request, plan, typed });
        }
        let confirmed = if n == 1 {
            action == Some(ConfirmAction::Yes)
        } else {
            match key.code {
                KeyCode::Char(c) if c.is_ascii_digit() && typed.len() < 9 => typed.push(c),
                KeyCode::Backspace => {
                    typed.pop();
                }
                _ => {}
            }
            action == Some(ConfirmAction::Submit) && typed == n.to_string()
        };
        if !confirmed {
            return Some(Dialog::ConfirmDelete { targets, request, plan, typed });
        }
        self.send_change(Change::Delete, targets, None, None);
        self.dialog.take()
    }

    /// A delete of fewer accounts than the one on screen (some held, or the admins left
    /// out): planned and confirmed afresh.
    fn plan_delete_again(&mut self, targets: Vec<Seen>, out: &mut Vec<Effect>) -> Dialog {
        let request = self.request(Job::PlanDelete(targets.clone()), out);
        Dialog::ConfirmDelete { targets, request, plan: Loading::Pending, typed: String::new() }
    }

    /// The reason asked before every change: typed (or left empty unless the deployment
    /// requires one), then Enter sends the change; Esc goes back to a new user's or a
    /// reset's form, and cancels any other change.
    fn reason_key(&mut self, key: KeyEvent, mut p: PendingChange, out: &mut Vec<Effect>) -> Option<Dialog> {
        match keymap::form(&key) {
            Some(FormAction::Cancel) => {
                // A new user or a password reset goes back to its form, as typed (a reset's
                // form afresh: its typed password is not kept); Esc there cancels.
                let form = self.pending_form.take();
                match (p.sends, form) {
                    (Sends::Change { change: Change::Create { .. }, .. }, Some(f)) => {
                        return Some(Dialog::NewUser(f));
                    }
                    (Sends::Change { change: Change::ResetPassword { .. }, targets, .. }, _)
                        if !targets.is_empty() =>
                    {
                        return Some(Dialog::ResetPassword(ResetForm::new(targets[0].clone())));
                    }
                    (Sends::Import(d), _) => {
                        // Its plan again, asked afresh: a y typed ahead does not start it.
                        self.rearm();
                        return Some(Dialog::Import(*d));
                    }
                    _ => {}
                }
                self.info("cancelled; nothing changed");
                self.go_back(p.back, out)
            }
            Some(FormAction::NextField | FormAction::PrevField) if p.confirm_name.is_some() => {
                p.name_focus = !p.name_focus;
                Some(Dialog::Reason(p))
            }
            Some(FormAction::Submit)
                if p.confirm_name.as_deref().is_some_and(|n| n != p.typed_name.value()) =>
            {
                let name = p.confirm_name.clone().unwrap_or_default();
                p.error = Some(format!("type the deployment's name, {name}, exactly to go on"));
                p.name_focus = true;
                Some(Dialog::Reason(p))
            }
            Some(FormAction::Submit) => {
                match crate::domain::Reason::parse(p.reason.value(), self.options.deployment.require_reason) {
                    Ok(reason) => match p.sends {
                        Sends::Change { change, targets, password } => {
                            self.dispatch(change, targets, password, reason, p.back, out);
                            None
                        }
                        Sends::Import(d) => Some(self.dispatch_import(*d, reason, out)),
                    },
                    Err(e) => {
                        p.error = Some(e.to_string());
                        Some(Dialog::Reason(p))
                    }
                }
            }
            Some(FormAction::Empty) => {
                if p.name_focus {
                    p.typed_name.reset()
                } else {
                    p.reason.reset()
                }
                Some(Dialog::Reason(p))
            }
            _ => {
                let field = if p.name_focus { &mut p.typed_name } else { &mut p.reason };
                if super::edit(field, key) {
                    p.error = None;
                }
                Some(Dialog::Reason(p))
            }
        }
    }
}
