//! The console's whole table, read in chunks so the first rows are on screen while the
//! rest are still coming: a cursor in one read-only snapshot, ordered by email, so every
//! chunk follows the one before it and together they are one consistent table.

use super::users::{decode_borrowed, user_columns};
use super::{Store, StoreError};
use crate::domain::roster::Roster;
use futures::TryStreamExt;
use rustc_hash::FxHashMap;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// Rows in the first chunk: a screenful and more, fetched before anything else.
pub const FIRST_CHUNK: usize = 2_000;
/// Rows in each later chunk.
pub const CHUNK: usize = 50_000;

/// One chunk of the table: its rows, how many the table has in all (known from the second
/// chunk on), and whether it is the first (a read started again after a lost connection
/// starts with a first chunk again) and the last.
#[derive(Clone, Debug)]
pub struct Chunk {
    pub rows: Roster,
    pub total: Option<u64>,
    pub first: bool,
    pub done: bool,
    /// Where the live table's first look starts: the statistics counters and the server's
    /// clock as the snapshot was taken (on the first chunk).
    pub live: Option<super::live::Mark>,
}

/// Reads every user, ordered by email, handing each chunk to `send` as soon as it is
/// decoded; stops early (with `Ok`) when `send` returns false (nobody wants the rest).
/// Each step (begin, set-up, every chunk, the count, the end) gives up after
/// [`super::ANSWER_TIMEOUT`] without an answer, as a lost connection.
pub async fn table(store: &Store, send: impl FnMut(Chunk) -> bool) -> Result<(), StoreError> {
    table_in(store, FIRST_CHUNK, CHUNK, send).await
}

/// [`table`] with the chunk sizes given (`first` rows, then `rest` at a time).
pub async fn table_in(
    store: &Store,
    first: usize,
    rest: usize,
    mut send: impl FnMut(Chunk) -> bool,
) -> Result<(), StoreError> {
    let (first_size, rest) = (first.max(1), rest.max(1));
    let schema = &store.schema;
    if !schema.users {
        return Err(StoreError::NoUsersTable);
    }
    // The session counts are read first and joined here: joined on the server, they turn
    // the plan into a hash join and a sort of the whole table before its first row.
    let cols = user_columns(schema, "0::bigint");
    let answer = super::ANSWER_TIMEOUT;
    let mut tx = super::within(answer, async { Ok(store.pool.begin().await?) }).await?;
    let setup = async {
        // One snapshot for every chunk and the count; read only, so it can never write.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
        // A cursor plans for its first rows (the email index: no sort of the whole table
        // before the first row). Compiling the plan (JIT) would only delay them.
        sqlx::query("SET LOCAL cursor_tuple_fraction = 0.01").execute(&mut *tx).await?;
        sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
        let at = super::live::mark_now(schema, &mut *tx).await?;
        let sessions: FxHashMap<Uuid, i64> = if schema.sessions {
            sqlx::query_as(
                "SELECT user_id, count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > now()
                 GROUP BY user_id",
            )
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect()
        } else {
            FxHashMap::default()
        };
        let declare =
            format!("DECLARE table_rows NO SCROLL CURSOR FOR SELECT {cols} FROM users u ORDER BY u.email");
        sqlx::query(sqlx::AssertSqlSafe(declare)).execute(&mut *tx).await?;
        Ok::<_, StoreError>((at, sessions))
    };
    let (at, sessions) = super::within(answer, setup).await?;
    let mut total = None;
    let mut want = first_size;
    let mut is_first = true;
    loop {
        let fetch = format!("FETCH FORWARD {want} FROM table_rows");
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(fetch)).fetch(&mut *tx);
        let mut chunk = Roster::with_capacity(want, want * 32);
        let mut got = 0;
        let work = async {
            while let Some(row) = rows.try_next().await? {
                got += 1;
                push(&mut chunk, &row, &sessions)?;
            }
            Ok::<_, StoreError>(())
        };
        super::within(answer, work).await?;
        drop(rows);
        let done = got < want;
        let total_now = if done && total.is_none() { Some(chunk.live_len() as u64) } else { total };
        let live = is_first.then_some(at);
        if !send(Chunk { rows: chunk, total: total_now, first: is_first, done, live }) || done {
            break;
        }
        if total.is_none() {
            // Counted in the same snapshot, once the first rows are on their way.
            let count = async {
                Ok(sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users").fetch_one(&mut *tx).await?)
            };
            total = Some(super::within(answer, count).await?.max(0) as u64);
        }
        is_first = false;
        want = rest;
    }
    // Read only: nothing to commit, so a rollback ends it as well.
    super::within(answer, async { Ok(tx.rollback().await?) }).await?;
    Ok(())
}

/// Decodes a row whose select list is [`user_columns`] straight into `chunk`, borrowing
/// the text from the wire row (no allocation per row); its session count from `sessions`.
fn push(chunk: &mut Roster, row: &PgRow, sessions: &FxHashMap<Uuid, i64>) -> Result<(), StoreError> {
    let mut new = decode_borrowed(row)?;
    new.active_sessions = sessions.get(&new.id).copied().unwrap_or(0);
    chunk.push(new).map_err(|e| StoreError::Db(e.to_string()))?;
    Ok(())
}
