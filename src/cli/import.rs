//! `import FILE.csv`: many accounts at once, all or nothing, each with a generated password
//! written once to a file of the admin's (0600, never overwritten) or printed as JSON.

use super::CliError;
use super::args::OutFormat;
use crate::auth::hasher;
use crate::domain::import::{self, ImportLine, NewAccount};
use crate::domain::permissions::ActorView;
use crate::domain::sanitize::clean;
use crate::domain::{Secret, Stamp, password};
use crate::export::inert_json;
use crate::store::{self, Actor, Store};
use futures::StreamExt;
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// What a line comes to.
enum Verdict<'a> {
    Create(&'a NewAccount),
    Exists,
    Invalid(&'a str),
}

fn verdict<'a>(l: &'a ImportLine, taken: &std::collections::HashSet<String>) -> Verdict<'a> {
    match &l.outcome {
        Err(why) => Verdict::Invalid(why),
        Ok(a) if taken.contains(a.email.as_str()) => Verdict::Exists,
        Ok(a) => Verdict::Create(a),
    }
}

/// The per-line report: `line 2: anna@x.se: create (user)` / `exists, skipped` / `invalid: why`.
fn report(lines: &[ImportLine], taken: &std::collections::HashSet<String>, format: OutFormat) -> String {
    if format == OutFormat::Json {
        let items: Vec<serde_json::Value> = lines
            .iter()
            .map(|l| match verdict(l, taken) {
                Verdict::Create(a) => {
                    json!({"line": l.line, "email": a.email.as_str(), "role": a.role, "outcome": "create"})
                }
                Verdict::Exists => json!({"line": l.line, "email": l.email, "outcome": "exists"}),
                Verdict::Invalid(why) => {
                    json!({"line": l.line, "email": l.email, "outcome": "invalid", "reason": why})
                }
            })
            .collect();
        return format!("{}\n", inert_json(&serde_json::Value::Array(items).to_string()));
    }
    let mut out = String::new();
    for l in lines {
        let what = match verdict(l, taken) {
            Verdict::Create(a) => format!("create ({})", a.role),
            Verdict::Exists => "exists, skipped".to_string(),
            Verdict::Invalid(why) => format!("invalid: {why}"),
        };
        out.push_str(&format!("line {}: {}: {}\n", l.line, clean(&l.email), clean(&what)));
    }
    out
}

/// Reads and checks the file; `Err` on a file that cannot be an import at all.
pub fn read(path: &Path, actor: &Actor) -> Result<Vec<ImportLine>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("{}: {}", path.display(), e.kind())))?;
    import::parse(&text, ActorView { id: actor.id, role: actor.role })
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

/// The emails already taken among the file's valid lines.
async fn taken(store: &Store, lines: &[ImportLine]) -> Result<std::collections::HashSet<String>, CliError> {
    let emails: Vec<String> =
        lines.iter().filter_map(|l| l.outcome.as_ref().ok()).map(|a| a.email.to_string()).collect();
    Ok(store::create::taken(store, &emails).await?)
}

/// `import --dry-run`: the report, exit 1 when a line is invalid.
pub async fn dry_run(store: &Store, lines: &[ImportLine], format: OutFormat) -> Result<(), CliError> {
    let taken = taken(store, lines).await?;
    super::emit(&report(lines, &taken, format))?;
    if lines.iter().any(|l| l.outcome.is_err()) { Err(CliError::Quiet) } else { Ok(()) }
}

/// Creates every new account of the file in one change; refuses (creating nothing) while
/// any line is invalid. Existing emails are skipped.
pub async fn run(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    lines: &[ImportLine],
    passwords_out: Option<&Path>,
    format: OutFormat,
) -> Result<(), CliError> {
    let taken = taken(store, lines).await?;
    let bad = lines.iter().filter(|l| l.outcome.is_err()).count();
    if bad > 0 {
        eprint!("{}", report(lines, &taken, OutFormat::Table));
        return Err(CliError::Failed(format!(
            "{} invalid; nothing was created (fix them, or check with --dry-run)",
            crate::plural::count(bad as i64, "line")
        )));
    }
    let todo: Vec<&NewAccount> = lines
        .iter()
        .filter_map(|l| match verdict(l, &taken) {
            Verdict::Create(a) => Some(a),
            _ => None,
        })
        .collect();
    if todo.is_empty() {
        return super::emit("nothing to create: every account exists already\n");
    }
    let passwords: Vec<Secret> = todo.iter().map(|_| password::generate()).collect();
    // The file first: once the accounts exist, their passwords must be somewhere.
    if let Some(path) = passwords_out {
        write_passwords(path, &todo, &passwords)?;
    }
    let hashes = hash_all(&passwords).await?;
    let accounts: Vec<(NewAccount, String)> = todo.iter().map(|a| (*a).clone()).zip(hashes).collect();
    let result = store::create::provision_many(store, actor, stamp, &accounts).await;
    let applied = match &result {
        Ok(_) => true,
        Err(e) if e.is_connection() => {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
            match store::audit::settled(store, stamp.change_id, deadline).await {
                Ok(applied) => applied,
                Err(_) => {
                    // Unknown: the passwords are kept; they are the accounts' if it applied.
                    return Err(CliError::Failed(format!(
                        "the connection dropped; whether import change {} applied is unknown \
                         (check with `audit --change {}`); {}",
                        stamp.change_id,
                        stamp.change_id,
                        passwords_out.map_or("its passwords are lost if it did".to_string(), |p| format!(
                            "the passwords file {} is kept",
                            p.display()
                        ))
                    )));
                }
            }
        }
        Err(_) => false,
    };
    if !applied {
        if let Some(path) = passwords_out {
            let _ = std::fs::remove_file(path);
        }
        return Err(result.err().map_or(CliError::Failed("not imported".into()), CliError::from));
    }
    let id = stamp.change_id;
    match passwords_out {
        Some(path) => {
            let mut out = report(lines, &taken, format);
            if format == OutFormat::Table {
                out.push_str(&format!(
                    "{} created; their passwords are in {} (only there)\n",
                    crate::plural::count(todo.len() as i64, "account"),
                    path.display()
                ));
                out.push_str(&super::change::change_line(id, false));
            }
            super::emit(&out)
        }
        None => {
            // The passwords on stdout, as JSON and alone there; the report goes to stderr.
            eprint!("{}", report(lines, &taken, OutFormat::Table));
            let items: Vec<serde_json::Value> = todo
                .iter()
                .zip(&passwords)
                .map(|(a, p)| json!({"email": a.email.as_str(), "role": a.role, "password": p.expose()}))
                .collect();
            let out = json!({"change_id": id, "created": items});
            super::emit(&format!("{}\n", inert_json(&out.to_string())))
        }
    }
}

/// Hashes every password on tokio's blocking pool, as many at once as there are cores
/// (argon2 with the web app's 64 MiB each keeps this bounded).
async fn hash_all(passwords: &[Secret]) -> Result<Vec<String>, CliError> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    futures::stream::iter(passwords.iter().cloned().map(hasher::hash_off_thread))
        .buffered(cores)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|r| r.map_err(|e| CliError::Failed(e.to_string())))
        .collect()
}

/// `email,password` lines into a new file only the admin can read; an existing file is
/// never overwritten.
fn write_passwords(path: &Path, accounts: &[&NewAccount], passwords: &[Secret]) -> Result<(), CliError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(|e| {
            CliError::Usage(format!(
                "--passwords-out {}: {} (it is never overwritten)",
                path.display(),
                e.kind()
            ))
        })?;
    let mut w = csv::Writer::from_writer(file);
    let fail =
        |e: &dyn std::fmt::Display| CliError::Failed(format!("--passwords-out {}: {e}", path.display()));
    w.write_record(["email", "password"]).map_err(|e| fail(&e))?;
    for (a, p) in accounts.iter().zip(passwords) {
        w.write_record([a.email.as_str(), p.expose()]).map_err(|e| fail(&e))?;
    }
    let mut file = w.into_inner().map_err(|e| fail(&e))?;
    file.flush().map_err(|e| fail(&e))?;
    file.sync_all().map_err(|e| fail(&e))
}
