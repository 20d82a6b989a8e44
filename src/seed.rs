//! Demo and benchmark data: a database shaped like a live deployment, filled with
//! realistic users quickly (set-based SQL; one password hash reused for every account).

use crate::auth::hasher;
use crate::config::{self, DbTarget};
use crate::domain::Secret;
use crate::store::{self, Store, StoreError};
use sqlx::Connection;

/// The web app's tables as live deployments have them (also what the tests load).
pub const LIVE_SCHEMA: &str = include_str!("../assets/live_schema.sql");
/// Every seeded account that can log in uses this password (demo databases only).
pub const DEMO_PASSWORD: &str = "demo-password-1";
pub const DEMO_SUPERUSER: &str = "admin@skriptoteket.test";
pub const DEMO_ADMIN: &str = "lena.lund@skriptoteket.test";

/// Creates database `name` on `server` (dropping it first with `reset`); returns its target
/// and whether it was created now.
pub async fn create_database(server: &str, name: &str, reset: bool) -> Result<(DbTarget, bool), StoreError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Db("database name must be letters, digits and _".into()));
    }
    let server_target = config::parse(server).map_err(|e| StoreError::Db(e.to_string()))?;
    let mut conn = sqlx::PgConnection::connect(server_target.url())
        .await
        .map_err(|e| StoreError::connect(&server_target, &e))?;
    if reset {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await?;
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut conn)
        .await?;
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
    }
    let mut url = url::Url::parse(server_target.url()).map_err(|e| StoreError::Db(e.to_string()))?;
    url.set_path(name);
    let target = config::parse(url.as_str()).map_err(|e| StoreError::Db(e.to_string()))?;
    Ok((target, !exists))
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

/// Fills an empty database with `n` users (plus a fixed cast of demo accounts), their
/// profiles, sessions, login events, tool versions and audit entries. Returns how many
/// users exist afterwards. Does nothing when users already exist.
pub async fn seed(store: &Store, n: u32) -> Result<i64, StoreError> {
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&store.pool).await?;
    if count > 0 {
        return Ok(count);
    }
    let pw = Secret::from(DEMO_PASSWORD);
    let hash = tokio::task::spawn_blocking(move || hasher::hash(&pw))
        .await
        .map_err(|e| StoreError::Db(e.to_string()))??;
    let mut tx = store.pool.begin().await?;
    sqlx::query(SEED_BULK).bind(i64::from(n)).bind(&hash).execute(&mut *tx).await?;
    sqlx::query(SEED_CAST).bind(&hash).execute(&mut *tx).await?;
    sqlx::raw_sql(SEED_RELATED).execute(&mut *tx).await?;
    tx.commit().await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&store.pool).await?;
    Ok(count)
}

/// `n` generated users: Swedish-looking names, mostly users, some contributors and admins,
/// a few inactive or locked, logins spread over the last quarter.
const SEED_BULK: &str = r#"
WITH names AS (
  SELECT ARRAY['anna','erik','maria','lars','karin','johan','eva','anders','sara','per',
               'lena','mikael','emma','nils','ingrid','oskar','sofia','gustav','elin','hugo'] AS f,
         ARRAY['andersson','johansson','karlsson','nilsson','eriksson','larsson','olsson',
               'persson','svensson','gustafsson','pettersson','jonsson','berg','lund','holm',
               'sjöberg','lindqvist','engström','ek','åberg'] AS l,
         ARRAY['skola.se','larare.se','gymnasium.se','kommun.se','edu.se'] AS d
)
INSERT INTO users (id, email, role, auth_provider, password_hash, is_active, created_at,
                   updated_at, last_login_at, failed_login_attempts, locked_until)
SELECT gen_random_uuid(),
       f[1 + i % 20] || '.' || l[1 + (i / 20) % 20] || i || '@' || d[1 + i % 5],
       CASE WHEN i % 100 = 7 THEN 'admin' WHEN i % 10 = 3 THEN 'contributor' ELSE 'user' END,
       'local', $2,
       i % 50 <> 11,
       now() - make_interval(days => ((i * 7919) % 730)::int),
       now() - make_interval(days => ((i * 7919) % 365)::int),
       CASE WHEN i % 5 = 0 THEN NULL ELSE now() - make_interval(mins => ((i * 104729) % 129600)::int) END,
       CASE WHEN i % 97 = 5 THEN 5 ELSE 0 END,
       CASE WHEN i % 97 = 5 THEN now() + interval '15 minutes' ELSE NULL END
FROM names, generate_series(1, $1) AS i
"#;

/// Accounts a demo needs: who to log in as, and the awkward cases.
const SEED_CAST: &str = r#"
INSERT INTO users (id, email, role, auth_provider, external_id, password_hash, is_active, last_login_at)
VALUES
  (gen_random_uuid(), 'admin@skriptoteket.test', 'superuser', 'local', NULL, $1, true, now() - interval '2 hours'),
  (gen_random_uuid(), 'backup.super@skriptoteket.test', 'superuser', 'local', NULL, $1, true, NULL),
  (gen_random_uuid(), 'lena.lund@skriptoteket.test', 'admin', 'local', NULL, $1, true, now() - interval '1 day'),
  (gen_random_uuid(), 'extern.larare@huleedu.test', 'user', 'huleedu', 'hule-4711', NULL, true, now() - interval '3 days'),
  (gen_random_uuid(), E'mallory\u001b]2;PWNED\u0007\u202e@evil.test', 'user', 'local', NULL, $1, true, NULL),
  (gen_random_uuid(), repeat('x', 242) || '@long.example', 'user', 'local', NULL, $1, true, NULL),
  (gen_random_uuid(), '漢字テスト@wide.example', 'contributor', 'local', NULL, $1, true, NULL)
"#;

/// Profiles, sessions, tools, favourites, login events, tool versions, maintainers and
/// audit entries.
const SEED_RELATED: &str = r#"
INSERT INTO user_profiles (user_id, first_name, last_name)
SELECT id, left(initcap(split_part(email, '.', 1)), 100),
       left(initcap(regexp_replace(split_part(split_part(email, '@', 1), '.', 2), '[0-9]+$', '')), 100)
FROM users;
INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, revoked_at)
SELECT gen_random_uuid(), u.id, md5(random()::text), now() - interval '1 hour' * k,
       CASE WHEN k = 3 THEN now() - interval '1 day' ELSE now() + interval '7 days' END,
       CASE WHEN k = 2 AND u.rn % 10 = 0 THEN now() - interval '10 minutes' ELSE NULL END
FROM (SELECT id, row_number() OVER (ORDER BY email) AS rn FROM users) u, generate_series(1, 3) AS k
WHERE u.rn % 3 = 0 OR (k = 1 AND u.rn % 2 = 0);
INSERT INTO tools (id, slug, title)
SELECT gen_random_uuid(), 'verktyg-' || g, 'Verktyg ' || g FROM generate_series(1, 20) AS g;
INSERT INTO favourites (id, user_id, tool_id)
SELECT gen_random_uuid(), u.id, t.id
FROM (SELECT id, row_number() OVER (ORDER BY email) AS rn FROM users) u
JOIN (SELECT id, row_number() OVER (ORDER BY slug) AS rn FROM tools) t ON t.rn = 1 + u.rn % 20
WHERE u.rn % 5 = 0;
INSERT INTO login_events (user_id, email, success, at)
SELECT id, email, true, last_login_at FROM users WHERE last_login_at IS NOT NULL;
INSERT INTO tool_versions (id, tool_id, version, authored_by, reviewed_by)
SELECT gen_random_uuid(), t.id, 1, u.id, (SELECT id FROM users WHERE email = 'lena.lund@skriptoteket.test')
FROM (SELECT id, row_number() OVER (ORDER BY email) AS rn FROM users WHERE role = 'contributor') u
JOIN (SELECT id, row_number() OVER (ORDER BY slug) AS rn FROM tools) t ON t.rn = 1 + u.rn % 20
WHERE u.rn % 3 = 0;
INSERT INTO tool_maintainers (tool_id, user_id)
SELECT (SELECT id FROM tools ORDER BY slug LIMIT 1), id
FROM users WHERE role = 'admin' AND email <> 'lena.lund@skriptoteket.test' ORDER BY email LIMIT 5;
INSERT INTO admin_audit_log (at, actor_id, actor_email, action, target_id, target_email, before, after)
SELECT now() - interval '1 minute' * u.rn, a.id, a.email, 'set_role', u.id, u.email,
       '{"role": "user"}'::jsonb, jsonb_build_object('role', u.role)
FROM (SELECT id, email FROM users WHERE email = 'admin@skriptoteket.test') a,
     (SELECT id, email, role, row_number() OVER (ORDER BY email) AS rn
      FROM users WHERE role = 'contributor' ORDER BY email LIMIT 200) u;
"#;
