//! `admin_audit_log`: one row per affected account per change, written in the change's
//! own transaction, so a rolled-back change leaves no entry.

use super::{Actor, Store, StoreError};
use serde::Serialize;
use serde_json::Value;
use sqlx::{Postgres, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// One entry to write.
#[derive(Clone, Debug)]
pub struct Entry {
    pub target_id: Option<Uuid>,
    pub target_email: String,
    pub before: Value,
    pub after: Value,
}

/// Writes all entries of one change with a single statement, all stamped with the moment
/// of the write (`clock_timestamp()`, read once), not the start of the transaction.
pub(crate) async fn write(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    action: &str,
    entries: &[Entry],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let ids: Vec<Option<Uuid>> = entries.iter().map(|e| e.target_id).collect();
    let emails: Vec<&str> = entries.iter().map(|e| e.target_email.as_str()).collect();
    let before: Vec<Value> = entries.iter().map(|e| e.before.clone()).collect();
    let after: Vec<Value> = entries.iter().map(|e| e.after.clone()).collect();
    let done = sqlx::query(
        "INSERT INTO admin_audit_log (at, actor_id, actor_email, action, target_id, target_email, before, after)
         SELECT c.written, $1, $2, $3, t.id, t.email, t.before, t.after
         FROM (SELECT clock_timestamp() AS written) c,
              unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) AS t(id, email, before, after)",
    )
    .bind(actor.id)
    .bind(&actor.email)
    .bind(action)
    .bind(&ids)
    .bind(&emails)
    .bind(&before)
    .bind(&after)
    .execute(&mut **tx)
    .await?;
    // A trigger that swallows the insert must not let the change commit unrecorded.
    let written = done.rows_affected();
    if written != entries.len() as u64 {
        return Err(StoreError::Db(format!(
            "the audit log took {written} of {} rows; nothing was changed",
            entries.len()
        )));
    }
    Ok(())
}

/// The newest audit id now. Every change commits with its audit rows, so after a lost
/// connection an entry past this mark by the same actor and action proves the change
/// committed ([`written_since`]).
pub async fn latest_id(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM admin_audit_log").fetch_one(&store.pool).await?)
}

/// Whether `actor` wrote an `action` entry after `mark`.
pub async fn written_since(store: &Store, mark: i64, actor: Uuid, action: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM admin_audit_log WHERE id > $1 AND actor_id = $2 AND action = $3",
    )
    .bind(mark)
    .bind(actor)
    .bind(action)
    .fetch_one(&store.pool)
    .await?;
    Ok(n > 0)
}

/// One entry as read back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_email: String,
    pub action: String,
    pub target_id: Option<Uuid>,
    pub target_email: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Newest first; `target` narrows to one account.
pub async fn recent(store: &Store, limit: i64, target: Option<Uuid>) -> Result<Vec<AuditRow>, StoreError> {
    store.require_audit()?;
    let rows = sqlx::query(
        "SELECT id, at, actor_email::text, action::text, target_id, target_email::text, before, after
         FROM admin_audit_log WHERE ($2::uuid IS NULL OR target_id = $2)
         ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .bind(target)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_email: r.try_get("actor_email")?,
                action: r.try_get("action")?,
                target_id: r.try_get("target_id")?,
                target_email: r.try_get("target_email")?,
                before: r.try_get("before")?,
                after: r.try_get("after")?,
            })
        })
        .collect()
}

/// `{"before": ..}` → compact text for tables: `role: user → admin`.
pub fn describe_change(before: &Option<Value>, after: &Option<Value>) -> String {
    let fmt = |v: &Option<Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => other.to_string(),
    };
    let (b, a) = (fmt(before), fmt(after));
    match (b.is_empty(), a.is_empty()) {
        (true, true) => String::new(),
        (true, false) => a,
        (false, true) => format!("{b} → (gone)"),
        (false, false) => format!("{b} → {a}"),
    }
}
