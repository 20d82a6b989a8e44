//! Nothing waits for ever, and one blocked change never stalls the other admins: a row held
//! elsewhere makes a change give up after the lock timeout with `Busy`, naming the account
//! and the session that holds it, changing nothing; meanwhile other admins' changes (also
//! those that take the superuser lock) go through. The server's timeouts are set on every
//! connection, a statement timeout reads as such, and a server that never answers fails
//! the connect within the connect timeout.

mod common;

use common::*;
use skriptoteket_admin::config;
use skriptoteket_admin::domain::{Change, Role};
use skriptoteket_admin::store::busy::{Holder, Locked};
use skriptoteket_admin::store::targets::{LAST_SUPERUSER_LOCK, Target};
use skriptoteket_admin::store::{self, Store, StoreError};
use sqlx::Connection;
use std::time::{Duration, Instant};

/// A session outside the tool (as the web app would be), with its own application name,
/// that opens a transaction and runs `sql` in it; returns the connection and its pid.
async fn hold(db: &TestDb, sql: &str, bind: impl ToString) -> (sqlx::PgConnection, i32) {
    let url = format!("{}?application_name=skriptoteket-web", db.url());
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
    sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    (conn, pid)
}

/// Waits until one of the tool's connections waits for a lock.
async fn until_waiting(pool: &sqlx::PgPool) {
    for _ in 0..200 {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
               AND application_name = 'skriptoteket-admin' AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if n > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no connection of the tool waits for a lock");
}

fn holder_of(e: &StoreError) -> (&Locked, &Holder) {
    match e {
        StoreError::Busy { what, holder: Some(h) } => (what, h),
        other => panic!("expected Busy with a holder, got {other:?}"),
    }
}

#[tokio::test]
async fn a_held_row_is_busy_naming_its_holder_while_other_admins_go_on() {
    let (db, a_store) = live_store().await;
    let pool = db.pool().await;
    let a = seed_actor(&pool, "a@x.se", Role::Superuser).await;
    let b = seed_actor(&pool, "b@x.se", Role::Superuser).await;
    let held = insert_user(&pool, "held@x.se", Role::Superuser).await;
    let other = insert_user(&pool, "other@x.se", Role::Superuser).await;
    let b_store = db.store().await; // another admin's console: a pool of its own
    let (holder_conn, pid) = hold(&db, "SELECT 1 FROM users WHERE id = $1::uuid FOR UPDATE", held).await;

    // Admin a deactivates the held superuser: the change waits for the row...
    let started = Instant::now();
    let deactivate = {
        let (s, a) = (a_store.clone(), a.clone());
        tokio::spawn(
            async move { apply(&s, &a, &[Target::email("held@x.se")], &Change::SetActive(false)).await },
        )
    };
    until_waiting(&pool).await;
    // ...while admin b demotes another superuser, which takes the superuser lock: it goes
    // through at once, so the waiting change does not hold that lock.
    let demote = tokio::time::timeout(
        Duration::from_secs(2),
        apply(&b_store, &b, &[Target::email("other@x.se")], &Change::SetRole(Role::Admin)),
    )
    .await
    .expect("another admin's change must not wait for the blocked one");
    demote.expect("the demotion applies");
    assert!(!deactivate.is_finished(), "the deactivation should still be waiting for the row");
    assert_eq!(role_of(&pool, other).await, "admin");

    let err = deactivate.await.unwrap().expect_err("the held row makes the change busy");
    let waited = started.elapsed();
    assert!(waited < store::LOCK_TIMEOUT + Duration::from_secs(3), "gave up after {waited:?}");
    let (what, h) = holder_of(&err);
    assert_eq!(what, &Locked::Account("held@x.se".into()));
    assert_eq!(h.pid, pid);
    assert_eq!(h.application.as_deref(), Some("skriptoteket-web"));
    assert!(h.since_utc.is_some());
    assert!(!err.is_connection(), "a busy row is not a lost connection");
    let line = err.to_string();
    assert!(
        line.starts_with(&format!(
            "held@x.se is locked by another session (pid {pid}, skriptoteket-web, since "
        )),
        "{line}"
    );
    assert!(line.ends_with("UTC); nothing was changed; try again when it finishes."), "{line}");
    assert!(is_active(&pool, held).await, "nothing was changed");
    assert_eq!(audit_count(&pool).await, 1, "only the demotion is audited");

    // Once the holder is done, the same change goes through.
    holder_conn.close().await.unwrap();
    apply(&a_store, &a, &[Target::email("held@x.se")], &Change::SetActive(false)).await.unwrap();
    assert!(!is_active(&pool, held).await);
}

#[tokio::test]
async fn the_superuser_lock_held_too_long_is_busy_and_other_changes_go_on() {
    let (db, store) = live_store().await;
    let pool = db.pool().await;
    let a = seed_actor(&pool, "a@x.se", Role::Superuser).await;
    let s2 = insert_user(&pool, "s2@x.se", Role::Superuser).await;
    let u = insert_user(&pool, "u@x.se", Role::User).await;
    let (_holder, pid) = hold(&db, "SELECT pg_advisory_xact_lock($1::bigint)", LAST_SUPERUSER_LOCK).await;

    // A change that removes no superuser does not need the lock.
    let quick = tokio::time::timeout(
        Duration::from_secs(2),
        apply(&store, &a, &[Target::email("u@x.se")], &Change::SetRole(Role::Contributor)),
    )
    .await
    .expect("a role change of a user does not wait for the superuser lock");
    quick.unwrap();
    assert_eq!(role_of(&pool, u).await, "contributor");

    let started = Instant::now();
    let err = apply(&store, &a, &[Target::email("s2@x.se")], &Change::SetRole(Role::Admin))
        .await
        .expect_err("the superuser lock is held elsewhere");
    assert!(started.elapsed() < store::LOCK_TIMEOUT + Duration::from_secs(3));
    let (what, h) = holder_of(&err);
    assert_eq!(what, &Locked::SuperuserCheck);
    assert_eq!(h.pid, pid);
    assert!(err.to_string().contains(&format!("(pid {pid}, skriptoteket-web, since ")), "{err}");
    assert_eq!(role_of(&pool, s2).await, "superuser");
    assert_eq!(audit_count(&pool).await, 1, "only the user's role change is audited");
}

#[tokio::test]
async fn a_delete_of_a_held_row_is_busy_too() {
    let (db, store) = live_store().await;
    let pool = db.pool().await;
    let a = seed_actor(&pool, "a@x.se", Role::Superuser).await;
    let u = insert_user(&pool, "gone@x.se", Role::User).await;
    let (_holder, pid) = hold(&db, "SELECT 1 FROM users WHERE id = $1::uuid FOR UPDATE", u).await;
    let err = store::delete::delete(
        &store,
        &a,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("gone@x.se")],
    )
    .await
    .expect_err("busy");
    assert_eq!(holder_of(&err).1.pid, pid);
    assert!(user_exists(&pool, u).await);
    assert_eq!(audit_count(&pool).await, 0);
}

#[tokio::test]
async fn connections_carry_the_timeouts_and_a_statement_timeout_reads_as_such() {
    let (db, store) = live_store().await;
    let show = |name: &'static str| {
        let pool = store.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!("SHOW {name}")))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(show("lock_timeout").await, "3s");
    assert_eq!(show("statement_timeout").await, "1min");
    assert_eq!(show("idle_in_transaction_session_timeout").await, "1min");
    assert_eq!(show("application_name").await, "skriptoteket-admin");

    // A timeout the URL sets is kept.
    let url = format!("{}?options=-c%20statement_timeout%3D7s", db.url());
    let own = Store::connect(&config::parse(&url).unwrap()).await.unwrap();
    let st: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&own.pool).await.unwrap();
    assert_eq!(st, "7s");

    let mut tx = store.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL statement_timeout = '100ms'").execute(&mut *tx).await.unwrap();
    let err: StoreError = sqlx::query("SELECT pg_sleep(2)").execute(&mut *tx).await.unwrap_err().into();
    assert!(matches!(err, StoreError::StatementTimeout), "{err:?}");
    assert!(!err.is_connection());
    assert_eq!(
        err.to_string(),
        "the database stopped a query that ran past its statement timeout; nothing was changed."
    );
}

#[tokio::test]
async fn a_server_that_never_answers_fails_the_connect_within_the_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts, keeps the sockets open, and says nothing.
    let silent = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            kept.push(sock);
        }
    });
    let target = config::parse(&format!("postgres://admin@127.0.0.1:{port}/skriptoteket")).unwrap();
    let started = Instant::now();
    let err = Store::connect(&target).await.expect_err("nothing answers");
    let took = started.elapsed();
    assert!(took < store::CONNECT_TIMEOUT + Duration::from_secs(2), "took {took:?}");
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("cannot connect to {}: no answer within 5 s (connect timeout)", target.describe)
    );
    silent.abort();
}

#[tokio::test]
async fn a_read_without_an_answer_gives_up_as_a_lost_connection() {
    let err = store::within(Duration::from_millis(50), std::future::pending::<Result<(), StoreError>>())
        .await
        .expect_err("no answer");
    assert!(err.is_connection(), "{err:?}");
}

/// The CLI prints the one line and exits 1.
#[tokio::test]
async fn the_cli_says_who_holds_the_row_and_exits_busy() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "a@x.se", Role::Superuser).await;
    let u = insert_user(&pool, "held@x.se", Role::User).await;
    let (_holder, pid) = hold(&db, "SELECT 1 FROM users WHERE id = $1::uuid FOR UPDATE", u).await;
    let url = db.url().to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
            .args(["deactivate", "--actor-email", "a@x.se", "held@x.se"])
            .env("DATABASE_URL", url)
            .env("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)
            .env_remove("RUST_LOG")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "busy: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "error: held@x.se is locked by another session (pid {pid}, skriptoteket-web, since "
        )),
        "{err}"
    );
    assert!(is_active(&pool, u).await);
    assert_eq!(audit_count(&pool).await, 0);
}
