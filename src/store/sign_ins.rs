//! The sums `sign-ins` reads from the web app's `login_events` over a window: one query
//! each, grouped in the server (the table may hold millions of rows; the window's start
//! uses its `created_at` index). Nothing here writes, and no index is added to the web
//! app's table. Where the table is missing everything is empty.

use super::{Store, StoreError};
use crate::domain::sign_ins::{self, AccountAttempts, Asked, Locked, Report, Source, Totals};
use time::OffsetDateTime;
use uuid::Uuid;

/// Which attempts count.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// From this moment on.
    pub since: OffsetDateTime,
    /// Leave out this tool's own sign-ins (its user agent is `skriptoteket-admin/...`).
    pub web_only: bool,
}

/// The attempts this tool makes carry this user agent prefix (`store::login::Origin`).
const TOOL_AGENT: &str = "skriptoteket-admin/%";

/// Groups that pass: at least `failed` failures and `spread` distinct accounts (for a
/// source) or addresses (for an account), the first `limit` of them (`None`: all).
#[derive(Clone, Copy, Debug, Default)]
pub struct AtLeast {
    pub failed: i64,
    pub spread: i64,
    pub limit: Option<i64>,
}

/// One look at the window: the totals, what passes the thresholds (over every group, not
/// only the tables' first rows), and the tables asked for.
pub async fn report(store: &Store, w: Window, asked: Asked) -> Result<Report, StoreError> {
    let t = asked.thresholds;
    let spraying = AtLeast { failed: 1, spread: t.spray_accounts, limit: None };
    let brute = AtLeast { failed: 1, spread: t.brute_force_addresses, limit: None };
    let findings =
        sign_ins::findings(&sources(store, w, spraying).await?, &accounts(store, w, brute).await?, t);
    let rows = AtLeast { failed: i64::from(asked.failed_only), spread: 0, limit: Some(asked.limit) };
    Ok(Report {
        since: w.since,
        thresholds: t,
        totals: totals(store, w).await?,
        findings,
        sources: if asked.by_address { Some(sources(store, w, rows).await?) } else { None },
        accounts: if asked.by_account { Some(accounts(store, w, rows).await?) } else { None },
        locked: if asked.locked { Some(locked(store).await?) } else { None },
    })
}

pub async fn totals(store: &Store, w: Window) -> Result<Totals, StoreError> {
    if !store.schema.login_events {
        return Ok(Totals::default());
    }
    let (succeeded, failed, by_this_tool): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status::text = 'success'),
                count(*) FILTER (WHERE status::text = 'failure'),
                count(*) FILTER (WHERE user_agent::text LIKE $3)
         FROM login_events
         WHERE created_at >= $1 AND NOT ($2 AND coalesce(user_agent::text LIKE $3, false))",
    )
    .bind(w.since)
    .bind(w.web_only)
    .bind(TOOL_AGENT)
    .fetch_one(&store.pool)
    .await?;
    Ok(Totals { succeeded, failed, by_this_tool })
}

type SourceRow = (Option<String>, i64, i64, i64, i64, OffsetDateTime);

/// The attempts by source address, the most failures first.
pub async fn sources(store: &Store, w: Window, at_least: AtLeast) -> Result<Vec<Source>, StoreError> {
    if !store.schema.login_events {
        return Ok(Vec::new());
    }
    let rows: Vec<SourceRow> = grouped(
        sqlx::query_as(
            "SELECT ip_address::text,
                count(*) FILTER (WHERE status::text = 'failure') AS failed,
                count(*) FILTER (WHERE status::text = 'success') AS succeeded,
                count(DISTINCT user_id) FILTER (WHERE status::text = 'failure') AS accounts,
                count(*) FILTER (WHERE status::text = 'failure' AND user_id IS NULL),
                max(created_at)
         FROM login_events
         WHERE created_at >= $1 AND NOT ($2 AND coalesce(user_agent::text LIKE $3, false))
         GROUP BY ip_address
         HAVING count(*) FILTER (WHERE status::text = 'failure') >= $4
            AND count(DISTINCT user_id) FILTER (WHERE status::text = 'failure') >= $5
         ORDER BY failed DESC, succeeded DESC, ip_address NULLS LAST
         LIMIT $6",
        ),
        w,
        at_least,
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(ip_address, failed, succeeded, accounts, unknown_accounts, last)| Source {
            ip_address,
            failed,
            succeeded,
            accounts,
            unknown_accounts,
            last,
        })
        .collect())
}

type AccountRow = (Uuid, Option<String>, i64, i64, i64, Option<OffsetDateTime>, OffsetDateTime);

/// The attempts by account (those on an email with no account are the sources'), the
/// most failures first, with the lock it holds now.
pub async fn accounts(
    store: &Store,
    w: Window,
    at_least: AtLeast,
) -> Result<Vec<AccountAttempts>, StoreError> {
    if !store.schema.login_events {
        return Ok(Vec::new());
    }
    let locked = if store.schema.lockout {
        "CASE WHEN u.locked_until > now() THEN u.locked_until END"
    } else {
        "NULL::timestamptz"
    };
    let group_locked = if store.schema.lockout { ", u.locked_until" } else { "" };
    let sql = format!(
        "SELECT e.user_id, u.email::text,
                count(*) FILTER (WHERE e.status::text = 'failure') AS failed,
                count(*) FILTER (WHERE e.status::text = 'success') AS succeeded,
                count(DISTINCT e.ip_address) FILTER (WHERE e.status::text = 'failure'),
                {locked},
                max(e.created_at)
         FROM login_events e LEFT JOIN users u ON u.id = e.user_id
         WHERE e.created_at >= $1 AND e.user_id IS NOT NULL
           AND NOT ($2 AND coalesce(e.user_agent::text LIKE $3, false))
         GROUP BY e.user_id, u.email{group_locked}
         HAVING count(*) FILTER (WHERE e.status::text = 'failure') >= $4
            AND count(DISTINCT e.ip_address) FILTER (WHERE e.status::text = 'failure') >= $5
         ORDER BY failed DESC, succeeded DESC, u.email
         LIMIT $6"
    );
    // The SQL varies only by the two fixed fragments above, never by input.
    let rows: Vec<AccountRow> =
        grouped(sqlx::query_as(sqlx::AssertSqlSafe(sql)), w, at_least).fetch_all(&store.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, failed, succeeded, addresses, locked_until, last)| AccountAttempts {
            user_id,
            email,
            failed,
            succeeded,
            addresses,
            locked_until,
            last,
        })
        .collect())
}

/// The binds of a grouped query: `$1` the window's start, `$2` web only, `$3` this tool's
/// user agent, `$4` the least failures, `$5` the least spread, `$6` the limit.
fn grouped<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    w: Window,
    at_least: AtLeast,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    q.bind(w.since)
        .bind(w.web_only)
        .bind(TOOL_AGENT)
        .bind(at_least.failed)
        .bind(at_least.spread)
        .bind(at_least.limit)
}

/// The accounts locked now, the lock ending last first.
pub async fn locked(store: &Store) -> Result<Vec<Locked>, StoreError> {
    if !store.schema.lockout {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, String, OffsetDateTime, i64)> = sqlx::query_as(
        "SELECT id, email::text, locked_until, failed_login_attempts::bigint
         FROM users WHERE locked_until > now() ORDER BY locked_until DESC, email",
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, locked_until, failed_login_attempts)| Locked {
            user_id,
            email,
            locked_until,
            failed_login_attempts,
        })
        .collect())
}
