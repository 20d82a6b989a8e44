//! The one place a [`Change`] is executed: the console's worker and the subcommands both
//! call [`apply`], which hands each kind to the code that knows its SQL.

use super::targets::Target;
use super::{Actor, Store, StoreError, create, delete, mutate};
use crate::domain::{Change, Done};

/// Applies `change` to `targets` as `actor`, in one transaction with its audit rows.
/// `password_hash` is the new password's PHC string for the changes that set one
/// ([`Change::needs_password`]); targets are ignored by `Create`.
pub async fn apply(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
    change: &Change,
    password_hash: Option<&str>,
) -> Result<Done, StoreError> {
    let hash =
        || password_hash.ok_or_else(|| StoreError::Db(format!("{} needs a password hash", change.label())));
    match change {
        Change::Create { email, role } => {
            Ok(Done::Created(create::provision(store, actor, email, *role, hash()?).await?))
        }
        Change::Delete => {
            let (plan, rows) = delete::delete(store, actor, targets).await?;
            Ok(Done::Deleted { rows, effects: plan.effects })
        }
        _ => Ok(Done::Changed(mutate::apply(store, actor, targets, change, password_hash).await?)),
    }
}
