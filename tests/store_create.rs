//! Creating accounts: provisioning by admins and superusers, and bootstrap of the first
//! superuser.

mod common;

use rstest::rstest;

use common::*;
use serde_json::json;
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::{Denied, Role};
use skriptoteket_admin::store::{self, StoreError};
use sqlx::PgPool;
use uuid::Uuid;

async fn profiles(pool: &PgPool) -> i64 {
    scalar_i64(pool, "SELECT count(*) FROM user_profiles").await
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn superuser_provisions_every_role(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    for role in Role::ALL {
        let addr = format!("new-{role}@example.se");
        let row = store::create::provision(
            &store,
            &su,
            &skriptoteket_admin::domain::Stamp::new(None),
            &email(&addr),
            role,
            password_hash(),
        )
        .await
        .unwrap_or_else(|e| panic!("{role}: {e}"));
        assert_eq!(row.email, addr);
        assert_eq!(row.role, role);
        let (db_role, provider, active, hash, ext): (String, String, bool, Option<String>, Option<String>) =
            sqlx::query_as(
                "SELECT role::text, auth_provider::text, is_active, password_hash::text, external_id::text
                 FROM users WHERE id = $1",
            )
            .bind(row.id)
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(db_role, role.as_str());
        assert_eq!(provider, "local");
        assert!(active);
        assert_eq!(hash.as_deref(), Some(password_hash()));
        assert_eq!(ext, None);
        assert_eq!(row.id.get_version_num(), 4, "ids are uuid v4");
    }
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM users").await, 5);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn provision_writes_an_audit_row_and_a_profile(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let row = store::create::provision(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("  Ny.Person@Example.SE "),
        Role::Contributor,
        password_hash(),
    )
    .await
    .expect("admin provisions a contributor");
    assert_eq!(row.email, "ny.person@example.se", "stored normalised");
    let stored: String = sqlx::query_scalar("SELECT email::text FROM users WHERE id = $1")
        .bind(row.id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(stored, "ny.person@example.se");

    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 1);
    let (action, actor_id, target_id, before, after) = &audit[0];
    assert_eq!(action, "create_user");
    assert_eq!(*actor_id, Some(admin.id));
    assert_eq!(*target_id, Some(row.id));
    assert!(before.as_ref().is_none_or(|v| v.is_null()), "{before:?}");
    let after = after.clone().expect("after");
    assert_eq!(after["role"], json!("contributor"));
    assert_eq!(after["email"], json!("ny.person@example.se"));
    assert!(!after.to_string().contains("argon2"), "no hash in the audit log");
    let actor_email: String =
        sqlx::query_scalar("SELECT actor_email::text FROM skriptoteket_admin.admin_audit_log")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(actor_email, "admin@example.se");

    if shape.is_live() {
        let (locale, display): (String, Option<String>) =
            sqlx::query_as("SELECT locale::text, display_name::text FROM user_profiles WHERE user_id = $1")
                .bind(row.id)
                .fetch_one(pool)
                .await
                .expect("a user_profiles row for the new user");
        assert_eq!(locale, "sv-SE");
        assert_eq!(display, None);
        assert_eq!(profiles(pool).await, 1);
    } else {
        assert!(!store.schema.user_profiles);
    }
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn admin_may_not_provision_admins_or_superusers(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let before = snapshot(pool).await;
    for role in [Role::Admin, Role::Superuser] {
        let err = store::create::provision(
            &store,
            &admin,
            &skriptoteket_admin::domain::Stamp::new(None),
            &email("up@example.se"),
            role,
            password_hash(),
        )
        .await
        .expect_err("refused");
        assert!(matches!(&err, StoreError::Denied { reason: Denied::ProvisionRole, .. }), "{role}: {err:?}");
        assert!(err.to_string().contains("Insufficient permissions to provision that user."), "{err}");
    }
    assert_eq!(snapshot(pool).await, before, "nothing written on refusal");
    assert_eq!(audit_count(pool).await, 0);
    // And the allowed roles do work for the same admin.
    for role in [Role::User, Role::Contributor] {
        store::create::provision(
            &store,
            &admin,
            &skriptoteket_admin::domain::Stamp::new(None),
            &email(&format!("{role}@example.se")),
            role,
            password_hash(),
        )
        .await
        .unwrap();
    }
    assert_eq!(audit_count(pool).await, 2);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn users_contributors_and_stale_actors_may_not_provision(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    for role in [Role::User, Role::Contributor] {
        let actor = seed_actor(pool, &format!("low-{role}@example.se"), role).await;
        let err = store::create::provision(
            &store,
            &actor,
            &skriptoteket_admin::domain::Stamp::new(None),
            &email("x@example.se"),
            Role::User,
            password_hash(),
        )
        .await
        .expect_err("refused");
        assert!(matches!(err, StoreError::Denied { reason: Denied::NotAnAdmin, .. }), "{err:?}");
    }
    // An admin deactivated after signing in can do nothing.
    let gone = seed_actor(pool, "gone@example.se", Role::Admin).await;
    sqlx::query("UPDATE users SET is_active = false WHERE id = $1")
        .bind(gone.id)
        .execute(pool)
        .await
        .unwrap();
    let err = store::create::provision(
        &store,
        &gone,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("x@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
    // An admin demoted after signing in (the Actor still says admin) can do nothing.
    let demoted = seed_actor(pool, "demoted@example.se", Role::Admin).await;
    sqlx::query("UPDATE users SET role = 'user' WHERE id = $1").bind(demoted.id).execute(pool).await.unwrap();
    let err = store::create::provision(
        &store,
        &demoted,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("x@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, StoreError::Denied { reason: Denied::NotAnAdmin, .. }), "{err:?}");
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM users WHERE email = 'x@example.se'").await, 0);
    assert_eq!(audit_count(pool).await, 0);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn duplicate_email_in_any_case_or_spacing_is_refused(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let first = store::create::provision(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("anna@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .unwrap();
    let before = snapshot(pool).await;
    for dup in ["anna@example.se", "ANNA@Example.se", "  Anna@EXAMPLE.SE\t"] {
        let err = store::create::provision(
            &store,
            &su,
            &skriptoteket_admin::domain::Stamp::new(None),
            &email(dup),
            Role::Admin,
            password_hash(),
        )
        .await
        .expect_err("duplicate");
        assert!(matches!(&err, StoreError::AlreadyExists(e) if e == "anna@example.se"), "{err:?}");
        assert!(err.to_string().starts_with("User already exists for that email."), "{err}");
    }
    assert_eq!(snapshot(pool).await, before, "no second user, profile or audit row");
    assert_eq!(role_of(pool, first.id).await, "user", "the existing account is untouched");
    assert_eq!(audit_count(pool).await, 1);
    if shape.is_live() {
        assert_eq!(profiles(pool).await, 1);
    }
}

#[tokio::test]
async fn profile_failure_rolls_back_the_user() {
    // The profile insert is in the user's transaction: if it fails, no user remains.
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    db.exec(
        "ALTER TABLE user_profiles ADD COLUMN nickname varchar(10) NOT NULL DEFAULT 'x'
             CHECK (nickname <> 'x')",
    )
    .await;
    let before = snapshot(pool).await;
    let err = store::create::provision(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("p@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .expect_err("profile insert fails");
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn bootstrap_creates_the_first_superuser(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    assert!(!store::users::superuser_exists(&store).await.unwrap());
    // Ordinary accounts may exist already (an imported deployment): still allowed.
    insert_user(pool, "someone@example.se", Role::Admin).await;
    let row = store::create::bootstrap(
        &store,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email(" First@Example.se "),
        password_hash(),
    )
    .await
    .expect("bootstrap on a database without superusers");
    assert_eq!(row.role, Role::Superuser);
    assert_eq!(row.email, "first@example.se");
    assert!(row.is_active && row.is_local());
    assert_eq!(role_of(pool, row.id).await, "superuser");
    let hash = password_hash_of(pool, row.id).await.expect("hash");
    assert!(hasher::verify(&secret(PASSWORD), &hash));
    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "bootstrap_superuser");
    assert_eq!(audit[0].1, Some(row.id), "the new account is its own actor");
    assert_eq!(audit[0].2, Some(row.id));
    if shape.is_live() {
        assert_eq!(profiles(pool).await, 1);
    }
    assert!(store::users::superuser_exists(&store).await.unwrap());

    // A second bootstrap is refused and writes nothing.
    let before = snapshot(pool).await;
    let err = store::create::bootstrap(
        &store,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("second@example.se"),
        password_hash(),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, StoreError::SuperuserExists), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
}

#[tokio::test]
async fn bootstrap_is_refused_while_any_superuser_exists_even_inactive() {
    let (_db, store) = old_store().await;
    let pool = &store.pool;
    insert_user_with(pool, &NewUser::local("old@example.se", Role::Superuser).inactive()).await;
    let before = snapshot(pool).await;
    let err = store::create::bootstrap(
        &store,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("new@example.se"),
        password_hash(),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, StoreError::SuperuserExists), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
}

#[tokio::test]
async fn bootstrap_of_an_existing_email_is_already_exists() {
    let (_db, store) = old_store().await;
    let pool = &store.pool;
    let id: Uuid = insert_user(pool, "taken@example.se", Role::User).await;
    let err = store::create::bootstrap(
        &store,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("TAKEN@example.se"),
        password_hash(),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");
    assert_eq!(role_of(pool, id).await, "user");
    assert_eq!(audit_count(pool).await, 0);
}

/// An import's accounts go in a thousand at a time (issue 23 point 10): 2,500 accounts in
/// one change, in the provisioned shape, names where the schema has profiles, one audit
/// row each, and the progress heard after each batch. One taken email refuses them all.
#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn many_accounts_are_created_in_batches_in_one_change(#[case] shape: Shape) {
    use skriptoteket_admin::domain::import::NewAccount;
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let account = |i: usize| NewAccount {
        email: email(&format!("elev{i}@skola.se")),
        role: if i.is_multiple_of(2) { Role::User } else { Role::Contributor },
        first_name: Some(format!("Elev {i}")),
        last_name: None,
        display_name: (i == 7).then(|| "Sju".to_string()),
    };
    let accounts: Vec<(NewAccount, String)> =
        (0..2500).map(|i| (account(i), password_hash().to_string())).collect();
    let heard = std::sync::Mutex::new(Vec::new());
    let stamp = skriptoteket_admin::domain::Stamp::new(None);
    let ids =
        store::create::provision_many(&store, &su, &stamp, &accounts, &|n| heard.lock().unwrap().push(n))
            .await
            .expect("created");
    assert_eq!(ids.len(), 2500);
    assert_eq!(*heard.lock().unwrap(), [1000, 2000, 2500]);
    assert_eq!(
        scalar_i64(
            pool,
            "SELECT count(*) FROM users WHERE email LIKE 'elev%' AND auth_provider = 'local' AND is_active"
        )
        .await,
        2500
    );
    assert_eq!(
        scalar_i64(
            pool,
            "SELECT count(*) FROM users WHERE email = 'elev1@skola.se' AND role = 'contributor'"
        )
        .await,
        1
    );
    let audited = format!(
        "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE change_id = '{}'",
        stamp.change_id
    );
    assert_eq!(scalar_i64(pool, &audited).await, 2500);
    if shape.is_live() {
        let elevs = "SELECT count(*) FROM user_profiles p JOIN users u ON u.id = p.user_id WHERE u.email LIKE 'elev%'";
        assert_eq!(scalar_i64(pool, elevs).await, 2500, "a profile each");
        assert_eq!(
            scalar_i64(pool, "SELECT count(*) FROM user_profiles WHERE first_name = 'Elev 7' AND display_name = 'Sju' AND last_name IS NULL").await,
            1
        );
        assert_eq!(
            scalar_i64(pool, "SELECT count(*) FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.email LIKE 'elev%' AND u.email_verified").await,
            2500
        );
    }
    // One email taken since: nothing of the next import is created, and it is named.
    let more: Vec<(NewAccount, String)> =
        [2600, 7, 2601].into_iter().map(|i| (account(i), password_hash().to_string())).collect();
    let before = scalar_i64(pool, "SELECT count(*) FROM users").await;
    let e = store::create::provision_many(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &more,
        &|_| {},
    )
    .await
    .expect_err("taken");
    assert!(matches!(&e, StoreError::AlreadyExists(email) if email == "elev7@skola.se"), "{e}");
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM users").await, before);
}
