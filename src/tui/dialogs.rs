//! Keys while a dialog is open: forms, the role picker, confirmations, the password
//! display and the viewers. Confirming closes the dialog and sends exactly one command.

use super::app::App;
use super::dialog::{Dialog, Loading, NewUserForm, PasswordMode, ResetForm};
use super::event::{Command, Edit};
use super::keymap::{self, Act, Context};
use crate::domain::password::check_policy;
use crate::domain::{Action, Email, Role, Secret};
use crate::store::delete::DeletePlan;
use crate::store::targets::Expected;
use crossterm::event::{Event as CtEvent, KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

impl App {
    pub(super) fn dialog_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(dialog) = self.dialog.take() else { return };
        self.dialog = match dialog {
            Dialog::Help { scroll } => viewer(key, scroll, |s| Dialog::Help { scroll: s }),
            Dialog::Details { id, data, scroll } => {
                viewer(key, scroll, |s| Dialog::Details { id, data: data.clone(), scroll: s })
            }
            Dialog::Audit(mut view) => {
                if view.editing {
                    match key.code {
                        KeyCode::Enter => view.editing = false,
                        KeyCode::Esc => {
                            view.editing = false;
                            view.filter.reset();
                        }
                        _ => {
                            view.filter.handle_event(&CtEvent::Key(key));
                            view.scroll = 0;
                        }
                    }
                    Some(Dialog::Audit(view))
                } else {
                    match keymap::lookup(Context::Viewer, &key) {
                        Some(Act::Filter) => {
                            view.editing = true;
                            Some(Dialog::Audit(view))
                        }
                        Some(Act::Cancel) => None,
                        Some(act) => {
                            let page = self.page_size();
                            let max = view.filtered().len().saturating_sub(1);
                            view.scroll = match act {
                                Act::Down => view.scroll.saturating_add(1),
                                Act::Up => view.scroll.saturating_sub(1),
                                Act::PageDown => view.scroll.saturating_add(page),
                                Act::PageUp => view.scroll.saturating_sub(page),
                                _ => view.scroll,
                            }
                            .min(max);
                            Some(Dialog::Audit(view))
                        }
                        None => Some(Dialog::Audit(view)),
                    }
                }
            }
            Dialog::PickRole { targets, mut selected } => match keymap::lookup(Context::RolePicker, &key) {
                Some(Act::PickRole(i)) => {
                    self.confirm_role(targets, Role::ALL[usize::from(i).min(3)]);
                    return;
                }
                Some(Act::Down) => {
                    selected = (selected + 1).min(3);
                    Some(Dialog::PickRole { targets, selected })
                }
                Some(Act::Up) => {
                    selected = selected.saturating_sub(1);
                    Some(Dialog::PickRole { targets, selected })
                }
                Some(Act::Submit) => {
                    self.confirm_role(targets, Role::ALL[selected.min(3)]);
                    return;
                }
                Some(Act::Cancel) => None,
                _ => Some(Dialog::PickRole { targets, selected }),
            },
            Dialog::ConfirmEdit { targets, edit, lines } => match keymap::lookup(Context::Confirm, &key) {
                Some(Act::Yes) => {
                    self.change_in_flight = true;
                    self.busy = Some(format!("{} of {} users", edit.op().label(), targets.len()));
                    out.push(Command::Edit { targets, edit });
                    None
                }
                Some(Act::Cancel) => {
                    self.info("cancelled; nothing changed");
                    None
                }
                _ => Some(Dialog::ConfirmEdit { targets, edit, lines }),
            },
            Dialog::ConfirmDelete { targets, plan, typed } => self.delete_key(targets, plan, typed, key, out),
            Dialog::ShowPassword { email, secret, copied } => match keymap::lookup(Context::Password, &key) {
                Some(Act::Copy) => {
                    out.push(Command::CopyToClipboard(secret.clone()));
                    self.info("password copied to your clipboard (if your terminal allows OSC 52)");
                    Some(Dialog::ShowPassword { email, secret, copied: true })
                }
                Some(Act::Cancel) => None,
                _ => Some(Dialog::ShowPassword { email, secret, copied }),
            },
            Dialog::NewUser(form) => self.new_user_key(form, key, out),
            Dialog::ResetPassword(form) => self.reset_key(form, key, out),
        };
    }

    /// One account is deleted with `y`; several only after their number is typed, so a
    /// reflexive `y` never deletes hundreds. A blocked delete offers deactivation on `a`.
    fn delete_key(
        &mut self,
        targets: Vec<Expected>,
        plan: Loading<DeletePlan>,
        mut typed: String,
        key: KeyEvent,
        out: &mut Vec<Command>,
    ) -> Option<Dialog> {
        let act = keymap::lookup(Context::Confirm, &key);
        if act == Some(Act::Cancel) {
            self.info("cancelled; nothing deleted");
            return None;
        }
        let Loading::Ready(p) = &plan else { return Some(Dialog::ConfirmDelete { targets, plan, typed }) };
        let n = targets.len();
        if p.is_blocked() {
            if act == Some(Act::Alternative) {
                let lines = vec![
                    format!(
                        "The delete is blocked. Deactivate all {} instead?",
                        crate::plural::count(n as i64, "user")
                    ),
                    "  They can no longer log in; their rows and history stay.".to_string(),
                ];
                return Some(Dialog::ConfirmEdit { targets, edit: Edit::SetActive(false), lines });
            }
            return Some(Dialog::ConfirmDelete { targets, plan, typed });
        }
        let confirmed = if n == 1 {
            act == Some(Act::Yes)
        } else {
            match key.code {
                KeyCode::Char(c) if c.is_ascii_digit() && typed.len() < 9 => typed.push(c),
                KeyCode::Backspace => {
                    typed.pop();
                }
                _ => {}
            }
            act == Some(Act::Submit) && typed == n.to_string()
        };
        if !confirmed {
            return Some(Dialog::ConfirmDelete { targets, plan, typed });
        }
        self.change_in_flight = true;
        self.busy = Some(format!("deleting {}", crate::plural::count(n as i64, "user")));
        out.push(Command::Delete(targets));
        None
    }

    fn new_user_key(&mut self, mut f: NewUserForm, key: KeyEvent, out: &mut Vec<Command>) -> Option<Dialog> {
        let n = f.field_count();
        match keymap::lookup(Context::Form, &key) {
            Some(Act::Cancel) => return None,
            Some(Act::NextField) => f.focus = (f.focus + 1) % n,
            Some(Act::PrevField) => f.focus = (f.focus + n - 1) % n,
            Some(Act::Toggle) if f.focus == 1 => f.role = next_role(f.role),
            Some(Act::Toggle) if f.focus == 2 => f.mode = toggle(f.mode),
            Some(Act::Submit) => {
                let email = match Email::parse(f.email.value()) {
                    Ok(e) => e,
                    Err(e) => {
                        f.error = Some(e.to_string());
                        f.focus = 0;
                        return Some(Dialog::NewUser(f));
                    }
                };
                if let Some(actor) = self.actor_view()
                    && let Err(e) =
                        crate::domain::permissions::check(actor, Action::Create, None, Some(f.role))
                {
                    f.error = Some(e.to_string());
                    f.focus = 1;
                    return Some(Dialog::NewUser(f));
                }
                let password = match typed_or_generated(f.mode, &f.password, &f.confirm) {
                    Ok(p) => p,
                    Err((msg, focus)) => {
                        f.error = Some(msg);
                        f.focus = focus + 3;
                        return Some(Dialog::NewUser(f));
                    }
                };
                self.change_in_flight = true;
                self.busy = Some(format!("creating {email}"));
                self.pending_form = Some(f.clone());
                out.push(Command::CreateUser { email, role: f.role, password });
                return None;
            }
            _ => match f.focus {
                0 => {
                    f.email.handle_event(&CtEvent::Key(key));
                }
                1 => {
                    if let KeyCode::Char(c @ '1'..='4') = key.code {
                        f.role = Role::ALL[(c as usize) - ('1' as usize)];
                    }
                }
                2 => {}
                3 => {
                    f.password.handle(&key);
                }
                _ => {
                    f.confirm.handle(&key);
                }
            },
        }
        Some(Dialog::NewUser(f))
    }

    fn reset_key(&mut self, mut f: ResetForm, key: KeyEvent, out: &mut Vec<Command>) -> Option<Dialog> {
        let n = f.field_count();
        match keymap::lookup(Context::Form, &key) {
            Some(Act::Cancel) => return None,
            Some(Act::NextField) => f.focus = (f.focus + 1) % n,
            Some(Act::PrevField) => f.focus = (f.focus + n - 1) % n,
            Some(Act::Toggle) if f.focus == 0 => f.mode = toggle(f.mode),
            Some(Act::Toggle) if f.focus == 1 => f.revoke_sessions = !f.revoke_sessions,
            Some(Act::Submit) => {
                let password = match typed_or_generated(f.mode, &f.password, &f.confirm) {
                    Ok(p) => p,
                    Err((msg, focus)) => {
                        f.error = Some(msg);
                        f.focus = focus + 2;
                        return Some(Dialog::ResetPassword(f));
                    }
                };
                self.change_in_flight = true;
                self.busy = Some(format!("resetting the password of {}", f.target.email));
                out.push(Command::ResetPassword {
                    target: f.target,
                    password,
                    revoke_sessions: f.revoke_sessions,
                });
                return None;
            }
            _ => match f.focus {
                2 => {
                    f.password.handle(&key);
                }
                3 => {
                    f.confirm.handle(&key);
                }
                _ => {}
            },
        }
        Some(Dialog::ResetPassword(f))
    }
}

fn toggle(m: PasswordMode) -> PasswordMode {
    match m {
        PasswordMode::Generate => PasswordMode::Type,
        PasswordMode::Type => PasswordMode::Generate,
    }
}

fn next_role(r: Role) -> Role {
    Role::ALL[(r as usize + 1) % Role::ALL.len()]
}

/// The typed password, checked (`None` when it is to be generated). Errors carry the
/// field (0 = password, 1 = confirmation) to focus.
fn typed_or_generated(
    mode: PasswordMode,
    pw: &super::secret_input::SecretInput,
    confirm: &super::secret_input::SecretInput,
) -> Result<Option<Secret>, (String, usize)> {
    if mode == PasswordMode::Generate {
        return Ok(None);
    }
    let secret = pw.secret();
    check_policy(&secret).map_err(|e| (e.to_string(), 0))?;
    if secret != confirm.secret() {
        return Err(("the two passwords differ".into(), 1));
    }
    Ok(Some(secret))
}

/// Scrolling and closing for read-only dialogs.
fn viewer(key: KeyEvent, scroll: u16, make: impl Fn(u16) -> Dialog) -> Option<Dialog> {
    match keymap::lookup(Context::Viewer, &key) {
        Some(Act::Cancel) => None,
        Some(Act::Down) => Some(make(scroll.saturating_add(1))),
        Some(Act::Up) => Some(make(scroll.saturating_sub(1))),
        Some(Act::PageDown) => Some(make(scroll.saturating_add(10))),
        Some(Act::PageUp) => Some(make(scroll.saturating_sub(10))),
        _ => Some(make(scroll)),
    }
}
