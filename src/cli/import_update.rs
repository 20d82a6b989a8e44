//! `import --update FILE.csv`: names and locales of many existing accounts at once, by id
//! or by email (`domain::import_update` reads the file). One change: every account in one
//! transaction with an audit row each, so one `revert` undoes it; refused as a whole,
//! changing nothing, while any line is invalid.

use super::CliError;
use super::args::OutFormat;
use crate::domain::email::normalize;
use crate::domain::import_update::{self, Key, UpdateLine};
use crate::domain::sanitize::clean;
use crate::domain::{Applied, Stamp};
use crate::store::edit::Checked;
use crate::store::targets::{Seen, Target};
use crate::store::{self, Actor, Store, StoreError};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;

/// Reads and checks the file; `Err` on a file that cannot be an update at all.
pub fn read(path: &Path, max_rows: usize) -> Result<Vec<UpdateLine>, CliError> {
    let file = super::import::open(path, "changed")?;
    let parsed = import_update::read(file, max_rows)
        .map_err(|e| super::import::refusal(path, "changed", e.to_string()))?;
    super::import::said_separator(path, parsed.separator);
    for l in &parsed.lines {
        if let Ok(u) = &l.outcome
            && !u.kept.is_empty()
        {
            eprintln!(
                "line {}: {} left as it is: the cell holds U+FFFD, which an export writes for an invisible \
                 character",
                l.line,
                u.kept.join(", ")
            );
        }
    }
    if !parsed.read_past.is_empty() {
        eprintln!(
            "{}: read past {} (import --update changes none of them)",
            path.display(),
            parsed.read_past.join(", ")
        );
    }
    Ok(parsed.lines)
}

/// What a line comes to, against the database as it is now.
enum Verdict {
    Update(Checked),
    Unchanged(Checked),
    Invalid(String),
}

/// One line of the file, judged.
struct Judged {
    line: u64,
    key: String,
    verdict: Verdict,
}

/// Checks every valid line against the database (in one read-only transaction): the
/// account exists, the actor may edit it, the email beside an id is its email, no two
/// lines name the same account.
async fn check(store: &Store, actor: &Actor, lines: &[UpdateLine]) -> Result<Vec<Judged>, CliError> {
    let items: Vec<(Target, crate::domain::edit::Edit)> = lines
        .iter()
        .filter_map(|l| l.outcome.as_ref().ok())
        .map(|u| {
            let target = match &u.key {
                Key::Id(id) => Target::Id { id: *id, email: id.to_string() },
                Key::Email(e) => Target::email(e),
            };
            (target, u.edit.clone())
        })
        .collect();
    let mut found = store::edit::check_many(store, actor, &items).await?.into_iter();
    let mut first_line: HashMap<uuid::Uuid, u64> = HashMap::new();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let verdict = match &l.outcome {
            Err(why) => Verdict::Invalid(why.clone()),
            Ok(u) => match found.next() {
                None => Verdict::Invalid("not checked".into()),
                Some(Err(StoreError::Stale { .. })) if matches!(u.key, Key::Id(_)) => {
                    Verdict::Invalid("no account has this id".into())
                }
                Some(Err(e)) => Verdict::Invalid(e.to_string()),
                Some(Ok(c)) => match (first_line.get(&c.row.id), &u.email_now) {
                    (Some(earlier), _) => Verdict::Invalid(format!("the same account is on line {earlier}")),
                    (None, Some(now)) if normalize(now) != normalize(&c.row.email) => {
                        Verdict::Invalid(format!("the account with this id is {} now", c.row.email))
                    }
                    (None, _) if u.role_now.is_some_and(|r| r != c.row.role) => Verdict::Invalid(format!(
                        "the file says role {}, the account is {} now: import --update changes no role \
                         (set-role does)",
                        u.role_now.map(|r| r.as_str()).unwrap_or_default(),
                        c.row.role
                    )),
                    (None, _) if u.active_now.is_some_and(|a| a != c.row.is_active) => {
                        let is = |a: bool| if a { "active" } else { "deactivated" };
                        Verdict::Invalid(format!(
                            "the file says {}, the account is {} now: import --update changes neither \
                             (activate and deactivate do)",
                            is(!c.row.is_active),
                            is(c.row.is_active)
                        ))
                    }
                    (None, _) => {
                        first_line.insert(c.row.id, l.line);
                        if c.fields.is_empty() { Verdict::Unchanged(c) } else { Verdict::Update(c) }
                    }
                },
            },
        };
        out.push(Judged { line: l.line, key: l.key.clone(), verdict });
    }
    Ok(out)
}

fn line_json(c: &Judged) -> serde_json::Value {
    match &c.verdict {
        Verdict::Update(k) => {
            json!({"line": c.line, "id": k.row.id, "email": k.row.email, "outcome": "update",
                                     "before": k.now.pick(&k.fields).0, "after": k.fields.0})
        }
        Verdict::Unchanged(k) => {
            json!({"line": c.line, "id": k.row.id, "email": k.row.email, "outcome": "unchanged"})
        }
        Verdict::Invalid(why) => json!({"line": c.line, "key": c.key, "outcome": "invalid", "reason": why}),
    }
}

/// `line 2: anna@x.se: update first_name=Ana → first_name=Anna` / `unchanged` / `invalid: why`.
fn line_text(c: &Judged) -> String {
    let (who, what) = match &c.verdict {
        Verdict::Update(k) => (
            k.row.email.as_str(),
            format!(
                "update {}",
                crate::domain::audit::describe_change(
                    &Some(k.now.pick(&k.fields).0.into()),
                    &Some(k.fields.0.clone().into())
                )
            ),
        ),
        Verdict::Unchanged(k) => (k.row.email.as_str(), "unchanged (already so)".to_string()),
        Verdict::Invalid(why) => (c.key.as_str(), format!("invalid: {why}")),
    };
    format!("line {}: {}: {}\n", c.line, clean(who), clean(&what))
}

fn counts(checked: &[Judged]) -> (usize, usize, usize) {
    let n = |f: fn(&Verdict) -> bool| checked.iter().filter(|c| f(&c.verdict)).count();
    (
        n(|v| matches!(v, Verdict::Update(_))),
        n(|v| matches!(v, Verdict::Unchanged(_))),
        n(|v| matches!(v, Verdict::Invalid(_))),
    )
}

fn report(checked: &[Judged]) -> String {
    checked.iter().map(line_text).collect()
}

/// `import --update --dry-run`: the report, exit 1 when a line is invalid.
pub async fn dry_run(
    store: &Store,
    actor: &Actor,
    lines: &[UpdateLine],
    format: OutFormat,
) -> Result<(), CliError> {
    let checked = check(store, actor, lines).await?;
    let (update, unchanged, invalid) = counts(&checked);
    let out = match format {
        OutFormat::Json => super::change::json_text(&json!({
            "dry_run": true, "could_run": invalid == 0, "action": store::edit::ACTION,
            "lines": checked.iter().map(line_json).collect::<Vec<_>>(),
        })),
        OutFormat::Table => format!(
            "dry run: nothing was changed\n{}{} to update, {unchanged} unchanged, {invalid} invalid\n",
            report(&checked),
            crate::plural::count(update as i64, "account"),
        ),
    };
    super::emit(&out)?;
    if invalid > 0 { Err(CliError::Quiet) } else { Ok(()) }
}

/// Applies every line's edit in one change; refuses (changing nothing) while any line is
/// invalid. Accounts that already hold the values are left alone.
pub async fn run(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    lines: &[UpdateLine],
    format: OutFormat,
) -> Result<(), CliError> {
    let checked = check(store, actor, lines).await?;
    let (_, unchanged, invalid) = counts(&checked);
    if invalid > 0 {
        eprint!("{}", report(&checked));
        return Err(CliError::Failed(format!(
            "{} invalid; nothing was changed (fix them, or check with --dry-run)",
            crate::plural::count(invalid as i64, "line")
        )));
    }
    // Each account as it was checked: one that moved since (its email, role or status) is
    // refused as stale rather than edited unseen.
    let items: Vec<(Target, crate::domain::edit::Edit)> = checked
        .iter()
        .zip(lines)
        .filter_map(|(c, l)| match (&c.verdict, &l.outcome) {
            (Verdict::Update(k), Ok(u)) => Some((Target::Seen(Seen::of(&k.row)), u.edit.clone())),
            _ => None,
        })
        .collect();
    if items.is_empty() {
        const SAID: &str = "nothing to update: every account already holds these values";
        return super::emit(&match format {
            OutFormat::Table => format!("{SAID}\n"),
            OutFormat::Json => super::change::json_text(&json!({
                "changed": false, "lines": checked.iter().map(line_json).collect::<Vec<_>>(), "message": SAID,
            })),
        });
    }
    let apply = store::edit::apply_many(store, actor, stamp, &items);
    let applied = match store::within(store::ANSWER_TIMEOUT, apply).await {
        Ok(a) => a,
        Err(e) if e.is_connection() => return super::change::lost(store, stamp, None, false, e).await,
        Err(e) => {
            return Err(CliError::Coded(super::failure::Kind::of(&e), format!("{e}; nothing was changed")));
        }
    };
    let out = match format {
        OutFormat::Json => super::change::json_text(&json!({
            "change_id": stamp.change_id, "action": store::edit::ACTION,
            "reason": stamp.reason.as_ref().map(|r| r.as_str()),
            "lines": checked.iter().map(line_json).collect::<Vec<_>>(),
            "accounts": applied.iter().map(|a: &Applied| json!({"id": a.id, "email": a.email, "changed": a.changed}))
                .collect::<Vec<_>>(),
        })),
        OutFormat::Table => {
            let changed = applied.iter().filter(|a| a.changed).count();
            format!(
                "{}{} updated, {unchanged} unchanged\n{}",
                report(&checked),
                crate::plural::count(changed as i64, "account"),
                super::change::change_line(stamp.change_id, Some(actor))
            )
        }
    };
    super::emit_applied(&out, stamp.change_id)
}
