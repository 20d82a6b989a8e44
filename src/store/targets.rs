//! Finding and locking the accounts a change acts on, inside its transaction, and the
//! checks every change makes there: the actor is still an admin, the rows are still what
//! the admin saw, the rules allow it, and a superuser remains.

use super::busy::{self, Locked};
use super::users::{SESSIONS_SUBQUERY, decode, user_columns};
use super::{Actor, Schema, StoreError, UserRow};
use crate::domain::Change;
use crate::domain::Role;
use crate::domain::email::normalize;
use crate::domain::permissions::{self, ActorView, TargetView};
use sqlx::{Postgres, Transaction};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How a change names an account: scripts by email, the console by id plus what it drew.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An email as typed (trimmed). The stored email that equals it exactly wins; else the
    /// one stored email that equals it normalised (lower case); several such are refused
    /// as ambiguous (old rows may differ only in case).
    Email(String),
    /// The console's view of the row; the change is refused if the row differs now.
    Seen(Seen),
    /// An account by id, with the email it had (for messages): a revert names the rows
    /// its change touched. A row that is gone is `Stale`.
    Id { id: Uuid, email: String },
}

/// A row as the console saw it (drew it, or read it for a subcommand): compared with the
/// locked row before it is changed, so a change never lands on a row that moved meanwhile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub is_active: bool,
}

impl Seen {
    pub fn of(row: &impl crate::domain::account::Account) -> Seen {
        Seen { id: row.id(), email: row.email().to_string(), role: row.role(), is_active: row.is_active() }
    }
}

impl Target {
    pub fn email(s: &str) -> Target {
        Target::Email(s.trim().to_string())
    }
}

/// Serialises every transaction that could remove a superuser (demote, deactivate,
/// delete), so two admins can never each remove one of the last two.
pub const LAST_SUPERUSER_LOCK: i64 = 0x736b_7269_7074; // "skript"

/// Takes the superuser lock (transaction-scoped), waiting at most the lock timeout; when
/// another session holds it longer, `Busy` names that session. Changes call it only after
/// their rows are locked (from [`ensure_superuser_remains`]), so nobody waits for a row
/// while holding it.
pub(crate) async fn lock_superusers(tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreError> {
    savepoint(tx).await?;
    let res =
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(LAST_SUPERUSER_LOCK).execute(&mut **tx).await;
    match settle(tx, res).await? {
        Ok(_) => Ok(()),
        Err(Locked::Deadlock) => Err(StoreError::Busy { what: Locked::Deadlock, holder: None }),
        Err(_) => {
            let holder = busy::advisory_holder(tx, LAST_SUPERUSER_LOCK).await?;
            Err(StoreError::Busy { what: Locked::SuperuserCheck, holder })
        }
    }
}

/// Lock-taking statements run between [`savepoint`] and [`settle`]: when one cannot get its
/// lock (lock timeout, NOWAIT, deadlock) the savepoint is rolled back, so the transaction
/// can still read who holds the lock (and is then rolled back by its caller), and the
/// failure comes back as the inner `Err`; every other error is returned as it is.
async fn savepoint(tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreError> {
    sqlx::query("SAVEPOINT ska_lock").execute(&mut **tx).await?;
    Ok(())
}

async fn settle<T>(
    tx: &mut Transaction<'_, Postgres>,
    res: Result<T, sqlx::Error>,
) -> Result<Result<T, Locked>, StoreError> {
    match res {
        Ok(v) => {
            sqlx::query("RELEASE SAVEPOINT ska_lock").execute(&mut **tx).await?;
            Ok(Ok(v))
        }
        Err(e) => match busy::lock_failure(&e) {
            Some(what) => {
                sqlx::query("ROLLBACK TO SAVEPOINT ska_lock").execute(&mut **tx).await?;
                Ok(Err(what))
            }
            None => Err(e.into()),
        },
    }
}

/// Locks the actor's row and the named rows together (`FOR UPDATE`, in id order, so
/// concurrent changes cannot deadlock; waiting at most the lock timeout, after which `Busy`
/// names the first locked account and its holder) and re-checks the actor as the database
/// has it now: an actor who was deleted, deactivated, locked or demoted since signing in
/// can do nothing, and nobody can demote the actor while the change runs. Returns the
/// actor and the targets in the order asked; a missing email is `NotFound`, a row the
/// console saw that has changed or gone is `Stale`.
pub(crate) async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    schema: &Schema,
    actor: &Actor,
    targets: &[Target],
) -> Result<(ActorView, Vec<UserRow>), StoreError> {
    let (me, rows) = lock_rows(tx, schema, Some(actor.id), targets, true).await?;
    let rows = distinct(rows)?;
    check_actor(actor, me).map(|me| (me, rows))
}

/// [`lock`] without the locks, for a plan (a dry run) in a read-only transaction: the same
/// lookups and actor checks, so the plan refuses exactly where the change would.
pub(crate) async fn read(
    tx: &mut Transaction<'_, Postgres>,
    schema: &Schema,
    actor: &Actor,
    targets: &[Target],
) -> Result<(ActorView, Vec<UserRow>), StoreError> {
    let (me, rows) = lock_rows(tx, schema, Some(actor.id), targets, false).await?;
    let rows = distinct(rows)?;
    check_actor(actor, me).map(|me| (me, rows))
}

/// The rows of `found`, each once (a change may name an account twice), or the first
/// target's refusal.
fn distinct(found: Vec<Result<UserRow, StoreError>>) -> Result<Vec<UserRow>, StoreError> {
    let mut taken: HashSet<Uuid> = HashSet::with_capacity(found.len());
    let mut out = Vec::with_capacity(found.len());
    for r in found {
        let r = r?;
        if taken.insert(r.id) {
            out.push(r);
        }
    }
    Ok(out)
}

/// [`read`] that answers for each target on its own, in the order asked: its row (again
/// when two targets name the same account), or why it names none; a bulk edit's plan
/// reports every line.
pub(crate) async fn read_each(
    tx: &mut Transaction<'_, Postgres>,
    schema: &Schema,
    actor: &Actor,
    targets: &[Target],
) -> Result<(ActorView, Vec<Result<UserRow, StoreError>>), StoreError> {
    let (me, rows) = lock_rows(tx, schema, Some(actor.id), targets, false).await?;
    check_actor(actor, me).map(|me| (me, rows))
}

/// The actor as the database has it now: active, not locked, still an admin.
fn check_actor(actor: &Actor, me: Option<UserRow>) -> Result<ActorView, StoreError> {
    let me = match me {
        Some(r) if r.is_active && !r.locked => r,
        _ => return Err(StoreError::InvalidCredentials),
    };
    if !me.role.can_administer() {
        return Err(StoreError::Denied {
            email: actor.email.clone(),
            reason: permissions::Denied::NotAnAdmin,
        });
    }
    Ok(ActorView { id: actor.id, role: me.role })
}

/// Locks the actor's row (when given) and the named rows; returns the actor's row and, in
/// the order asked, each target's row (a row named twice comes twice) or why it names none.
async fn lock_rows(
    tx: &mut Transaction<'_, Postgres>,
    schema: &Schema,
    actor: Option<uuid::Uuid>,
    targets: &[Target],
    for_update: bool,
) -> Result<(Option<UserRow>, Vec<Result<UserRow, StoreError>>), StoreError> {
    let mut typed = Vec::new();
    let mut normalised = Vec::new();
    let mut ids = Vec::new();
    for t in targets {
        match t {
            Target::Email(e) => {
                typed.push(e.clone());
                normalised.push(normalize(e));
            }
            Target::Seen(x) => ids.push(x.id),
            Target::Id { id, .. } => ids.push(*id),
        }
    }
    let mut lock_ids = ids.clone();
    lock_ids.extend(actor);
    // Emails are stored normalised, so `lower(email)` finds the same rows as `email` but
    // for old rows that are not: those are told apart below. Only an email typed that no
    // row holds exactly needs that search, a scan of every row (no index has lower(email));
    // the others are found through the email index.
    // The typed emails some row holds exactly, and the normalised forms of the others.
    let exact: HashSet<String> = if typed.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_scalar::<_, String>("SELECT email::text FROM users WHERE email = ANY($1)")
            .bind(&typed)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect()
    };
    let inexact: Vec<String> = typed
        .iter()
        .zip(&normalised)
        .filter(|(t, _)| !exact.contains(t.as_str()))
        .map(|(_, n)| n.clone())
        .collect();
    // ($4 is named either way: the statement takes four parameters.)
    let lookup =
        if inexact.is_empty() { "(false AND $4::text[] IS NULL)" } else { "lower(u.email) = ANY($4)" };
    let locking = if for_update { "FOR UPDATE OF u" } else { "" };
    let filter = format!("(u.email = ANY($1) OR u.email = ANY($2) OR {lookup} OR u.id = ANY($3))");
    let sql = format!(
        "SELECT {} FROM users u WHERE {filter} ORDER BY u.id {locking}",
        user_columns(schema, SESSIONS_SUBQUERY)
    );
    savepoint(tx).await?;
    let res = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&typed)
        .bind(&normalised)
        .bind(&lock_ids)
        .bind(&inexact)
        .fetch_all(&mut **tx)
        .await;
    let rows = match settle(tx, res).await? {
        Ok(rows) => rows,
        Err(Locked::Deadlock) => return Err(StoreError::Busy { what: Locked::Deadlock, holder: None }),
        Err(_) => {
            let found = busy::row_holder(tx, &filter, &typed, &normalised, &lock_ids, &inexact).await?;
            return Err(match found {
                Some((email, holder)) => {
                    StoreError::Busy { what: Locked::Account(email), holder: Some(holder) }
                }
                None => StoreError::Busy { what: Locked::Other, holder: None },
            });
        }
    };
    let rows: Vec<UserRow> = rows.iter().map(decode).collect::<Result<_, _>>()?;
    // Index the locked rows once: bulk changes name tens of thousands of targets.
    let by_id: HashMap<Uuid, &UserRow> = rows.iter().map(|r| (r.id, r)).collect();
    let by_email: HashMap<&str, &UserRow> = rows.iter().map(|r| (r.email.as_str(), r)).collect();
    let mut by_lower: HashMap<String, Vec<&UserRow>> = HashMap::new();
    if !normalised.is_empty() {
        for r in &rows {
            by_lower.entry(r.email.to_lowercase()).or_default().push(r);
        }
    }
    let found = Found { by_id: &by_id, by_email: &by_email, by_lower: &by_lower };
    let out = targets.iter().map(|t| found.row(t).cloned()).collect();
    let me = actor.and_then(|id| by_id.get(&id).map(|r| (*r).clone()));
    Ok((me, out))
}

/// The rows found, indexed for the lookups of [`Found::row`].
struct Found<'a> {
    by_id: &'a HashMap<Uuid, &'a UserRow>,
    by_email: &'a HashMap<&'a str, &'a UserRow>,
    by_lower: &'a HashMap<String, Vec<&'a UserRow>>,
}

impl<'a> Found<'a> {
    /// The row `t` names: by an exact email, else the one row whose email is it normalised;
    /// by id (a row the console saw must not have changed).
    fn row(&self, t: &Target) -> Result<&'a UserRow, StoreError> {
        match t {
            Target::Email(e) => match self.by_email.get(e.as_str()) {
                Some(r) => Ok(*r),
                None => {
                    let n = normalize(e);
                    match self.by_lower.get(&n).map(Vec::as_slice).unwrap_or_default() {
                        [] => Err(StoreError::NotFound(n)),
                        [one] => Ok(*one),
                        several => {
                            let mut emails: Vec<String> = several.iter().map(|r| r.email.clone()).collect();
                            emails.sort();
                            Err(StoreError::AmbiguousEmail { typed: e.clone(), emails })
                        }
                    }
                }
            },
            Target::Seen(x) => {
                let r = self.by_id.get(&x.id).ok_or_else(|| StoreError::Stale {
                    email: x.email.clone(),
                    what: "the account was deleted".into(),
                })?;
                check_unchanged(x, r)?;
                Ok(*r)
            }
            Target::Id { id, email } => self.by_id.get(id).copied().ok_or_else(|| StoreError::Stale {
                email: email.clone(),
                what: "the account was deleted".into(),
            }),
        }
    }
}

fn check_unchanged(seen: &Seen, now: &UserRow) -> Result<(), StoreError> {
    let what = if now.email != seen.email {
        format!("its email is now {}", now.email)
    } else if now.role != seen.role {
        format!("its role is now {}", now.role)
    } else if now.is_active != seen.is_active {
        (if now.is_active { "it was reactivated" } else { "it was deactivated" }).to_string()
    } else {
        return Ok(());
    };
    Err(StoreError::Stale {
        email: seen.email.clone(),
        what: crate::domain::sanitize::clean(&what).into_owned(),
    })
}

/// Applies the permission rules to every target; the first refusal names its account.
pub(crate) fn check_all(actor: ActorView, change: &Change, rows: &[UserRow]) -> Result<(), StoreError> {
    for r in rows {
        permissions::check(actor, change, Some(TargetView { id: r.id, role: r.role }))
            .map_err(|reason| StoreError::Denied { email: r.email.clone(), reason })?;
    }
    Ok(())
}

/// Refuses when the change would leave no active superuser. Call with the rows `leaving`
/// locked ([`lock`]): when one of them is an active superuser, this takes the superuser
/// lock and reads the count after it, so the count includes every earlier committed change
/// that removed one (they all take the lock), and two admins cannot each remove one of the
/// last two. A change that removes no superuser cannot make the count drop and skips the
/// lock: it never waits for another admin's superuser change.
pub(crate) async fn ensure_superuser_remains(
    tx: &mut Transaction<'_, Postgres>,
    leaving: &[&UserRow],
) -> Result<(), StoreError> {
    superusers_left(tx, leaving, true).await
}

/// [`ensure_superuser_remains`] for a plan (a dry run): the same count, without the lock,
/// so a dry run never waits for (or holds up) another admin's change.
pub(crate) async fn superuser_would_remain(
    tx: &mut Transaction<'_, Postgres>,
    leaving: &[&UserRow],
) -> Result<(), StoreError> {
    superusers_left(tx, leaving, false).await
}

async fn superusers_left(
    tx: &mut Transaction<'_, Postgres>,
    leaving: &[&UserRow],
    lock: bool,
) -> Result<(), StoreError> {
    let leaving: Vec<&&UserRow> =
        leaving.iter().filter(|r| r.role == Role::Superuser && r.is_active).collect();
    let Some(first) = leaving.first() else { return Ok(()) };
    if lock {
        lock_superusers(tx).await?;
    }
    let ids: Vec<Uuid> = leaving.iter().map(|r| r.id).collect();
    let remaining: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE role = 'superuser' AND is_active AND NOT (id = ANY($1))",
    )
    .bind(&ids)
    .fetch_one(&mut **tx)
    .await?;
    if remaining == 0 { Err(StoreError::LastSuperuser(first.email.clone())) } else { Ok(()) }
}
