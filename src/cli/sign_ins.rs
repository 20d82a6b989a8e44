//! `sign-ins`: the web app's sign-in attempts across all accounts over a window, for an
//! admin after "the site is slow" or "Anna is locked out again", and for cron: by source
//! address and by account, password spraying and brute force named by their thresholds,
//! the accounts locked now; `--alert-above N` prints only what failed more than N times
//! and exits 1 when anything did (nothing printed, exit 0, when nothing did: a cron mail
//! only when there is something to read).

use super::CliError;
use super::args::{AuditFormat, SignInsArgs, SignInsBy};
use super::list::short;
use crate::domain::sanitize::clean;
use crate::domain::sign_ins::{self, AccountAttempts, Asked, Locked, Report, Source, Thresholds};
use crate::export::inert_json;
use crate::store::Store;
use crate::store::sign_ins::Window;
use crate::tui::view::text::{safe_truncate, width};
use serde_json::{Value, json};
use time::OffsetDateTime;

pub async fn sign_ins(store: &Store, args: &SignInsArgs) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    let since = crate::domain::when::parse(&args.since, now).map_err(|e| {
        CliError::Usage(format!(
            "--since {}: not a time; give an age (1h, 24h, 7d, 30d), a date or an RFC 3339 time",
            e.0
        ))
    })?;
    if args.limit < 1 {
        return Err(CliError::Usage("--limit must be at least 1".into()));
    }
    if args.spray_accounts < 2 || args.brute_force_addresses < 2 {
        return Err(CliError::Usage(
            "--spray-accounts and --brute-force-addresses must be at least 2: one is no pattern".into(),
        ));
    }
    if !store.schema.login_events {
        return Err(CliError::Failed(
            "this database has no login_events table (the web app's sign-in log): nothing to read".into(),
        ));
    }
    let w = Window { since, web_only: args.web_only };
    if let Some(n) = args.alert_above {
        return alert(store, w, n, args.format).await;
    }
    let asked = Asked {
        thresholds: Thresholds {
            spray_accounts: args.spray_accounts,
            brute_force_addresses: args.brute_force_addresses,
        },
        limit: args.limit,
        failed_only: args.failed,
        by_address: args.by != Some(SignInsBy::Account),
        by_account: args.by != Some(SignInsBy::Ip),
        locked: args.by.is_none(),
    };
    let report = crate::store::sign_ins::report(store, w, asked).await?;
    super::emit(&match args.format {
        AuditFormat::Table => table(&report, args),
        AuditFormat::Json => format!("{}\n", inert_json(&report_json(&report).to_string())),
        AuditFormat::Jsonl => jsonl(&report),
    })
}

/// `--alert-above N`: what failed more than N times, and exit 1 if anything did.
async fn alert(store: &Store, w: Window, n: i64, format: AuditFormat) -> Result<(), CliError> {
    let alerts = crate::store::sign_ins::above(store, w, n).await?;
    let since = rfc3339(w.since);
    let text = match format {
        AuditFormat::Table => alerts
            .iter()
            .map(|a| format!("{} since {} (more than {n})\n", clean(&a.describe()), short(Some(w.since))))
            .collect(),
        AuditFormat::Json => {
            let v = json!({"since": since, "alert_above": n, "alerts": alerts});
            format!("{}\n", inert_json(&v.to_string()))
        }
        AuditFormat::Jsonl => {
            alerts.iter().map(|a| format!("{}\n", inert_json(&json!(a).to_string()))).collect()
        }
    };
    super::emit(&text)?;
    if alerts.is_empty() { Ok(()) } else { Err(CliError::Quiet) }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A column of untrusted text, cut and padded by display width.
fn cell(s: &str, w: usize) -> String {
    let cut = safe_truncate(s, w);
    let pad = w.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

const ADDRESS_W: usize = 39;
const EMAIL_W: usize = 40;

fn table(r: &Report, args: &SignInsArgs) -> String {
    let t = r.totals;
    let mut out = format!(
        "sign-ins since {} ({}): {} succeeded, {} failed",
        short(Some(r.since)),
        clean(&args.since),
        t.succeeded,
        t.failed
    );
    if args.web_only {
        out.push_str(" (this tool's own left out)\n");
    } else {
        out.push_str(&format!(" ({} of them by this tool)\n", t.by_this_tool));
    }
    out.push_str(&format!(
        "spraying: one address failing on {}+ accounts; brute force: one account failing from {}+ addresses\n",
        r.thresholds.spray_accounts, r.thresholds.brute_force_addresses
    ));
    if args.by.is_none() {
        out.push('\n');
        if r.findings.is_empty() {
            out.push_str("no spraying, no brute force\n");
        }
        for f in &r.findings {
            out.push_str(&format!("{}\n", clean(&f.describe())));
        }
    }
    if let Some(sources) = &r.sources {
        out.push_str(&format!("\nby address (the first {})\n", args.limit));
        out.push_str(&format!(
            "{}  {:>7}  {:>7}  {:>8}  {:>7}  {:<16}\n",
            cell("ADDRESS", ADDRESS_W),
            "FAILED",
            "OK",
            "ACCOUNTS",
            "UNKNOWN",
            "LAST"
        ));
        for s in sources {
            out.push_str(&format!(
                "{}  {:>7}  {:>7}  {:>8}  {:>7}  {:<16}\n",
                cell(sign_ins::address(s.ip_address.as_deref()), ADDRESS_W),
                s.failed,
                s.succeeded,
                s.accounts,
                s.unknown_accounts,
                short(Some(s.last))
            ));
        }
        if sources.is_empty() {
            out.push_str("(none)\n");
        }
    }
    if let Some(accounts) = &r.accounts {
        out.push_str(&format!("\nby account (the first {})\n", args.limit));
        out.push_str(&format!(
            "{}  {:>7}  {:>7}  {:>9}  {:<16}  {:<16}\n",
            cell("ACCOUNT", EMAIL_W),
            "FAILED",
            "OK",
            "ADDRESSES",
            "LOCKED UNTIL",
            "LAST"
        ));
        for a in accounts {
            let who = a.email.clone().unwrap_or_else(|| a.user_id.to_string());
            out.push_str(&format!(
                "{}  {:>7}  {:>7}  {:>9}  {:<16}  {:<16}\n",
                cell(&who, EMAIL_W),
                a.failed,
                a.succeeded,
                a.addresses,
                short(a.locked_until),
                short(Some(a.last))
            ));
        }
        if accounts.is_empty() {
            out.push_str("(none)\n");
        }
    }
    if let Some(locked) = &r.locked {
        out.push_str("\nlocked now\n");
        for l in locked {
            out.push_str(&format!(
                "{}  until {}  ({} failed attempts)\n",
                cell(&l.email, EMAIL_W),
                short(Some(l.locked_until)),
                l.failed_login_attempts
            ));
        }
        if locked.is_empty() {
            out.push_str("(none)\n");
        }
    }
    out
}

fn source_json(s: &Source) -> Value {
    json!({
        "ip_address": s.ip_address, "failed": s.failed, "succeeded": s.succeeded,
        "accounts": s.accounts, "unknown_accounts": s.unknown_accounts, "last": rfc3339(s.last),
    })
}

fn account_json(a: &AccountAttempts) -> Value {
    json!({
        "user_id": a.user_id, "email": a.email, "failed": a.failed, "succeeded": a.succeeded,
        "addresses": a.addresses, "locked_until": a.locked_until.map(rfc3339), "last": rfc3339(a.last),
    })
}

fn locked_json(l: &Locked) -> Value {
    json!({
        "user_id": l.user_id, "email": l.email, "locked_until": rfc3339(l.locked_until),
        "failed_login_attempts": l.failed_login_attempts,
    })
}

fn report_json(r: &Report) -> Value {
    let mut v = json!({
        "since": rfc3339(r.since),
        "thresholds": r.thresholds,
        "totals": r.totals,
        "findings": r.findings,
    });
    if let Some(s) = &r.sources {
        v["by_ip"] = s.iter().map(source_json).collect();
    }
    if let Some(a) = &r.accounts {
        v["by_account"] = a.iter().map(account_json).collect();
    }
    if let Some(l) = &r.locked {
        v["locked"] = l.iter().map(locked_json).collect();
    }
    v
}

/// One object per line, each with its `kind`: `totals`, `finding`, `address`, `account`,
/// `locked`.
fn jsonl(r: &Report) -> String {
    let mut lines: Vec<Value> = Vec::new();
    let mut totals = json!(r.totals);
    totals["kind"] = "totals".into();
    totals["since"] = rfc3339(r.since).into();
    lines.push(totals);
    for f in &r.findings {
        let mut v = json!(f);
        v["finding"] = v["kind"].take();
        v["kind"] = "finding".into();
        lines.push(v);
    }
    let tagged = |mut v: Value, kind: &str| {
        v["kind"] = kind.into();
        v
    };
    lines.extend(r.sources.iter().flatten().map(|s| tagged(source_json(s), "address")));
    lines.extend(r.accounts.iter().flatten().map(|a| tagged(account_json(a), "account")));
    lines.extend(r.locked.iter().flatten().map(|l| tagged(locked_json(l), "locked")));
    lines.iter().map(|v| format!("{}\n", inert_json(&v.to_string()))).collect()
}
