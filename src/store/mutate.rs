//! Changes to existing accounts: role, active flag, lock, verified flag, password,
//! sessions. Each call is one transaction over all its targets: all of them change, or
//! none does. The SQL and the audit values of each kind of change live here.

use super::audit::{self, Entry};
use super::targets::{self, Target};
use super::{Actor, Store, StoreError, UserRow};
use crate::domain::{Applied, Change, Plan, PlanItem, Stamp};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// What runs inside a change's transaction just before its commit, with what the change
/// did: the output that must not be lost (a generated password) is written there. An
/// `Err` (the output could not be written) rolls the change back.
pub type BeforeCommit<'a, T> = dyn FnMut(&T) -> Result<(), String> + Send + 'a;

/// Applies `change` (a change to existing accounts) to every target that still passes
/// `keep` once locked (given the row and the transaction's clock) in one transaction, with
/// its audit rows; the others are left as they are, and out of the result.
/// `password_hash` is the new PHC string of a password reset.
/// `before_commit` hears the result before the commit (see [`BeforeCommit`]).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply_where(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    targets: &[Target],
    change: &Change,
    password_hash: Option<&str>,
    keep: &(dyn Fn(&UserRow, time::OffsetDateTime) -> bool + Sync),
    before_commit: &mut BeforeCommit<'_, Vec<Applied>>,
) -> Result<Vec<Applied>, StoreError> {
    store.require_audit()?;
    check_shape(change, targets)?;
    let mut tx = store.pool.begin().await?;
    let (me, rows) = targets::lock(&mut tx, &store.schema, actor, targets).await?;
    let now: time::OffsetDateTime = sqlx::query_scalar("SELECT now()").fetch_one(&mut *tx).await?;
    let rows: Vec<UserRow> = rows.into_iter().filter(|r| keep(r, now)).collect();
    let todo = check(&mut tx, me, change, &rows, false).await?;
    check_session(&mut tx, store, change, &rows).await?;
    let ids: Vec<Uuid> = todo.iter().map(|r| r.id).collect();
    let changed: std::collections::HashSet<Uuid> = ids.iter().copied().collect();
    let revoked = run(&mut tx, store, change, password_hash, &ids).await?;
    let entries: Vec<Entry> = todo
        .iter()
        .map(|r| {
            let n = revoked.get(&r.id).copied().unwrap_or(0);
            let (before, after) = audit_values(change, r, n);
            Entry { target_id: Some(r.id), target_email: r.email.clone(), before, after }
        })
        .collect();
    audit::write(&mut tx, actor, stamp, change.audit_name(), &entries).await?;
    let applied: Vec<Applied> = rows
        .iter()
        .map(|r| Applied {
            id: r.id,
            email: r.email.clone(),
            changed: changed.contains(&r.id),
            sessions_revoked: revoked.get(&r.id).copied().unwrap_or(0),
            unlocked: changed.contains(&r.id)
                && matches!(change, Change::ResetPassword { .. })
                && (r.locked || r.failed_login_attempts > 0),
        })
        .collect();
    if let Err(why) = before_commit(&applied) {
        tx.rollback().await?;
        return Err(StoreError::OutputFailed(why));
    }
    tx.commit().await?;
    Ok(applied)
}

/// What `apply` would do, read in a read-only transaction with the same lookups and checks
/// and nothing locked or written: each account's audit values, or why it is skipped, and
/// the refusal `apply` would give. Errors are only failures to read.
pub(crate) async fn plan(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
    change: &Change,
) -> Result<Plan, StoreError> {
    let action = change.audit_name();
    let refused = |e: StoreError| -> Result<Plan, StoreError> {
        if e.is_connection() { Err(e) } else { Ok(Plan::refused(action, e.to_string())) }
    };
    if let Err(e) = store.require_audit().and_then(|()| check_shape(change, targets)) {
        return refused(e);
    }
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let (me, rows) = match targets::read(&mut tx, &store.schema, actor, targets).await {
        Ok(found) => found,
        Err(e) => return refused(e),
    };
    let verdict = match check(&mut tx, me, change, &rows, true).await {
        Ok(todo) => check_session(&mut tx, store, change, &rows).await.map(|()| todo),
        Err(e) => Err(e),
    }
    .map(|todo| todo.iter().map(|r| r.id).collect());
    tx.rollback().await?;
    let todo: std::collections::HashSet<Uuid> = match verdict {
        Ok(ids) => ids,
        Err(e) if e.is_connection() => return Err(e),
        Err(e) => {
            return Ok(Plan {
                refused: Some(e.to_string()),
                ..plan_items(change, &rows, &Default::default())
            });
        }
    };
    Ok(plan_items(change, &rows, &todo))
}

fn plan_items(change: &Change, rows: &[UserRow], todo: &std::collections::HashSet<Uuid>) -> Plan {
    let targets = rows
        .iter()
        .map(|r| {
            // Sessions that would be revoked are those active now.
            let revoked = match change {
                Change::RevokeSession(_) => 1,
                _ => r.active_sessions.max(0) as u64,
            };
            let (before, after) = audit_values(change, r, revoked);
            let skipped = (!todo.contains(&r.id)).then(|| "unchanged (already so)".to_string());
            PlanItem { email: r.email.clone(), id: Some(r.id), before, after, skipped }
        })
        .collect();
    Plan { action: change.audit_name().to_string(), targets, refused: None }
}

/// Refusals that need no database.
fn check_shape(change: &Change, targets: &[Target]) -> Result<(), StoreError> {
    if matches!(change, Change::ResetPassword { .. }) && targets.len() != 1 {
        // One hash for several accounts would give them all the same password.
        return Err(StoreError::Db("a password is reset for one account at a time".into()));
    }
    if matches!(change, Change::RevokeSession(_)) && targets.len() != 1 {
        return Err(StoreError::Db("a session is revoked on its one account: name exactly one".into()));
    }
    Ok(())
}

/// A session revoke acts on one active session of its one account: refused, with what
/// the session is now, when it is another account's, gone, revoked or expired.
async fn check_session(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    store: &Store,
    change: &Change,
    rows: &[UserRow],
) -> Result<(), StoreError> {
    let Change::RevokeSession(session) = change else { return Ok(()) };
    let Some(row) = rows.first() else { return Ok(()) };
    let not_active =
        |state: String| StoreError::SessionNotActive { session: *session, email: row.email.clone(), state };
    if !store.schema.sessions {
        return Err(not_active("cannot be found: this database has no sessions table".into()));
    }
    type Found = (Uuid, Option<time::OffsetDateTime>, time::OffsetDateTime, bool);
    let found: Option<Found> = sqlx::query_as(
        "SELECT user_id, revoked_at, expires_at, expires_at > now() FROM sessions WHERE id = $1",
    )
    .bind(session)
    .fetch_optional(&mut **tx)
    .await?;
    let at = |t: time::OffsetDateTime| {
        t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
            .unwrap_or_default()
    };
    match found {
        None => Err(not_active("does not exist (any more)".into())),
        Some((user, ..)) if user != row.id => Err(not_active("is another account's".into())),
        Some((_, Some(revoked), ..)) => Err(not_active(format!("was revoked already ({})", at(revoked)))),
        Some((_, None, expires, false)) => Err(not_active(format!("has expired ({})", at(expires)))),
        Some(_) => Ok(()),
    }
}

/// The rules every change to existing accounts passes, on the rows as read in `tx`:
/// permissions, no password for federated accounts, a superuser remains. Returns the rows
/// that the change would actually alter (the others are already so). `planning`: a dry
/// run, which counts the superusers without taking the lock.
async fn check<'r>(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    me: crate::domain::permissions::ActorView,
    change: &Change,
    rows: &'r [UserRow],
    planning: bool,
) -> Result<Vec<&'r UserRow>, StoreError> {
    targets::check_all(me, change, rows)?;
    if let Change::ResetPassword { .. } = change
        && let Some(r) = rows.iter().find(|r| !r.is_local())
    {
        return Err(StoreError::Federated(r.email.clone()));
    }
    let todo: Vec<&UserRow> = rows.iter().filter(|r| !change.is_noop(r)).collect();
    if change.can_remove_superuser() {
        if planning {
            // A dry run counts without the lock: it never waits for another admin.
            targets::superuser_would_remain(tx, &todo).await?;
        } else {
            targets::ensure_superuser_remains(tx, &todo).await?;
        }
    }
    Ok(todo)
}

/// The set-based statements; returns sessions revoked per user.
async fn run(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    store: &Store,
    change: &Change,
    password_hash: Option<&str>,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, u64>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut revoke = false;
    match change {
        Change::SetRole(r) => {
            sqlx::query("UPDATE users SET role = $1, updated_at = now() WHERE id = ANY($2)")
                .bind(r.as_str())
                .bind(ids)
                .execute(&mut **tx)
                .await?;
        }
        Change::SetActive(a) => {
            sqlx::query("UPDATE users SET is_active = $1, updated_at = now() WHERE id = ANY($2)")
                .bind(a)
                .bind(ids)
                .execute(&mut **tx)
                .await?;
            // A deactivated account should not stay signed in anywhere.
            revoke = !a;
        }
        Change::Unlock => {
            if store.schema.lockout {
                sqlx::query(
                    "UPDATE users SET failed_login_attempts = 0, locked_until = NULL, updated_at = now()
                     WHERE id = ANY($1)",
                )
                .bind(ids)
                .execute(&mut **tx)
                .await?;
            }
        }
        Change::RevokeSessions => revoke = true,
        Change::RevokeSession(session) => {
            // Checked just before (`check_session`); the WHERE keeps to it all the same.
            let revoked: Vec<Uuid> = sqlx::query_scalar(
                "UPDATE sessions SET revoked_at = now()
                 WHERE id = $1 AND user_id = ANY($2) AND revoked_at IS NULL AND expires_at > now()
                 RETURNING user_id",
            )
            .bind(session)
            .bind(ids)
            .fetch_all(&mut **tx)
            .await?;
            if revoked.is_empty() {
                // Revoked or expired by someone else since the check: nothing to log.
                return Err(StoreError::SessionNotActive {
                    session: *session,
                    email: "the account".into(),
                    state: "was revoked or expired meanwhile".into(),
                });
            }
            return Ok(revoked.into_iter().map(|id| (id, 1)).collect());
        }
        Change::VerifyEmail => {
            if store.schema.email_verified {
                sqlx::query("UPDATE users SET email_verified = true, updated_at = now() WHERE id = ANY($1)")
                    .bind(ids)
                    .execute(&mut **tx)
                    .await?;
            }
            // As the web app's own verification does: the account's links still pending
            // (sent, not used) are removed, so none verifies anything later.
            if store.schema.verification_tokens {
                sqlx::query(
                    "DELETE FROM email_verification_tokens WHERE user_id = ANY($1) AND verified_at IS NULL",
                )
                .bind(ids)
                .execute(&mut **tx)
                .await?;
            }
        }
        Change::ResetPassword { revoke_sessions } => {
            let hash = password_hash
                .ok_or_else(|| StoreError::Db("a password reset needs the new password's hash".into()))?;
            // A reset means "let them in": a lock after failed logins would refuse the new
            // password until it ran out, so it is lifted in the same change (audited).
            let sql = if store.schema.lockout {
                "UPDATE users SET password_hash = $1, failed_login_attempts = 0, locked_until = NULL,
                                  updated_at = now() WHERE id = ANY($2)"
            } else {
                "UPDATE users SET password_hash = $1, updated_at = now() WHERE id = ANY($2)"
            };
            sqlx::query(sql).bind(hash).bind(ids).execute(&mut **tx).await?;
            revoke = *revoke_sessions;
        }
        Change::Create { .. } | Change::Delete | Change::Revert(_) | Change::Edit(_) => {
            return Err(StoreError::Db(format!("{} is not a change to existing accounts", change.label())));
        }
    }
    if revoke && store.schema.sessions { super::sessions::revoke(tx, ids).await } else { Ok(HashMap::new()) }
}

/// Before/after for the audit log; never a password or hash.
pub(crate) fn audit_values(
    change: &Change,
    r: &UserRow,
    revoked: u64,
) -> (serde_json::Value, serde_json::Value) {
    match change {
        Change::SetRole(new) => (json!({"role": r.role}), json!({"role": new})),
        Change::SetActive(a) => (
            json!({"is_active": r.is_active, "active_sessions": r.active_sessions}),
            json!({"is_active": a, "sessions_revoked": revoked}),
        ),
        // The lock's end too, so a revert can put a lock back while it would still hold.
        Change::Unlock => (
            json!({"failed_login_attempts": r.failed_login_attempts, "locked": r.locked,
                   "locked_until": r.locked_until.filter(|_| r.locked)
                       .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())}),
            json!({"failed_login_attempts": 0, "locked": false, "locked_until": null}),
        ),
        Change::RevokeSessions => {
            (json!({"active_sessions": r.active_sessions}), json!({"sessions_revoked": revoked}))
        }
        // The session by its id, so the audit log says which one.
        Change::RevokeSession(session) => (
            json!({"session_id": session, "active_sessions": r.active_sessions}),
            json!({"session_id": session, "sessions_revoked": revoked}),
        ),
        Change::VerifyEmail => (json!({"email_verified": r.email_verified}), json!({"email_verified": true})),
        Change::ResetPassword { .. } => {
            let mut before = json!({"active_sessions": r.active_sessions});
            let mut after = json!({"password": "reset", "sessions_revoked": revoked});
            // The lock the reset lifted (see `run`), when there was one to lift.
            if r.locked || r.failed_login_attempts > 0 {
                before["failed_login_attempts"] = json!(r.failed_login_attempts);
                before["locked"] = json!(r.locked);
                after["failed_login_attempts"] = json!(0);
                after["locked"] = json!(false);
            }
            (before, after)
        }
        // Written by `create`, `delete` and `edit`, which have their own shapes.
        Change::Create { .. } | Change::Delete | Change::Revert(_) | Change::Edit(_) => {
            (serde_json::Value::Null, serde_json::Value::Null)
        }
    }
}
