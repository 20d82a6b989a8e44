//! The import (`I` on the table, or `:import FILE`): the file and where the passwords go,
//! then the worker's plan of it (the same rules as `import`, the same per-line verdicts
//! as `import --dry-run`), y, the reason, and the import itself with its progress. Each
//! generated password goes to the new passwords file only (0600), whose path the dialog
//! and the closing message show.

use crate::domain::Reason;
use crate::provision::{FilePlan, PlanError, StopFlag};
use crate::tui::event::{Effect, ImportFailure, ImportOutcome, Job, RequestId};
use crate::tui::keymap::{self, ConfirmAction, FormAction};
use crate::tui::model::dialog::{Dialog, Sends};
use crate::tui::model::import::{Ended, ImportDialog, ImportField, ImportStep, Running};
use crate::tui::model::{App, InFlight, LastChange};
use crossterm::event::KeyEvent;
use std::sync::Arc;

impl App {
    /// `I` (or `:import FILE`): asks for the file.
    pub(super) fn start_import(&mut self, file: Option<String>) {
        if self.can_start() {
            self.dialog = Some(Dialog::Import(ImportDialog::new(file.as_deref().unwrap_or(""))));
        }
    }

    pub(super) fn import_key(
        &mut self,
        key: KeyEvent,
        mut d: ImportDialog,
        out: &mut Vec<Effect>,
    ) -> Option<Dialog> {
        match &mut d.step {
            ImportStep::Names => return self.names_key(key, d, out),
            ImportStep::Planning(_) => {
                if keymap::form(&key) == Some(FormAction::Cancel) {
                    // Its answer is dropped: the step no longer waits for it.
                    d.step = ImportStep::Names;
                    d.error = Some("not read to the end: Enter reads it again".into());
                }
            }
            ImportStep::Plan(plan) => match keymap::confirm(&key) {
                Some(ConfirmAction::Yes) if plan.plan.can_run() => {
                    let what = format!(
                        "importing {}",
                        crate::plural::count(plan.plan.todo().len() as i64, "account")
                    );
                    self.ask_reason(Sends::Import(Box::new(d)), what, None, None);
                    return self.dialog.take();
                }
                Some(ConfirmAction::Yes) => {
                    self.info("this plan cannot run: n goes back to the names");
                }
                Some(ConfirmAction::Cancel) => {
                    d.step = ImportStep::Names;
                    d.error = None;
                }
                _ => {}
            },
            // Read, closed: any close key (the path is on the status line and in `m`).
            ImportStep::Done(_) => {
                if keymap::form(&key).is_some_and(|a| matches!(a, FormAction::Cancel | FormAction::Submit))
                    || keymap::scroll(&key) == Some(keymap::ScrollAction::Close)
                {
                    return None;
                }
            }
            ImportStep::Running(run) => {
                if keymap::form(&key) == Some(FormAction::Cancel) {
                    if run.hashed < run.total {
                        // The worker asks between two passwords and once more before it
                        // creates anything; the end says which it came to.
                        run.stop.raise();
                        self.info(
                            "stopping the import: unless the accounts were being created already, nothing is",
                        );
                    } else {
                        self.info("the accounts are being created in one transaction: it ends by itself");
                    }
                } else if keymap::table(&key) == Some(keymap::TableAction::Quit) {
                    // As on the table while a change runs: a second q quits. Before the
                    // accounts are created, quitting creates none and removes the file.
                    if self.quit_armed {
                        self.quit_now(out);
                    } else {
                        self.quit_armed = true;
                        self.error(if run.hashed < run.total {
                            "the import is hashing: Esc stops it, q again quits; nothing is created"
                        } else {
                            "the accounts are being created: wait for the answer, or q again to quit anyway"
                        });
                    }
                } else {
                    let stop = keymap::keys_for(keymap::KeyAction::Form(FormAction::Cancel));
                    self.info(format!("the import is running: {stop} stops it while it hashes"));
                }
            }
        }
        Some(Dialog::Import(d))
    }

    /// Keys while the names are typed.
    fn names_key(&mut self, key: KeyEvent, mut d: ImportDialog, out: &mut Vec<Effect>) -> Option<Dialog> {
        match keymap::form(&key) {
            Some(FormAction::Cancel) => {
                self.info("import cancelled; nothing changed");
                return None;
            }
            Some(FormAction::NextField | FormAction::PrevField) => {
                d.focus = match d.focus {
                    ImportField::File => ImportField::Passwords,
                    ImportField::Passwords => ImportField::File,
                };
            }
            Some(FormAction::Submit) => self.plan_import(&mut d, out),
            Some(FormAction::Empty) => {
                d.focused().reset();
                d.error = None;
            }
            _ => {
                if super::edit(d.focused(), key) {
                    d.error = None;
                }
            }
        }
        Some(Dialog::Import(d))
    }

    /// Enter on the names: the worker reads the file (an empty passwords name becomes
    /// the file beside it, shown in the field).
    fn plan_import(&mut self, d: &mut ImportDialog, out: &mut Vec<Effect>) {
        let file = d.file.value().trim().to_string();
        if file.is_empty() {
            d.error =
                Some("name the CSV file to import (email, role; first_name, last_name, display_name)".into());
            d.focus = ImportField::File;
            return;
        }
        let typed = d.passwords.value().trim();
        if typed.is_empty() || d.suggested.as_deref() == Some(typed) {
            let day = time::macros::format_description!("[year]-[month]-[day]");
            let today = self.wall.and_then(|now| now.format(day).ok());
            let beside = crate::provision::passwords_beside(std::path::Path::new(&file), today.as_deref());
            let beside = beside.display().to_string();
            d.passwords = tui_input::Input::new(beside.clone());
            d.suggested = Some(beside);
        }
        let passwords = d.passwords.value().trim().into();
        d.error = None;
        let id = self.request(Job::PlanImport { file: file.into(), passwords }, out);
        d.step = ImportStep::Planning(id);
    }

    /// The worker's plan of the file: shown to confirm, or the names again with why not.
    pub(super) fn on_import_plan(&mut self, id: RequestId, res: Result<Arc<FilePlan>, Arc<PlanError>>) {
        let Some(Dialog::Import(d)) = &mut self.dialog else { return };
        if !matches!(d.step, ImportStep::Planning(r) if r == id) {
            return;
        }
        match res {
            Ok(plan) => {
                d.step = ImportStep::Plan(plan);
                // A confirmation now: keys typed ahead do not answer it.
                self.rearm();
            }
            Err(e) => {
                d.focus = match &*e {
                    PlanError::Passwords { .. } => ImportField::Passwords,
                    PlanError::File { .. } | PlanError::Store(_) => ImportField::File,
                };
                d.error = Some(crate::domain::sanitize::clean(&e.to_string()).into_owned());
                d.step = ImportStep::Names;
            }
        }
    }

    /// The reason is given: the import goes to the worker, and the dialog shows it run.
    pub(super) fn dispatch_import(
        &mut self,
        mut d: ImportDialog,
        reason: Option<Reason>,
        out: &mut Vec<Effect>,
    ) -> Dialog {
        let ImportStep::Plan(plan) = std::mem::take(&mut d.step) else { return Dialog::Import(d) };
        let accounts: Vec<_> = plan.plan.todo().into_iter().cloned().collect();
        let total = accounts.len();
        let stop = StopFlag::default();
        let command = self.import_command(&plan, reason.as_ref());
        let job = Job::Import {
            accounts: Arc::new(accounts),
            passwords: plan.passwords.clone(),
            reason,
            stop: stop.clone(),
        };
        let id = self.request(job, out);
        let label = format!("import: {}", crate::plural::count(total as i64, "account"));
        self.in_flight = Some(InFlight { id, label, command, back: None });
        d.step = ImportStep::Running(Running { request: id, plan, total, hashed: 0, created: 0, stop });
        Dialog::Import(d)
    }

    /// The subcommand that makes this import, quoted for a POSIX shell.
    fn import_command(&self, plan: &FilePlan, reason: Option<&Reason>) -> String {
        let mut args = vec![
            "skriptoteket-admin".to_string(),
            "import".into(),
            plan.file.display().to_string(),
            "--passwords-out".into(),
            plan.passwords.display().to_string(),
        ];
        if let Some(actor) = &self.actor {
            args.extend(["--actor-email".into(), actor.email.clone()]);
        }
        if let Some(r) = reason {
            args.extend(["--reason".into(), r.to_string()]);
        }
        shlex::try_join(args.iter().map(String::as_str))
            .unwrap_or_else(|_| "# a path holds a NUL byte: no shell command can name it".into())
    }

    pub(super) fn on_import_progress(&mut self, id: RequestId, hashed: usize, created: usize) {
        if let Some(Dialog::Import(ImportDialog { step: ImportStep::Running(run), .. })) = &mut self.dialog
            && run.request == id
        {
            run.hashed = hashed;
            run.created = created;
        }
    }

    /// How the import ended: said in the dialog (until closed: the passwords file's path
    /// in full) and on the status line; the table read again when accounts were (or may
    /// have been) created.
    pub(super) fn on_imported(&mut self, id: RequestId, o: ImportOutcome, out: &mut Vec<Effect>) {
        let Some(sent) = self.in_flight.take_if(|f| f.id == id) else { return };
        self.quit_armed = false;
        let n = crate::plural::count(o.accounts as i64, "account");
        let change = &o.stamp.change_id.simple().to_string()[..8];
        let file = crate::domain::sanitize::clean(&o.passwords.display().to_string()).into_owned();
        let last =
            LastChange { id: o.stamp.change_id, label: sent.label, undoable: false, command: sent.command };
        let ended = match o.result {
            Ok(done) => {
                let lost = if done.after_loss { "the connection dropped at the end, but " } else { "" };
                self.ok(format!("{lost}imported {n} (change {change}); their passwords are in {file}"));
                self.last_change = Some(last);
                self.reload(out);
                self.keep_status_on_load = true;
                Ended {
                    ok: true,
                    said: format!(
                        "{lost}{n} created (change {change}). Their passwords are in this file, readable by you only, and nowhere else: hand them out, then delete it."
                    ),
                    passwords: Some(o.passwords),
                }
            }
            Err(ImportFailure::Stopped) => {
                self.info("import stopped; nothing was created, no passwords file kept");
                return self.close_import(id);
            }
            Err(ImportFailure::Failed(e)) => {
                let e = crate::domain::sanitize::clean(&e.to_string()).into_owned();
                let said = format!("import failed: {e}; nothing was created");
                self.error(said.clone());
                Ended { ok: false, said, passwords: None }
            }
            Err(ImportFailure::Interrupted { applied: Some(false) }) => {
                let said = format!(
                    "import interrupted: the connection dropped; change {change} was NOT applied, nothing was created"
                );
                self.error(said.clone());
                Ended { ok: false, said, passwords: None }
            }
            Err(ImportFailure::Interrupted { applied: _ }) => {
                self.error(format!("import interrupted: whether change {change} applied is unknown"));
                // c shows this import's command, and z nothing older (as after any change).
                self.last_change = Some(last);
                self.reload(out);
                self.keep_status_on_load = true;
                Ended {
                    ok: false,
                    said: format!(
                        "The connection dropped at the end: whether change {change} applied is unknown (L shows the audit log once it is back). The passwords file is kept: they are the accounts' if it did."
                    ),
                    passwords: Some(o.passwords),
                }
            }
        };
        if let Some(Dialog::Import(d)) = &mut self.dialog
            && matches!(&d.step, ImportStep::Running(r) if r.request == id)
        {
            d.step = ImportStep::Done(ended);
        }
    }

    /// Closes the import dialog if it still shows the import `id` running.
    fn close_import(&mut self, id: RequestId) {
        if matches!(&self.dialog, Some(Dialog::Import(ImportDialog { step: ImportStep::Running(r), .. })) if r.request == id)
        {
            self.dialog = None;
        }
    }
}
