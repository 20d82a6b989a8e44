//! Keys in the new-user and password-reset forms.

use crate::domain::password::check_policy;
use crate::domain::permissions;
use crate::domain::{Change, Email, Role, Secret};
use crate::tui::keymap::{self, FormAction};
use crate::tui::model::App;
use crate::tui::model::dialog::Dialog;
use crate::tui::model::fields::Field;
use crate::tui::model::forms::{NewUserField, NewUserForm, PasswordMode, ResetField, ResetForm};
use crate::tui::model::secret_input::SecretInput;
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    /// The signed-in admin's role (`user` before sign-in).
    pub(super) fn actor_role(&self) -> Role {
        self.actor.as_ref().map_or(Role::User, |a| a.role)
    }

    pub(super) fn new_user_key(&mut self, mut f: NewUserForm, key: KeyEvent) -> Option<Dialog> {
        let Some(action) = keymap::form(&key) else {
            match f.focus {
                NewUserField::Email => {
                    super::edit(&mut f.email, key);
                }
                NewUserField::Role => {
                    if let KeyCode::Char(c @ '1'..='4') = key.code {
                        let role = Role::ALL[(c as usize) - ('1' as usize)];
                        match permissions::may_assign(self.actor_role(), role) {
                            Ok(()) => {
                                f.role = role;
                                f.role_refused = None;
                            }
                            Err(e) => {
                                f.role_refused =
                                    Some(format!("{role} is not offered: {e} (still {})", f.role));
                            }
                        }
                    }
                }
                NewUserField::Mode => {}
                NewUserField::Password => {
                    f.password.handle(&key);
                }
                NewUserField::Confirm => {
                    f.confirm.handle(&key);
                }
            }
            return Some(Dialog::NewUser(f));
        };
        match action {
            FormAction::Cancel => return None,
            FormAction::NextField => f.focus = f.focus.step(1, |x| f.shows(x)),
            FormAction::PrevField => f.focus = f.focus.step(-1, |x| f.shows(x)),
            FormAction::Toggle => match f.focus {
                NewUserField::Role => {
                    // The next role the actor may give; the others are shown disabled.
                    let actor = self.actor_role();
                    let n = Role::ALL.len();
                    f.role = (1..=n)
                        .map(|k| Role::ALL[(f.role.index() + k) % n])
                        .find(|r| permissions::may_assign(actor, *r).is_ok())
                        .unwrap_or(f.role);
                    f.role_refused = None;
                }
                NewUserField::Mode => f.mode = f.mode.toggled(),
                // A space typed into a password is part of it.
                NewUserField::Password => {
                    f.password.handle(&key);
                }
                NewUserField::Confirm => {
                    f.confirm.handle(&key);
                }
                NewUserField::Email => {}
            },
            FormAction::Empty => match f.focus {
                NewUserField::Email => f.email.reset(),
                NewUserField::Password => f.password.clear(),
                NewUserField::Confirm => f.confirm.clear(),
                NewUserField::Role | NewUserField::Mode => {}
            },
            FormAction::Submit => {
                let email = match Email::parse(f.email.value()) {
                    Ok(e) => e,
                    Err(e) => {
                        f.error = Some(e.to_string());
                        f.focus = NewUserField::Email;
                        return Some(Dialog::NewUser(f));
                    }
                };
                let change = Change::Create { email, role: f.role };
                if let Some(actor) = self.actor_view()
                    && let Err(e) = crate::domain::permissions::check(actor, &change, None)
                {
                    f.error = Some(e.to_string());
                    f.focus = NewUserField::Role;
                    return Some(Dialog::NewUser(f));
                }
                let password = match typed_or_generated(f.mode, &f.password, &f.confirm) {
                    Ok(p) => p,
                    Err((msg, again)) => {
                        f.error = Some(msg);
                        f.focus = if again { NewUserField::Confirm } else { NewUserField::Password };
                        return Some(Dialog::NewUser(f));
                    }
                };
                self.pending_form = Some(f);
                self.send_change(change, Vec::new(), password, None);
                return self.dialog.take();
            }
        }
        Some(Dialog::NewUser(f))
    }

    pub(super) fn reset_key(&mut self, mut f: ResetForm, key: KeyEvent) -> Option<Dialog> {
        let Some(action) = keymap::form(&key) else {
            match f.focus {
                ResetField::Password => {
                    f.password.handle(&key);
                }
                ResetField::Confirm => {
                    f.confirm.handle(&key);
                }
                ResetField::Mode | ResetField::RevokeSessions => {}
            }
            return Some(Dialog::ResetPassword(f));
        };
        match action {
            FormAction::Cancel => return None,
            FormAction::NextField => f.focus = f.focus.step(1, |x| f.shows(x)),
            FormAction::PrevField => f.focus = f.focus.step(-1, |x| f.shows(x)),
            FormAction::Toggle => match f.focus {
                ResetField::Mode => f.mode = f.mode.toggled(),
                ResetField::RevokeSessions => f.revoke_sessions = !f.revoke_sessions,
                ResetField::Password => {
                    f.password.handle(&key);
                }
                ResetField::Confirm => {
                    f.confirm.handle(&key);
                }
            },
            FormAction::Empty => match f.focus {
                ResetField::Password => f.password.clear(),
                ResetField::Confirm => f.confirm.clear(),
                ResetField::Mode | ResetField::RevokeSessions => {}
            },
            FormAction::Submit => {
                let password = match typed_or_generated(f.mode, &f.password, &f.confirm) {
                    Ok(p) => p,
                    Err((msg, again)) => {
                        f.error = Some(msg);
                        f.focus = if again { ResetField::Confirm } else { ResetField::Password };
                        return Some(Dialog::ResetPassword(f));
                    }
                };
                let change = Change::ResetPassword { revoke_sessions: f.revoke_sessions };
                self.send_change(change, vec![f.target], password, None);
                return self.dialog.take();
            }
        }
        Some(Dialog::ResetPassword(f))
    }
}

/// The typed password, checked (`None` when it is to be generated). An error says whether
/// the confirmation (`true`) or the password itself is at fault.
fn typed_or_generated(
    mode: PasswordMode,
    pw: &SecretInput,
    confirm: &SecretInput,
) -> Result<Option<Secret>, (String, bool)> {
    if mode == PasswordMode::Generate {
        return Ok(None);
    }
    let secret = pw.secret();
    check_policy(&secret).map_err(|e| (e.to_string(), false))?;
    if secret != confirm.secret() {
        return Err(("the two passwords differ".into(), true));
    }
    Ok(Some(secret))
}
