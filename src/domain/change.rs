//! Every change this tool makes to accounts, in one vocabulary. A `Change` knows its audit
//! name, the words the admin reads before confirming it and the summary after it applied;
//! the console and the subcommands print exactly these, and the store executes a `Change`
//! in one place (`store::change::apply`). The permission rule is in `permissions`.
//!
//! A new kind of change is a variant here, its SQL and audit values in `store::mutate`, a
//! key in the console's keymap and a subcommand.

use super::account::Account;
use super::references::Dependent;
use super::{Email, Role, UserRow};
use crate::plural::count;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A change to accounts. Passwords are not part of it: the worker (or the CLI) hashes the
/// new password off-thread and hands the store the hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A local account with the web app's admin-provisioned shape.
    Create {
        email: Email,
        role: Role,
    },
    SetRole(Role),
    /// Reactivate (`true`) or deactivate (`false`; also revokes the account's sessions).
    SetActive(bool),
    /// Clear the failed-login count and the lock.
    Unlock,
    RevokeSessions,
    /// Revoke one session (by its id) of the one target account, which must still be
    /// active: the details view's `x`.
    RevokeSession(Uuid),
    /// Mark the email verified: an admin vouches for the address of an account that
    /// registered itself and never followed the link, so the web app lets it log in.
    VerifyEmail,
    /// A new password (one account at a time: one hash must never serve two accounts).
    ResetPassword {
        revoke_sessions: bool,
    },
    Delete,
    /// Change one account's email and profile (names, locale): `domain::edit`.
    Edit(Box<super::edit::Edit>),
    /// Put back what the change with this id changed (role, active flag, lock, verified
    /// flag), where each account still holds what it left; the rows are the change's.
    Revert(Uuid),
}

/// What happened to one existing account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub id: Uuid,
    pub email: String,
    /// False when the account already was as asked (nothing written, nothing audited).
    pub changed: bool,
    pub sessions_revoked: u64,
    /// A password reset lifted a lock after failed logins (or cleared their count).
    pub unlocked: bool,
}

/// What a change did, as data; [`Change::summary`] phrases it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    Changed(Vec<Applied>),
    Created(UserRow),
    /// The deleted accounts and what went with them (cascaded or set to NULL).
    Deleted {
        rows: Vec<UserRow>,
        effects: Vec<Dependent>,
    },
}

impl Change {
    /// The name written to `admin_audit_log.action`.
    pub fn audit_name(&self) -> &'static str {
        match self {
            Change::Create { .. } => "create_user",
            Change::SetRole(_) => "set_role",
            Change::SetActive(true) => "activate",
            Change::SetActive(false) => "deactivate",
            Change::Unlock => "unlock",
            Change::RevokeSessions => "revoke_sessions",
            Change::RevokeSession(_) => "revoke_session",
            Change::VerifyEmail => "verify_email",
            Change::ResetPassword { .. } => "reset_password",
            Change::Delete => "delete_user",
            Change::Edit(_) => "edit_account",
            // Its rows are written with the action each restore amounts to (`set_role`, ...),
            // linked to the reverted change; this names the request itself.
            Change::Revert(_) => "revert",
        }
    }

    /// The change's name in messages ("change role interrupted").
    pub fn label(&self) -> &'static str {
        match self {
            Change::Create { .. } => "create user",
            Change::SetRole(_) => "change role",
            Change::SetActive(true) => "reactivate",
            Change::SetActive(false) => "deactivate",
            Change::Unlock => "unlock",
            Change::RevokeSessions => "revoke sessions",
            Change::RevokeSession(_) => "revoke session",
            Change::VerifyEmail => "mark email verified",
            Change::ResetPassword { .. } => "reset password",
            Change::Delete => "delete",
            Change::Edit(_) => "edit account",
            Change::Revert(_) => "revert",
        }
    }

    /// The verb of refusals ("an admin may not {verb} an account with the admin role").
    pub fn verb(&self) -> &'static str {
        match self {
            Change::Create { .. } => "create",
            Change::SetRole(_) => "change the role of",
            Change::SetActive(true) => "activate",
            Change::SetActive(false) => "deactivate",
            Change::Unlock => "unlock",
            Change::RevokeSessions => "revoke the sessions of",
            Change::RevokeSession(_) => "revoke a session of",
            Change::VerifyEmail => "verify the email of",
            Change::ResetPassword { .. } => "reset the password of",
            Change::Delete => "delete",
            Change::Edit(_) => "edit",
            Change::Revert(_) => "revert a change to",
        }
    }

    /// The role the change gives (a new account's, or the new one of a role change).
    pub fn new_role(&self) -> Option<Role> {
        match self {
            Change::Create { role, .. } | Change::SetRole(role) => Some(*role),
            _ => None,
        }
    }

    /// Changes that can take an active superuser away (demote, deactivate, delete): the
    /// store serialises them and counts the superusers that remain.
    pub fn can_remove_superuser(&self) -> bool {
        matches!(self, Change::SetRole(r) if *r != Role::Superuser)
            || matches!(self, Change::SetActive(false) | Change::Delete | Change::Revert(_))
    }

    /// Changes that need a new password (given, or generated by the caller).
    pub fn needs_password(&self) -> bool {
        matches!(self, Change::Create { .. } | Change::ResetPassword { .. })
    }

    /// True when the account already is as the change asks: it is reported, not written.
    pub fn is_noop(&self, row: &impl Account) -> bool {
        match self {
            Change::SetRole(r) => row.role() == *r,
            // An inactive account with sessions left is deactivated again: they are revoked.
            Change::SetActive(false) => !row.is_active() && row.active_sessions() == 0,
            Change::SetActive(true) => row.is_active(),
            Change::Unlock => !row.locked() && row.failed_login_attempts() == 0,
            Change::RevokeSessions => row.active_sessions() == 0,
            Change::VerifyEmail => row.email_verified(),
            // Whether that session is still active is the store's to check; what an edit
            // changes, the store works out against the profile.
            Change::Edit(_)
            | Change::Create { .. }
            | Change::ResetPassword { .. }
            | Change::Delete
            | Change::Revert(_)
            | Change::RevokeSession(_) => false,
        }
    }

    /// What confirming the change will do to `rows`, first line first: the words of the
    /// console's confirmation and of the CLI's plan. The accounts themselves are listed by
    /// the caller.
    pub fn confirmation<A: Account>(&self, rows: &[A]) -> Vec<String> {
        let mut lines = self.what_it_does(rows);
        // Several accounts: the admins and superusers among them are said, so that a sweep
        // by filter does not take the break-glass superuser along unseen.
        if rows.len() > 1
            && let Some(said) = privileged(rows.iter().map(|r| r.role()))
        {
            lines.insert(1.min(lines.len()), format!("  Includes {said}."));
        }
        lines
    }

    /// [`Change::confirmation`] without the line on admins and superusers.
    fn what_it_does<A: Account>(&self, rows: &[A]) -> Vec<String> {
        let users = match rows {
            [one] => format!("1 user ({})", one.email()),
            _ => count(rows.len() as i64, "user"),
        };
        let sessions: i64 = rows.iter().map(|r| r.active_sessions()).sum();
        let sessions_line = |verb: &str| match sessions {
            0 => "  None of them has an active session.".to_string(),
            n => format!("  {} will be {verb}.", count(n, "active session")),
        };
        match self {
            Change::SetRole(role) => {
                let mut from: BTreeMap<Role, usize> = BTreeMap::new();
                for r in rows {
                    *from.entry(r.role()).or_default() += 1;
                }
                let mut lines = vec![format!("Change the role of {users} to {role}:")];
                for (r, k) in from {
                    if r == *role {
                        lines.push(format!("  {k} already {role} (unchanged)"));
                    } else {
                        lines.push(format!("  {k} {r} → {role}"));
                    }
                }
                lines
            }
            Change::SetActive(false) => {
                vec![format!("Deactivate {users}: they can no longer log in."), sessions_line("revoked")]
            }
            Change::SetActive(true) => {
                let mut lines = vec![format!("Reactivate {users}: they can log in again.")];
                let locked = rows.iter().filter(|r| r.locked()).count();
                if locked > 0 {
                    lines
                        .push(format!("  {} still locked after failed logins (u unlocks).", of_them(locked)));
                }
                lines
            }
            Change::Unlock => {
                let n = rows.iter().filter(|r| r.locked() || r.failed_login_attempts() > 0).count();
                vec![
                    format!("Unlock {users}: failed logins reset to 0, lock lifted."),
                    format!("  {} locked or has failed logins now.", of_them(n)),
                ]
            }
            Change::RevokeSessions => vec![match sessions {
                0 => format!("Revoke the sessions of {users}: none is active now (nothing will change)."),
                1 => format!("Revoke the active session of {users}: they must log in again."),
                n => format!("Revoke all {} of {users}: they must log in again.", count(n, "active session")),
            }],
            Change::RevokeSession(id) => vec![
                format!(
                    "Revoke session {} of {}?",
                    short_id(id),
                    rows.first().map_or("the account", |r| r.email())
                ),
                "  Whoever uses it must log in again; the account's other sessions stay.".to_string(),
            ],
            Change::VerifyEmail => {
                let mut lines = vec![
                    format!("Mark the email of {users} as verified."),
                    "  You vouch for the address; the web app then lets the account".to_string(),
                    "  log in without the emailed link (pending links stop working).".to_string(),
                ];
                let todo = rows.iter().filter(|r| !r.email_verified()).count();
                if todo < rows.len() {
                    lines.push(format!(
                        "  {} unverified now; the others are verified already.",
                        of_them(todo)
                    ));
                }
                lines
            }
            Change::ResetPassword { revoke_sessions } => {
                let mut lines = vec![format!("Set a new password for {users}.")];
                if *revoke_sessions {
                    lines.push(sessions_line("revoked"));
                }
                // A reset means "let them in": the web app would refuse the new password
                // while a lock after failed logins holds.
                if rows.iter().any(|r| r.locked()) {
                    lines.push("  Locked after failed logins now: the lock is lifted too.".to_string());
                } else if rows.iter().any(|r| r.failed_login_attempts() > 0) {
                    lines.push("  Its failed-login count goes back to 0 too.".to_string());
                }
                lines
            }
            Change::Create { email, role } => {
                vec![format!("Create the local account {email} with the role {role}, email verified.")]
            }
            Change::Delete => vec![format!("Delete {users} permanently.")],
            // The fields before → after are the caller's, who read the profile.
            Change::Edit(e) => {
                let mut lines = vec![format!("Edit the account of {users}:")];
                if e.email.is_some() {
                    if e.vouch {
                        lines
                            .push("  You vouch for the new address: it stays verified, the user".to_string());
                        lines.push("  logs in with it at once.".to_string());
                    } else {
                        lines.push(
                            "  The new address is unverified, as the web app leaves it: the user".to_string(),
                        );
                        lines.push("  cannot log in until they verify it.".to_string());
                    }
                    lines.push(
                        "  Pending verification links (sent to the old address) stop working.".to_string(),
                    );
                }
                if e.revoke_sessions {
                    lines.push(sessions_line("revoked"));
                }
                lines
            }
            Change::Revert(id) => vec![
                format!("Revert change {id}:"),
                "  put back the values it changed on each account it touched,".to_string(),
                "  where the account still holds what it left (else nothing changes).".to_string(),
            ],
        }
    }

    /// Changes a protected deployment guards when they touch several accounts: they take
    /// rights, access or accounts away. A revert is guarded as one of many accounts, since
    /// it can take away what a bulk change gave (reactivations, promotions).
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Change::Delete
                | Change::SetActive(false)
                | Change::RevokeSessions
                | Change::RevokeSession(_)
                | Change::SetRole(_)
                | Change::ResetPassword { .. }
                | Change::Revert(_)
        )
    }

    /// The subcommand that makes this change to `emails`, as arguments after the program
    /// name (the actor and reason are added by the caller).
    pub fn cli_args(&self, emails: &[String]) -> Vec<String> {
        let mut args: Vec<String> = match self {
            Change::Create { email, role } => {
                return vec![
                    "provision-user".into(),
                    "--email".into(),
                    email.to_string(),
                    "--role".into(),
                    role.to_string(),
                    "--generate-password".into(),
                ];
            }
            Change::SetRole(r) => vec!["set-role".into(), "--role".into(), r.to_string()],
            Change::SetActive(true) => vec!["activate".into()],
            Change::SetActive(false) => vec!["deactivate".into()],
            Change::Unlock => vec!["unlock".into()],
            Change::RevokeSessions => vec!["revoke-sessions".into()],
            Change::RevokeSession(id) => vec!["revoke-sessions".into(), "--session".into(), id.to_string()],
            Change::VerifyEmail => vec!["verify-email".into()],
            Change::ResetPassword { revoke_sessions } => {
                let mut a = vec!["reset-password".into(), "--generate-password".into()];
                if !revoke_sessions {
                    a.push("--keep-sessions".into());
                }
                a
            }
            Change::Delete => vec!["delete".into(), "--yes".into()],
            Change::Edit(e) => {
                let mut a = vec!["edit".to_string()];
                a.extend(emails.iter().cloned());
                a.extend(e.cli_args());
                return a;
            }
            Change::Revert(id) => return vec!["revert".into(), id.to_string()],
        };
        args.extend(emails.iter().cloned());
        args
    }

    /// The whole command that makes this change to `emails` as `actor` (with `reason`),
    /// quoted for a POSIX shell so that it runs as printed; the password it needs comes as
    /// every subcommand's does, never in the line.
    pub fn command_line(&self, emails: &[String], actor: Option<&str>, reason: Option<&str>) -> String {
        let mut args = vec!["skriptoteket-admin".to_string()];
        args.extend(self.cli_args(emails));
        if let Some(actor) = actor {
            args.extend(["--actor-email".to_string(), actor.to_string()]);
        }
        if let Some(r) = reason {
            args.extend(["--reason".to_string(), r.to_string()]);
        }
        shlex::try_join(args.iter().map(String::as_str))
            .unwrap_or_else(|_| "# an email holds a NUL byte: no shell command can name it".into())
    }

    /// One line about what was done, for the console's status line and the CLI's last line.
    pub fn summary(&self, done: &Done) -> String {
        match done {
            Done::Created(row) => format!("created {} ({})", row.email, row.role),
            Done::Deleted { rows, effects } => {
                let n = count(rows.len() as i64, "user");
                if effects.is_empty() {
                    format!("deleted {n}")
                } else {
                    let also = effects
                        .iter()
                        .map(|d| format!("{} {} {}", d.rows, d.table, d.on_delete.describe()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("deleted {n} ({also})")
                }
            }
            Done::Changed(applied) => {
                let changed = applied.iter().filter(|a| a.changed).count();
                let same = applied.len() - changed;
                let revoked: u64 = applied.iter().map(|a| a.sessions_revoked).sum();
                let mut s = match self {
                    Change::SetRole(r) => format!("role set to {r} for {}", count(changed as i64, "user")),
                    Change::Revert(_) => format!("reverted: {} restored", count(changed as i64, "user")),
                    Change::RevokeSession(id) => match applied.first() {
                        Some(a) => format!("session {} of {} revoked", short_id(id), a.email),
                        None => format!("session {} revoked", short_id(id)),
                    },
                    Change::Edit(_) => match applied.first() {
                        Some(a) if a.changed => format!("{} edited", a.email),
                        Some(a) => return format!("{}: already so, nothing changed", a.email),
                        None => "edited".into(),
                    },
                    Change::ResetPassword { .. } => match applied.first() {
                        Some(a) if a.unlocked => format!("password of {} reset, its lock lifted", a.email),
                        Some(a) => format!("password of {} reset", a.email),
                        None => "password reset".into(),
                    },
                    other => format!("{}: {}", other.label(), count(changed as i64, "user")),
                };
                if same > 0 {
                    s.push_str(&format!(", {same} already so"));
                }
                if revoked > 0 && !matches!(self, Change::RevokeSession(_)) {
                    s.push_str(&format!(", {} revoked", count(revoked as i64, "session")));
                }
                s
            }
        }
    }

    /// What happened to one account, for the CLI's line per account.
    pub fn outcome_for(&self, a: &Applied) -> String {
        if !a.changed {
            return "unchanged (already so)".into();
        }
        let what = match self {
            Change::SetRole(r) => format!("role set to {r}"),
            Change::SetActive(true) => "activated".into(),
            Change::SetActive(false) => "deactivated".into(),
            Change::Unlock => "unlocked".into(),
            Change::RevokeSessions => "sessions revoked".into(),
            Change::RevokeSession(id) => return format!("session {} revoked", short_id(id)),
            Change::VerifyEmail => "email marked verified".into(),
            Change::ResetPassword { .. } if a.unlocked => "password reset, lock lifted".into(),
            Change::ResetPassword { .. } => "password reset".into(),
            Change::Create { .. } => "created".into(),
            Change::Delete => "deleted".into(),
            Change::Edit(_) => "edited".into(),
            Change::Revert(_) => "restored".into(),
        };
        if a.sessions_revoked > 0 {
            format!("{what} ({} revoked)", count(a.sessions_revoked as i64, "session"))
        } else {
            what
        }
    }
}

/// The first 8 hex digits of an id: how the details view and messages name a session.
pub fn short_id(id: &Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

/// "1 of them is" / "3 of them are".
/// "1 superuser and 2 admins" among `roles`; `None` when there is neither.
pub fn privileged(roles: impl Iterator<Item = Role>) -> Option<String> {
    let (mut supers, mut admins) = (0i64, 0i64);
    for r in roles {
        match r {
            Role::Superuser => supers += 1,
            Role::Admin => admins += 1,
            _ => {}
        }
    }
    match (supers, admins) {
        (0, 0) => None,
        (s, 0) => Some(count(s, "superuser")),
        (0, a) => Some(count(a, "admin")),
        (s, a) => Some(format!("{} and {}", count(s, "superuser"), count(a, "admin"))),
    }
}

fn of_them(n: usize) -> String {
    if n == 1 { "1 of them is".to_string() } else { format!("{n} of them are") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noop_rows_are_those_already_as_asked() {
        let mut r = UserRow::sample("a@x.se", Role::User);
        assert!(Change::SetRole(Role::User).is_noop(&r));
        assert!(!Change::SetRole(Role::Admin).is_noop(&r));
        assert!(Change::VerifyEmail.is_noop(&r));
        r.email_verified = false;
        assert!(!Change::VerifyEmail.is_noop(&r));
        assert!(Change::RevokeSessions.is_noop(&r));
        assert!(!Change::Delete.is_noop(&r));
        r.is_active = false;
        assert!(Change::SetActive(false).is_noop(&r));
        r.active_sessions = 2;
        assert!(!Change::SetActive(false).is_noop(&r), "sessions left on an inactive account are revoked");
    }

    #[test]
    fn only_demote_deactivate_and_delete_can_remove_a_superuser() {
        assert!(Change::SetRole(Role::Admin).can_remove_superuser());
        assert!(!Change::SetRole(Role::Superuser).can_remove_superuser());
        assert!(Change::SetActive(false).can_remove_superuser());
        assert!(Change::Delete.can_remove_superuser());
        assert!(!Change::VerifyEmail.can_remove_superuser());
        assert!(!Change::SetActive(true).can_remove_superuser());
    }

    #[test]
    fn confirmations_count_with_the_right_grammar() {
        let mut a = UserRow::sample("a@x.se", Role::User);
        a.email_verified = false;
        let b = UserRow::sample("b@x.se", Role::User);
        let lines = Change::VerifyEmail.confirmation(&[&a, &b]);
        assert_eq!(lines[0], "Mark the email of 2 users as verified.");
        assert_eq!(lines[3], "  1 of them is unverified now; the others are verified already.");
        assert_eq!(Change::VerifyEmail.confirmation(&[&a]).len(), 3, "one account: no count");
        let lines = Change::SetRole(Role::Contributor).confirmation(&[&a]);
        assert_eq!(lines, ["Change the role of 1 user (a@x.se) to contributor:", "  1 user → contributor"]);
        let mut s = UserRow::sample("s@x.se", Role::User);
        s.active_sessions = 1;
        assert_eq!(
            Change::RevokeSessions.confirmation(&[&s]),
            ["Revoke the active session of 1 user (s@x.se): they must log in again."]
        );
        // Several accounts: the admins and superusers among them are said.
        let boss = UserRow::sample("boss@x.se", Role::Superuser);
        let adm = UserRow::sample("adm@x.se", Role::Admin);
        let lines = Change::SetActive(false).confirmation(&[&a, &boss, &adm]);
        assert_eq!(lines[1], "  Includes 1 superuser and 1 admin.");
        assert!(Change::SetActive(false).confirmation(&[&boss]).iter().all(|l| !l.contains("Includes")));
    }

    #[test]
    fn summaries_say_what_changed_and_what_was_already_so() {
        let applied = |changed, n| Applied {
            id: Uuid::new_v4(),
            email: "a@x.se".into(),
            changed,
            sessions_revoked: n,
            unlocked: false,
        };
        let done = Done::Changed(vec![applied(true, 2), applied(false, 0)]);
        assert_eq!(
            Change::SetActive(false).summary(&done),
            "deactivate: 1 user, 1 already so, 2 sessions revoked"
        );
        assert_eq!(
            Change::VerifyEmail.summary(&Done::Changed(vec![applied(true, 0)])),
            "mark email verified: 1 user"
        );
        assert_eq!(
            Change::SetActive(false).outcome_for(&applied(true, 1)),
            "deactivated (1 session revoked)"
        );
    }
}
