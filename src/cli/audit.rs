//! `audit`: the audit log as a table, JSON or JSON Lines, once or followed as it grows.

use super::CliError;
use super::args::{AuditArgs, AuditFormat};
use super::list::short;
use crate::domain::audit::{AuditRow, ChangeSummary, describe_change};
use crate::domain::audit_filter::{AuditFilter, AuditFilterError};
use crate::domain::sanitize::clean;
use crate::export::inert_json;
use crate::operator::Operator;
use crate::store::{Store, audit};
use time::OffsetDateTime;

/// The filter `audit`'s flags ask for; bad values are usage errors naming the flag.
/// `--filter` in the filter language (the console's audit viewer speaks it too), then each
/// flag on top: the flags are the same words spelt as options.
fn audit_filter(args: &AuditArgs, now: OffsetDateTime) -> Result<AuditFilter, CliError> {
    let usage = |flag: &str, e: AuditFilterError| CliError::Usage(format!("--{flag}: {e}"));
    let mut f = AuditFilter::parse(args.filter.as_deref().unwrap_or(""), Some(now))
        .map_err(|e| usage("filter", e))?;
    let text =
        |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
    if let Some(actor) = text(&args.actor) {
        f.actor = Some(actor);
    }
    if let Some(target) = text(&args.target) {
        f.target = Some(target);
    }
    for a in &args.action {
        f.add_action(a).map_err(|e| usage("action", e))?;
    }
    let one = |key: &str, v: &Option<String>| -> Result<Option<AuditFilter>, CliError> {
        v.as_deref()
            .map(|t| AuditFilter::parse(&format!("{key}:{}", t.trim()), Some(now)).map_err(|e| usage(key, e)))
            .transpose()
    };
    if let Some(s) = one("since", &args.since)? {
        f.since = s.since;
    }
    if let Some(u) = one("until", &args.until)? {
        f.until = u.until;
    }
    if let Some(change) = &args.change {
        f.change = Some(match change {
            super::args::ChangeRef::Full(id) => id.simple().to_string(),
            super::args::ChangeRef::Prefix(hex) => hex.clone(),
        });
    }
    f.sign_ins |= args.sign_ins;
    Ok(f)
}

pub async fn audit(store: &Store, args: &AuditArgs) -> Result<(), CliError> {
    if args.limit < 1 {
        return Err(CliError::Usage("--limit must be at least 1".into()));
    }
    if args.follow && args.format == AuditFormat::Json {
        return Err(CliError::Usage("--follow prints entry by entry: use --format jsonl or table".into()));
    }
    let filter = audit_filter(args, OffsetDateTime::now_utc())?;
    if args.by_change {
        let changes = audit::changes(store, &filter, args.limit).await?;
        if changes.is_empty() {
            eprintln!("no changes");
        }
        return super::emit(&changes_text(&changes, args.format));
    }
    // Entries written before this moment are the backlog's (or beyond --limit): following
    // prints only those written after it.
    let start = audit::now(store).await?;
    let mut rows = audit::query(store, &filter, args.limit).await?;
    if !args.follow {
        if rows.is_empty() {
            // Said on stderr: stdout stays what the format promises (an empty array).
            eprintln!("no entries");
        }
        return super::emit(&audit_text(&rows, args.format));
    }
    // Following: the backlog oldest first, then every entry as it commits.
    rows.reverse();
    super::emit(&audit_text(&rows, args.format))?;
    follow(store, &filter, args.format, rows, start).await
}

/// Polls for new entries once a second until killed. An entry is written moments before
/// its change commits, so each poll looks back a minute and skips what it printed, and
/// what was written before `start` (the backlog's, or beyond `--limit`).
async fn follow(
    store: &Store,
    filter: &AuditFilter,
    format: AuditFormat,
    printed: Vec<AuditRow>,
    start: OffsetDateTime,
) -> Result<(), CliError> {
    const LOOK_BACK: time::Duration = time::Duration::minutes(1);
    let mut seen: std::collections::BTreeMap<i64, OffsetDateTime> =
        printed.iter().map(|r| (r.id, r.at)).collect();
    let mut failures = 0u32;
    loop {
        // A lost connection or a server restart is waited out (with a note), not the end.
        let poll = async {
            let started = audit::now(store).await?;
            let rows = audit::written_from(store, filter, started - LOOK_BACK).await?;
            Ok::<_, crate::store::StoreError>((started, rows))
        };
        let (started, rows) = match poll.await {
            Ok(found) => {
                failures = 0;
                found
            }
            Err(e) if e.is_connection() => {
                failures += 1;
                if failures == 1 {
                    eprintln!("audit --follow: {e}; retrying");
                }
                tokio::time::sleep(std::time::Duration::from_secs(u64::from(failures.min(10)))).await;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let fresh: Vec<AuditRow> =
            rows.into_iter().filter(|r| r.at >= start && !seen.contains_key(&r.id)).collect();
        if !fresh.is_empty() {
            super::emit(&audit_text(&fresh, format))?;
        }
        seen.extend(fresh.iter().map(|r| (r.id, r.at)));
        seen.retain(|_, at| *at >= started - LOOK_BACK - LOOK_BACK);
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// `audit --by-change`: a line per change (and its provenance under it), or the changes as
/// JSON: each its first entry, how many entries the filter kept and how many it has.
fn changes_text(changes: &[ChangeSummary], format: AuditFormat) -> String {
    let mut out = String::new();
    match format {
        AuditFormat::Json | AuditFormat::Jsonl => out = json_text(changes, format),
        AuditFormat::Table => {
            for c in changes {
                let r = &c.first;
                out.push_str(&format!(
                    "{}  {:<16}  {:<30}  {}\n",
                    short(Some(r.at)),
                    clean(&r.action),
                    clean(&c.what()),
                    clean(&r.actor_email),
                ));
                let mut extra =
                    vec![r.change_id.map_or("(no change id)".to_string(), |id| format!("change {id}"))];
                if let Some(reason) = &r.reason {
                    extra.push(format!("reason: {}", clean(reason)));
                }
                out.push_str(&format!("    {}\n", extra.join(" · ")));
            }
        }
    }
    out
}

/// `items` as one JSON array (`Json`) or an object per line (`Jsonl`, and `Table` too:
/// callers draw tables themselves), made inert for a terminal.
fn json_text<T: serde::Serialize>(items: &[T], format: AuditFormat) -> String {
    if format == AuditFormat::Json {
        let mut out = inert_json(&serde_json::to_string_pretty(items).unwrap_or_else(|_| "[]".into()));
        out.push('\n');
        return out;
    }
    let mut out = String::new();
    for item in items {
        out.push_str(&inert_json(&serde_json::to_string(item).unwrap_or_default()));
        out.push('\n');
    }
    out
}

pub(super) fn audit_text(rows: &[AuditRow], format: AuditFormat) -> String {
    let mut out = String::new();
    match format {
        AuditFormat::Json | AuditFormat::Jsonl => out = json_text(rows, format),
        AuditFormat::Table => {
            for r in rows {
                out.push_str(&format!(
                    "{}  {:<16}  {:<30}  {:<30}  {}\n",
                    short(Some(r.at)),
                    clean(&r.action),
                    clean(&r.actor_email),
                    clean(r.target_email.as_deref().unwrap_or("-")),
                    clean(&describe_change(&r.before, &r.after)),
                ));
                // The second line: which change, from whom at the keyboard, and why.
                let mut extra = Vec::new();
                if let Some(id) = r.change_id {
                    extra.push(format!("change {id}"));
                }
                if let Some(id) = r.reverts {
                    extra.push(format!("reverts {id}"));
                }
                if let Some(op) = &r.operator {
                    extra.push(format!("by {}", Operator::describe(op)));
                }
                if let Some(reason) = &r.reason {
                    extra.push(format!("reason: {}", clean(reason)));
                }
                if !extra.is_empty() {
                    out.push_str(&format!("                  {}\n", extra.join("  ")));
                }
            }
        }
    }
    out
}
