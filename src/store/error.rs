//! The store's typed errors; `Display` is the one line an admin reads.

use crate::config::DbTarget;
use crate::domain::{Denied, EmailError, PasswordError};
use crate::store::busy::{Holder, Locked};
use crate::store::delete::DeletePlan;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    /// The server answered but will not let us in as configured (no such database or role,
    /// a wrong password, no right to connect): retrying cannot help, the URL must change.
    #[error("cannot connect to {target}: {reason}")]
    Misconfigured { target: String, reason: String },
    #[error("connection to the database lost: {0}")]
    ConnectionLost(String),
    #[error("database error: {0}")]
    Db(String),
    #[error(
        "the audit log (skriptoteket_admin.admin_audit_log) is missing, older than this tool or in the old place: run `skriptoteket-admin migrate` first"
    )]
    NeedsMigrate,
    #[error(
        "the database has no users table: run the web app's own migrations first (alembic upgrade head), \
         then `skriptoteket-admin migrate`"
    )]
    NoUsersTable,
    #[error("No user with email {0}.")]
    NotFound(String),
    #[error("{typed} matches several accounts that differ only in case ({}): type the one you mean exactly.", emails.join(", "))]
    AmbiguousEmail { typed: String, emails: Vec<String> },
    #[error("User already exists for that email. ({0})")]
    AlreadyExists(String),
    #[error("Invalid admin credentials.")]
    InvalidCredentials,
    #[error(
        "The account {email} is locked after {max} failed logins until {until}; another admin can unlock it.",
        max = crate::store::login::MAX_FAILED_LOGINS
    )]
    AccountLocked { email: String, until: String },
    #[error(
        "The email of {0} is not verified: the web app refuses this login too. Another admin can mark it verified."
    )]
    EmailNotVerified(String),
    #[error("{reason} ({email})")]
    Denied { email: String, reason: Denied },
    #[error("{0} is the last active superuser: make another superuser first.")]
    LastSuperuser(String),
    #[error("{email} was changed by someone else ({what}); reload and try again.")]
    Stale { email: String, what: String },
    /// A session revoke found its session not active (any more), or not the account's.
    #[error("Session {} of {email} {state}; nothing was changed.", crate::domain::change::short_id(session))]
    SessionNotActive { session: uuid::Uuid, email: String, state: String },
    #[error("{0} signs in through an external provider and has no password to reset.")]
    Federated(String),
    #[error("a superuser already exists: bootstrap is only for a fresh database.")]
    SuperuserExists,
    #[error("{}", .0.blocked_message())]
    DeleteBlocked(DeletePlan),
    #[error("{0}")]
    Email(#[from] EmailError),
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("{0}")]
    Edit(#[from] crate::domain::edit::EditError),
    #[error("{0}")]
    Hash(#[from] crate::auth::hasher::HashError),
    #[error("{0}")]
    Migrate(String),
    #[error(
        "read-only mode (--readonly or SKRIPTOTEKET_ADMIN_READONLY): nothing can be changed; nothing was changed."
    )]
    ReadOnly,
    /// The change's output (a generated password) could not be written before the commit,
    /// so the change was rolled back: nothing that would be lost is committed.
    #[error("{0}; nothing was changed")]
    OutputFailed(String),
    #[error("No change with id {0} in the audit log.")]
    NoSuchChange(uuid::Uuid),
    #[error("A {action} change cannot be reverted: {why}.")]
    NotRevertable { action: String, why: &'static str },
    #[error("Change {change} was reverted already (by change {by}); revert that one to redo it.")]
    AlreadyReverted { change: uuid::Uuid, by: uuid::Uuid },
    #[error("Not reverted, nothing changed: changed since: {}.", .0.join("; "))]
    RevertStale(Vec<String>),
    /// A lock could not be had within the lock timeout (or a deadlock was broken): nothing
    /// was changed. Not a connection failure: the console shows it as a refusal.
    #[error("{}", crate::store::busy::message(what, holder.as_ref()))]
    Busy { what: Locked, holder: Option<Holder> },
    /// The server cancelled a statement that ran past `statement_timeout`.
    #[error("the database stopped a query that ran past its statement timeout; nothing was changed.")]
    StatementTimeout,
}

impl StoreError {
    pub fn connect(target: &DbTarget, e: &dyn std::fmt::Display) -> StoreError {
        StoreError::Connect { target: target.label(), reason: strip_url(&e.to_string()) }
    }

    /// Like [`StoreError::connect`], but with only the server's message for server errors
    /// (their `Display` appends the server's source line, which means nothing to an admin).
    pub fn connect_sqlx(target: &DbTarget, e: &sqlx::Error) -> StoreError {
        match e {
            // invalid_catalog_name (no such database), invalid_authorization_specification
            // (no such role, pg_hba rejects), invalid_password, insufficient_privilege (no
            // CONNECT right).
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("3D000" | "28000" | "28P01" | "42501")) =>
            {
                StoreError::Misconfigured { target: target.label(), reason: strip_url(db.message()) }
            }
            sqlx::Error::Database(db) => StoreError::connect(target, &db.message()),
            other => StoreError::connect(target, other),
        }
    }

    /// True when connecting again cannot help: the database, role or password is wrong,
    /// or the database has no `users` table (the web app's migrations have not run).
    pub fn is_permanent(&self) -> bool {
        matches!(self, StoreError::Misconfigured { .. } | StoreError::NoUsersTable)
    }

    /// True when the failure was the connection, so the operation may not have run and a
    /// retry after reconnecting makes sense.
    pub fn is_connection(&self) -> bool {
        matches!(self, StoreError::Connect { .. } | StoreError::ConnectionLost(_))
    }
}

/// Error texts from drivers can quote the URL: never let a password through.
fn strip_url(s: &str) -> String {
    s.split_whitespace().map(|w| if w.contains("://") { "<url>" } else { w }).collect::<Vec<_>>().join(" ")
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // A lock timeout, NOWAIT or deadlock: the statement (and its transaction) changed
        // nothing; `targets` adds who holds the lock where it can tell.
        if let Some(what) = super::busy::lock_failure(&e) {
            return StoreError::Busy { what, holder: None };
        }
        match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => StoreError::ConnectionLost(strip_url(&e.to_string())),
            sqlx::Error::Database(db)
                if db.code().as_deref() == Some("57014") && db.message().contains("statement timeout") =>
            {
                StoreError::StatementTimeout
            }
            sqlx::Error::Database(db) => {
                // 57P01 admin_shutdown (pg_terminate_backend, server restart), 08xxx connection.
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                if code == "25006" {
                    // read_only_sql_transaction: read-only mode, enforced by the server.
                    return StoreError::ReadOnly;
                }
                if code == "57P01" || code == "57P02" || code == "57P03" || code.starts_with("08") {
                    StoreError::ConnectionLost(db.message().to_string())
                } else {
                    StoreError::Db(db.message().to_string())
                }
            }
            _ => StoreError::Db(strip_url(&e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_removed_from_messages() {
        assert_eq!(strip_url("bad postgres://u:pw@h/db here"), "bad <url> here");
    }
}
