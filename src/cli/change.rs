//! The subcommands that change accounts, all through one path: sign in, (hash a new
//! password), `store::change::apply` under a change id of their own, and print a line per
//! account plus the change's summary and id, in the words the console uses. `--dry-run`
//! prints the plan instead and changes nothing.

use super::CliError;
use super::args::{ChangeOpts, OutFormat};
use super::failure::Kind;
use super::secrets::NewSecret;
use crate::auth::hasher;
use crate::domain::references::DeletePlan;
use crate::domain::sanitize::clean;
use crate::domain::{Applied, Change, Done, Plan, Stamp};
use crate::store::targets::Target;
use crate::store::{self, Actor, Store, StoreError, audit};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

/// The accounts `emails` name.
pub(super) fn by_email(emails: &[String]) -> Vec<Target> {
    emails.iter().map(|e| Target::email(e)).collect()
}

/// Applies `change` to the accounts `named` under `stamp`; `new` is the new password of the
/// changes that set one.
///
/// A generated password is known before the commit, and nobody else will ever know it: the
/// report and the password are written (and flushed) inside the change's transaction,
/// before its commit, and a write that fails rolls the change back. Other reports follow
/// the commit; when one cannot be written, stderr says that the change WAS applied.
pub async fn apply(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    named: &[Target],
    change: Change,
    new: Option<NewSecret>,
    format: OutFormat,
) -> Result<(), CliError> {
    let hash = match &new {
        Some(n) => Some(
            hasher::hash_off_thread(n.secret.clone()).await.map_err(|e| CliError::Failed(e.to_string()))?,
        ),
        None => None,
    };
    let password = new.as_ref().and_then(NewSecret::line);
    let mut printed = false;
    let mut before_commit = |done: &Done| -> Result<(), String> {
        let Some(password) = &password else { return Ok(()) };
        let mut out = zeroize::Zeroizing::new(report_text(&change, done, stamp, actor, format));
        out.push_str(password);
        super::emit_strict(&out)?;
        printed = true;
        Ok(())
    };
    // A silent network must not hold the command for ever: past the answer timeout it is a
    // lost connection, settled by the change id like any other.
    let apply =
        store::change::apply_then(store, actor, stamp, named, &change, hash.as_deref(), &mut before_commit);
    let spin = super::progress::is_long(named.len()).then(|| {
        super::progress::spinner(format!(
            "{}: {} in one transaction",
            change.verb(),
            crate::plural::count(named.len() as i64, "account")
        ))
    });
    let result = store::within(store::ANSWER_TIMEOUT, apply).await;
    if let Some(s) = spin {
        s.finish_and_clear();
    }
    let id = stamp.change_id;
    match result {
        Ok(_) if printed => Ok(()),
        Ok(done) => super::emit_applied(&report_text(&change, &done, stamp, actor, format), id),
        Err(e) if e.is_connection() => lost(store, stamp, new.as_ref(), printed, e).await,
        Err(e) if printed => Err(CliError::Failed(format!(
            "{e}: change {id} was NOT applied, nothing was changed; the password printed above is no account's"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// After a lost connection: waits for the server (up to half a minute), then asks it
/// whether change `id` committed; `None` when it did not come back.
pub(super) async fn settle(store: &Store, id: uuid::Uuid) -> Option<bool> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::time::Instant::now() < deadline {
        if store.ping().await.is_ok() {
            return audit::settled(store, id, deadline).await.ok();
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    None
}

/// The connection dropped while the change ran: find out whether it applied. A generated
/// password was `printed` before the commit when it could be; otherwise it is printed
/// unless the change is known not to have happened: the account may have it now, and
/// nobody else knows it.
pub(super) async fn lost(
    store: &Store,
    stamp: &Stamp,
    new: Option<&NewSecret>,
    printed: bool,
    e: StoreError,
) -> Result<(), CliError> {
    let id = stamp.change_id;
    eprintln!("the connection dropped during change {id} ({e}); finding out whether it applied ...");
    let applied = settle(store, id).await;
    let print_password = || {
        if let (Some(n), false) = (new, printed) {
            n.print_if_generated();
        }
    };
    match applied {
        Some(true) => {
            print_password();
            Err(CliError::Coded(
                Kind::AnswerLost,
                format!(
                    "change {id} WAS applied (its answer was lost; `skriptoteket-admin audit --change {id}` lists it){}",
                    if printed { "; the password printed above is the account's" } else { "" }
                ),
            ))
        }
        Some(false) => Err(CliError::Coded(
            Kind::Connection,
            format!(
                "the connection dropped; change {id} was NOT applied, nothing changed: run the command again{}",
                if printed { " (the password printed above is no account's)" } else { "" }
            ),
        )),
        None => {
            print_password();
            Err(CliError::Coded(
                Kind::Unknown,
                format!(
                    "the connection dropped and the server did not come back: whether change {id} applied is unknown; \
                 check with `skriptoteket-admin audit --change {id}`{}",
                    if new.is_some_and(|n| n.generated) {
                        " (the generated password above is its password if it did)"
                    } else {
                        ""
                    }
                ),
            ))
        }
    }
}

/// A line per account, then the summary the console shows too, and the change id.
pub(super) fn report_text(
    change: &Change,
    done: &Done,
    stamp: &Stamp,
    actor: &Actor,
    format: OutFormat,
) -> String {
    let id = stamp.change_id;
    if format == OutFormat::Json {
        let accounts: Vec<serde_json::Value> = match done {
            Done::Changed(applied) => applied.iter().map(applied_json).collect(),
            Done::Created(row) => {
                vec![json!({"id": row.id, "email": row.email, "changed": true, "role": row.role})]
            }
            Done::Deleted { rows, .. } => {
                rows.iter().map(|r| json!({"id": r.id, "email": r.email, "changed": true})).collect()
            }
        };
        let out = json!({
            "change_id": id, "action": change.audit_name(), "reason": stamp.reason.as_ref().map(|r| r.as_str()),
            "accounts": accounts, "summary": change.summary(done),
        });
        return format!("{}\n", crate::export::inert_json(&out.to_string()));
    }
    let mut out = String::new();
    match done {
        Done::Changed(applied) => {
            for a in applied {
                out.push_str(&format!("{}: {}\n", clean(&a.email), change.outcome_for(a)));
            }
            // One account's line says it all; the summary counts several.
            if applied.len() != 1 {
                out.push_str(&format!("{}\n", clean(&change.summary(done))));
            }
        }
        Done::Created(row) => {
            out.push_str(&format!("created {} {} ({})\n", row.role, clean(&row.email), row.id))
        }
        Done::Deleted { rows, effects } => {
            for r in rows {
                out.push_str(&format!("deleted {}\n", clean(&r.email)));
            }
            for d in effects {
                out.push_str(&format!("  {}: {}\n", d.describe(), d.on_delete.describe()));
            }
            out.push_str(&format!("{} deleted\n", crate::plural::count(rows.len() as i64, "user")));
        }
    }
    out.push_str(&change_line(id, crate::domain::revert::can_undo(change).then_some(actor)));
    out
}

/// `change <id>` and the command that undoes it, as `undo_by` would run it (quoted for a
/// POSIX shell, so it runs as printed), or that it cannot be undone.
pub(super) fn change_line(id: uuid::Uuid, undo_by: Option<&Actor>) -> String {
    let Some(actor) = undo_by else { return format!("change {id} (cannot be undone)\n") };
    let id = id.to_string();
    let args = ["skriptoteket-admin", "revert", "--actor-email", actor.email.as_str(), id.as_str()];
    match shlex::try_join(args) {
        Ok(undo) => format!("change {id} (undo: {undo})\n"),
        Err(_) => format!("change {id} (undo: skriptoteket-admin revert {id})\n"),
    }
}

fn applied_json(a: &Applied) -> serde_json::Value {
    json!({"id": a.id, "email": a.email, "changed": a.changed, "sessions_revoked": a.sessions_revoked})
}

/// Prints a dry run's plan; `Err` (exit 1) when the change would be refused.
pub fn print_plan(plan: &Plan, format: OutFormat) -> Result<(), CliError> {
    let out = match format {
        OutFormat::Json => json_text(&plan_json(plan)),
        OutFormat::Table => plan_table(plan),
    };
    emit_plan(plan, &out)
}

/// A dry run's plan as JSON (`dry_run`, `could_run`, `action`, `refused`, `targets`).
pub(super) fn plan_json(plan: &Plan) -> serde_json::Value {
    json!({"dry_run": true, "could_run": plan.could_run(), "action": plan.action,
           "refused": plan.refused, "targets": plan.targets})
}

/// JSON pretty-printed and made inert for a terminal, with a final newline.
pub(super) fn json_text(v: &serde_json::Value) -> String {
    format!("{}\n", crate::export::inert_json(&serde_json::to_string_pretty(v).unwrap_or_default()))
}

/// A dry run's plan as lines: a line per account, then whether it could run.
pub(super) fn plan_table(plan: &Plan) -> String {
    let mut out = format!(
        "dry run: nothing was changed\n{} on {}:\n",
        plan.action,
        crate::plural::count(plan.targets.len() as i64, "account")
    );
    for t in &plan.targets {
        let what = match &t.skipped {
            Some(why) => format!("skipped: {why}"),
            None => crate::domain::audit::describe_change(&Some(t.before.clone()), &Some(t.after.clone())),
        };
        out.push_str(&format!("  {}: {}\n", clean(&t.email), clean(&what)));
    }
    match &plan.refused {
        None => out.push_str("it could run as it stands\n"),
        Some(why) => out.push_str(&format!("it would be REFUSED: {}\n", clean(why))),
    }
    out
}

/// Prints `out` (the plan as text); `Err` (exit 1) when the plan says refused.
pub(super) fn emit_plan(plan: &Plan, out: &str) -> Result<(), CliError> {
    super::emit(out)?;
    match &plan.refused {
        None => Ok(()),
        // The plan itself was printed above; the exit code says "refused".
        Some(_) => Err(CliError::Quiet),
    }
}

/// Dry run of `change` on the accounts `named`.
pub async fn dry_run(
    store: &Store,
    actor: &Actor,
    named: &[Target],
    change: &Change,
    format: OutFormat,
) -> Result<(), CliError> {
    let plan = store::change::plan(store, actor, named, change).await?;
    print_plan(&plan, format)
}

/// Plans the delete (refusing when something restricts it), asks on a terminal unless
/// `yes`, then deletes.
pub async fn delete(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    named: &[Target],
    yes: bool,
    opts: &ChangeOpts,
) -> Result<(), CliError> {
    let plan = store::delete::plan(store, actor, named).await?;
    if plan.is_blocked() {
        return Err(CliError::Failed(plan.blocked_message()));
    }
    if !yes {
        confirm(&plan)?;
    }
    apply(store, actor, stamp, named, Change::Delete, None, opts.format).await
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
    let _ = writeln!(err, "This cannot be undone.");
    if ask("Delete?")? { Ok(()) } else { Err(CliError::Failed("not deleted".into())) }
}

/// Asks `question [y/N]` on the terminal (stderr, then a line of stdin): true for y or yes.
pub(super) fn ask(question: &str) -> Result<bool, CliError> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| CliError::Failed(e.to_string()))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

/// The change a typed id names: itself, or the one change whose id starts with the prefix
/// (none, or several, are refused naming them).
pub async fn resolve(store: &Store, typed: &super::args::ChangeRef) -> Result<uuid::Uuid, CliError> {
    let prefix = match typed {
        super::args::ChangeRef::Full(id) => return Ok(*id),
        super::args::ChangeRef::Prefix(p) => p,
    };
    let found = store::audit::changes_with_prefix(store, prefix, 6).await?;
    match found.as_slice() {
        [] => Err(CliError::Failed(format!("no change id in the audit log starts with {prefix}"))),
        [one] => Ok(*one),
        several => {
            let ids: Vec<String> = several.iter().take(5).map(|id| id.to_string()).collect();
            Err(CliError::Usage(format!(
                "{prefix} is the start of several change ids ({}{}): give more of it",
                ids.join(", "),
                if several.len() > 5 { ", ..." } else { "" }
            )))
        }
    }
}

/// `revert CHANGE_ID`.
pub async fn revert(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    change_id: uuid::Uuid,
    format: OutFormat,
) -> Result<(), CliError> {
    let done = match store::revert::revert(store, actor, stamp, change_id).await {
        Ok(done) => done,
        Err(e) if e.is_connection() => return lost(store, stamp, None, false, e).await,
        Err(e) => return Err(e.into()),
    };
    let id = stamp.change_id;
    if format == OutFormat::Json {
        let accounts: Vec<serde_json::Value> = done.applied.iter().map(applied_json).collect();
        let out = json!({"change_id": id, "action": done.action, "reverts": change_id,
                         "reason": stamp.reason.as_ref().map(|r| r.as_str()), "accounts": accounts});
        return super::emit_applied(&format!("{}\n", crate::export::inert_json(&out.to_string())), id);
    }
    let mut out = String::new();
    for a in &done.applied {
        let revoked = match a.sessions_revoked {
            0 => String::new(),
            n => format!(" ({} revoked)", crate::plural::count(n as i64, "session")),
        };
        out.push_str(&format!("{}: restored{revoked}\n", clean(&a.email)));
    }
    out.push_str(&format!(
        "reverted change {change_id}: {} restored\n",
        crate::plural::count(done.applied.len() as i64, "user")
    ));
    out.push_str(&change_line(id, Some(actor)));
    super::emit_applied(&out, id)
}
