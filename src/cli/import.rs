//! `import FILE.csv`: many accounts at once, all or nothing, each with a generated password
//! written once to a file of the admin's (0600, never overwritten) or printed as JSON.

use super::CliError;
use super::args::OutFormat;
use crate::domain::Stamp;
use crate::domain::import::{self, ImportLine, NewAccount};
use crate::domain::permissions::ActorView;
use crate::domain::sanitize::clean;
use crate::export::inert_json;
use crate::provision::{HandOutError, Passwords, PasswordsError, Plan, Verdict};
use crate::store::{self, Actor, Store};
use serde_json::json;
use std::path::Path;

/// The per-line report: `line 2: anna@x.se: create (user)` / `exists, skipped` / `invalid: why`.
fn report(plan: &Plan, format: OutFormat) -> String {
    if format == OutFormat::Json {
        return format!("{}\n", inert_json(&report_json(plan).to_string()));
    }
    let mut out = String::new();
    for l in &plan.lines {
        let what = match plan.verdict(l) {
            Verdict::Create(a) => format!("create ({})", a.role),
            Verdict::Exists => "exists, skipped".to_string(),
            Verdict::Invalid(why) => format!("invalid: {why}"),
        };
        out.push_str(&format!("line {}: {}: {}\n", l.line, clean(&l.email), clean(&what)));
    }
    out
}

/// The per-line report as a JSON array.
fn report_json(plan: &Plan) -> serde_json::Value {
    let items: Vec<serde_json::Value> = plan
        .lines
        .iter()
        .map(|l| match plan.verdict(l) {
            Verdict::Create(a) => {
                json!({"line": l.line, "email": a.email.as_str(), "role": a.role, "outcome": "create"})
            }
            Verdict::Exists => json!({"line": l.line, "email": l.email, "outcome": "exists"}),
            Verdict::Invalid(why) => {
                json!({"line": l.line, "email": l.email, "outcome": "invalid", "reason": why})
            }
        })
        .collect();
    serde_json::Value::Array(items)
}

/// Reads and checks the file; `Err` on a file that cannot be an import at all (see
/// [`open`]); refused past `max_rows` accounts.
pub fn read(path: &Path, actor: &Actor, max_rows: usize) -> Result<Vec<ImportLine>, CliError> {
    let file = open(path, "created")?;
    let parsed = import::read(file, ActorView { id: actor.id, role: actor.role }, max_rows)
        .map_err(|e| refusal(path, "created", e.to_string()))?;
    said_separator(path, parsed.separator);
    Ok(parsed.lines)
}

/// Says on stderr when the file was read with another separator than the comma.
pub(super) fn said_separator(path: &Path, separator: u8) {
    if separator != b',' {
        eprintln!(
            "{}: read with '{}' between the columns, as its header line has them",
            path.display(),
            char::from(separator)
        );
    }
}

/// The refusal of the file at `path`: nothing was `done`.
pub(super) fn refusal(path: &Path, done: &str, why: String) -> CliError {
    CliError::Usage(format!("{}: {why}; nothing was {done}", path.display()))
}

/// Opens an import file: the file itself, not a symbolic link to one (an import names what
/// it reads), and a regular file (a FIFO or a device would never end).
pub(super) fn open(path: &Path, done: &str) -> Result<std::io::BufReader<std::fs::File>, CliError> {
    let (file, _) = open_regular(path).map_err(|why| refusal(path, done, why))?;
    Ok(std::io::BufReader::new(file))
}

/// Opens the regular file at `path` itself ([`crate::provision::open_regular`]).
pub(super) fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), String> {
    crate::provision::open_regular(path)
}

/// What the file's lines come to against the accounts that exist now.
async fn plan(store: &Store, lines: &[ImportLine]) -> Result<Plan, CliError> {
    Ok(Plan::against(store, lines.to_vec()).await?)
}

/// `import --dry-run`: the report, exit 1 when a line is invalid.
pub async fn dry_run(store: &Store, lines: &[ImportLine], format: OutFormat) -> Result<(), CliError> {
    let plan = plan(store, lines).await?;
    let out = match format {
        OutFormat::Table => format!("dry run: nothing was changed\n{}", report(&plan, format)),
        OutFormat::Json => super::change::json_text(&json!({
            "dry_run": true, "could_run": plan.invalid().next().is_none(),
            "lines": report_json(&plan),
        })),
    };
    super::emit(&out)?;
    if lines.iter().any(|l| l.outcome.is_err()) { Err(CliError::Quiet) } else { Ok(()) }
}

/// Creates every new account of the file in one change; refuses (creating nothing) while
/// any line is invalid. Existing emails are skipped.
///
/// The passwords are generated and hashed on every core, a few at a time, each written to
/// its output as soon as it is hashed and then dropped; the output is complete (flushed,
/// the file synced) before the one short transaction that creates every account. Nothing
/// is created when the output cannot be written, and an output that was written for
/// accounts that then were not created says so.
pub async fn run(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    lines: &[ImportLine],
    passwords_out: Option<&Path>,
    format: OutFormat,
) -> Result<(), CliError> {
    let plan = plan(store, lines).await?;
    let bad = plan.invalid().count();
    if bad > 0 {
        eprint!("{}", report(&plan, OutFormat::Table));
        return Err(CliError::Failed(format!(
            "{} invalid; nothing was created (fix them, or check with --dry-run)",
            crate::plural::count(bad as i64, "line")
        )));
    }
    let todo: Vec<&NewAccount> = plan.todo();
    if todo.is_empty() {
        return super::emit("nothing to create: every account exists already\n");
    }
    let mut out = match passwords_out {
        Some(path) => Passwords::file(path).map_err(output_refused)?,
        None => {
            // The passwords on stdout, as JSON and alone there; the report goes to stderr.
            eprint!("{}", report(&plan, OutFormat::Table));
            Passwords::stdout(stamp.change_id).map_err(output_refused)?
        }
    };
    let bar = super::progress::bar(todo.len() as u64, "hashing passwords");
    let mut hashed = |n: usize| bar.set_position(n as u64);
    let handed_out = tokio::select! {
        h = crate::provision::hash_and_hand_out(&todo, &mut out, &mut hashed, &|| false) => h.map_err(|e| match e {
            HandOutError::Output(e) => output_refused(e),
            e => CliError::Failed(format!("{e}; nothing was created")),
        }),
        _ = tokio::signal::ctrl_c() => Err(CliError::Failed("interrupted; nothing was created".into())),
    };
    bar.finish();
    let hashes = match handed_out {
        Ok(h) => h,
        Err(e) => {
            out.discard();
            return Err(void(e, &out));
        }
    };
    let accounts: Vec<(NewAccount, String)> = todo.iter().map(|a| (*a).clone()).zip(hashes).collect();
    let bar = super::progress::bar(accounts.len() as u64, "creating");
    let result =
        store::create::provision_many(store, actor, stamp, &accounts, &|n| bar.set_position(n as u64)).await;
    bar.finish_and_clear();
    let id = stamp.change_id;
    let applied = match &result {
        Ok(_) => true,
        Err(e) if e.is_connection() => match super::change::settle(store, id).await {
            Some(applied) => applied,
            None => {
                // Unknown: the passwords are kept; they are the accounts' if it applied.
                return Err(CliError::Failed(format!(
                    "the connection dropped; whether import change {id} applied is unknown \
                     (check with `audit --change {id}`); {}",
                    out.path().map_or("the passwords printed above are theirs if it did".to_string(), |p| {
                        format!("the passwords file {} is kept: they are theirs if it did", p.display())
                    })
                )));
            }
        },
        Err(_) => false,
    };
    if !applied {
        out.discard();
        let why = match &result {
            Err(e) if e.is_connection() => {
                format!("the connection dropped; import change {id} was NOT applied: run the command again")
            }
            Err(e) => e.to_string(),
            Ok(_) => "not imported".to_string(),
        };
        return Err(void(CliError::Failed(format!("{why}; nothing was created")), &out));
    }
    let created = crate::plural::count(todo.len() as i64, "account");
    match out.path() {
        Some(path) => {
            let mut text = report(&plan, format);
            if format == OutFormat::Table {
                text.push_str(&format!(
                    "{created} created; their passwords are in {} (only there)\n",
                    path.display()
                ));
                text.push_str(&super::change::change_line(id, None));
            }
            super::emit_applied(&text, id)
        }
        None => {
            eprintln!(
                "{created} created (change {id}); their passwords are the JSON on stdout, and only there"
            );
            Ok(())
        }
    }
}

/// The passwords' output could not be made or written: nothing was created.
fn output_refused(e: PasswordsError) -> CliError {
    match e {
        PasswordsError::Create { path, kind } => CliError::Usage(format!(
            "--passwords-out {}: {kind} (it is never overwritten); nothing was created",
            path.display()
        )),
        PasswordsError::Write { to: None, error } => CliError::Failed(format!(
            "cannot write the passwords to stdout: {error}; nothing was created \
             (run it again with --passwords-out FILE, or with stdout where it can be written)"
        )),
        e => CliError::Failed(format!("{e}; nothing was created")),
    }
}

/// A failure after passwords went to stdout: they belong to no account.
fn void(e: CliError, out: &Passwords) -> CliError {
    match (e, out.path()) {
        (CliError::Failed(m), None) => {
            CliError::Failed(format!("{m}: the passwords printed on stdout belong to no account"))
        }
        (e, _) => e,
    }
}
