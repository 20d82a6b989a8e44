//! `migrate`: adds only the tool's own tables, refuses a database the web app has not
//! migrated, leaves a deployment's tables as they are, is idempotent; and `Schema::detect`
//! reports what each shape offers.

mod common;

use rstest::rstest;

use common::*;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::{self, Schema, StoreError};
use sqlx::PgPool;

/// The console's own additions; everything else must be untouched by `migrate`.
const OURS: [&str; 2] = ["admin_audit_log", "_sqlx_migrations"];

/// (table, name, definition) of every constraint and index in the current schema.
async fn constraints_and_indexes(pool: &PgPool) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid)
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = current_schema()
         UNION ALL
         SELECT tablename::text, indexname::text, indexdef FROM pg_indexes
         WHERE schemaname = current_schema()
         ORDER BY 1, 2, 3",
    )
    .fetch_all(pool)
    .await
    .expect("read constraints")
}

async fn tables(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("list tables")
}

fn without_ours<T: Clone>(rows: &[(String, T)]) -> Vec<(String, T)> {
    rows.iter().filter(|(t, _)| !OURS.contains(&t.as_str())).cloned().collect()
}

#[tokio::test]
async fn refuses_a_database_without_the_web_apps_tables_and_creates_nothing() {
    let db = TestDb::new().await;
    let mut store = db.store().await;
    assert_eq!(store.schema, Schema::default(), "nothing exists before migrate");

    let err = store::migrate::run(&mut store).await.expect_err("refused");

    assert!(matches!(err, StoreError::NoUsersTable), "{err:?}");
    assert!(err.to_string().contains("web app's own migrations first"), "{err}");
    assert!(tables(&store.pool).await.is_empty(), "migrate created a table: {:?}", tables(&store.pool).await);
}

#[tokio::test]
async fn adds_only_its_own_tables_to_an_old_deployment() {
    let db = TestDb::new().await;
    db.load_first_migration_schema().await;
    let mut store = db.store().await;
    let before = tables(&store.pool).await;

    store::migrate::run(&mut store).await.expect("migrate");

    let mut added: Vec<String> =
        tables(&store.pool).await.into_iter().filter(|t| !before.contains(t)).collect();
    added.sort();
    let mut ours: Vec<String> = store::migrate::OWN_TABLES.iter().map(|t| t.to_string()).collect();
    ours.sort();
    assert_eq!(added, ours);
    assert_eq!(
        store.schema,
        Schema {
            users: true,
            sessions: true,
            user_profiles: false,
            lockout: false,
            last_login_at: false,
            last_failed_login_at: false,
            email_verified: false,
            login_events: false,
            audit_log: true,
        }
    );
    let cons = constraints_and_indexes(&store.pool).await;
    // The audit table must never block a delete: no foreign key to users.
    assert!(!cons.iter().any(|c| c.0 == "admin_audit_log" && c.2.contains("REFERENCES")));
    // And the store works on it straight away.
    let a = seed_actor(&store.pool, "boss@example.se", Role::Superuser).await;
    store::create::provision(
        &store,
        &a,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("new@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .expect("provision after migrate");
    assert_eq!(audit_count(&store.pool).await, 1);
}

#[tokio::test]
async fn a_database_that_ran_the_retired_base_table_migration_still_migrates() {
    // Early versions shipped a migration 20261124000001 that created users and sessions
    // where missing; databases that applied it keep its record.
    let db = TestDb::new().await;
    db.load_first_migration_schema().await;
    db.exec(
        "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
             installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL,
             checksum bytea NOT NULL, execution_time bigint NOT NULL);
         INSERT INTO _sqlx_migrations VALUES (20261124000001, 'users and sessions', now(), true, '\\x00', 1);",
    )
    .await;
    let mut store = db.store().await;
    store::migrate::run(&mut store).await.expect("migrate");
    assert!(store.schema.audit_log);
    // The retired record, and this tool's two migrations.
    assert_eq!(scalar_i64(&store.pool, "SELECT count(*) FROM _sqlx_migrations").await, 3);
}

#[tokio::test]
async fn changes_nothing_that_exists_on_a_live_database() {
    let (_db, mut store) = live_unmigrated().await;
    let pool = store.pool.clone();
    let u = insert_user(&pool, "anna@example.se", Role::Superuser).await;
    insert_sessions(&pool, u).await;
    sqlx::query("INSERT INTO user_profiles (user_id, display_name) VALUES ($1, 'Anna')")
        .bind(u)
        .execute(&pool)
        .await
        .unwrap();

    let cols_before = columns(&pool).await;
    let cons_before = constraints_and_indexes(&pool).await;
    let data_before = snapshot(&pool).await;
    assert!(!tables(&pool).await.contains(&"admin_audit_log".to_string()));

    store::migrate::run(&mut store).await.expect("migrate on live");

    let cols_after = columns(&pool).await;
    let as_pairs = |v: &[(String, String, String, String, Option<String>)]| {
        v.iter()
            .map(|c| (c.0.clone(), (c.1.clone(), c.2.clone(), c.3.clone(), c.4.clone())))
            .collect::<Vec<_>>()
    };
    assert_eq!(without_ours(&as_pairs(&cols_after)), as_pairs(&cols_before), "existing columns changed");
    assert!(cols_after.iter().any(|c| c.0 == "admin_audit_log" && c.1 == "before"));
    let cons_pairs = |v: &[(String, String, String)]| {
        v.iter().map(|c| (c.0.clone(), (c.1.clone(), c.2.clone()))).collect::<Vec<_>>()
    };
    assert_eq!(
        without_ours(&cons_pairs(&constraints_and_indexes(&pool).await)),
        cons_pairs(&cons_before),
        "existing constraints or indexes changed"
    );
    assert_eq!(without_ours(&snapshot(&pool).await), data_before, "existing rows changed");
    assert!(store.schema.audit_log);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn running_twice_is_a_no_op(#[case] shape: Shape) {
    let (_db, mut store) = shape.store().await;
    let pool = store.pool.clone();
    let a = seed_actor(&pool, "boss@example.se", Role::Superuser).await;
    store::create::provision(
        &store,
        &a,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("x@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .unwrap();
    let schema = store.schema;
    let cols = columns(&pool).await;
    let cons = constraints_and_indexes(&pool).await;
    let data = snapshot(&pool).await;
    let applied = scalar_i64(&pool, "SELECT count(*) FROM _sqlx_migrations").await;
    assert!(applied >= 1);

    store::migrate::run(&mut store).await.expect("second migrate");
    store::migrate::run(&mut store).await.expect("third migrate");

    assert_eq!(store.schema, schema);
    assert_eq!(columns(&pool).await, cols);
    assert_eq!(constraints_and_indexes(&pool).await, cons);
    assert_eq!(snapshot(&pool).await, data);
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM _sqlx_migrations").await, applied);
}

#[tokio::test]
async fn schema_detect_reports_a_live_database() {
    let (db, mut store) = live_unmigrated().await;
    assert_eq!(
        store.schema,
        Schema {
            users: true,
            sessions: true,
            user_profiles: true,
            lockout: true,
            last_login_at: true,
            last_failed_login_at: true,
            email_verified: true,
            login_events: true,
            audit_log: false,
        }
    );
    store::migrate::run(&mut store).await.unwrap();
    assert!(store.schema.audit_log, "migrate refreshes the detected schema");
    // A fresh connection detects the same.
    assert_eq!(db.store().await.schema, store.schema);
}

#[tokio::test]
async fn schema_detect_needs_both_lockout_columns() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE users (id uuid PRIMARY KEY, email varchar(255) NOT NULL UNIQUE,
             role varchar(32) NOT NULL, auth_provider varchar(32) NOT NULL,
             password_hash varchar(255), is_active boolean NOT NULL DEFAULT true,
             created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
             locked_until timestamptz)",
    )
    .await;
    let s = db.store().await.schema;
    assert!(s.users && !s.sessions && !s.lockout && !s.last_login_at && !s.audit_log && !s.user_profiles);
    db.exec("ALTER TABLE users ADD COLUMN failed_login_attempts integer NOT NULL DEFAULT 0").await;
    assert!(db.store().await.schema.lockout);
}

#[tokio::test]
async fn schema_detect_ignores_tables_in_other_schemas() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA other;
         CREATE TABLE other.users (id uuid PRIMARY KEY);
         CREATE TABLE other.admin_audit_log (id bigserial PRIMARY KEY);",
    )
    .await;
    assert_eq!(db.store().await.schema, Schema::default());
}
