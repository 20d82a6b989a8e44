//! The console's state and `App::update`, the only place it changes. Pure: no I/O, no
//! clock, no terminal. Key handling for the table and for dialogs lives in `actions` and
//! `dialogs`; this file holds the state and the database events.

use super::dialog::{BootstrapForm, Dialog, Loading, LoginForm};
use super::event::{Command, DbEvent, Event, OpError, Outcome};
use super::keymap::{self, Act, Context};
use super::user_list::UserList;
use crate::domain::Action;
use crate::store::Actor;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::Input;

/// The smallest terminal the console draws in; below it a message asks for more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;
/// Lines around the table: header, column titles, status, footer, borders.
pub const TABLE_CHROME: u16 = 6;

#[derive(Debug, Clone)]
pub enum Screen {
    /// Waiting for the database (startup, or it is down).
    Connecting {
        message: String,
    },
    Login(LoginForm),
    Bootstrap(BootstrapForm),
    Users,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Ok,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// Start-up options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Pre-filled email on the log-in screen (the demo's superuser).
    pub login_hint: Option<String>,
    /// Show the demo password on the log-in screen.
    pub demo_password_hint: bool,
    /// `host:port/db`, for the header.
    pub target: String,
}

#[derive(Debug)]
pub struct App {
    pub screen: Screen,
    pub options: Options,
    pub actor: Option<Actor>,
    pub users: UserList,
    /// True once the first user list has arrived.
    pub loaded: bool,
    pub filter_input: Input,
    pub filter_editing: bool,
    pub dialog: Option<Dialog>,
    pub status: Option<Status>,
    /// What the worker is doing for us (spinner text); `None` when idle.
    pub busy: Option<String>,
    /// A change is in flight: no second change starts until it answers.
    pub change_in_flight: bool,
    /// The connection is down; the worker is reconnecting.
    pub connection_lost: Option<String>,
    pub spinner: usize,
    /// The new-user form while its create runs: shown again, with the error, if it fails.
    pub pending_form: Option<super::dialog::NewUserForm>,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    /// `q` was pressed once while a change ran; a second `q` quits.
    pub quit_armed: bool,
}

impl App {
    pub fn new(options: Options, width: u16, height: u16) -> App {
        App {
            screen: Screen::Connecting { message: format!("connecting to {}", options.target) },
            options,
            actor: None,
            users: UserList::default(),
            loaded: false,
            filter_input: Input::default(),
            filter_editing: false,
            dialog: None,
            status: None,
            busy: None,
            change_in_flight: false,
            connection_lost: None,
            spinner: 0,
            pending_form: None,
            width,
            height,
            quit: false,
            quit_armed: false,
        }
    }

    /// Rows of the table that fit on screen now.
    pub fn page_size(&self) -> usize {
        usize::from(self.height.saturating_sub(TABLE_CHROME)).max(1)
    }

    pub fn too_small(&self) -> bool {
        self.width < MIN_WIDTH || self.height < MIN_HEIGHT
    }

    pub(super) fn ok(&mut self, text: impl Into<String>) {
        self.status = Some(Status { kind: StatusKind::Ok, text: text.into() });
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status { kind: StatusKind::Error, text: text.into() });
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status { kind: StatusKind::Info, text: text.into() });
    }

    /// Feeds one event through the state machine; returns what the outside should do.
    pub fn update(&mut self, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        match event {
            Event::Tick => {
                if self.busy.is_some() || self.connection_lost.is_some() {
                    self.spinner = self.spinner.wrapping_add(1);
                }
            }
            Event::Resize(w, h) => {
                self.width = w;
                self.height = h;
                self.users.scroll_into_view(self.page_size());
            }
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key, &mut out),
            Event::Key(_) => {}
            Event::Db(db) => self.on_db(db, &mut out),
        }
        out
    }

    fn on_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        // Ctrl-c quits from anywhere: an admin must never be trapped.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            out.push(Command::Quit);
            return;
        }
        // Below the minimum size nothing is drawn but a message: a key must not act on a
        // dialog or table the admin cannot see. Only quitting works.
        let hidden = self.too_small() || matches!(self.screen, Screen::Connecting { .. });
        if hidden {
            if keymap::lookup(Context::Table, &key) == Some(Act::Quit) {
                self.quit = true;
                out.push(Command::Quit);
            }
            return;
        }
        match &mut self.screen {
            Screen::Connecting { .. } => {}
            Screen::Login(_) => self.login_key(key, out),
            Screen::Bootstrap(_) => self.bootstrap_key(key, out),
            Screen::Users => {
                if self.dialog.is_some() {
                    self.dialog_key(key, out);
                } else if self.filter_editing {
                    self.filter_key(key);
                } else {
                    self.table_key(key, out);
                }
                self.users.scroll_into_view(self.page_size());
            }
        }
    }

    fn on_db(&mut self, db: DbEvent, out: &mut Vec<Command>) {
        match db {
            DbEvent::Waiting { target, message, attempt } => {
                if let Screen::Connecting { message: shown } = &mut self.screen {
                    *shown = format!(
                        "waiting for the database at {target}: {message} (attempt {attempt}, retrying)"
                    );
                } else {
                    self.connection_lost =
                        Some(format!("connection lost, retrying (attempt {attempt}): {message}"));
                }
            }
            DbEvent::Connected { has_superuser } => {
                if matches!(self.screen, Screen::Connecting { .. }) {
                    self.screen = if has_superuser {
                        let mut form = LoginForm::default();
                        if let Some(hint) = &self.options.login_hint {
                            form.email = Input::new(hint.clone());
                            form.focus = 1;
                        }
                        Screen::Login(form)
                    } else {
                        Screen::Bootstrap(BootstrapForm::default())
                    };
                }
            }
            DbEvent::ConnectionLost { message } => {
                self.connection_lost = Some(format!("connection lost, retrying: {message}"));
            }
            DbEvent::Reconnected => {
                self.connection_lost = None;
                self.info("reconnected to the database");
            }
            DbEvent::LoggedIn(actor) => {
                self.ok(format!("signed in as {} ({})", actor.email, actor.role));
                self.actor = Some(actor);
                self.screen = Screen::Users;
                self.busy = Some("loading users".into());
                out.push(Command::LoadUsers);
            }
            DbEvent::LoginFailed(msg) => match &mut self.screen {
                Screen::Login(f) => {
                    f.busy = false;
                    f.error = Some(msg);
                    f.password.clear();
                }
                Screen::Bootstrap(f) => {
                    f.busy = false;
                    f.error = Some(msg);
                }
                _ => self.error(msg),
            },
            DbEvent::Users(rows) => {
                self.busy = None;
                self.loaded = true;
                let n = rows.len();
                // The header shows the actor's role as the database has it now.
                if let Some(actor) = &mut self.actor
                    && let Some(me) = rows.iter().find(|r| r.id == actor.id)
                {
                    actor.role = me.role;
                }
                self.users.set_rows(rows);
                if self.status.as_ref().is_none_or(|s| s.kind != StatusKind::Error) {
                    self.info(format!("{n} users loaded"));
                }
            }
            DbEvent::Error(msg) => {
                self.busy = None;
                self.error(msg);
            }
            DbEvent::Done(outcome) => self.on_outcome(outcome, out),
            DbEvent::DeletePlan(plan) => {
                if let Some(Dialog::ConfirmDelete { plan: p, targets, .. }) = &mut self.dialog {
                    // A plan for another selection (a dialog closed and reopened meanwhile)
                    // must not be shown over this one.
                    if let Ok(plan) = &plan {
                        let mut want: Vec<&str> = targets.iter().map(|t| t.email.as_str()).collect();
                        let mut got: Vec<&str> = plan.emails.iter().map(String::as_str).collect();
                        want.sort_unstable();
                        got.sort_unstable();
                        if want != got {
                            return;
                        }
                    }
                    *p = match plan {
                        Ok(plan) => Loading::Ready(plan),
                        Err(e) => Loading::Failed(e),
                    };
                }
                self.busy = None;
            }
            DbEvent::Details(res) => {
                if let Some(Dialog::Details { id, data, .. }) = &mut self.dialog {
                    *data = match *res {
                        Ok(d) if d.user.id == *id => Loading::Ready(Box::new(d)),
                        Ok(_) => return,
                        Err(e) => Loading::Failed(e),
                    };
                }
                self.busy = None;
            }
            DbEvent::Audit(res) => {
                if let Some(Dialog::Audit(view)) = &mut self.dialog {
                    view.rows = match res {
                        Ok(rows) => Loading::Ready(rows),
                        Err(e) => Loading::Failed(e),
                    };
                }
                self.busy = None;
            }
        }
    }

    fn on_outcome(&mut self, o: Outcome, out: &mut Vec<Command>) {
        self.busy = None;
        self.change_in_flight = false;
        self.quit_armed = false;
        self.users.merge(&o.affected, o.refreshed);
        let form = self.pending_form.take();
        match o.result {
            Ok(msg) => {
                self.ok(msg);
                self.users.marks.clear();
                if o.op == Action::Create
                    && let Some(id) = o.affected.first()
                {
                    self.users.select(*id);
                }
                if let Some((email, secret)) = o.generated {
                    self.dialog = Some(Dialog::ShowPassword { email, secret, copied: false });
                }
            }
            Err(OpError::Stale(msg)) => {
                self.error(msg);
                self.busy = Some("reloading".into());
                out.push(Command::LoadUsers);
            }
            Err(e @ OpError::Interrupted { .. }) => {
                self.error(format!("{}: {e}", o.op.label()));
                if let Some((email, secret)) = o.generated {
                    // It may have applied: the only copy of the password must not be lost.
                    self.dialog = Some(Dialog::ShowPassword { email, secret, copied: false });
                } else if let (Some(mut f), OpError::Interrupted { applied: Some(false), .. }) = (form, &e) {
                    f.error = Some(e.to_string());
                    self.dialog = Some(Dialog::NewUser(f));
                }
                self.busy = Some("reloading".into());
                out.push(Command::LoadUsers);
            }
            Err(OpError::Failed(msg)) => match form {
                // A refused create keeps what was typed, with the reason in the form.
                Some(mut f) if o.op == Action::Create => {
                    f.error = Some(msg);
                    f.focus = 0;
                    self.dialog = Some(Dialog::NewUser(f));
                }
                _ => self.error(msg),
            },
        }
    }
}
