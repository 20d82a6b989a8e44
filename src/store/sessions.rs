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

/// One active session, for the details view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
}

/// The user's active sessions, newest first.
pub async fn active_for(store: &Store, user_id: Uuid) -> Result<Vec<SessionRow>, StoreError> {
    if !store.schema.sessions {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT id, created_at, expires_at FROM sessions
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
         ORDER BY created_at DESC NULLS LAST LIMIT 50",
    )
    .bind(user_id)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SessionRow {
                id: r.try_get("id")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .collect()
}
