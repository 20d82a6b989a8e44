//! Email addresses as the web app stores them: trimmed, lower-cased, validated.

use std::fmt;

/// The longest email `users.email` (varchar(255)) holds.
pub const MAX_EMAIL_CHARS: usize = 255;

/// A normalised, validated email address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email is empty")]
    Empty,
    #[error("email is longer than {MAX_EMAIL_CHARS} characters")]
    TooLong,
    #[error("'{0}' is not a valid email address")]
    Invalid(String),
}

/// Trims and lower-cases an address: the form the web app stores and looks up.
/// Use this for lookups of existing users (whose email may predate validation).
pub fn normalize(raw: &str) -> String {
    raw.trim().to_lowercase()
}

impl Email {
    /// Normalises and validates like the web app: `^[^@\s]+@[^@\s]+\.[^@\s]+$`, at most
    /// 255 characters. Control characters are refused too (stricter than the web app),
    /// so the console never writes an address that could fool a terminal.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let email = normalize(raw);
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        if !matches_web_app_pattern(&email) || email.chars().any(crate::domain::sanitize::is_unsafe) {
            return Err(EmailError::Invalid(crate::domain::sanitize::clean(raw.trim()).into_owned()));
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `^[^@\s]+@[^@\s]+\.[^@\s]+$` without a regex engine: exactly one `@`, no white space,
/// a non-empty local part, and a domain with a dot that has a character on each side.
fn matches_web_app_pattern(s: &str) -> bool {
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.contains('@') {
        return false;
    }
    let chars: Vec<char> = domain.chars().collect();
    chars.iter().enumerate().any(|(i, c)| *c == '.' && i > 0 && i + 1 < chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_made_with_invisible_characters_are_refused() {
        for c in ['\u{00AD}', '\u{034F}', '\u{180E}', '\u{FE0F}', '\u{E0061}', '\u{200D}'] {
            let raw = format!("admin{c}@skriptoteket.test");
            assert!(matches!(Email::parse(&raw), Err(EmailError::Invalid(_))), "U+{:04X}", u32::from(c));
        }
        assert!(Email::parse("admin@skriptoteket.test").is_ok());
    }

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            Email::parse("  Anna.Berg@Example.SE \n").expect("valid").as_str(),
            "anna.berg@example.se"
        );
    }

    #[test]
    fn accepts_what_the_web_app_accepts() {
        for ok in ["a@b.c", "x+tag@sub.domain.org", "a.b@c.d.e", "å@ö.se", "a@b..c"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_the_web_app_rejects() {
        for bad in ["", "   ", "plain", "@b.c", "a@", "a@b", "a@.c", "a@b.", "a b@c.d", "a@b@c.d", "a@b.c d"]
        {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_control_characters() {
        assert!(Email::parse("a\u{1b}]2;x\u{7}@b.c").is_err());
        assert!(Email::parse("a\u{9b}@b.c").is_err());
        assert!(Email::parse("a\u{200b}dmin@b.c").is_err(), "zero-width look-alike");
        assert!(Email::parse("a\u{202e}b@c.d").is_err(), "bidi override");
    }

    #[test]
    fn length_limit_is_255() {
        let local = "a".repeat(249);
        assert!(Email::parse(&format!("{local}@b.com")).is_ok()); // 255
        assert_eq!(Email::parse(&format!("{local}a@b.com")), Err(EmailError::TooLong));
    }

    #[test]
    fn error_for_hostile_input_is_sanitised() {
        let err = Email::parse("\u{1b}[31mred").unwrap_err().to_string();
        assert!(!err.contains('\u{1b}'));
    }
}
