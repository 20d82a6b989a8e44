//! Everything that speaks SQL. One file per concern; every change is one transaction.

pub mod audit;
pub mod change;
pub mod create;
pub mod delete;
pub mod dependents;
pub mod error;
pub mod login;
pub mod migrate;
pub mod mutate;
pub mod revert;
pub mod schema;
pub mod seed;
pub mod sessions;
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
        let schema = Schema::detect(&pool).await?;
        Ok(Store { pool, schema, target: target.clone() })
    }

    /// Re-reads the schema (after `migrate`, say).
    pub async fn refresh_schema(&mut self) -> Result<(), StoreError> {
        self.schema = Schema::detect(&self.pool).await?;
        Ok(())
    }

    /// A trivial round trip: whether the server answers now.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Refuses a change when the audit table is missing: no change goes unrecorded.
    pub fn require_audit(&self) -> Result<(), StoreError> {
        if self.schema.audit_log { Ok(()) } else { Err(StoreError::NeedsMigrate) }
    }
}

/// A pool that fails fast with a clear message when the server is not there.
pub async fn pool(target: &DbTarget, max: u32) -> Result<PgPool, StoreError> {
    let mut opts = PgConnectOptions::from_str(target.url())
        .map_err(|e| StoreError::connect(target, &e))?
        .application_name("skriptoteket-admin");
    if is_loopback_without_sslmode(target.url()) {
        // Traffic that never leaves the machine gains nothing from TLS, and sqlx 0.9's TLS
        // handshake costs ~90 ms per connection: try plain first, TLS if the server wants it.
        opts = opts.ssl_mode(PgSslMode::Allow);
    }
    // One direct connection first: a pool would only report "timed out" where the admin
    // needs "connection refused" or "password authentication failed".
    let probe = opts.connect().await.map_err(|e| StoreError::connect_sqlx(target, &e))?;
    let _ = probe.close().await;
    Ok(PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(opts))
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
