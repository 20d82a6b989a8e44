//! `sign-ins` on a big history: a fresh `ska_bench_sign_ins` (demo users) with 2,000,000
//! `login_events` over 30 days (each account from four addresses of its own, one attempt in
//! ten a failure, one spraying source and one brute-forced account), then the report
//! `sign-ins` prints (`store::sign_ins::report`: every query it runs) for the last 24 hours
//! and the last 30 days.

use super::stats::Summary;
use skriptoteket_admin::domain::sign_ins::{Asked, Span, Thresholds};
use skriptoteket_admin::store::Store;
use skriptoteket_admin::store::sign_ins::{Window, overview, report};
use std::time::Instant;

pub struct SignInsBench {
    pub events: i64,
    /// (the window, `--since`, the report's time).
    pub windows: Vec<(&'static str, Summary)>,
    /// (the window, the console's view opening: the report and the chart's bars,
    /// `store::sign_ins::overview`).
    pub views: Vec<(&'static str, Summary)>,
}

/// Seeds the history (the database is made anew) and times `runs` of each window.
pub async fn run(store: &Store, runs: usize) -> SignInsBench {
    for sql in [
        "INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider, created_at)
         SELECT gen_random_uuid(), ids.a[1 + g % cardinality(ids.a)], CASE WHEN g % 10 = 0 THEN 'failure' ELSE 'success' END,
                CASE WHEN g % 10 = 0 THEN 'INVALID_CREDENTIALS' END,
                '10.' || (g % cardinality(ids.a) % 250) || '.' || (g % cardinality(ids.a) / 250) || '.' || (1 + g / 7 % 4),
                'Mozilla/5.0', 'local',
                now() - make_interval(secs => (g * 1.296)::int)
         FROM generate_series(1, 1990000) g, (SELECT array_agg(id ORDER BY email) AS a FROM users) ids",
        "INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider, created_at)
         SELECT gen_random_uuid(), ids.a[1 + g % 400], 'failure', 'INVALID_CREDENTIALS', '45.155.205.233', 'python-requests/2.32.3', 'local',
                now() - make_interval(mins => g % 600)
         FROM generate_series(1, 8000) g, (SELECT array_agg(id ORDER BY email) AS a FROM users) ids",
        "INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider, created_at)
         SELECT gen_random_uuid(), (SELECT id FROM users ORDER BY email LIMIT 1), 'failure', 'INVALID_CREDENTIALS',
                '103.' || (g % 250) || '.7.' || (1 + g % 200), 'Mozilla/5.0', 'local', now() - make_interval(mins => g % 240)
         FROM generate_series(1, 2000) g",
        "VACUUM ANALYZE login_events",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&store.pool).await.expect("seed the sign-ins");
    }
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM login_events").fetch_one(&store.pool).await.expect("count");
    let asked = Asked {
        thresholds: Thresholds::default(),
        limit: 20,
        failed_only: false,
        by_address: true,
        by_account: true,
        locked: true,
    };
    let mut windows = Vec::new();
    for (since, age) in [("24h", time::Duration::hours(24)), ("30d", time::Duration::days(30))] {
        let w = Window { since: time::OffsetDateTime::now_utc() - age, web_only: false };
        let mut samples = Vec::new();
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            let r = report(store, w, asked).await.expect("the report");
            samples.push(start.elapsed());
            assert!(r.findings.len() >= 2, "{since}: the spraying source and the brute-forced account");
        }
        windows.push((since, Summary::of(&samples)));
    }
    let mut views = Vec::new();
    for span in [Span::Day, Span::Month] {
        let mut samples = Vec::new();
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            let o = overview(store, span, Thresholds::default(), time::OffsetDateTime::now_utc())
                .await
                .expect("the view's data");
            samples.push(start.elapsed());
            assert_eq!(o.bars.len(), span.buckets());
        }
        views.push((span.since(), Summary::of(&samples)));
    }
    SignInsBench { events, windows, views }
}
