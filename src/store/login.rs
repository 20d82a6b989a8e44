//! Signing in as an admin, step for step as the web app's own login handler does it, so the
//! console is no easier a way in than the web: the same refusals in the same order, the
//! same counter and lock updates, and a `login_events` row the web app's admin page shows.
//! The counter update, the login event and the tool's audit row are one transaction.
//!
//! The steps (see the identity document):
//! 1. unknown or inactive account, non-local provider or no password hash: invalid
//!    credentials (nothing counted);
//! 2. locked (`now < locked_until`): refused, without checking the password;
//! 3. wrong password: one more failed login, `last_failed_login_at = now`, and from the
//!    5th on a lock of 15 minutes (that failure is then logged as ACCOUNT_LOCKED);
//! 4. email not verified: refused even with the right password;
//! 5. success: the counter and the lock cleared, `last_login_at = now`.
//!
//! Then this tool's own rule: only admins and superusers use it (refused, not counted).

use super::{Actor, Schema, Store, StoreError};
use crate::auth::hasher;
use crate::domain::email::normalize;
use crate::domain::{Denied, Role, Secret};
use sqlx::{Postgres, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// Failed logins that lock an account, and for how long: the web app's policy.
pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCK_MINUTES: i32 = 15;

/// Where a sign-in comes from, as written to `login_events`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// "skriptoteket-admin/0.1.0 (console)".
    pub user_agent: String,
    /// The SSH client's address, when the tool runs in an SSH session.
    pub ip_address: Option<String>,
}

impl Origin {
    /// This process: `front_end` is "console" or "cli"; the address comes from
    /// `SSH_CLIENT` / `SSH_CONNECTION` when set.
    pub fn current(front_end: &str) -> Origin {
        let ssh = ["SSH_CLIENT", "SSH_CONNECTION"].iter().find_map(|v| std::env::var(v).ok());
        Origin {
            user_agent: format!("skriptoteket-admin/{} ({front_end})", env!("CARGO_PKG_VERSION")),
            ip_address: ssh.as_deref().and_then(crate::operator::ssh_client_ip),
        }
    }
}

/// How an attempt ended, with the web app's failure codes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Attempt {
    Success,
    InvalidCredentials,
    Locked,
    NotVerified,
    /// Right credentials, but not an admin: this tool's own refusal.
    NotAnAdmin,
}

impl Attempt {
    fn failure_code(self) -> Option<&'static str> {
        match self {
            Attempt::Success => None,
            Attempt::InvalidCredentials => Some("INVALID_CREDENTIALS"),
            Attempt::Locked => Some("ACCOUNT_LOCKED"),
            Attempt::NotVerified => Some("EMAIL_NOT_VERIFIED"),
            // The web app's own code for "authenticated, but not allowed".
            Attempt::NotAnAdmin => Some("FORBIDDEN"),
        }
    }
}

/// The row the login reads.
struct Account {
    id: Uuid,
    email: String,
    role: String,
    active: bool,
    provider: String,
    hash: Option<String>,
    locked_until: Option<OffsetDateTime>,
    locked: bool,
    verified: bool,
}

/// Checks the credentials of an admin or superuser. A wrong email and a wrong password
/// both read "Invalid admin credentials." and take the same time (a hash is verified in
/// both cases).
pub async fn authenticate(
    store: &Store,
    email: &str,
    password: &Secret,
    origin: &Origin,
) -> Result<Actor, StoreError> {
    sign_in(store, email, password, origin, true).await
}

/// [`authenticate`] for a dry run, which must leave the database as it was: a success is
/// not recorded (no login event, no `last_login_at`, no audit row). A failure is, as
/// always: a dry run is no way around the lock.
pub async fn authenticate_quietly(
    store: &Store,
    email: &str,
    password: &Secret,
    origin: &Origin,
) -> Result<Actor, StoreError> {
    sign_in(store, email, password, origin, false).await
}

async fn sign_in(
    store: &Store,
    email: &str,
    password: &Secret,
    origin: &Origin,
    record_success: bool,
) -> Result<Actor, StoreError> {
    if !store.schema.users {
        return Err(StoreError::NoUsersTable);
    }
    let email = normalize(email);
    let account = read(store, &email).await?;
    // Step 1 (and the timing): every path verifies some hash.
    let usable = account.as_ref().filter(|a| a.active && a.provider == "local" && a.hash.is_some());
    let locked = usable.is_some_and(|a| a.locked);
    let candidate = match usable {
        // A locked account is not checked against its real hash: guessing on it learns
        // nothing and does not extend the lock.
        Some(a) if !locked => a.hash.clone().unwrap_or_default(),
        _ => hasher::DUMMY_HASH.to_string(),
    };
    let matches = hasher::verify_off_thread(password.clone(), candidate).await?;
    let (attempt, result) = match usable {
        None => (Attempt::InvalidCredentials, Err(StoreError::InvalidCredentials)),
        Some(a) if a.locked => {
            let until = a.locked_until.map(clock).unwrap_or_default();
            (Attempt::Locked, Err(StoreError::AccountLocked { email: a.email.clone(), until }))
        }
        Some(_) if !matches => (Attempt::InvalidCredentials, Err(StoreError::InvalidCredentials)),
        Some(a) if !a.verified => (Attempt::NotVerified, Err(StoreError::EmailNotVerified(a.email.clone()))),
        Some(a) => match Role::from_db(&a.role) {
            role if role.can_administer() => {
                (Attempt::Success, Ok(Actor { id: a.id, email: a.email.clone(), role }))
            }
            _ => (
                Attempt::NotAnAdmin,
                Err(StoreError::Denied { email: a.email.clone(), reason: Denied::NotAnAdmin }),
            ),
        },
    };
    // A wrong password counts only on an account that could have signed in (step 3).
    let counts = attempt == Attempt::InvalidCredentials && usable.is_some();
    if attempt == Attempt::Success && !record_success {
        return result;
    }
    let (attempt, result) = match record(store, account.as_ref(), &email, attempt, counts, origin).await {
        // This failure locked the account: the web app says so at once.
        Ok(Some(until)) => {
            let email = account.as_ref().map_or(email.clone(), |a| a.email.clone());
            (Attempt::Locked, Err(StoreError::AccountLocked { email, until: clock(until) }))
        }
        Ok(None) => (attempt, result),
        Err(e) => {
            // Best effort: a read-only database still lets admins read; the outcome stands.
            tracing::warn!(error = %e, "could not record the sign-in attempt");
            (attempt, result)
        }
    };
    if result.is_err() {
        tracing::warn!(code = attempt.failure_code().unwrap_or(""), "sign-in refused");
    }
    result
}

/// How many more wrong passwords the account `email` takes before the lock, as the
/// database has it now; `None` when no lock would follow (no such account, one that could
/// not sign in anyway, a database without the lockout columns) or it cannot be read.
pub async fn tries_left_now(store: &Store, email: &str) -> Option<i32> {
    if !store.schema.lockout {
        return None;
    }
    let failures: Option<i32> = sqlx::query_scalar(
        "SELECT failed_login_attempts FROM users
          WHERE email = $1 AND is_active AND auth_provider = 'local' AND password_hash IS NOT NULL",
    )
    .bind(normalize(email))
    .fetch_optional(&store.pool)
    .await
    .ok()
    .flatten();
    failures.map(|f| MAX_FAILED_LOGINS.saturating_sub(f).max(0))
}

/// `HH:MM` (UTC) of a lock's end, for the message.
fn clock(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}

async fn read(store: &Store, email: &str) -> Result<Option<Account>, StoreError> {
    let s = &store.schema;
    let locked_until = if s.lockout { "locked_until" } else { "NULL::timestamptz" };
    let verified = if s.email_verified { "email_verified" } else { "true" };
    let sql = format!(
        "SELECT id, email::text AS email, role::text AS role, is_active, auth_provider::text AS provider,
                password_hash::text AS hash, {locked_until} AS locked_until,
                COALESCE({locked_until} > now(), false) AS locked, {verified} AS verified
         FROM users WHERE email = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(&store.pool).await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Account {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        role: r.try_get("role")?,
        active: r.try_get("is_active")?,
        provider: r.try_get("provider")?,
        hash: r.try_get::<Option<String>, _>("hash")?.filter(|h| !h.is_empty()),
        locked_until: r.try_get("locked_until")?,
        locked: r.try_get("locked")?,
        verified: r.try_get("verified")?,
    }))
}

/// The counters, the login event and the audit row of one attempt, in one transaction.
/// Returns the end of the lock when this failure locked the account.
async fn record(
    store: &Store,
    account: Option<&Account>,
    email: &str,
    attempt: Attempt,
    counts: bool,
    origin: &Origin,
) -> Result<Option<OffsetDateTime>, StoreError> {
    let s = &store.schema;
    // READ WRITE even in read-only mode: a sign-in is recorded (and a failure counted)
    // as the web app's login does, so read-only mode is no way around the lock.
    let mut tx = store.pool.begin_with("BEGIN READ WRITE").await?;
    let mut locked_now = None;
    if let Some(a) = account {
        if counts {
            locked_now = count_failure(&mut tx, s, a.id).await?;
        } else if attempt == Attempt::Success {
            clear_failures(&mut tx, s, a.id).await?;
        }
    }
    let attempt = if locked_now.is_some() { Attempt::Locked } else { attempt };
    if s.login_events {
        sqlx::query(
            "INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                                       correlation_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())",
        )
        .bind(Uuid::new_v4())
        .bind(account.map(|a| a.id))
        .bind(if attempt == Attempt::Success { "success" } else { "failure" })
        .bind(attempt.failure_code())
        .bind(origin.ip_address.as_deref())
        .bind(&origin.user_agent)
        .bind(account.map_or("local", |a| a.provider.as_str()))
        .bind(Uuid::new_v4())
        .execute(&mut *tx)
        .await?;
    }
    if s.audit_log
        && let Some(a) = account
    {
        let actor = Actor { id: a.id, email: a.email.clone(), role: Role::User };
        let action = if attempt == Attempt::Success { "sign_in" } else { "sign_in_failed" };
        let entry = super::audit::Entry {
            target_id: Some(a.id),
            target_email: email.to_string(),
            before: serde_json::Value::Null,
            after: serde_json::json!({
                "via": origin.user_agent,
                "failure_code": attempt.failure_code(),
                "ip_address": origin.ip_address,
            }),
        };
        super::audit::write(&mut tx, &actor, &crate::domain::Stamp::new(None), action, &[entry]).await?;
    }
    tx.commit().await?;
    Ok(locked_now)
}

/// Step 3's updates: one more failure, and from the 5th on a lock of 15 minutes (else
/// none). Returns the lock's end when this failure set one.
async fn count_failure(
    tx: &mut Transaction<'_, Postgres>,
    s: &Schema,
    id: Uuid,
) -> Result<Option<OffsetDateTime>, StoreError> {
    if !s.lockout {
        return Ok(None);
    }
    let last_failed = if s.last_failed_login_at { ", last_failed_login_at = now()" } else { "" };
    let sql = format!(
        "UPDATE users SET failed_login_attempts = failed_login_attempts + 1, updated_at = now(){last_failed},
                locked_until = CASE WHEN failed_login_attempts + 1 >= $2
                                    THEN now() + $3 * interval '1 minute' ELSE NULL END
         WHERE id = $1 RETURNING locked_until"
    );
    let until: Option<Option<OffsetDateTime>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(MAX_FAILED_LOGINS)
        .bind(LOCK_MINUTES)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(until.flatten())
}

/// Step 5's updates.
async fn clear_failures(tx: &mut Transaction<'_, Postgres>, s: &Schema, id: Uuid) -> Result<(), StoreError> {
    let mut sets = Vec::new();
    if s.lockout {
        sets.extend(["failed_login_attempts = 0", "locked_until = NULL"]);
    }
    if s.last_login_at {
        sets.push("last_login_at = now()");
    }
    if sets.is_empty() {
        // A deployment from before the login columns: its login wrote nothing either.
        return Ok(());
    }
    let sql = format!("UPDATE users SET {}, updated_at = now() WHERE id = $1", sets.join(", "));
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::operator::ssh_client_ip;

    #[test]
    fn the_client_address_is_the_first_field_of_ssh_client() {
        assert_eq!(ssh_client_ip("192.0.2.7 51234 22").as_deref(), Some("192.0.2.7"));
        assert_eq!(ssh_client_ip("2001:db8::5 51234 10.0.0.1 22").as_deref(), Some("2001:db8::5"));
        assert_eq!(ssh_client_ip("not-an-ip 1 2"), None);
        assert_eq!(ssh_client_ip(""), None);
    }
}
