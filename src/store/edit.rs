//! Editing one account (email, names, locale), and reverting such an edit: one transaction
//! with its audit row, by the rules of `domain::edit`. The audit row holds, for each field
//! written, the value before and after, so a revert puts back exactly those fields where
//! the account still holds what the edit left.

use super::audit::{self, Entry};
use super::revert::Reverted;
use super::targets::{self, Target};
use super::{Actor, Store, StoreError, UserRow};
use crate::domain::audit::AuditRow;
use crate::domain::edit::{DEFAULT_LOCALE, Edit, EditError, Editable, Fields};
use crate::domain::{Applied, Change, Plan, PlanItem, Stamp};
use serde_json::json;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

/// The audit action of an edit (and of its revert).
pub const ACTION: &str = "edit_account";

/// Applies `edit` to the one account `targets` names. `before_commit` hears the result
/// inside the transaction (see `mutate::BeforeCommit`).
pub(crate) async fn apply(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    targets: &[Target],
    edit: &Edit,
    before_commit: &mut super::mutate::BeforeCommit<'_, Vec<Applied>>,
) -> Result<Vec<Applied>, StoreError> {
    store.require_audit()?;
    check_shape(edit, targets)?;
    let change = Change::Edit(Box::new(edit.clone()));
    let mut tx = store.pool.begin().await?;
    let (me, rows) = targets::lock(&mut tx, &store.schema, actor, targets).await?;
    let row = one(&rows)?;
    targets::check_all(me, &change, &rows)?;
    let now = editable(&mut tx, store, row, true).await?;
    let fields = checked_fields(&mut tx, row, edit, &now).await?;
    let mut applied = Applied {
        id: row.id,
        email: row.email.clone(),
        changed: !fields.is_empty(),
        sessions_revoked: 0,
        unlocked: false,
    };
    if fields.is_empty() {
        tx.rollback().await?;
        return Ok(vec![applied]);
    }
    write(&mut tx, store, row.id, &now, &fields).await?;
    let mut before = now.pick(&fields).0;
    let mut after = fields.0.clone();
    if edit.revoke_sessions && store.schema.sessions {
        let revoked = super::sessions::revoke(&mut tx, &[row.id]).await?;
        applied.sessions_revoked = revoked.get(&row.id).copied().unwrap_or(0);
        before.insert("active_sessions".into(), json!(row.active_sessions));
        after.insert("sessions_revoked".into(), json!(applied.sessions_revoked));
    }
    let entry = Entry {
        target_id: Some(row.id),
        target_email: row.email.clone(),
        before: before.into(),
        after: after.into(),
    };
    audit::write(&mut tx, actor, stamp, ACTION, &[entry]).await?;
    let applied = vec![applied];
    if let Err(why) = before_commit(&applied) {
        tx.rollback().await?;
        return Err(StoreError::OutputFailed(why));
    }
    tx.commit().await?;
    Ok(applied)
}

/// What [`apply`] would do, read in a read-only transaction: the fields before → after, or
/// the refusal.
pub(crate) async fn plan(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
    edit: &Edit,
) -> Result<Plan, StoreError> {
    let refused = |e: StoreError| -> Result<Plan, StoreError> {
        if e.is_connection() { Err(e) } else { Ok(Plan::refused(ACTION, e.to_string())) }
    };
    if let Err(e) = store.require_audit().and_then(|()| check_shape(edit, targets)) {
        return refused(e);
    }
    let change = Change::Edit(Box::new(edit.clone()));
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let found = async {
        let (me, rows) = targets::read(&mut tx, &store.schema, actor, targets).await?;
        let row = one(&rows)?.clone();
        targets::check_all(me, &change, &rows)?;
        let now = editable(&mut tx, store, &row, false).await?;
        let fields = checked_fields(&mut tx, &row, edit, &now).await?;
        Ok::<_, StoreError>((row, now, fields))
    }
    .await;
    tx.rollback().await?;
    let (row, now, fields) = match found {
        Ok(f) => f,
        Err(e) => return refused(e),
    };
    let item = PlanItem {
        email: row.email.clone(),
        id: Some(row.id),
        before: now.pick(&fields).0.into(),
        skipped: fields.is_empty().then(|| "unchanged (already so)".to_string()),
        after: fields.0.into(),
    };
    Ok(Plan { action: ACTION.into(), targets: vec![item], refused: None })
}

/// Reverts the edit `change_id`, whose audit rows are `rows`: the fields its row records
/// are put back where the account still holds what the edit left.
pub(crate) async fn revert(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    change_id: Uuid,
    rows: &[AuditRow],
) -> Result<Reverted, StoreError> {
    store.require_writable()?;
    let (target, restore, expect) = steps(rows)?;
    let mut tx = store.pool.begin().await?;
    let (me, locked) = targets::lock(&mut tx, &store.schema, actor, &[target]).await?;
    let row = one(&locked)?;
    let now = revert_checks(&mut tx, store, me, row, &restore, &expect).await?;
    write(&mut tx, store, row.id, &now, &restore).await?;
    let entry = Entry {
        target_id: Some(row.id),
        target_email: row.email.clone(),
        before: now.pick(&restore).0.into(),
        after: restore.0.clone().into(),
    };
    let stamp = Stamp { reverts: Some(change_id), ..stamp.clone() };
    audit::write(&mut tx, actor, &stamp, ACTION, &[entry]).await?;
    tx.commit().await?;
    let applied =
        Applied { id: row.id, email: row.email.clone(), changed: true, sessions_revoked: 0, unlocked: false };
    Ok(Reverted { reverted: change_id, action: ACTION, applied: vec![applied] })
}

/// What [`revert`] would do, read in a read-only transaction.
pub(crate) async fn revert_plan(store: &Store, actor: &Actor, rows: &[AuditRow]) -> Result<Plan, StoreError> {
    let refused = |e: StoreError| -> Result<Plan, StoreError> {
        if e.is_connection() { Err(e) } else { Ok(Plan::refused(ACTION, e.to_string())) }
    };
    let (target, restore, expect) = match steps(rows) {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let found = async {
        let (me, read) = targets::read(&mut tx, &store.schema, actor, &[target]).await?;
        let row = one(&read)?.clone();
        let now = revert_checks(&mut tx, store, me, &row, &restore, &expect).await?;
        Ok::<_, StoreError>((row, now))
    }
    .await;
    tx.rollback().await?;
    let (row, now) = match found {
        Ok(f) => f,
        Err(e) if e.is_connection() => return Err(e),
        Err(e) => return Ok(Plan::refused(ACTION, e.to_string())),
    };
    let item = PlanItem {
        email: row.email.clone(),
        id: Some(row.id),
        before: now.pick(&restore).0.into(),
        after: restore.0.into(),
        skipped: None,
    };
    Ok(Plan { action: ACTION.into(), targets: vec![item], refused: None })
}

/// The account an edit's audit row names, what to put back and what it must still hold.
fn steps(rows: &[AuditRow]) -> Result<(Target, Fields, Fields), StoreError> {
    let not = |why: &'static str| StoreError::NotRevertable { action: ACTION.into(), why };
    let [r] = rows else { return Err(not("its audit rows are not one account's edit")) };
    let values = |v: &Option<serde_json::Value>| v.as_ref().and_then(Fields::from_values);
    let (Some(id), Some(restore), Some(expect)) = (r.target_id, values(&r.before), values(&r.after)) else {
        return Err(not("its audit row does not say what was there before"));
    };
    Ok((Target::Id { id, email: r.target_email.clone().unwrap_or_default() }, restore, expect))
}

/// A revert's rules: the actor may edit the account, it still holds what the edit left,
/// and an email put back is nobody else's now. Returns its values now.
async fn revert_checks(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    me: crate::domain::permissions::ActorView,
    row: &UserRow,
    restore: &Fields,
    expect: &Fields,
) -> Result<Editable, StoreError> {
    let as_edit = Change::Edit(Box::new(Edit { email: None, ..Edit::default() }));
    targets::check_all(me, &as_edit, std::slice::from_ref(row))?;
    let now = editable(tx, store, row, true).await?;
    if !now.holds(expect) {
        let fields: Vec<String> = expect
            .0
            .keys()
            .filter(|k| now.get(k) != expect.0[k.as_str()])
            .map(|k| format!("{} is {}", crate::domain::edit::label(k), now.get(k)))
            .collect();
        return Err(StoreError::RevertStale(vec![format!(
            "{} ({} now, not what the edit left)",
            row.email,
            fields.join(", ")
        )]));
    }
    if let Some(email) = restore.email() {
        email_is_free(tx, row.id, email).await?;
    }
    Ok(now)
}

/// Refusals that need no database.
fn check_shape(edit: &Edit, targets: &[Target]) -> Result<(), StoreError> {
    if targets.len() != 1 {
        return Err(StoreError::Db("an account is edited one at a time: name exactly one".into()));
    }
    if edit.is_empty() {
        return Err(EditError::Nothing.into());
    }
    Ok(())
}

fn one(rows: &[UserRow]) -> Result<&UserRow, StoreError> {
    rows.first().ok_or_else(|| StoreError::Db("the account to edit was not found".into()))
}

/// The fields `edit` writes over `now`, after the rules that need the database: a new
/// email differs from the current one, is nobody else's (case twins too), and is not
/// given to an account that signs in elsewhere.
async fn checked_fields(
    tx: &mut Transaction<'_, Postgres>,
    row: &UserRow,
    edit: &Edit,
    now: &Editable,
) -> Result<Fields, StoreError> {
    if let Some(email) = &edit.email {
        if email.as_str() == now.email {
            return Err(EditError::SameEmail(now.email.clone()).into());
        }
        if !row.is_local() {
            return Err(EditError::External(row.email.clone()).into());
        }
        email_is_free(tx, row.id, email.as_str()).await?;
    }
    Ok(edit.fields(now))
}

/// Refused when another account has `email`, or an email that differs from it only in case.
async fn email_is_free(tx: &mut Transaction<'_, Postgres>, id: Uuid, email: &str) -> Result<(), StoreError> {
    let other: Option<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE lower(email) = lower($1) AND id <> $2 LIMIT 1")
            .bind(email)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    match other {
        Some(other) => Err(EditError::Taken { email: email.to_string(), other }.into()),
        None => Ok(()),
    }
}

/// The email and profile of account `id` now (the console's edit form starts from them).
pub async fn current(store: &Store, id: Uuid) -> Result<Editable, StoreError> {
    let row = super::users::by_ids(store, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Db("the account was deleted meanwhile".into()))?;
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let now = editable(&mut tx, store, &row, false).await?;
    tx.rollback().await?;
    Ok(now)
}

/// The account's editable values now; `lock`: its profile row is locked too.
async fn editable(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    row: &UserRow,
    lock: bool,
) -> Result<Editable, StoreError> {
    type Profile = (Option<String>, Option<String>, Option<String>, String);
    let profile: Option<Profile> = if store.schema.user_profiles {
        let sql = if lock {
            "SELECT first_name, last_name, display_name, locale FROM user_profiles WHERE user_id = $1 FOR UPDATE"
        } else {
            "SELECT first_name, last_name, display_name, locale FROM user_profiles WHERE user_id = $1"
        };
        sqlx::query_as(sql).bind(row.id).fetch_optional(&mut **tx).await?
    } else {
        None
    };
    let has_profile = profile.is_some();
    let (first_name, last_name, display_name, locale) =
        profile.unwrap_or((None, None, None, DEFAULT_LOCALE.to_string()));
    Ok(Editable {
        email: row.email.clone(),
        email_verified: row.email_verified,
        first_name,
        last_name,
        display_name,
        locale,
        has_profile,
    })
}

/// Writes `fields` over the account `id` (whose values are `now`): the users row for the
/// email and its verified flag, the profile row (made when missing) for the rest. A new
/// email ends the account's pending verification links, as the web app's own verification
/// does: they were sent to the old address and must not verify the new one.
async fn write(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    id: Uuid,
    now: &Editable,
    fields: &Fields,
) -> Result<(), StoreError> {
    let to = now.with(fields);
    if fields.touches_user() {
        if store.schema.email_verified {
            sqlx::query("UPDATE users SET email = $1, email_verified = $2, updated_at = now() WHERE id = $3")
                .bind(&to.email)
                .bind(to.email_verified)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        } else {
            sqlx::query("UPDATE users SET email = $1, updated_at = now() WHERE id = $2")
                .bind(&to.email)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        if fields.email().is_some() && store.schema.verification_tokens {
            sqlx::query("DELETE FROM email_verification_tokens WHERE user_id = $1 AND verified_at IS NULL")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    if fields.touches_profile() {
        if !store.schema.user_profiles {
            return Err(StoreError::Db(
                "this database has no user_profiles table: names cannot be set".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO user_profiles (user_id, first_name, last_name, display_name, locale, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, now(), now())
             ON CONFLICT (user_id) DO UPDATE SET first_name = EXCLUDED.first_name,
                 last_name = EXCLUDED.last_name, display_name = EXCLUDED.display_name,
                 locale = EXCLUDED.locale, updated_at = now()",
        )
        .bind(id)
        .bind(&to.first_name)
        .bind(&to.last_name)
        .bind(&to.display_name)
        .bind(&to.locale)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
