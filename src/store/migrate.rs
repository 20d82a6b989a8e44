//! `migrate`: this tool's own tables, and nothing else. The web app's alembic migrations
//! own `users`, `sessions` and the rest; creating one of them here would make its
//! `alembic upgrade head` fail ("relation users already exists"), so on a database without
//! `users` this refuses and says to run those first.

use super::{Store, StoreError};

/// Every table `migrate` adds: the audit log, and sqlx's record of applied migrations.
pub const OWN_TABLES: [&str; 2] = ["admin_audit_log", "_sqlx_migrations"];

/// The tool's migrations. Early versions shipped one that created the web app's base
/// tables where missing; databases that applied it keep it in `_sqlx_migrations`, and the
/// migrator is told to accept such a record without its file.
static MIGRATOR: sqlx::migrate::Migrator = {
    let mut m = sqlx::migrate!("./migrations");
    m.ignore_missing = true;
    m
};

/// Runs every pending migration; running it again changes nothing.
pub async fn run(store: &mut Store) -> Result<(), StoreError> {
    store.require_writable()?;
    if !store.schema.users {
        return Err(StoreError::NoUsersTable);
    }
    MIGRATOR.run(&store.pool).await.map_err(|e| StoreError::Migrate(format!("migration failed: {e}")))?;
    store.refresh_schema().await
}
