//! Dormant accounts: active accounts nobody has signed in to for a while (or ever, since
//! they were created that long ago), for `deactivate-dormant`. All of them are deactivated
//! in one change (one transaction, one change id: one revert undoes it). An account that
//! signs in between the look-up and the change is left alone: the rule is checked again on
//! the locked rows.

use super::targets::Target;
use super::{Actor, Store, StoreError, mutate};
use crate::domain::{Applied, Change, Plan, Role, Stamp, UserRow};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// Which accounts count as dormant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dormancy {
    pub days: u32,
    /// Admins and superusers are spared unless this is set.
    pub include_admins: bool,
    /// Emails (lower case) that are never touched.
    pub exclude: HashSet<String>,
}

impl Dormancy {
    /// Whether `row` is dormant at `now`: active, not the actor, not excluded, and its last
    /// sign-in (or, never signed in, its creation) `days` or more ago.
    pub fn holds(&self, row: &UserRow, actor: &Actor, now: OffsetDateTime) -> bool {
        let cutoff = now - Duration::days(i64::from(self.days));
        row.is_active
            && row.id != actor.id
            && (self.include_admins || row.role < Role::Admin)
            && !self.exclude.contains(&row.email.to_lowercase())
            && row.last_login_at.unwrap_or(row.created_at) < cutoff
    }
}

/// The dormant accounts now, by the database's clock.
async fn find(
    store: &Store,
    actor: &Actor,
    rule: &Dormancy,
) -> Result<(Vec<UserRow>, OffsetDateTime), StoreError> {
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
    Ok((rows.into_iter().filter(|r| rule.holds(r, actor, now)).collect(), now))
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

/// What [`deactivate`] would do.
pub async fn plan(store: &Store, actor: &Actor, rule: &Dormancy) -> Result<Plan, StoreError> {
    let (rows, _) = find(store, actor, rule).await?;
    if rows.is_empty() {
        return Ok(Plan {
            action: Change::SetActive(false).audit_name().into(),
            targets: Vec::new(),
            refused: None,
        });
    }
    mutate::plan(store, actor, &targets(&rows), &Change::SetActive(false)).await
}
