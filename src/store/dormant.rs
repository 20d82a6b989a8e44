//! Dormant accounts: active accounts nobody has signed in to for a while (or ever, since
//! they were created that long ago), for `deactivate-dormant`. All of them are deactivated
//! in one change (one transaction, one change id: one revert undoes it). An account that
//! signs in between the look-up and the change is left alone: the rule is checked again on
//! the locked rows. Accounts the days alone would take but a rule spares (the actor, the
//! excluded, admins) are named with why, for the dry run.

use super::targets::Target;
use super::{Actor, Store, StoreError, mutate};
use crate::domain::exclude::Exclusions;
use crate::domain::{Applied, Change, Plan, Role, Stamp, UserRow};
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Which accounts count as dormant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dormancy {
    pub days: u32,
    /// Admins and superusers are spared unless this is set.
    pub include_admins: bool,
    /// Emails that are never touched (`--exclude-file`).
    pub exclude: Exclusions,
}

/// Why an account past the days is left alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Spared {
    /// The admin running the job.
    Actor,
    /// On this line of the exclude file.
    Excluded { line: usize },
    /// An admin or superuser, without `--include-admins`.
    Admin { role: Role },
}

impl Spared {
    /// "listed in the exclude file (line 3)".
    pub fn describe(&self) -> String {
        match self {
            Spared::Actor => "your own account".to_string(),
            Spared::Excluded { line } => format!("listed in the exclude file (line {line})"),
            Spared::Admin { role } => format!("{role} (spared unless --include-admins)"),
        }
    }
}

/// What the rule says of one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Inactive already, or signed in (or created) within the days.
    NotDormant,
    Dormant,
    Spared(Spared),
}

impl Dormancy {
    /// The rule on `row` at `now`: dormant when active and its last sign-in (or, never
    /// signed in, its creation) is `days` or more ago, unless it is the actor's, excluded,
    /// or (without `include_admins`) an admin's.
    pub fn judge(&self, row: &UserRow, actor: &Actor, now: OffsetDateTime) -> Verdict {
        let cutoff = now - Duration::days(i64::from(self.days));
        if !row.is_active || row.last_login_at.unwrap_or(row.created_at) >= cutoff {
            Verdict::NotDormant
        } else if row.id == actor.id {
            Verdict::Spared(Spared::Actor)
        } else if let Some(line) = self.exclude.line_of(&row.email) {
            Verdict::Spared(Spared::Excluded { line })
        } else if !self.include_admins && row.role >= Role::Admin {
            Verdict::Spared(Spared::Admin { role: row.role })
        } else {
            Verdict::Dormant
        }
    }

    /// Whether `row` is dormant at `now` ([`Dormancy::judge`]).
    pub fn holds(&self, row: &UserRow, actor: &Actor, now: OffsetDateTime) -> bool {
        self.judge(row, actor, now) == Verdict::Dormant
    }
}

/// An account a rule spares, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SparedAccount {
    pub email: String,
    pub id: Uuid,
    #[serde(flatten)]
    pub why: Spared,
}

/// What a dry run says: the plan of the deactivation, and who is spared.
#[derive(Clone, Debug, PartialEq)]
pub struct DormantPlan {
    pub plan: Plan,
    pub spared: Vec<SparedAccount>,
}

/// The dormant accounts now, by the database's clock, and the ones a rule spares.
async fn find(
    store: &Store,
    actor: &Actor,
    rule: &Dormancy,
) -> Result<(Vec<UserRow>, Vec<SparedAccount>), StoreError> {
    if !store.schema.last_login_at {
        return Err(StoreError::Db(
            "this database has no users.last_login_at (an old deployment): dormant accounts cannot be told"
                .into(),
        ));
    }
    let now: OffsetDateTime = sqlx::query_scalar("SELECT now()").fetch_one(&store.pool).await?;
    let sql = format!(
        "SELECT {} FROM users u WHERE u.is_active AND COALESCE(u.last_login_at, u.created_at) < now() - make_interval(days => $1)
         ORDER BY u.email",
        super::users::user_columns(&store.schema, super::users::SESSIONS_SUBQUERY)
    );
    let days = i32::try_from(rule.days).unwrap_or(i32::MAX);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(days).fetch_all(&store.pool).await?;
    let rows: Vec<UserRow> = rows.iter().map(super::users::decode).collect::<Result<_, _>>()?;
    let (mut dormant, mut spared) = (Vec::new(), Vec::new());
    for row in rows {
        match rule.judge(&row, actor, now) {
            Verdict::Dormant => dormant.push(row),
            Verdict::Spared(why) => spared.push(SparedAccount { email: row.email, id: row.id, why }),
            Verdict::NotDormant => {}
        }
    }
    Ok((dormant, spared))
}

/// The entries of `exclude` that name no account (as the web app compares emails), with
/// their lines: a typo there would spare nobody without a word.
pub async fn unmatched(store: &Store, exclude: &Exclusions) -> Result<Vec<(usize, String)>, StoreError> {
    if exclude.is_empty() {
        return Ok(Vec::new());
    }
    let entries = exclude.entries();
    let wanted: Vec<&str> = entries.iter().map(|(_, e)| *e).collect();
    let found: Vec<String> = sqlx::query_scalar("SELECT email::text FROM users WHERE lower(email) = ANY($1)")
        .bind(&wanted)
        .fetch_all(&store.pool)
        .await?;
    let found: std::collections::HashSet<String> =
        found.iter().map(|e| crate::domain::email::normalize(e)).collect();
    Ok(entries.into_iter().filter(|(_, e)| !found.contains(*e)).map(|(n, e)| (n, e.to_string())).collect())
}

fn targets(rows: &[UserRow]) -> Vec<Target> {
    rows.iter().map(|r| Target::Id { id: r.id, email: r.email.clone() }).collect()
}

/// Deactivates every dormant account (and revokes their sessions) as one change.
pub async fn deactivate(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    rule: &Dormancy,
) -> Result<Vec<Applied>, StoreError> {
    store.require_writable()?;
    let (rows, _) = find(store, actor, rule).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Checked again on the locked rows, by the clock inside the transaction: an account
    // that signed in meanwhile is skipped, not deactivated.
    let still = |r: &UserRow, now: OffsetDateTime| rule.holds(r, actor, now);
    mutate::apply_where(
        store,
        actor,
        stamp,
        &targets(&rows),
        &Change::SetActive(false),
        None,
        &still,
        &mut |_| Ok(()),
    )
    .await
}

/// What [`deactivate`] would do, and whom it would spare.
pub async fn plan(store: &Store, actor: &Actor, rule: &Dormancy) -> Result<DormantPlan, StoreError> {
    let (rows, spared) = find(store, actor, rule).await?;
    let plan = if rows.is_empty() {
        Plan { action: Change::SetActive(false).audit_name().into(), targets: Vec::new(), refused: None }
    } else {
        mutate::plan(store, actor, &targets(&rows), &Change::SetActive(false)).await?
    };
    Ok(DormantPlan { plan, spared })
}
