//! The live table: what changed in `users` (and in its accounts' sessions) since the
//! console last looked, without reading a million rows when nothing did.
//!
//! A look is one query when nothing changed: the server's statistics counters of `users`
//! and `sessions` (inserted + updated + deleted rows, microseconds to read), and whether a
//! session expired since the last scan (the `expires_at` index). Only the tables whose
//! counters moved are read (both every [`SCAN_EVERY`] looks, in case the counters lag: a
//! busy backend reports them about once a second, an idle one within ten seconds, and
//! `track_counts = off` never): `users` once for the rows stamped (`updated_at`) since the
//! last scan less [`OVERLAP`] or whose lock lapsed, counting every row on the way;
//! `sessions` once for the accounts whose sessions began, were revoked or expired; then
//! those rows by primary key, all in one snapshot. Neither table has an index that would
//! help (the tool adds none), so a scan of `users` reads the table: every web sign-in
//! moves its counters. A delete leaves no row to find: it shows as the delete counter of
//! `users` moving, or the count differing from the console's, and then the console's ids
//! are compared with the database's ([`reconcile`]).
//!
//! Chosen over `xmin` (which needs no `updated_at` but cannot be compared across
//! wraparound or savepoints without care) because every writer of `users` (the web app and
//! this tool) sets `updated_at`; the overlap covers a transaction that stamped its rows
//! before our last scan and committed after it, and a writer's clock up to a minute behind
//! the database's.

use super::users::{SESSIONS_SUBQUERY, decode, user_columns};
use super::{Store, StoreError, UserRow};
use time::OffsetDateTime;
use uuid::Uuid;

/// How far before the last scan each scan reads again: a change is stamped when its
/// transaction starts and seen when it commits. A transaction of the web app takes
/// milliseconds; this tool's largest bulk change about 15 s.
pub const OVERLAP: time::Duration = time::Duration::seconds(60);

/// The rows are scanned at least every this many looks, whatever the counters say.
pub const SCAN_EVERY: u32 = 12;

/// The statistics counters a look compares: rows inserted, updated or deleted in `users`,
/// the same in `sessions`, and rows deleted from `users` (a delete leaves no row to find).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counters {
    pub users: i64,
    pub sessions: i64,
    pub deletes: i64,
}

/// Where the last look left off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The server's clock at the last scan (or at the table's load).
    pub at: OffsetDateTime,
    /// The counters at the last look; `None`: not known (the next look scans).
    pub counters: Option<Counters>,
    /// Looks since the last scan.
    pub looks: u32,
}

/// What one look found.
#[derive(Clone, Debug)]
pub struct Look {
    /// Where the next look starts.
    pub mark: Mark,
    /// The scan, if the look needed one.
    pub scan: Option<Scan>,
    /// Rows were deleted from `users` since the last look (its counter moved): the console
    /// compares its ids with the database's ([`reconcile`]).
    pub deleted: bool,
}

/// The rows a scan found (some may be as the console already has them) and, when it read
/// `users` whole, the table's row count in the same snapshot.
#[derive(Clone, Debug)]
pub struct Scan {
    pub rows: Vec<UserRow>,
    pub total: Option<u64>,
}

/// Looks for changes since `mark`; see the module documentation.
pub async fn look(store: &Store, mark: &Mark) -> Result<Look, StoreError> {
    super::within(super::ANSWER_TIMEOUT, look_now(store, mark)).await
}

async fn look_now(store: &Store, mark: &Mark) -> Result<Look, StoreError> {
    let schema = &store.schema;
    if !schema.users {
        return Err(StoreError::NoUsersTable);
    }
    let expired = if schema.sessions {
        "EXISTS (SELECT 1 FROM sessions WHERE expires_at > $1 AND expires_at <= now())"
    } else {
        "false"
    };
    let gate = format!("SELECT {}, {expired}", counters_sql(schema));
    let (users, sessions, deletes, expired): (i64, i64, i64, bool) =
        sqlx::query_as(sqlx::AssertSqlSafe(gate)).bind(mark.at).fetch_one(&store.pool).await?;
    let counters = Counters { users, sessions, deletes };
    let deleted = mark.counters.is_some_and(|c| c.deletes != deletes);
    let due = mark.looks + 1 >= SCAN_EVERY;
    let read = Read {
        users: due || mark.counters.is_none_or(|c| c.users != users),
        sessions: due || expired || mark.counters.is_none_or(|c| c.sessions != sessions),
    };
    if !read.users && !read.sessions {
        let mark = Mark { looks: mark.looks + 1, ..*mark };
        return Ok(Look { mark, scan: None, deleted });
    }
    let (at, scan) = scan(store, mark.at - OVERLAP, read).await?;
    // A scan of the sessions only leaves the rows' clock where it was.
    let at = if read.users { at } else { mark.at };
    Ok(Look { mark: Mark { at, counters: Some(counters), looks: 0 }, scan: Some(scan), deleted })
}

/// The select list of [`Counters`]: users, sessions, deletes.
fn counters_sql(schema: &super::Schema) -> String {
    let stat =
        |what: &str, table: &str| format!("COALESCE(pg_stat_get_tuples_{what}(to_regclass('{table}')), 0)");
    let changed = |table: &str| {
        format!(
            "({} + {} + {})::int8",
            stat("inserted", table),
            stat("updated", table),
            stat("deleted", table)
        )
    };
    let sessions = if schema.sessions { changed("sessions") } else { "0::int8".into() };
    format!("{}, {sessions}, {}::int8", changed("users"), stat("deleted", "users"))
}

/// The counters now and the server's clock: where a table read right after starts its looks.
pub async fn mark_now<'e, E: sqlx::PgExecutor<'e>>(
    schema: &super::Schema,
    db: E,
) -> Result<Mark, StoreError> {
    let sql = format!("SELECT {}, now()", counters_sql(schema));
    let (users, sessions, deletes, at): (i64, i64, i64, OffsetDateTime) =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(db).await?;
    Ok(Mark { at, counters: Some(Counters { users, sessions, deletes }), looks: 0 })
}

/// Which tables a scan reads: those whose counters moved.
#[derive(Clone, Copy, Debug)]
struct Read {
    users: bool,
    sessions: bool,
}

/// The rows changed since `since`, in one read-only snapshot: `users` read once (a
/// parallel scan that counts every row and collects the ids stamped since, or whose lock
/// lapsed since), `sessions` read once (the accounts whose sessions began, were revoked or
/// expired since), then those accounts' rows by primary key. Returns the server's clock.
async fn scan(
    store: &Store,
    since: OffsetDateTime,
    read: Read,
) -> Result<(OffsetDateTime, Scan), StoreError> {
    let schema = &store.schema;
    let mut tx = store.pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
    let mut ids: Vec<Uuid> = Vec::new();
    let (at, total) = if read.users {
        let lapsed = if schema.lockout { " OR (locked_until >= $1 AND locked_until <= now())" } else { "" };
        let sql = format!(
            "SELECT now(), count(*), coalesce(array_agg(id) FILTER (WHERE updated_at >= $1{lapsed}), '{{}}')
             FROM users"
        );
        let (at, total, found): (OffsetDateTime, i64, Vec<Uuid>) =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(since).fetch_one(&mut *tx).await?;
        ids.extend(found);
        (at, Some(total.max(0) as u64))
    } else {
        (sqlx::query_scalar("SELECT now()").fetch_one(&mut *tx).await?, None)
    };
    if read.sessions && schema.sessions {
        let found: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT user_id FROM sessions
             WHERE created_at >= $1 OR revoked_at >= $1 OR (expires_at >= $1 AND expires_at <= now())",
        )
        .bind(since)
        .fetch_all(&mut *tx)
        .await?;
        ids.extend(found);
    }
    ids.sort_unstable();
    ids.dedup();
    let rows = if ids.is_empty() {
        Vec::new()
    } else {
        let sql =
            format!("SELECT {} FROM users u WHERE u.id = ANY($1)", user_columns(schema, SESSIONS_SUBQUERY));
        let found = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&ids).fetch_all(&mut *tx).await?;
        found.iter().map(decode).collect::<Result<Vec<_>, _>>()?
    };
    tx.rollback().await?;
    Ok((at, Scan { rows, total }))
}

/// What the table holds that the database no longer has, and the reverse.
#[derive(Clone, Debug, Default)]
pub struct Reconciled {
    /// Ids of `mine` the database does not have (deleted).
    pub gone: Vec<Uuid>,
    /// Accounts the database has that `mine` lacks, as they are now.
    pub missing: Vec<UserRow>,
}

/// Compares `mine` (the console's ids, in any order) with every id in `users`: one read
/// of the primary key, compared here (off the console's thread).
pub async fn reconcile(store: &Store, mine: &[Uuid]) -> Result<Reconciled, StoreError> {
    super::within(super::ANSWER_TIMEOUT, async {
        let theirs: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM users ORDER BY id").fetch_all(&store.pool).await?;
        let mut mine = mine.to_vec();
        mine.sort_unstable();
        let (gone, missing) = differ(&mine, &theirs);
        let missing =
            if missing.is_empty() { Vec::new() } else { super::users::by_ids(store, &missing).await? };
        Ok(Reconciled { gone, missing })
    })
    .await
}

/// The ids of sorted `mine` not in sorted `theirs`, and those of `theirs` not in `mine`.
fn differ(mine: &[Uuid], theirs: &[Uuid]) -> (Vec<Uuid>, Vec<Uuid>) {
    let (mut gone, mut missing) = (Vec::new(), Vec::new());
    let (mut a, mut b) = (mine.iter().peekable(), theirs.iter().peekable());
    loop {
        match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x == y => {
                a.next();
                b.next();
            }
            (Some(x), Some(y)) if x < y => gone.extend(a.next().copied()),
            (Some(_), Some(_)) | (None, Some(_)) => missing.extend(b.next().copied()),
            (Some(_), None) => gone.extend(a.next().copied()),
            (None, None) => break,
        }
    }
    (gone, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differ_finds_what_each_side_lacks() {
        let id = |n: u128| Uuid::from_u128(n);
        let (gone, missing) = differ(&[id(1), id(2), id(4), id(9)], &[id(2), id(3), id(4), id(5)]);
        assert_eq!(gone, [id(1), id(9)]);
        assert_eq!(missing, [id(3), id(5)]);
        assert_eq!(differ(&[], &[id(1)]), (vec![], vec![id(1)]));
        assert_eq!(differ(&[id(1)], &[]), (vec![id(1)], vec![]));
    }
}
