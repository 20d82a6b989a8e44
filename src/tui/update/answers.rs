//! What the database worker reports: connection state, and the answers to requests. An
//! answer whose id nobody waits for any more is dropped.

use crate::domain::{Change, Done};
use crate::store::StoreError;
use crate::tui::event::{Answer, DbEvent, Effect, OpError, Outcome, RequestId};
use crate::tui::keymap;
use crate::tui::model::dialog::{Dialog, Loading};
use crate::tui::model::login::{BootstrapForm, LoginField, LoginForm, MigrateScreen};
use crate::tui::model::{App, InFlight, LastChange, Screen, StatusKind};
use tui_input::Input;

impl App {
    pub(super) fn on_db(&mut self, db: DbEvent, out: &mut Vec<Effect>) {
        match db {
            DbEvent::Waiting { target, error, attempt } => {
                if let Screen::Connecting { message: shown } = &mut self.screen {
                    *shown = format!(
                        "waiting for the database at {target}: {error} (attempt {attempt}, retrying)"
                    );
                } else {
                    self.connection_lost =
                        Some(format!("connection lost, retrying (attempt {attempt}): {error}"));
                }
            }
            DbEvent::Unusable { target, error } => out.push(Effect::Fail(match &*error {
                // Which database has no such table says which URL to fix.
                StoreError::NoUsersTable => format!("{target}: {error}"),
                other => other.to_string(),
            })),
            DbEvent::Connected { has_superuser, audit_log } => {
                if matches!(self.screen, Screen::Connecting { .. }) {
                    self.screen = if !has_superuser && !audit_log {
                        Screen::Migrate(MigrateScreen::default())
                    } else if has_superuser {
                        let mut form = LoginForm::default();
                        if let Some(hint) = &self.options.login_hint {
                            form.email = Input::new(hint.clone());
                            form.focus = LoginField::Password;
                        }
                        Screen::Login(form)
                    } else {
                        Screen::Bootstrap(BootstrapForm::default())
                    };
                }
            }
            DbEvent::ConnectionLost { error } => {
                self.connection_lost = Some(format!("connection lost, retrying: {error}"));
            }
            DbEvent::Reconnected => {
                self.connection_lost = None;
                self.info("reconnected to the database");
            }
            DbEvent::Answer { id, answer } => self.on_answer(id, answer, out),
        }
    }

    fn on_answer(&mut self, id: RequestId, answer: Answer, out: &mut Vec<Effect>) {
        match answer {
            Answer::LoggedIn(actor) => {
                self.ok(format!("signed in as {} ({})", actor.email, actor.role));
                self.actor = Some(actor);
                self.screen = Screen::Users;
                self.reload(out);
            }
            Answer::Migrated(res) => {
                if let Screen::Migrate(m) = &mut self.screen {
                    match res {
                        Ok(()) => {
                            self.screen = Screen::Bootstrap(BootstrapForm::default());
                            self.ok("the audit log is created: now create the first superuser");
                        }
                        Err(e) => {
                            m.busy = false;
                            m.error = Some(e.to_string());
                        }
                    }
                }
            }
            Answer::LoginFailed(error) => match &mut self.screen {
                Screen::Login(f) => {
                    f.busy = false;
                    f.error = Some(super::login::login_refusal(&error));
                    f.password.clear();
                }
                Screen::Bootstrap(f) => {
                    f.busy = false;
                    f.error = Some(error.to_string());
                }
                _ => self.error(error.to_string()),
            },
            Answer::Users(res) => {
                if self.users_request != Some(id) {
                    return;
                }
                self.users_request = None;
                self.users.abandon_load();
                match res {
                    Ok(rows) => {
                        self.users.set_rows(rows);
                        self.table_loaded();
                    }
                    Err(error) => {
                        self.keep_status_on_load = false;
                        self.error(error.to_string())
                    }
                }
            }
            Answer::UserChunk(res) => {
                if self.users_request != Some(id) {
                    return;
                }
                match res {
                    Ok(chunk) => {
                        if chunk.first {
                            self.users.begin_load();
                        }
                        if let Some(mark) = chunk.live {
                            self.live_loaded(mark);
                        }
                        if let Err(e) = self.users.load_chunk(&chunk.rows, chunk.total, chunk.done) {
                            self.live_load_failed();
                            self.users_request = None;
                            self.keep_status_on_load = false;
                            self.error(format!("the table could not be read: {e}"));
                        } else if chunk.done {
                            self.users_request = None;
                            self.table_loaded();
                        }
                    }
                    Err(error) => {
                        self.live_load_failed();
                        self.users_request = None;
                        self.keep_status_on_load = false;
                        self.users.abandon_load();
                        self.error(error.to_string());
                    }
                }
            }
            Answer::DeletePlan(plan) => {
                if let Some(Dialog::ConfirmDelete { request, plan: p, .. }) = &mut self.dialog
                    && *request == id
                {
                    *p = match plan {
                        Ok(plan) => Loading::Ready(plan),
                        Err(e) => Loading::Failed(e.to_string()),
                    };
                }
            }
            Answer::Details(res) => {
                if let Some(Dialog::Details { request, data, .. }) = &mut self.dialog
                    && *request == id
                {
                    *data = match *res {
                        Ok(d) => Loading::Ready(Box::new(d)),
                        Err(e) => Loading::Failed(e.to_string()),
                    };
                }
                // Opened again after a session's revoke: that session in view.
                // A session selected before the details came (after a revoke, say) is
                // brought into view by the next draw.
                if let Some(Dialog::Details { session: Some(_), reveal, .. }) = &mut self.dialog {
                    *reveal = true;
                }
            }
            Answer::AuditChanges(res) => {
                if let Some(Dialog::Audit(view)) = &mut self.dialog
                    && view.request == id
                {
                    view.changes = match res {
                        Ok(rows) => Loading::Ready(rows),
                        Err(e) => Loading::Failed(e.to_string()),
                    };
                    let len = view.listed().len();
                    view.cursor.at = view.cursor.at.min(len.saturating_sub(1));
                }
            }
            Answer::ChangesFound(res) => {
                if self.finding_change.take_if(|r| *r == id).is_some() {
                    self.on_changes_found(res);
                }
            }
            Answer::ChangeEntries(res) => {
                if let Some(Dialog::Audit(view)) = &mut self.dialog
                    && let Some(open) = &mut view.open
                    && open.request == id
                {
                    open.entries = match res {
                        Ok(rows) => Loading::Ready(rows),
                        Err(e) => Loading::Failed(e.to_string()),
                    };
                }
            }
            Answer::Editable(res) => self.on_editable(id, res),
            Answer::Profiles(res) => self.on_profiles(id, res, out),
            Answer::ImportPlan(res) => self.on_import_plan(id, res),
            Answer::ImportProgress { hashed, created } => self.on_import_progress(id, hashed, created),
            Answer::Imported(o) => self.on_imported(id, *o, out),
            Answer::Looked(res) => self.on_looked(id, res),
            Answer::Reconciled(res) => self.on_reconciled(id, res),
            Answer::SignIns(res) => self.on_sign_ins(id, res),
            Answer::SourceAccounts(res) => self.on_source_accounts(id, res),
            Answer::Applied(outcome) => {
                if let Some(sent) = self.in_flight.take_if(|f| f.id == id) {
                    self.on_outcome(sent, *outcome, out);
                }
            }
        }
    }

    /// The whole table is in: the header's role is the one the database has now.
    fn table_loaded(&mut self) {
        self.loaded = true;
        self.live_load_done();
        if let Some(actor) = &mut self.actor
            && let Some(me) = self.users.by_id(actor.id)
        {
            actor.role = crate::domain::account::Account::role(&me);
        }
        let keep = std::mem::take(&mut self.keep_status_on_load);
        if !keep && self.status.as_ref().is_none_or(|s| s.kind != StatusKind::Error) {
            self.info(format!("{} loaded", crate::plural::count(self.users.len() as i64, "user")));
        }
    }

    fn on_outcome(&mut self, sent: InFlight, o: Outcome, out: &mut Vec<Effect>) {
        self.quit_armed = false;
        self.users.merge(&o.affected, o.refreshed);
        let form = self.pending_form.take();
        let label = o.change.label();
        match o.result {
            Ok(done) => {
                let undoable = crate::domain::revert::can_undo(&o.change);
                let undo = if undoable { "z undoes" } else { "cannot be undone" };
                self.ok(format!("{} · {undo} · c: as a command", o.change.summary(&done)));
                self.last_change = Some(LastChange {
                    id: o.stamp.change_id,
                    label: sent.label,
                    undoable,
                    command: sent.command,
                });
                // The marks were the change's targets; a session's revoke (from the
                // details) had nothing to do with them.
                if !matches!(o.change, Change::RevokeSession(_)) {
                    self.users.forget_marks();
                }
                if let Done::Created(row) = &done {
                    self.users.select(row.id);
                    // A new account the filter hides must not look like a failed create.
                    if self.users.cursor_id() != Some(row.id) {
                        let esc = keymap::keys_for(keymap::KeyAction::Table(keymap::TableAction::ClearMarks));
                        self.ok(format!(
                            "{} · the filter hides it ({esc} clears the filter)",
                            o.change.summary(&done)
                        ));
                    }
                }
                if let Some((email, secret)) = o.generated {
                    self.dialog = Some(Dialog::ShowPassword { email, secret, copied: false });
                }
            }
            Err(OpError::Stale(error)) => {
                self.error(error.to_string());
                self.reload(out);
            }
            Err(e @ OpError::Interrupted { .. }) => {
                // z must undo this change if it happened, and nothing older if unknown.
                self.last_change = match &e {
                    OpError::Interrupted { applied: Some(true) } => Some(LastChange {
                        id: o.stamp.change_id,
                        label: sent.label,
                        undoable: crate::domain::revert::can_undo(&o.change),
                        command: sent.command,
                    }),
                    OpError::Interrupted { applied: Some(false) } => self.last_change.take(),
                    _ => None,
                };
                self.error(format!("{label} interrupted: {e}"));
                if let Some((email, secret)) = o.generated {
                    // It may have applied: the only copy of the password must not be lost.
                    self.dialog = Some(Dialog::ShowPassword { email, secret, copied: false });
                } else if let (Some(mut f), OpError::Interrupted { applied: Some(false) }) = (form, &e) {
                    f.error = Some(format!("{label} interrupted: {e}"));
                    self.dialog = Some(Dialog::NewUser(f));
                }
                self.reload(out);
            }
            Err(OpError::Failed(error)) => match form {
                // A refused create keeps what was typed, with the reason in the form.
                Some(mut f) if matches!(o.change, Change::Create { .. }) => {
                    f.error = Some(error.to_string());
                    f.focus = Default::default();
                    self.dialog = Some(Dialog::NewUser(f));
                }
                _ => self.error(error.to_string()),
            },
        }
        // Where the change was asked from (a session's revoke: its account's details),
        // refreshed, with what happened shown there; unless a dialog opened meanwhile.
        if self.dialog.is_none() {
            self.dialog = self.go_back(sent.back, out);
        }
    }
}
