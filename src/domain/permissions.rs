//! Who may do what to whom. The console asks this before it sends a query; the store asks
//! it again inside the transaction, against the rows as they are then.

use super::Role;
use std::fmt;

/// Everything the console can do to an account.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    SetRole,
    ResetPassword,
    Delete,
    RevokeSessions,
    Deactivate,
    Activate,
    Unlock,
}

impl Action {
    /// The name written to `admin_audit_log.action`.
    pub fn audit_name(self) -> &'static str {
        match self {
            Action::Create => "create_user",
            Action::SetRole => "set_role",
            Action::ResetPassword => "reset_password",
            Action::Delete => "delete_user",
            Action::RevokeSessions => "revoke_sessions",
            Action::Deactivate => "deactivate",
            Action::Activate => "activate",
            Action::Unlock => "unlock",
        }
    }

    /// The verb used in messages ("may not delete ...").
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::SetRole => "change the role of",
            Action::ResetPassword => "reset the password of",
            Action::Delete => "delete",
            Action::RevokeSessions => "revoke the sessions of",
            Action::Deactivate => "deactivate",
            Action::Activate => "activate",
            Action::Unlock => "unlock",
        }
    }

    /// What the console calls the change in messages ("change role interrupted").
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create user",
            Action::SetRole => "change role",
            Action::ResetPassword => "reset password",
            Action::Delete => "delete",
            Action::RevokeSessions => "revoke sessions",
            Action::Deactivate => "deactivate",
            Action::Activate => "reactivate",
            Action::Unlock => "unlock",
        }
    }

    /// Actions that can leave the deployment without an active superuser.
    pub fn can_remove_superuser(self) -> bool {
        matches!(self, Action::SetRole | Action::Delete | Action::Deactivate)
    }
}

/// The acting admin, as far as rules care.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ActorView {
    pub id: uuid::Uuid,
    pub role: Role,
}

/// The account acted on, as far as rules care.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TargetView {
    pub id: uuid::Uuid,
    pub role: Role,
}

/// Why an action is refused; `Display` is the one line the admin reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("Insufficient permissions: only admins and superusers manage users.")]
    NotAnAdmin,
    #[error("Insufficient permissions to provision that user.")]
    ProvisionRole,
    #[error("Insufficient permissions: an admin may not {verb} an account with the {role} role.")]
    TargetRole { verb: &'static str, role: Role },
    #[error("Insufficient permissions: an admin may only assign the user and contributor roles.")]
    AssignRole,
    #[error("You may not {0} your own account.")]
    OnSelf(&'static str),
}

/// The rules of the web app, extended to every action of the console:
/// - only admins and superusers act at all;
/// - a superuser acts on anyone and assigns any role;
/// - an admin creates, changes and acts on `user` and `contributor` accounts only, and
///   assigns only those roles;
/// - nobody deletes, deactivates or changes the role of their own account (another
///   superuser must; this keeps an admin from locking themselves out mid-session);
/// - everyone may reset their own password and revoke their own sessions.
///
/// The last-superuser rule needs the database and lives in the store.
pub fn check(
    actor: ActorView,
    action: Action,
    target: Option<TargetView>,
    new_role: Option<Role>,
) -> Result<(), Denied> {
    if !actor.role.can_administer() {
        return Err(Denied::NotAnAdmin);
    }
    if action == Action::Create {
        return match new_role {
            Some(r) if actor.role == Role::Admin && r >= Role::Admin => Err(Denied::ProvisionRole),
            _ => Ok(()),
        };
    }
    if let Some(t) = target {
        if t.id == actor.id && matches!(action, Action::Delete | Action::Deactivate | Action::SetRole) {
            return Err(Denied::OnSelf(action.verb()));
        }
        // Anyone may reset their own password or sign themselves out everywhere.
        let own_credentials =
            t.id == actor.id && matches!(action, Action::ResetPassword | Action::RevokeSessions);
        if actor.role == Role::Admin && t.role >= Role::Admin && !own_credentials {
            return Err(Denied::TargetRole { verb: action.verb(), role: t.role });
        }
    }
    if let Some(r) = new_role
        && actor.role == Role::Admin
        && r >= Role::Admin
    {
        return Err(Denied::AssignRole);
    }
    Ok(())
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.audit_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn actor(role: Role) -> ActorView {
        ActorView { id: Uuid::from_u128(1), role }
    }
    fn target(role: Role) -> Option<TargetView> {
        Some(TargetView { id: Uuid::from_u128(2), role })
    }
    const ALL_ACTIONS: [Action; 8] = [
        Action::Create,
        Action::SetRole,
        Action::ResetPassword,
        Action::Delete,
        Action::RevokeSessions,
        Action::Deactivate,
        Action::Activate,
        Action::Unlock,
    ];

    #[test]
    fn users_and_contributors_may_do_nothing() {
        for role in [Role::User, Role::Contributor] {
            for a in ALL_ACTIONS {
                assert_eq!(check(actor(role), a, target(Role::User), None), Err(Denied::NotAnAdmin));
            }
        }
    }

    #[test]
    fn provisioning_follows_the_web_app() {
        for r in Role::ALL {
            assert!(check(actor(Role::Superuser), Action::Create, None, Some(r)).is_ok());
            let admin = check(actor(Role::Admin), Action::Create, None, Some(r));
            if r <= Role::Contributor {
                assert!(admin.is_ok());
            } else {
                assert_eq!(admin, Err(Denied::ProvisionRole));
                assert_eq!(
                    admin.unwrap_err().to_string(),
                    "Insufficient permissions to provision that user."
                );
            }
        }
    }

    #[test]
    fn admin_acts_only_on_low_accounts() {
        for a in ALL_ACTIONS.into_iter().filter(|a| *a != Action::Create) {
            for t in Role::ALL {
                let got = check(actor(Role::Admin), a, target(t), None);
                assert_eq!(got.is_ok(), t <= Role::Contributor, "{a:?} on {t:?}");
                assert!(check(actor(Role::Superuser), a, target(t), None).is_ok());
            }
        }
    }

    #[test]
    fn admin_assigns_only_low_roles() {
        for r in Role::ALL {
            let got = check(actor(Role::Admin), Action::SetRole, target(Role::User), Some(r));
            assert_eq!(got.is_ok(), r <= Role::Contributor);
            assert!(check(actor(Role::Superuser), Action::SetRole, target(Role::User), Some(r)).is_ok());
        }
    }

    #[test]
    fn nobody_deletes_deactivates_or_demotes_themselves() {
        let me = ActorView { id: Uuid::from_u128(7), role: Role::Superuser };
        let myself = Some(TargetView { id: me.id, role: Role::Superuser });
        for a in [Action::Delete, Action::Deactivate, Action::SetRole] {
            assert!(matches!(check(me, a, myself, Some(Role::User)), Err(Denied::OnSelf(_))));
        }
        assert!(check(me, Action::ResetPassword, myself, None).is_ok());
        assert!(check(me, Action::RevokeSessions, myself, None).is_ok());
    }

    #[test]
    fn an_admin_may_reset_their_own_password_but_not_another_admins() {
        let me = ActorView { id: Uuid::from_u128(7), role: Role::Admin };
        let myself = Some(TargetView { id: me.id, role: Role::Admin });
        assert!(check(me, Action::ResetPassword, myself, None).is_ok());
        assert!(check(me, Action::RevokeSessions, myself, None).is_ok());
        assert!(check(me, Action::Unlock, myself, None).is_err());
        assert!(check(me, Action::ResetPassword, target(Role::Admin), None).is_err());
    }
}
