//! Keys in the `:` command line, and what a command does: the job of the table key with
//! the same meaning, so a command is confirmed, reasoned and refused exactly as its key.

use crate::domain::Change;
use crate::domain::audit::ChangeSummary;
use crate::domain::change::short_id;
use crate::store::StoreError;
use crate::tui::event::{Effect, Job};
use crate::tui::keymap::{self, FilterAction, TableAction};
use crate::tui::model::App;
use crate::tui::model::command_line::{self, Command};
use crossterm::event::KeyEvent;
use std::sync::Arc;
use tui_input::Input;

impl App {
    pub(super) fn command_key(&mut self, key: KeyEvent, out: &mut Vec<Effect>) {
        let Some(line) = self.command.as_mut() else { return };
        match keymap::filter(&key) {
            Some(FilterAction::Clear) => self.command = None,
            Some(FilterAction::Empty) => {
                line.input.reset();
                line.error = None;
                line.choices = None;
            }
            Some(FilterAction::Complete) => {
                let (text, choices) = command_line::complete(line.input.value());
                line.input = Input::new(text);
                line.error = None;
                line.choices = (!choices.is_empty()).then(|| choices.join("  "));
            }
            Some(FilterAction::Keep) => match command_line::parse(line.input.value()) {
                Ok(command) => {
                    self.command = None;
                    self.run_command(command, out);
                }
                Err(why) => {
                    line.error = Some(why.clone());
                    // Kept in the history (m) too: a long one does not fit the line.
                    self.error(why);
                }
            },
            // The command line keeps no history (yet): ↑/↓ do nothing here.
            Some(FilterAction::Older | FilterAction::Newer) => {}
            None => {
                if super::edit(&mut line.input, key) {
                    line.error = None;
                    line.choices = None;
                }
            }
        }
    }

    fn run_command(&mut self, command: Command, out: &mut Vec<Effect>) {
        let action = match command {
            Command::SetRole(role) => return self.start_change(Change::SetRole(role)),
            Command::Activate => return self.start_change(Change::SetActive(true)),
            Command::Deactivate => return self.start_change(Change::SetActive(false)),
            Command::Filter(text) => {
                self.filter.input = Input::new(text);
                self.users.set_filter(self.filter.value(), self.wall_now());
                if self.users.filter.invalid.is_none() {
                    self.filter.remember();
                }
                return;
            }
            Command::Sort(column) => {
                self.users.set_sort(column, false);
                return self.info(format!("sorted by {}", column.label()));
            }
            Command::Revert(hex) => return self.revert_by_prefix(hex, out),
            Command::Import(file) => return self.start_import(file),
            Command::Columns(chosen) => {
                let said = if chosen.is_empty() {
                    "every column that fits".to_string()
                } else {
                    let names: Vec<&str> = chosen.iter().map(|k| k.label()).collect();
                    format!("email, {}", names.join(", "))
                };
                self.columns = chosen;
                return self.info(format!("columns: {said}"));
            }
            Command::Unlock => TableAction::Unlock,
            Command::VerifyEmail => TableAction::VerifyEmail,
            Command::RevokeSessions => TableAction::Revoke,
            Command::Delete => TableAction::Delete,
            Command::ResetPassword => TableAction::Password,
            Command::Edit => TableAction::Edit,
            Command::ProvisionUser => TableAction::New,
            Command::Undo => TableAction::Undo,
            Command::Audit => TableAction::Audit,
            Command::Export => TableAction::Export,
            Command::Reload => TableAction::Reload,
            Command::SignIns => TableAction::SignIns,
            Command::Help => TableAction::Help,
            Command::Quit => TableAction::Quit,
        };
        self.table_action(action, out);
    }

    /// `:revert HEX`: the change is looked up first (an id, or its start), so its
    /// confirmation says what it was and how many accounts it touched.
    fn revert_by_prefix(&mut self, hex: String, out: &mut Vec<Effect>) {
        if self.can_start() {
            self.finding_change = Some(self.request(Job::FindChange(hex), out));
        }
    }

    /// The changes a `:revert` named: one is confirmed (unless the admin has moved on to a
    /// dialog or a line meanwhile: then it only says so); none or several say so.
    pub(super) fn on_changes_found(&mut self, res: Result<Vec<ChangeSummary>, Arc<StoreError>>) {
        match res.as_deref() {
            Ok([found]) => {
                let Some(id) = found.first.change_id else { return };
                let action = found.first.action.clone();
                let accounts = crate::plural::count(found.accounts, "account");
                if self.dialog.is_some() || self.command.is_some() || self.filter.editing {
                    self.info(format!(
                        "change {} found ({action}); type :revert again to undo it",
                        short_id(&id)
                    ));
                } else if let Some(why) = crate::domain::revert::why_not(&action) {
                    self.error(format!("a {action} change cannot be reverted: {why}"));
                } else if self.can_start() {
                    self.dialog = self
                        .confirm_revert(id, &format!("{action} of {accounts} (change {})", short_id(&id)));
                }
            }
            Ok([]) => self.error("no change has an id that starts so (the audit log, L, shows them)"),
            Ok(_) => self.error("several changes have ids that start so: type more of the id"),
            Err(e) => self.error(format!("the change could not be looked up: {e}")),
        }
    }
}
