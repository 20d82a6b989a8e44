//! `with_new_password(ResetPassword)`: the new hash, sessions, federated accounts, audit.

mod common;

use rstest::rstest;

use common::*;
use serde_json::json;
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::Change;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{self, StoreError};

const NEW_PASSWORD: &str = "a brand new password";

fn reset(revoke_sessions: bool) -> Change {
    Change::ResetPassword { revoke_sessions }
}

/// Applies a reset to NEW_PASSWORD.
async fn with_new_password(
    store: &store::Store,
    actor: &store::Actor,
    targets: &[Target],
    change: &Change,
) -> Result<Vec<skriptoteket_admin::domain::Applied>, StoreError> {
    let hash = hasher::hash(&secret(NEW_PASSWORD)).expect("hash");
    apply_with_hash(store, actor, targets, change, Some(&hash)).await
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn reset_writes_a_verifiable_hash_and_revokes_active_sessions(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let u = insert_user(pool, "u@example.se", Role::User).await;
    let (active, expired, revoked) = insert_sessions(pool, u).await;
    let active2 = insert_session(pool, u, SessionKind::Active).await;
    let bystander = insert_user(pool, "other@example.se", Role::User).await;
    let other_session = insert_session(pool, bystander, SessionKind::Active).await;
    age_updated_at(pool, &[u]).await;

    let applied =
        with_new_password(&store, &su, &[Target::email("u@example.se")], &reset(true)).await.expect("reset");
    assert_eq!(applied.len(), 1);
    assert!(applied[0].changed);
    assert_eq!(applied[0].sessions_revoked, 2);

    let hash = password_hash_of(pool, u).await.expect("a hash");
    assert!(hash.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"), "{hash}");
    assert!(hasher::verify(&secret(NEW_PASSWORD), &hash));
    assert!(!hasher::verify(&secret(PASSWORD), &hash), "the old password no longer works");
    assert!(updated_recently(pool, u).await);

    assert!(revoked_at(pool, active).await.is_some());
    assert!(revoked_at(pool, active2).await.is_some());
    assert_eq!(revoked_at(pool, expired).await, None, "expired sessions are left alone");
    assert_eq!(revoked_at(pool, revoked).await.as_deref(), Some("2001-02-03 04:05:06"), "revoked_at kept");
    assert_eq!(revoked_at(pool, other_session).await, None, "other users' sessions untouched");
    assert_eq!(active_sessions(pool, u).await, 0);
    let recent: bool =
        sqlx::query_scalar("SELECT revoked_at > now() - interval '1 minute' FROM sessions WHERE id = $1")
            .bind(active)
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(recent, "revoked with now()");

    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 1);
    let (action, actor, target, before, after) = &audit[0];
    assert_eq!(action, "reset_password");
    assert_eq!(*actor, Some(su.id));
    assert_eq!(*target, Some(u));
    assert_eq!(before.clone().unwrap(), json!({"active_sessions": 2}));
    assert_eq!(after.clone().unwrap(), json!({"password": "reset", "sessions_revoked": 2}));
    let whole: String =
        scalar_text(pool, "SELECT json_agg(a)::text FROM skriptoteket_admin.admin_audit_log a").await;
    assert!(!whole.contains("argon2") && !whole.contains(NEW_PASSWORD), "no secret in the log");

    // And the account signs in with the new password (an admin, to use the login path).
    let admin = insert_user(pool, "admin@example.se", Role::Admin).await;
    with_new_password(&store, &su, &[Target::email("admin@example.se")], &reset(false)).await.unwrap();
    let actor = store::login::authenticate(
        &store,
        "admin@example.se",
        &secret(NEW_PASSWORD),
        &skriptoteket_admin::store::login::Origin::current("tests"),
    )
    .await
    .expect("new password signs in");
    assert_eq!(actor.id, admin);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn reset_without_revoking_keeps_sessions(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let u = insert_user(pool, "u@example.se", Role::Contributor).await;
    let (active, _, _) = insert_sessions(pool, u).await;
    let sessions_before = table_json(pool, "sessions").await;
    let applied = with_new_password(&store, &admin, &[Target::email("u@example.se")], &reset(false))
        .await
        .expect("admin resets a contributor");
    assert_eq!(applied[0].sessions_revoked, 0);
    assert!(hasher::verify(&secret(NEW_PASSWORD), &password_hash_of(pool, u).await.unwrap()));
    assert_eq!(table_json(pool, "sessions").await, sessions_before);
    assert_eq!(revoked_at(pool, active).await, None);
    let audit = audit_rows(pool).await;
    assert_eq!(audit[0].4.clone().unwrap(), json!({"password": "reset", "sessions_revoked": 0}));
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn federated_accounts_have_no_password_to_reset(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let fed = insert_user_with(pool, &NewUser::federated("fed@example.se", Role::User)).await;
    insert_session(pool, fed, SessionKind::Active).await;
    insert_user(pool, "local@example.se", Role::User).await;
    let before = snapshot(pool).await;

    let err = with_new_password(&store, &su, &[Target::email("fed@example.se")], &reset(true))
        .await
        .expect_err("federated");
    assert!(matches!(&err, StoreError::Federated(e) if e == "fed@example.se"), "{err:?}");
    // Several accounts at once are refused outright: one hash would give them all the
    // same password.
    let err = with_new_password(
        &store,
        &su,
        &[Target::email("local@example.se"), Target::email("fed@example.se")],
        &reset(true),
    )
    .await
    .expect_err("bulk reset");
    assert!(err.to_string().contains("one account at a time"), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
    assert_eq!(password_hash_of(pool, fed).await, None);
    assert_eq!(active_sessions(pool, fed).await, 1);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn a_superuser_may_reset_their_own_password(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    with_new_password(&store, &su, &[Target::email("root@example.se")], &reset(false))
        .await
        .expect("own password");
    assert!(hasher::verify(&secret(NEW_PASSWORD), &password_hash_of(pool, su.id).await.unwrap()));
}

async fn scalar_text(pool: &sqlx::PgPool, sql: &'static str) -> String {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// A reset means "let them in": an account locked after failed logins would refuse the new
/// password (the web app checks the lock first) until the lock ran out. The reset lifts
/// it in the same change, and the audit row says what it was.
#[tokio::test]
async fn a_reset_lifts_the_lock_so_the_new_password_signs_in() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    // An admin, since only admins sign in to this tool (the web app's steps are the same).
    let u = insert_user(pool, "locked@example.se", Role::Admin).await;
    sqlx::query(
        "UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '15 minutes' WHERE id = $1",
    )
    .bind(u)
    .execute(pool)
    .await
    .expect("lock");

    let applied = with_new_password(&store, &su, &[Target::email("locked@example.se")], &reset(false))
        .await
        .expect("reset");
    assert!(applied[0].unlocked);
    assert_eq!(reset(false).outcome_for(&applied[0]), "password reset, lock lifted");

    let lock = scalar_i64(
        pool,
        "SELECT count(*) FROM users WHERE email = 'locked@example.se' AND failed_login_attempts = 0 AND locked_until IS NULL",
    )
    .await;
    assert_eq!(lock, 1, "lock lifted");
    let origin = store::login::Origin::current("test");
    store::login::authenticate(&store, "locked@example.se", &secret(NEW_PASSWORD), &origin)
        .await
        .expect("the new password signs in at once");
    let audit = audit_rows(pool).await;
    let (_, _, _, before, after) = audit.iter().find(|a| a.0 == "reset_password").expect("audited");
    let (before, after) = (before.clone().expect("before"), after.clone().expect("after"));
    assert_eq!(before["locked"], json!(true));
    assert_eq!(before["failed_login_attempts"], json!(5));
    assert_eq!(after["locked"], json!(false));
    assert_eq!(after["failed_login_attempts"], json!(0));
}

#[tokio::test]
async fn the_confirmation_of_a_reset_says_the_lock_goes_too() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    insert_user(pool, "locked@example.se", Role::User).await;
    sqlx::query("UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '15 minutes'")
        .execute(pool)
        .await
        .expect("lock");
    let rows = store::users::list(&store, &Default::default()).await.expect("list");
    let lines = reset(true).confirmation(&rows.iter().collect::<Vec<_>>());
    assert!(lines.iter().any(|l| l.contains("the lock is lifted too")), "{lines:?}");
}
