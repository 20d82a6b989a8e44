//! Every change accountable and reversible, against a real PostgreSQL: one change id per
//! change in all its audit rows (and it alone decides whether an interrupted change
//! applied, even with a second session of the same admin), the operator and reason kept,
//! reverts that restore only what still holds the change's values, and dry-run plans that
//! write nothing.

mod common;

use common::{
    NewUser, SessionKind, active_sessions, insert_session, insert_user, insert_user_with, live_store,
    role_of, scalar_i64, seed_actor, snapshot,
};
use rstest::rstest;
use skriptoteket_admin::domain::revert::Restore;
use skriptoteket_admin::domain::{Change, Done, Reason, Role, Stamp};
use skriptoteket_admin::operator::Operator;
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{self, Actor, Store, StoreError, audit};
use sqlx::Connection;
use std::time::Duration;
use uuid::Uuid;

fn by_email(e: &str) -> Target {
    Target::email(e)
}

fn reason(text: &str) -> Option<Reason> {
    Reason::parse(text, false).expect("a valid reason")
}

async fn change(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    emails: &[&str],
    c: Change,
) -> Result<Done, StoreError> {
    let targets: Vec<Target> = emails.iter().map(|e| by_email(e)).collect();
    store::change::apply(store, actor, stamp, &targets, &c, None).await
}

/// Every audit row of a change: (target email, action, before, after, reason, reverts).
async fn rows_of(store: &Store, id: Uuid) -> Vec<skriptoteket_admin::domain::audit::AuditRow> {
    audit::of_change(store, id).await.expect("read the change's rows")
}

/// A team of three users and a superuser to act.
async fn team(store: &Store) -> Actor {
    for e in ["u1@x.se", "u2@x.se", "u3@x.se"] {
        insert_user(&store.pool, e, Role::User).await;
    }
    seed_actor(&store.pool, "boss@x.se", Role::Superuser).await
}

#[tokio::test]
async fn every_row_of_a_change_carries_its_id_the_operator_and_the_reason() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let stamp = Stamp::new(reason("autumn course, ticket 4711"));
    change(&store, &boss, &stamp, &["u1@x.se", "u2@x.se", "u3@x.se"], Change::SetRole(Role::Contributor))
        .await
        .expect("set role");
    let rows = rows_of(&store, stamp.change_id).await;
    assert_eq!(rows.len(), 3);
    let operator = serde_json::to_value(Operator::current()).expect("operator as JSON");
    for r in &rows {
        assert_eq!(r.change_id, Some(stamp.change_id));
        assert_eq!(r.reason.as_deref(), Some("autumn course, ticket 4711"));
        assert_eq!(r.operator.as_ref(), Some(&operator));
        assert_eq!(r.reverts, None);
        assert_eq!(r.actor_email, "boss@x.se");
    }
    assert!(operator["tool"].as_str().is_some_and(|t| t.starts_with("skriptoteket-admin ")), "{operator}");
    assert!(audit::change_applied(&store, stamp.change_id).await.expect("ask"));
    assert!(!audit::change_applied(&store, Uuid::new_v4()).await.expect("ask"));
}

/// The old rule ("an entry by this actor and action since the mark") took a second session
/// of the same admin for the interrupted change; the change id cannot be fooled.
#[tokio::test]
async fn after_a_killed_change_its_id_decides_even_with_a_second_session_of_the_admin() {
    let (db, store) = live_store().await;
    let boss = team(&store).await;
    let other_session = db.store().await;
    // Session A's change waits on the audit table, then its connection is killed.
    let mut locker = sqlx::PgConnection::connect(db.url()).await.expect("connect");
    sqlx::query("BEGIN").execute(&mut locker).await.expect("begin");
    sqlx::query("LOCK TABLE skriptoteket_admin.admin_audit_log IN EXCLUSIVE MODE")
        .execute(&mut locker)
        .await
        .expect("lock");
    let a = Stamp::new(None);
    let (s, b2, a2) = (store.clone(), boss.clone(), a.clone());
    let first = tokio::spawn(async move {
        change(&s, &b2, &a2, &["u1@x.se", "u2@x.se"], Change::SetRole(Role::Contributor)).await
    });
    let pool = db.pool().await;
    let mut killed = 0;
    for _ in 0..200 {
        killed = scalar_i64(
            &pool,
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'skriptoteket-admin'
                AND wait_event_type = 'Lock') t",
        )
        .await;
        if killed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(killed, 1, "session A's change never waited");
    let err = first.await.expect("join").expect_err("killed");
    assert!(err.is_connection(), "{err:?}");
    sqlx::query("ROLLBACK").execute(&mut locker).await.expect("unlock");
    // Session B: the same admin, the same kind of change, committed meanwhile.
    let b = Stamp::new(None);
    change(&other_session, &boss, &b, &["u3@x.se"], Change::SetRole(Role::Contributor)).await.expect("B");
    assert!(!audit::change_applied(&store, a.change_id).await.expect("ask"), "A did not apply");
    assert!(audit::change_applied(&store, b.change_id).await.expect("ask"), "B did");
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE role = 'contributor'").await, 1);
}

#[tokio::test]
async fn a_revert_restores_each_accounts_value_links_to_the_change_and_can_itself_be_reverted() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let pool = &store.pool;
    let u3 = insert_user(pool, "c@x.se", Role::Contributor).await;
    let first = Stamp::new(None);
    change(&store, &boss, &first, &["u1@x.se", "u2@x.se", "c@x.se"], Change::SetRole(Role::Admin))
        .await
        .expect("promote");
    let undo = Stamp::new(reason("promoted by mistake"));
    let done = store::revert::revert(&store, &boss, &undo, first.change_id).await.expect("revert");
    assert_eq!(done.applied.len(), 3);
    assert_eq!(done.action, "set_role");
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM users WHERE role = 'user'").await,
        3,
        "u1, u2 back, u3 untouched"
    );
    assert_eq!(role_of(pool, u3).await, "contributor", "each account gets its own value back");
    let rows = rows_of(&store, undo.change_id).await;
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.reverts == Some(first.change_id) && r.action == "set_role"));
    assert!(rows.iter().all(|r| r.reason.as_deref() == Some("promoted by mistake")));
    let c = rows.iter().find(|r| r.target_email.as_deref() == Some("c@x.se")).expect("c's row");
    assert_eq!(c.before.as_ref().and_then(Restore::from_values), Some(Restore::Role(Role::Admin)));
    assert_eq!(c.after.as_ref().and_then(Restore::from_values), Some(Restore::Role(Role::Contributor)));
    // Once reverted, not again; reverting the revert redoes the change.
    let err =
        store::revert::revert(&store, &boss, &Stamp::new(None), first.change_id).await.expect_err("twice");
    assert!(matches!(err, StoreError::AlreadyReverted { by, .. } if by == undo.change_id), "{err:?}");
    store::revert::revert(&store, &boss, &Stamp::new(None), undo.change_id).await.expect("redo");
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM users WHERE role = 'admin'").await, 3);
}

#[tokio::test]
async fn a_revert_is_refused_naming_the_accounts_changed_since_and_changes_nothing() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let first = Stamp::new(None);
    change(&store, &boss, &first, &["u1@x.se", "u2@x.se"], Change::SetRole(Role::Contributor))
        .await
        .expect("set role");
    change(&store, &boss, &Stamp::new(None), &["u2@x.se"], Change::SetRole(Role::Admin))
        .await
        .expect("later");
    let before = snapshot(&store.pool).await;
    let err =
        store::revert::revert(&store, &boss, &Stamp::new(None), first.change_id).await.expect_err("stale");
    let msg = err.to_string();
    assert!(matches!(err, StoreError::RevertStale(_)), "{err:?}");
    assert!(msg.contains("u2@x.se (role admin now, the change left role contributor)"), "{msg}");
    assert!(!msg.contains("u1@x.se"), "{msg}");
    assert_eq!(snapshot(&store.pool).await, before, "nothing changed, nothing audited");
    // The dry run says the same, without writing.
    let plan = store::revert::plan(&store, &boss, first.change_id).await.expect("plan");
    assert_eq!(plan.refused.as_deref(), Some(msg.as_str()));
    assert_eq!(plan.targets.len(), 2);
}

#[tokio::test]
async fn reverting_a_deactivation_reactivates_but_revoked_sessions_stay_revoked() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let pool = &store.pool;
    let u1 = scalar_uuid(pool, "u1@x.se").await;
    insert_session(pool, u1, SessionKind::Active).await;
    let off = Stamp::new(None);
    change(&store, &boss, &off, &["u1@x.se"], Change::SetActive(false)).await.expect("deactivate");
    store::revert::revert(&store, &boss, &Stamp::new(None), off.change_id).await.expect("revert");
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM users WHERE email = 'u1@x.se' AND is_active").await, 1);
    assert_eq!(active_sessions(pool, u1).await, 0);
}

#[tokio::test]
async fn reverting_an_unlock_puts_back_a_lock_that_still_runs() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let pool = &store.pool;
    sqlx::query(
        "UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '10 minutes'
         WHERE email = 'u1@x.se'",
    )
    .execute(pool)
    .await
    .expect("lock u1");
    let unlock = Stamp::new(None);
    change(&store, &boss, &unlock, &["u1@x.se"], Change::Unlock).await.expect("unlock");
    store::revert::revert(&store, &boss, &Stamp::new(None), unlock.change_id).await.expect("revert");
    assert_eq!(
        scalar_i64(
            pool,
            "SELECT count(*) FROM users WHERE email = 'u1@x.se' AND failed_login_attempts = 5
               AND locked_until > now() + interval '9 minutes'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn reverting_a_verification_makes_the_account_unverified_again() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    insert_user_with(&store.pool, &NewUser::local("ny@x.se", Role::User).unverified()).await;
    let verify = Stamp::new(None);
    change(&store, &boss, &verify, &["ny@x.se"], Change::VerifyEmail).await.expect("verify");
    let done =
        store::revert::revert(&store, &boss, &Stamp::new(None), verify.change_id).await.expect("revert");
    assert_eq!(done.action, "unverify_email");
    assert_eq!(scalar_i64(&store.pool, "SELECT count(*) FROM users WHERE NOT email_verified").await, 1);
}

#[rstest]
#[case::delete(Change::Delete, "a deleted account cannot be brought back")]
#[case::revoke(Change::RevokeSessions, "revoked sessions cannot be restored")]
#[tokio::test]
async fn deletes_and_revoked_sessions_cannot_be_reverted(#[case] c: Change, #[case] why: &str) {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let u1 = scalar_uuid(&store.pool, "u1@x.se").await;
    insert_session(&store.pool, u1, SessionKind::Active).await;
    let stamp = Stamp::new(None);
    change(&store, &boss, &stamp, &["u1@x.se"], c).await.expect("change");
    let err = store::revert::revert(&store, &boss, &Stamp::new(None), stamp.change_id).await.expect_err("no");
    assert!(matches!(err, StoreError::NotRevertable { .. }), "{err:?}");
    assert!(err.to_string().contains(why), "{err}");
    let err = store::revert::revert(&store, &boss, &Stamp::new(None), Uuid::new_v4()).await.expect_err("no");
    assert!(matches!(err, StoreError::NoSuchChange(_)), "{err:?}");
}

#[tokio::test]
async fn a_revert_keeps_to_the_actors_rights() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let admin = seed_actor(&store.pool, "admin@x.se", Role::Admin).await;
    let promote = Stamp::new(None);
    change(&store, &boss, &promote, &["u1@x.se"], Change::SetRole(Role::Admin)).await.expect("promote");
    // Demoting an admin is a superuser's job: an admin may not revert the promotion.
    let before = snapshot(&store.pool).await;
    let err =
        store::revert::revert(&store, &admin, &Stamp::new(None), promote.change_id).await.expect_err("no");
    assert!(matches!(err, StoreError::Denied { ref email, .. } if email == "u1@x.se"), "{err:?}");
    assert_eq!(snapshot(&store.pool).await, before);
}

#[tokio::test]
async fn a_plan_locks_and_writes_nothing_and_refuses_where_the_change_would() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let pool = &store.pool;
    let xmin = || async {
        sqlx::query_scalar::<_, String>("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM users")
            .fetch_one(pool)
            .await
            .expect("xmin")
    };
    let (rows_before, xmin_before) = (snapshot(pool).await, xmin().await);
    let targets = [by_email("u1@x.se"), by_email("boss@x.se")];
    let plan =
        store::change::plan(&store, &boss, &targets[..1], &Change::SetActive(false)).await.expect("plan");
    assert!(plan.could_run(), "{plan:?}");
    assert_eq!(plan.targets[0].after["is_active"], false);
    let plan = store::change::plan(&store, &boss, &targets, &Change::SetActive(false)).await.expect("plan");
    assert!(plan.refused.as_deref().is_some_and(|r| r.contains("own account")), "{plan:?}");
    let plan =
        store::change::plan(&store, &boss, &[by_email("nobody@x.se")], &Change::Unlock).await.expect("plan");
    assert!(plan.refused.as_deref().is_some_and(|r| r.contains("nobody@x.se")), "{plan:?}");
    assert_eq!(snapshot(pool).await, rows_before);
    assert_eq!(xmin().await, xmin_before, "no row was written, not even a lock");
}

async fn scalar_uuid(pool: &sqlx::PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(pool).await.expect("id")
}

#[tokio::test]
async fn a_revert_never_shuts_out_its_actor_nor_restores_an_unknown_role() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let pool = &store.pool;
    // Another superuser verified the boss's address; the boss may not revert that.
    let other = seed_actor(pool, "other@x.se", Role::Superuser).await;
    sqlx::query("UPDATE users SET email_verified = false WHERE id = $1")
        .bind(boss.id)
        .execute(pool)
        .await
        .expect("unverify");
    let verify = Stamp::new(None);
    change(&store, &other, &verify, &["boss@x.se"], Change::VerifyEmail).await.expect("verify");
    let err =
        store::revert::revert(&store, &boss, &Stamp::new(None), verify.change_id).await.expect_err("own");
    assert!(matches!(err, StoreError::Denied { ref email, .. } if email == "boss@x.se"), "{err:?}");
    // A role the web app does not know is never written back.
    sqlx::query("UPDATE users SET role = 'Admin ' WHERE email = 'u1@x.se'")
        .execute(pool)
        .await
        .expect("odd role");
    let promote = Stamp::new(None);
    change(&store, &boss, &promote, &["u1@x.se"], Change::SetRole(Role::Contributor)).await.expect("set");
    let err = store::revert::revert(&store, &boss, &Stamp::new(None), promote.change_id)
        .await
        .expect_err("unknown");
    assert!(matches!(err, StoreError::NotRevertable { .. }), "{err:?}");
    assert_eq!(role_of(pool, scalar_uuid(pool, "u1@x.se").await).await, "contributor");
}

#[tokio::test]
async fn a_lock_that_ran_out_is_not_put_back_and_the_audit_says_what_was_written() {
    let (_db, store) = live_store().await;
    let boss = team(&store).await;
    let pool = &store.pool;
    sqlx::query(
        "UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '2 seconds' WHERE email = 'u1@x.se'",
    )
    .execute(pool)
    .await
    .expect("lock");
    let unlock = Stamp::new(None);
    change(&store, &boss, &unlock, &["u1@x.se"], Change::Unlock).await.expect("unlock");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let undo = Stamp::new(None);
    store::revert::revert(&store, &boss, &undo, unlock.change_id).await.expect("revert");
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM users WHERE email = 'u1@x.se' AND failed_login_attempts = 5 AND locked_until IS NULL").await,
        1
    );
    let rows = rows_of(&store, undo.change_id).await;
    assert_eq!(rows[0].after.as_ref().and_then(|a| a.get("locked")).and_then(|v| v.as_bool()), Some(false));
    // So the revert of the revert is not refused as stale for ever.
    store::revert::revert(&store, &boss, &Stamp::new(None), undo.change_id).await.expect("redo");
}

#[tokio::test]
async fn a_dry_run_never_waits_for_the_superuser_lock() {
    let (db, store) = live_store().await;
    let boss = team(&store).await;
    seed_actor(&store.pool, "s2@x.se", Role::Superuser).await;
    // Another admin's change holds the superuser lock.
    let mut holder = sqlx::PgConnection::connect(db.url()).await.expect("connect");
    sqlx::query("BEGIN").execute(&mut holder).await.expect("begin");
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(skriptoteket_admin::store::targets::LAST_SUPERUSER_LOCK)
        .execute(&mut holder)
        .await
        .expect("lock");
    let plan = store::change::plan(&store, &boss, &[by_email("s2@x.se")], &Change::SetRole(Role::Admin))
        .await
        .expect("plan");
    // Had it taken the lock, it would have given up after the lock timeout, refused as busy.
    assert!(plan.could_run(), "{plan:?}");
    sqlx::query("ROLLBACK").execute(&mut holder).await.expect("unlock");
}
