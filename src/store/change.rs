//! The one place a [`Change`] is executed: the console's worker and the subcommands both
//! call [`apply`], which hands each kind to the code that knows its SQL.

use super::mutate::BeforeCommit;
use super::targets::Target;
use super::{Actor, Store, StoreError, create, delete, mutate};
use crate::domain::{Change, Done, Plan, PlanItem, Stamp};

/// Applies `change` to `targets` as `actor`, in one transaction with its audit rows.
/// `password_hash` is the new password's PHC string for the changes that set one
/// ([`Change::needs_password`]); targets are ignored by `Create`. Every audit row carries
/// `stamp` (the caller keeps its change id to ask later whether the change committed).
pub async fn apply(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    targets: &[Target],
    change: &Change,
    password_hash: Option<&str>,
) -> Result<Done, StoreError> {
    apply_then(store, actor, stamp, targets, change, password_hash, &mut |_| Ok(())).await
}

/// [`apply`], with `before_commit` hearing what the change did inside its transaction,
/// before the commit: a change that sets a generated password writes it there, and an
/// `Err` rolls the change back ([`StoreError::OutputFailed`]). Deletes and reverts, which
/// hand out nothing, commit without asking.
pub async fn apply_then(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    targets: &[Target],
    change: &Change,
    password_hash: Option<&str>,
    before_commit: &mut BeforeCommit<'_, Done>,
) -> Result<Done, StoreError> {
    store.require_writable()?;
    let hash =
        || password_hash.ok_or_else(|| StoreError::Db(format!("{} needs a password hash", change.label())));
    match change {
        Change::Create { email, role } => {
            let mut hook = |row: &crate::domain::UserRow| before_commit(&Done::Created(row.clone()));
            let row = create::provision_then(store, actor, stamp, email, *role, hash()?, &mut hook).await?;
            Ok(Done::Created(row))
        }
        Change::Delete => {
            let (plan, rows) = delete::delete(store, actor, stamp, targets).await?;
            Ok(Done::Deleted { rows, effects: plan.effects })
        }
        Change::Revert(id) => {
            Ok(Done::Changed(super::revert::revert(store, actor, stamp, *id).await?.applied))
        }
        Change::Edit(edit) => {
            let mut hook =
                |applied: &Vec<crate::domain::Applied>| before_commit(&Done::Changed(applied.clone()));
            Ok(Done::Changed(super::edit::apply(store, actor, stamp, targets, edit, &mut hook).await?))
        }
        _ => {
            let mut hook =
                |applied: &Vec<crate::domain::Applied>| before_commit(&Done::Changed(applied.clone()));
            let keep = |_: &crate::domain::UserRow, _| true;
            let applied =
                mutate::apply_where(store, actor, stamp, targets, change, password_hash, &keep, &mut hook)
                    .await?;
            Ok(Done::Changed(applied))
        }
    }
}

/// What [`apply`] would do, worked out in a read-only transaction: nothing is locked,
/// written or audited. A refusal is part of the plan; only a failure to read is an error.
pub async fn plan(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
    change: &Change,
) -> Result<Plan, StoreError> {
    let refused = |e: StoreError| -> Result<Plan, StoreError> {
        if e.is_connection() { Err(e) } else { Ok(Plan::refused(change.audit_name(), e.to_string())) }
    };
    match change {
        Change::Create { email, role } => match create::plan(store, actor, email, *role).await {
            Ok(item) => Ok(Plan { action: change.audit_name().into(), targets: vec![item], refused: None }),
            Err(e) => refused(e),
        },
        Change::Delete => {
            let (plan, rows) = match delete::plan_rows(store, actor, targets).await {
                Ok(found) => found,
                Err(e) => return refused(e),
            };
            let items = rows
                .iter()
                .map(|r| {
                    let entry = delete::deleted_entry(r, None);
                    let held = plan.blocked_emails.contains(&r.email);
                    PlanItem {
                        email: r.email.clone(),
                        id: Some(r.id),
                        before: entry.before,
                        after: entry.after,
                        skipped: held.then(|| "held by rows that restrict its delete".to_string()),
                    }
                })
                .collect();
            let refused = plan.is_blocked().then(|| plan.blocked_message());
            Ok(Plan { action: change.audit_name().into(), targets: items, refused })
        }
        Change::Revert(id) => super::revert::plan(store, actor, *id).await,
        Change::Edit(edit) => super::edit::plan(store, actor, targets, edit).await,
        _ => mutate::plan(store, actor, targets, change).await,
    }
}
