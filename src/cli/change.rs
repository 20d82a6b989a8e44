//! The subcommands that change accounts, all through one path: sign in, (hash a new
//! password), `store::change::apply`, and print a line per account plus the change's
//! own summary, in the words the console uses.

use super::CliError;
use super::secrets::NewSecret;
use crate::auth::hasher;
use crate::domain::references::DeletePlan;
use crate::domain::sanitize::clean;
use crate::domain::{Change, Done};
use crate::store::targets::Target;
use crate::store::{self, Actor, Store};
use std::io::{BufRead, IsTerminal, Write};

fn targets(emails: &[String]) -> Vec<Target> {
    emails.iter().map(|e| Target::email(e)).collect()
}

/// Applies `change` to the accounts named by `emails`; `new` is the new password of the
/// changes that set one.
pub async fn apply(
    store: &Store,
    actor: &Actor,
    emails: &[String],
    change: Change,
    new: Option<NewSecret>,
) -> Result<(), CliError> {
    let hash = match &new {
        Some(n) => Some(
            hasher::hash_off_thread(n.secret.clone()).await.map_err(|e| CliError::Failed(e.to_string()))?,
        ),
        None => None,
    };
    let done = store::change::apply(store, actor, &targets(emails), &change, hash.as_deref()).await?;
    report(&change, &done);
    if let Some(n) = &new {
        n.print_if_generated();
    }
    Ok(())
}

/// A line per account, then (for changes to several accounts) the summary the console
/// shows too.
fn report(change: &Change, done: &Done) {
    match done {
        Done::Changed(applied) => {
            for a in applied {
                println!("{}: {}", clean(&a.email), change.outcome_for(a));
            }
            println!("{}", clean(&change.summary(done)));
        }
        Done::Created(row) => println!("created {} {} ({})", row.role, clean(&row.email), row.id),
        Done::Deleted { rows, effects } => {
            for r in rows {
                println!("deleted {}", clean(&r.email));
            }
            for d in effects {
                println!("  {}: {}", d.describe(), d.on_delete.describe());
            }
            println!("{} deleted", crate::plural::count(rows.len() as i64, "user"));
        }
    }
}

/// Plans the delete (refusing when something restricts it), asks on a terminal unless
/// `yes`, then deletes.
pub async fn delete(store: &Store, actor: &Actor, emails: &[String], yes: bool) -> Result<(), CliError> {
    let plan = store::delete::plan(store, actor, &targets(emails)).await?;
    if plan.is_blocked() {
        return Err(CliError::Failed(plan.blocked_message()));
    }
    if !yes {
        confirm(&plan)?;
    }
    apply(store, actor, emails, Change::Delete, None).await
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
