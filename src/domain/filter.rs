//! The filter language for users, one parser for the console's `/` and `list --filter`.
//!
//! Words are ANDed. A plain word matches inside the email. Keyed words:
//! `role:admin,superuser` (any of), `status:active|unverified|locked|inactive`,
//! `provider:local|huleedu`, `last_login:>180d` (more than 180 days ago), `last_login:<7d`
//! (within 7 days), `last_login:>2025-06-01` / `<2025-06-01` (after / before a date),
//! `never_logged_in`, `created:<2025-01-01` (same forms), `failed:>0`, `sessions:>0` (also
//! `<`, `=`, `>=`, `<=`). `!` or `-` before a word negates it. An unknown key or a bad value
//! refuses the whole filter, naming the word and listing the keys.

use super::account::Status;
use super::when;
use super::{Role, UserRow};
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

#[derive(Clone, Debug, PartialEq, Eq)]
enum Pred {
    Text(String),
    Roles(Vec<Role>),
    Status(Status),
    Provider(String),
    /// `cmp` compares the moment with `at`.
    LastLogin(Cmp, OffsetDateTime),
    NeverLoggedIn,
    Created(Cmp, OffsetDateTime),
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
    pub fn keeps(&self, row: &UserRow, email_lower: &str) -> bool {
        self.terms.iter().all(|(neg, p)| holds(p, row, email_lower) != *neg)
    }
}

fn bad_key() -> String {
    format!("not a filter word; the keys are {}", KEYS.join(" "))
}

fn moment(v: &str, cmp: Cmp, now: OffsetDateTime) -> Result<(Cmp, OffsetDateTime), String> {
    if when::age(v).is_some() {
        let at = when::parse(v, now).map_err(|e| e.to_string())?;
        Ok((cmp.flipped(), at))
    } else {
        Ok((cmp, when::parse(v, now).map_err(|e| e.to_string())?))
    }
}

fn pred(body: &str, now: OffsetDateTime) -> Result<Pred, String> {
    if body == "never_logged_in" {
        return Ok(Pred::NeverLoggedIn);
    }
    let Some((key, value)) = body.split_once(':') else { return Ok(Pred::Text(body.to_string())) };
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

fn holds(p: &Pred, r: &UserRow, email_lower: &str) -> bool {
    match p {
        Pred::Text(t) => email_lower.contains(t.as_str()),
        Pred::Roles(roles) => roles.contains(&r.role),
        Pred::Status(s) => r.has_status(*s),
        Pred::Provider(v) => r.auth_provider.eq_ignore_ascii_case(v),
        Pred::LastLogin(c, at) => r.last_login_at.is_some_and(|t| c.test(t, *at)),
        Pred::NeverLoggedIn => r.last_login_at.is_none(),
        Pred::Created(c, at) => c.test(r.created_at, *at),
        Pred::Failed(c, n) => c.test(i64::from(r.failed_login_attempts), *n),
        Pred::Sessions(c, n) => c.test(r.active_sessions, *n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    fn keeps(filter: &str, r: &UserRow, now: OffsetDateTime) -> bool {
        UserFilter::parse(filter, now).expect("a valid filter").keeps(r, &r.email.to_lowercase())
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
}
