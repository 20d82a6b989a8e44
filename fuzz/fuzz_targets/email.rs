//! Email normalisation and validation (`domain::email`): what every command and the
//! import check an address with before it reaches the database.
//!
//! Input: the address's bytes (invalid UTF-8 replaced).
//!
//! Asserts: never a panic; `normalize` is idempotent and gives text that lower-casing and
//! trimming leave alone; `Email::parse` accepts exactly what the web app's pattern
//! `^[^@\s]+@[^@\s]+\.[^@\s]+$` accepts within 255 characters and without unsafe
//! characters (a separate reading of the pattern here), gives the normalised form, and
//! accepts its own output unchanged; every refusal is the right one, and its message holds
//! no character the terminal sanitiser would replace.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skriptoteket_admin::domain::email::{MAX_EMAIL_CHARS, normalize};
use skriptoteket_admin::domain::sanitize::is_unsafe;
use skriptoteket_admin::domain::{Email, EmailError};

/// The web app's pattern read another way: one `@`, no white space, something before it,
/// and after it a `.` that is neither the first nor the last character.
fn web_app_accepts(s: &str) -> bool {
    let parts: Vec<&str> = s.split('@').collect();
    let [local, domain] = parts[..] else { return false };
    let domain: Vec<char> = domain.chars().collect();
    !s.chars().any(char::is_whitespace)
        && !local.is_empty()
        && domain.len() >= 3
        && domain[1..domain.len() - 1].contains(&'.')
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let n = normalize(&raw);
    assert_eq!(normalize(&n), n, "normalize is not idempotent on {raw:?}");
    assert_eq!(n.trim(), n);
    let expected_ok = !n.is_empty()
        && n.chars().count() <= MAX_EMAIL_CHARS
        && web_app_accepts(&n)
        && !n.chars().any(is_unsafe);
    match Email::parse(&raw) {
        Ok(e) => {
            assert!(expected_ok, "{raw:?} accepted as {e}");
            assert_eq!(e.as_str(), n);
            assert_eq!(Email::parse(e.as_str()).as_ref(), Ok(&e), "its own output is refused");
            assert_eq!(e.to_string(), n);
        }
        Err(err) => {
            assert!(!expected_ok, "{raw:?} refused: {err}");
            match &err {
                EmailError::Empty => assert!(n.is_empty()),
                EmailError::TooLong => assert!(n.chars().count() > MAX_EMAIL_CHARS),
                EmailError::Invalid(shown) => assert!(!shown.chars().any(is_unsafe), "{shown:?}"),
            }
            assert!(!err.to_string().chars().any(is_unsafe), "{err}");
        }
    }
});
