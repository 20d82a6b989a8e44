//! `migrate`: the web app's base tables where missing, and the console's audit table.

use super::{Store, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Runs every pending migration; running it again changes nothing.
pub async fn run(store: &mut Store) -> Result<(), StoreError> {
    MIGRATOR.run(&store.pool).await.map_err(|e| StoreError::Migrate(format!("migration failed: {e}")))?;
    store.refresh_schema().await
}
