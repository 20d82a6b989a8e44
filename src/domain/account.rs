//! One account as the tool reads it from `users` (plus its active-session count): the row
//! the console draws, `list` prints and every change reads before acting.

use super::Role;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// One account as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub auth_provider: String,
    pub is_active: bool,
    /// False for a self-registered account whose owner never followed the verification
    /// link: the web app refuses its login. True where the column does not exist (old
    /// deployments did not check it).
    pub email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    /// `locked_until > now()` when the row was read.
    pub locked: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
    pub failed_login_attempts: i32,
    pub active_sessions: i64,
}

/// Why an account can or cannot sign in, as one word.
/// The derived order (active first) is the table's sort order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    /// Never verified its email: the web app refuses its login.
    Unverified,
    /// Locked after failed logins.
    Locked,
    Inactive,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Active, Status::Unverified, Status::Locked, Status::Inactive];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Unverified => "unverified",
            Status::Locked => "locked",
            Status::Inactive => "inactive",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl UserRow {
    /// An active, verified local account with no history: the starting point of the rows
    /// that tests and benchmarks build.
    pub fn sample(email: &str, role: Role) -> UserRow {
        UserRow {
            id: Uuid::new_v4(),
            email: email.to_string(),
            role,
            auth_provider: "local".into(),
            is_active: true,
            email_verified: true,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            last_login_at: None,
            locked: false,
            locked_until: None,
            failed_login_attempts: 0,
            active_sessions: 0,
        }
    }

    pub fn is_local(&self) -> bool {
        self.auth_provider == "local"
    }

    /// See [`Account::status`].
    pub fn status(&self) -> Status {
        Account::status(self)
    }

    /// See [`Account::has_status`].
    pub fn has_status(&self, s: Status) -> bool {
        Account::has_status(self, s)
    }
}

/// What the rules of the console (filter, status, confirmations, no-op checks) read of an
/// account, whether it is a [`UserRow`] or a row of the console's packed table
/// (`domain::roster`). Times are microseconds since the Unix epoch, as PostgreSQL keeps them.
pub trait Account {
    fn id(&self) -> Uuid;
    fn email(&self) -> &str;
    fn role(&self) -> Role;
    fn auth_provider(&self) -> &str;
    fn is_active(&self) -> bool;
    fn email_verified(&self) -> bool;
    /// `locked_until > now()` when the row was read.
    fn locked(&self) -> bool;
    fn failed_login_attempts(&self) -> i32;
    fn active_sessions(&self) -> i64;
    fn created_micros(&self) -> i64;
    fn last_login_micros(&self) -> Option<i64>;

    /// The first reason the web app would refuse this account's login, in the order of
    /// its own checks (inactive, locked, unverified); `Active` when none applies.
    fn status(&self) -> Status {
        if !self.is_active() {
            Status::Inactive
        } else if self.locked() {
            Status::Locked
        } else if !self.email_verified() {
            Status::Unverified
        } else {
            Status::Active
        }
    }

    /// Whether `status:NAME` in a filter finds this row. Broader than [`Account::status`]:
    /// an inactive account can be locked or unverified too, and the admin looking for
    /// locked or unverified accounts wants it found.
    fn has_status(&self, s: Status) -> bool {
        match s {
            Status::Active => self.status() == Status::Active,
            Status::Unverified => !self.email_verified(),
            Status::Locked => self.locked(),
            Status::Inactive => !self.is_active(),
        }
    }
}

/// Microseconds since the Unix epoch: PostgreSQL's own resolution, so nothing is lost.
pub fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

/// The moment `micros` names (the inverse of [`micros`] for every time PostgreSQL and
/// `time` can both hold; the epoch for anything else).
pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl Account for UserRow {
    fn id(&self) -> Uuid {
        self.id
    }
    fn email(&self) -> &str {
        &self.email
    }
    fn role(&self) -> Role {
        self.role
    }
    fn auth_provider(&self) -> &str {
        &self.auth_provider
    }
    fn is_active(&self) -> bool {
        self.is_active
    }
    fn email_verified(&self) -> bool {
        self.email_verified
    }
    fn locked(&self) -> bool {
        self.locked
    }
    fn failed_login_attempts(&self) -> i32 {
        self.failed_login_attempts
    }
    fn active_sessions(&self) -> i64 {
        self.active_sessions
    }
    fn created_micros(&self) -> i64 {
        micros(self.created_at)
    }
    fn last_login_micros(&self) -> Option<i64> {
        self.last_login_at.map(micros)
    }
}

impl<A: Account + ?Sized> Account for &A {
    fn id(&self) -> Uuid {
        (**self).id()
    }
    fn email(&self) -> &str {
        (**self).email()
    }
    fn role(&self) -> Role {
        (**self).role()
    }
    fn auth_provider(&self) -> &str {
        (**self).auth_provider()
    }
    fn is_active(&self) -> bool {
        (**self).is_active()
    }
    fn email_verified(&self) -> bool {
        (**self).email_verified()
    }
    fn locked(&self) -> bool {
        (**self).locked()
    }
    fn failed_login_attempts(&self) -> i32 {
        (**self).failed_login_attempts()
    }
    fn active_sessions(&self) -> i64 {
        (**self).active_sessions()
    }
    fn created_micros(&self) -> i64 {
        (**self).created_micros()
    }
    fn last_login_micros(&self) -> Option<i64> {
        (**self).last_login_micros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_order_of_the_web_apps_login_checks() {
        let mut r = UserRow::sample("a@x.se", Role::User);
        assert_eq!(r.status(), Status::Active);
        r.email_verified = false;
        assert_eq!(r.status(), Status::Unverified);
        r.locked = true;
        assert_eq!(r.status(), Status::Locked);
        r.is_active = false;
        assert_eq!(r.status(), Status::Inactive);
        for s in [Status::Unverified, Status::Locked, Status::Inactive] {
            assert!(r.has_status(s), "{s}");
        }
        assert!(!r.has_status(Status::Active));
    }
}
