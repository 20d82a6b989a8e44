//! Deleting accounts: first a plan (what would cascade, what blocks), then the delete in
//! one transaction that checks the plan again under lock.

use super::audit::{self, Entry};
use super::dependents::{self, Dependent, OnDelete};
use super::targets::{self, Target};
use super::{Actor, Store, StoreError, UserRow};
pub use crate::domain::references::DeletePlan;
use crate::domain::{Change, Stamp};
use serde_json::json;

fn split(deps: Vec<Dependent>) -> (Vec<Dependent>, Vec<Dependent>) {
    deps.into_iter().partition(|d| d.on_delete == OnDelete::Restrict)
}

/// The emails of the targets that restricting references hold (none when nothing blocks).
async fn blocked_emails(
    conn: &mut sqlx::PgConnection,
    rows: &[UserRow],
    blockers: &[Dependent],
) -> Result<Vec<String>, StoreError> {
    if blockers.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let held: std::collections::HashSet<_> =
        dependents::restricted_users(conn, &ids).await?.into_iter().collect();
    Ok(rows.iter().filter(|r| held.contains(&r.id)).map(|r| r.email.clone()).collect())
}

/// The plan for deleting `targets`, read in a read-only transaction (nothing locked or
/// written). Refuses as the delete would: permissions, and the last active superuser.
pub async fn plan(store: &Store, actor: &Actor, targets: &[Target]) -> Result<DeletePlan, StoreError> {
    Ok(plan_rows(store, actor, targets).await?.0)
}

/// [`plan`] and the rows it read.
pub(crate) async fn plan_rows(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
) -> Result<(DeletePlan, Vec<UserRow>), StoreError> {
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let (me, rows) = targets::read(&mut tx, &store.schema, actor, targets).await?;
    targets::check_all(me, &Change::Delete, &rows)?;
    targets::superuser_would_remain(&mut tx, &rows.iter().collect::<Vec<_>>()).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let (blockers, effects) = split(dependents::count(&mut tx, &ids).await?);
    let blocked_emails = blocked_emails(&mut tx, &rows, &blockers).await?;
    tx.rollback().await?;
    let plan = DeletePlan {
        emails: rows.iter().map(|r| r.email.clone()).collect(),
        blockers,
        blocked_emails,
        effects,
    };
    Ok((plan, rows))
}

/// Deletes every target or none. Refuses with `DeleteBlocked` (naming each blocking table)
/// when anything restricts the delete; returns the plan that was carried out.
pub async fn delete(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    targets: &[Target],
) -> Result<(DeletePlan, Vec<UserRow>), StoreError> {
    store.require_audit()?;
    let mut tx = store.pool.begin().await?;
    let (me, rows) = targets::lock(&mut tx, &store.schema, actor, targets).await?;
    targets::check_all(me, &Change::Delete, &rows)?;
    targets::ensure_superuser_remains(&mut tx, &rows.iter().collect::<Vec<_>>()).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let (blockers, effects) = split(dependents::count(&mut tx, &ids).await?);
    let blocked_emails = blocked_emails(&mut tx, &rows, &blockers).await?;
    let plan = DeletePlan {
        emails: rows.iter().map(|r| r.email.clone()).collect(),
        blockers,
        blocked_emails,
        effects,
    };
    if plan.is_blocked() {
        return Err(StoreError::DeleteBlocked(plan));
    }
    let mut entries: Vec<Entry> = rows.iter().map(|r| deleted_entry(r, None)).collect();
    // Where a chain of cascades leads back to `users` (a deployment's own key), deleting one
    // account can delete others: read who else is there now, and check them afterwards.
    let others = if dependents::cascade_reaches_users(&mut *tx).await? {
        Some(other_users(&mut tx, &store.schema, &ids).await?)
    } else {
        None
    };
    let deleted = sqlx::query("DELETE FROM users WHERE id = ANY($1)").bind(&ids).execute(&mut *tx).await;
    match deleted {
        Ok(_) => {}
        // A cascade reached a row that something else restricts (a second-level reference).
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23503") => {
            let mut plan = plan;
            plan.blockers.push(Dependent {
                table: e.table().unwrap_or("another table").to_string(),
                column: e.constraint().unwrap_or("foreign key").to_string(),
                on_delete: OnDelete::Restrict,
                rows: 1,
            });
            return Err(StoreError::DeleteBlocked(plan));
        }
        Err(e) => return Err(e.into()),
    }
    let mut rows = rows;
    if let Some(others) = others {
        let swept = vanished(&mut tx, others).await?;
        if !swept.is_empty() {
            // They pass the targets' rules, or nothing is deleted (the transaction is
            // dropped, rolling back).
            // A refusal names the swept account.
            targets::check_all(me, &Change::Delete, &swept)?;
            targets::ensure_superuser_remains(&mut tx, &swept.iter().collect::<Vec<_>>()).await?;
            let cause = rows.iter().map(|r| r.email.clone()).collect::<Vec<_>>().join(", ");
            entries.extend(swept.iter().map(|r| deleted_entry(r, Some(&cause))));
            rows.extend(swept);
        }
    }
    audit::write(&mut tx, actor, stamp, Change::Delete.audit_name(), &entries).await?;
    tx.commit().await?;
    Ok((plan, rows))
}

/// The audit entry of a deleted account; `cascaded_from` names the targets whose delete
/// took it along.
pub(crate) fn deleted_entry(r: &UserRow, cascaded_from: Option<&str>) -> Entry {
    let mut before = json!({"email": r.email, "role": r.role, "is_active": r.is_active,
                            "auth_provider": r.auth_provider, "active_sessions": r.active_sessions});
    if let Some(cause) = cascaded_from {
        before["cascaded_from"] = json!(cause);
    }
    Entry { target_id: Some(r.id), target_email: r.email.clone(), before, after: serde_json::Value::Null }
}

/// Every account but `ids`, as it is now (only read where cascades can reach `users`).
async fn other_users(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    schema: &super::Schema,
    ids: &[uuid::Uuid],
) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!(
        "SELECT {} FROM users u WHERE NOT (u.id = ANY($1))",
        super::users::user_columns(schema, super::users::SESSIONS_SUBQUERY)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(&mut **tx).await?;
    rows.iter().map(super::users::decode).collect()
}

/// The accounts among `others` that no longer exist.
async fn vanished(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    others: Vec<UserRow>,
) -> Result<Vec<UserRow>, StoreError> {
    let ids: Vec<uuid::Uuid> = others.iter().map(|r| r.id).collect();
    let still: std::collections::HashSet<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    Ok(others.into_iter().filter(|r| !still.contains(&r.id)).collect())
}
