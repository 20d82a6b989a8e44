//! The audit viewer on a big log: a fresh `ska_bench_audit` with a demo cast and a
//! million audit rows (one dormant sweep of 890,000 accounts, 20,000 single changes,
//! 90,000 sign-ins), then `store::audit::changes` (the viewer's list: one row per change)
//! for the filters an admin types first, and `first_of_change` (Enter on the sweep).

use super::stats::Summary;
use skriptoteket_admin::domain::audit_filter::AuditFilter;
use skriptoteket_admin::store::{self, Store};
use std::time::Instant;

pub struct AuditBench {
    pub rows: i64,
    /// (what the admin typed, the viewer's list).
    pub lists: Vec<(&'static str, Summary)>,
    pub open_sweep: Summary,
}

const SWEEP: &str = "11111111-2222-3333-4444-555555555555";

/// Seeds the log (once per run: the database is made anew) and times `runs` of each.
pub async fn run(store: &Store, runs: usize) -> AuditBench {
    for sql in [
        "INSERT INTO skriptoteket_admin.admin_audit_log (at, actor_email, action, target_id, target_email, before, after, change_id, reason)
         SELECT now() - interval '200 days', 'root@x.se', 'deactivate', gen_random_uuid(), 'u' || g || '@x.se',
                '{\"is_active\": true}', '{\"is_active\": false}', '11111111-2222-3333-4444-555555555555', 'dormant sweep'
         FROM generate_series(1, 890000) g",
        "INSERT INTO skriptoteket_admin.admin_audit_log (at, actor_email, action, target_id, target_email, before, after, change_id)
         SELECT now() - (g || ' minutes')::interval, 'lena@x.se', 'set_role', gen_random_uuid(), 'v' || g || '@x.se',
                '{\"role\": \"user\"}', '{\"role\": \"contributor\"}', gen_random_uuid()
         FROM generate_series(1, 20000) g",
        "INSERT INTO skriptoteket_admin.admin_audit_log (at, actor_email, action, target_id, target_email, change_id)
         SELECT now() - (g || ' minutes')::interval, 'w' || g || '@x.se', 'sign_in', gen_random_uuid(), 'w' || g || '@x.se', gen_random_uuid()
         FROM generate_series(1, 90000) g",
        "VACUUM ANALYZE skriptoteket_admin.admin_audit_log",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&store.pool).await.expect("seed the audit log");
    }
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM skriptoteket_admin.admin_audit_log")
        .fetch_one(&store.pool)
        .await
        .expect("count");
    let now = time::OffsetDateTime::now_utc();
    let mut lists = Vec::new();
    for typed in ["", "since:7d", "action:deactivate", "target:u77", "signins"] {
        let filter = AuditFilter::parse(typed, Some(now)).expect("a filter");
        let mut samples = Vec::new();
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            let changes = store::audit::changes(store, &filter, 500).await.expect("changes");
            samples.push(start.elapsed());
            assert!(!changes.is_empty(), "{typed}: the log has changes");
        }
        lists.push((typed, Summary::of(&samples)));
    }
    let sweep = uuid::Uuid::parse_str(SWEEP).expect("uuid");
    let mut samples = Vec::new();
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let first = store::audit::first_of_change(store, sweep, 5_000).await.expect("entries");
        samples.push(start.elapsed());
        assert_eq!(first.len(), 5_000);
    }
    AuditBench { rows, lists, open_sweep: Summary::of(&samples) }
}
