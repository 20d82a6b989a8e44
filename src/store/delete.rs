//! Deleting accounts: first a plan (what would cascade, what blocks), then the delete in
//! one transaction that checks the plan again under lock.

use super::audit::{self, Entry};
use super::dependents::{self, Dependent, OnDelete};
use super::targets::{self, Target};
use super::{Actor, Store, StoreError, UserRow};
use crate::domain::Change;
pub use crate::domain::references::DeletePlan;
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

/// The plan for deleting `targets`, read without changing anything.
pub async fn plan(store: &Store, actor: &Actor, targets: &[Target]) -> Result<DeletePlan, StoreError> {
    let mut tx = store.pool.begin().await?;
    let (me, rows) = targets::lock(&mut tx, &store.schema, actor, targets).await?;
    targets::check_all(me, &Change::Delete, &rows)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let (blockers, effects) = split(dependents::count(&mut tx, &ids).await?);
    let blocked_emails = blocked_emails(&mut tx, &rows, &blockers).await?;
    tx.rollback().await?;
    Ok(DeletePlan {
        emails: rows.iter().map(|r| r.email.clone()).collect(),
        blockers,
        blocked_emails,
        effects,
    })
}

/// Deletes every target or none. Refuses with `DeleteBlocked` (naming each blocking table)
/// when anything restricts the delete; returns the plan that was carried out.
pub async fn delete(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
) -> Result<(DeletePlan, Vec<UserRow>), StoreError> {
    store.require_audit()?;
    let mut tx = store.pool.begin().await?;
    targets::lock_superusers(&mut tx).await?;
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
    let entries: Vec<Entry> = rows
        .iter()
        .map(|r| Entry {
            target_id: Some(r.id),
            target_email: r.email.clone(),
            before: json!({"email": r.email, "role": r.role, "is_active": r.is_active,
                           "auth_provider": r.auth_provider, "active_sessions": r.active_sessions}),
            after: serde_json::Value::Null,
        })
        .collect();
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
    audit::write(&mut tx, actor, Change::Delete.audit_name(), &entries).await?;
    tx.commit().await?;
    Ok((plan, rows))
}
