//! Text from the database is untrusted when drawn: this makes it inert.

use std::borrow::Cow;

/// Shown in place of every character that could steer a terminal or hide text.
pub const REPLACEMENT: char = '\u{FFFD}';

/// What a spreadsheet cell starts with (after spaces) when the spreadsheet runs it as a
/// formula. An export writes such a cell with a `'` before it
/// (`export::inert_cell`); [`spreadsheet_text`] takes that mark off again.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as an export wrote it, back to its text: a `'` that an export put before a
/// formula's start is taken off (`'=x` is `=x`); anything else is as it is (`'s-Hertogen`
/// keeps its `'`).
pub fn spreadsheet_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_formula_mark(rest) => rest,
        _ => cell,
    }
}

/// Whether an export writes `text` with a `'` before it: it starts (after spaces) like a
/// formula, or after `'`s, so that [`spreadsheet_text`] gives back a text that itself
/// starts with `'=` as it was (`'=x` is written `''=x`).
pub fn needs_formula_mark(text: &str) -> bool {
    text.trim_start_matches('\'').trim_start_matches(' ').starts_with(FORMULA_STARTS)
}

/// True for characters that must never reach a terminal from data: C0 and C1 controls,
/// DEL (all `char::is_control`), bidi overrides and isolates, and zero-width characters
/// that can make two different emails look the same.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_default_ignorable(c) || matches!(c, '\u{FFF9}'..='\u{FFFB}')
}

/// Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties): characters that
/// render as nothing, so an email holding one looks exactly like another account's.
/// They are refused in input and shown as U+FFFD on output.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
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
    fn invisible_characters_that_make_look_alikes_are_unsafe() {
        for c in ['\u{00AD}', '\u{034F}', '\u{180E}', '\u{FE0F}', '\u{E0041}', '\u{2064}', '\u{3164}'] {
            assert!(is_unsafe(c), "U+{:04X}", u32::from(c));
            let look_alike = format!("admin{c}@skriptoteket.test");
            assert_ne!(clean(&look_alike), "admin@skriptoteket.test", "U+{:04X} is shown", u32::from(c));
        }
        for c in ['a', 'å', '漢', '-', '.', '\u{00E9}'] {
            assert!(!is_unsafe(c), "{c}");
        }
    }

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
