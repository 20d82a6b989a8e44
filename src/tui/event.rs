//! The messages of the console: `Event`s go into `App::update`, `Effect`s come out. The
//! database worker takes `Request`s and answers with `DbEvent`s carrying data, never
//! sentences: the console phrases them. All plain data, so the state machine is tested
//! without a terminal or a database.

use crate::domain::audit::{AuditRow, ChangeSummary};
use crate::domain::audit_filter::AuditFilter;
use crate::domain::import::NewAccount;
use crate::domain::profile::Profiles;
use crate::domain::references::{DeletePlan, Dependent};
use crate::domain::{Change, Done, Email, Reason, Secret, Stamp, UserRow};
use crate::export::{FileFormat, WriteError};
use crate::provision::{FilePlan, PlanError, StopFlag};
use crate::store::sessions::{LoginEvent, SessionRow};
use crate::store::targets::Seen;
use crate::store::{Actor, StoreError};
use crossterm::event::KeyEvent;
use std::sync::Arc;
use uuid::Uuid;

/// Everything that can happen to the console.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Text pasted into the terminal (bracketed paste): never read as keys.
    Paste(String),
    /// About ten a second; drives the spinner.
    Tick,
    /// The time now: the terminal loop sends it before every key or paste, so the state
    /// machine can tell how long a dialog has been on screen without a clock of its own.
    Clock(std::time::Instant),
    /// The wall clock, sent with `Clock`: what filter ages count back from.
    WallClock(time::OffsetDateTime),
    /// A frame was drawn at this time: what is open now has been seen from then on; and
    /// what the draw measured, which keys then clamp against (update never lays out).
    Drawn(std::time::Instant, Measured),
    Db(DbEvent),
    /// The file write `id` (`Effect::WriteFile`) is done.
    Written {
        id: RequestId,
        result: Result<Exported, WriteError>,
    },
}

/// What the last frame measured, so keys move by what the admin saw: the table's window,
/// and of the open viewer its page (the lines, or audit entries, one screen shows), the
/// largest useful scroll offset (so G/End land on the last page and k moves up from there
/// at once), and the offset that brought a newly selected session into view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Measured {
    pub table: Option<TableWindow>,
    pub page: Option<u16>,
    pub max_scroll: Option<u16>,
    pub revealed: Option<u16>,
}

impl Measured {
    /// A viewer `page` lines high that scrolls as far as `max`.
    pub fn scrolled(page: usize, max: usize) -> Measured {
        let to_u16 = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        Measured { page: Some(to_u16(page)), max_scroll: Some(to_u16(max)), ..Measured::default() }
    }
}

/// The rows of the user table one frame showed: how many fit, and the first, moved as
/// little as it could to keep the cursor in view (as ratatui's `TableState` does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableWindow {
    pub rows: u16,
    pub offset: usize,
}

/// A refusal or failure as the store reported it: the worker answers with the error, the
/// console phrases it. Shared, so events stay cheap to clone.
pub type Failure = std::sync::Arc<StoreError>;

/// Tags a request; its answer carries the same id, so an answer nobody waits for any more
/// (a dialog closed and opened again meanwhile) is recognised and dropped.
pub type RequestId = u64;

/// What the database worker reports.
#[derive(Debug, Clone)]
pub enum DbEvent {
    /// Still trying to reach the server (startup or after a lost connection).
    Waiting {
        target: String,
        error: Failure,
        attempt: u32,
    },
    /// The database cannot be used as configured (no such database, role or password, no
    /// `users` table): the worker has stopped, and the console ends saying why.
    Unusable {
        target: String,
        error: Failure,
    },
    /// Connected at start: whether a superuser exists decides login or bootstrap, and a
    /// bootstrap on a database without this tool's audit log (`audit_log: false`) starts
    /// with the migration.
    Connected {
        has_superuser: bool,
        audit_log: bool,
    },
    /// A query failed because the connection went away; the worker is reconnecting.
    ConnectionLost {
        error: Failure,
    },
    Reconnected,
    /// The answer to request `id`.
    Answer {
        id: RequestId,
        answer: Answer,
    },
}

/// How many changes the audit viewer lists at once (the newest).
pub const AUDIT_CHANGES: i64 = 500;

/// How many accounts of one change the viewer opens (the first, in the order written).
pub const CHANGE_ENTRIES: i64 = 5_000;

/// The data a request asked for, or the store's error.
#[derive(Debug, Clone)]
pub enum Answer {
    LoggedIn(Actor),
    LoginFailed(Failure),
    /// The migration ran (`Ok`), or why it did not.
    Migrated(Result<(), Failure>),
    /// The whole table at once (tests and benchmarks hand it over so).
    Users(Result<Vec<UserRow>, Failure>),
    /// The next chunk of the table as the worker streams it (`store::stream`).
    UserChunk(Result<crate::store::stream::Chunk, Failure>),
    Details(Box<Result<Details, Failure>>),
    /// The audit viewer's list: one row per change, newest first.
    AuditChanges(Result<Vec<ChangeSummary>, Failure>),
    /// Every entry of one change, in the order written.
    ChangeEntries(Result<Vec<AuditRow>, Failure>),
    /// The changes a `:revert` prefix names.
    ChangesFound(Result<Vec<ChangeSummary>, Failure>),
    DeletePlan(Result<DeletePlan, Failure>),
    /// An account's email and profile as they are now, for the edit form.
    Editable(Result<crate::domain::edit::Editable, Failure>),
    /// The profiles an export asked for.
    Profiles(Result<Arc<Profiles>, Failure>),
    Applied(Box<Outcome>),
    /// An import file read and checked against the accounts that exist.
    ImportPlan(Result<Arc<FilePlan>, Arc<PlanError>>),
    /// How far a running import is: passwords hashed (and written to its file), then
    /// accounts created. Sent while it runs, before its [`Answer::Imported`].
    ImportProgress {
        hashed: usize,
        created: usize,
    },
    Imported(Box<ImportOutcome>),
    /// What the live table's look found (`store::live`).
    Looked(Result<crate::store::live::Look, Failure>),
    /// The live table's ids compared with the database's.
    Reconciled(Result<crate::store::live::Reconciled, Failure>),
    /// The sign-ins view's report and chart.
    SignIns(Result<Box<crate::domain::sign_ins::Overview>, Failure>),
    /// The accounts one source failed on (the sign-ins view marks them).
    SourceAccounts(Result<Vec<Uuid>, Failure>),
}

/// How an import ended.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub stamp: Stamp,
    /// The accounts it was to create.
    pub accounts: usize,
    /// The new file with their passwords: removed, when this import created it, unless
    /// they are (or may be) the accounts'.
    pub passwords: std::path::PathBuf,
    pub result: Result<Imported, ImportFailure>,
}

/// An import that created its accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The connection dropped at the commit, and the change's audit rows show it happened.
    pub after_loss: bool,
}

/// Why an import created nothing, or may not have.
#[derive(Debug, Clone)]
pub enum ImportFailure {
    /// Stopped (Esc) before anything was created.
    Stopped,
    /// The passwords could not be made or written, or the store refused: nothing created.
    Failed(Arc<ImportError>),
    /// The connection dropped at the commit; `applied` says what the database shows now
    /// (`None`: unknown, and the passwords file is kept).
    Interrupted { applied: Option<bool> },
}

/// What stopped an import that created nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    HandOut(#[from] crate::provision::HandOutError),
    /// The store refused (not signed in, a rule, an email taken meanwhile, ...).
    #[error(transparent)]
    Refused(Failure),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> ImportError {
        ImportError::Refused(Arc::new(e))
    }
}

/// An export written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// Where, as resolved (absolute).
    pub path: String,
    pub rows: usize,
    pub format: FileFormat,
}

/// The result of one change: what it did, and the affected rows as they are now.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub change: Change,
    /// Its change id (in every audit row it wrote) and reason.
    pub stamp: Stamp,
    /// Fresh copies of the affected rows (absent ids were deleted).
    pub refreshed: Vec<UserRow>,
    pub affected: Vec<Uuid>,
    pub result: Result<Done, OpError>,
    /// A generated password to show once (password reset / new user), with its account.
    pub generated: Option<(String, Secret)>,
}

#[derive(Debug, Clone)]
pub enum OpError {
    /// Refused or failed; nothing changed.
    Failed(Failure),
    /// The row changed under us; the table should reload.
    Stale(Failure),
    /// The connection dropped mid-change; `applied` says what the database shows now
    /// (`None`: it could not be found out).
    Interrupted { applied: Option<bool> },
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpError::Failed(e) | OpError::Stale(e) => e.fmt(f),
            OpError::Interrupted { applied: Some(true) } => {
                f.write_str("the connection dropped, but the change WAS applied")
            }
            OpError::Interrupted { applied: Some(false) } => {
                f.write_str("the connection dropped; the change was NOT applied")
            }
            OpError::Interrupted { applied: None } => {
                f.write_str("the connection dropped; whether it applied is unknown, reload (Ctrl-r)")
            }
        }
    }
}

/// Everything the details view shows about one user.
#[derive(Debug, Clone)]
pub struct Details {
    pub user: UserRow,
    pub profile: Vec<(String, String)>,
    /// The newest 20 sessions, of any state.
    pub sessions: Vec<SessionRow>,
    /// The newest 20 sign-in attempts (the web app's `login_events`).
    pub logins: Vec<LoginEvent>,
    pub dependents: Vec<Dependent>,
    pub audit: Vec<AuditRow>,
}

/// What the console asks of the outside world: the terminal loop runs the clipboard, file
/// writes and quitting itself and hands database requests to the worker.
#[derive(Debug, Clone)]
pub enum Effect {
    Db(Request),
    /// Write a file (off the loop's thread); `Event::Written` answers.
    WriteFile(FileWrite),
    /// Write the secret to the admin's clipboard (OSC 52).
    Clipboard(Secret),
    /// Ctrl-z: give the terminal back to the shell and stop, until `fg`.
    Suspend,
    Quit,
    /// End the console, restore the terminal, print this line, exit 1.
    Fail(String),
}

/// An export: `rows` (the table's, as shown) with their `profiles` into the file `path`
/// names, readable by the admin only; an existing file only with `overwrite`.
#[derive(Debug, Clone)]
pub struct FileWrite {
    pub id: RequestId,
    pub path: String,
    pub format: FileFormat,
    pub rows: Arc<Vec<UserRow>>,
    pub profiles: Arc<Profiles>,
    pub overwrite: bool,
}

/// One job for the database worker, tagged with its id.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: RequestId,
    pub job: Job,
}

#[derive(Debug, Clone)]
pub enum Job {
    Login {
        email: String,
        password: Secret,
    },
    Bootstrap {
        email: Email,
        password: Secret,
    },
    /// Create or bring up to date this tool's own schema (what `migrate` does).
    Migrate,
    LoadUsers,
    /// The live table looks for changes made since the mark (`store::live::look`).
    Look(crate::store::live::Mark),
    /// Compare the live table's ids with the database's (its count differed, or rows
    /// were deleted).
    Reconcile(Arc<Vec<Uuid>>),
    /// The web app's sign-ins over the span up to now, across all accounts.
    LoadSignIns {
        span: crate::domain::sign_ins::Span,
        thresholds: crate::domain::sign_ins::Thresholds,
    },
    /// The accounts `ip_address` failed on since `since`.
    SourceAccounts {
        since: time::OffsetDateTime,
        ip_address: Option<String>,
    },
    LoadDetails(Uuid),
    /// The changes the audit viewer lists, at most [`AUDIT_CHANGES`].
    LoadAudit(AuditFilter),
    /// The entries (accounts) of one change, the first [`CHANGE_ENTRIES`].
    LoadChange(Uuid),
    /// The changes whose id starts with these hex digits, as the audit viewer lists them
    /// (two at most: one is the answer).
    FindChange(String),
    PlanDelete(Vec<Seen>),
    /// The values the edit form starts from.
    LoadEditable(Uuid),
    /// The profiles (names, locale) of these accounts, for an export.
    LoadProfiles(Arc<Vec<Uuid>>),
    /// Read and check an import file as the signed-in admin may import it; `passwords`
    /// must be able to be a new file.
    PlanImport {
        file: std::path::PathBuf,
        passwords: std::path::PathBuf,
    },
    /// Create these accounts (an import's, as its plan showed them), each with a generated
    /// password written to the new file `passwords` as it is hashed; `stop` stops it
    /// between two passwords. Answers with progress, then [`Answer::Imported`].
    Import {
        accounts: Arc<Vec<NewAccount>>,
        passwords: std::path::PathBuf,
        reason: Option<Reason>,
        stop: StopFlag,
    },
    /// Apply a change. For changes that set a password, `password: None` asks the worker
    /// to generate one (shown once in the outcome): the state machine never touches the
    /// OS random generator.
    Apply {
        change: Change,
        targets: Vec<Seen>,
        password: Option<Secret>,
        /// The admin's reason, for the audit rows.
        reason: Option<Reason>,
    },
}
