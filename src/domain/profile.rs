//! What an export carries of an account's `user_profiles` row: the names and the language
//! the web app shows, so that a file written by `list` or the console's `E` can be edited
//! in a spreadsheet and read back by `import --update`.

use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One account's profile fields, as the database holds them (`None`: NULL, or no profile
/// row at all).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub locale: Option<String>,
}

/// Profiles by account id, packed: the four fields of each one after the other in one
/// buffer, so that a million of them take ~60 MB rather than the ~200 MB of a map of
/// strings. An account without an entry has no profile row (or the database has no
/// `user_profiles` table).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profiles {
    /// Where each account's fields start in `packed`.
    at: HashMap<Uuid, u32>,
    /// Per profile, per field: a u16 length (`u16::MAX`: NULL), then its bytes.
    packed: Vec<u8>,
}

const NULL: u16 = u16::MAX;

impl Profiles {
    pub fn new() -> Profiles {
        Profiles::default()
    }

    pub fn with_capacity(n: usize) -> Profiles {
        Profiles { at: HashMap::with_capacity(n), packed: Vec::with_capacity(n * 24) }
    }

    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Adds (or replaces) the profile of `id`. A field longer than 65,534 bytes (the
    /// database's columns hold at most 100 characters) is cut at a character boundary.
    pub fn insert(&mut self, id: Uuid, p: &Profile) {
        let Ok(start) = u32::try_from(self.packed.len()) else { return };
        for field in [&p.first_name, &p.last_name, &p.display_name, &p.locale] {
            match field {
                None => self.packed.extend_from_slice(&NULL.to_le_bytes()),
                Some(text) => {
                    let mut end = text.len().min(usize::from(NULL - 1));
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    // `end` < u16::MAX by the min above.
                    self.packed.extend_from_slice(&(end as u16).to_le_bytes());
                    self.packed.extend_from_slice(&text.as_bytes()[..end]);
                }
            }
        }
        self.at.insert(id, start);
    }

    /// The profile of `id`, if it has one.
    pub fn get(&self, id: &Uuid) -> Option<Profile> {
        let mut at = usize::try_from(*self.at.get(id)?).ok()?;
        let mut field = || -> Option<Option<String>> {
            let len = u16::from_le_bytes([*self.packed.get(at)?, *self.packed.get(at + 1)?]);
            at += 2;
            if len == NULL {
                return Some(None);
            }
            let bytes = self.packed.get(at..at + usize::from(len))?;
            at += usize::from(len);
            Some(Some(String::from_utf8_lossy(bytes).into_owned()))
        };
        Some(Profile { first_name: field()?, last_name: field()?, display_name: field()?, locale: field()? })
    }
}

impl FromIterator<(Uuid, Profile)> for Profiles {
    fn from_iter<I: IntoIterator<Item = (Uuid, Profile)>>(iter: I) -> Profiles {
        let mut out = Profiles::new();
        for (id, p) in iter {
            out.insert(id, &p);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_come_back_as_they_went_in() {
        let a = Profile {
            first_name: Some("Åsa".into()),
            last_name: None,
            display_name: Some(String::new()),
            locale: Some("sv-SE".into()),
        };
        let b = Profile::default();
        let long = Profile { first_name: Some("é".repeat(40_000)), ..Profile::default() };
        let p: Profiles =
            [(Uuid::from_u128(1), a.clone()), (Uuid::from_u128(2), b.clone()), (Uuid::from_u128(3), long)]
                .into_iter()
                .collect();
        assert_eq!(p.len(), 3);
        assert_eq!(p.get(&Uuid::from_u128(1)), Some(a));
        assert_eq!(p.get(&Uuid::from_u128(2)), Some(b), "all NULL is a profile too");
        assert_eq!(p.get(&Uuid::from_u128(4)), None, "no profile row");
        let cut = p.get(&Uuid::from_u128(3)).and_then(|p| p.first_name).unwrap_or_default();
        assert!(cut.len() < 65_535 && cut.chars().all(|c| c == 'é'), "cut at a character boundary");
    }
}
