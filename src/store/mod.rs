//! Everything that speaks SQL. One file per concern; every change is one transaction.

pub mod audit;
pub mod busy;
pub mod change;
pub mod create;
pub mod delete;
pub mod dependents;
pub mod dormant;
pub mod edit;
pub mod error;
pub mod live;
pub mod login;
pub mod migrate;
pub mod mutate;
pub mod revert;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod sign_ins;
pub mod stream;
pub mod targets;
pub mod users;

pub use crate::domain::UserRow;
pub use error::StoreError;
pub use schema::Schema;

use crate::config::DbTarget;
use crate::domain::Role;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

/// The signed-in admin on whose behalf changes are made. The store re-reads this account
/// inside every transaction, so a demoted or deactivated admin loses power at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: uuid::Uuid,
    pub email: String,
    pub role: Role,
}

/// A connection pool plus what this database's schema offers.
#[derive(Clone, Debug)]
pub struct Store {
    pub pool: PgPool,
    pub schema: Schema,
    pub target: DbTarget,
}

impl Store {
    /// Connects and detects the schema. Errors name host and database, never the password.
    pub async fn connect(target: &DbTarget) -> Result<Store, StoreError> {
        let pool = pool(target, 4).await?;
        let schema = within(ANSWER_TIMEOUT, async { Ok(Schema::detect(&pool).await?) }).await?;
        Ok(Store { pool, schema, target: target.clone() })
    }

    /// Re-reads the schema (after `migrate`, say).
    pub async fn refresh_schema(&mut self) -> Result<(), StoreError> {
        self.schema = Schema::detect(&self.pool).await?;
        Ok(())
    }

    /// A trivial round trip: whether the server answers now (within [`PING_TIMEOUT`]: a
    /// connection on a network that went silent would wait for ever).
    pub async fn ping(&self) -> Result<(), StoreError> {
        within(PING_TIMEOUT, async {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        })
        .await
    }

    /// Refuses every change in read-only mode (the server would refuse it too).
    pub fn require_writable(&self) -> Result<(), StoreError> {
        if self.target.readonly { Err(StoreError::ReadOnly) } else { Ok(()) }
    }

    /// Refuses a change when the audit table is missing: no change goes unrecorded.
    pub fn require_audit(&self) -> Result<(), StoreError> {
        if self.schema.audit_log { Ok(()) } else { Err(StoreError::NeedsMigrate) }
    }
}

/// How long connecting may take: TCP, TLS and authentication of one connection (the probe in
/// [`pool`]; the pool's own connects are bounded by its acquire timeout, the same value).
/// A server that accepts and then says nothing fails here instead of hanging the start.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a statement waits for a lock (a row another session holds `FOR UPDATE`, the
/// superuser lock, a table a migration holds) before it gives up with
/// [`StoreError::Busy`]. Changes lock their rows first, so they never wait while holding
/// the lock other admins need; 3 s is long enough to ride out the web app's own short
/// transactions (a login updating its user's row) and short enough for an admin at a key.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// The longest one statement may run on the server. Generous: on the 2-core development
/// machine the query of `list` over 1,000,000 users runs ~3 s (12-14 s until a debug build
/// has printed them all: the server sends while the client reads), a bulk change of 10,000
/// accounts takes 0.55 s in all (BENCHMARKS.md), and every lock wait is cut at
/// [`LOCK_TIMEOUT`] anyway; this only stops a runaway query. The demo's seeding lifts it.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the server keeps one of our transactions open while no statement arrives: the
/// tool never pauses inside a transaction, so this only ends a transaction (and frees its
/// locks) whose console died or whose network went silent mid-change.
pub const IDLE_IN_TRANSACTION_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the client waits for the answer to a request before it calls the connection
/// lost. sqlx 0.9 has no TCP keepalive or `TCP_USER_TIMEOUT` knob for its sockets
/// (`PgConnectOptions` offers none; libpq's `keepalives*` parameters do not exist there),
/// so a network that goes silent mid-query would leave the read waiting for ever. The
/// server's [`STATEMENT_TIMEOUT`] bounds the work, and this client-side deadline (a little
/// longer, so the server's own error wins when it can still arrive) bounds the wait.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(STATEMENT_TIMEOUT.as_secs() + 10);

/// How long [`Store::ping`] waits for its `SELECT 1`.
pub const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs `work`, giving up after `limit` with [`StoreError::ConnectionLost`]: no answer means
/// the client cannot know what happened, exactly as when the connection drops.
pub async fn within<T>(
    limit: Duration,
    work: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(limit, work).await {
        Ok(r) => r,
        Err(_) => {
            Err(StoreError::ConnectionLost(format!("no answer from the server within {} s", limit.as_secs())))
        }
    }
}

/// The server settings every connection of the tool starts with (sent in the startup
/// packet, so they cost no round trip), unless the URL's own `options` set them. The
/// `tcp_keepalives_*` settings make the server probe an idle connection after 30 s and drop
/// it after 3 unanswered probes 10 s apart, so a console that vanished frees its backend.
fn session_settings() -> [(&'static str, String); 6] {
    [
        ("lock_timeout", format!("{}ms", LOCK_TIMEOUT.as_millis())),
        ("statement_timeout", format!("{}ms", STATEMENT_TIMEOUT.as_millis())),
        ("idle_in_transaction_session_timeout", format!("{}ms", IDLE_IN_TRANSACTION_TIMEOUT.as_millis())),
        ("tcp_keepalives_idle", "30".to_string()),
        ("tcp_keepalives_interval", "10".to_string()),
        ("tcp_keepalives_count", "3".to_string()),
    ]
}

/// A pool that fails fast with a clear message when the server is not there.
pub async fn pool(target: &DbTarget, max: u32) -> Result<PgPool, StoreError> {
    let mut opts = PgConnectOptions::from_str(target.url())
        .map_err(|e| StoreError::connect(target, &e))?
        .application_name("skriptoteket-admin");
    let given = opts.get_options().unwrap_or_default().to_string();
    let mut ours: Vec<_> =
        session_settings().into_iter().filter(|(k, _)| !given.contains(&format!("{k}="))).collect();
    if target.readonly {
        // Enforced by the server, below every code path: read-only mode cannot be bypassed
        // by a view that forgot to check.
        ours.push(("default_transaction_read_only", "on".to_string()));
    }
    if !ours.is_empty() {
        opts = opts.options(ours);
    }
    if is_loopback_without_sslmode(target.url()) {
        // Traffic that never leaves the machine gains nothing from TLS, and sqlx 0.9's TLS
        // handshake costs ~90 ms per connection: try plain first, TLS if the server wants it.
        opts = opts.ssl_mode(PgSslMode::Allow);
    }
    // One direct connection first: a pool would only report "timed out" where the admin
    // needs "connection refused" or "password authentication failed".
    let probe = match tokio::time::timeout(CONNECT_TIMEOUT, opts.connect()).await {
        Ok(r) => r.map_err(|e| StoreError::connect_sqlx(target, &e))?,
        Err(_) => {
            return Err(StoreError::Connect {
                target: target.label(),
                reason: format!("no answer within {} s (connect timeout)", CONNECT_TIMEOUT.as_secs()),
            });
        }
    };
    let _ = probe.close().await;
    Ok(PgPoolOptions::new().max_connections(max).acquire_timeout(CONNECT_TIMEOUT).connect_lazy_with(opts))
}

/// A URL to this machine (localhost, 127.0.0.0/8, ::1, or a socket path) that does not ask
/// for a particular `sslmode`.
fn is_loopback_without_sslmode(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    if u.query_pairs().any(|(k, _)| k == "sslmode" || k == "ssl-mode") {
        return false;
    }
    match u.host() {
        None => true,
        // For `postgres://` URLs the url crate leaves IPv4 addresses as text.
        Some(url::Host::Domain(d)) => {
            d == "localhost" || d.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback_without_sslmode as local;

    #[test]
    fn only_loopback_urls_without_sslmode_skip_tls_first() {
        assert!(local("postgres://u:p@127.0.0.1:55432/db"));
        assert!(local("postgres://u@localhost/db"));
        assert!(local("postgres://u@[::1]:5432/db"));
        assert!(!local("postgres://u@db.example.se/db"));
        assert!(!local("postgres://u@10.0.0.5/db"));
        assert!(!local("postgres://u@127.0.0.1/db?sslmode=require"));
    }
}
