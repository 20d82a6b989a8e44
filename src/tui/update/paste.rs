//! Pasted text (the terminal's bracketed paste): it goes into the focused text field as
//! text, one line, within the field's limit, and is never read as keys. Anywhere without a
//! text field it is ignored, with a note. No note repeats what was pasted: it may be a
//! password pasted in the wrong place.

use super::MAX_FIELD_BYTES;
use crate::tui::model::dialog::Dialog;
use crate::tui::model::forms::{NewUserField, ResetField};
use crate::tui::model::import::ImportStep;
use crate::tui::model::login::{BootstrapField, LoginField};
use crate::tui::model::secret_input::SecretInput;
use crate::tui::model::{App, Screen};
use tui_input::{Input, InputRequest};

/// The pasted text as one line: line breaks at either end are dropped (a copied line often
/// ends in one), tabs become spaces and other control characters go. Text with a line
/// break inside is refused: which of its lines was meant?
pub fn one_line(text: &str) -> Result<String, String> {
    let trimmed = text.trim_matches(|c| c == '\n' || c == '\r');
    if trimmed.contains(['\n', '\r']) {
        // CRLF is one break; a lone CR (old Mac text) is one too.
        let lines = trimmed.replace("\r\n", "\n").split(['\n', '\r']).count();
        return Err(format!(
            "paste refused: it holds {} and a field takes one; nothing was entered",
            crate::plural::count(lines as i64, "line")
        ));
    }
    Ok(trimmed
        .chars()
        .filter_map(|c| if c == '\t' { Some(' ') } else { (!c.is_control()).then_some(c) })
        .collect())
}

/// Inserts `text` at the cursor of `input`; refuses (and leaves the field) when the field
/// would pass [`MAX_FIELD_BYTES`].
fn into_input(input: &mut Input, text: &str) -> Result<(), String> {
    if input.value().len() + text.len() > MAX_FIELD_BYTES {
        return Err(format!(
            "paste refused: {} bytes would not fit the field ({MAX_FIELD_BYTES} at most); nothing was entered",
            text.len()
        ));
    }
    for c in text.chars() {
        input.handle(InputRequest::InsertChar(c));
    }
    Ok(())
}

fn into_secret(field: &mut SecretInput, text: &str) -> Result<(), String> {
    if field.paste(text) {
        Ok(())
    } else {
        Err(format!(
            "paste refused: a password has at most {} characters; nothing was entered",
            crate::domain::password::MAX_PASSWORD_CHARS
        ))
    }
}

/// Where a paste landed.
enum Landed {
    /// In a field; `Err` says why it was refused.
    Field(Result<(), String>),
    /// Nowhere: there is no text field in focus.
    Nowhere(&'static str),
}

impl App {
    pub(super) fn on_paste(&mut self, text: String) {
        if self.too_small() || matches!(self.screen, Screen::Connecting { .. }) {
            return;
        }
        let line = one_line(&text);
        let filter_before = self.filter.value().to_string();
        let landed = self.paste_into_focus(&line);
        match landed {
            Landed::Field(Ok(())) => {
                if self.filter.editing && self.dialog.is_none() && self.filter.value() != filter_before {
                    self.users.set_filter(self.filter.value(), self.wall_now());
                }
            }
            Landed::Field(Err(why)) => match &mut self.screen {
                Screen::Login(f) => f.error = Some(why),
                Screen::Bootstrap(f) => f.error = Some(why),
                Screen::Migrate(m) => m.error = Some(why),
                _ => self.error(why),
            },
            Landed::Nowhere(hint) => {
                let n = text.chars().count();
                self.info(format!(
                    "paste ignored ({}): pasted text is never read as keys; {hint}",
                    crate::plural::count(n as i64, "character")
                ));
            }
        }
    }

    fn paste_into_focus(&mut self, line: &Result<String, String>) -> Landed {
        let text = match line {
            Ok(t) => t.as_str(),
            Err(why) => {
                // Refused before choosing a field, but only where a field has the focus.
                return match self.paste_into_focus(&Ok(String::new())) {
                    Landed::Field(_) => Landed::Field(Err(why.clone())),
                    nowhere => nowhere,
                };
            }
        };
        match &mut self.screen {
            Screen::Login(f) if !f.busy => Landed::Field(match f.focus {
                LoginField::Email => into_input(&mut f.email, text),
                LoginField::Password => into_secret(&mut f.password, text),
            }),
            Screen::Bootstrap(f) if !f.busy => Landed::Field(match f.focus {
                BootstrapField::Email => into_input(&mut f.email, text),
                BootstrapField::Password => into_secret(&mut f.password, text),
                BootstrapField::Confirm => into_secret(&mut f.confirm, text),
            }),
            Screen::Login(_) | Screen::Bootstrap(_) => Landed::Nowhere("wait for the sign-in to finish"),
            Screen::Connecting { .. } => Landed::Nowhere("the console is still connecting"),
            Screen::Migrate(_) => Landed::Nowhere("the audit log must be created first (Enter)"),
            Screen::Users => match &mut self.dialog {
                None if self.command.is_some() => match &mut self.command {
                    Some(line) => Landed::Field(into_input(&mut line.input, text)),
                    None => Landed::Nowhere("the command line closed"),
                },
                None if self.filter.editing => Landed::Field(into_input(&mut self.filter.input, text)),
                None => Landed::Nowhere("press / first to paste into the filter"),
                Some(Dialog::NewUser(f)) => match f.focus {
                    NewUserField::Email => Landed::Field(into_input(&mut f.email, text)),
                    NewUserField::Password => Landed::Field(into_secret(&mut f.password, text)),
                    NewUserField::Confirm => Landed::Field(into_secret(&mut f.confirm, text)),
                    NewUserField::Role | NewUserField::Mode => {
                        Landed::Nowhere("move to a text field (Tab) to paste")
                    }
                },
                Some(Dialog::ResetPassword(f)) => match f.focus {
                    ResetField::Password => Landed::Field(into_secret(&mut f.password, text)),
                    ResetField::Confirm => Landed::Field(into_secret(&mut f.confirm, text)),
                    ResetField::Mode | ResetField::RevokeSessions => {
                        Landed::Nowhere("choose a typed password and move to its field to paste")
                    }
                },
                // The deployment's name is typed, never pasted: typing it is the point.
                Some(Dialog::Reason(p)) if p.name_focus && p.confirm_name.is_some() => {
                    Landed::Nowhere("type the deployment's name; a paste is not taken there")
                }
                Some(Dialog::Reason(p)) => {
                    let r = into_input(&mut p.reason, text);
                    if r.is_ok() {
                        p.error = None;
                    }
                    Landed::Field(r)
                }
                Some(Dialog::Audit(v)) if v.filter.editing => {
                    Landed::Field(into_input(&mut v.filter.input, text))
                }
                Some(Dialog::Audit(_)) => Landed::Nowhere("press / first to paste into the audit filter"),
                Some(Dialog::Edit(f)) => {
                    let focus = f.focus;
                    match f.input_mut(focus) {
                        Some(input) => {
                            let r = into_input(input, text);
                            if r.is_ok() {
                                f.error = None;
                            }
                            Landed::Field(r)
                        }
                        None => Landed::Nowhere("move to a text field (Tab) to paste"),
                    }
                }
                Some(Dialog::Export(f)) if f.exists.is_none() && f.request.is_none() => {
                    let r = into_input(&mut f.path, text);
                    if r.is_ok() {
                        f.error = None;
                    }
                    Landed::Field(r)
                }
                Some(Dialog::Import(d)) if matches!(d.step, ImportStep::Names) => {
                    let r = into_input(d.focused(), text);
                    if r.is_ok() {
                        d.error = None;
                    }
                    Landed::Field(r)
                }
                // Every other dialog by name (an export asking to overwrite, or writing, has
                // no field either): a new one with a text field cannot be forgotten here.
                Some(
                    Dialog::Export(_)
                    | Dialog::Import(_)
                    | Dialog::PickRole { .. }
                    | Dialog::Confirm { .. }
                    | Dialog::ShowPassword { .. }
                    | Dialog::ConfirmDelete { .. }
                    | Dialog::Details { .. }
                    | Dialog::SignIns(_)
                    | Dialog::Help { .. }
                    | Dialog::Messages { .. }
                    | Dialog::Command { .. },
                ) => Landed::Nowhere("this dialog has no text field"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn a_paste_is_one_clean_line_or_refused() {
        assert_eq!(one_line("anna@x.se\n").as_deref(), Ok("anna@x.se"));
        assert_eq!(one_line("\r\nhej\tdå\u{7}\r\n").as_deref(), Ok("hej då"));
        assert!(one_line("team\nay").is_err());
        let lines = |t: &str| one_line(t).expect_err("refused");
        assert!(lines("a\rb").contains("it holds 2 lines"), "a lone CR breaks a line too");
        assert!(lines("a\r\nb\r\nc").contains("it holds 3 lines"), "CRLF is one break");
    }
}
