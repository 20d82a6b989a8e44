//! Signing in as an admin: `store::login::authenticate`.

mod common;

use common::*;
use skriptoteket_admin::domain::{Denied, Role};
use skriptoteket_admin::store::{self, StoreError};

both_shapes! {
    async fn right_password_signs_in_admins_and_superusers(shape: Shape) {
        let (_db, store) = shape.store().await;
        let pool = &store.pool;
        for role in [Role::Admin, Role::Superuser] {
            let addr = format!("{role}@example.se");
            let id = insert_user(pool, &addr, role).await;
            let before = table_json(pool, "users").await;
            // The email is normalised before lookup, as the web app does.
            let typed = format!("  {}  ", addr.to_uppercase());
            let actor = store::login::authenticate(&store, &typed, &secret(PASSWORD))
                .await
                .unwrap_or_else(|e| panic!("{role}: {e}"));
            assert_eq!(actor.id, id);
            assert_eq!(actor.email, addr);
            assert_eq!(actor.role, role);
            assert_eq!(table_json(pool, "users").await, before, "signing in changes no account");
            let signed_in = format!(
                "SELECT count(*) FROM admin_audit_log WHERE action = 'sign_in' AND target_id = '{id}' AND actor_id = '{id}'"
            );
            assert_eq!(scalar_i64(pool, &signed_in).await, 1, "the sign-in is audited");
        }
    }
}

both_shapes! {
    async fn wrong_password_and_unknown_email_read_the_same(shape: Shape) {
        let (_db, store) = shape.store().await;
        let pool = &store.pool;
        insert_user(pool, "admin@example.se", Role::Admin).await;
        let wrong = store::login::authenticate(&store, "admin@example.se", &secret("not the password"))
            .await
            .expect_err("wrong password");
        assert!(matches!(wrong, StoreError::InvalidCredentials), "{wrong:?}");
        assert_eq!(wrong.to_string(), "Invalid admin credentials.");
        let unknown = store::login::authenticate(&store, "nobody@example.se", &secret(PASSWORD))
            .await
            .expect_err("unknown email");
        assert!(matches!(unknown, StoreError::InvalidCredentials), "{unknown:?}");
        let empty = store::login::authenticate(&store, "admin@example.se", &secret(""))
            .await
            .expect_err("empty password");
        assert!(matches!(empty, StoreError::InvalidCredentials), "{empty:?}");
    }
}

both_shapes! {
    async fn inactive_account_is_refused_after_the_password(shape: Shape) {
        let (_db, store) = shape.store().await;
        let pool = &store.pool;
        insert_user_with(pool, &NewUser::local("off@example.se", Role::Superuser).inactive()).await;
        let err = store::login::authenticate(&store, "off@example.se", &secret(PASSWORD))
            .await
            .expect_err("inactive");
        assert!(matches!(&err, StoreError::AccountInactive(e) if e == "off@example.se"), "{err:?}");
        // Without the password, nothing about the account is revealed.
        let err = store::login::authenticate(&store, "off@example.se", &secret("wrong password"))
            .await
            .expect_err("wrong password");
        assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
    }
}

both_shapes! {
    async fn users_and_contributors_are_not_admins(shape: Shape) {
        let (_db, store) = shape.store().await;
        let pool = &store.pool;
        for role in [Role::User, Role::Contributor] {
            let addr = format!("{role}@example.se");
            insert_user(pool, &addr, role).await;
            let err = store::login::authenticate(&store, &addr, &secret(PASSWORD))
                .await
                .expect_err("not an admin");
            assert!(
                matches!(&err, StoreError::Denied { email, reason: Denied::NotAnAdmin } if *email == addr),
                "{role}: {err:?}"
            );
        }
    }
}

both_shapes! {
    async fn federated_accounts_cannot_sign_in(shape: Shape) {
        let (_db, store) = shape.store().await;
        let pool = &store.pool;
        // The usual federated account: no password at all.
        insert_user_with(pool, &NewUser::federated("fed@example.se", Role::Superuser)).await;
        let err = store::login::authenticate(&store, "fed@example.se", &secret(PASSWORD))
            .await
            .expect_err("federated");
        assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
        // Even one that somehow carries a matching hash.
        let mut odd = NewUser::federated("odd@example.se", Role::Superuser);
        odd.password_hash = Some(password_hash());
        insert_user_with(pool, &odd).await;
        let err = store::login::authenticate(&store, "odd@example.se", &secret(PASSWORD))
            .await
            .expect_err("federated with a hash");
        assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
    }
}

#[tokio::test]
async fn locked_account_is_refused_until_the_lock_expires() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let id = insert_user(pool, "locked@example.se", Role::Admin).await;
    sqlx::query(
        "UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '15 minutes' WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    let err =
        store::login::authenticate(&store, "locked@example.se", &secret(PASSWORD)).await.expect_err("locked");
    assert!(matches!(&err, StoreError::AccountLocked(e) if e == "locked@example.se"), "{err:?}");
    let err = store::login::authenticate(&store, "locked@example.se", &secret("wrong password"))
        .await
        .expect_err("wrong password");
    assert!(matches!(err, StoreError::AccountLocked(_)), "a locked account is not checked: {err:?}");

    // A lock in the past no longer counts.
    sqlx::query("UPDATE users SET locked_until = now() - interval '1 minute' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    let actor = store::login::authenticate(&store, "locked@example.se", &secret(PASSWORD))
        .await
        .expect("lock expired");
    assert_eq!(actor.id, id);
}

#[tokio::test]
async fn a_database_without_users_needs_migrate() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let err = store::login::authenticate(&store, "a@example.se", &secret(PASSWORD))
        .await
        .expect_err("no users table");
    assert!(matches!(err, StoreError::NeedsMigrate), "{err:?}");
}

/// A wrong email costs a full argon2 verification too (against a dummy hash), so timing
/// does not tell which emails exist. Generous bound: the two differ by orders of
/// magnitude when the dummy is skipped.
#[tokio::test]
async fn unknown_email_takes_as_long_as_a_wrong_password() {
    let (_db, store) = migrated_store().await;
    insert_user(&store.pool, "admin@example.se", Role::Admin).await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let _ = store::login::authenticate(&store, "admin@example.se", &secret("wrong password")).await;
        known.push(t.elapsed());
        let t = std::time::Instant::now();
        let _ = store::login::authenticate(&store, "nobody@example.se", &secret("wrong password")).await;
        unknown.push(t.elapsed());
    }
    known.sort();
    unknown.sort();
    assert!(unknown[1] * 3 >= known[1], "unknown email {:?} vs wrong password {:?}", unknown, known);
}

#[tokio::test]
async fn wrong_passwords_count_and_lock_like_the_web_app() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    insert_user(pool, "admin@example.se", Role::Admin).await;
    for _ in 0..4 {
        let e = store::login::authenticate(&store, "admin@example.se", &secret("wrong")).await.unwrap_err();
        assert!(matches!(e, StoreError::InvalidCredentials));
    }
    assert_eq!(scalar_i64(pool, "SELECT failed_login_attempts::bigint FROM users").await, 4);
    assert!(store::login::authenticate(&store, "admin@example.se", &secret(PASSWORD)).await.is_ok());
    assert_eq!(
        scalar_i64(pool, "SELECT failed_login_attempts::bigint FROM users").await,
        0,
        "a success resets"
    );
    for _ in 0..5 {
        let _ = store::login::authenticate(&store, "admin@example.se", &secret("wrong")).await;
    }
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM users WHERE locked_until > now() + interval '14 minutes'")
            .await,
        1
    );
    let e = store::login::authenticate(&store, "admin@example.se", &secret(PASSWORD)).await.unwrap_err();
    assert!(matches!(e, StoreError::AccountLocked(_)), "{e:?}");
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM admin_audit_log WHERE action = 'sign_in_failed'").await,
        9
    );
}
