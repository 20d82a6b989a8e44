//! The audit log's filter language, one parser for the console's audit viewer (`/`) and
//! `audit --filter` (whose flags fill the same fields), and one meaning: [`AuditFilter::shows`]
//! in memory and the store's SQL agree.
//!
//! Words are ANDed:
//! - `actor:TEXT`, `target:TEXT`: the admin / the account, by a part of the email or the
//!   whole id;
//! - `action:NAME[,NAME]`: those actions (a part of a name means every action containing
//!   it: `action:sign` is both sign-in actions);
//! - `change:HEX`: the change whose id starts so (8 or more hex digits are enough);
//! - `since:T`, `until:T`: a date, an RFC 3339 time, or an age (`7d`) counted back from now;
//! - `signins`: show sign-ins, which are hidden unless asked for or named by `action:`;
//! - any other word: a part of the actor, action, target, reason, operator, the values
//!   before and after, or the start of the change id.
//!
//! An unknown `key:` is refused with the keys there are: a typo must not match nothing
//! silently.

use super::audit::{AuditRow, SIGN_IN_ACTIONS};
use super::revert::ALL_ACTIONS;
use super::when;
use time::OffsetDateTime;
use uuid::Uuid;

/// Which entries to show. Texts are lower-case; matches are case-insensitive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub target: Option<String>,
    pub target_id: Option<Uuid>,
    /// Any of these actions (all when empty).
    pub actions: Vec<String>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    /// The start of a change id: hex digits, no dashes.
    pub change: Option<String>,
    /// Include sign-ins even when `actions` does not name them.
    pub sign_ins: bool,
    /// Free words, each a part of some field.
    pub words: Vec<String>,
}

/// Why a filter text means nothing; names the word.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditFilterError {
    #[error(
        "{0} is no filter word{hint}; the keys are actor:, target:, action:, change:, since:, until: (and signins)",
        hint = near_key(.0)
    )]
    UnknownKey(String),
    #[error("{0} needs a value after the colon")]
    Empty(String),
    #[error("action:{0} matches no action; the actions are {actions}", actions = ALL_ACTIONS.join(", "))]
    UnknownAction(String),
    #[error("change:{0} is not the start of a change id (hex digits)")]
    BadChange(String),
    #[error("{key}:{value}: {why}")]
    BadTime { key: &'static str, value: String, why: String },
}

const KEYS: [&str; 6] = ["actor", "target", "action", "change", "since", "until"];

/// ": did you mean since:?" for a key one or two letters off (`sinse:`), else nothing.
fn near_key(word: &str) -> String {
    let typed = word.trim_end_matches(':');
    let off = |k: &str| {
        let (a, b): (Vec<char>, Vec<char>) = (typed.chars().collect(), k.chars().collect());
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        a.len().max(b.len()) - same
    };
    KEYS.iter().find(|k| off(k) <= 2).map(|k| format!(" (did you mean {k}:?)")).unwrap_or_default()
}

impl AuditFilter {
    /// Entries of one account (its history in the details view).
    pub fn of_target(id: Uuid) -> AuditFilter {
        AuditFilter { target_id: Some(id), sign_ins: true, ..AuditFilter::default() }
    }

    /// Parses `text`; `now` is what ages count back from (an age without it is refused).
    pub fn parse(text: &str, now: Option<OffsetDateTime>) -> Result<AuditFilter, AuditFilterError> {
        let mut f = AuditFilter::default();
        for word in text.split_whitespace() {
            let lower = word.to_lowercase();
            if lower == "signins" {
                f.sign_ins = true;
                continue;
            }
            let Some((key, value)) = word.split_once(':').filter(|(k, _)| looks_like_key(k)) else {
                f.words.push(lower);
                continue;
            };
            let key = key.to_ascii_lowercase();
            let key = key.as_str();
            if !KEYS.contains(&key) {
                return Err(AuditFilterError::UnknownKey(format!("{key}:")));
            }
            if value.is_empty() {
                return Err(AuditFilterError::Empty(format!("{key}:")));
            }
            match key {
                "actor" => f.actor = Some(value.to_lowercase()),
                "target" => f.target = Some(value.to_lowercase()),
                "action" => {
                    for name in value.split(',').filter(|n| !n.is_empty()) {
                        f.add_action(name)?;
                    }
                }
                "change" => f.set_change(value)?,
                "since" => f.since = Some(moment("since", value, now)?),
                _ => f.until = Some(moment("until", value, now)?),
            }
        }
        Ok(f)
    }

    /// Adds the actions `name` means: that action, else every action containing it.
    pub fn add_action(&mut self, name: &str) -> Result<(), AuditFilterError> {
        let name = name.trim().to_ascii_lowercase();
        let found: Vec<&str> = if let Some(exact) = ALL_ACTIONS.iter().find(|a| **a == name) {
            vec![*exact]
        } else {
            ALL_ACTIONS.iter().copied().filter(|a| !name.is_empty() && a.contains(name.as_str())).collect()
        };
        if found.is_empty() {
            return Err(AuditFilterError::UnknownAction(name));
        }
        for a in found {
            if !self.actions.iter().any(|x| x == a) {
                self.actions.push(a.to_string());
            }
        }
        Ok(())
    }

    /// The change whose id starts with `hex` (dashes ignored).
    pub fn set_change(&mut self, hex: &str) -> Result<(), AuditFilterError> {
        let digits: String = hex.chars().filter(|c| *c != '-').collect::<String>().to_ascii_lowercase();
        if digits.is_empty() || digits.len() > 32 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(AuditFilterError::BadChange(hex.to_string()));
        }
        self.change = Some(digits);
        Ok(())
    }

    /// The whole change id, when `change` names one exactly (the store then uses the index).
    pub fn change_id(&self) -> Option<Uuid> {
        self.change.as_deref().filter(|c| c.len() == 32).and_then(|c| Uuid::parse_str(c).ok())
    }

    /// Whether sign-ins are shown: asked for, or named among the actions.
    pub fn shows_sign_ins(&self) -> bool {
        self.sign_ins || self.actions.iter().any(|a| SIGN_IN_ACTIONS.contains(&a.as_str()))
    }

    /// Whether `r` passes: the same meaning as the store's SQL of this filter.
    pub fn shows(&self, r: &AuditRow) -> bool {
        let has = |hay: &str, needle: &str| hay.to_lowercase().contains(needle);
        let by = |text: &Option<String>, email: &str, id: Option<Uuid>| {
            text.as_deref().is_none_or(|t| has(email, t) || id.is_some_and(|i| i.to_string() == t.trim()))
        };
        let change = r.change_id.map(|c| c.simple().to_string()).unwrap_or_default();
        let target = r.target_email.as_deref().unwrap_or("");
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let (before, after, operator) = (json(&r.before), json(&r.after), json(&r.operator));
        let reason = r.reason.as_deref().unwrap_or("");
        (self.shows_sign_ins() || !SIGN_IN_ACTIONS.contains(&r.action.as_str()))
            && by(&self.actor, &r.actor_email, r.actor_id)
            && by(&self.target, target, r.target_id)
            && self.target_id.is_none_or(|id| r.target_id == Some(id))
            && (self.actions.is_empty() || self.actions.contains(&r.action))
            && self.since.is_none_or(|t| r.at >= t)
            && self.until.is_none_or(|t| r.at < t)
            && self.change.as_deref().is_none_or(|c| change.starts_with(c))
            && self.words.iter().all(|w| {
                [r.actor_email.as_str(), &r.action, target, reason, &operator, &before, &after]
                    .iter()
                    .any(|field| has(field, w))
                    || change.starts_with(w.as_str())
            })
    }
}

/// `word:` is a key when the part before the colon is a plain word (`fe80::1`, a time with
/// colons or an email-ish text stays a free word).
fn looks_like_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
}

fn moment(
    key: &'static str,
    v: &str,
    now: Option<OffsetDateTime>,
) -> Result<OffsetDateTime, AuditFilterError> {
    let bad = |why: String| AuditFilterError::BadTime { key, value: v.to_string(), why };
    match now {
        Some(now) => when::parse(v, now).map_err(|e| bad(e.to_string())),
        None if when::age(v).is_some() => Err(bad("an age needs the clock, which is not known yet".into())),
        None => when::parse(v, OffsetDateTime::UNIX_EPOCH).map_err(|e| bad(e.to_string())),
    }
}

#[cfg(test)]
mod tests;
