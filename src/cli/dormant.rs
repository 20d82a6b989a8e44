//! `deactivate-dormant`: the exclude file read and checked, its entries that name no
//! account reported, the dry run with the accounts spared and why, and the run itself in
//! the words of a deactivation.

use super::CliError;
use super::args::OutFormat;
use super::change::{emit_plan, json_text, lost, plan_json, plan_table, report_text};
use crate::domain::exclude::Exclusions;
use crate::domain::sanitize::clean;
use crate::domain::{Change, Done, Stamp};
use crate::store::dormant::{self, Dormancy};
use crate::store::{Actor, Store};
use std::path::Path;

/// The emails of an `--exclude-file` ([`Exclusions::parse`]). A missing or unreadable file
/// is a usage error (exit 2), never "exclude nothing"; an entry that is not an email
/// refuses the file (exit 1), naming its lines.
pub fn exclude_list(path: Option<&Path>) -> Result<Exclusions, CliError> {
    let Some(path) = path else { return Ok(Exclusions::default()) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("--exclude-file {}: {}", path.display(), e.kind())))?;
    Exclusions::parse(&text)
        .map_err(|e| CliError::Failed(format!("--exclude-file {}: {e}; nothing was changed", path.display())))
}

/// A warning on stderr for each excluded email no account has (a typo spares nobody).
pub async fn warn_unmatched(store: &Store, rule: &Dormancy) -> Result<(), CliError> {
    for (line, email) in dormant::unmatched(store, &rule.exclude).await? {
        eprintln!("warning: --exclude-file line {line}: no account has the email {}", clean(&email));
    }
    Ok(())
}

/// The dry run: the plan, then each account the days would take but a rule spares, and why
/// (`spared` in JSON).
pub async fn dry_run(
    store: &Store,
    actor: &Actor,
    rule: &Dormancy,
    format: OutFormat,
) -> Result<(), CliError> {
    let p = dormant::plan(store, actor, rule).await?;
    let out = match format {
        OutFormat::Json => {
            let mut v = plan_json(&p.plan);
            v["spared"] = serde_json::to_value(&p.spared).unwrap_or_default();
            json_text(&v)
        }
        OutFormat::Table => {
            let mut out = plan_table(&p.plan);
            if !p.spared.is_empty() {
                let n = crate::plural::count(p.spared.len() as i64, "account");
                out.push_str(&format!("{n} past the days spared:\n"));
            }
            for s in &p.spared {
                out.push_str(&format!("  {}: {}\n", clean(&s.email), s.why.describe()));
            }
            out
        }
    };
    emit_plan(&p.plan, &out)
}

/// The run: what it did, in the words of a deactivation.
pub async fn run(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    rule: &Dormancy,
    format: OutFormat,
) -> Result<(), CliError> {
    let change = Change::SetActive(false);
    let spin = super::progress::spinner(format!(
        "deactivating accounts without a sign-in for {}",
        crate::plural::count(i64::from(rule.days), "day")
    ));
    let done = dormant::deactivate(store, actor, stamp, rule).await;
    spin.finish_and_clear();
    match done {
        Ok(applied) if applied.is_empty() && format == OutFormat::Table => super::emit(&format!(
            "no dormant accounts (no sign-in for {})\n",
            crate::plural::count(i64::from(rule.days), "day")
        )),
        Ok(applied) => super::emit_applied(
            &report_text(&change, &Done::Changed(applied), stamp, actor, format),
            stamp.change_id,
        ),
        Err(e) if e.is_connection() => lost(store, stamp, None, false, e).await,
        Err(e) => Err(e.into()),
    }
}
