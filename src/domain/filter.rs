//! The filter language for users, one parser for the console's `/` and `list --filter`.
//!
//! Words are ANDed. A plain word matches inside the email. Keyed words:
//! `role:admin,superuser` (any of), `status:active|unverified|locked|inactive`,
//! `provider:local|huleedu`, `last_login:>180d` (more than 180 days ago), `last_login:<7d`
//! (within 7 days), `last_login:>2025-06-01` / `<2025-06-01` (after / before a date),
//! `never_logged_in`, `created:<2025-01-01` (same forms), `failed:>0`, `sessions:>0` (also
//! `<`, `=`, `>=`, `<=`). `!` or `-` before a word negates it. An unknown key or a bad value
//! refuses the whole filter, naming the word and listing the keys.

use super::Role;
use super::account::{Account, Status, micros};
use super::when;
use memchr::memmem::Finder;
use time::OffsetDateTime;

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

    /// For an age ("more than 180 days ago"), the comparison of the moment is the other way.
    fn flipped(self) -> Cmp {
        match self {
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Eq => Cmp::Eq,
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
    /// `cmp` compares the moment with `at` (microseconds since the epoch).
    LastLogin(Cmp, i64),
    NeverLoggedIn,
    Created(Cmp, i64),
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

fn moment(v: &str, cmp: Cmp, now: OffsetDateTime) -> Result<(Cmp, i64), String> {
    let at = micros(when::parse(v, now).map_err(|e| e.to_string())?);
    if when::age(v).is_some() { Ok((cmp.flipped(), at)) } else { Ok((cmp, at)) }
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
        "last_login" | "created" => {
            let (c, v) = Cmp::split(value);
            let (c, at) = moment(v, c, now)?;
            if key == "created" { Pred::Created(c, at) } else { Pred::LastLogin(c, at) }
        }
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

fn holds<A: Account>(p: &Pred, r: &A, email_lower: &[u8]) -> bool {
    match p {
        Pred::Text(t) => t.is_in(email_lower),
        Pred::Roles(roles) => roles.contains(&r.role()),
        Pred::Status(s) => r.has_status(*s),
        Pred::Provider(v) => r.auth_provider().eq_ignore_ascii_case(v),
        Pred::LastLogin(c, at) => r.last_login_micros().is_some_and(|t| c.test(t, *at)),
        Pred::NeverLoggedIn => r.last_login_micros().is_none(),
        Pred::Created(c, at) => c.test(r.created_micros(), *at),
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
        assert!(keeps("last_login:>180d", &r, now), "more than 180 days ago");
        assert!(!keeps("last_login:<7d", &r, now));
        assert!(keeps("last_login:>6m created:<2025-01-01", &r, now));
        assert!(keeps("!never_logged_in -role:user sessions:>0 failed:=0", &r, now));
        assert!(keeps("provider:local status:active", &r, now));
        r.last_login_at = None;
        assert!(keeps("never_logged_in", &r, now));
        assert!(!keeps("last_login:>1d", &r, now), "never is no time at all");
    }

    #[test]
    fn unknown_words_and_bad_values_are_refused_with_the_list() {
        let now = datetime!(2026-11-26 12:00 UTC);
        let e = UserFilter::parse("rol:admin", now).expect_err("typo");
        assert!(e.contains("the keys are role:"), "{e}");
        assert!(UserFilter::parse("role:boss", now).is_err());
        assert!(UserFilter::parse("status:gone", now).is_err());
        assert!(UserFilter::parse("failed:>x", now).is_err());
        assert!(UserFilter::parse("last_login:>soon", now).is_err());
        assert!(UserFilter::parse("created:", now).is_err());
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
