//! Test harness shared by the integration tests: a fresh, uniquely named Postgres database
//! per test (dropped again when the test ends), the two database shapes the console meets
//! (an empty database after `migrate`, and a live deployment's schema with `migrate` on
//! top), and helpers that seed and read rows with plain SQL.
//!
//! The server is `SKA_TEST_ADMIN_URL` when set (a maintenance database), else
//! `postgres://postgres@127.0.0.1:5432/postgres` when that is usable (it is quickest), else a
//! throwaway cluster started from the machine's PostgreSQL binaries: one per nextest run,
//! shared by its test processes (one per process under `cargo test`); see
//! `skriptoteket_admin::throwaway`. `SKA_TEST_THROWAWAY=1` skips the configured server.
//! The throwaway cluster wants its password, which its URLs carry: a test hands such a URL
//! to a child process in its environment (`DATABASE_URL`, or [`without_password`] and
//! `PGPASSWORD`), never on its command line.
//! `SKA_TEST_KEEP_DB=1` keeps the databases for a look.
#![allow(dead_code)]

pub mod proxy;

use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::config::{self, DbTarget};
use skriptoteket_admin::domain::{Applied, Change, Done, Email, Role, Secret};
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{self, Actor, Store, StoreError};
use skriptoteket_admin::throwaway;
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, PgPool};
use std::sync::OnceLock;
use uuid::Uuid;

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The password of every seeded account (its hash is made once per test process).
pub const PASSWORD: &str = "correct horse battery staple";

/// The schema of a live deployment, as the web app's own migrations leave it.
pub const LIVE_SCHEMA: &str = include_str!("../../assets/live_schema.sql");

/// The schema of an old deployment: the web app's first migration only.
pub const FIRST_MIGRATION_SCHEMA: &str = include_str!("../fixtures/first_migration_schema.sql");

/// The maintenance database test databases are created from and dropped through (decided
/// once per process).
pub fn admin_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Some(url) = std::env::var("SKA_TEST_ADMIN_URL").ok().filter(|s| !s.trim().is_empty()) {
            return url;
        }
        let why = if std::env::var("SKA_TEST_THROWAWAY").is_ok_and(|v| v == "1") {
            "SKA_TEST_THROWAWAY=1".to_string()
        } else {
            match configured_server_usable() {
                Ok(()) => return DEFAULT_ADMIN_URL.to_string(),
                Err(why) => why,
            }
        };
        throwaway_url().unwrap_or_else(|e| {
            panic!("no usable PostgreSQL at 127.0.0.1:5432 ({why}), and no throwaway one: {e}")
        })
    })
    .clone()
}

/// Whether [`DEFAULT_ADMIN_URL`] answers and may create databases (asked on a thread of its
/// own: the caller may be inside a runtime).
fn configured_server_usable() -> Result<(), String> {
    std::thread::spawn(|| {
        let rt =
            tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        rt.block_on(store::seed::server_usable(DEFAULT_ADMIN_URL, std::time::Duration::from_secs(3)))
            .map_err(|e| e.to_string())
    })
    .join()
    .unwrap_or_else(|_| Err("the probe panicked".to_string()))
}

/// A throwaway cluster: under nextest (a process per test) the one of this run, started by
/// whichever process asks first and stopped once nextest has exited; otherwise one for
/// this process, stopped when it exits.
fn throwaway_url() -> Result<String, String> {
    static CLUSTER: OnceLock<Result<throwaway::Cluster, String>> = OnceLock::new();
    let endpoint = match std::env::var("NEXTEST_RUN_ID") {
        Ok(run) => {
            let state = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pg-throwaway");
            throwaway::shared::for_run(&state, &run, std::os::unix::process::parent_id())
                .map_err(|e| e.to_string())?
        }
        // Never dropped: the cluster's keeper stops it when this process exits.
        Err(_) => CLUSTER
            .get_or_init(|| {
                throwaway::Cluster::start(throwaway::Owner::ThisProcess).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)?
            .endpoint()
            .clone(),
    };
    Ok(endpoint.url("postgres"))
}

/// `url` without its password, and the password: a test that hands a URL to the binary on
/// its command line (which every user of the machine can read in `ps`) passes the password
/// as `PGPASSWORD` in the child's environment instead (the throwaway cluster's URL has one).
pub fn without_password(url: &str) -> (String, Option<String>) {
    let Ok(mut parsed) = url::Url::parse(url) else { return (url.to_string(), None) };
    let password = parsed.password().map(|p| {
        url::form_urlencoded::parse(format!("p={p}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    });
    let _ = parsed.set_password(None);
    (parsed.to_string(), password)
}

/// A database of its own for one test; dropped (`WITH (FORCE)`) when this value is.
pub struct TestDb {
    pub name: String,
    url: String,
    target: DbTarget,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let admin = admin_url();
        let name = format!("ska_t_{}", Uuid::new_v4().simple());
        let shown = without_password(&admin).0;
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test Postgres at {shown}: {e}"));
        conn.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} failed: {e}"));
        let _ = conn.close().await;
        let mut url = url::Url::parse(&admin).expect("SKA_TEST_ADMIN_URL is not a URL");
        url.set_path(&format!("/{name}"));
        let url = url.to_string();
        let target = config::parse(&url).expect("test database URL");
        TestDb { name, url, target }
    }

    /// The database's URL, for `--database-url` or `DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }

    /// A connected store (schema detected as the database is now).
    pub async fn store(&self) -> Store {
        Store::connect(&self.target).await.expect("Store::connect")
    }

    /// A plain pool, for setting up and checking rows behind the store's back.
    pub async fn pool(&self) -> PgPool {
        store::pool(&self.target, 2).await.expect("test pool")
    }

    /// Runs SQL text (several statements allowed) on a connection of its own.
    pub async fn exec(&self, sql: &str) {
        let mut conn = PgConnection::connect(&self.url).await.expect("connect to test db");
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await.expect("test SQL");
        let _ = conn.close().await;
    }

    /// Creates the tables a live deployment has (without the console's audit table).
    pub async fn load_live_schema(&self) {
        self.exec(LIVE_SCHEMA).await;
    }

    /// Creates the tables of an old deployment (the web app's first migration).
    pub async fn load_first_migration_schema(&self) {
        self.exec(FIRST_MIGRATION_SCHEMA).await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var_os("SKA_TEST_KEEP_DB").is_some() {
            eprintln!("keeping test database {}", self.name);
            return;
        }
        let admin = admin_url();
        let name = self.name.clone();
        // Its own thread and runtime: Drop may run inside (or outside) a test's runtime.
        let worker = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                let Ok(mut conn) = PgConnection::connect(&admin).await else { return };
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                if let Err(e) = conn.execute(AssertSqlSafe(sql)).await {
                    eprintln!("could not drop test database {name}: {e}");
                }
                let _ = conn.close().await;
            });
        });
        let _ = worker.join();
    }
}

/// The two kinds of database the console meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// An old deployment (the web app's first migration only) with `migrate` on top.
    Old,
    /// A live deployment's schema (later columns, profiles, user_favorite_tools, tool tables) with
    /// `migrate` run on top.
    Live,
}

impl Shape {
    pub async fn store(self) -> (TestDb, Store) {
        match self {
            Shape::Old => old_store().await,
            Shape::Live => live_store().await,
        }
    }

    pub fn is_live(self) -> bool {
        self == Shape::Live
    }
}

/// An old deployment (the web app's first migration only) after `migrate`.
pub async fn old_store() -> (TestDb, Store) {
    let db = TestDb::new().await;
    db.load_first_migration_schema().await;
    let mut store = db.store().await;
    store::migrate::run(&mut store).await.expect("migrate on an old deployment");
    (db, store)
}

/// A live deployment's schema, before `migrate`.
pub async fn live_unmigrated() -> (TestDb, Store) {
    let db = TestDb::new().await;
    db.load_live_schema().await;
    let store = db.store().await;
    (db, store)
}

/// A live deployment's schema with `migrate` run on top.
pub async fn live_store() -> (TestDb, Store) {
    let (db, mut store) = live_unmigrated().await;
    store::migrate::run(&mut store).await.expect("migrate on a live database");
    (db, store)
}

// ---------------------------------------------------------------------------------------
// Changes

/// Signs `email` in once (with [`PASSWORD`]), as a subcommand does before acting, so a
/// snapshot taken now compares equal after the subcommand signs in again.
pub async fn signed_in(store: &Store, email: &str) -> Actor {
    let origin = store::login::Origin::current("tests");
    store::login::authenticate(store, email, &secret(PASSWORD), &origin).await.expect("sign in")
}

/// Applies a change to existing accounts through the one entry point the console and the
/// CLI use, and returns what happened per account. `hash`: the new password's, for resets.
pub async fn apply_with_hash(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
    change: &Change,
    hash: Option<&str>,
) -> Result<Vec<Applied>, StoreError> {
    match store::change::apply(
        store,
        actor,
        &skriptoteket_admin::domain::Stamp::new(None),
        targets,
        change,
        hash,
    )
    .await?
    {
        Done::Changed(applied) => Ok(applied),
        other => panic!("{change:?} is not a change to existing accounts: {other:?}"),
    }
}

/// [`apply_with_hash`] for changes that set no password.
pub async fn apply(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
    change: &Change,
) -> Result<Vec<Applied>, StoreError> {
    apply_with_hash(store, actor, targets, change, None).await
}

// ---------------------------------------------------------------------------------------
// Seeding

/// The argon2 hash of [`PASSWORD`], made once per process (argon2 costs ~100 ms).
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hasher::hash(&Secret::from(PASSWORD)).expect("hash the test password"))
}

pub fn secret(s: &str) -> Secret {
    Secret::from(s)
}

pub fn email(s: &str) -> Email {
    Email::parse(s).expect("valid email")
}

/// A user row to insert directly.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub role: &'a str,
    pub auth_provider: &'a str,
    pub external_id: Option<&'a str>,
    pub is_active: bool,
    pub password_hash: Option<&'a str>,
    /// Written where the column exists; false for a self-registered, unverified account.
    pub email_verified: bool,
}

impl<'a> NewUser<'a> {
    /// An active local account with the password [`PASSWORD`].
    pub fn local(email: &'a str, role: Role) -> NewUser<'a> {
        NewUser {
            email,
            role: role.as_str(),
            auth_provider: "local",
            external_id: None,
            is_active: true,
            password_hash: Some(password_hash()),
            email_verified: true,
        }
    }

    /// An active account that signs in through HuleEdu (no password).
    pub fn federated(email: &'a str, role: Role) -> NewUser<'a> {
        NewUser {
            email,
            role: role.as_str(),
            auth_provider: "huleedu",
            external_id: Some(email),
            is_active: true,
            password_hash: None,
            email_verified: true,
        }
    }

    pub fn inactive(mut self) -> Self {
        self.is_active = false;
        self
    }

    /// Self-registered and never verified.
    pub fn unverified(mut self) -> Self {
        self.email_verified = false;
        self
    }
}

/// Inserts a user as the web app would (id uuid v4, normalised email); returns its id.
pub async fn insert_user_with(pool: &PgPool, u: &NewUser<'_>) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, role, auth_provider, external_id, password_hash, is_active)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(u.email)
    .bind(u.role)
    .bind(u.auth_provider)
    .bind(u.external_id)
    .bind(u.password_hash)
    .bind(u.is_active)
    .execute(pool)
    .await
    .unwrap_or_else(|e| panic!("insert user {}: {e}", u.email));
    let has_verified: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                        AND table_name = 'users' AND column_name = 'email_verified')",
    )
    .fetch_one(pool)
    .await
    .expect("read the catalog");
    if has_verified {
        sqlx::query("UPDATE users SET email_verified = $2 WHERE id = $1")
            .bind(id)
            .bind(u.email_verified)
            .execute(pool)
            .await
            .expect("set email_verified");
    }
    id
}

/// An active local account with the password [`PASSWORD`].
/// One attempt in the web app's `login_events` at `at`, on `user` (None: an email that is
/// no account), from `ip` with `agent`.
pub async fn login_event(
    pool: &PgPool,
    user: Option<Uuid>,
    ok: bool,
    ip: &str,
    agent: &str,
    at: time::OffsetDateTime,
) {
    sqlx::query(
        "INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'local', $7)",
    )
    .bind(Uuid::new_v4())
    .bind(user)
    .bind(if ok { "success" } else { "failure" })
    .bind((!ok).then_some("INVALID_CREDENTIALS"))
    .bind(ip)
    .bind(agent)
    .bind(at)
    .execute(pool)
    .await
    .expect("insert an event");
}

pub async fn insert_user(pool: &PgPool, email: &str, role: Role) -> Uuid {
    insert_user_with(pool, &NewUser::local(email, role)).await
}

/// Seeds an active local account and returns it as the actor of changes.
pub async fn seed_actor(pool: &PgPool, email: &str, role: Role) -> Actor {
    let id = insert_user(pool, email, role).await;
    Actor { id, email: email.to_string(), role }
}

/// The fixed `revoked_at` of sessions seeded as revoked (so tests can see it is untouched).
pub const OLD_REVOKED_AT: &str = "2001-02-03 04:05:06+00";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// `revoked_at IS NULL AND expires_at > now()`.
    Active,
    /// Expired yesterday, never revoked.
    Expired,
    /// Revoked at [`OLD_REVOKED_AT`], not yet expired.
    Revoked,
}

pub async fn insert_session(pool: &PgPool, user_id: Uuid, kind: SessionKind) -> Uuid {
    let id = Uuid::new_v4();
    let (expires, revoked) = match kind {
        SessionKind::Active => ("now() + interval '1 day'", "NULL"),
        SessionKind::Expired => ("now() - interval '1 day'", "NULL"),
        SessionKind::Revoked => ("now() + interval '1 day'", "'2001-02-03 04:05:06+00'::timestamptz"),
    };
    let sql = format!(
        "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, revoked_at)
         VALUES ($1, $2, 'csrf', now(), {expires}, {revoked})"
    );
    sqlx::query(AssertSqlSafe(sql)).bind(id).bind(user_id).execute(pool).await.expect("insert session");
    id
}

/// One session of each kind for `user_id`: (active, expired, revoked).
pub async fn insert_sessions(pool: &PgPool, user_id: Uuid) -> (Uuid, Uuid, Uuid) {
    (
        insert_session(pool, user_id, SessionKind::Active).await,
        insert_session(pool, user_id, SessionKind::Expired).await,
        insert_session(pool, user_id, SessionKind::Revoked).await,
    )
}

// ---------------------------------------------------------------------------------------
// Reading rows back

/// A scalar query without parameters (test-controlled text only).
pub async fn scalar_i64(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The whole table as JSON text, ordered: compare before/after to prove nothing changed.
pub async fn table_json(pool: &PgPool, table: &str) -> String {
    let sql = format!("SELECT COALESCE(json_agg(t ORDER BY t::text)::text, '[]') FROM {table} t");
    sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("snapshot {table}: {e}"))
}

/// Every table the console may touch, as JSON text (tables the shape lacks are skipped;
/// sign-in audit rows left out).
pub async fn snapshot(pool: &PgPool) -> Vec<(String, String)> {
    // The web app's tables, then the tool's audit log in its own schema.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT t FROM (
             SELECT table_name::text AS t, 0 AS o FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
               AND table_name NOT IN ('_sqlx_migrations', 'login_events')
             UNION ALL
             SELECT 'admin_audit_log', 1 FROM information_schema.tables
             WHERE table_schema = 'skriptoteket_admin' AND table_name = 'admin_audit_log') x
         ORDER BY o, t",
    )
    .fetch_all(pool)
    .await
    .expect("list tables");
    let mut out = Vec::new();
    for t in tables {
        // Signing in leaves traces as in the web app (an audit row, a login event, the
        // signed-in account's login columns); a snapshot compares what changes touched.
        let json = match t.as_str() {
            "admin_audit_log" => {
                table_json(
                    pool,
                    "(SELECT * FROM skriptoteket_admin.admin_audit_log WHERE action NOT IN ('sign_in', 'sign_in_failed'))",
                )
                .await
            }
            "users" => {
                // A successful sign-in sets updated_at and last_login_at to the same
                // moment: while that was a row's last write, neither is compared.
                table_json(
                    pool,
                    "(SELECT (jsonb_populate_record(NULL::users, to_jsonb(u) - CASE
                         WHEN to_jsonb(u)->>'updated_at' = to_jsonb(u)->>'last_login_at'
                         THEN ARRAY['updated_at', 'last_login_at'] ELSE ARRAY[]::text[] END)).*
                      FROM users u)",
                )
                .await
            }
            _ => table_json(pool, &t).await,
        };
        out.push((t, json));
    }
    out
}

/// (table, column, data type, nullable, default) of every column in the current schema.
pub async fn columns(pool: &PgPool) -> Vec<(String, String, String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text,
                column_default::text
         FROM information_schema.columns WHERE table_schema = current_schema()
         ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .expect("read information_schema.columns")
}

/// Audit rows of changes (sign-ins are audited too, and counted apart).
pub async fn audit_count(pool: &PgPool) -> i64 {
    scalar_i64(pool, "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action NOT IN ('sign_in', 'sign_in_failed')")
        .await
}

/// (action, actor_id, target_id, before, after) of every audit row of a change, oldest
/// first.
pub async fn audit_rows(
    pool: &PgPool,
) -> Vec<(String, Option<Uuid>, Option<Uuid>, Option<serde_json::Value>, Option<serde_json::Value>)> {
    sqlx::query_as(
        "SELECT action::text, actor_id, target_id, before, after FROM skriptoteket_admin.admin_audit_log
         WHERE action NOT IN ('sign_in', 'sign_in_failed') ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .expect("read admin_audit_log")
}

pub async fn user_exists(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("user exists")
}

pub async fn role_of(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT role::text FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("role of user")
}

pub async fn is_active(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("SELECT is_active FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("is_active of user")
}

pub async fn password_hash_of(pool: &PgPool, id: Uuid) -> Option<String> {
    sqlx::query_scalar("SELECT password_hash::text FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("password_hash of user")
}

/// Sessions of the user that are active now.
pub async fn active_sessions(pool: &PgPool, id: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .expect("count active sessions")
}

/// `revoked_at` of one session, as text (`None` when not revoked).
pub async fn revoked_at(pool: &PgPool, session: Uuid) -> Option<String> {
    sqlx::query_scalar(
        "SELECT to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM sessions WHERE id = $1",
    )
    .bind(session)
    .fetch_one(pool)
    .await
    .expect("revoked_at of session")
}

pub async fn active_superusers(pool: &PgPool) -> i64 {
    scalar_i64(pool, "SELECT count(*) FROM users WHERE role = 'superuser' AND is_active").await
}

/// Sets `updated_at` far into the past, so a test can see a change bump it.
pub async fn age_updated_at(pool: &PgPool, ids: &[Uuid]) {
    sqlx::query("UPDATE users SET updated_at = '2000-01-01 00:00:00+00' WHERE id = ANY($1)")
        .bind(ids)
        .execute(pool)
        .await
        .expect("age updated_at");
}

/// True when the user's `updated_at` is within the last minute.
pub async fn updated_recently(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("SELECT updated_at > now() - interval '1 minute' FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("updated_at of user")
}
