//! Signing in as an admin: the password is checked against the stored argon2 hash, off the
//! async threads.

use super::{Actor, Store, StoreError};
use crate::auth::hasher;
use crate::domain::email::normalize;
use crate::domain::{Denied, Role, Secret};
use sqlx::Row;

/// Checks the credentials of an admin or superuser. A wrong email and a wrong password
/// both read "Invalid admin credentials." (and take the same time); only someone who knows
/// the password learns that the account is inactive, locked or not an admin.
pub async fn authenticate(store: &Store, email: &str, password: &Secret) -> Result<Actor, StoreError> {
    if !store.schema.users {
        return Err(StoreError::NeedsMigrate);
    }
    let email = normalize(email);
    let locked = if store.schema.lockout { "COALESCE(locked_until > now(), false)" } else { "false" };
    let sql = format!(
        "SELECT id, email::text AS email, role::text AS role, is_active, auth_provider::text AS provider,
                password_hash::text AS hash, {locked} AS locked
         FROM users WHERE email = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&email).fetch_optional(&store.pool).await?;
    let hash: String = match &row {
        Some(r) => r.try_get::<Option<String>, _>("hash")?.unwrap_or_default(),
        None => String::new(),
    };
    let candidate = if hash.is_empty() { hasher::DUMMY_HASH.to_string() } else { hash };
    let pw = password.clone();
    let ok = tokio::task::spawn_blocking(move || hasher::verify(&pw, &candidate))
        .await
        .map_err(|e| StoreError::Db(format!("password check failed: {e}")))?;
    let Some(row) = row else { return Err(StoreError::InvalidCredentials) };
    let provider: String = row.try_get("provider")?;
    if !ok || provider != "local" {
        return Err(StoreError::InvalidCredentials);
    }
    if !row.try_get::<bool, _>("is_active")? {
        return Err(StoreError::AccountInactive(email));
    }
    if row.try_get::<bool, _>("locked")? {
        return Err(StoreError::AccountLocked(email));
    }
    let role: String = row.try_get("role")?;
    let role = role.parse::<Role>().unwrap_or(Role::User);
    if !role.can_administer() {
        return Err(StoreError::Denied { email, reason: Denied::NotAnAdmin });
    }
    Ok(Actor { id: row.try_get("id")?, email: row.try_get("email")?, role })
}
