//! The four roles of Skriptoteket and their rank.

use std::fmt;
use std::str::FromStr;

/// A user's role, ranked as the web app ranks them: user < contributor < admin <
/// superuser. `Unknown` is a stored role that is none of the four (a hand-edited row, or
/// `'Admin '` with a capital and a space): shown as such, with no rights, below `user`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    User,
    Contributor,
    Admin,
    Superuser,
    Unknown,
}

impl Role {
    fn rank(self) -> u8 {
        match self {
            Role::Unknown => 0,
            Role::User => 1,
            Role::Contributor => 2,
            Role::Admin => 3,
            Role::Superuser => 4,
        }
    }

    /// The role a stored value names, matched exactly as the web app matches it; any
    /// other value is `Unknown`.
    pub fn from_db(stored: &str) -> Role {
        Role::ALL.into_iter().find(|r| r.as_str() == stored).unwrap_or(Role::Unknown)
    }

    /// Position in [`Role::ALL`] (`Unknown`, which is not there, counts as the first).
    pub fn index(self) -> usize {
        Role::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Role {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl Role {
    /// Every role an account can be given, lowest rank first.
    pub const ALL: [Role; 4] = [Role::User, Role::Contributor, Role::Admin, Role::Superuser];

    /// The spelling stored in `users.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Contributor => "contributor",
            Role::Admin => "admin",
            Role::Superuser => "superuser",
            Role::Unknown => "unknown",
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

    /// What an admin types: case-insensitive, surrounding white space ignored; never
    /// `Unknown`.
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
    fn stored_roles_match_exactly_and_others_are_unknown_with_no_rights() {
        for r in Role::ALL {
            assert_eq!(Role::from_db(r.as_str()), r);
        }
        for odd in ["Admin ", "ADMIN", "root", "", "superuser\n"] {
            assert_eq!(Role::from_db(odd), Role::Unknown, "{odd:?}");
        }
        assert!(Role::Unknown < Role::User);
        assert!(!Role::Unknown.can_administer());
        assert!("unknown".parse::<Role>().is_err(), "nobody assigns the unknown role");
    }

    #[test]
    fn only_admins_and_superusers_administer() {
        assert!(!Role::User.can_administer());
        assert!(!Role::Contributor.can_administer());
        assert!(Role::Admin.can_administer());
        assert!(Role::Superuser.can_administer());
    }
}
