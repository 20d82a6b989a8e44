//! Text helpers for drawing: make data inert, measure by display width, fit into columns,
//! and format the few things every view writes (dates, counts, the spinner).

use crate::domain::sanitize::clean;
use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;

/// The display width of one character (zero for combining marks).
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The display width of `s`, summed per character (what [`fit`] budgets with).
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// `s` in exactly `width` display columns: truncated with "…" when longer, padded with
/// spaces when shorter. A wide character that would straddle the edge is left out, so
/// CJK text never pushes the next column.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = truncate(s, width);
    let used = self::width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `s` cut to at most `width` display columns, ending in "…" when cut; not padded.
pub fn truncate(s: &str, width: usize) -> String {
    if self::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let budget = width - 1;
    let mut out = String::with_capacity(s.len().min(width * 4));
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `s` broken into lines of at most `width` columns, at spaces where possible; a word
/// longer than a line is split. Leading spaces indent every line. Never returns an empty
/// list.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let body = s.trim_start_matches(' ');
    let indent = s.len() - body.len();
    if indent > 0 && indent < width {
        let pad = " ".repeat(indent);
        return wrap(body, width - indent).into_iter().map(|l| format!("{pad}{l}")).collect();
    }
    let s = body;
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split(' ') {
        let ww = self::width(word);
        let gap = usize::from(used > 0);
        if used + gap + ww <= width {
            if gap == 1 {
                line.push(' ');
            }
            line.push_str(word);
            used += gap + ww;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for c in word.chars() {
            let cw = char_width(c);
            if used + cw > width && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    lines.push(line);
    lines
}

/// Untrusted text (anything from the database, or quoting it) made safe to draw.
pub fn safe(s: &str) -> Cow<'_, str> {
    clean(s)
}

/// [`safe`] and then [`fit`]: the usual treatment of a table cell.
pub fn safe_fit(s: &str, width: usize) -> String {
    fit(&clean(s), width)
}

/// [`safe`] and then [`truncate`].
pub fn safe_truncate(s: &str, width: usize) -> String {
    truncate(&clean(s), width)
}

pub use crate::domain::when::shown as date;

/// `n user` / `n users`.
pub fn users(n: usize) -> String {
    crate::plural::count(n as i64, "user")
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for tick count `n`.
pub fn spinner(n: usize) -> &'static str {
    SPINNER[n % SPINNER.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_pads_and_truncates_by_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 5), "abcd…");
        assert_eq!(fit("abcde", 5), "abcde");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("", 2), "  ");
    }

    #[test]
    fn wide_characters_never_overflow() {
        // 漢字テスト: five wide characters, ten columns.
        for w in 0..14 {
            let out = fit("漢字テスト@wide.example", w);
            assert_eq!(width(&out), w, "{w}: {out:?}");
        }
        assert_eq!(fit("漢字テスト", 4), "漢… ");
        assert_eq!(fit("漢字テスト", 10), "漢字テスト");
    }

    #[test]
    fn safe_fit_replaces_controls() {
        let out = safe_fit("a\u{1b}]2;x\u{7}\u{202e}b", 20);
        assert!(!out.chars().any(crate::domain::sanitize::is_unsafe), "{out:?}");
        assert_eq!(width(&out), 20);
    }

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
        assert_eq!(wrap("  aa bb", 5), vec!["  aa", "  bb"]);
        assert_eq!(wrap("漢字テスト", 4), vec!["漢字", "テス", "ト"]);
        for l in wrap("x y zzzzzzzzzzzzz 漢字テスト w", 5) {
            assert!(width(&l) <= 5, "{l:?}");
        }
    }

    #[test]
    fn dates_in_both_widths() {
        let t = time::macros::datetime!(2025-03-04 05:06 UTC);
        assert_eq!(date(t, false), "2025-03-04");
        assert_eq!(date(t, true), "2025-03-04 05:06");
    }
}
