//! The accounts a `deactivate-dormant --exclude-file` spares, read from the file's text:
//! one email per line (`#` starts a comment, blank lines are skipped), or a CSV whose
//! header names an `email` column (what `list --format csv` writes: quoted cells, formula
//! guards). A UTF-8 byte order mark is ignored. Every entry must be an email: a file that
//! is half a mistake is refused whole, naming the lines, rather than sparing less than the
//! admin meant.

use super::email::{Email, normalize};
use super::sanitize::clean;
use std::collections::HashMap;

/// How many bad lines an error names before it says "and N more".
const NAMED_LINES: usize = 5;

/// The excluded emails (normalised), each with the line it is on (the first, if twice).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exclusions {
    lines: HashMap<String, usize>,
}

/// Why an exclude file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExcludeError {
    /// (line, what it holds) of each entry that is not an email.
    #[error("{}", not_emails(.0))]
    NotEmails(Vec<(usize, String)>),
    #[error("line {line}: {why}")]
    Csv { line: usize, why: String },
}

fn not_emails(bad: &[(usize, String)]) -> String {
    let named: Vec<String> = bad.iter().take(NAMED_LINES).map(|(n, s)| format!("line {n} ({s:?})")).collect();
    let more = match bad.len().saturating_sub(NAMED_LINES) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!("not an email on {}{more}", named.join(", "))
}

impl Exclusions {
    /// Reads the text of an exclude file (see the module's comment).
    pub fn parse(text: &str) -> Result<Exclusions, ExcludeError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let entries = match email_column(text) {
            Some(column) => csv_entries(text, column)?,
            None => line_entries(text),
        };
        let mut lines = HashMap::new();
        let mut bad = Vec::new();
        for (line, raw) in entries {
            match Email::parse(&raw) {
                Ok(email) => {
                    lines.entry(email.into_string()).or_insert(line);
                }
                Err(_) => bad.push((line, clean(raw.trim()).chars().take(80).collect())),
            }
        }
        if bad.is_empty() { Ok(Exclusions { lines }) } else { Err(ExcludeError::NotEmails(bad)) }
    }

    /// The line that excludes `email` (compared as the web app compares emails), if one does.
    pub fn line_of(&self, email: &str) -> Option<usize> {
        self.lines.get(&normalize(email)).copied()
    }

    /// Each excluded email with its line, in the file's order.
    pub fn entries(&self) -> Vec<(usize, &str)> {
        let mut all: Vec<(usize, &str)> = self.lines.iter().map(|(e, n)| (*n, e.as_str())).collect();
        all.sort();
        all
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// The header's `email` column, when the first line that is not blank or a comment is a
/// CSV header naming one.
fn email_column(text: &str) -> Option<usize> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(first.as_bytes());
    let header = reader.records().next()?.ok()?;
    header.iter().position(|cell| cell.trim().eq_ignore_ascii_case("email"))
}

/// (line, text) of each entry of a plain list.
fn line_entries(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim().to_string()))
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

/// (line, email cell) of each record of a CSV with a header; records with nothing in them
/// are skipped, one whose email cell is blank or missing is an entry that is no email.
fn csv_entries(text: &str, column: usize) -> Result<Vec<(usize, String)>, ExcludeError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    // The reader's position of a record is where the blank and comment lines before it
    // begin: count lines from its first byte past them.
    let bytes = text.as_bytes();
    let line_at = |p: Option<&csv::Position>| {
        let mut byte = p.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(bytes.len());
        loop {
            match bytes.get(byte) {
                Some(b'\r' | b'\n') => byte += 1,
                Some(b'#') => match memchr::memchr(b'\n', &bytes[byte..]) {
                    Some(end) => byte += end + 1,
                    None => break,
                },
                _ => break,
            }
        }
        1 + bytes[..byte].iter().filter(|b| **b == b'\n').count()
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ExcludeError::Csv {
            line: line_at(e.position()),
            why: clean(&e.to_string()).into_owned(),
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = line_at(record.position());
        out.push((line, unguarded(record.get(column).unwrap_or(""))));
    }
    Ok(out)
}

/// A cell as it was before `export::inert_cell` guarded it: the leading `'` it puts before
/// a cell a spreadsheet would run as a formula is taken off again.
fn unguarded(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches(' ').starts_with(['=', '+', '-', '@', '\t', '\r']) => {
            rest.to_string()
        }
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case::a_plain_list("anna@x.se\n# the caretaker\n\nBO@x.se  # ours\n", &[(1, "anna@x.se"), (4, "bo@x.se")])]
    #[case::a_byte_order_mark("\u{feff}anna@x.se\r\nbo@x.se\r\n", &[(1, "anna@x.se"), (2, "bo@x.se")])]
    #[case::what_list_format_csv_writes(
        "\u{feff}\"id\",\"email\",\"role\"\n\"1\",\"Anna@x.se\",\"user\"\n\n\"2\",\"'-bo@x.se\",\"admin\"\n",
        &[(2, "anna@x.se"), (4, "-bo@x.se")]
    )]
    #[case::an_email_column_alone("# kept\nEmail\n# ours\n\nanna@x.se\n", &[(5, "anna@x.se")])]
    #[case::nothing("# nobody\n\n", &[])]
    fn entries_are_read_with_their_lines(#[case] text: &str, #[case] expected: &[(usize, &str)]) {
        let got = Exclusions::parse(text).expect("a good file");
        assert_eq!(got.entries(), expected);
        for (line, email) in expected {
            assert_eq!(got.line_of(&email.to_uppercase()), Some(*line), "compared as emails are");
        }
    }

    #[rstest::rstest]
    #[case::plain(
        "anna@x.se\nnot an email\nbo@x.se\n@x.se\n",
        "not an email on line 2 (\"not an email\"), line 4 (\"@x.se\")"
    )]
    #[case::csv_with_a_blank_cell("id,email\n1,anna@x.se\n2,\n", "not an email on line 3 (\"\")")]
    #[case::many(
        "a\nb\nc\nd\ne\nf\ng\n",
        "not an email on line 1 (\"a\"), line 2 (\"b\"), line 3 (\"c\"), line 4 (\"d\"), line 5 (\"e\") and 2 more"
    )]
    fn entries_that_are_not_emails_are_named_by_line(#[case] text: &str, #[case] message: &str) {
        assert_eq!(Exclusions::parse(text).expect_err("refused").to_string(), message);
    }

    #[test]
    fn a_hostile_entry_is_quoted_inert() {
        let e = Exclusions::parse("\u{1b}]0;x\u{7}\n").expect_err("refused").to_string();
        assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
    }
}
