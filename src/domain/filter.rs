//! The filter language for users, one parser for the console's `/` and `list --filter`.
//!
//! Words are ANDed. A plain word matches inside the email. Keyed words:
//! `role:admin,superuser` (any of), `status:active|unverified|locked|inactive`,
//! `provider:local|huleedu`, `never_logged_in`, `failed:>0`, `sessions:>0` (also `<`, `=`,
//! `>=`, `<=`), and for the moments `last_login:` and `created:` words that cannot be
//! misread ([`HELP`]): `older:180d` / `within:30d` for ages, `before:` / `after:` for a
//! date, a time or an age ago, `<` / `>` (`<=`, `>=`) for dates and times only, a bare
//! date for that day. `<1y` is refused: read as "less than a year old" or as "before a year
//! ago", it meant opposite things to different admins. `!` or `-` before a word negates
//! it. An unknown key or a bad value refuses the whole filter, naming the word and listing
//! the keys. [`UserFilter::describe`] says what a filter keeps in words.

use super::Role;
use super::account::{Account, Status, micros};
use super::when;
use memchr::memmem::Finder;
use time::OffsetDateTime;

/// The language as a table, for `list --help`, the README and the admin guide (a test
/// keeps those two the same as this).
pub const HELP: &str = "\
| word | keeps |
|---|---|
| `anna` | emails containing it |
| `role:admin,superuser` | any of these roles |
| `status:active`, `unverified`, `locked`, `inactive` | that status |
| `provider:local`, `provider:huleedu` | that sign-in provider |
| `last_login:older:180d` (also `12h`, `2w`, `6m`, `1y`) | last sign-in more than 180 days ago |
| `last_login:within:7d` | last sign-in in the last 7 days |
| `created:before:2025-01-01`, `created:after:2025-06-01` | created before / after that date (`<` and `>` say the same for dates) |
| `created:before:1y` | created before 1 year ago: the same as `created:older:1y` |
| `created:2025-06-01` | created on that day (UTC) |
| `never_logged_in` | never signed in |
| `failed:>0`, `sessions:>0` (also `>=`, `<=`, `=`) | failed logins, active sessions |
| `!word` or `-word` | the opposite |
| `saved:NAME` | the deployment's saved filter NAME (`SKRIPTOTEKET_ADMIN_FILTER_NAME` in its `.env`) |
";
/// The filters a deployment saves by name (`SKRIPTOTEKET_ADMIN_FILTER_<NAME>=WORDS`, read by
/// `config`), used in a filter as `saved:NAME`: the console's `/` and `--filter` alike.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavedFilters(pub Vec<(String, String)>);

impl SavedFilters {
    /// `text` with each `saved:NAME` word replaced by that filter's words; a name the
    /// deployment has not saved is refused, naming those it has.
    pub fn expand(&self, text: &str) -> Result<String, String> {
        if !text.contains("saved:") {
            return Ok(text.to_string());
        }
        let mut out = Vec::new();
        for word in text.split_whitespace() {
            match word.strip_prefix("saved:") {
                Some(name) => match self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    Some((_, words)) => out.push(words.as_str()),
                    None if self.0.is_empty() => {
                        return Err(format!(
                            "{word}: this deployment saves no filters (SKRIPTOTEKET_ADMIN_FILTER_NAME=WORDS in its .env)"
                        ));
                    }
                    None => {
                        let names: Vec<&str> = self.0.iter().map(|(n, _)| n.as_str()).collect();
                        return Err(format!("{word}: no such saved filter; saved are {}", names.join(", ")));
                    }
                },
                None => out.push(word),
            }
        }
        Ok(out.join(" "))
    }
}

/// Every key the language knows, for the refusal of an unknown one.
pub const KEYS: [&str; 8] =
    ["role:", "status:", "provider:", "last_login:", "created:", "failed:", "sessions:", "never_logged_in"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

impl Cmp {
    fn split(v: &str) -> (Cmp, &str) {
        for (p, c) in [(">=", Cmp::Ge), ("<=", Cmp::Le), (">", Cmp::Gt), ("<", Cmp::Lt), ("=", Cmp::Eq)] {
            if let Some(rest) = v.strip_prefix(p) {
                return (c, rest);
            }
        }
        (Cmp::Eq, v)
    }

    fn test<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
        }
    }
}

/// A plain word, with its searcher built once (the console tests a million emails with it
/// on one keystroke).
#[derive(Clone)]
struct Needle {
    text: String,
    finder: Finder<'static>,
}

impl Needle {
    fn new(text: String) -> Needle {
        let finder = Finder::new(text.as_bytes()).into_owned();
        Needle { text, finder }
    }

    fn is_in(&self, haystack: &[u8]) -> bool {
        self.finder.find(haystack).is_some()
    }
}

impl PartialEq for Needle {
    fn eq(&self, other: &Needle) -> bool {
        self.text == other.text
    }
}

impl Eq for Needle {}

impl std::fmt::Debug for Needle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text.fmt(f)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Pred {
    Text(Box<Needle>),
    Roles(Vec<Role>),
    Status(Status),
    Provider(String),
    LastLogin(When),
    NeverLoggedIn,
    Created(When),
    Failed(Cmp, i64),
    Sessions(Cmp, i64),
}

/// A parsed filter: every term must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFilter {
    terms: Vec<(bool, Pred)>,
}

impl UserFilter {
    /// Parses `input`; times relative to `now` (ages count back from it).
    pub fn parse(input: &str, now: OffsetDateTime) -> Result<UserFilter, String> {
        let mut terms = Vec::new();
        for word in input.split_whitespace() {
            let lower = word.to_lowercase();
            let (negated, body) = match lower.strip_prefix('!').or_else(|| lower.strip_prefix('-')) {
                Some(rest) if !rest.is_empty() => (true, rest.to_string()),
                _ => (false, lower.clone()),
            };
            terms.push((negated, pred(&body, now).map_err(|why| format!("{word:?}: {why}"))?));
        }
        Ok(UserFilter { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// What the filter keeps, in words: `created more than 1 year ago · role user`.
    pub fn describe(&self) -> String {
        let words: Vec<String> = self.terms.iter().map(|(negated, p)| describe(p, *negated)).collect();
        words.join(" · ")
    }

    /// `email_lower`: the row's email in lower case (the caller may keep it ready).
    pub fn keeps<A: Account>(&self, row: &A, email_lower: &[u8]) -> bool {
        self.terms.iter().all(|(neg, p)| holds(p, row, email_lower) != *neg)
    }

    /// True when every row this filter keeps is kept by `older` too, so the rows `older`
    /// kept are enough to search: the same words, then perhaps more, and perhaps the last
    /// of the old words grown (`ann` to `anna`). What typing into the filter does.
    pub fn narrows(&self, older: &UserFilter) -> bool {
        if self.terms.len() < older.terms.len() {
            return false;
        }
        let last = older.terms.len().checked_sub(1);
        older.terms.iter().zip(&self.terms).enumerate().all(|(i, (old, new))| {
            old == new
                || (Some(i) == last
                    && matches!((old, new), ((false, Pred::Text(o)), (false, Pred::Text(n))) if n.text.contains(o.text.as_str())))
        })
    }
}

fn bad_key() -> String {
    format!("not a filter word; the keys are {}", KEYS.join(" "))
}

/// A day in microseconds.
const DAY_MICROS: i64 = 86_400_000_000;

/// Which side of a moment a `last_login:` or `created:` word keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Before,
    AtOrBefore,
    After,
    AtOrAfter,
    /// From the moment to a day later: a bare date.
    Day,
}

/// A `last_login:` or `created:` word: the side of the moment `at` (microseconds since the
/// epoch) it keeps, and that in words ("more than 180 days ago", "before 2025-06-01").
#[derive(Clone, Debug, PartialEq, Eq)]
struct When {
    side: Side,
    at: i64,
    words: String,
}

impl When {
    fn keeps(&self, t: i64) -> bool {
        match self.side {
            Side::Before => t < self.at,
            Side::AtOrBefore => t <= self.at,
            Side::After => t > self.at,
            Side::AtOrAfter => t >= self.at,
            Side::Day => t >= self.at && t < self.at.saturating_add(DAY_MICROS),
        }
    }
}

/// An age as words: `180d` is "180 days", `1y` "1 year".
fn age_words(v: &str) -> String {
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let unit = match unit {
        "min" | "mins" => "minute",
        "m" | "mo" => "month",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        _ => "year",
    };
    crate::plural::count(n.parse().unwrap_or(0), unit)
}

/// Parses the value of a `last_login:` or `created:` word.
fn when(key: &str, value: &str, now: OffsetDateTime) -> Result<When, String> {
    let ago = |v: &str| -> Result<i64, String> {
        let age = when::age(v)
            .ok_or_else(|| format!("{v:?} is not an age: use one such as 30min, 12h, 7d, 2w, 6m, 1y"))?;
        now.checked_sub(age).map(micros).ok_or_else(|| format!("{v:?} is too long ago"))
    };
    let moment = |v: &str| -> Result<(i64, String), String> {
        if when::age(v).is_some() {
            return Ok((ago(v)?, format!("{} ago", age_words(v))));
        }
        let at = when::parse(v, now).map_err(|e| e.to_string())?;
        Ok((micros(at), v.to_string()))
    };
    let date_only = |v: &str, op: &str| -> Result<(i64, String), String> {
        if when::age(v).is_some() {
            return Err(format!("write {key}:older:{v} or {key}:within:{v} for an age; {op} is for dates"));
        }
        moment(v)
    };
    let (op, v) = match value.split_once(':') {
        Some((op @ ("older" | "within" | "before" | "after"), v)) => (op, v),
        Some((op, _)) if op.chars().all(|c| c.is_ascii_alphabetic()) => {
            return Err(format!("{op:?} is not a comparison: use older:, within:, before: or after:"));
        }
        _ => match ["<=", ">=", "<", ">", "="].into_iter().find(|p| value.starts_with(p)) {
            Some(p) => (p, &value[p.len()..]),
            None => ("", value),
        },
    };
    if v.is_empty() {
        return Err("a value is missing after the comparison".into());
    }
    // A bare date is a whole day: "after 2025-06-01" starts at the next midnight, "on or
    // before" ends there; a time or an age is a moment.
    let day =
        |v: &str| time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]")).is_ok();
    const DAY: i64 = DAY_MICROS;
    let (side, at, words) = match op {
        "older" => (Side::Before, ago(v)?, format!("more than {} ago", age_words(v))),
        "within" => (Side::After, ago(v)?, format!("in the last {}", age_words(v))),
        "before" => moment(v).map(|(at, w)| (Side::Before, at, format!("before {w}")))?,
        "after" if day(v) => {
            moment(v).map(|(at, w)| (Side::AtOrAfter, at.saturating_add(DAY), format!("after {w}")))?
        }
        "after" => moment(v).map(|(at, w)| (Side::After, at, format!("after {w}")))?,
        "<" => date_only(v, "<").map(|(at, w)| (Side::Before, at, format!("before {w}")))?,
        "<=" if day(v) => date_only(v, "<=")
            .map(|(at, w)| (Side::Before, at.saturating_add(DAY), format!("on or before {w}")))?,
        "<=" => date_only(v, "<=").map(|(at, w)| (Side::AtOrBefore, at, format!("on or before {w}")))?,
        ">" if day(v) => date_only(v, ">")
            .map(|(at, w)| (Side::AtOrAfter, at.saturating_add(DAY), format!("after {w}")))?,
        ">" => date_only(v, ">").map(|(at, w)| (Side::After, at, format!("after {w}")))?,
        ">=" => date_only(v, ">=").map(|(at, w)| (Side::AtOrAfter, at, format!("on or after {w}")))?,
        _ => {
            let day = time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| match when::age(v) {
                    Some(_) => format!("say which side of {v} ago: {key}:older:{v} or {key}:within:{v}"),
                    None => {
                        format!("{v:?} is not a day: give one such as 2025-06-01, or before:/after: a time")
                    }
                })?;
            (Side::Day, micros(day.midnight().assume_utc()), format!("on {v}"))
        }
    };
    Ok(When { side, at, words })
}

fn pred(body: &str, now: OffsetDateTime) -> Result<Pred, String> {
    if body == "never_logged_in" {
        return Ok(Pred::NeverLoggedIn);
    }
    let Some((key, value)) = body.split_once(':') else {
        return Ok(Pred::Text(Box::new(Needle::new(body.to_string()))));
    };
    if value.is_empty() {
        return Err("a value is missing after the colon".into());
    }
    let count = |v: &str| -> Result<(Cmp, i64), String> {
        let (c, n) = Cmp::split(v);
        n.parse::<i64>().map(|n| (c, n)).map_err(|_| format!("{n:?} is not a number"))
    };
    Ok(match key {
        "role" => {
            let roles = value
                .split(',')
                .map(|r| match r.parse::<Role>() {
                    Ok(r) => Ok(r),
                    Err(_) if r == Role::Unknown.as_str() => Ok(Role::Unknown),
                    Err(e) => Err(e.to_string()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Pred::Roles(roles)
        }
        "status" => Pred::Status(
            Status::ALL
                .into_iter()
                .find(|s| s.as_str() == value)
                .ok_or_else(|| format!("the statuses are {}", Status::ALL.map(|s| s.as_str()).join(", ")))?,
        ),
        "provider" => Pred::Provider(value.to_string()),
        "last_login" => Pred::LastLogin(when(key, value, now)?),
        "created" => Pred::Created(when(key, value, now)?),
        "failed" => {
            let (c, n) = count(value)?;
            Pred::Failed(c, n)
        }
        "sessions" => {
            let (c, n) = count(value)?;
            Pred::Sessions(c, n)
        }
        // An email with a colon in it is unusual enough: a word with an unknown key is a typo.
        _ => return Err(bad_key()),
    })
}

/// One word of [`UserFilter::describe`].
fn describe(p: &Pred, negated: bool) -> String {
    let count = |c: &Cmp, n: i64, what: &str| {
        let cmp = match c {
            Cmp::Gt => "more than",
            Cmp::Ge => "at least",
            Cmp::Lt => "fewer than",
            Cmp::Le => "at most",
            Cmp::Eq => "exactly",
        };
        format!("{cmp} {n} {what}")
    };
    let said = match p {
        Pred::NeverLoggedIn if negated => return "signed in at least once".into(),
        Pred::Text(t) => format!("email contains {:?}", t.text),
        Pred::Roles(roles) => {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            format!("role {}", names.join(" or "))
        }
        Pred::Status(s) => format!("status {}", s.as_str()),
        Pred::Provider(v) => format!("provider {v}"),
        Pred::LastLogin(w) => format!("last sign-in {}", w.words),
        Pred::NeverLoggedIn => "never signed in".into(),
        Pred::Created(w) => format!("created {}", w.words),
        Pred::Failed(c, n) => count(c, *n, "failed logins"),
        Pred::Sessions(c, n) => count(c, *n, "active sessions"),
    };
    if negated { format!("not {said}") } else { said }
}

fn holds<A: Account>(p: &Pred, r: &A, email_lower: &[u8]) -> bool {
    match p {
        Pred::Text(t) => t.is_in(email_lower),
        Pred::Roles(roles) => roles.contains(&r.role()),
        Pred::Status(s) => r.has_status(*s),
        Pred::Provider(v) => r.auth_provider().eq_ignore_ascii_case(v),
        Pred::LastLogin(w) => r.last_login_micros().is_some_and(|t| w.keeps(t)),
        Pred::NeverLoggedIn => r.last_login_micros().is_none(),
        Pred::Created(w) => w.keeps(r.created_micros()),
        Pred::Failed(c, n) => c.test(i64::from(r.failed_login_attempts()), *n),
        Pred::Sessions(c, n) => c.test(r.active_sessions(), *n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserRow;
    use time::Duration;
    use time::macros::datetime;

    fn keeps(filter: &str, r: &UserRow, now: OffsetDateTime) -> bool {
        UserFilter::parse(filter, now).expect("a valid filter").keeps(r, r.email.to_lowercase().as_bytes())
    }

    #[test]
    fn words_are_anded_negated_and_compared() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let mut r = UserRow::sample("Anna@Skola.se", Role::Admin);
        r.created_at = datetime!(2024-06-01 0:00 UTC);
        r.last_login_at = Some(now - Duration::days(200));
        r.active_sessions = 2;
        assert!(keeps("anna role:admin,superuser", &r, now));
        assert!(!keeps("anna role:user", &r, now));
        assert!(keeps("last_login:older:180d", &r, now), "more than 180 days ago");
        assert!(!keeps("last_login:within:7d", &r, now));
        assert!(keeps("last_login:before:6m created:<2025-01-01", &r, now));
        assert!(keeps("created:before:2025-01-01 created:after:2024-05-31", &r, now));
        assert!(keeps("created:2024-06-01 created:>=2024-06-01 created:<=2024-06-01", &r, now));
        assert!(!keeps("created:2024-06-02", &r, now), "a bare date is that day");
        // A date is a whole day for every comparison (the row: 2024-06-01 10:00).
        r.created_at = datetime!(2024-06-01 10:00 UTC);
        assert!(keeps("created:<=2024-06-01 created:>=2024-06-01 created:2024-06-01", &r, now));
        assert!(!keeps("created:after:2024-06-01", &r, now), "after the day, not after its midnight");
        assert!(!keeps("created:>2024-06-01", &r, now));
        assert!(!keeps("created:before:2024-06-01", &r, now));
        assert!(keeps("created:after:2024-06-01T09:00:00Z", &r, now), "a time is a moment");
        r.created_at = datetime!(2024-06-01 0:00 UTC);
        assert!(keeps("!never_logged_in -role:user sessions:>0 failed:=0", &r, now));
        assert!(keeps("provider:local status:active", &r, now));
        assert!(keeps("last_login:after:2025-01-01T00:00:00+01:00", &r, now), "a full time, colons and all");
        r.last_login_at = None;
        assert!(keeps("never_logged_in", &r, now));
        assert!(!keeps("last_login:older:1d", &r, now), "never is no time at all");
    }

    /// Issue 24 point 1: `created:<1y` read as "less than a year old" by one admin and as
    /// "before a year ago" by another; such a word is refused, saying what to write.
    #[test]
    fn an_age_compared_with_a_sign_is_refused_naming_the_words_to_use() {
        let now = datetime!(2026-11-26 12:00 UTC);
        for word in ["created:<1y", "last_login:>180d", "created:>=7d", "last_login:<=2w"] {
            let e = UserFilter::parse(word, now).expect_err(word);
            assert!(e.contains(": write ") && e.contains(":older:") && e.contains(" for an age; "), "{e}");
        }
        let e = UserFilter::parse("created:1y", now).expect_err("a bare age");
        assert!(e.contains("created:older:1y or created:within:1y"), "{e}");
        let e = UserFilter::parse("created:older:2025-01-01", now).expect_err("older takes an age");
        assert!(e.contains("is not an age"), "{e}");
        let e = UserFilter::parse("created:since:1y", now).expect_err("no such comparison");
        assert!(e.contains("use older:, within:, before: or after:"), "{e}");
    }

    #[test]
    fn a_filter_says_what_it_keeps_in_words() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let d = |s: &str| UserFilter::parse(s, now).expect("a valid filter").describe();
        assert_eq!(d("created:older:1y role:user"), "created more than 1 year ago · role user");
        assert_eq!(d("last_login:within:30d"), "last sign-in in the last 30 days");
        assert_eq!(d("created:before:6m"), "created before 6 months ago");
        assert_eq!(
            d("created:<2025-01-01 -never_logged_in"),
            "created before 2025-01-01 · signed in at least once"
        );
        assert_eq!(
            d("anna -role:admin,superuser sessions:>0"),
            "email contains \"anna\" · not role admin or superuser · more than 0 active sessions"
        );
        assert_eq!(d("created:2025-06-01"), "created on 2025-06-01");
        assert_eq!(d(""), "");
    }

    /// No word for a moment means one side for one value and the other side for another:
    /// each comparison keeps the same side of its moment whatever the value is (a date, a
    /// time or an age), and says that side in its description.
    #[test]
    fn no_moment_word_means_two_things() {
        use proptest::prelude::*;
        let now = datetime!(2026-11-26 12:00 UTC);
        let ages = prop_oneof![
            (1u32..500).prop_map(|n| format!("{n}d")),
            (1u32..50).prop_map(|n| format!("{n}y")),
            (1u32..100).prop_map(|n| format!("{n}h")),
            (1u32..30).prop_map(|n| format!("{n}m")),
            (1u32..100).prop_map(|n| format!("{n}w")),
        ];
        let dates = (2000i32..2030, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"));
        let values = prop_oneof![ages.clone(), dates.clone()];
        let ops = prop::sample::select(vec!["older:", "within:", "before:", "after:", "<", ">", "<=", ">="]);
        let keys = prop::sample::select(vec!["created", "last_login"]);
        proptest!(ProptestConfig::with_cases(2000), |(op in ops, v in values, key in keys)| {
            let word = format!("{key}:{op}{v}");
            let is_age = when::age(&v).is_some();
            let parsed = UserFilter::parse(&word, now);
            let age_only = matches!(op, "older:" | "within:");
            let date_only = matches!(op, "<" | ">" | "<=" | ">=");
            if (age_only && !is_age) || (date_only && is_age) {
                prop_assert!(parsed.is_err(), "{word} must be refused");
                return Ok(());
            }
            let f = parsed.map_err(|e| TestCaseError::fail(format!("{word}: {e}")))?;
            let at = when::parse(&v, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
            // A date is a whole day: after it, and up to its end, count from the next midnight.
            let at = if !is_age && matches!(op, "after:" | ">" | "<=") { at + Duration::days(1) } else { at };
            let keeps_before = matches!(op, "older:" | "before:" | "<" | "<=");
            for (t, earlier) in [(at - Duration::seconds(1), true), (at + Duration::seconds(1), false)] {
                let mut r = UserRow::sample("a@x.se", Role::User);
                r.created_at = t;
                r.last_login_at = Some(t);
                prop_assert_eq!(f.keeps(&r, b"a@x.se"), earlier == keeps_before, "{} at {}", word, t);
            }
            let said = f.describe();
            let says_before = said.contains("before") || said.contains("more than");
            let says_after = said.contains("after") || said.contains("in the last");
            prop_assert!(says_before == keeps_before && says_after != keeps_before, "{}: {}", word, said);
        });
    }

    #[test]
    fn the_help_table_is_the_one_the_readme_and_the_guide_show() {
        for doc in ["README.md", "docs/admin-guide.md"] {
            let text = std::fs::read_to_string(format!("{}/{doc}", env!("CARGO_MANIFEST_DIR"))).expect(doc);
            assert!(text.contains(HELP), "{doc} shows the filter table of domain::filter::HELP");
        }
    }

    #[test]
    fn saved_filters_expand_by_name_and_an_unknown_name_is_refused() {
        let saved = SavedFilters(vec![("dormant".into(), "last_login:older:180d -role:admin".into())]);
        assert_eq!(
            saved.expand("saved:dormant lund").as_deref(),
            Ok("last_login:older:180d -role:admin lund")
        );
        assert_eq!(saved.expand("saved:DORMANT").as_deref(), Ok("last_login:older:180d -role:admin"));
        assert_eq!(
            saved.expand("@skola.se").as_deref(),
            Ok("@skola.se"),
            "an email's domain is a word as before"
        );
        assert!(saved.expand("saved:old").is_err_and(|e| e.contains("saved are dormant")));
        assert!(SavedFilters::default().expand("saved:x").is_err_and(|e| e.contains("saves no filters")));
    }

    #[test]
    fn unknown_words_and_bad_values_are_refused_with_the_list() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let e = UserFilter::parse("rol:admin", now).expect_err("typo");
        assert!(e.contains("the keys are role:"), "{e}");
        assert!(UserFilter::parse("role:boss", now).is_err());
        assert!(UserFilter::parse("status:gone", now).is_err());
        assert!(UserFilter::parse("failed:>x", now).is_err());
        assert!(UserFilter::parse("last_login:after:soon", now).is_err());
        assert!(UserFilter::parse("created:", now).is_err());
        assert!(UserFilter::parse("created:before:", now).is_err());
        assert!(UserFilter::parse("", now).expect("empty").is_empty());
    }

    #[test]
    fn only_narrowing_edits_may_search_the_previous_result() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let f = |s: &str| UserFilter::parse(s, now).expect("a valid filter");
        assert!(f("anna").narrows(&f("ann")), "a word grown");
        assert!(f("ann role:user").narrows(&f("ann")), "a word added");
        assert!(f("x").narrows(&f("")));
        assert!(!f("ann").narrows(&f("anna")), "a word shortened");
        assert!(!f("-anna").narrows(&f("-ann")), "a negated word grown matches more");
        assert!(!f("role:admin,superuser").narrows(&f("role:admin")), "a list grown matches more");
        assert!(!f("bob ann").narrows(&f("ann")), "an earlier word changed");
        assert!(!f("anna x").narrows(&f("ann x")), "only the last word may grow");
    }
}
