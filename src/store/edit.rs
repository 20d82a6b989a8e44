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
    check_shape(edit, targets)?;
    let items: Vec<(Target, Edit)> = targets.iter().map(|t| (t.clone(), edit.clone())).collect();
    edit_all(store, actor, stamp, &items, before_commit).await
}

/// Applies each edit to its account, all in one transaction with an audit row per account
/// changed (`import --update`). Refused as a whole, changing nothing, when any account is
/// not found, has changed since it was read (a `Target::Seen`), may not be edited by the
/// actor, or is named twice. Accounts that already hold the values are left alone.
pub async fn apply_many(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    items: &[(Target, Edit)],
) -> Result<Vec<Applied>, StoreError> {
    if items.is_empty() {
        return Err(EditError::Nothing.into());
    }
    edit_all(store, actor, stamp, items, &mut |_| Ok(())).await
}

async fn edit_all(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    items: &[(Target, Edit)],
    before_commit: &mut super::mutate::BeforeCommit<'_, Vec<Applied>>,
) -> Result<Vec<Applied>, StoreError> {
    store.require_audit()?;
    let targets: Vec<Target> = items.iter().map(|(t, _)| t.clone()).collect();
    let mut tx = store.pool.begin().await?;
    let (me, rows) = targets::lock(&mut tx, &store.schema, actor, &targets).await?;
    if rows.len() != items.len() {
        return Err(StoreError::Db("an account is named twice: name each once".into()));
    }
    let nows = editables(&mut tx, store, &rows, true).await?;
    for ((row, (_, edit)), now) in rows.iter().zip(items).zip(&nows) {
        // As in `check_many`: an edit that sets nothing needs no permission.
        if edit.email.is_none() && edit.fields(now).is_empty() {
            continue;
        }
        targets::check_all(me, &Change::Edit(Box::new(edit.clone())), std::slice::from_ref(row))?;
    }
    let mut applied = Vec::with_capacity(rows.len());
    let mut writes = Vec::new();
    let mut revoke = Vec::new();
    for ((row, (_, edit)), now) in rows.iter().zip(items).zip(&nows) {
        let fields = checked_fields(&mut tx, row, edit, now).await?;
        applied.push(Applied {
            id: row.id,
            email: row.email.clone(),
            changed: !fields.is_empty(),
            sessions_revoked: 0,
            unlocked: false,
        });
        if !fields.is_empty() {
            if edit.revoke_sessions && store.schema.sessions {
                revoke.push(row.id);
            }
            writes.push((row, now, fields));
        }
    }
    if writes.is_empty() {
        tx.rollback().await?;
        return Ok(applied);
    }
    let to_write: Vec<(Uuid, &Editable, &Fields)> =
        writes.iter().map(|(row, now, fields)| (row.id, *now, fields)).collect();
    write(&mut tx, store, &to_write).await?;
    let revoked = if revoke.is_empty() {
        Default::default()
    } else {
        super::sessions::revoke(&mut tx, &revoke).await?
    };
    let mut entries = Vec::with_capacity(writes.len());
    for (row, now, fields) in &writes {
        let mut before = now.pick(fields).0;
        let mut after = fields.0.clone();
        if revoke.contains(&row.id) {
            let n = revoked.get(&row.id).copied().unwrap_or(0);
            if let Some(a) = applied.iter_mut().find(|a| a.id == row.id) {
                a.sessions_revoked = n;
            }
            before.insert("active_sessions".into(), json!(row.active_sessions));
            after.insert("sessions_revoked".into(), json!(n));
        }
        entries.push(Entry {
            target_id: Some(row.id),
            target_email: row.email.clone(),
            before: before.into(),
            after: after.into(),
        });
    }
    audit::write(&mut tx, actor, stamp, ACTION, &entries).await?;
    if let Err(why) = before_commit(&applied) {
        tx.rollback().await?;
        return Err(StoreError::OutputFailed(why));
    }
    tx.commit().await?;
    Ok(applied)
}

/// One account of a planned edit: its row and values now, and the fields the edit would
/// write (empty: it holds them already).
#[derive(Clone, Debug)]
pub struct Checked {
    pub row: UserRow,
    pub now: Editable,
    pub fields: Fields,
}

/// What each edit would do, read in one read-only transaction: per item, the account and
/// its fields before → after, or why it would be refused. `Err` only for what refuses
/// every item (the actor may not change anything, the connection).
pub async fn check_many(
    store: &Store,
    actor: &Actor,
    items: &[(Target, Edit)],
) -> Result<Vec<Result<Checked, StoreError>>, StoreError> {
    store.require_audit()?;
    let targets: Vec<Target> = items.iter().map(|(t, _)| t.clone()).collect();
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let checked = async {
        let (me, found) = targets::read_each(&mut tx, &store.schema, actor, &targets).await?;
        let rows: Vec<UserRow> = found.iter().filter_map(|r| r.as_ref().ok()).cloned().collect();
        let mut nows = editables(&mut tx, store, &rows, false).await?.into_iter();
        let mut out = Vec::with_capacity(items.len());
        for (found, (_, edit)) in found.into_iter().zip(items) {
            let row = match found {
                Ok(row) => row,
                Err(e) if e.is_connection() => return Err(e),
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            let now = nows.next().ok_or_else(|| StoreError::Db("a profile went missing".into()))?;
            let change = Change::Edit(Box::new(edit.clone()));
            // An edit that would set nothing needs no permission: a file exported with the
            // actor's own row in it reads that row back unchanged, not refused.
            let nothing = edit.email.is_none() && edit.fields(&now).is_empty();
            let one = match targets::check_all(me, &change, std::slice::from_ref(&row)) {
                _ if nothing => Ok(edit.fields(&now)),
                Ok(()) => checked_fields(&mut tx, &row, edit, &now).await,
                Err(e) => Err(e),
            };
            out.push(match one {
                Ok(fields) => Ok(Checked { row, now, fields }),
                Err(e) if e.is_connection() => return Err(e),
                Err(e) => Err(e),
            });
        }
        Ok::<_, StoreError>(out)
    }
    .await;
    tx.rollback().await?;
    checked
}

/// What [`apply`] would do, read in a read-only transaction: the fields before → after, or
/// the refusal.
pub(crate) async fn plan(
    store: &Store,
    actor: &Actor,
    targets: &[Target],
    edit: &Edit,
) -> Result<Plan, StoreError> {
    let refused = |why: String| Ok(Plan::refused(ACTION, why));
    if let Err(e) = check_shape(edit, targets) {
        return refused(e.to_string());
    }
    let items: Vec<(Target, Edit)> = targets.iter().map(|t| (t.clone(), edit.clone())).collect();
    let checked = match check_many(store, actor, &items).await {
        Ok(c) => c,
        Err(e) if e.is_connection() => return Err(e),
        Err(e) => return refused(e.to_string()),
    };
    let Some(one) = checked.into_iter().next() else { return refused("no account".into()) };
    let Checked { row, now, fields } = match one {
        Ok(c) => c,
        Err(why) => return refused(why.to_string()),
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

/// Reverts the edit `change_id`, whose audit rows are `rows` (one per account it changed):
/// the fields each row records are put back where every account still holds what the edit
/// left; one that does not refuses the whole revert.
pub(crate) async fn revert(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    change_id: Uuid,
    rows: &[AuditRow],
) -> Result<Reverted, StoreError> {
    store.require_writable()?;
    let steps = steps(rows)?;
    let targets: Vec<Target> = steps.iter().map(|s| s.0.clone()).collect();
    let mut tx = store.pool.begin().await?;
    let (me, locked) = targets::lock(&mut tx, &store.schema, actor, &targets).await?;
    let nows = revert_checks(&mut tx, store, me, &locked, &steps, true).await?;
    let restores: Vec<(Uuid, &Editable, &Fields)> =
        locked.iter().zip(&nows).zip(&steps).map(|((row, now), s)| (row.id, now, &s.1)).collect();
    write(&mut tx, store, &restores).await?;
    let entries: Vec<Entry> = locked
        .iter()
        .zip(&nows)
        .zip(&steps)
        .map(|((row, now), (_, restore, _))| Entry {
            target_id: Some(row.id),
            target_email: row.email.clone(),
            before: now.pick(restore).0.into(),
            after: restore.0.clone().into(),
        })
        .collect();
    let stamp = Stamp { reverts: Some(change_id), ..stamp.clone() };
    audit::write(&mut tx, actor, &stamp, ACTION, &entries).await?;
    tx.commit().await?;
    let applied = locked
        .iter()
        .map(|row| Applied {
            id: row.id,
            email: row.email.clone(),
            changed: true,
            sessions_revoked: 0,
            unlocked: false,
        })
        .collect();
    Ok(Reverted { reverted: change_id, action: ACTION, applied })
}

/// What [`revert`] would do, read in a read-only transaction.
pub(crate) async fn revert_plan(store: &Store, actor: &Actor, rows: &[AuditRow]) -> Result<Plan, StoreError> {
    let refused = |e: StoreError| -> Result<Plan, StoreError> {
        if e.is_connection() { Err(e) } else { Ok(Plan::refused(ACTION, e.to_string())) }
    };
    let steps = match steps(rows) {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let targets: Vec<Target> = steps.iter().map(|s| s.0.clone()).collect();
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let found = async {
        let (me, read) = targets::read(&mut tx, &store.schema, actor, &targets).await?;
        let nows = revert_checks(&mut tx, store, me, &read, &steps, false).await?;
        Ok::<_, StoreError>((read, nows))
    }
    .await;
    tx.rollback().await?;
    let (read, nows) = match found {
        Ok(f) => f,
        Err(e) => return refused(e),
    };
    let items = read
        .iter()
        .zip(&nows)
        .zip(&steps)
        .map(|((row, now), (_, restore, _))| PlanItem {
            email: row.email.clone(),
            id: Some(row.id),
            before: now.pick(restore).0.into(),
            after: restore.0.clone().into(),
            skipped: None,
        })
        .collect();
    Ok(Plan { action: ACTION.into(), targets: items, refused: None })
}

/// Per audit row of an edit: the account it names, what to put back and what the account
/// must still hold.
fn steps(rows: &[AuditRow]) -> Result<Vec<(Target, Fields, Fields)>, StoreError> {
    let not = |why: &'static str| StoreError::NotRevertable { action: ACTION.into(), why };
    if rows.is_empty() {
        return Err(not("it has no audit rows"));
    }
    let values = |v: &Option<serde_json::Value>| v.as_ref().and_then(Fields::from_values);
    rows.iter()
        .map(|r| match (r.target_id, values(&r.before), values(&r.after)) {
            (Some(id), Some(restore), Some(expect)) => {
                Ok((Target::Id { id, email: r.target_email.clone().unwrap_or_default() }, restore, expect))
            }
            _ => Err(not("its audit row does not say what was there before")),
        })
        .collect()
}

/// A revert's rules, for each account: the actor may edit it, it still holds what the edit
/// left (every account that does not is named), and an email put back is nobody else's
/// now. Returns their values now, in the order of `rows`.
async fn revert_checks(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    me: crate::domain::permissions::ActorView,
    rows: &[UserRow],
    steps: &[(Target, Fields, Fields)],
    lock: bool,
) -> Result<Vec<Editable>, StoreError> {
    if rows.len() != steps.len() {
        return Err(StoreError::NotRevertable {
            action: ACTION.into(),
            why: "its audit rows name an account twice",
        });
    }
    let as_edit = Change::Edit(Box::new(Edit { email: None, ..Edit::default() }));
    targets::check_all(me, &as_edit, rows)?;
    let nows = editables(tx, store, rows, lock).await?;
    let mut stale = Vec::new();
    for ((row, now), (_, _, expect)) in rows.iter().zip(&nows).zip(steps) {
        if !now.holds(expect) {
            let fields: Vec<String> = expect
                .0
                .iter()
                .filter(|(k, v)| now.get(k) != **v)
                .map(|(k, _)| format!("{} is {}", crate::domain::edit::label(k), now.get(k)))
                .collect();
            stale.push(format!("{} ({} now, not what the edit left)", row.email, fields.join(", ")));
        }
    }
    if !stale.is_empty() {
        return Err(StoreError::RevertStale(stale));
    }
    for (row, (_, restore, _)) in rows.iter().zip(steps) {
        if let Some(email) = restore.email() {
            email_is_free(tx, row.id, email).await?;
        }
    }
    Ok(nows)
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
    let now = editables(&mut tx, store, std::slice::from_ref(&row), false).await?;
    tx.rollback().await?;
    now.into_iter().next().ok_or_else(|| StoreError::Db("the account was deleted meanwhile".into()))
}

/// The accounts' editable values now, in the order of `rows`; `lock`: their profile rows
/// are locked too.
async fn editables(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    rows: &[UserRow],
    lock: bool,
) -> Result<Vec<Editable>, StoreError> {
    type Profile = (Uuid, Option<String>, Option<String>, Option<String>, String);
    let profiles: std::collections::HashMap<Uuid, Profile> = if store.schema.user_profiles {
        let sql = format!(
            "SELECT user_id, first_name, last_name, display_name, locale FROM user_profiles \
             WHERE user_id = ANY($1) ORDER BY user_id{}",
            if lock { " FOR UPDATE" } else { "" }
        );
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let found: Vec<Profile> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&ids).fetch_all(&mut **tx).await?;
        found.into_iter().map(|p| (p.0, p)).collect()
    } else {
        Default::default()
    };
    Ok(rows
        .iter()
        .map(|row| {
            // `get`, not `remove`: a row asked for twice has its profile both times.
            let profile = profiles.get(&row.id).cloned();
            let has_profile = profile.is_some();
            let (_, first_name, last_name, display_name, locale) =
                profile.unwrap_or((row.id, None, None, None, DEFAULT_LOCALE.to_string()));
            Editable {
                email: row.email.clone(),
                email_verified: row.email_verified,
                first_name,
                last_name,
                display_name,
                locale,
                has_profile,
            }
        })
        .collect())
}

/// Writes each account's `fields` over its values `now`: the users row for the email and
/// its verified flag, the profile rows (made when missing) for the rest, all of them in
/// one statement. A new email ends the account's pending verification links, as the web
/// app's own verification does: they were sent to the old address and must not verify
/// the new one.
async fn write(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    writes: &[(Uuid, &Editable, &Fields)],
) -> Result<(), StoreError> {
    let mut profiles: Vec<(Uuid, Editable)> = Vec::new();
    for &(id, now, fields) in writes {
        let to = now.with(fields);
        if fields.touches_user() {
            write_user(tx, store, id, &to, fields.email().is_some()).await?;
        }
        if fields.touches_profile() {
            profiles.push((id, to));
        }
    }
    if profiles.is_empty() {
        return Ok(());
    }
    if !store.schema.user_profiles {
        return Err(StoreError::Db("this database has no user_profiles table: names cannot be set".into()));
    }
    let column = |f: fn(&Editable) -> Option<String>| profiles.iter().map(|(_, e)| f(e)).collect::<Vec<_>>();
    let ids: Vec<Uuid> = profiles.iter().map(|(id, _)| *id).collect();
    sqlx::query(
        "INSERT INTO user_profiles (user_id, first_name, last_name, display_name, locale, created_at, updated_at)
         SELECT u.*, now(), now() FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u
         ON CONFLICT (user_id) DO UPDATE SET first_name = EXCLUDED.first_name,
             last_name = EXCLUDED.last_name, display_name = EXCLUDED.display_name,
             locale = EXCLUDED.locale, updated_at = now()",
    )
    .bind(&ids)
    .bind(column(|e| e.first_name.clone()))
    .bind(column(|e| e.last_name.clone()))
    .bind(column(|e| e.display_name.clone()))
    .bind(column(|e| Some(e.locale.clone())))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The users row's part of a write: the email and its verified flag.
async fn write_user(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    id: Uuid,
    to: &Editable,
    new_email: bool,
) -> Result<(), StoreError> {
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
    if new_email && store.schema.verification_tokens {
        sqlx::query("DELETE FROM email_verification_tokens WHERE user_id = $1 AND verified_at IS NULL")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
