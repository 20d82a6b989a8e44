//! What every audit row of one change carries besides its before/after values: the change
//! id (one per command, shared by all its rows), the admin's reason, and the change it
//! reverts. The person at the keyboard is added by the store ([`crate::operator`]).

use super::sanitize::is_unsafe;
use uuid::Uuid;

/// The longest reason kept (characters): a sentence or two, not a document.
pub const MAX_REASON_CHARS: usize = 500;

/// Why the admin made a change, as typed: trimmed, one line, printable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("a reason is required here (SKRIPTOTEKET_ADMIN_REQUIRE_REASON is set): say why in a few words")]
    Required,
    #[error("the reason is longer than {MAX_REASON_CHARS} characters")]
    TooLong,
    #[error("the reason holds a control or invisible character: type it as plain text on one line")]
    Unprintable,
}

impl Reason {
    /// `None` for an empty (or blank) reason, unless `required`.
    pub fn parse(text: &str, required: bool) -> Result<Option<Reason>, ReasonError> {
        let t = text.trim();
        if t.is_empty() {
            return if required { Err(ReasonError::Required) } else { Ok(None) };
        }
        if t.chars().any(is_unsafe) {
            return Err(ReasonError::Unprintable);
        }
        if t.chars().count() > MAX_REASON_CHARS {
            return Err(ReasonError::TooLong);
        }
        Ok(Some(Reason(t.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identity of one change for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Made by the caller before the change is sent, so that after a lost connection the
    /// caller can ask the database whether exactly this change committed.
    pub change_id: Uuid,
    pub reason: Option<Reason>,
    /// The change this one reverts (its rows restore that change's "before" values).
    pub reverts: Option<Uuid>,
}

impl Stamp {
    /// A new change id, with a reason or none.
    pub fn new(reason: Option<Reason>) -> Stamp {
        Stamp { change_id: Uuid::new_v4(), reason, reverts: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_optional_unless_required_and_printable() {
        assert_eq!(Reason::parse("  ", false), Ok(None));
        assert_eq!(Reason::parse("", true), Err(ReasonError::Required));
        assert_eq!(
            Reason::parse(" ticket 4711 ", true).map(|r| r.map(|r| r.0)),
            Ok(Some("ticket 4711".into()))
        );
        assert_eq!(Reason::parse("a\nb", false), Err(ReasonError::Unprintable));
        assert_eq!(Reason::parse("a\u{200B}b", false), Err(ReasonError::Unprintable));
        assert_eq!(Reason::parse(&"x".repeat(MAX_REASON_CHARS + 1), false), Err(ReasonError::TooLong));
        assert!(Reason::parse(&"å".repeat(MAX_REASON_CHARS), false).is_ok());
    }
}
