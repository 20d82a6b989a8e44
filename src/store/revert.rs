//! Reverting a change by its id: every account it touched gets back the values its audit
//! row recorded as "before", in one transaction, where the account still holds the
//! recorded "after" values; otherwise nothing changes and the refusal names the accounts
//! that moved on. The revert is audited like any change, each row linked to the change it
//! reverts (`reverts`).

use super::audit::{self, Entry};
use super::targets::{self, Target};
use super::{Actor, Store, StoreError, UserRow};
use crate::domain::audit::AuditRow;
use crate::domain::permissions::{self, ActorView, TargetView};
use crate::domain::revert::{Restore, why_not};
use crate::domain::{Applied, Plan, PlanItem, Stamp};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// What a revert did: the action its rows were written with, and each account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reverted {
    pub reverted: Uuid,
    pub action: &'static str,
    pub applied: Vec<Applied>,
}

/// One account of the change, with what to put back and what it must still hold.
struct Step {
    id: Uuid,
    email: String,
    restore: Restore,
    expect: Restore,
}

/// The change's audit rows; refuses a change that cannot be reverted, or was already.
async fn rows_of(store: &Store, change_id: Uuid) -> Result<Vec<AuditRow>, StoreError> {
    store.require_audit()?;
    let rows: Vec<AuditRow> = audit::of_change(store, change_id).await?;
    let Some(first) = rows.first() else { return Err(StoreError::NoSuchChange(change_id)) };
    if let Some(why) = why_not(&first.action) {
        return Err(StoreError::NotRevertable { action: first.action.clone(), why });
    }
    let by: Option<Uuid> = sqlx::query_scalar(
        "SELECT change_id FROM skriptoteket_admin.admin_audit_log WHERE reverts = $1 LIMIT 1",
    )
    .bind(change_id)
    .fetch_optional(&store.pool)
    .await?
    .flatten();
    if let Some(by) = by {
        return Err(StoreError::AlreadyReverted { change: change_id, by });
    }
    Ok(rows)
}

/// Works out the steps of the change's rows (not an edit's: `store::edit` reverts those).
fn steps(store: &Store, rows: &[AuditRow]) -> Result<Vec<Step>, StoreError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in rows {
        let values = |v: &Option<serde_json::Value>| v.as_ref().and_then(Restore::from_values);
        let not = |why: &'static str| StoreError::NotRevertable { action: r.action.clone(), why };
        let (Some(id), Some(restore), Some(expect)) = (r.target_id, values(&r.before), values(&r.after))
        else {
            return Err(not("its audit rows do not say what was there before"));
        };
        match &restore {
            Restore::Role(crate::domain::Role::Unknown) => {
                return Err(not("a role it had before is not one the web app knows"));
            }
            Restore::Verified(_) if !store.schema.email_verified => {
                return Err(not("this database has no users.email_verified"));
            }
            Restore::Lock { .. } if !store.schema.lockout => {
                return Err(not("this database has no lockout columns"));
            }
            _ => {}
        }
        // One step per account, whatever the rows say.
        if seen.insert(id) {
            out.push(Step { id, email: r.target_email.clone().unwrap_or_default(), restore, expect });
        }
    }
    Ok(out)
}

/// Each step with its account's row (by id; a missing row was refused as stale when read).
fn pairs<'a>(steps: &'a [Step], rows: &'a [UserRow]) -> Vec<(&'a Step, &'a UserRow)> {
    let by_id: HashMap<Uuid, &UserRow> = rows.iter().map(|r| (r.id, r)).collect();
    steps.iter().filter_map(|s| by_id.get(&s.id).map(|r| (s, *r))).collect()
}

/// The rules a revert passes on the rows as they are now (read or locked in `tx`): each
/// still holds what the change left, the actor may make each restore (and never lock or
/// unverify their own account), a superuser remains. `planning`: a dry run, which counts
/// the superusers without taking the lock other admins' changes wait for.
async fn check(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    me: ActorView,
    steps: &[Step],
    rows: &[UserRow],
    planning: bool,
) -> Result<(), StoreError> {
    let pairs = pairs(steps, rows);
    let moved: Vec<String> = pairs
        .iter()
        .filter(|(s, r)| !s.expect.holds(r))
        .map(|(s, r)| {
            format!(
                "{} ({} now, the change left {})",
                r.email,
                s.expect.current(r).describe(),
                s.expect.describe()
            )
        })
        .collect();
    if !moved.is_empty() {
        return Err(StoreError::RevertStale(moved));
    }
    for (s, r) in &pairs {
        if r.id == me.id && s.restore.shuts_out() {
            return Err(StoreError::Denied {
                email: r.email.clone(),
                reason: crate::domain::Denied::OnSelf("lock or unverify"),
            });
        }
        permissions::check(me, &s.restore.as_change(), Some(TargetView { id: r.id, role: r.role }))
            .map_err(|reason| StoreError::Denied { email: r.email.clone(), reason })?;
    }
    let leaving: Vec<&UserRow> =
        pairs.iter().filter(|(s, r)| s.restore.removes_superuser(r)).map(|(_, r)| *r).collect();
    if planning {
        targets::superuser_would_remain(tx, &leaving).await
    } else {
        targets::ensure_superuser_remains(tx, &leaving).await
    }
}

fn id_targets(steps: &[Step]) -> Vec<Target> {
    steps.iter().map(|s| Target::Id { id: s.id, email: s.email.clone() }).collect()
}

/// Reverts change `change_id` as `actor`; `stamp` is the revert's own (its `reverts` is set
/// here).
pub async fn revert(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    change_id: Uuid,
) -> Result<Reverted, StoreError> {
    store.require_writable()?;
    let rows = rows_of(store, change_id).await?;
    if rows.first().is_some_and(|r| r.action == super::edit::ACTION) {
        return super::edit::revert(store, actor, stamp, change_id, &rows).await;
    }
    let steps = steps(store, &rows)?;
    let mut tx = store.pool.begin().await?;
    // Rows first; the superuser lock only if a restore takes a superuser away (in `check`).
    let (me, rows) = targets::lock(&mut tx, &store.schema, actor, &id_targets(&steps)).await?;
    check(&mut tx, me, &steps, &rows, false).await?;
    let now: time::OffsetDateTime = sqlx::query_scalar("SELECT now()").fetch_one(&mut *tx).await?;
    let revoked = write(&mut tx, store, &steps).await?;
    let action = steps.first().map_or("set_role", |s| s.restore.action());
    let entries: Vec<Entry> = pairs(&steps, &rows)
        .into_iter()
        .map(|(s, r)| {
            // What was written: a lock whose end has passed is not put back.
            let written = match &s.restore {
                Restore::Lock { failed_login_attempts, locked_until: Some(t) } if *t <= now => {
                    Restore::Lock { failed_login_attempts: *failed_login_attempts, locked_until: None }
                }
                other => other.clone(),
            };
            let (mut before, mut after) = (s.expect.current(r).to_values(), written.to_values());
            if let Restore::Active(_) = s.restore {
                before["active_sessions"] = json!(r.active_sessions);
                after["sessions_revoked"] = json!(revoked.get(&r.id).copied().unwrap_or(0));
            }
            Entry { target_id: Some(r.id), target_email: r.email.clone(), before, after }
        })
        .collect();
    let stamp = Stamp { reverts: Some(change_id), ..stamp.clone() };
    audit::write(&mut tx, actor, &stamp, action, &entries).await?;
    tx.commit().await?;
    let applied = rows
        .iter()
        .map(|r| Applied {
            id: r.id,
            email: r.email.clone(),
            changed: true,
            sessions_revoked: revoked.get(&r.id).copied().unwrap_or(0),
            unlocked: false,
        })
        .collect();
    Ok(Reverted { reverted: change_id, action, applied })
}

/// What [`revert`] would do, read in a read-only transaction.
pub async fn plan(store: &Store, actor: &Actor, change_id: Uuid) -> Result<Plan, StoreError> {
    let refused = |e: StoreError| -> Result<Plan, StoreError> {
        if e.is_connection() { Err(e) } else { Ok(Plan::refused("revert", e.to_string())) }
    };
    let rows = match rows_of(store, change_id).await {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    if rows.first().is_some_and(|r| r.action == super::edit::ACTION) {
        return super::edit::revert_plan(store, actor, &rows).await;
    }
    let steps = match steps(store, &rows) {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let (me, rows) = match targets::read(&mut tx, &store.schema, actor, &id_targets(&steps)).await {
        Ok(found) => found,
        Err(e) => return refused(e),
    };
    let verdict = check(&mut tx, me, &steps, &rows, true).await;
    tx.rollback().await?;
    let refusal = match verdict {
        Ok(()) => None,
        Err(e) if e.is_connection() => return Err(e),
        Err(e) => Some(e.to_string()),
    };
    let action = steps.first().map_or("revert", |s| s.restore.action());
    let items = pairs(&steps, &rows)
        .into_iter()
        .map(|(s, r)| PlanItem {
            email: r.email.clone(),
            id: Some(r.id),
            before: s.expect.current(r).to_values(),
            after: s.restore.to_values(),
            skipped: None,
        })
        .collect();
    Ok(Plan { action: action.to_string(), targets: items, refused: refusal })
}

/// The set-based updates of a revert; returns sessions revoked per account (putting an
/// account back to inactive signs it out, as a deactivation does).
async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    store: &Store,
    steps: &[Step],
) -> Result<HashMap<Uuid, u64>, StoreError> {
    let ids: Vec<Uuid> = steps.iter().map(|s| s.id).collect();
    let mut roles = Vec::new();
    let mut flags = Vec::new();
    let mut failed = Vec::new();
    let mut until = Vec::new();
    for s in steps {
        match &s.restore {
            Restore::Role(r) => roles.push(r.as_str().to_string()),
            Restore::Active(b) | Restore::Verified(b) => flags.push(*b),
            Restore::Lock { failed_login_attempts, locked_until } => {
                failed.push(*failed_login_attempts);
                until.push(*locked_until);
            }
        }
    }
    let Some(first) = steps.first() else { return Ok(HashMap::new()) };
    // One change has one action, so every step restores the same field.
    let (sql, revoke) = match first.restore {
        Restore::Role(_) => (
            "UPDATE users u SET role = v.x, updated_at = now() FROM unnest($1::uuid[], $2::text[]) v(id, x)
             WHERE u.id = v.id",
            false,
        ),
        Restore::Active(_) => (
            "UPDATE users u SET is_active = v.x, updated_at = now() FROM unnest($1::uuid[], $2::bool[]) v(id, x)
             WHERE u.id = v.id",
            true,
        ),
        Restore::Verified(_) if store.schema.email_verified => (
            "UPDATE users u SET email_verified = v.x, updated_at = now()
             FROM unnest($1::uuid[], $2::bool[]) v(id, x) WHERE u.id = v.id",
            false,
        ),
        Restore::Lock { .. } if store.schema.lockout => (
            "UPDATE users u SET failed_login_attempts = v.n, updated_at = now(),
                    locked_until = CASE WHEN v.t > now() THEN v.t END
             FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) v(id, n, t) WHERE u.id = v.id",
            false,
        ),
        Restore::Verified(_) | Restore::Lock { .. } => return Ok(HashMap::new()),
    };
    let q = sqlx::query(sql).bind(&ids);
    let q = match first.restore {
        Restore::Role(_) => q.bind(&roles),
        Restore::Active(_) | Restore::Verified(_) => q.bind(&flags),
        Restore::Lock { .. } => q.bind(&failed).bind(&until),
    };
    q.execute(&mut **tx).await?;
    let deactivated: Vec<Uuid> =
        steps.iter().filter(|s| s.restore == Restore::Active(false)).map(|s| s.id).collect();
    if revoke && store.schema.sessions && !deactivated.is_empty() {
        super::sessions::revoke(tx, &deactivated).await
    } else {
        Ok(HashMap::new())
    }
}
