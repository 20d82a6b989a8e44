//! Creating accounts: provisioning by an admin, and the first superuser of a fresh database.
//! Every account is created in the shape of the web app's own admin provisioning
//! (`create_local_user`): local, active, email verified, no failed logins, never logged in,
//! with a `user_profiles` row in the same transaction. Anything else is refused at the web
//! app's login (an unverified email is).

use super::audit::{self, Entry};
use super::mutate::BeforeCommit;
use super::{Actor, Store, StoreError, UserRow, targets};
use crate::domain::import::NewAccount;
use crate::domain::permissions;
use crate::domain::{Change, Email, PlanItem, Role, Stamp};
use serde_json::json;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

/// Creates a local account (and its `user_profiles` row where that table exists), as the
/// web app's provisioning does. `password_hash` is the PHC string made by the caller.
pub async fn provision(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    email: &Email,
    role: Role,
    password_hash: &str,
) -> Result<UserRow, StoreError> {
    provision_then(store, actor, stamp, email, role, password_hash, &mut |_| Ok(())).await
}

/// [`provision`], with `before_commit` hearing the new row before the commit.
pub async fn provision_then(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    email: &Email,
    role: Role,
    password_hash: &str,
    before_commit: &mut BeforeCommit<'_, UserRow>,
) -> Result<UserRow, StoreError> {
    store.require_audit()?;
    let mut tx = store.pool.begin().await?;
    let (me, _) = targets::lock(&mut tx, &store.schema, actor, &[]).await?;
    let change = Change::Create { email: email.clone(), role };
    permissions::check(me, &change, None)
        .map_err(|reason| StoreError::Denied { email: email.to_string(), reason })?;
    let id = insert(&mut tx, store, email, role, password_hash).await?;
    audit::write(&mut tx, actor, stamp, change.audit_name(), &[created_entry(id, email, role)]).await?;
    // Read back before the commit: nothing that can fail may follow it, or a created
    // account (and its generated password) would be reported as a failure.
    let row = created_row(&mut tx, store, id).await?;
    if let Err(why) = before_commit(&row) {
        tx.rollback().await?;
        return Err(StoreError::OutputFailed(why));
    }
    tx.commit().await?;
    Ok(row)
}

/// What [`provision`] would create, checked read-only: the actor's rights, and that no
/// account has the email.
pub(crate) async fn plan(
    store: &Store,
    actor: &Actor,
    email: &Email,
    role: Role,
) -> Result<PlanItem, StoreError> {
    store.require_audit()?;
    let mut tx = store.pool.begin_with("BEGIN READ ONLY").await?;
    let (me, _) = targets::read(&mut tx, &store.schema, actor, &[]).await?;
    let change = Change::Create { email: email.clone(), role };
    permissions::check(me, &change, None)
        .map_err(|reason| StoreError::Denied { email: email.to_string(), reason })?;
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))")
            .bind(email.as_str())
            .fetch_one(&mut *tx)
            .await?;
    tx.rollback().await?;
    if taken {
        return Err(StoreError::AlreadyExists(email.to_string()));
    }
    let entry = created_entry(Uuid::nil(), email, role);
    Ok(PlanItem {
        email: email.to_string(),
        id: None,
        before: entry.before,
        after: entry.after,
        skipped: None,
    })
}

/// Creates the first superuser; refuses when any superuser exists. The audit entry names
/// the new account as its own actor.
pub async fn bootstrap(
    store: &Store,
    stamp: &Stamp,
    email: &Email,
    password_hash: &str,
) -> Result<UserRow, StoreError> {
    bootstrap_then(store, stamp, email, password_hash, &mut |_| Ok(())).await
}

/// [`bootstrap`], with `before_commit` hearing the new row before the commit.
pub async fn bootstrap_then(
    store: &Store,
    stamp: &Stamp,
    email: &Email,
    password_hash: &str,
    before_commit: &mut BeforeCommit<'_, UserRow>,
) -> Result<UserRow, StoreError> {
    store.require_writable()?;
    store.require_audit()?;
    let mut tx = store.pool.begin().await?;
    targets::lock_superusers(&mut tx).await?;
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'superuser'").fetch_one(&mut *tx).await?;
    if n > 0 {
        return Err(StoreError::SuperuserExists);
    }
    let id = insert(&mut tx, store, email, Role::Superuser, password_hash).await?;
    let actor = Actor { id, email: email.to_string(), role: Role::Superuser };
    audit::write(&mut tx, &actor, stamp, "bootstrap_superuser", &[created_entry(id, email, Role::Superuser)])
        .await?;
    // Read back before the commit: nothing that can fail may follow it, or a created
    // account (and its generated password) would be reported as a failure.
    let row = created_row(&mut tx, store, id).await?;
    if let Err(why) = before_commit(&row) {
        tx.rollback().await?;
        return Err(StoreError::OutputFailed(why));
    }
    tx.commit().await?;
    Ok(row)
}

async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    email: &Email,
    role: Role,
    password_hash: &str,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let res = sqlx::query(sqlx::AssertSqlSafe(insert_sql(&store.schema)))
        .bind(id)
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(password_hash)
        .execute(&mut **tx)
        .await;
    match res {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
            return Err(StoreError::AlreadyExists(email.to_string()));
        }
        Err(e) => return Err(e.into()),
    }
    if store.schema.user_profiles {
        sqlx::query("INSERT INTO user_profiles (user_id, created_at, updated_at) VALUES ($1, now(), now())")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

/// How many accounts one statement of [`provision_many`] inserts.
const BATCH: usize = 1000;

/// Creates every account (each with its password's PHC string) in one transaction, with
/// one audit row each under `stamp`: all of them, or none. Names go to `user_profiles`.
/// The rows go in [`BATCH`] at a time; `progress` hears how many are in so far.
pub async fn provision_many(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    accounts: &[(NewAccount, String)],
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<Vec<Uuid>, StoreError> {
    store.require_writable()?;
    store.require_audit()?;
    let mut tx = store.pool.begin().await?;
    let (me, _) = targets::lock(&mut tx, &store.schema, actor, &[]).await?;
    for (a, _) in accounts {
        let change = Change::Create { email: a.email.clone(), role: a.role };
        permissions::check(me, &change, None)
            .map_err(|reason| StoreError::Denied { email: a.email.to_string(), reason })?;
    }
    // Created meanwhile by someone else (the caller skipped those it found): named, where
    // the unique index would only say that one of them exists.
    let emails: Vec<&str> = accounts.iter().map(|(a, _)| a.email.as_str()).collect();
    let taken: Option<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE lower(email) = ANY($1) ORDER BY email LIMIT 1")
            .bind(&emails)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(email) = taken {
        return Err(StoreError::AlreadyExists(email));
    }
    let ids: Vec<Uuid> = accounts.iter().map(|_| Uuid::new_v4()).collect();
    let users_sql = insert_many_sql(&store.schema);
    let mut done = 0;
    for (batch, ids) in accounts.chunks(BATCH).zip(ids.chunks(BATCH)) {
        let col = |f: fn(&NewAccount) -> Option<&str>| -> Vec<Option<&str>> {
            batch.iter().map(|(a, _)| f(a)).collect()
        };
        let res = sqlx::query(sqlx::AssertSqlSafe(users_sql.as_str()))
            .bind(ids)
            .bind(col(|a| Some(a.email.as_str())))
            .bind(col(|a| Some(a.role.as_str())))
            .bind(batch.iter().map(|(_, hash)| hash.as_str()).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await;
        match res {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
                return Err(StoreError::AlreadyExists("an account of the file (created meanwhile)".into()));
            }
            Err(e) => return Err(e.into()),
        }
        if store.schema.user_profiles {
            sqlx::query(
                "INSERT INTO user_profiles (user_id, first_name, last_name, display_name, created_at, updated_at)
                 SELECT t.id, t.first_name, t.last_name, t.display_name, now(), now()
                 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, first_name, last_name, display_name)",
            )
            .bind(ids)
            .bind(col(|a| a.first_name.as_deref()))
            .bind(col(|a| a.last_name.as_deref()))
            .bind(col(|a| a.display_name.as_deref()))
            .execute(&mut *tx)
            .await?;
        }
        done += batch.len();
        progress(done);
    }
    let entries: Vec<Entry> =
        accounts.iter().zip(&ids).map(|((a, _), id)| created_entry(*id, &a.email, a.role)).collect();
    audit::write(&mut tx, actor, stamp, "create_user", &entries).await?;
    tx.commit().await?;
    Ok(ids)
}

/// Which of `emails` (normalised) are taken already, compared as the web app does (lower case).
pub async fn taken(
    store: &Store,
    emails: &[String],
) -> Result<std::collections::HashSet<String>, StoreError> {
    let found: Vec<String> =
        sqlx::query_scalar("SELECT lower(email) FROM users WHERE lower(email) = ANY($1)")
            .bind(emails)
            .fetch_all(&store.pool)
            .await?;
    Ok(found.into_iter().collect())
}

/// The INSERT of a provisioned account, naming every column the web app's provisioning sets
/// that this database has (old deployments lack the later ones).
fn insert_sql(schema: &super::Schema) -> String {
    let (cols, vals) = provisioned_columns(schema, ["$1", "$2", "$3", "$4"]);
    format!("INSERT INTO users ({cols}) VALUES ({vals})")
}

/// [`insert_sql`] of many accounts: arrays of ids, emails, roles and hashes.
fn insert_many_sql(schema: &super::Schema) -> String {
    let (cols, vals) = provisioned_columns(schema, ["t.id", "t.email", "t.role", "t.hash"]);
    format!(
        "INSERT INTO users ({cols}) SELECT {vals}
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, email, role, hash)"
    )
}

/// The columns of a provisioned account and their values, given the expressions of its
/// id, email, role and password hash.
fn provisioned_columns(schema: &super::Schema, [id, email, role, hash]: [&str; 4]) -> (String, String) {
    let mut cols = vec!["id", "email", "role", "auth_provider", "password_hash", "is_active"];
    let mut vals = vec![id, email, role, "'local'", hash, "true"];
    if schema.email_verified {
        // The column defaults to false (self-registration); provisioned accounts are
        // verified, or the web app refuses their login with EMAIL_NOT_VERIFIED.
        cols.push("email_verified");
        vals.push("true");
    }
    if schema.lockout {
        cols.extend(["failed_login_attempts", "locked_until"]);
        vals.extend(["0", "NULL"]);
    }
    if schema.last_login_at {
        cols.push("last_login_at");
        vals.push("NULL");
    }
    if schema.last_failed_login_at {
        cols.push("last_failed_login_at");
        vals.push("NULL");
    }
    cols.extend(["created_at", "updated_at"]);
    vals.extend(["now()", "now()"]);
    (cols.join(", "), vals.join(", "))
}

fn created_entry(id: Uuid, email: &Email, role: Role) -> Entry {
    Entry {
        target_id: Some(id),
        target_email: email.to_string(),
        before: serde_json::Value::Null,
        after: json!({"email": email.as_str(), "role": role, "auth_provider": "local", "is_active": true,
                      "email_verified": true}),
    }
}

async fn created_row(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    id: Uuid,
) -> Result<UserRow, StoreError> {
    let sql = format!(
        "SELECT {} FROM users u WHERE u.id = $1",
        super::users::user_columns(&store.schema, super::users::SESSIONS_SUBQUERY)
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut **tx).await?;
    super::users::decode(&row)
}
