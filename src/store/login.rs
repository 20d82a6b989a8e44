//! Signing in as an admin: the password is checked against the stored argon2 hash, off the
//! async threads.

use super::{Actor, Store, StoreError};
use crate::auth::hasher;
use crate::domain::email::normalize;
use crate::domain::{Denied, Role, Secret};
use sqlx::Row;

/// Failed logins that lock an account, and for how long: the web app's own policy, so a
/// password cannot be guessed through the console any faster than through the web.
const MAX_FAILED_LOGINS: i32 = 5;
const LOCK_MINUTES: i32 = 15;

/// Checks the credentials of an admin or superuser. A wrong email and a wrong password
/// both read "Invalid admin credentials." (and take the same time); only someone who knows
/// the password learns that the account is inactive, locked or not an admin.
///
/// Every attempt on an existing account leaves a trace: a wrong password counts as a failed
/// login (5 lock the account for 15 minutes, as in the web app) and writes a
/// `sign_in_failed` audit row; a success resets the count and writes `sign_in`.
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
    // A locked account is not checked against its real hash: guessing on it learns
    // nothing and does not extend the lock (else anyone could keep an admin locked out).
    let locked_now = match &row {
        Some(r) => r.try_get::<bool, _>("locked")?,
        None => false,
    };
    let hash: String = match &row {
        Some(r) if !locked_now => r.try_get::<Option<String>, _>("hash")?.unwrap_or_default(),
        _ => String::new(),
    };
    let candidate = if hash.is_empty() { hasher::DUMMY_HASH.to_string() } else { hash };
    let pw = password.clone();
    let ok = tokio::task::spawn_blocking(move || hasher::verify(&pw, &candidate))
        .await
        .map_err(|e| StoreError::Db(format!("password check failed: {e}")))?;
    let Some(row) = row else {
        tracing::warn!(email = %crate::domain::sanitize::clean(&email), "sign-in failed: no such account");
        return Err(StoreError::InvalidCredentials);
    };
    let provider: String = row.try_get("provider")?;
    let id: uuid::Uuid = row.try_get("id")?;
    if locked_now {
        tracing::warn!(email = %crate::domain::sanitize::clean(&email), "sign-in refused: account locked");
        return Err(StoreError::AccountLocked(email));
    }
    if !ok || provider != "local" {
        tracing::warn!(email = %crate::domain::sanitize::clean(&email), "sign-in failed: wrong password");
        record(store, id, &email, false).await;
        return Err(StoreError::InvalidCredentials);
    }
    if !row.try_get::<bool, _>("is_active")? {
        return Err(StoreError::AccountInactive(email));
    }
    let role: String = row.try_get("role")?;
    let role = role.parse::<Role>().unwrap_or(Role::User);
    if !role.can_administer() {
        return Err(StoreError::Denied { email, reason: Denied::NotAnAdmin });
    }
    record(store, id, &email, true).await;
    Ok(Actor { id, email: row.try_get("email")?, role })
}

/// Counts a failed login (locking at the limit) or clears the count after a success, and
/// writes the audit row. Best effort: a failure here never changes the login's outcome.
async fn record(store: &Store, id: uuid::Uuid, email: &str, success: bool) {
    if store.schema.lockout {
        let sql = if success {
            "UPDATE users SET failed_login_attempts = 0, updated_at = now()
             WHERE id = $1 AND failed_login_attempts <> 0"
        } else {
            "UPDATE users SET failed_login_attempts = failed_login_attempts + 1, updated_at = now(),
                    locked_until = CASE WHEN failed_login_attempts + 1 >= $2
                                        THEN now() + $3 * interval '1 minute' ELSE locked_until END
             WHERE id = $1"
        };
        let res =
            sqlx::query(sql).bind(id).bind(MAX_FAILED_LOGINS).bind(LOCK_MINUTES).execute(&store.pool).await;
        if let Err(e) = res {
            tracing::warn!(error = %e, "could not record the login attempt");
        }
    }
    if store.schema.audit_log {
        let actor = Actor { id, email: email.to_string(), role: Role::User };
        let action = if success { "sign_in" } else { "sign_in_failed" };
        let entry = super::audit::Entry {
            target_id: Some(id),
            target_email: email.to_string(),
            before: serde_json::Value::Null,
            after: serde_json::json!({ "via": "skriptoteket-admin" }),
        };
        let res = async {
            let mut tx = store.pool.begin().await?;
            super::audit::write(&mut tx, &actor, action, &[entry]).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await;
        if let Err(e) = res {
            tracing::warn!(error = %e, "could not audit the login attempt");
        }
    }
}
