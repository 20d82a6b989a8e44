//! `migrate`: adds only the tool's own tables, in its own schema, refuses a database the
//! web app has not migrated, leaves a deployment's tables as they are, moves an earlier
//! version's tables out of the default schema, is idempotent; and `Schema::detect` reports
//! what each shape offers.

mod common;

use rstest::rstest;

use common::*;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::{self, Schema, StoreError};
use sqlx::PgPool;

/// The web app's tables at its migration head, as `assets/live_schema.sql` has them: after
/// `migrate`, these and only these are outside the tool's schema.
const WEB_APP_TABLES: [&str; 18] = [
    "alembic_version",
    "draft_locks",
    "email_verification_tokens",
    "login_events",
    "sandbox_snapshots",
    "script_suggestion_decisions",
    "script_suggestions",
    "sessions",
    "tool_maintainer_audit_log",
    "tool_maintainers",
    "tool_runs",
    "tool_sessions",
    "tool_versions",
    "tools",
    "user_favorite_apps",
    "user_favorite_tools",
    "user_profiles",
    "users",
];

/// Every table outside the system schemas and the tool's, as `schema.table`.
async fn tables_outside_ours(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT table_schema::text || '.' || table_name::text FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'skriptoteket_admin')
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("list tables")
}

/// The tables in the tool's schema.
async fn own_tables(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'skriptoteket_admin' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("list tables")
}

fn sorted_own() -> Vec<String> {
    let mut ours: Vec<String> = store::migrate::OWN_TABLES.iter().map(|t| t.to_string()).collect();
    ours.sort();
    ours
}

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

    assert_eq!(tables(&store.pool).await, before, "the default schema is as it was");
    assert_eq!(own_tables(&store.pool).await, sorted_own());
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
            verification_tokens: false,
            login_events: false,
            audit_log: true,
        }
    );
    // The audit table must never block a delete: no foreign key to users.
    let fks = scalar_i64(
        &store.pool,
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'skriptoteket_admin.admin_audit_log'::regclass AND contype = 'f'",
    )
    .await;
    assert_eq!(fks, 0);
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
    // The retired record, and this tool's two migrations, all in the tool's schema.
    assert_eq!(scalar_i64(&store.pool, "SELECT count(*) FROM skriptoteket_admin._sqlx_migrations").await, 3);
    assert_eq!(
        scalar_i64(&store.pool, "SELECT count(*) FROM pg_tables WHERE tablename = '_sqlx_migrations'").await,
        1
    );
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
    let tables_before = tables_outside_ours(&pool).await;

    store::migrate::run(&mut store).await.expect("migrate on live");

    assert_eq!(columns(&pool).await, cols_before, "existing columns changed");
    assert_eq!(constraints_and_indexes(&pool).await, cons_before, "existing constraints or indexes changed");
    assert_eq!(
        tables_outside_ours(&pool).await,
        tables_before,
        "a table was added outside the tool's schema"
    );
    let audit = data_before.len();
    assert_eq!(snapshot(&pool).await[..audit], data_before[..], "existing rows changed");
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
    let applied = scalar_i64(&pool, "SELECT count(*) FROM skriptoteket_admin._sqlx_migrations").await;
    assert!(applied >= 1);

    store::migrate::run(&mut store).await.expect("second migrate");
    store::migrate::run(&mut store).await.expect("third migrate");

    assert_eq!(store.schema, schema);
    assert_eq!(columns(&pool).await, cols);
    assert_eq!(constraints_and_indexes(&pool).await, cons);
    assert_eq!(snapshot(&pool).await, data);
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM skriptoteket_admin._sqlx_migrations").await, applied);
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
            verification_tokens: true,
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

#[tokio::test]
async fn after_migrate_only_the_web_apps_tables_are_outside_the_tools_schema() {
    let (_db, store) = live_store().await;
    let expected: Vec<String> = WEB_APP_TABLES.iter().map(|t| format!("public.{t}")).collect();
    assert_eq!(tables_outside_ours(&store.pool).await, expected);
    assert_eq!(own_tables(&store.pool).await, sorted_own());
    // Nothing of the tool's in the default schema, where alembic's autogenerate looks.
    let stray = scalar_i64(
        &store.pool,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND (c.relname LIKE '%admin_audit%' OR c.relname LIKE '_sqlx%')",
    )
    .await;
    assert_eq!(stray, 0);
}

/// The tables as the previous version's `migrate` left them: the same migrations, run
/// with sqlx's defaults (their record and the audit log in the default schema).
async fn migrate_the_old_way(db: &TestDb) {
    let pool = db.pool().await;
    let mut m = sqlx::migrate!("./migrations");
    m.set_ignore_missing(true);
    m.run(&pool).await.expect("the previous version's migrate");
    pool.close().await;
}

#[tokio::test]
async fn a_database_migrated_by_the_previous_version_keeps_its_audit_history() {
    let db = TestDb::new().await;
    db.load_live_schema().await;
    migrate_the_old_way(&db).await;
    db.exec(
        "INSERT INTO public.admin_audit_log (actor_email, action, target_email, change_id, reason)
         SELECT 'boss@example.se', 'set_role', 'u' || g || '@example.se', gen_random_uuid(), 'history ' || g
         FROM generate_series(1, 25) g",
    )
    .await;
    let mut store = db.store().await;
    assert!(!store.schema.audit_log, "the old place does not count: changes wait for migrate");
    let history = scalar_i64(&store.pool, "SELECT count(*) FROM public._sqlx_migrations").await;

    store::migrate::run(&mut store).await.expect("migrate moves the tables");

    assert!(store.schema.audit_log);
    let pool = &store.pool.clone();
    assert_eq!(
        scalar_i64(
            pool,
            "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE reason LIKE 'history %'"
        )
        .await,
        25
    );
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM skriptoteket_admin._sqlx_migrations").await, history);
    let expected: Vec<String> = WEB_APP_TABLES.iter().map(|t| format!("public.{t}")).collect();
    assert_eq!(tables_outside_ours(pool).await, expected, "nothing left in the default schema");
    // New rows continue the old ids (the sequence moved with its table).
    let a = seed_actor(pool, "boss@example.se", Role::Superuser).await;
    store::create::provision(
        &store,
        &a,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("after@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .expect("a change after the move");
    assert_eq!(scalar_i64(pool, "SELECT max(id) FROM skriptoteket_admin.admin_audit_log").await, 26);
    // And again: nothing to move, nothing to run.
    store::migrate::run(&mut store).await.expect("migrate again");
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM skriptoteket_admin.admin_audit_log").await, 26);
}

#[tokio::test]
async fn an_audit_log_in_both_places_is_refused_and_nothing_moves() {
    let db = TestDb::new().await;
    db.load_live_schema().await;
    let mut store = db.store().await;
    store::migrate::run(&mut store).await.expect("migrate");
    db.exec("CREATE TABLE public.admin_audit_log (id bigserial PRIMARY KEY)").await;
    let before = tables_outside_ours(&store.pool).await;

    let err = store::migrate::run(&mut store).await.expect_err("refused");

    assert!(err.to_string().contains("both in public and in skriptoteket_admin"), "{err}");
    assert_eq!(tables_outside_ours(&store.pool).await, before);
}
