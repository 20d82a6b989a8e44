//! `--filter` on the change subcommands: the accounts the console's filter language keeps,
//! beside or instead of their emails, counted and shown before anything changes. Off a
//! terminal the change needs `--yes` or `--expect-count N` (refused, changing nothing, when
//! the count differs), so a script cannot sweep more than it meant.

use super::CliError;
use super::args::{OutFormat, Select};
use crate::domain::Change;
use crate::domain::filter::UserFilter;
use crate::store::targets::{Seen, Target};
use crate::store::users::{self, ListFilter};
use crate::store::{self, Actor, Store};
use std::collections::HashSet;
use std::io::{IsTerminal, Write};

/// What a command whose filter chose no account prints (exit 0: a sweep with nothing to
/// do is no failure); JSON for `--format json`.
pub fn none(format: OutFormat) -> String {
    const SAID: &str = "no account matches --filter: nothing was changed";
    match format {
        OutFormat::Table => format!("{SAID}\n"),
        OutFormat::Json => super::change::json_text(&serde_json::json!({
            "changed": false, "accounts": [], "message": SAID,
        })),
    }
}

/// The accounts named by email, then those the filter keeps, each as it was read (a row
/// that changes before the change locks it is refused as stale, not changed unseen); `None`
/// when there are none. Refused when `--expect-count` differs from the count.
pub async fn choose(
    store: &Store,
    emails: &[String],
    select: &Select,
) -> Result<Option<Vec<Target>>, CliError> {
    let mut chosen: Vec<Target> = emails.iter().map(|e| Target::email(e)).collect();
    if let Some(expr) = &select.filter {
        let filter = UserFilter::parse(expr, time::OffsetDateTime::now_utc())
            .map_err(|e| CliError::Usage(format!("--filter {e}")))?;
        // Exact emails: two accounts whose emails differ only in case are two accounts.
        let mut seen: HashSet<String> = emails.iter().map(|e| e.trim().to_string()).collect();
        for r in users::list(store, &ListFilter::default()).await? {
            if filter.keeps(&r, r.email.to_lowercase().as_bytes()) && seen.insert(r.email.clone()) {
                chosen.push(Target::Seen(Seen::of(&r)));
            }
        }
    }
    if let Some(n) = select.expect_count
        && n != chosen.len()
    {
        return Err(CliError::Failed(format!(
            "{} chosen, not the {n} --expect-count says; nothing was changed",
            crate::plural::count(chosen.len() as i64, "account")
        )));
    }
    Ok((!chosen.is_empty()).then_some(chosen))
}

/// Says on stderr when several accounts a change is about include admins or superusers
/// (issue 24: a dormant sweep by filter took the break-glass superuser along unseen).
pub fn say_privileged(named: &[Target], select: &Select) {
    if named.len() < 2 {
        return;
    }
    let roles = named.iter().filter_map(|t| match t {
        Target::Seen(s) => Some(s.role),
        _ => None,
    });
    if let Some(said) = crate::domain::change::privileged(roles) {
        let how = if select.filter.is_some() {
            ": add -role:admin,superuser to --filter to leave them out"
        } else {
            ""
        };
        eprintln!("the {} include {said}{how}", crate::plural::count(named.len() as i64, "account"));
    }
}

/// Before signing in: a `--filter` change off a terminal needs `--yes` or
/// `--expect-count` (checked by [`choose`]); refused, asking nothing, without them.
pub fn check_unattended(select: &Select, chosen: usize) -> Result<(), CliError> {
    if select.filter.is_none()
        || select.yes
        || select.expect_count.is_some()
        || std::io::stdin().is_terminal()
    {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "--filter chose {}: add --yes, or --expect-count {chosen} to go ahead only at that count \
         (--dry-run shows them); nothing was changed",
        crate::plural::count(chosen as i64, "account")
    )))
}

/// Before a `--filter` change on a terminal, without `--yes` or `--expect-count`: the plan
/// and a question on stderr.
pub async fn confirm(
    store: &Store,
    actor: &Actor,
    named: &[Target],
    change: &Change,
    select: &Select,
) -> Result<(), CliError> {
    if select.filter.is_none() || select.yes || select.expect_count.is_some() {
        return Ok(());
    }
    check_unattended(select, named.len())?;
    let n = crate::plural::count(named.len() as i64, "account");
    let plan = store::change::plan(store, actor, named, change).await?;
    let mut err = std::io::stderr();
    let _ = write!(err, "{}", super::change::plan_table(&plan));
    if plan.refused.is_some() {
        return Err(CliError::Quiet);
    }
    if super::change::ask(&format!("{} {n}?", capitalised(change.verb())))? {
        Ok(())
    } else {
        Err(CliError::Failed("not confirmed; nothing was changed".into()))
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
