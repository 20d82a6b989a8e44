//! When a lock a change needs is held elsewhere: what was locked, who holds it, and the
//! one line that tells the admin. A change never waits longer than the lock timeout
//! (`super::LOCK_TIMEOUT`) and never waits for a row while holding the superuser lock
//! (`targets` locks the rows first); when the wait runs out, it changes nothing and says so.
//!
//! The holder is looked up after the failed statement has been rolled back to its
//! savepoint, so the transaction can still read (it commits nothing: the caller returns
//! the error and the transaction is rolled back).

use sqlx::PgConnection;
use std::fmt;

/// What could not be locked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locked {
    /// A user's row (the actor's own, or a target's).
    Account(String),
    /// The lock every change that can remove a superuser takes, so two admins cannot each
    /// remove one of the last two.
    SuperuserCheck,
    /// A lock the store does not look up (a table, a row the web app's login updates).
    Other,
    /// This transaction and another waited for each other; the server cancelled this one.
    Deadlock,
}

/// The session holding a lock, as `pg_stat_activity` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub pid: i32,
    /// Its `application_name` when set.
    pub application: Option<String>,
    /// When its transaction began, `HH:MM:SS` in UTC (hidden from roles that may not see
    /// other roles' activity).
    pub since_utc: Option<String>,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if let Some(a) = &self.application {
            write!(f, ", {}", crate::domain::sanitize::clean(a))?;
        }
        if let Some(t) = &self.since_utc {
            write!(f, ", since {t} UTC")?;
        }
        Ok(())
    }
}

/// The one line of a `StoreError::Busy`.
pub(crate) fn message(what: &Locked, holder: Option<&Holder>) -> String {
    let by = match holder {
        Some(h) => format!("another session ({h})"),
        None => "another session".to_string(),
    };
    let head = match what {
        Locked::Account(email) => format!("{email} is locked by {by}"),
        Locked::SuperuserCheck => {
            format!("another change that can remove a superuser is running in {by}")
        }
        Locked::Other => format!("a row or table this needs is locked by {by}"),
        Locked::Deadlock => format!("this change and {by} were waiting for each other"),
    };
    format!("{head}; nothing was changed; try again when it finishes.")
}

/// The server's errors that mean "a lock could not be had": `Some(Locked::Other)` for the
/// lock timeout or NOWAIT (55P03), `Some(Locked::Deadlock)` for a deadlock (40P01).
pub(crate) fn lock_failure(e: &sqlx::Error) -> Option<Locked> {
    let sqlx::Error::Database(db) = e else { return None };
    match db.code().as_deref() {
        Some("55P03") => Some(Locked::Other),
        Some("40P01") => Some(Locked::Deadlock),
        _ => None,
    }
}

/// The columns of a [`Holder`] from `pg_stat_activity a`.
const HOLDER_COLUMNS: &str = "a.pid, NULLIF(a.application_name, '')::text,
     to_char(a.xact_start AT TIME ZONE 'UTC', 'HH24:MI:SS')";

type HolderRow = (i32, Option<String>, Option<String>);

fn holder((pid, application, since_utc): HolderRow) -> Holder {
    Holder { pid, application, since_utc }
}

/// The first of the rows matched by `filter` (a condition on `users u` with the given
/// binds) that another transaction holds, and that transaction's session: a locked or
/// updated row's `xmax` is the holder's transaction id, on which the holder keeps an
/// exclusive lock until it ends. (A row several transactions share-lock carries a multixact
/// instead; its holder is not found, and the message names no session.)
pub(crate) async fn row_holder(
    conn: &mut PgConnection,
    filter: &str,
    typed: &[String],
    normalised: &[String],
    ids: &[uuid::Uuid],
    inexact: &[String],
) -> Result<Option<(String, Holder)>, sqlx::Error> {
    let sql = format!(
        "SELECT u.email::text, {HOLDER_COLUMNS}
         FROM users u
         JOIN pg_locks l ON l.locktype = 'transactionid' AND l.transactionid = u.xmax
                        AND l.mode = 'ExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()
         JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE {filter}
         ORDER BY u.id LIMIT 1"
    );
    let row: Option<(String, i32, Option<String>, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(typed)
        .bind(normalised)
        .bind(ids)
        .bind(inexact)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(email, pid, app, since)| (email, holder((pid, app, since)))))
}

/// The session holding the transaction-level advisory lock `key` in this database.
pub(crate) async fn advisory_holder(
    conn: &mut PgConnection,
    key: i64,
) -> Result<Option<Holder>, sqlx::Error> {
    let sql = format!(
        "SELECT {HOLDER_COLUMNS}
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = ($1 >> 32)::oid AND l.objid = ($1 & 4294967295)::oid AND l.objsubid = 1
         LIMIT 1"
    );
    let row: Option<HolderRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(conn).await?;
    Ok(row.map(holder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_account_and_the_holder() {
        let h = Holder {
            pid: 4711,
            application: Some("skriptoteket-admin".into()),
            since_utc: Some("12:01:05".into()),
        };
        assert_eq!(
            message(&Locked::Account("a@b.se".into()), Some(&h)),
            "a@b.se is locked by another session (pid 4711, skriptoteket-admin, since 12:01:05 UTC); \
             nothing was changed; try again when it finishes."
        );
        let bare = Holder { pid: 7, application: None, since_utc: None };
        assert_eq!(
            message(&Locked::SuperuserCheck, Some(&bare)),
            "another change that can remove a superuser is running in another session (pid 7); \
             nothing was changed; try again when it finishes."
        );
        assert!(
            message(&Locked::Other, None)
                .starts_with("a row or table this needs is locked by another session;")
        );
    }
}
