//! `e` on the table: the account's email and profile in a form filled from the database,
//! then a confirmation with each field before → after. What the web app would refuse is
//! refused in the form, with the field in focus; the store checks it all again.

use crate::domain::edit::{self, Edit, EditError, Editable, LOCALES};
use crate::domain::{Change, Email};
use crate::store::targets::Seen;
use crate::tui::event::{Effect, Failure, Job, RequestId};
use crate::tui::keymap::{self, FormAction};
use crate::tui::model::App;
use crate::tui::model::dialog::{Dialog, Loading};
use crate::tui::model::fields::Field;
use crate::tui::model::forms::{EditField, EditForm};
use crossterm::event::KeyEvent;

impl App {
    /// `e`: asks for the account's values and opens the form, which fills when they come.
    pub(super) fn start_edit(&mut self, out: &mut Vec<Effect>) {
        let Some(row) = self.users.cursor_row() else { return };
        let target = Seen::of(&row);
        let change = Change::Edit(Box::default());
        if self.can_start() && self.permitted(&change, std::slice::from_ref(&target)) {
            let request = self.request(Job::LoadEditable(target.id), out);
            self.dialog = Some(Dialog::Edit(EditForm::new(target, request)));
        }
    }

    /// The worker's answer with the account's values.
    pub(super) fn on_editable(&mut self, id: RequestId, res: Result<Editable, Failure>) {
        if let Some(Dialog::Edit(f)) = &mut self.dialog
            && f.request == id
        {
            match res {
                Ok(now) => f.fill(now),
                Err(e) => f.current = Loading::Failed(e.to_string()),
            }
        }
    }

    pub(super) fn edit_key(&mut self, mut f: EditForm, key: KeyEvent) -> Option<Dialog> {
        let action = keymap::form(&key);
        if action == Some(FormAction::Cancel) {
            self.info("edit cancelled; nothing changed");
            return None;
        }
        if !matches!(f.current, Loading::Ready(_)) {
            return Some(Dialog::Edit(f));
        }
        // The verified choice is there only while the email differs from the account's.
        let vouch_shown = f.email_changed();
        let shown = move |x: EditField| x != EditField::Vouch || vouch_shown;
        match action {
            Some(FormAction::NextField) => f.focus = f.focus.step(1, shown),
            Some(FormAction::PrevField) => f.focus = f.focus.step(-1, shown),
            Some(FormAction::Toggle) if f.input_mut(f.focus).is_none() => match f.focus {
                EditField::Vouch => f.vouch = !f.vouch,
                EditField::Locale => f.locale = (f.locale + 1) % LOCALES.len(),
                EditField::RevokeSessions => f.revoke_sessions = !f.revoke_sessions,
                EditField::Email | EditField::FirstName | EditField::LastName | EditField::DisplayName => {}
            },
            Some(FormAction::Empty) => {
                if let Some(input) = f.input_mut(f.focus) {
                    input.reset();
                }
            }
            Some(FormAction::Submit) => match edited(&f) {
                Ok((e, lines)) => {
                    self.confirm_edit(f.target, e, lines);
                    return self.dialog.take();
                }
                Err((why, field)) => {
                    f.error = Some(why);
                    f.focus = field;
                }
            },
            Some(FormAction::Cancel) => return None,
            // Space in a text field, or a key that edits it.
            Some(FormAction::Toggle) | None => {
                let focus = f.focus;
                if let Some(input) = f.input_mut(focus)
                    && super::edit(input, key)
                {
                    f.error = None;
                }
            }
        }
        Some(Dialog::Edit(f))
    }

    /// The confirmation of an edit: what it does, each field before → after, the account.
    fn confirm_edit(&mut self, target: Seen, e: Edit, fields: Vec<String>) {
        let change = Change::Edit(Box::new(e));
        let targets = vec![target];
        if !self.permitted(&change, &targets) {
            self.dialog = None;
            return;
        }
        let mut lines = change.confirmation(&self.target_rows(&targets));
        lines.extend(fields);
        lines.push(super::table::undo_note(&change).to_string());
        self.dialog = Some(Dialog::Confirm { targets, change, lines, back: None });
    }
}

/// The edit the form asks for (the fields that differ from the account's values) and the
/// lines saying what it changes; or what is wrong, with the field to fix.
fn edited(f: &EditForm) -> Result<(Edit, Vec<String>), (String, EditField)> {
    let Loading::Ready(now) = &f.current else {
        return Err(("the account's values have not come yet".into(), EditField::Email));
    };
    let at = |field: EditField| move |e: EditError| (e.to_string(), field);
    let email = if f.email_changed() {
        Some(Email::parse(f.email.value()).map_err(|e| (e.to_string(), EditField::Email))?)
    } else {
        None
    };
    // A name left as it was is not part of the edit (an empty one it had stays empty).
    let changed = |typed: &str, was: &Option<String>| typed.trim() != was.as_deref().unwrap_or("").trim();
    let first_name = if changed(f.first_name.value(), &now.first_name) {
        Some(edit::name("first name", f.first_name.value()).map_err(at(EditField::FirstName))?)
    } else {
        None
    };
    let last_name = if changed(f.last_name.value(), &now.last_name) {
        Some(edit::name("last name", f.last_name.value()).map_err(at(EditField::LastName))?)
    } else {
        None
    };
    let display_name = if changed(f.display_name.value(), &now.display_name) {
        Some(edit::display_name(f.display_name.value()).map_err(at(EditField::DisplayName))?)
    } else {
        None
    };
    let locale = LOCALES.get(f.locale).map(|l| l.to_string()).filter(|l| *l != now.locale);
    let e = Edit {
        email,
        first_name,
        last_name,
        display_name,
        locale,
        vouch: f.vouch,
        revoke_sessions: f.revoke_sessions,
    };
    let fields = e.fields(now);
    if fields.is_empty() {
        return Err(("nothing changed: edit a field first (Esc leaves)".into(), f.focus));
    }
    Ok((e, fields.lines(now)))
}
