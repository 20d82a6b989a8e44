//! The console's state: what `update` changes and `view` draws. Plain data; no I/O.

pub mod audit_view;
pub mod command_line;
pub mod dialog;
pub mod export;
pub mod fields;
pub mod filter_line;
pub mod forms;
pub mod id_index;
pub mod import;
pub mod live;
pub mod login;
pub mod marks;
pub mod secret_input;
pub mod sign_ins;
pub mod table;

use super::event::RequestId;
use crate::store::Actor;
use dialog::{Dialog, Loading};
use forms::NewUserForm;
use login::{BootstrapForm, LoginForm, MigrateScreen};
use table::UserList;

/// The smallest terminal the console draws in; below it a message asks for more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;
/// How long a confirmation (or a generated password) must have been on screen before a
/// key acts on it: keys typed ahead, before the admin could read it, are dropped.
pub const ARM_TIME: std::time::Duration = std::time::Duration::from_millis(150);
/// How many status messages the history (`m`) keeps.
pub const HISTORY_LEN: usize = 50;

#[derive(Debug, Clone)]
pub enum Screen {
    /// Waiting for the database (startup, or it is down).
    Connecting {
        message: String,
    },
    Login(LoginForm),
    /// No superuser and no audit log: create the audit log first (Enter).
    Migrate(MigrateScreen),
    Bootstrap(BootstrapForm),
    Users,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Ok,
    Error,
}

/// The status line under the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusLine {
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
    /// How the database was found when it was not given as it is ("container
    /// shared-postgres on hule-network"); empty otherwise.
    pub target_via: String,
    /// Read-only mode, a required reason, the deployment's name and protection.
    pub deployment: crate::config::Deployment,
    /// No job-control shell started the console (`ssh -t host skriptoteket-admin`,
    /// `docker exec -it`): a stop could never be resumed, so Ctrl-z does not stop it.
    pub no_job_control: bool,
}

/// A change sent to the worker and not answered yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub id: RequestId,
    /// What it does, for the spinner ("deactivate: 3 users").
    pub label: String,
    /// The equivalent subcommand, for `c` once it is done.
    pub command: String,
    /// Where the console goes when the answer comes.
    pub back: Option<dialog::Back>,
}

/// The admin's last change in this session: what `z` undoes and `c` shows as a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastChange {
    pub id: uuid::Uuid,
    /// "deactivate: 3 users".
    pub label: String,
    pub undoable: bool,
    /// The equivalent subcommand, ready to paste.
    pub command: String,
}

#[derive(Debug)]
pub struct App {
    pub screen: Screen,
    pub options: Options,
    pub actor: Option<Actor>,
    pub users: UserList,
    /// True once the first user list has arrived.
    pub loaded: bool,
    /// The table's filter line (`/`).
    pub filter: filter_line::FilterLine,
    /// `s` was pressed: the next key chooses the column to sort by.
    pub choosing_sort: bool,
    /// The table's columns besides the email, in this order (`:columns`); empty: every
    /// column the width has room for.
    pub columns: Vec<table::SortKey>,
    /// The `:` command line, while it is typed.
    pub command: Option<command_line::CommandLine>,
    /// A `:revert` by the start of an id, waiting for the change it names.
    pub finding_change: Option<crate::tui::event::RequestId>,
    /// The audit filters kept this session, oldest first (each viewer starts with them).
    pub audit_history: Vec<String>,
    pub dialog: Option<Dialog>,
    pub status: Option<StatusLine>,
    /// The change in flight: no second change starts until its answer arrives.
    pub in_flight: Option<InFlight>,
    pub last_change: Option<LastChange>,
    /// The newest user-list request: older answers are dropped.
    pub users_request: Option<RequestId>,
    /// The table is read again after a change whose message must stay on the status line
    /// (an import's, with where the passwords are): "N users loaded" does not replace it.
    pub keep_status_on_load: bool,
    /// The connection is down; the worker is reconnecting.
    pub connection_lost: Option<String>,
    pub spinner: usize,
    /// The new-user form while its create runs: shown again, with the error, if it fails.
    pub pending_form: Option<NewUserForm>,
    pub width: u16,
    pub height: u16,
    /// `q` was pressed once while a change ran; a second `q` quits.
    pub quit_armed: bool,
    /// The id the next request gets.
    pub(crate) next_request: RequestId,
    /// The time of the newest key or paste (from `Event::Clock`).
    pub now: Option<std::time::Instant>,
    /// The wall clock as last told (`Event::WallClock`, sent with every key): what filter
    /// ages (`last_login:older:180d`, `since:7d`) count back from and exports are named by.
    /// The one wall clock of the console.
    pub wall: Option<time::OffsetDateTime>,
    /// When the guarded dialog open now was first drawn.
    pub arming: Arming,
    /// The newest status messages, oldest first, in full.
    pub history: std::collections::VecDeque<StatusLine>,
    /// What the last frame measured (reported by the draw with `Event::Drawn`).
    pub measured: super::event::Measured,
    /// The live table: looks for changes by others, what changed lately.
    pub live: live::Live,
    /// The sign-ins view an account's details were opened from: closing the details
    /// returns to it.
    pub behind: Option<Box<sign_ins::SignInsView>>,
}

/// What guards the open dialog against keys typed before it was seen: the kind of dialog
/// (and, for a delete, whether its plan is shown yet) and when it was first drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Arming {
    pub guarded: Option<Guarded>,
    pub drawn_at: Option<std::time::Instant>,
}

/// The dialogs whose keys act only once they have been seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarded {
    Confirm,
    /// A delete; `ready`: its plan (what the delete would touch) is on screen.
    Delete {
        ready: bool,
    },
    Reason,
    Password,
    /// An outcome shown until closed (an import's, with where its passwords are): no
    /// key typed ahead closes it unseen.
    Outcome,
    /// The table, right after a guarded dialog closed: the Enter (or `y`) the admin sent
    /// on the habit of `y` Enter must not open anything there before the table is seen.
    Closed,
}

impl App {
    pub fn new(options: Options, width: u16, height: u16) -> App {
        let mut users = UserList::default();
        users.saved = options.deployment.saved_filters.clone();
        // Ticks come ten a second.
        let every =
            options.deployment.refresh.map(|d| u32::try_from(d.as_millis() / 100).unwrap_or(u32::MAX).max(1));
        App {
            screen: Screen::Connecting { message: format!("connecting to {}", options.target) },
            options,
            actor: None,
            users,
            loaded: false,
            filter: Default::default(),
            choosing_sort: false,
            columns: Vec::new(),
            command: None,
            finding_change: None,
            audit_history: Vec::new(),
            dialog: None,
            status: None,
            in_flight: None,
            last_change: None,
            users_request: None,
            keep_status_on_load: false,
            connection_lost: None,
            spinner: 0,
            pending_form: None,
            width,
            height,
            quit_armed: false,
            next_request: 1,
            now: None,
            wall: None,
            arming: Arming::default(),
            history: std::collections::VecDeque::new(),
            measured: Default::default(),
            live: live::Live::new(every),
            behind: None,
        }
    }

    /// Which guard the open dialog needs, if any.
    pub fn guarded(&self) -> Option<Guarded> {
        // Every dialog is named: a new one does not compile until it says whether keys
        // typed ahead may act on it.
        let dialog = self.dialog.as_ref()?;
        match dialog {
            Dialog::Confirm { .. } => Some(Guarded::Confirm),
            // Overwriting a file is a confirmation too: no key typed ahead answers it.
            Dialog::Export(f) => f.exists.is_some().then_some(Guarded::Confirm),
            // Its plan is a confirmation: y starts the import (after the reason).
            Dialog::Import(d) => match d.step {
                import::ImportStep::Plan(_) => Some(Guarded::Confirm),
                import::ImportStep::Done(_) => Some(Guarded::Outcome),
                import::ImportStep::Names
                | import::ImportStep::Planning(_)
                | import::ImportStep::Running(_) => None,
            },
            Dialog::ConfirmDelete { plan, .. } => {
                Some(Guarded::Delete { ready: matches!(plan, Loading::Ready(_)) })
            }
            Dialog::Reason(_) => Some(Guarded::Reason),
            Dialog::ShowPassword { .. } => Some(Guarded::Password),
            // Forms take text, pickers and viewers move a selection or scroll: nothing they
            // do changes an account without a confirmation after them.
            Dialog::NewUser(_)
            | Dialog::PickRole { .. }
            | Dialog::ResetPassword(_)
            | Dialog::Edit(_)
            | Dialog::Details { .. }
            | Dialog::Audit(_)
            | Dialog::Help { .. }
            | Dialog::Messages { .. }
            | Dialog::SignIns(_)
            | Dialog::Command { .. } => None,
        }
    }

    /// Whether the open dialog has been on screen for [`ARM_TIME`] by the newest key.
    pub fn armed(&self) -> bool {
        match (self.arming.drawn_at, self.now) {
            (Some(drawn), Some(now)) => now.saturating_duration_since(drawn) >= ARM_TIME,
            _ => false,
        }
    }

    /// Rows of the table on screen, as the last frame laid it out (before the first
    /// frame: the terminal's height, which no page is taller than).
    pub fn page_size(&self) -> usize {
        usize::from(self.measured.table.map_or(self.height, |t| t.rows)).max(1)
    }

    /// Lines (the audit log: entries) the open viewer shows at once, as last drawn.
    pub fn viewer_page(&self) -> usize {
        usize::from(self.measured.page.unwrap_or(self.height)).max(1)
    }

    /// What filter ages count back from: the wall clock as last told (the epoch before
    /// the first key, when no filter has been typed yet).
    pub fn wall_now(&self) -> time::OffsetDateTime {
        self.wall.unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }

    /// Whether keys now go into a text field (where Alt+letter moves by words and is no
    /// Esc typed quickly before a letter).
    /// Makes the open dialog count as new: keys typed ahead do not act on it until it has
    /// been drawn (a dialog replaced by another of the same kind keeps no arming).
    pub(crate) fn rearm(&mut self) {
        self.arming = Arming { guarded: None, drawn_at: None };
    }

    pub fn takes_text(&self) -> bool {
        match &self.screen {
            Screen::Login(_) | Screen::Bootstrap(_) => return true,
            Screen::Connecting { .. } | Screen::Migrate(_) | Screen::Users => {}
        }
        if self.filter.editing || self.command.is_some() {
            return true;
        }
        let Some(dialog) = &self.dialog else { return false };
        // Every dialog is named: a new one says whether it takes text.
        match dialog {
            Dialog::NewUser(_) | Dialog::ResetPassword(_) | Dialog::Edit(_) | Dialog::Reason(_) => true,
            Dialog::Export(f) => f.exists.is_none(),
            Dialog::Import(d) => matches!(d.step, import::ImportStep::Names),
            Dialog::Audit(view) => view.filter.editing,
            Dialog::PickRole { .. }
            | Dialog::Confirm { .. }
            | Dialog::ShowPassword { .. }
            | Dialog::ConfirmDelete { .. }
            | Dialog::Details { .. }
            | Dialog::Help { .. }
            | Dialog::Messages { .. }
            | Dialog::SignIns(_)
            | Dialog::Command { .. } => false,
        }
    }

    pub fn too_small(&self) -> bool {
        self.width < MIN_WIDTH || self.height < MIN_HEIGHT
    }

    /// A change was sent and has not been answered yet.
    pub fn change_in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Whether a spinner is on screen (work in flight, a lost connection, or still
    /// connecting): ticks move it and redraw.
    pub fn animating(&self) -> bool {
        // Highlighted cells fade with the ticks too.
        self.busy().is_some()
            || !self.live.lit.is_empty()
            || self.connection_lost.is_some()
            || matches!(self.screen, Screen::Connecting { .. })
    }

    /// What the worker is doing for us (the spinner's text), worked out from the requests
    /// still unanswered; `None` when idle. Derived, so no answer can leave it stale.
    pub fn busy(&self) -> Option<String> {
        if let Some(f) = &self.in_flight {
            return Some(f.label.clone());
        }
        if self.users_request.is_some() {
            return Some(if self.loaded { "reloading" } else { "loading users" }.into());
        }
        // Every dialog is named, so a new one that waits for the worker cannot forget to say so.
        let text = match self.dialog.as_ref()? {
            Dialog::ConfirmDelete { plan, .. } => {
                matches!(plan, Loading::Pending).then_some("checking what the delete would touch")
            }
            Dialog::Details { data, .. } => matches!(data, Loading::Pending).then_some("loading details"),
            Dialog::Export(f) if f.reading() => Some("reading the names for the export"),
            Dialog::Export(f) => f.request.is_some().then_some("writing the export"),
            Dialog::Import(d) => {
                matches!(d.step, import::ImportStep::Planning(_)).then_some("reading the import file")
            }
            Dialog::Audit(view) => match &view.open {
                Some(open) => {
                    matches!(open.entries, Loading::Pending).then_some("loading the change's accounts")
                }
                None => matches!(view.changes, Loading::Pending).then_some("loading the audit log"),
            },
            Dialog::Edit(f) => matches!(f.current, Loading::Pending).then_some("loading the account"),
            Dialog::SignIns(v) if v.marking.is_some() => Some("finding the source's accounts"),
            Dialog::SignIns(v) => matches!(v.data, Loading::Pending).then_some("reading the sign-ins"),
            Dialog::NewUser(_)
            | Dialog::PickRole { .. }
            | Dialog::Confirm { .. }
            | Dialog::ResetPassword(_)
            | Dialog::ShowPassword { .. }
            | Dialog::Help { .. }
            | Dialog::Messages { .. }
            | Dialog::Reason(_)
            | Dialog::Command { .. } => None,
        };
        text.map(str::to_string)
    }
}
