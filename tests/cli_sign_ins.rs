//! `sign-ins` through the real binary on hand-built `login_events` with known answers:
//! the sums by address and account, spraying and brute force at their thresholds, the
//! window's edge, this tool's own sign-ins told apart, and `--alert-above` for cron.

mod common;

use common::{TestDb, insert_user, live_store};
use serde_json::Value;
use skriptoteket_admin::domain::Role;
use std::process::{Command, Output, Stdio};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn run(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .arg("sign-ins")
        .args(args)
        .env("DATABASE_URL", db.url())
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&out(o)).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

async fn event(pool: &sqlx::PgPool, user: Option<Uuid>, ok: bool, ip: &str, agent: &str, at: OffsetDateTime) {
    common::login_event(pool, user, ok, ip, agent, at).await;
}

const BROWSER: &str = "Mozilla/5.0";

/// Within the last day: 203.0.113.9 fails once on each of six accounts and twice on no
/// account (spraying); anna fails twice from each of six addresses and is locked
/// (brute force); bo signs in twice from 10.0.0.5; this tool signs in once as bo. Two
/// days ago 198.51.100.1 failed once on each of the six accounts.
async fn seeded() -> (TestDb, sqlx::PgPool) {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    let now = OffsetDateTime::now_utc();
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    let bo = insert_user(&pool, "bo@x.se", Role::User).await;
    sqlx::query("UPDATE users SET locked_until = now() + interval '15 minutes', failed_login_attempts = 12 WHERE id = $1")
        .bind(anna)
        .execute(&pool)
        .await
        .expect("lock anna");
    let mut sprayed = Vec::new();
    for i in 0..6 {
        sprayed.push(insert_user(&pool, &format!("t{i}@x.se"), Role::User).await);
    }
    for (i, id) in sprayed.iter().enumerate() {
        event(&pool, Some(*id), false, "203.0.113.9", BROWSER, now - Duration::minutes(10 + i as i64)).await;
        event(&pool, Some(*id), false, "198.51.100.1", BROWSER, now - Duration::days(2)).await;
    }
    for _ in 0..2 {
        event(&pool, None, false, "203.0.113.9", BROWSER, now - Duration::minutes(30)).await;
    }
    for a in 1..=6 {
        for _ in 0..2 {
            event(&pool, Some(anna), false, &format!("192.0.2.{a}"), BROWSER, now - Duration::hours(a)).await;
        }
    }
    for _ in 0..2 {
        event(&pool, Some(bo), true, "10.0.0.5", BROWSER, now - Duration::hours(3)).await;
    }
    event(&pool, Some(bo), true, "10.0.0.5", "skriptoteket-admin/0.1.0 (cli)", now - Duration::minutes(1))
        .await;
    (db, pool)
}

#[tokio::test]
async fn the_last_day_sums_by_address_and_account_and_names_spraying_and_brute_force() {
    let (db, _pool) = seeded().await;
    let o = run(&db, &["--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(v["totals"]["failed"], 6 + 2 + 12);
    assert_eq!(v["totals"]["succeeded"], 3);
    assert_eq!(v["totals"]["by_this_tool"], 1);
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(findings[0]["kind"], "brute_force");
    assert_eq!(findings[0]["email"], "anna@x.se");
    assert_eq!((findings[0]["failed"].as_i64(), findings[0]["addresses"].as_i64()), (Some(12), Some(6)));
    assert_eq!(findings[1]["kind"], "spraying");
    assert_eq!(findings[1]["ip_address"], "203.0.113.9");
    assert_eq!((findings[1]["failed"].as_i64(), findings[1]["accounts"].as_i64()), (Some(8), Some(6)));
    let first_ip = &v["by_ip"][0];
    assert_eq!(first_ip["ip_address"], "203.0.113.9");
    assert_eq!(first_ip["unknown_accounts"], 2, "failures on emails that are no account");
    let first_account = &v["by_account"][0];
    assert_eq!(first_account["email"], "anna@x.se");
    assert!(first_account["locked_until"].is_string(), "locked now: {first_account}");
    let locked: Vec<&str> =
        v["locked"].as_array().expect("locked").iter().filter_map(|l| l["email"].as_str()).collect();
    assert_eq!(locked, ["anna@x.se"]);

    // The same in words.
    let o = run(&db, &[]);
    let text = out(&o);
    assert!(text.contains("brute force: anna@x.se failed 12 times from 6 addresses"), "{text}");
    assert!(text.contains("spraying: 203.0.113.9 failed 8 times on 6 accounts"), "{text}");
    assert!(text.contains("20 failed") && text.contains("(1 of them by this tool)"), "{text}");
}

#[tokio::test]
async fn the_window_and_the_thresholds_decide_what_is_named() {
    let (db, _pool) = seeded().await;
    let names = |o: &Output| -> Vec<String> {
        json(o)["findings"].as_array().expect("findings").iter().map(|f| f.to_string()).collect()
    };
    // A week back, the older source sprays too.
    let week = names(&run(&db, &["--since", "7d", "--format", "json"]));
    assert_eq!(week.len(), 3, "{week:?}");
    assert!(week.iter().any(|f| f.contains("198.51.100.1")), "{week:?}");
    // Stricter thresholds: nothing passes.
    let strict = run(&db, &["--spray-accounts", "7", "--brute-force-addresses", "7", "--format", "json"]);
    assert!(names(&strict).is_empty());
    // The window's start counts in, a microsecond before it does not.
    let (db2, pool2) = {
        let (db, _s) = live_store().await;
        let pool = db.pool().await;
        (db, pool)
    };
    let edge = OffsetDateTime::now_utc() - Duration::hours(5);
    let edge = edge.replace_nanosecond(0).expect("whole seconds");
    event(&pool2, None, false, "10.9.9.9", BROWSER, edge).await;
    event(&pool2, None, false, "10.9.9.9", BROWSER, edge - Duration::microseconds(1)).await;
    let at = edge.format(&time::format_description::well_known::Rfc3339).expect("rfc3339");
    let v = json(&run(&db2, &["--since", &at, "--format", "json"]));
    assert_eq!(v["totals"]["failed"], 1, "{v}");
}

#[tokio::test]
async fn web_only_leaves_this_tools_sign_ins_out_and_by_narrows_to_one_table() {
    let (db, _pool) = seeded().await;
    let v = json(&run(&db, &["--web-only", "--format", "json"]));
    assert_eq!(v["totals"]["succeeded"], 2);
    assert_eq!(v["totals"]["by_this_tool"], 0);
    let o = run(&db, &["--by", "ip", "--format", "jsonl", "--failed"]);
    let kinds: Vec<String> = out(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("a JSON line")["kind"].as_str().unwrap_or("").to_string()
        })
        .collect();
    assert!(kinds.iter().all(|k| ["totals", "finding", "address"].contains(&k.as_str())), "{kinds:?}");
    let addresses = kinds.iter().filter(|k| *k == "address").count();
    assert_eq!(addresses, 7, "--failed: 203.0.113.9 and anna's six, not bo's 10.0.0.5");
}

#[tokio::test]
async fn alert_above_prints_only_what_passed_and_exits_1_and_is_silent_otherwise() {
    let (db, _pool) = seeded().await;
    let o = run(&db, &["--alert-above", "10"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<String> = out(&o).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("account anna@x.se failed 12 times since "), "{lines:?}");
    let o = run(&db, &["--alert-above", "12"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(out(&o), "", "nothing to mail");
    let v = json(&run(&db, &["--alert-above", "7", "--format", "json"]));
    let alerts = v["alerts"].as_array().expect("alerts");
    assert_eq!(alerts.len(), 2, "anna (12) and 203.0.113.9 (8): {alerts:?}");
    assert_eq!(alerts[1]["kind"], "address");
}

#[tokio::test]
async fn a_window_that_is_no_time_is_a_usage_error_in_one_line() {
    let (db, _pool) = seeded().await;
    let o = run(&db, &["--since", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("--since yesterday"), "{err}");
}
