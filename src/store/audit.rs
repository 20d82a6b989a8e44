//! `admin_audit_log`: one row per affected account per change, written in the change's
//! own transaction, so a rolled-back change leaves no entry.

use super::{Actor, Store, StoreError};
use crate::domain::Stamp;
use crate::domain::audit::{AuditRow, ChangeSummary, SIGN_IN_ACTIONS};
use crate::domain::audit_filter::AuditFilter;
use crate::operator::Operator;
use serde_json::Value;
use sqlx::{Postgres, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// One entry to write.
#[derive(Clone, Debug)]
pub struct Entry {
    pub target_id: Option<Uuid>,
    pub target_email: String,
    pub before: Value,
    pub after: Value,
}

/// Writes all entries of one change with a single statement, all stamped with the moment
/// of the write (`clock_timestamp()`, read once), not the start of the transaction, with
/// the change's id, reason and the change it reverts, and the person at the keyboard.
pub(crate) async fn write(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    stamp: &Stamp,
    action: &str,
    entries: &[Entry],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let ids: Vec<Option<Uuid>> = entries.iter().map(|e| e.target_id).collect();
    let emails: Vec<&str> = entries.iter().map(|e| e.target_email.as_str()).collect();
    let before: Vec<Value> = entries.iter().map(|e| e.before.clone()).collect();
    let after: Vec<Value> = entries.iter().map(|e| e.after.clone()).collect();
    let operator = serde_json::to_value(Operator::current()).unwrap_or(Value::Null);
    let done = sqlx::query(
        "INSERT INTO skriptoteket_admin.admin_audit_log (at, actor_id, actor_email, action, target_id, target_email, before, after,
                                      change_id, operator, reason, reverts)
         SELECT c.written, $1, $2, $3, t.id, t.email, t.before, t.after, $8, $9, $10, $11
         FROM (SELECT clock_timestamp() AS written) c,
              unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) AS t(id, email, before, after)",
    )
    .bind(actor.id)
    .bind(&actor.email)
    .bind(action)
    .bind(&ids)
    .bind(&emails)
    .bind(&before)
    .bind(&after)
    .bind(stamp.change_id)
    .bind(&operator)
    .bind(stamp.reason.as_ref().map(|r| r.as_str()))
    .bind(stamp.reverts)
    .execute(&mut **tx)
    .await?;
    // A trigger that swallows the insert must not let the change commit unrecorded.
    let written = done.rows_affected();
    if written != entries.len() as u64 {
        return Err(StoreError::Db(format!(
            "the audit log took {written} of {} rows; nothing was changed",
            entries.len()
        )));
    }
    Ok(())
}

/// Whether the change `change_id` committed: its audit rows commit with it, so after a
/// lost connection this answers for exactly that change (another session of the same
/// admin cannot be mistaken for it). A change that found nothing to do wrote no row and
/// changed nothing: `false` is right for it too.
pub async fn change_applied(store: &Store, change_id: Uuid) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM skriptoteket_admin.admin_audit_log WHERE change_id = $1)",
    )
    .bind(change_id)
    .fetch_one(&store.pool)
    .await?)
}

/// The changes whose id starts with the hex digits `prefix` (at most 32, lower case, no
/// hyphens), at most `limit` of them: a range of the change-id index, not a scan.
pub async fn changes_with_prefix(store: &Store, prefix: &str, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    let pad = |c: char| format!("{prefix}{}", c.to_string().repeat(32usize.saturating_sub(prefix.len())));
    let (Ok(low), Ok(high)) = (Uuid::parse_str(&pad('0')), Uuid::parse_str(&pad('f'))) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT DISTINCT change_id FROM {}.admin_audit_log WHERE change_id BETWEEN $1 AND $2 ORDER BY 1 LIMIT $3",
        super::migrate::SCHEMA
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(low)
        .bind(high)
        .bind(limit)
        .fetch_all(&store.pool)
        .await?)
}

/// [`change_applied`], asked once no COMMIT of this tool is still running on the server
/// (the lost connection's backend may be finishing its commit, say waiting for a
/// synchronous replica): until `deadline`, after which the answer is `Err` (unknown).
pub async fn settled(
    store: &Store,
    change_id: Uuid,
    deadline: tokio::time::Instant,
) -> Result<bool, StoreError> {
    loop {
        let committing: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'skriptoteket-admin'
               AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE 'commit%'",
        )
        .fetch_one(&store.pool)
        .await?;
        if committing == 0 {
            return change_applied(store, change_id).await;
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(StoreError::ConnectionLost(
                "a commit of this tool is still running on the server".into(),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

const AUDIT_COLUMNS: &str =
    "id, at, actor_id, actor_email::text, action::text, target_id, target_email::text,
     before, after, change_id, operator, reason, reverts";

/// The WHERE clause of [`AuditFilter`] over binds $1..$14 (see [`bind_filter`]): the
/// meaning of [`AuditFilter::shows`], in SQL.
const FILTER_SQL: &str =
    "($1::text IS NULL OR actor_email ILIKE $1 ESCAPE '\\' OR actor_id::text = lower($2))
   AND ($3::text IS NULL OR target_email ILIKE $3 ESCAPE '\\' OR target_id::text = lower($4))
   AND ($5::uuid IS NULL OR target_id = $5)
   AND (cardinality($6::text[]) = 0 OR action = ANY($6))
   AND ($6::text[] && $10::text[] OR NOT (action = ANY($10)) OR $11)
   AND ($7::timestamptz IS NULL OR at >= $7)
   AND ($8::timestamptz IS NULL OR at < $8)
   AND ($9::uuid IS NULL OR change_id = $9)
   AND ($12::text IS NULL OR starts_with(replace(change_id::text, '-', ''), $12))
   AND NOT EXISTS (
       SELECT 1 FROM unnest($13::text[], $14::text[]) AS w(pat, raw)
       WHERE NOT (actor_email ILIKE w.pat ESCAPE '\\' OR action ILIKE w.pat ESCAPE '\\'
                  OR coalesce(target_email, '') ILIKE w.pat ESCAPE '\\'
                  OR coalesce(reason, '') ILIKE w.pat ESCAPE '\\'
                  OR coalesce(operator::text, '') ILIKE w.pat ESCAPE '\\'
                  OR coalesce(before::text, '') ILIKE w.pat ESCAPE '\\'
                  OR coalesce(after::text, '') ILIKE w.pat ESCAPE '\\'
                  OR starts_with(replace(coalesce(change_id::text, ''), '-', ''), w.raw)))";

/// `%text%` for ILIKE, with the pattern characters escaped.
fn contains(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The binds of [`FILTER_SQL`], owned so the query can borrow them.
struct Binds {
    actor: Option<String>,
    target: Option<String>,
    change_prefix: Option<String>,
    patterns: Vec<String>,
}

impl Binds {
    fn of(f: &AuditFilter) -> Binds {
        Binds {
            actor: f.actor.as_deref().map(contains),
            target: f.target.as_deref().map(contains),
            change_prefix: f.change.clone().filter(|_| f.change_id().is_none()),
            patterns: f.words.iter().map(|w| contains(w)).collect(),
        }
    }
}

fn bind_filter<'q>(
    q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    f: &'q AuditFilter,
    b: &'q Binds,
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    q.bind(b.actor.as_deref())
        .bind(f.actor.as_deref().map(str::trim))
        .bind(b.target.as_deref())
        .bind(f.target.as_deref().map(str::trim))
        .bind(f.target_id)
        .bind(&f.actions)
        .bind(f.since)
        .bind(f.until)
        .bind(f.change_id())
        .bind(SIGN_IN_ACTIONS.as_slice())
        .bind(f.sign_ins)
        .bind(b.change_prefix.as_deref())
        .bind(&b.patterns)
        .bind(&f.words)
}

/// Newest first, at most `limit`.
pub async fn query(store: &Store, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
    store.require_audit()?;
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM skriptoteket_admin.admin_audit_log WHERE {FILTER_SQL} ORDER BY at DESC, id DESC LIMIT $15"
    );
    let binds = Binds::of(filter);
    let rows = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), filter, &binds)
        .bind(limit)
        .fetch_all(&store.pool)
        .await?;
    rows.iter().map(decode).collect()
}

/// The changes with an entry the filter keeps, newest first, at most `limit`: one row per
/// change (an entry written before changes had ids is a change of its own), however many
/// accounts it touched. Each carries its first entry, how many entries the filter kept and
/// how many the change has (counted on the change-id index).
pub async fn changes(
    store: &Store,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<ChangeSummary>, StoreError> {
    store.require_audit()?;
    let sql = format!(
        "WITH kept AS (
             SELECT id, at, change_id FROM skriptoteket_admin.admin_audit_log WHERE {FILTER_SQL}
         ), grouped AS (
             SELECT min(id) AS first_id, max(at) AS newest, count(*) AS matching, change_id AS grouped_change
             FROM kept GROUP BY change_id, CASE WHEN change_id IS NULL THEN id END
             ORDER BY newest DESC, first_id DESC LIMIT $15
         )
         SELECT {AUDIT_COLUMNS}, g.matching,
                CASE WHEN g.grouped_change IS NULL THEN 1::bigint
                     ELSE (SELECT count(*) FROM skriptoteket_admin.admin_audit_log x
                           WHERE x.change_id = g.grouped_change) END AS accounts
         FROM grouped g JOIN skriptoteket_admin.admin_audit_log a ON a.id = g.first_id
         ORDER BY g.newest DESC, g.first_id DESC"
    );
    let binds = Binds::of(filter);
    let rows = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), filter, &binds)
        .bind(limit)
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ChangeSummary {
                first: decode(r)?,
                matching: r.try_get("matching")?,
                accounts: r.try_get("accounts")?,
            })
        })
        .collect()
}

/// Entries written at or after `from` (oldest first): what `audit --follow` polls. An entry
/// is written moments before its change commits, so a poll that starts a little before the
/// previous one ended sees every entry that committed since; the caller skips those it has
/// printed already.
pub async fn written_from(
    store: &Store,
    filter: &AuditFilter,
    from: OffsetDateTime,
) -> Result<Vec<AuditRow>, StoreError> {
    store.require_audit()?;
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM skriptoteket_admin.admin_audit_log WHERE {FILTER_SQL} AND at >= $15 ORDER BY at, id"
    );
    let binds = Binds::of(filter);
    let rows = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), filter, &binds)
        .bind(from)
        .fetch_all(&store.pool)
        .await?;
    rows.iter().map(decode).collect()
}

/// The database's clock now (the one `at` is written with).
pub async fn now(store: &Store) -> Result<OffsetDateTime, StoreError> {
    Ok(sqlx::query_scalar("SELECT clock_timestamp()").fetch_one(&store.pool).await?)
}

/// Every entry of one change, in the order written.
pub async fn of_change(store: &Store, change_id: Uuid) -> Result<Vec<AuditRow>, StoreError> {
    let filter = AuditFilter {
        change: Some(change_id.simple().to_string()),
        sign_ins: true,
        ..AuditFilter::default()
    };
    let mut rows = query(store, &filter, i64::MAX).await?;
    rows.reverse();
    Ok(rows)
}

/// The first `limit` entries of one change, in the order written (the viewer opens a
/// change of 890,000 accounts without reading them all).
pub async fn first_of_change(
    store: &Store,
    change_id: Uuid,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    store.require_audit()?;
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM skriptoteket_admin.admin_audit_log WHERE change_id = $1 ORDER BY id LIMIT $2"
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(change_id).bind(limit).fetch_all(&store.pool).await?;
    rows.iter().map(decode).collect()
}

/// Newest first; `target` narrows to one account (sign-ins included).
pub async fn recent(store: &Store, limit: i64, target: Option<Uuid>) -> Result<Vec<AuditRow>, StoreError> {
    let filter = AuditFilter { target_id: target, sign_ins: true, ..AuditFilter::default() };
    query(store, &filter, limit).await
}

fn decode(r: &sqlx::postgres::PgRow) -> Result<AuditRow, StoreError> {
    Ok(AuditRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor_id: r.try_get("actor_id")?,
        actor_email: r.try_get("actor_email")?,
        action: r.try_get("action")?,
        target_id: r.try_get("target_id")?,
        target_email: r.try_get("target_email")?,
        before: r.try_get("before")?,
        after: r.try_get("after")?,
        change_id: r.try_get("change_id")?,
        operator: r.try_get("operator")?,
        reason: r.try_get("reason")?,
        reverts: r.try_get("reverts")?,
    })
}
