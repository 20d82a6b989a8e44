//! The messages of the console: `Event`s go into `App::update`, `Command`s come out.
//! Both are plain data, so the state machine is tested without a terminal or a database.

use crate::domain::{Action, Email, Role, Secret};
use crate::store::audit::AuditRow;
use crate::store::delete::DeletePlan;
use crate::store::dependents::Dependent;
use crate::store::sessions::SessionRow;
use crate::store::targets::Expected;
use crate::store::{Actor, UserRow};
use crossterm::event::KeyEvent;
use uuid::Uuid;

/// Everything that can happen to the console.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Resize(u16, u16),
    /// About ten a second; drives the spinner.
    Tick,
    Db(DbEvent),
}

/// What the database worker reports.
#[derive(Debug, Clone)]
pub enum DbEvent {
    /// Still trying to reach the server (startup or after a lost connection).
    Waiting {
        target: String,
        message: String,
        attempt: u32,
    },
    /// Connected at start: whether a superuser exists decides login or bootstrap.
    Connected {
        has_superuser: bool,
    },
    /// A query failed because the connection went away; the worker is reconnecting.
    ConnectionLost {
        message: String,
    },
    Reconnected,
    LoggedIn(Actor),
    LoginFailed(String),
    Users(Vec<UserRow>),
    /// A read failed (not a change): shown in the status line.
    Error(String),
    /// The outcome of a change.
    Done(Outcome),
    DeletePlan(Result<DeletePlan, String>),
    Details(Box<Result<Details, String>>),
    Audit(Result<Vec<AuditRow>, String>),
}

/// The result of one change: rows to refresh, and what to tell the admin.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub op: Action,
    /// Fresh copies of the affected rows (absent ids were deleted).
    pub refreshed: Vec<UserRow>,
    pub affected: Vec<Uuid>,
    pub result: Result<String, OpError>,
    /// A generated password to show once (password reset / new user).
    pub generated: Option<(String, Secret)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpError {
    /// Refused or failed; nothing changed.
    Failed(String),
    /// The row changed under us; the table should reload.
    Stale(String),
    /// The connection dropped mid-operation; `applied` says what the database shows now.
    Interrupted { applied: Option<bool>, message: String },
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpError::Failed(m) | OpError::Stale(m) => f.write_str(m),
            OpError::Interrupted { applied: Some(true), message } => {
                write!(f, "{message}: the connection dropped, but the change WAS applied")
            }
            OpError::Interrupted { applied: Some(false), message } => {
                write!(f, "{message}: the connection dropped; the change was NOT applied")
            }
            OpError::Interrupted { applied: None, message } => {
                write!(f, "{message}: the connection dropped; whether it applied is unknown, reload (Ctrl-r)")
            }
        }
    }
}

/// Everything the details view shows about one user.
#[derive(Debug, Clone)]
pub struct Details {
    pub user: UserRow,
    pub profile: Vec<(String, String)>,
    pub sessions: Vec<SessionRow>,
    pub dependents: Vec<Dependent>,
    pub audit: Vec<AuditRow>,
}

/// A change the console asks the worker to make to existing rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    SetRole(Role),
    SetActive(bool),
    Unlock,
    RevokeSessions,
}

impl Edit {
    pub fn op(&self) -> Action {
        match self {
            Edit::SetRole(_) => Action::SetRole,
            Edit::SetActive(true) => Action::Activate,
            Edit::SetActive(false) => Action::Deactivate,
            Edit::Unlock => Action::Unlock,
            Edit::RevokeSessions => Action::RevokeSessions,
        }
    }
}

/// What the console asks of the outside world.
#[derive(Debug, Clone)]
pub enum Command {
    Login {
        email: String,
        password: Secret,
    },
    Bootstrap {
        email: Email,
        password: Secret,
    },
    LoadUsers,
    Edit {
        targets: Vec<Expected>,
        edit: Edit,
    },
    /// `password: None` asks the worker to generate one (shown once in the outcome); the
    /// state machine itself never touches the OS random generator.
    CreateUser {
        email: Email,
        role: Role,
        password: Option<Secret>,
    },
    ResetPassword {
        target: Expected,
        password: Option<Secret>,
        revoke_sessions: bool,
    },
    PlanDelete(Vec<Expected>),
    Delete(Vec<Expected>),
    LoadDetails(Uuid),
    LoadAudit,
    /// Write the secret to the admin's clipboard (OSC 52); handled by the terminal loop.
    CopyToClipboard(Secret),
    Quit,
}
