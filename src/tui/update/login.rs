//! Keys on the log-in, migration and first-superuser screens.

use crate::domain::Email;
use crate::domain::password::check_policy;
use crate::store::StoreError;
use crate::tui::event::{Effect, Job};
use crate::tui::keymap::{self, FormAction};
use crate::tui::model::fields::Field;
use crate::tui::model::login::{BootstrapField, LoginField};
use crate::tui::model::{App, Screen};
use crossterm::event::KeyEvent;

impl App {
    pub(super) fn login_key(&mut self, key: KeyEvent, out: &mut Vec<Effect>) {
        let Screen::Login(f) = &mut self.screen else { return };
        if f.busy {
            return;
        }
        let Some(action) = keymap::form(&key) else {
            match f.focus {
                LoginField::Email => {
                    super::edit(&mut f.email, key);
                }
                LoginField::Password => {
                    f.password.handle(&key);
                }
            }
            return;
        };
        match action {
            FormAction::NextField | FormAction::PrevField => f.focus = f.focus.next(),
            FormAction::Toggle => match f.focus {
                LoginField::Email => {
                    super::edit(&mut f.email, key);
                }
                LoginField::Password => {
                    f.password.handle(&key);
                }
            },
            FormAction::Empty => match f.focus {
                LoginField::Email => f.email.reset(),
                LoginField::Password => f.password.clear(),
            },
            FormAction::Submit => {
                let email = f.email.value().trim().to_string();
                if email.is_empty() {
                    f.error = Some("enter your email".into());
                    f.focus = LoginField::Email;
                } else if f.focus == LoginField::Email && f.password.is_empty() {
                    f.focus = LoginField::Password;
                } else if f.password.is_empty() {
                    f.error = Some("enter your password".into());
                } else {
                    f.busy = true;
                    f.error = None;
                    let password = f.password.secret();
                    self.request(Job::Login { email, password }, out);
                }
            }
            FormAction::Cancel => {
                // A half-typed form is cleared first; Esc on an empty one quits.
                if f.email.value().is_empty() && f.password.is_empty() {
                    self.quit_now(out);
                } else {
                    f.email.reset();
                    f.password.clear();
                    f.focus = LoginField::Email;
                    f.error = Some("form cleared; Esc again quits".into());
                }
            }
        }
    }

    /// The screen that offers the migration before the first superuser: Enter runs it,
    /// Esc quits. Other keys do nothing (no form is shown to type into).
    pub(super) fn migrate_key(&mut self, key: KeyEvent, out: &mut Vec<Effect>) {
        let Screen::Migrate(m) = &mut self.screen else { return };
        if m.busy {
            return;
        }
        match keymap::form(&key) {
            Some(FormAction::Submit) if self.options.deployment.readonly => {
                m.error = Some("read-only mode: this console may not create the audit log; run `skriptoteket-admin migrate` without --readonly".into());
            }
            Some(FormAction::Submit) => {
                m.busy = true;
                m.error = None;
                self.request(Job::Migrate, out);
            }
            Some(FormAction::Cancel) => self.quit_now(out),
            _ => {}
        }
    }

    pub(super) fn bootstrap_key(&mut self, key: KeyEvent, out: &mut Vec<Effect>) {
        let Screen::Bootstrap(f) = &mut self.screen else { return };
        if f.busy {
            return;
        }
        let type_into = |f: &mut crate::tui::model::login::BootstrapForm, key: &KeyEvent| match f.focus {
            BootstrapField::Email => {
                super::edit(&mut f.email, *key);
            }
            BootstrapField::Password => {
                f.password.handle(key);
            }
            BootstrapField::Confirm => {
                f.confirm.handle(key);
            }
        };
        let Some(action) = keymap::form(&key) else {
            type_into(f, &key);
            return;
        };
        match action {
            FormAction::NextField => f.focus = f.focus.next(),
            FormAction::PrevField => f.focus = f.focus.prev(),
            FormAction::Toggle => type_into(f, &key),
            FormAction::Empty => match f.focus {
                BootstrapField::Email => f.email.reset(),
                BootstrapField::Password => f.password.clear(),
                BootstrapField::Confirm => f.confirm.clear(),
            },
            FormAction::Submit if f.focus != BootstrapField::Confirm => f.focus = f.focus.next(),
            FormAction::Submit => {
                let email = match Email::parse(f.email.value()) {
                    Ok(e) => e,
                    Err(e) => {
                        f.error = Some(e.to_string());
                        f.focus = BootstrapField::Email;
                        return;
                    }
                };
                let password = f.password.secret();
                if let Err(e) = check_policy(&password) {
                    f.error = Some(e.to_string());
                    f.focus = BootstrapField::Password;
                } else if password != f.confirm.secret() {
                    f.error = Some("the two passwords differ".into());
                    f.confirm.clear();
                    f.focus = BootstrapField::Confirm;
                } else {
                    f.busy = true;
                    f.error = None;
                    self.request(Job::Bootstrap { email, password }, out);
                }
            }
            FormAction::Cancel => {
                if f.email.value().is_empty() && f.password.is_empty() && f.confirm.is_empty() {
                    self.quit_now(out);
                } else {
                    f.email.reset();
                    f.password.clear();
                    f.confirm.clear();
                    f.focus = BootstrapField::Email;
                    f.error = Some("form cleared; Esc again quits".into());
                }
            }
        }
    }
}

/// What a refused sign-in tells the admin. A wrong password also says what is coming (the
/// lock), in words that hold for every email, so they tell nobody whether one exists.
pub fn login_refusal(e: &StoreError) -> String {
    use crate::store::login::{LOCK_MINUTES, MAX_FAILED_LOGINS};
    match e {
        StoreError::InvalidCredentials => format!(
            "Wrong email or password. After {MAX_FAILED_LOGINS} failed attempts in a row an account is \
             locked for {LOCK_MINUTES} minutes."
        ),
        other => other.to_string(),
    }
}
