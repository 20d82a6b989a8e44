//! Undoing a recorded change: which changes can be undone, and what each of its audit rows
//! lets a revert put back. A revert restores the recorded "before" values only where the
//! account still holds the recorded "after" values: anything changed since is refused as
//! stale, never overwritten.
//!
//! The values are read from the rows' keys, so a revert's own rows (written in the same
//! shapes) can be reverted too: that redoes the change.

use super::{Change, Role, UserRow};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The actions whose rows a revert can put back.
pub const REVERTABLE: [&str; 8] = [
    "set_role",
    "activate",
    "deactivate",
    "unlock",
    "verify_email",
    "unverify_email",
    "restore_lock",
    "edit_account",
];

/// Every action the audit log holds: each change's, the bootstrap, sign-ins and reverts.
pub const ALL_ACTIONS: [&str; 16] = [
    "create_user",
    "set_role",
    "activate",
    "deactivate",
    "unlock",
    "revoke_sessions",
    "revoke_session",
    "verify_email",
    "reset_password",
    "delete_user",
    "edit_account",
    "bootstrap_superuser",
    "unverify_email",
    "restore_lock",
    "sign_in",
    "sign_in_failed",
];

/// Why the changes of `action` cannot be reverted (`None` when they can).
pub fn why_not(action: &str) -> Option<&'static str> {
    if REVERTABLE.contains(&action) {
        return None;
    }
    Some(match action {
        "delete_user" => "a deleted account cannot be brought back",
        "reset_password" => "the old password is not kept anywhere",
        "revoke_sessions" | "revoke_session" => "revoked sessions cannot be restored",
        "create_user" | "bootstrap_superuser" => "a created account is removed by deleting it",
        "sign_in" | "sign_in_failed" => "a sign-in is not a change",
        _ => "it is not a change this tool knows how to revert",
    })
}

/// Whether the console's confirmation of `change` may promise "z undoes".
pub fn can_undo(change: &Change) -> bool {
    matches!(change, Change::Revert(_)) || why_not(change.audit_name()).is_none()
}

/// One field's value, as a revert reads and writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Restore {
    Role(Role),
    Active(bool),
    Verified(bool),
    /// The failed-login count and the lock's end (a lock that has run out by the time of
    /// the revert is not put back).
    Lock {
        failed_login_attempts: i32,
        locked_until: Option<OffsetDateTime>,
    },
}

impl Restore {
    /// The values of one audit row's `before` or `after`, by its keys.
    pub fn from_values(v: &Value) -> Option<Restore> {
        if let Some(r) = v.get("role").and_then(Value::as_str) {
            return Some(Restore::Role(Role::from_db(r)));
        }
        if let Some(a) = v.get("is_active").and_then(Value::as_bool) {
            return Some(Restore::Active(a));
        }
        if let Some(b) = v.get("email_verified").and_then(Value::as_bool) {
            return Some(Restore::Verified(b));
        }
        let failed = v.get("failed_login_attempts").and_then(Value::as_i64)?;
        let locked_until = v
            .get("locked_until")
            .and_then(Value::as_str)
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
        Some(Restore::Lock { failed_login_attempts: i32::try_from(failed).ok()?, locked_until })
    }

    /// The value the account has now, in the same terms.
    pub fn current(&self, row: &UserRow) -> Restore {
        match self {
            Restore::Role(_) => Restore::Role(row.role),
            Restore::Active(_) => Restore::Active(row.is_active),
            Restore::Verified(_) => Restore::Verified(row.email_verified),
            Restore::Lock { .. } => Restore::Lock {
                failed_login_attempts: row.failed_login_attempts,
                locked_until: row.locked_until.filter(|_| row.locked),
            },
        }
    }

    /// Whether the account still holds these values (a lock matches by being in force or
    /// not, not by its exact end).
    pub fn holds(&self, row: &UserRow) -> bool {
        match (self, self.current(row)) {
            (
                Restore::Lock { failed_login_attempts: f, locked_until: u },
                Restore::Lock { failed_login_attempts: nf, locked_until: nu },
            ) => *f == nf && u.is_some() == nu.is_some(),
            (want, now) => *want == now,
        }
    }

    /// "role admin", "inactive", "unverified", "3 failed logins, locked".
    pub fn describe(&self) -> String {
        match self {
            Restore::Role(r) => format!("role {r}"),
            Restore::Active(true) => "active".into(),
            Restore::Active(false) => "inactive".into(),
            Restore::Verified(true) => "verified".into(),
            Restore::Verified(false) => "unverified".into(),
            Restore::Lock { failed_login_attempts: n, locked_until } => {
                let lock = if locked_until.is_some() { ", locked" } else { "" };
                format!("{} failed login{}{lock}", n, if *n == 1 { "" } else { "s" })
            }
        }
    }

    /// The change whose permission rule a restore of this value passes.
    pub fn as_change(&self) -> Change {
        match self {
            Restore::Role(r) => Change::SetRole(*r),
            Restore::Active(a) => Change::SetActive(*a),
            Restore::Verified(_) => Change::VerifyEmail,
            Restore::Lock { .. } => Change::Unlock,
        }
    }

    /// Whether putting this back keeps the account from signing in (unverified, locked).
    pub fn shuts_out(&self) -> bool {
        matches!(self, Restore::Verified(false) | Restore::Lock { locked_until: Some(_), .. })
    }

    /// Whether putting this back on `row` takes an active superuser away (demoted,
    /// deactivated, or shut out of signing in).
    pub fn removes_superuser(&self, row: &UserRow) -> bool {
        row.role == Role::Superuser
            && row.is_active
            && match self {
                Restore::Role(r) => *r != Role::Superuser,
                Restore::Active(a) => !a,
                other => other.shuts_out(),
            }
    }

    /// The audit action of a revert that puts this value back.
    pub fn action(&self) -> &'static str {
        match self {
            Restore::Role(_) => "set_role",
            Restore::Active(true) => "activate",
            Restore::Active(false) => "deactivate",
            Restore::Verified(true) => "verify_email",
            Restore::Verified(false) => "unverify_email",
            Restore::Lock { .. } => "restore_lock",
        }
    }

    /// The value as an audit row's `before` or `after` (the shape [`from_values`] reads).
    ///
    /// [`from_values`]: Restore::from_values
    pub fn to_values(&self) -> Value {
        match self {
            Restore::Role(r) => json!({"role": r}),
            Restore::Active(a) => json!({"is_active": a}),
            Restore::Verified(v) => json!({"email_verified": v}),
            Restore::Lock { failed_login_attempts, locked_until } => json!({
                "failed_login_attempts": failed_login_attempts,
                "locked": locked_until.is_some(),
                "locked_until": locked_until.and_then(|t| t.format(&Rfc3339).ok()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_of_flags_and_roles_can_be_reverted() {
        assert!(why_not("set_role").is_none());
        assert!(why_not("unverify_email").is_none(), "a revert can itself be reverted");
        assert!(why_not("delete_user").is_some());
        assert!(why_not("reset_password").is_some());
        assert!(why_not("revoke_sessions").is_some());
        assert!(!can_undo(&Change::RevokeSession(uuid::Uuid::nil())), "one revoked session stays revoked");
        assert!(why_not("no_such_action").is_some());
        assert!(can_undo(&Change::SetActive(false)));
        assert!(!can_undo(&Change::Delete));
        for a in REVERTABLE {
            assert!(ALL_ACTIONS.contains(&a));
        }
    }

    #[test]
    fn values_are_read_by_their_keys_and_written_back_alike() {
        let before = json!({"is_active": true, "active_sessions": 2});
        assert_eq!(Restore::from_values(&before), Some(Restore::Active(true)));
        let lock = Restore::Lock { failed_login_attempts: 5, locked_until: Some(OffsetDateTime::UNIX_EPOCH) };
        assert_eq!(Restore::from_values(&lock.to_values()), Some(lock.clone()));
        for r in [Restore::Role(Role::Admin), Restore::Verified(false), Restore::Active(false)] {
            assert_eq!(Restore::from_values(&r.to_values()), Some(r.clone()));
        }
        assert_eq!(Restore::from_values(&json!({"sessions_revoked": 1})), None);
    }

    #[test]
    fn a_row_holds_values_and_demotions_of_superusers_are_seen() {
        let mut row = UserRow::sample("a@x.se", Role::Superuser);
        assert!(Restore::Role(Role::Superuser).holds(&row));
        assert!(!Restore::Role(Role::Admin).holds(&row));
        assert!(Restore::Role(Role::Admin).removes_superuser(&row));
        assert!(Restore::Active(false).removes_superuser(&row));
        assert!(Restore::Verified(false).removes_superuser(&row), "an unverified superuser cannot sign in");
        assert!(!Restore::Verified(true).removes_superuser(&row));
        row.failed_login_attempts = 0;
        assert!(Restore::Lock { failed_login_attempts: 0, locked_until: None }.holds(&row));
        row.locked = true;
        row.locked_until = Some(OffsetDateTime::UNIX_EPOCH);
        assert!(!Restore::Lock { failed_login_attempts: 0, locked_until: None }.holds(&row));
    }
}
