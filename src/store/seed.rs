//! Demo and benchmark data: a database shaped like a live deployment, filled with
//! realistic users quickly (set-based SQL; one password hash reused for every account).

use crate::auth::hasher;
use crate::config::{self, DbTarget};
use crate::domain::Secret;
use crate::store::{self, Store, StoreError};
use sqlx::Connection;

/// The web app's tables as live deployments have them (also what the tests load).
pub const LIVE_SCHEMA: &str = include_str!("../../assets/live_schema.sql");
/// The comment `create_database` puts on the databases it makes: only those are dropped,
/// reused or seeded.
pub const DEMO_MARK: &str = "skriptoteket-admin demo database";
/// Every seeded account that can log in uses this password (demo databases only).
pub const DEMO_PASSWORD: &str = "demo-password-1";
pub const DEMO_SUPERUSER: &str = "admin@skriptoteket.test";
pub const DEMO_ADMIN: &str = "lena.lund@skriptoteket.test";

/// Checks that `server` answers within `timeout` and lets us create databases; the
/// reason when not (to say why the demo falls back on a throwaway cluster).
pub async fn server_usable(server: &str, timeout: std::time::Duration) -> Result<(), StoreError> {
    let target = config::parse(server).map_err(|e| StoreError::Db(e.to_string()))?;
    let check = async {
        let mut conn = sqlx::PgConnection::connect(target.url())
            .await
            .map_err(|e| StoreError::connect_sqlx(&target, &e))?;
        let may: Option<bool> =
            sqlx::query_scalar("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
                .fetch_optional(&mut conn)
                .await?;
        let _ = conn.close().await;
        if may == Some(true) {
            Ok(())
        } else {
            Err(StoreError::Db(format!("the user at {} may not create databases", target.describe)))
        }
    };
    tokio::time::timeout(timeout, check).await.unwrap_or_else(|_| {
        Err(StoreError::Connect {
            target: target.describe.clone(),
            reason: format!("no answer within {} s", timeout.as_secs()),
        })
    })
}

/// Creates database `name` on `server` (dropping it first with `reset`); returns its target
/// and whether it was created now.
pub async fn create_database(server: &str, name: &str, reset: bool) -> Result<(DbTarget, bool), StoreError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Db("database name must be letters, digits and _".into()));
    }
    // Quoted, so the name is taken as written (unquoted, `ADV2` would mean `adv2`).
    let quoted = format!("\"{name}\"");
    let server_target = config::parse(server).map_err(|e| StoreError::Db(e.to_string()))?;
    let mut conn = sqlx::PgConnection::connect(server_target.url())
        .await
        .map_err(|e| StoreError::connect(&server_target, &e))?;
    // Only a database this demo made (it carries the mark) is ever dropped or reused.
    let mark: Option<Option<String>> = sqlx::query_scalar(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
    )
    .bind(name)
    .fetch_optional(&mut conn)
    .await?;
    let exists = mark.is_some();
    if exists && mark.flatten().as_deref() != Some(DEMO_MARK) {
        return Err(StoreError::Db(format!(
            "database {name} exists and is not a demo database made by this tool: it is neither \
             dropped nor seeded; pick another --name (a demo made by an older version, which did \
             not mark its databases, can be dropped by hand: dropdb {name})"
        )));
    }
    if reset && exists {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {quoted} WITH (FORCE)")))
            .execute(&mut conn)
            .await?;
    }
    let create = !exists || reset;
    if create {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {quoted}"))).execute(&mut conn).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("COMMENT ON DATABASE {quoted} IS '{DEMO_MARK}'")))
            .execute(&mut conn)
            .await?;
    }
    let mut url = url::Url::parse(server_target.url()).map_err(|e| StoreError::Db(e.to_string()))?;
    url.set_path(name);
    let target = config::parse(url.as_str()).map_err(|e| StoreError::Db(e.to_string()))?;
    Ok((target, create))
}

/// Creates the live-shaped web-app tables (on a database without `users`) and the
/// console's own.
pub async fn prepare_schema(store: &mut Store) -> Result<(), StoreError> {
    if !store.schema.users {
        sqlx::raw_sql(LIVE_SCHEMA).execute(&store.pool).await?;
        store.refresh_schema().await?;
    }
    store::migrate::run(store).await
}

/// Fills an empty database with `n` users (plus a fixed cast of demo accounts) and the rows
/// a live deployment has around them. Returns how many
/// users exist afterwards. Does nothing when users already exist.
pub async fn seed(store: &Store, n: u32) -> Result<i64, StoreError> {
    // The demo password goes only where the demo made the database.
    let mark: Option<String> = sqlx::query_scalar(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()",
    )
    .fetch_one(&store.pool)
    .await?;
    if mark.as_deref() != Some(DEMO_MARK) {
        return Err(StoreError::Db("refusing to seed a database the demo did not make".into()));
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&store.pool).await?;
    if count > 0 {
        return Ok(count);
    }
    let hash = hasher::hash_off_thread(Secret::from(DEMO_PASSWORD)).await?;
    let mut tx = store.pool.begin().await?;
    // `--users` can ask for millions: the seeding statements may outlast the timeout that
    // guards an admin's statements.
    sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut *tx).await?;
    sqlx::query(SEED_BULK).bind(i64::from(n)).bind(&hash).execute(&mut *tx).await?;
    sqlx::query(SEED_CAST).bind(&hash).execute(&mut *tx).await?;
    sqlx::raw_sql(SEED_RELATED).execute(&mut *tx).await?;
    tx.commit().await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&store.pool).await?;
    Ok(count)
}

/// `n` generated users (`$1`, with the password hash `$2`): Swedish-looking names, mostly
/// users, some contributors and admins, a few inactive, locked or self-registered and
/// unverified, logins spread over the last quarter.
const SEED_BULK: &str = include_str!("../../assets/seed/bulk.sql");

/// Accounts a demo needs (`$1`: the password hash): who to log in as, and the awkward cases.
const SEED_CAST: &str = include_str!("../../assets/seed/cast.sql");

/// Profiles, sessions, verification tokens, tools with versions, maintainers, tool runs
/// (so most active users cannot be deleted, as on a live site), favourites, login events
/// and audit entries. Runs inside the seeding transaction.
const SEED_RELATED: &str = include_str!("../../assets/seed/related.sql");
