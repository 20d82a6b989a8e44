//! Signing in: `store::login::authenticate` follows the web app's login step for step (the
//! refusals in its order, its column updates, its `login_events` rows), and the accounts
//! this tool creates pass a re-implementation of that login written from the identity
//! document.

mod common;

use common::*;
use rstest::rstest;
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::{Denied, Role};
use skriptoteket_admin::store::login::Origin;
use skriptoteket_admin::store::{self, Actor, Store, StoreError};
use sqlx::PgPool;

fn origin() -> Origin {
    Origin { user_agent: "skriptoteket-admin/test (cli)".into(), ip_address: Some("192.0.2.9".into()) }
}

async fn sign_in(store: &Store, email: &str, password: &str) -> Result<Actor, StoreError> {
    store::login::authenticate(store, email, &secret(password), &origin()).await
}

/// (failed_login_attempts, locked, last_failed_login_at set, last_login_at set) of `email`.
async fn counters(pool: &PgPool, email: &str) -> (i32, bool, bool, bool) {
    sqlx::query_as(
        "SELECT failed_login_attempts, COALESCE(locked_until > now(), false),
                last_failed_login_at IS NOT NULL, last_login_at IS NOT NULL
         FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .expect("counters")
}

/// The login events, oldest first: (user email or NULL, status, failure_code, auth_provider).
async fn events(pool: &PgPool) -> Vec<(Option<String>, String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT u.email::text, e.status::text, e.failure_code::text, e.auth_provider::text
         FROM login_events e LEFT JOIN users u ON u.id = e.user_id ORDER BY e.created_at, e.id",
    )
    .fetch_all(pool)
    .await
    .expect("login events")
}

fn failure(email: Option<&str>, code: &str) -> (Option<String>, String, Option<String>, String) {
    (email.map(str::to_string), "failure".into(), Some(code.into()), "local".into())
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn right_password_signs_in_admins_and_superusers(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    for role in [Role::Admin, Role::Superuser] {
        let addr = format!("{role}@example.se");
        let id = insert_user(pool, &addr, role).await;
        // The email is normalised before lookup, as the web app does.
        let typed = format!("  {}  ", addr.to_uppercase());
        let actor = sign_in(&store, &typed, PASSWORD).await.unwrap_or_else(|e| panic!("{role}: {e}"));
        assert_eq!((actor.id, actor.email.as_str(), actor.role), (id, addr.as_str(), role));
        let signed_in = format!(
            "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'sign_in' AND target_id = '{id}' AND actor_id = '{id}'"
        );
        assert_eq!(scalar_i64(pool, &signed_in).await, 1, "the sign-in is audited");
        assert!(updated_recently(pool, id).await, "updated_at is written, as the web app does");
    }
}

#[tokio::test]
async fn a_success_updates_the_columns_and_logs_an_event_the_web_app_shows() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let id = insert_user(pool, "admin@example.se", Role::Admin).await;
    sqlx::query("UPDATE users SET failed_login_attempts = 3, last_failed_login_at = now() WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();

    sign_in(&store, "admin@example.se", PASSWORD).await.expect("sign in");

    // Cleared, with last_login_at set; last_failed_login_at is left as it was.
    assert_eq!(counters(pool, "admin@example.se").await, (0, false, true, true));
    #[derive(sqlx::FromRow)]
    struct Event {
        user_id: Option<uuid::Uuid>,
        status: String,
        failure_code: Option<String>,
        ip_address: Option<String>,
        user_agent: Option<String>,
        auth_provider: String,
        correlation_id: Option<uuid::Uuid>,
    }
    let e: Event = sqlx::query_as(
        "SELECT user_id, status, failure_code, ip_address, user_agent, auth_provider, correlation_id
         FROM login_events",
    )
    .fetch_one(pool)
    .await
    .expect("one login event");
    assert_eq!(e.user_id, Some(id));
    assert_eq!((e.status.as_str(), e.failure_code), ("success", None));
    assert_eq!(e.ip_address.as_deref(), Some("192.0.2.9"));
    assert_eq!(e.user_agent.as_deref(), Some("skriptoteket-admin/test (cli)"));
    assert_eq!(e.auth_provider, "local");
    assert!(e.correlation_id.is_some());
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM sessions").await,
        0,
        "the console opens no web session"
    );
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn wrong_password_and_unknown_email_read_the_same(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    insert_user(&store.pool, "admin@example.se", Role::Admin).await;
    for (email, password) in
        [("admin@example.se", "not the password"), ("nobody@example.se", PASSWORD), ("admin@example.se", "")]
    {
        let err = sign_in(&store, email, password).await.expect_err("refused");
        assert!(matches!(err, StoreError::InvalidCredentials), "{email}: {err:?}");
        assert_eq!(err.to_string(), "Invalid admin credentials.");
    }
    if shape.is_live() {
        assert_eq!(
            events(&store.pool).await,
            [
                failure(Some("admin@example.se"), "INVALID_CREDENTIALS"),
                failure(None, "INVALID_CREDENTIALS"),
                failure(Some("admin@example.se"), "INVALID_CREDENTIALS"),
            ],
            "an unknown email is logged without a user"
        );
    }
}

/// Step 1 before step 2 before step 3 before step 4, and only step 3 counts.
#[tokio::test]
async fn refusals_come_in_the_web_apps_order_and_only_a_wrong_password_counts() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    insert_user_with(pool, &NewUser::local("off@example.se", Role::Superuser).inactive()).await;
    let fed =
        NewUser { password_hash: Some(password_hash()), ..NewUser::federated("fed@example.se", Role::Admin) };
    insert_user_with(pool, &fed).await;
    let locked = insert_user(pool, "locked@example.se", Role::Admin).await;
    sqlx::query("UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '10 minutes' WHERE id = $1")
        .bind(locked)
        .execute(pool)
        .await
        .unwrap();
    insert_user_with(pool, &NewUser::local("new@example.se", Role::Admin).unverified()).await;

    // 1. Inactive or federated: invalid credentials even with the right password.
    for email in ["off@example.se", "fed@example.se"] {
        let err = sign_in(&store, email, PASSWORD).await.expect_err("step 1");
        assert!(matches!(err, StoreError::InvalidCredentials), "{email}: {err:?}");
        assert_eq!(counters(pool, email).await, (0, false, false, false), "{email}: nothing counted");
    }
    // 2. Locked: refused without checking the password, nothing counted.
    for password in [PASSWORD, "wrong"] {
        let err = sign_in(&store, "locked@example.se", password).await.expect_err("step 2");
        assert!(
            matches!(&err, StoreError::AccountLocked { email, .. } if email == "locked@example.se"),
            "{err:?}"
        );
        assert!(err.to_string().contains("until"), "the lock's end is named: {err}");
    }
    assert_eq!(counters(pool, "locked@example.se").await, (5, true, false, false));
    // 3 before 4: an unverified account with a wrong password counts a failure...
    let err = sign_in(&store, "new@example.se", "wrong").await.expect_err("step 3");
    assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
    assert_eq!(counters(pool, "new@example.se").await, (1, false, true, false));
    // 4. ...and with the right one is refused as unverified, counting nothing.
    let err = sign_in(&store, "new@example.se", PASSWORD).await.expect_err("step 4");
    assert!(matches!(&err, StoreError::EmailNotVerified(e) if e == "new@example.se"), "{err:?}");
    assert_eq!(counters(pool, "new@example.se").await, (1, false, true, false));

    assert_eq!(
        events(pool).await,
        [
            failure(Some("off@example.se"), "INVALID_CREDENTIALS"),
            (
                Some("fed@example.se".into()),
                "failure".into(),
                Some("INVALID_CREDENTIALS".into()),
                "huleedu".into()
            ),
            failure(Some("locked@example.se"), "ACCOUNT_LOCKED"),
            failure(Some("locked@example.se"), "ACCOUNT_LOCKED"),
            failure(Some("new@example.se"), "INVALID_CREDENTIALS"),
            failure(Some("new@example.se"), "EMAIL_NOT_VERIFIED"),
        ]
    );
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn users_and_contributors_are_not_admins(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    for role in [Role::User, Role::Contributor] {
        let addr = format!("{role}@example.se");
        insert_user(&store.pool, &addr, role).await;
        let err = sign_in(&store, &addr, PASSWORD).await.expect_err("not an admin");
        assert!(matches!(err, StoreError::Denied { reason: Denied::NotAnAdmin, .. }), "{err:?}");
        // A wrong password still reads as one: the role is only told to the account's owner.
        let err = sign_in(&store, &addr, "wrong").await.expect_err("wrong password");
        assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
    }
    if shape.is_live() {
        assert_eq!(
            events(&store.pool).await[0],
            failure(Some("user@example.se"), "FORBIDDEN"),
            "the console's own refusal is logged as a failure"
        );
    }
}

#[tokio::test]
async fn wrong_passwords_count_and_lock_like_the_web_app() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let id = insert_user(pool, "admin@example.se", Role::Admin).await;
    for _ in 0..4 {
        let e = sign_in(&store, "admin@example.se", "wrong").await.unwrap_err();
        assert!(matches!(e, StoreError::InvalidCredentials), "{e:?}");
    }
    assert_eq!(counters(pool, "admin@example.se").await, (4, false, true, false));
    // The 5th locks, and says so at once.
    let e = sign_in(&store, "admin@example.se", "wrong").await.unwrap_err();
    assert!(matches!(e, StoreError::AccountLocked { .. }), "{e:?}");
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM users WHERE locked_until > now() + interval '14 minutes'")
            .await,
        1
    );
    assert_eq!(events(pool).await.last(), Some(&failure(Some("admin@example.se"), "ACCOUNT_LOCKED")));
    let e = sign_in(&store, "admin@example.se", PASSWORD).await.unwrap_err();
    assert!(matches!(e, StoreError::AccountLocked { .. }), "{e:?}");
    assert_eq!(counters(pool, "admin@example.se").await.0, 5, "a locked account counts nothing");

    // After the lock runs out, one more wrong password locks again at once (5 or more).
    sqlx::query("UPDATE users SET locked_until = now() - interval '1 minute' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    let e = sign_in(&store, "admin@example.se", "wrong").await.unwrap_err();
    assert!(matches!(e, StoreError::AccountLocked { .. }), "{e:?}");
    assert_eq!(counters(pool, "admin@example.se").await, (6, true, true, false));

    // And after that one, the right password clears everything.
    sqlx::query("UPDATE users SET locked_until = now() - interval '1 minute' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    sign_in(&store, "admin@example.se", PASSWORD).await.expect("lock expired");
    assert_eq!(counters(pool, "admin@example.se").await, (0, false, true, true));
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM users WHERE locked_until IS NULL").await,
        1,
        "a success sets locked_until to NULL"
    );
    assert_eq!(
        scalar_i64(
            pool,
            "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'sign_in_failed'"
        )
        .await,
        7
    );
}

#[tokio::test]
async fn the_counter_the_event_and_the_audit_row_are_one_transaction() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    insert_user(pool, "admin@example.se", Role::Admin).await;
    db.exec(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON skriptoteket_admin.admin_audit_log FOR EACH ROW EXECUTE FUNCTION refuse();",
    )
    .await;
    let err = sign_in(&store, "admin@example.se", "wrong").await.expect_err("wrong password");
    assert!(matches!(err, StoreError::InvalidCredentials), "the outcome stands: {err:?}");
    assert_eq!(counters(pool, "admin@example.se").await, (0, false, false, false), "rolled back");
    assert!(events(pool).await.is_empty(), "rolled back");
}

#[tokio::test]
async fn a_database_without_users_says_to_run_the_web_apps_migrations() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let err = sign_in(&store, "a@example.se", PASSWORD).await.expect_err("no users table");
    assert!(matches!(err, StoreError::NoUsersTable), "{err:?}");
}

/// A wrong email costs a full argon2 verification too (against a dummy hash), so timing
/// does not tell which emails exist. Generous bound: the two differ by orders of
/// magnitude when the dummy is skipped.
#[tokio::test]
async fn unknown_email_takes_as_long_as_a_wrong_password() {
    let (_db, store) = old_store().await;
    insert_user(&store.pool, "admin@example.se", Role::Admin).await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let _ = sign_in(&store, "admin@example.se", "wrong password").await;
        known.push(t.elapsed());
        let t = std::time::Instant::now();
        let _ = sign_in(&store, "nobody@example.se", "wrong password").await;
        unknown.push(t.elapsed());
    }
    known.sort();
    unknown.sort();
    assert!(unknown[1] * 3 >= known[1], "unknown email {:?} vs wrong password {:?}", unknown, known);
}

/// The web app's login, re-implemented from the identity document (steps 1, 2, 4 and the
/// hash check of 3): `Ok` when the web app would let `email` in with `password`.
async fn web_app_login(pool: &PgPool, email: &str, password: &str) -> Result<(), &'static str> {
    let email = email.trim().to_lowercase();
    #[derive(sqlx::FromRow)]
    struct Account {
        is_active: bool,
        auth_provider: String,
        password_hash: Option<String>,
        locked: Option<bool>,
        email_verified: bool,
    }
    let row: Option<Account> = sqlx::query_as(
        "SELECT is_active, auth_provider, password_hash, locked_until > now() AS locked, email_verified
         FROM users WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(pool)
    .await
    .expect("read the account");
    let Some(a) = row else { return Err("INVALID_CREDENTIALS") };
    let Some(hash) = a.password_hash.filter(|h| !h.is_empty() && a.is_active && a.auth_provider == "local")
    else {
        return Err("INVALID_CREDENTIALS");
    };
    if a.locked == Some(true) {
        return Err("ACCOUNT_LOCKED");
    }
    if !hasher::verify(&secret(password), &hash) {
        return Err("INVALID_CREDENTIALS");
    }
    if !a.email_verified {
        return Err("EMAIL_NOT_VERIFIED");
    }
    Ok(())
}

#[tokio::test]
async fn accounts_this_tool_creates_pass_the_web_apps_login() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let root = store::create::bootstrap(
        &store,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("root@example.se"),
        password_hash(),
    )
    .await
    .expect("bootstrap");
    let actor = Actor { id: root.id, email: root.email.clone(), role: Role::Superuser };
    store::create::provision(
        &store,
        &actor,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("Ny.Larare@Skola.se"),
        Role::User,
        password_hash(),
    )
    .await
    .expect("provision");
    for who in ["root@example.se", "ny.larare@skola.se"] {
        assert_eq!(web_app_login(pool, who, PASSWORD).await, Ok(()), "{who}");
        assert_eq!(web_app_login(pool, who, "wrong").await, Err("INVALID_CREDENTIALS"), "{who}");
    }
    // The shape of the web app's own provisioning, as one line of text per account.
    let shape: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws(' ', u.auth_provider, u.is_active, u.email_verified, u.failed_login_attempts,
                          u.locked_until IS NULL, u.last_login_at IS NULL, u.last_failed_login_at IS NULL,
                          u.external_id IS NULL, p.locale)
         FROM users u JOIN user_profiles p ON p.user_id = u.id ORDER BY u.email",
    )
    .fetch_all(pool)
    .await
    .expect("read the created rows");
    assert_eq!(shape, ["local t t 0 t t t t sv-SE"; 2], "each account has its profile");
    // And the check itself can fail: a self-registered account is refused.
    insert_user_with(pool, &NewUser::local("self@example.se", Role::User).unverified()).await;
    assert_eq!(web_app_login(pool, "self@example.se", PASSWORD).await, Err("EMAIL_NOT_VERIFIED"));
}
