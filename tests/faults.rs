//! Database faults in the middle of a change: the connection is killed while a bulk change
//! waits inside its transaction. The change is all or nothing, the error says the connection
//! was lost, and the store works again afterwards.

mod common;

use common::{apply, insert_user, live_store, scalar_i64, seed_actor};
use skriptoteket_admin::domain::Change;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{StoreError, users};
use sqlx::Connection;
use std::time::Duration;

/// Holds `admin_audit_log` locked so a change blocks after its UPDATE, before commit.
async fn lock_audit(url: &str) -> sqlx::PgConnection {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
    sqlx::query("LOCK TABLE skriptoteket_admin.admin_audit_log IN EXCLUSIVE MODE")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

/// Terminates the console's backend that waits for a lock; returns once it has.
async fn kill_waiting_backend(pool: &sqlx::PgPool) {
    for _ in 0..200 {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'skriptoteket-admin'
                AND wait_event_type = 'Lock') t",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if n > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no waiting backend to kill");
}

#[tokio::test]
async fn a_bulk_change_killed_before_commit_changes_nothing() {
    let (db, store) = live_store().await;
    let pool = db.pool().await;
    let boss = seed_actor(&pool, "boss@x.se", Role::Superuser).await;
    let mut targets = Vec::new();
    for i in 0..50 {
        let e = format!("u{i}@x.se");
        insert_user(&pool, &e, Role::User).await;
        targets.push(Target::email(&e));
    }
    let mut locker = lock_audit(db.url()).await;
    let change = {
        let (store, boss, targets) = (store.clone(), boss.clone(), targets.clone());
        tokio::spawn(async move { apply(&store, &boss, &targets, &Change::SetRole(Role::Contributor)).await })
    };
    kill_waiting_backend(&pool).await;
    let res = change.await.unwrap();
    let err = res.expect_err("the change must fail");
    assert!(matches!(err, StoreError::ConnectionLost(_)), "{err:?}");
    assert!(err.is_connection());
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM users WHERE role = 'contributor'").await,
        0,
        "nothing applied"
    );
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM skriptoteket_admin.admin_audit_log").await, 0);
    // The pool replaces the dead connection: the next change works.
    let done = apply(&store, &boss, &targets, &Change::SetRole(Role::Contributor)).await.unwrap();
    assert_eq!(done.len(), 50);
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE role = 'contributor'").await, 50);
}

#[tokio::test]
async fn reads_recover_after_every_connection_is_killed() {
    let (db, store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "a@x.se", Role::User).await;
    assert_eq!(users::list(&store, &Default::default()).await.unwrap().len(), 1);
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'skriptoteket-admin' AND pid <> pg_backend_pid()",
    )
    .execute(&pool)
    .await
    .unwrap();
    // A query may fail once on a connection that died idle; the next one must work.
    let first = users::list(&store, &Default::default()).await;
    if let Err(e) = &first {
        assert!(e.is_connection(), "{e:?}");
    }
    assert_eq!(users::list(&store, &Default::default()).await.unwrap().len(), 1);
}
