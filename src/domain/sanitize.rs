//! Text from the database is untrusted when drawn: this makes it inert.

use std::borrow::Cow;

/// Shown in place of every character that could steer a terminal or hide text.
pub const REPLACEMENT: char = '\u{FFFD}';

/// True for characters that must never reach a terminal from data: C0 and C1 controls,
/// DEL (all `char::is_control`), bidi overrides and isolates, and zero-width characters
/// that can make two different emails look the same.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{061C}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Replaces every unsafe character with U+FFFD; borrows when there is nothing to replace
/// (the common case, so drawing 100k rows allocates nothing).
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if is_unsafe(c) { REPLACEMENT } else { c }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(clean("anna@example.se"), Cow::Borrowed("anna@example.se")));
        assert_eq!(clean("Åsa Öberg 漢字"), "Åsa Öberg 漢字");
    }

    #[test]
    fn escapes_and_controls_are_replaced() {
        let hostile = "a\u{1b}]2;PWNED\u{7}b\u{9b}31m\u{7f}\r\n";
        let out = clean(hostile);
        assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
        assert_eq!(out.chars().filter(|c| *c == REPLACEMENT).count(), 6);
    }

    #[test]
    fn bidi_and_zero_width_are_replaced() {
        for c in ['\u{202E}', '\u{2066}', '\u{200B}', '\u{200D}', '\u{FEFF}', '\u{061C}'] {
            let s = format!("x{c}y");
            assert_eq!(clean(&s), format!("x{REPLACEMENT}y"), "{:?}", c);
        }
    }
}
