//! Who may do what to whom. The console asks this before it sends a query; the store asks
//! it again inside the transaction, against the rows as they are then.

use super::{Change, Role};

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
    /// The web app's words, then the rule that refused it.
    #[error(
        "Insufficient permissions to provision that user. (An admin creates user and contributor accounts only; a superuser creates any.)"
    )]
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
pub fn check(actor: ActorView, change: &Change, target: Option<TargetView>) -> Result<(), Denied> {
    if !actor.role.can_administer() {
        return Err(Denied::NotAnAdmin);
    }
    if let Change::Create { role, .. } = change {
        return if actor.role == Role::Admin && *role >= Role::Admin {
            Err(Denied::ProvisionRole)
        } else {
            Ok(())
        };
    }
    if let Some(t) = target {
        let on_self = t.id == actor.id;
        // Nor edits it: their own email and names they change in the web app's profile.
        if on_self
            && matches!(
                change,
                Change::Delete | Change::SetActive(false) | Change::SetRole(_) | Change::Edit(_)
            )
        {
            return Err(Denied::OnSelf(change.verb()));
        }
        // Anyone may reset their own password or sign themselves out (everywhere, or of
        // one session).
        let own_credentials = on_self
            && matches!(
                change,
                Change::ResetPassword { .. } | Change::RevokeSessions | Change::RevokeSession(_)
            );
        if actor.role == Role::Admin && t.role >= Role::Admin && !own_credentials {
            return Err(Denied::TargetRole { verb: change.verb(), role: t.role });
        }
    }
    if let Some(r) = change.new_role()
        && actor.role == Role::Admin
        && r >= Role::Admin
    {
        return Err(Denied::AssignRole);
    }
    Ok(())
}

/// Whether `actor` may give an account `role` at all, by creating it or changing its role:
/// the role picker and the new-user form offer the others disabled, with this reason.
pub fn may_assign(actor: Role, role: Role) -> Result<(), Denied> {
    if actor == Role::Admin && role >= Role::Admin { Err(Denied::AssignRole) } else { Ok(()) }
}

/// Whether the actor may change `target`'s role at all (before a role is chosen): the
/// role picker opens only then.
pub fn may_change_role_of(actor: ActorView, target: TargetView) -> Result<(), Denied> {
    check(actor, &Change::SetRole(Role::User), Some(target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;
    use uuid::Uuid;

    fn actor(role: Role) -> ActorView {
        ActorView { id: Uuid::from_u128(1), role }
    }
    fn target(role: Role) -> Option<TargetView> {
        Some(TargetView { id: Uuid::from_u128(2), role })
    }
    fn create(role: Role) -> Change {
        Change::Create { email: Email::parse("new@x.se").expect("email"), role }
    }
    /// Every change to an existing account.
    fn all_edits() -> Vec<Change> {
        vec![
            Change::SetRole(Role::User),
            Change::SetActive(true),
            Change::SetActive(false),
            Change::Unlock,
            Change::RevokeSessions,
            Change::RevokeSession(Uuid::from_u128(9)),
            Change::VerifyEmail,
            Change::ResetPassword { revoke_sessions: true },
            Change::Delete,
        ]
    }

    #[test]
    fn users_and_contributors_may_do_nothing() {
        for role in [Role::User, Role::Contributor] {
            for c in all_edits().into_iter().chain([create(Role::User)]) {
                assert_eq!(check(actor(role), &c, target(Role::User)), Err(Denied::NotAnAdmin));
            }
        }
    }

    #[test]
    fn provisioning_follows_the_web_app() {
        for r in Role::ALL {
            assert!(check(actor(Role::Superuser), &create(r), None).is_ok());
            let admin = check(actor(Role::Admin), &create(r), None);
            if r <= Role::Contributor {
                assert!(admin.is_ok());
            } else {
                assert_eq!(admin, Err(Denied::ProvisionRole));
                let said = admin.map_err(|e| e.to_string()).expect_err("refused");
                assert!(
                    said.starts_with("Insufficient permissions to provision that user. (An admin creates"),
                    "{said}"
                );
            }
        }
    }

    #[test]
    fn admin_acts_only_on_low_accounts() {
        for c in all_edits() {
            for t in Role::ALL {
                let got = check(actor(Role::Admin), &c, target(t));
                assert_eq!(got.is_ok(), t <= Role::Contributor, "{c:?} on {t:?}");
                assert!(check(actor(Role::Superuser), &c, target(t)).is_ok());
            }
        }
    }

    #[test]
    fn admin_assigns_only_low_roles() {
        for r in Role::ALL {
            let got = check(actor(Role::Admin), &Change::SetRole(r), target(Role::User));
            assert_eq!(got.is_ok(), r <= Role::Contributor);
            assert!(check(actor(Role::Superuser), &Change::SetRole(r), target(Role::User)).is_ok());
        }
    }

    #[test]
    fn nobody_deletes_deactivates_or_demotes_themselves() {
        let me = ActorView { id: Uuid::from_u128(7), role: Role::Superuser };
        let myself = Some(TargetView { id: me.id, role: Role::Superuser });
        for c in [Change::Delete, Change::SetActive(false), Change::SetRole(Role::User)] {
            assert!(matches!(check(me, &c, myself), Err(Denied::OnSelf(_))));
        }
        assert!(check(me, &Change::ResetPassword { revoke_sessions: true }, myself).is_ok());
        assert!(check(me, &Change::RevokeSessions, myself).is_ok());
        assert!(check(me, &Change::RevokeSession(Uuid::from_u128(9)), myself).is_ok());
    }

    #[test]
    fn an_admin_may_reset_their_own_password_but_not_another_admins() {
        let me = ActorView { id: Uuid::from_u128(7), role: Role::Admin };
        let myself = Some(TargetView { id: me.id, role: Role::Admin });
        let reset = Change::ResetPassword { revoke_sessions: false };
        assert!(check(me, &reset, myself).is_ok());
        assert!(check(me, &Change::RevokeSessions, myself).is_ok());
        assert!(check(me, &Change::Unlock, myself).is_err());
        assert!(check(me, &Change::VerifyEmail, myself).is_err());
        assert!(check(me, &reset, target(Role::Admin)).is_err());
    }

    #[test]
    fn the_role_picker_opens_only_on_accounts_the_actor_may_change() {
        assert!(
            may_change_role_of(
                actor(Role::Admin),
                TargetView { id: Uuid::from_u128(2), role: Role::Contributor }
            )
            .is_ok()
        );
        assert!(
            may_change_role_of(actor(Role::Admin), TargetView { id: Uuid::from_u128(2), role: Role::Admin })
                .is_err()
        );
    }
}
