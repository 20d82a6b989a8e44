//! The four roles of Skriptoteket and their rank.

use std::fmt;
use std::str::FromStr;

/// A user's role. The derived order is the web app's rank:
/// user < contributor < admin < superuser.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    User,
    Contributor,
    Admin,
    Superuser,
}

impl Role {
    /// Every role, lowest rank first.
    pub const ALL: [Role; 4] = [Role::User, Role::Contributor, Role::Admin, Role::Superuser];

    /// The spelling stored in `users.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Contributor => "contributor",
            Role::Admin => "admin",
            Role::Superuser => "superuser",
        }
    }

    /// True for the roles that may use this console at all.
    pub fn can_administer(self) -> bool {
        self >= Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The role text was none of the four roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': expected user, contributor, admin or superuser")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    /// Case-insensitive, surrounding white space ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_follows_the_web_app() {
        assert!(Role::User < Role::Contributor);
        assert!(Role::Contributor < Role::Admin);
        assert!(Role::Admin < Role::Superuser);
    }

    #[test]
    fn parses_every_spelling_and_rejects_others() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
            assert_eq!(r.as_str().to_uppercase().parse::<Role>(), Ok(r));
        }
        assert_eq!(" Admin ".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
        assert!("".parse::<Role>().is_err());
    }

    #[test]
    fn only_admins_and_superusers_administer() {
        assert!(!Role::User.can_administer());
        assert!(!Role::Contributor.can_administer());
        assert!(Role::Admin.can_administer());
        assert!(Role::Superuser.can_administer());
    }
}
