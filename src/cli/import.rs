//! `import FILE.csv`: many accounts at once, all or nothing, each with a generated password
//! written once to a file of the admin's (0600, never overwritten) or printed as JSON.

use super::CliError;
use super::args::OutFormat;
use super::import_out::Sink;
use crate::auth::bulk::BulkHasher;
use crate::domain::import::{self, ImportLine, NewAccount};
use crate::domain::permissions::ActorView;
use crate::domain::sanitize::clean;
use crate::domain::{Stamp, password};
use crate::export::inert_json;
use crate::store::{self, Actor, Store};
use futures::StreamExt;
use serde_json::json;
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
        return format!("{}\n", inert_json(&report_json(lines, taken).to_string()));
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

/// The per-line report as a JSON array.
fn report_json(lines: &[ImportLine], taken: &std::collections::HashSet<String>) -> serde_json::Value {
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

/// Opens the regular file at `path` itself for reading, with its metadata: never through
/// a symbolic link, never waiting on a FIFO (`O_NONBLOCK`: it returns at once and fstat
/// says it is no file). `Err` is why not, without the path.
pub(super) fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => "is a symbolic link: name the file it points to".to_string(),
            _ => format!("cannot be read: {}", e.kind()),
        })?;
    let meta = file.metadata().map_err(|e| format!("cannot be read: {}", e.kind()))?;
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    Ok((file, meta))
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
    let out = match format {
        OutFormat::Table => format!("dry run: nothing was changed\n{}", report(lines, &taken, format)),
        OutFormat::Json => super::change::json_text(&json!({
            "dry_run": true, "could_run": lines.iter().all(|l| l.outcome.is_ok()),
            "lines": report_json(lines, &taken),
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
    let mut sink = match passwords_out {
        Some(path) => Sink::file(path)?,
        None => {
            // The passwords on stdout, as JSON and alone there; the report goes to stderr.
            eprint!("{}", report(lines, &taken, OutFormat::Table));
            Sink::stdout(stamp.change_id)?
        }
    };
    let hashed = tokio::select! {
        hashed = hash_and_hand_out(&todo, &mut sink) => hashed.and_then(|h| sink.finish().map(|()| h)),
        _ = tokio::signal::ctrl_c() => Err(CliError::Failed("interrupted; nothing was created".into())),
    };
    let hashes = match hashed {
        Ok(h) => h,
        Err(e) => {
            sink.discard();
            return Err(void(e, &sink));
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
                    sink.path().map_or("the passwords printed above are theirs if it did".to_string(), |p| {
                        format!("the passwords file {} is kept: they are theirs if it did", p.display())
                    })
                )));
            }
        },
        Err(_) => false,
    };
    if !applied {
        sink.discard();
        let why = match &result {
            Err(e) if e.is_connection() => {
                format!("the connection dropped; import change {id} was NOT applied: run the command again")
            }
            Err(e) => e.to_string(),
            Ok(_) => "not imported".to_string(),
        };
        return Err(void(CliError::Failed(format!("{why}; nothing was created")), &sink));
    }
    let created = crate::plural::count(todo.len() as i64, "account");
    match sink.path() {
        Some(path) => {
            let mut out = report(lines, &taken, format);
            if format == OutFormat::Table {
                out.push_str(&format!(
                    "{created} created; their passwords are in {} (only there)\n",
                    path.display()
                ));
                out.push_str(&super::change::change_line(id, None));
            }
            super::emit_applied(&out, id)
        }
        None => {
            eprintln!(
                "{created} created (change {id}); their passwords are the JSON on stdout, and only there"
            );
            Ok(())
        }
    }
}

/// A failure after passwords went to stdout: they belong to no account.
fn void(e: CliError, sink: &Sink) -> CliError {
    match (e, sink.path()) {
        (CliError::Failed(m), None) => {
            CliError::Failed(format!("{m}: the passwords printed on stdout belong to no account"))
        }
        (e, _) => e,
    }
}

/// Generates and hashes a password per account on every core, handing each to `sink` as
/// soon as it is hashed (in the file's order) and dropping it there; a few more than the
/// cores are in the works at once. Returns the hashes in order.
async fn hash_and_hand_out(todo: &[&NewAccount], sink: &mut Sink) -> Result<Vec<String>, CliError> {
    let bulk = BulkHasher::per_core().map_err(|e| CliError::Failed(e.to_string()))?;
    let bar = super::progress::bar(todo.len() as u64, "hashing passwords");
    let mut hashes = Vec::with_capacity(todo.len());
    let mut pending = futures::stream::iter(todo.iter().copied())
        .map(|a| {
            let password = password::generate();
            let hashed = bulk.hash(password.clone());
            async move { (a, password, hashed.await) }
        })
        .buffered(2 * bulk.workers());
    while let Some((account, password, hashed)) = pending.next().await {
        let hash = hashed.map_err(|e| CliError::Failed(format!("{e}; nothing was created")))?;
        sink.write(account, &password)?;
        drop(password);
        hashes.push(hash);
        bar.inc(1);
    }
    bar.finish();
    Ok(hashes)
}
