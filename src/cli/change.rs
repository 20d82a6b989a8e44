//! The subcommands that change existing accounts: set-role, reset-password,
//! revoke-sessions, (de)activate, unlock, delete.

use super::args::Targets;
use super::secrets::NewSecret;
use super::{CliError, sign_in};
use crate::domain::sanitize::clean;
use crate::store::delete::DeletePlan;
use crate::store::mutate::{self, Applied, Change};
use crate::store::targets::Target;
use crate::store::{self, Actor, Store};
use std::io::{BufRead, IsTerminal, Write};

fn targets(emails: &[String]) -> Vec<Target> {
    emails.iter().map(|e| Target::email(e)).collect()
}

/// Signs in, then applies a change that needs no further input.
pub async fn simple(store: &Store, t: &Targets, change: Change) -> Result<(), CliError> {
    let actor = sign_in(store, &t.actor.actor_email).await?;
    apply(store, &actor, &t.emails, change).await
}

pub async fn apply(store: &Store, actor: &Actor, emails: &[String], change: Change) -> Result<(), CliError> {
    let done = mutate::apply(store, actor, &targets(emails), &change).await?;
    report(&change, &done);
    Ok(())
}

fn report(change: &Change, done: &[Applied]) {
    let what = match change {
        Change::SetRole(r) => format!("role set to {r}"),
        Change::SetActive(true) => "activated".into(),
        Change::SetActive(false) => "deactivated".into(),
        Change::Unlock => "unlocked".into(),
        Change::RevokeSessions => "sessions revoked".into(),
        Change::ResetPassword { .. } => "password reset".into(),
    };
    let mut changed = 0;
    for a in done {
        let email = clean(&a.email);
        if a.changed {
            changed += 1;
            let sessions = if a.sessions_revoked > 0 {
                format!(" ({} sessions revoked)", a.sessions_revoked)
            } else {
                String::new()
            };
            println!("{email}: {what}{sessions}");
        } else {
            println!("{email}: unchanged (already so)");
        }
    }
    println!("{changed} of {} users changed", done.len());
}

pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    email: &str,
    new: NewSecret,
    revoke_sessions: bool,
) -> Result<(), CliError> {
    let hash = super::create::hash(&new).await?;
    let change = Change::ResetPassword { hash, revoke_sessions };
    let done = mutate::apply(store, actor, &[Target::email(email)], &change).await?;
    report(&change, &done);
    super::create::print_generated(&new);
    Ok(())
}

pub async fn delete(store: &Store, actor: &Actor, emails: &[String], yes: bool) -> Result<(), CliError> {
    let targets = targets(emails);
    let plan = store::delete::plan(store, actor, &targets).await?;
    if plan.is_blocked() {
        return Err(CliError::Failed(plan.blocked_message()));
    }
    if !yes {
        confirm(&plan)?;
    }
    let (plan, _) = store::delete::delete(store, actor, &targets).await?;
    for e in &plan.emails {
        println!("deleted {}", clean(e));
    }
    for d in &plan.effects {
        println!("  {}: {}", d.describe(), d.on_delete.describe());
    }
    println!("{} deleted", crate::plural::count(plan.emails.len() as i64, "user"));
    Ok(())
}

/// Asks on the terminal; without one, refuses (scripts pass --yes).
fn confirm(plan: &DeletePlan) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage("delete needs --yes when not run on a terminal".into()));
    }
    let mut err = std::io::stderr();
    let _ = writeln!(err, "About to delete {}:", crate::plural::count(plan.emails.len() as i64, "user"));
    for e in &plan.emails {
        let _ = writeln!(err, "  {}", clean(e));
    }
    for d in &plan.effects {
        let _ = writeln!(err, "  with {}: {}", d.describe(), d.on_delete.describe());
    }
    let _ = write!(err, "Delete? [y/N] ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| CliError::Failed(e.to_string()))?;
    if matches!(line.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Failed("not deleted".into()))
    }
}
