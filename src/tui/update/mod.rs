//! `App::update`, the only place the console's state changes. Pure: no I/O, no clock, no
//! terminal. Keys are handled per context (`login`, `table`, `forms`, `dialog`,
//! `viewers`); the database's answers in `answers`.

mod answers;
mod audit;
mod command_line;
mod dialog;
mod edit;
mod export;
mod filter_line;
mod forms;
mod import;
mod live;
mod login;
mod paste;
mod sign_ins;
mod table;
mod viewers;

use super::event::{Effect, Event, Job, Request, RequestId};
use super::keymap::{self, ConfirmAction, CopyAction, FormAction, TableAction};
use super::model::dialog::{Back, Dialog, PendingChange, Sends};
use super::model::{ARM_TIME, App, Arming, Guarded, HISTORY_LEN, InFlight, Screen, StatusKind, StatusLine};
use crate::domain::{Change, Reason, Secret};
use crate::store::targets::Seen;
use crossterm::event::{Event as CtEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// The longest text a field takes, in bytes (an email is at most 255 characters): a paste
/// of 50 KB stops here instead of costing seconds per key.
pub const MAX_FIELD_BYTES: usize = 1024;

pub use login::login_refusal;

/// Edits a text field with `key`; returns whether its text changed. Characters beyond
/// [`MAX_FIELD_BYTES`] are dropped.
pub(super) fn edit(input: &mut Input, key: KeyEvent) -> bool {
    let inserts = matches!(key.code, KeyCode::Char(_)) && !key.modifiers.contains(KeyModifiers::CONTROL);
    if inserts && input.value().len() >= MAX_FIELD_BYTES {
        return false;
    }
    input.handle_event(&CtEvent::Key(key)).is_some_and(|c| c.value)
}

impl App {
    /// Feeds one event through the state machine; returns what the outside should do.
    pub fn update(&mut self, event: Event) -> Vec<Effect> {
        let mut out = Vec::new();
        // A dialog cancelled leaves nothing behind to guard: the next key is deliberate
        // (and Esc typed quickly before a letter is meant as both).
        let cancels = matches!(&event, Event::Key(k) if k.code == KeyCode::Esc
            || keymap::confirm(k) == Some(ConfirmAction::Cancel)
            || keymap::form(k) == Some(FormAction::Cancel));
        match event {
            Event::Tick => {
                if self.animating() {
                    self.spinner = self.spinner.wrapping_add(1);
                }
                self.live_tick(&mut out);
            }
            Event::Resize(w, h) => {
                self.width = w;
                self.height = h;
                self.users.scroll_into_view(self.page_size());
            }
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key, &mut out),
            Event::Key(_) => {}
            Event::Paste(text) => self.on_paste(text),
            Event::Clock(now) => self.now = Some(now),
            Event::WallClock(now) => self.wall = Some(now),
            Event::Drawn(at, measured) => {
                if self.arming.guarded.is_some() && self.arming.drawn_at.is_none() {
                    self.arming.drawn_at = Some(at);
                }
                self.measured = measured;
                // The table showed the rows from here (the cursor kept in view).
                if let Some(t) = measured.table {
                    self.users.offset = t.offset;
                }
                if let (Some(to), Some(Dialog::Details { scroll, reveal, .. })) =
                    (measured.revealed, &mut self.dialog)
                    && *reveal
                {
                    *scroll = to;
                    *reveal = false;
                }
            }
            Event::Db(db) => self.on_db(db, &mut out),
            Event::Written { id, result } => self.on_exported(id, result),
        }
        // A warning about the dialog's account goes with the dialog (or with the account).
        if let Some((id, _)) = &self.live.underneath {
            let still = std::iter::once(*id).collect();
            if self.dialog.as_ref().and_then(|d| d.changed_account(&still)).is_none() {
                self.live.underneath = None;
            }
        }
        // A dialog that opened (or changed what it asks) has not been seen yet; nor has the
        // table a guarded dialog closed onto.
        let guarded = self.guarded();
        let closed =
            !cancels && guarded.is_none() && self.arming.guarded.is_some_and(|g| g != Guarded::Closed);
        if closed {
            self.arming = Arming { guarded: Some(Guarded::Closed), drawn_at: None };
        } else if guarded != self.arming.guarded
            && !(guarded.is_none() && self.arming.guarded == Some(Guarded::Closed))
        {
            self.arming = Arming { guarded, drawn_at: None };
        }
        out
    }

    /// Whether `key` would act on the open guarded dialog (cancelling never counts: it is
    /// always safe). Such a key is dropped until the dialog has been seen.
    fn acts_on_guarded(&self, key: &KeyEvent) -> bool {
        match self.arming.guarded {
            None => false,
            Some(Guarded::Confirm | Guarded::Delete { .. }) => {
                keymap::confirm(key) != Some(ConfirmAction::Cancel)
            }
            Some(Guarded::Reason) => keymap::form(key) == Some(FormAction::Submit),
            Some(Guarded::Password) => keymap::copy(key) == Some(CopyAction::Close),
            // Every key closes it or does nothing.
            Some(Guarded::Outcome) => true,
            // The keys of the habit (`y` Enter, `y` `y`), nothing else: a `/` and the words
            // typed after it go where they are meant, not in pieces to the table.
            Some(Guarded::Closed) => {
                self.dialog.is_none()
                    && (key.code == KeyCode::Enter || keymap::confirm(key) == Some(ConfirmAction::Yes))
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent, out: &mut Vec<Effect>) {
        // Ctrl-c quits from anywhere: an admin must never be trapped.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit_now(out);
            return;
        }
        // Ctrl-z suspends from anywhere, as in every terminal program (raw mode turns it
        // into a key instead of SIGTSTP).
        if key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL) {
            if self.options.no_job_control {
                self.info("Ctrl-z: no shell here could bring the console back (fg), so it stays; q quits");
            } else if self.in_flight.is_some() {
                // Stopped, the worker's transaction would hold its row locks until fg.
                self.info("Ctrl-z: a change is being applied; suspend when it is done");
            } else {
                out.push(Effect::Suspend);
            }
            return;
        }
        // Esc and then a letter typed quickly arrive as the same bytes as Alt+letter (with
        // Shift for a capital); the console binds no Alt key, so outside text fields (where
        // Alt moves by words) it is the two keys the admin pressed: Esc closes, then the
        // letter acts, each as an event of its own, so a dialog the letter opens is armed
        // afresh.
        // Two Escs typed quickly arrive as one Alt+Esc: they are two presses, everywhere.
        if key.code == KeyCode::Esc && key.modifiers.contains(KeyModifiers::ALT) {
            let esc = || Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            out.extend(self.update(esc()));
            out.extend(self.update(esc()));
            return;
        }
        if let KeyCode::Char(c) = key.code
            && key.modifiers.difference(KeyModifiers::SHIFT) == KeyModifiers::ALT
            && !self.takes_text()
        {
            out.extend(self.update(Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))));
            let letter = KeyEvent::new(KeyCode::Char(c), key.modifiers.difference(KeyModifiers::ALT));
            out.extend(self.update(Event::Key(letter)));
            return;
        }
        // Below the minimum size nothing is drawn but a message: a key must not act on a
        // dialog or table the admin cannot see. Only quitting works.
        if self.too_small() || matches!(self.screen, Screen::Connecting { .. }) {
            if keymap::table(&key) == Some(TableAction::Quit) {
                self.quit_now(out);
            }
            return;
        }
        match &self.screen {
            Screen::Connecting { .. } => {}
            Screen::Login(_) => self.login_key(key, out),
            Screen::Migrate(_) => self.migrate_key(key, out),
            Screen::Bootstrap(_) => self.bootstrap_key(key, out),
            Screen::Users => {
                // A message belongs to the action that made it: the next key starts afresh.
                self.status = None;
                if !self.armed() && self.acts_on_guarded(&key) {
                    let what = if self.dialog.is_some() {
                        "before the dialog had been on screen"
                    } else {
                        "right after a dialog closed, before the table had been on screen"
                    };
                    self.info(format!(
                        "key {} ignored: it came {what} for {} ms; press it again",
                        keymap::Key::describe(&key),
                        ARM_TIME.as_millis()
                    ));
                } else if self.dialog.is_some() {
                    // A sort choice pending when a dialog opened is over.
                    self.choosing_sort = false;
                    self.dialog_key(key, out);
                } else if self.command.is_some() {
                    self.command_key(key, out);
                } else if self.filter.editing {
                    self.filter_key(key);
                } else if self.choosing_sort {
                    self.sort_key(key);
                } else {
                    self.table_key(key, out);
                }
                self.users.scroll_into_view(self.page_size());
            }
        }
    }

    pub(super) fn quit_now(&mut self, out: &mut Vec<Effect>) {
        out.push(Effect::Quit);
    }

    /// A fresh id for a request or a file write.
    pub(super) fn next_id(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    /// Tags `job` with a fresh id, queues it, and returns the id.
    pub(super) fn request(&mut self, job: Job, out: &mut Vec<Effect>) -> RequestId {
        let id = self.next_id();
        out.push(Effect::Db(Request { id, job }));
        id
    }

    /// Sends a confirmed change after asking why: the one way a change leaves the console,
    /// and the same last step for every change (new user, password reset and unlock too),
    /// so the habit "confirm, Enter" always lands in this dialog and never on the table.
    /// The reason may be left empty unless the deployment requires one. The caller keeps
    /// `self.dialog` (the reason dialog has opened).
    pub(super) fn send_change(
        &mut self,
        change: Change,
        targets: Vec<Seen>,
        password: Option<Secret>,
        back: Option<Back>,
    ) {
        let d = &self.options.deployment;
        // A protected deployment wants its name typed before a destructive bulk change.
        let confirm_name = d.name.clone().filter(|_| {
            let many = targets.len() > 1 || matches!(change, Change::Revert(_));
            d.protected && change.is_destructive() && many
        });
        let what = Self::change_label(&change, &targets);
        self.ask_reason(Sends::Change { change, targets, password }, what, confirm_name, back);
    }

    /// Opens the reason dialog for what `sends`, titled `what`.
    pub(super) fn ask_reason(
        &mut self,
        sends: Sends,
        what: String,
        confirm_name: Option<String>,
        back: Option<Back>,
    ) {
        let required = self.options.deployment.require_reason;
        self.dialog = Some(Dialog::Reason(PendingChange {
            sends,
            what,
            reason: Input::default(),
            required,
            error: None,
            name_focus: confirm_name.is_some(),
            confirm_name,
            typed_name: Input::default(),
            back,
        }));
    }

    /// "deactivate: 3 users", "creating anna@x.se".
    fn change_label(change: &Change, targets: &[Seen]) -> String {
        match (change, targets) {
            (Change::Create { email, .. }, _) => format!("creating {email}"),
            (Change::Revert(id), _) => format!("reverting change {}", &id.simple().to_string()[..8]),
            (_, [one]) => format!("{}: {}", change.label(), one.email),
            (_, many) => format!("{}: {}", change.label(), crate::plural::count(many.len() as i64, "user")),
        }
    }

    /// Hands the change to the worker. Until its answer arrives no other change starts.
    pub(super) fn dispatch(
        &mut self,
        change: Change,
        targets: Vec<Seen>,
        password: Option<Secret>,
        reason: Option<Reason>,
        back: Option<Back>,
        out: &mut Vec<Effect>,
    ) {
        let label = Self::change_label(&change, &targets);
        let command = self.equivalent_command(&change, &targets, reason.as_ref());
        let id = self.request(Job::Apply { change, targets, password, reason }, out);
        self.in_flight = Some(InFlight { id, label, command, back });
    }

    /// The subcommand that makes `change`, quoted for a POSIX shell. Past a few hundred
    /// accounts a command line is no way to name them: it says so instead.
    fn equivalent_command(&self, change: &Change, targets: &[Seen], reason: Option<&Reason>) -> String {
        const MAX_ACCOUNTS: usize = 200;
        if targets.len() > MAX_ACCOUNTS {
            return format!(
                "# {n} accounts: too many to name on one command line; choose them by filter:\n\
                 #   skriptoteket-admin {args} --filter 'EXPR' --expect-count {n} --actor-email ...",
                n = targets.len(),
                args = change.cli_args(&[]).join(" ")
            );
        }
        let emails: Vec<String> = targets.iter().map(|t| t.email.clone()).collect();
        let reason = reason.map(|r| r.to_string());
        change.command_line(&emails, self.actor.as_ref().map(|a| a.email.as_str()), reason.as_deref())
    }

    /// Where `back` says to go, with what just happened (the status line) shown there;
    /// `None`: back to the table.
    pub(super) fn go_back(&mut self, back: Option<Back>, out: &mut Vec<Effect>) -> Option<Dialog> {
        match back? {
            Back::Details { user, session } => {
                let note = self.status.clone();
                Some(self.open_details(user, session, note, out))
            }
        }
    }

    /// Asks for the user list again (the newest request's answer wins).
    pub(super) fn reload(&mut self, out: &mut Vec<Effect>) {
        self.users_request = Some(self.request(Job::LoadUsers, out));
    }

    /// Shows a message and keeps it, in full, in the history (`m`).
    fn say(&mut self, kind: StatusKind, text: String) {
        let line = StatusLine { kind, text };
        if self.history.len() >= HISTORY_LEN {
            self.history.pop_front();
        }
        self.history.push_back(line.clone());
        self.status = Some(line);
    }

    pub(super) fn ok(&mut self, text: impl Into<String>) {
        self.say(StatusKind::Ok, text.into());
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.say(StatusKind::Error, text.into());
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.say(StatusKind::Info, text.into());
    }
}
