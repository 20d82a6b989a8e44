//! The sums `sign-ins` reads from the web app's `login_events` over a window: the window
//! read once, grouped in the server ([`groups`]: the table may hold millions of rows; the
//! window's start uses its `created_at` index), and the accounts locked now. Nothing here writes, and no index is added to the web
//! app's table. Where the table is missing everything is empty.

use super::{Store, StoreError};
use crate::domain::sign_ins::{
    self, AccountAttempts, Alert, Asked, Bucket, Locked, Overview, Report, Source, Span, Thresholds, Totals,
};
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

/// Which groups [`groups`] returns: the first `limit` by failures (with `failed_only`,
/// of those with failures), and beyond them every one that passes a threshold or failed
/// more than `above` times.
#[derive(Clone, Copy, Debug)]
pub struct Pick {
    pub limit: i64,
    pub failed_only: bool,
    pub thresholds: Thresholds,
    pub above: Option<i64>,
}

/// A group, and whether it is among the first `limit` (the tables' rows).
#[derive(Clone, Debug)]
pub struct Listed<T> {
    pub row: T,
    pub listed: bool,
}

/// The window, read once.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    pub totals: Totals,
    /// In the tables' order: the most failures first.
    pub sources: Vec<Listed<Source>>,
    pub accounts: Vec<Listed<AccountAttempts>>,
}

/// One look at the window: the totals, what passes the thresholds (over every group, not
/// only the tables' first rows), and the tables asked for.
pub async fn report(store: &Store, w: Window, asked: Asked) -> Result<Report, StoreError> {
    let t = asked.thresholds;
    let pick = Pick { limit: asked.limit, failed_only: asked.failed_only, thresholds: t, above: None };
    let g = groups(store, w, pick).await?;
    let (sources, listed_sources) = split(g.sources);
    let (accounts, listed_accounts) = split(g.accounts);
    let findings = sign_ins::findings(&sources, &accounts, t);
    Ok(Report {
        since: w.since,
        thresholds: t,
        totals: g.totals,
        findings,
        sources: asked.by_address.then_some(listed_sources),
        accounts: asked.by_account.then_some(listed_accounts),
        locked: if asked.locked { Some(locked(store).await?) } else { None },
    })
}

/// Every row, and the listed ones.
fn split<T: Clone>(rows: Vec<Listed<T>>) -> (Vec<T>, Vec<T>) {
    let listed = rows.iter().filter(|l| l.listed).map(|l| l.row.clone()).collect();
    (rows.into_iter().map(|l| l.row).collect(), listed)
}

/// The groups that failed more than `n` times: what `--alert-above N` reports.
pub async fn above(store: &Store, w: Window, n: i64) -> Result<Vec<Alert>, StoreError> {
    let never = Thresholds { spray_accounts: i64::MAX, brute_force_addresses: i64::MAX };
    let g = groups(store, w, Pick { limit: 0, failed_only: true, thresholds: never, above: Some(n) }).await?;
    let sources: Vec<Source> = g.sources.into_iter().map(|l| l.row).collect();
    let accounts: Vec<AccountAttempts> = g.accounts.into_iter().map(|l| l.row).collect();
    Ok(sign_ins::above(&sources, &accounts, n))
}

type GroupRow = (
    String,
    Option<String>,
    Option<Uuid>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    bool,
    // The rank, for the order only.
    i64,
);

/// Reads the window once: its attempts summed per (address, account) pair in one hashed
/// pass, then by address and by account from those pairs (so the distinct accounts of an
/// address, and addresses of an account, are counts of pairs: no `count(DISTINCT)`, which
/// would sort each group), ranked, and only the groups `pick` asks for sent back, with the
/// totals, in one round trip.
pub async fn groups(store: &Store, w: Window, pick: Pick) -> Result<Groups, StoreError> {
    if !store.schema.login_events {
        return Ok(Groups::default());
    }
    let locked = if store.schema.lockout {
        "CASE WHEN u.locked_until > now() THEN u.locked_until END"
    } else {
        "NULL::timestamptz"
    };
    let sql = format!(
        "WITH pairs AS MATERIALIZED (
           SELECT ip_address::text AS ip, user_id,
                  count(*) FILTER (WHERE status::text = 'failure') AS f,
                  count(*) FILTER (WHERE status::text = 'success') AS s,
                  count(*) FILTER (WHERE coalesce(user_agent::text LIKE $3, false)) AS tool,
                  max(created_at) AS last
           FROM login_events
           WHERE created_at >= $1 AND NOT ($2 AND coalesce(user_agent::text LIKE $3, false))
           GROUP BY 1, 2
         ),
         by_ip AS (
           SELECT ip, sum(f)::bigint AS failed, sum(s)::bigint AS succeeded,
                  count(*) FILTER (WHERE f > 0 AND user_id IS NOT NULL) AS spread,
                  coalesce(sum(f) FILTER (WHERE user_id IS NULL), 0)::bigint AS unknown, max(last) AS last
           FROM pairs GROUP BY ip
         ),
         by_account AS (
           SELECT user_id, sum(f)::bigint AS failed, sum(s)::bigint AS succeeded,
                  count(*) FILTER (WHERE f > 0 AND ip IS NOT NULL) AS spread, max(last) AS last
           FROM pairs WHERE user_id IS NOT NULL GROUP BY user_id
         ),
         ranked_ip AS (
           SELECT *, row_number() OVER (ORDER BY failed DESC, succeeded DESC, ip NULLS LAST) AS rank
           FROM by_ip WHERE failed >= $4
         ),
         ranked_account AS (
           SELECT a.*, u.email::text AS email, {locked} AS locked_until,
                  row_number() OVER (ORDER BY a.failed DESC, a.succeeded DESC, u.email) AS rank
           FROM by_account a LEFT JOIN users u ON u.id = a.user_id WHERE a.failed >= $4
         )
         SELECT 'totals', NULL::text, NULL::uuid, NULL::text, coalesce(sum(f), 0)::bigint,
                coalesce(sum(s), 0)::bigint, coalesce(sum(tool), 0)::bigint, 0::bigint,
                max(last), NULL::timestamptz, false, 0::bigint AS rank
         FROM pairs
         UNION ALL
         SELECT 'ip', ip, NULL, NULL, failed, succeeded, spread, unknown, last, NULL, rank <= $5, rank
         FROM ranked_ip WHERE rank <= $5 OR (failed >= 1 AND spread >= $6) OR failed > $8
         UNION ALL
         SELECT 'account', NULL, user_id, email, failed, succeeded, spread, 0, last, locked_until, rank <= $5, rank
         FROM ranked_account WHERE rank <= $5 OR (failed >= 1 AND spread >= $7) OR failed > $8
         ORDER BY 1, 12"
    );
    // The SQL varies only by the lock's fixed fragment above, never by input.
    let rows: Vec<GroupRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(w.since)
        .bind(w.web_only)
        .bind(TOOL_AGENT)
        .bind(i64::from(pick.failed_only))
        .bind(pick.limit)
        .bind(pick.thresholds.spray_accounts)
        .bind(pick.thresholds.brute_force_addresses)
        .bind(pick.above.unwrap_or(i64::MAX))
        .fetch_all(&store.pool)
        .await?;
    let mut g = Groups::default();
    for (
        kind,
        ip_address,
        user_id,
        email,
        failed,
        succeeded,
        spread,
        unknown,
        last,
        locked_until,
        listed,
        _,
    ) in rows
    {
        let last = last.unwrap_or(w.since);
        match (kind.as_str(), user_id) {
            ("totals", _) => g.totals = Totals { succeeded, failed, by_this_tool: spread },
            ("ip", _) => g.sources.push(Listed {
                row: Source {
                    ip_address,
                    failed,
                    succeeded,
                    accounts: spread,
                    unknown_accounts: unknown,
                    last,
                },
                listed,
            }),
            (_, Some(user_id)) => g.accounts.push(Listed {
                row: AccountAttempts {
                    user_id,
                    email,
                    failed,
                    succeeded,
                    addresses: spread,
                    locked_until,
                    last,
                },
                listed,
            }),
            _ => {}
        }
    }
    Ok(g)
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

/// The window's attempts in `n` bars of `width` from `w.since` on (successes and failures
/// apart), oldest first: the console's chart. Read without the table's rows where it can:
/// the attempts per bar are counted on the `created_at` index (one range a bar, both ends
/// in the index condition, the last open-ended), the failures (a tenth of the attempts, typically) grouped from the rows the
/// `status` index finds; successes are the attempts that did not fail. A grouping of every
/// row in the window took twice as long on 2,000,000 events (BENCHMARKS.md). With
/// `web_only` the user agent must be read, so every row is.
pub async fn bars(
    store: &Store,
    w: Window,
    width: time::Duration,
    n: usize,
) -> Result<Vec<Bucket>, StoreError> {
    let n = n.max(1);
    if !store.schema.login_events {
        return Ok(sign_ins::bars(n, &[]));
    }
    let secs = width.as_seconds_f64();
    let bar =
        "floor((date_part('epoch', created_at) - date_part('epoch', $1::timestamptz)) / $2::float8)::int8";
    if w.web_only {
        let sql = format!(
            "SELECT {bar}, count(*) FILTER (WHERE status::text <> 'failure'), count(*) FILTER (WHERE status::text = 'failure')
             FROM login_events
             WHERE created_at >= $1 AND NOT coalesce(user_agent::text LIKE $3, false)
             GROUP BY 1"
        );
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(w.since)
            .bind(secs)
            .bind(TOOL_AGENT)
            .fetch_all(&store.pool)
            .await?;
        let counted: Vec<(i64, Bucket)> =
            rows.into_iter().map(|(i, succeeded, failed)| (i, Bucket { succeeded, failed })).collect();
        return Ok(sign_ins::bars(n, &counted));
    }
    let all: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT b, (SELECT count(*) FROM login_events
                    WHERE created_at >= $1 + make_interval(secs => b * $2::float8)
                      AND created_at < CASE WHEN b = $3 - 1 THEN 'infinity'::timestamptz
                                            ELSE $1 + make_interval(secs => (b + 1) * $2::float8) END)
         FROM generate_series(0::int8, $3 - 1) b",
    )
    .bind(w.since)
    .bind(secs)
    .bind(n as i64)
    .fetch_all(&store.pool)
    .await?;
    let sql = format!(
        "SELECT {bar}, count(*) FROM login_events WHERE created_at >= $1 AND status::text = 'failure' GROUP BY 1"
    );
    let failed: Vec<(i64, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(w.since).bind(secs).fetch_all(&store.pool).await?;
    let mut counted: Vec<(i64, Bucket)> =
        all.into_iter().map(|(i, total)| (i, Bucket { succeeded: total, failed: 0 })).collect();
    // A failure is in its bar's count of attempts: it moves from the successes there.
    for (i, f) in failed {
        let at = usize::try_from(i.max(0)).unwrap_or(0).min(n - 1) as i64;
        counted.push((at, Bucket { succeeded: -f, failed: f }));
    }
    let mut out = sign_ins::bars(n, &counted);
    for b in &mut out {
        b.succeeded = b.succeeded.max(0);
    }
    Ok(out)
}

/// The accounts an address failed on in the window (the ones the view marks for a source).
pub async fn accounts_of(
    store: &Store,
    w: Window,
    ip_address: Option<&str>,
) -> Result<Vec<Uuid>, StoreError> {
    if !store.schema.login_events {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM login_events
         WHERE created_at >= $1 AND NOT ($2 AND coalesce(user_agent::text LIKE $3, false))
           AND ip_address::text IS NOT DISTINCT FROM $4 AND status::text = 'failure' AND user_id IS NOT NULL",
    )
    .bind(w.since)
    .bind(w.web_only)
    .bind(TOOL_AGENT)
    .bind(ip_address)
    .fetch_all(&store.pool)
    .await?)
}

/// How many sources and accounts the console's view lists (the most failures first).
pub const OVERVIEW_LIMIT: i64 = 20;

/// The console's sign-ins view over `span` up to `until`: the report (failures only in its
/// tables) and the chart's bars, read side by side on two connections.
pub async fn overview(
    store: &Store,
    span: Span,
    thresholds: Thresholds,
    until: OffsetDateTime,
) -> Result<Overview, StoreError> {
    let w = Window { since: until - span.length(), web_only: false };
    let asked = Asked {
        thresholds,
        limit: OVERVIEW_LIMIT,
        failed_only: true,
        by_address: true,
        by_account: true,
        locked: true,
    };
    let (report, bars) =
        tokio::try_join!(report(store, w, asked), bars(store, w, span.bucket(), span.buckets()))?;
    Ok(Overview { report, bars, until })
}
