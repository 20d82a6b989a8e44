//! Passwords: a zeroizing secret type, the web app's policy, and a generator.

use rand::TryRngCore;
use rand::rngs::OsRng;
use std::fmt;
use zeroize::Zeroizing;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;
pub const GENERATED_LEN: usize = 20;

/// A password held in memory that is wiped when dropped, and that never prints itself.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: String) -> Self {
        Secret(Zeroizing::new(s))
    }

    /// The password itself: for hashing and for the one on-purpose display.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s.to_string())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password must be at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("password must be at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("password may not contain control characters (such as NUL or a line break)")]
    ControlCharacter,
    #[error("password may not be only white space")]
    Blank,
    #[error("the two passwords differ")]
    Mismatch,
    #[error("password could not be read: {0}")]
    Unreadable(String),
}

/// The web app's rule (at least 8 characters) plus an upper bound that keeps hashing cheap,
/// and no password nobody could type at a login form: control characters (a NUL from a
/// script's stdin) or nothing but white space.
pub fn check_policy(pw: &Secret) -> Result<(), PasswordError> {
    let text = pw.expose();
    let n = text.chars().count();
    if text.chars().any(char::is_control) {
        Err(PasswordError::ControlCharacter)
    } else if n > 0 && text.trim().is_empty() {
        Err(PasswordError::Blank)
    } else if n < MIN_PASSWORD_CHARS {
        Err(PasswordError::TooShort)
    } else if n > MAX_PASSWORD_CHARS {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
/// Symbols that need no quoting in a POSIX shell.
const SYMBOLS: &[u8] = b"-_.+@%";
/// What a spreadsheet reads as the start of a formula: no generated password starts so.
pub const FORMULA_STARTS: [char; 4] = ['-', '+', '@', '='];

/// A fresh random password from the OS CSPRNG: 20 characters with at least one lower-case
/// letter, upper-case letter, digit and symbol; look-alikes (l, I, O, 0, 1) left out. The
/// first is a letter or a digit, so no spreadsheet opening `--passwords-out` takes one for
/// a formula ([`FORMULA_STARTS`]).
pub fn generate() -> Secret {
    let first: Vec<u8> = [LOWER, UPPER, DIGITS].concat();
    let all: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].concat();
    let mut rng = OsRng.unwrap_err();
    let mut pick = |set: &[u8]| -> char {
        let i = rand::Rng::random_range(&mut rng, 0..set.len());
        set[i] as char
    };
    let mut out = Zeroizing::new(String::with_capacity(GENERATED_LEN));
    loop {
        out.clear();
        out.push(pick(&first));
        for _ in 1..GENERATED_LEN {
            out.push(pick(&all));
        }
        let has = |set: &[u8]| out.bytes().any(|b| set.contains(&b));
        if has(LOWER) && has(UPPER) && has(DIGITS) && has(SYMBOLS) {
            return Secret(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_nobody_could_type_are_refused() {
        assert_eq!(check_policy(&Secret::from("abc\0defghij")), Err(PasswordError::ControlCharacter));
        assert_eq!(check_policy(&Secret::from("tab\tinside1")), Err(PasswordError::ControlCharacter));
        assert_eq!(check_policy(&Secret::from("            ")), Err(PasswordError::Blank));
        assert!(check_policy(&Secret::from("spaces are fine")).is_ok());
    }

    #[test]
    fn policy_bounds() {
        assert_eq!(check_policy(&"1234567".into()), Err(PasswordError::TooShort));
        assert_eq!(check_policy(&"12345678".into()), Ok(()));
        assert_eq!(check_policy(&"åäöåäöåä".into()), Ok(())); // characters, not bytes
        assert_eq!(check_policy(&Secret::new("x".repeat(1025))), Err(PasswordError::TooLong));
    }

    #[test]
    fn generated_passwords_meet_policy_and_differ() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        for pw in [&a, &b] {
            assert_eq!(pw.expose().len(), GENERATED_LEN);
            assert!(check_policy(pw).is_ok());
            assert!(pw.expose().bytes().any(|c| SYMBOLS.contains(&c)));
            assert!(pw.expose().bytes().any(|c| DIGITS.contains(&c)));
            assert!(pw.expose().bytes().all(|c| c.is_ascii_graphic()));
        }
    }

    /// Issue 23 point 8: `--passwords-out` is read by spreadsheets, which run a cell
    /// starting with one of these as a formula.
    #[test]
    fn no_generated_password_starts_like_a_spreadsheet_formula() {
        let mut firsts = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let pw = generate();
            let first = pw.expose().chars().next().expect("a character");
            assert!(!FORMULA_STARTS.contains(&first), "{first:?} starts a generated password");
            assert!(check_policy(&pw).is_ok());
            firsts.insert(first);
        }
        // Still drawn from every letter and digit.
        assert_eq!(firsts.len(), LOWER.len() + UPPER.len() + DIGITS.len());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::from("hunter22hunter22");
        assert!(!format!("{s:?}").contains("hunter"));
    }
}
