//! `list` and `audit`: read-only output as a table, JSON or CSV.

use super::CliError;
use super::args::{AuditArgs, AuditFormat, Format};
use crate::domain::Role;
use crate::domain::account::Account;
use crate::domain::filter::UserFilter;
use crate::domain::revert::ALL_ACTIONS;
use crate::domain::roster::Roster;
use crate::domain::sanitize::clean;
use crate::domain::when;
use crate::export::{self, inert_json};
use crate::operator::Operator;
use crate::store::audit::{AuditFilter, AuditRow};
use crate::store::users::{self, ListFilter};
use crate::store::{Store, UserRow, audit, stream};
use crate::tui::view::text::{safe_truncate, width};
use time::OffsetDateTime;

pub async fn users(
    store: &Store,
    role: Option<&str>,
    search: Option<String>,
    filter: Option<&str>,
    format: Format,
) -> Result<(), CliError> {
    let filter = crate::domain::filter::UserFilter::parse(filter.unwrap_or(""), OffsetDateTime::now_utc())
        .map_err(|e| CliError::Usage(format!("--filter {e}")))?;
    let role = role
        .map(|r| r.parse().map_err(|e: crate::domain::role::UnknownRole| CliError::Usage(e.to_string())))
        .transpose()?;
    if format != Format::Table {
        return stream_out(store, role, search.as_deref(), &filter, format).await;
    }
    let mut rows = users::list(store, &ListFilter { role, search }).await?;
    if !filter.is_empty() {
        rows.retain(|r| filter.keeps(r, r.email.to_lowercase().as_bytes()));
    }
    super::emit(&table_rows(&rows))
}

/// `list` as CSV, JSON or JSON Lines: the table read packed (`store::stream`), only the
/// rows the filters keep, sorted by email (byte order, as everywhere), each written as it
/// is turned back into a row; a million accounts take ~100 MiB, not the gigabytes of the
/// whole text at once.
async fn stream_out(
    store: &Store,
    role: Option<Role>,
    search: Option<&str>,
    filter: &UserFilter,
    format: Format,
) -> Result<(), CliError> {
    let search = search.map(str::to_lowercase).filter(|s| !s.is_empty());
    let search = search.as_deref().map(memchr::memmem::Finder::new);
    let mut kept = Roster::default();
    let mut full = None;
    stream::table(store, |chunk| {
        for (_, r) in chunk.rows.iter() {
            let keep = role.is_none_or(|x| x == r.role())
                && search.as_ref().is_none_or(|f| f.find(r.email_lower()).is_some())
                && filter.keeps(&r, r.email_lower());
            if keep && let Err(e) = kept.push(r.to_new()) {
                full = Some(e);
                return false;
            }
        }
        true
    })
    .await?;
    if let Some(e) = full {
        return Err(CliError::Failed(e.to_string()));
    }
    let mut order: Vec<u32> = (0..kept.len() as u32).collect();
    let email = |p: &u32| kept.get(*p).map(|r| r.email_bytes()).unwrap_or_default();
    if !order.is_sorted_by_key(email) {
        order.sort_unstable_by_key(email);
    }
    let rows = order.iter().filter_map(|&p| kept.get(p)).map(|r| r.to_user_row());
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = match format {
        Format::Csv => export::write_csv(&mut out, rows).map(|_| ()).map_err(export::csv_io),
        Format::Jsonl => export::write_json(&mut out, rows, true),
        _ => export::write_json(&mut out, rows, false),
    };
    match written.and_then(|()| std::io::Write::flush(&mut out)) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

fn short(t: Option<OffsetDateTime>) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.and_then(|t| t.format(&f).ok()).unwrap_or_else(|| "-".into())
}

/// The email column of the table: as wide as the widest email up to this, longer ones cut
/// with "…" (JSON and CSV carry them whole).
const TABLE_EMAIL_MAX: usize = 40;

fn table_rows(rows: &[UserRow]) -> String {
    let w = rows.iter().map(|u| width(&clean(&u.email))).max().unwrap_or(5).clamp(5, TABLE_EMAIL_MAX);
    // Padded by display width, so wide (CJK) characters keep the columns aligned.
    let email = |e: &str| {
        let cut = safe_truncate(e, w);
        let pad = w.saturating_sub(width(&cut));
        format!("{cut}{}", " ".repeat(pad))
    };
    let mut out = format!(
        "{}  {:<11}  {:<10}  {:>8}  {:<16}  {:<16}\n",
        email("EMAIL"),
        "ROLE",
        "STATUS",
        "SESSIONS",
        "LAST LOGIN",
        "CREATED"
    );
    for u in rows {
        out.push_str(&format!(
            "{}  {:<11}  {:<10}  {:>8}  {:<16}  {:<16}\n",
            email(&u.email),
            u.role.as_str(),
            u.status().as_str(),
            u.active_sessions,
            short(u.last_login_at),
            short(Some(u.created_at)),
        ));
    }
    out.push_str(&format!("{} user{}\n", rows.len(), if rows.len() == 1 { "" } else { "s" }));
    out
}

/// The filter `audit`'s flags ask for; bad values are usage errors naming the flag.
fn audit_filter(args: &AuditArgs, now: OffsetDateTime) -> Result<AuditFilter, CliError> {
    let time = |flag: &str, v: &Option<String>| {
        v.as_deref()
            .map(|t| when::parse(t, now).map_err(|e| CliError::Usage(format!("--{flag}: {e}"))))
            .transpose()
    };
    let mut actions = Vec::new();
    for a in &args.action {
        let a = a.trim().to_ascii_lowercase();
        if !ALL_ACTIONS.contains(&a.as_str()) {
            return Err(CliError::Usage(format!(
                "--action: no action {a:?}; the actions are {}",
                ALL_ACTIONS.join(", ")
            )));
        }
        actions.push(a);
    }
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    Ok(AuditFilter {
        actor: text(&args.actor),
        target: text(&args.target),
        target_id: None,
        actions,
        since: time("since", &args.since)?,
        until: time("until", &args.until)?,
        change: args.change,
        sign_ins: args.sign_ins,
    })
}

pub async fn audit(store: &Store, args: &AuditArgs) -> Result<(), CliError> {
    if args.limit < 1 {
        return Err(CliError::Usage("--limit must be at least 1".into()));
    }
    if args.follow && args.format == AuditFormat::Json {
        return Err(CliError::Usage("--follow prints entry by entry: use --format jsonl or table".into()));
    }
    let filter = audit_filter(args, OffsetDateTime::now_utc())?;
    // Entries written before this moment are the backlog's (or beyond --limit): following
    // prints only those written after it.
    let start = audit::now(store).await?;
    let mut rows = audit::query(store, &filter, args.limit).await?;
    if !args.follow {
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

fn audit_text(rows: &[AuditRow], format: AuditFormat) -> String {
    let mut out = String::new();
    match format {
        AuditFormat::Json => {
            out = inert_json(&serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into()));
            out.push('\n');
        }
        AuditFormat::Jsonl => {
            for r in rows {
                out.push_str(&inert_json(&serde_json::to_string(r).unwrap_or_default()));
                out.push('\n');
            }
        }
        AuditFormat::Table => {
            for r in rows {
                out.push_str(&format!(
                    "{}  {:<16}  {:<30}  {:<30}  {}\n",
                    short(Some(r.at)),
                    clean(&r.action),
                    clean(&r.actor_email),
                    clean(r.target_email.as_deref().unwrap_or("-")),
                    clean(&audit::describe_change(&r.before, &r.after)),
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
