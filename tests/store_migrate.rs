//! `migrate`: creates what an empty database lacks, leaves a live deployment's tables as
//! they are, is idempotent; and `Schema::detect` reports what each shape offers.

mod common;

use common::*;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::{self, Schema};
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
async fn creates_users_sessions_and_audit_log_on_an_empty_database() {
    let db = TestDb::new().await;
    let mut store = db.store().await;
    assert_eq!(store.schema, Schema::default(), "nothing exists before migrate");
    assert!(tables(&store.pool).await.is_empty());

    store::migrate::run(&mut store).await.expect("migrate");

    let t = tables(&store.pool).await;
    for want in ["users", "sessions", "admin_audit_log", "_sqlx_migrations"] {
        assert!(t.contains(&want.to_string()), "{want} missing from {t:?}");
    }
    assert_eq!(
        store.schema,
        Schema {
            users: true,
            sessions: true,
            user_profiles: false,
            lockout: false,
            last_login_at: false,
            audit_log: true,
        }
    );
    // The web app's first migration, column for column.
    let users: Vec<(String, String, String, Option<String>)> = columns(&store.pool)
        .await
        .into_iter()
        .filter(|c| c.0 == "users")
        .map(|c| (c.1, c.2, c.3, c.4))
        .collect();
    let names: Vec<&str> = users.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "auth_provider",
            "created_at",
            "email",
            "external_id",
            "id",
            "is_active",
            "password_hash",
            "role",
            "updated_at"
        ]
    );
    let auth_provider = users.iter().find(|c| c.0 == "auth_provider").expect("auth_provider");
    assert_eq!(auth_provider.2, "NO", "auth_provider is NOT NULL");
    assert_eq!(auth_provider.3, None, "auth_provider has no default");
    let cons = constraints_and_indexes(&store.pool).await;
    assert!(cons.iter().any(|c| c.0 == "users" && c.1 == "uq_users_email" && c.2 == "UNIQUE (email)"));
    assert!(
        cons.iter().any(|c| c.0 == "sessions" && c.2.contains("REFERENCES users(id) ON DELETE CASCADE")),
        "{cons:?}"
    );
    // The audit table must never block a delete: no foreign key to users.
    assert!(!cons.iter().any(|c| c.0 == "admin_audit_log" && c.2.contains("REFERENCES")));
    // And the store works on it straight away.
    let a = seed_actor(&store.pool, "boss@example.se", Role::Superuser).await;
    store::create::provision(&store, &a, &email("new@example.se"), Role::User, password_hash())
        .await
        .expect("provision after migrate");
    assert_eq!(audit_count(&store.pool).await, 1);
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

both_shapes! {
    async fn running_twice_is_a_no_op(shape: Shape) {
        let (_db, mut store) = shape.store().await;
        let pool = store.pool.clone();
        let a = seed_actor(&pool, "boss@example.se", Role::Superuser).await;
        store::create::provision(&store, &a, &email("x@example.se"), Role::User, password_hash())
            .await
            .unwrap();
        let schema = store.schema;
        let cols = columns(&pool).await;
        let cons = constraints_and_indexes(&pool).await;
        let data = snapshot(&pool).await;
        let applied = scalar_i64(&pool, "SELECT count(*) FROM _sqlx_migrations").await;
        assert!(applied >= 2);

        store::migrate::run(&mut store).await.expect("second migrate");
        store::migrate::run(&mut store).await.expect("third migrate");

        assert_eq!(store.schema, schema);
        assert_eq!(columns(&pool).await, cols);
        assert_eq!(constraints_and_indexes(&pool).await, cons);
        assert_eq!(snapshot(&pool).await, data);
        assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM _sqlx_migrations").await, applied);
    }
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
