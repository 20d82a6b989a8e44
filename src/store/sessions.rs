//! Sessions of the web app: a session is active while `revoked_at IS NULL AND
//! expires_at > now()`; revoking sets `revoked_at = now()` as the web app does.

use super::{Store, StoreError};
use sqlx::{Postgres, Row, Transaction};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Revokes every active session of these users; returns how many per user.
pub(crate) async fn revoke(
    tx: &mut Transaction<'_, Postgres>,
    user_ids: &[Uuid],
) -> Result<HashMap<Uuid, u64>, StoreError> {
    let rows = sqlx::query(
        "UPDATE sessions SET revoked_at = now()
         WHERE user_id = ANY($1) AND revoked_at IS NULL AND expires_at > now()
         RETURNING user_id",
    )
    .bind(user_ids)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let id: Uuid = r.try_get("user_id")?;
        *out.entry(id).or_insert(0) += 1;
    }
    Ok(out)
}

/// One session, for the details view.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    /// Not revoked and not expired when read.
    pub active: bool,
}

/// The user's newest sessions of any state (active, expired, revoked), at most `limit`.
pub async fn recent_for(store: &Store, user_id: Uuid, limit: i64) -> Result<Vec<SessionRow>, StoreError> {
    if !store.schema.sessions {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(
        "SELECT id, created_at, expires_at, revoked_at, (revoked_at IS NULL AND expires_at > now()) AS active
         FROM sessions WHERE user_id = $1 ORDER BY created_at DESC NULLS LAST LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}

/// One sign-in attempt from the web app's `login_events` (web logins and this tool's).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LoginEvent {
    pub at: OffsetDateTime,
    pub success: bool,
    pub failure_code: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// The user's newest sign-in attempts, at most `limit` (none where the table is missing).
pub async fn logins_for(store: &Store, user_id: Uuid, limit: i64) -> Result<Vec<LoginEvent>, StoreError> {
    if !store.schema.login_events {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(
        "SELECT created_at AS at, status::text = 'success' AS success, failure_code::text AS failure_code,
                ip_address::text AS ip_address, user_agent::text AS user_agent
         FROM login_events WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}
