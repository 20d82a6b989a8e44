//! Users as data for other programs: CSV, JSON and JSON Lines, with the same fields in the
//! same order in each. Used by `list` and the console's export; [`file`] writes the files.

pub mod file;

pub use file::{WriteError, resolve, write_file};

use crate::domain::UserRow;
use crate::domain::profile::{Profile, Profiles};
use crate::domain::sanitize::{clean, needs_formula_mark};
use serde::Serialize;
use std::io::Write;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One exported account. Timestamps are RFC 3339 (empty / null when absent); the profile
/// fields are empty / null when the account has no profile row or the field is NULL.
#[derive(Debug, Serialize)]
pub struct ExportRow {
    pub id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub locale: Option<String>,
    pub role: String,
    pub auth_provider: String,
    pub is_active: bool,
    pub email_verified: bool,
    pub status: String,
    pub locked: bool,
    pub active_sessions: i64,
    pub last_login_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The columns of an export, in order: the CSV header, and the keys of each JSON object.
pub const COLUMNS: [&str; 16] = [
    "id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "locale",
    "role",
    "auth_provider",
    "is_active",
    "email_verified",
    "status",
    "locked",
    "active_sessions",
    "last_login_at",
    "created_at",
    "updated_at",
];

fn ts(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

impl ExportRow {
    pub fn of(u: &UserRow, profile: Option<&Profile>) -> ExportRow {
        let p = profile.cloned().unwrap_or_default();
        ExportRow {
            id: u.id.to_string(),
            email: u.email.clone(),
            first_name: p.first_name,
            last_name: p.last_name,
            display_name: p.display_name,
            locale: p.locale,
            role: u.role.to_string(),
            auth_provider: u.auth_provider.clone(),
            is_active: u.is_active,
            email_verified: u.email_verified,
            status: u.status().to_string(),
            locked: u.locked,
            active_sessions: u.active_sessions,
            last_login_at: u.last_login_at.map(ts),
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
        }
    }

    /// Every text cell made inert for a spreadsheet ([`inert_cell`]).
    fn inert(mut self) -> ExportRow {
        for cell in [&mut self.email, &mut self.auth_provider] {
            *cell = inert_cell(cell);
        }
        for cell in [&mut self.first_name, &mut self.last_name, &mut self.display_name, &mut self.locale]
            .into_iter()
            .flatten()
        {
            *cell = inert_cell(cell);
        }
        self
    }
}

/// A cell a spreadsheet would run as a formula (one starting, after any spaces, with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`; control and invisible
/// characters become U+FFFD. `import --update` takes the `'` off again
/// (`sanitize::spreadsheet_text`).
pub fn inert_cell(s: &str) -> String {
    let s = clean(s);
    if needs_formula_mark(&s) { format!("'{s}") } else { s.into_owned() }
}

/// Writes exported accounts one at a time, in one of the formats: CSV (RFC 4180 with a
/// header line; every text cell quoted, as Swedish spreadsheets split on `;` too, and made
/// inert), a JSON array (the bytes `serde_json::to_string_pretty` gives for all rows at
/// once: each object pretty-printed and indented by two spaces) or JSON Lines. A million
/// rows never sit in memory as text. In JSON, text serde leaves active on a terminal (DEL,
/// C1, bidi, zero-width) is escaped ([`inert_json`]).
pub struct RowWriter<W: Write> {
    to: To<W>,
    written: u64,
}

enum To<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json { out: W, lines: bool },
}

impl<W: Write> RowWriter<W> {
    pub fn new(format: FileFormat, out: W) -> RowWriter<W> {
        let to = match format {
            FileFormat::Csv => {
                let w = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::NonNumeric).from_writer(out);
                To::Csv(Box::new(w))
            }
            FileFormat::Json => To::Json { out, lines: false },
            FileFormat::JsonLines => To::Json { out, lines: true },
        };
        RowWriter { to, written: 0 }
    }

    /// The account `u` with its profile, if it has one.
    pub fn write(&mut self, u: &UserRow, profile: Option<&Profile>) -> std::io::Result<()> {
        let row = ExportRow::of(u, profile);
        let first = self.written == 0;
        self.written += 1;
        match &mut self.to {
            To::Csv(w) => w.serialize(row.inert()).map_err(csv_io),
            To::Json { out, lines: true } => {
                out.write_all(inert_json(&serde_json::to_string(&row).unwrap_or_default()).as_bytes())?;
                out.write_all(b"\n")
            }
            To::Json { out, lines: false } => {
                out.write_all(if first { b"[\n" } else { b",\n" })?;
                let pretty = inert_json(&serde_json::to_string_pretty(&row).unwrap_or_default());
                for (i, line) in pretty.lines().enumerate() {
                    if i > 0 {
                        out.write_all(b"\n")?;
                    }
                    out.write_all(b"  ")?;
                    out.write_all(line.as_bytes())?;
                }
                Ok(())
            }
        }
    }

    /// Ends the output (a CSV of no rows still has its header, so it says what its columns
    /// are; a JSON array is closed) and gives back the writer, flushed.
    pub fn finish(self) -> std::io::Result<W> {
        match self.to {
            To::Csv(mut w) => {
                if self.written == 0 {
                    w.write_record(COLUMNS).map_err(csv_io)?;
                }
                w.into_inner().map_err(|e| e.into_error())
            }
            To::Json { mut out, lines } => {
                if !lines {
                    out.write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
                }
                out.flush()?;
                Ok(out)
            }
        }
    }
}

/// The I/O error inside a CSV writer's error (what a full disk or a closed pipe gives).
pub fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// `rows` with their `profiles` in `format`, in memory.
pub fn to_vec(format: FileFormat, rows: &[UserRow], profiles: &Profiles) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = format.write_to(&mut out, rows, profiles);
    out
}

/// serde_json escapes only characters below U+0020; DEL, C1 controls, bidi overrides and
/// zero-width characters pass through. Escape those too, so JSON on a terminal stays inert.
pub fn inert_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if crate::domain::sanitize::is_unsafe(c) && u32::from(c) >= 0x20 {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The formats of the console's export, told by the file's extension.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    /// One JSON array, as `list --format json`.
    Json,
    /// One JSON object per line, as `list --format jsonl`.
    JsonLines,
}

impl FileFormat {
    /// The format a file name's extension asks for (any case): `.csv`, `.jsonl` or
    /// `.json`; any other (or none) is refused, naming these.
    pub fn of_path(path: &str) -> Result<FileFormat, String> {
        const KNOWN: &str = ".csv (CSV), .jsonl (JSON Lines) or .json (one JSON array)";
        let ext = std::path::Path::new(path.trim()).extension().map(|e| e.to_string_lossy().to_lowercase());
        match ext.as_deref() {
            Some("csv") => Ok(FileFormat::Csv),
            Some("jsonl") => Ok(FileFormat::JsonLines),
            Some("json") => Ok(FileFormat::Json),
            Some(other) => Err(format!(
                "a .{} file is not a format of this export: end the name in {KNOWN}",
                clean(other)
            )),
            None => Err(format!("the extension picks the format: end the name in {KNOWN}")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::Json => "JSON",
            FileFormat::JsonLines => "JSON Lines",
        }
    }

    /// Writes `rows` with their `profiles` in this format to `out` row by row: the same
    /// bytes `list --format csv|json|jsonl` prints.
    pub fn write_to<W: Write>(
        self,
        out: &mut W,
        rows: &[UserRow],
        profiles: &Profiles,
    ) -> std::io::Result<()> {
        let mut w = RowWriter::new(self, out);
        for u in rows {
            w.write(u, profiles.get(&u.id).as_ref())?;
        }
        w.finish().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn csv(rows: &[UserRow], profiles: &Profiles) -> String {
        String::from_utf8(to_vec(FileFormat::Csv, rows, profiles)).expect("utf-8")
    }

    fn json(rows: &[UserRow], lines: bool) -> String {
        let format = if lines { FileFormat::JsonLines } else { FileFormat::Json };
        String::from_utf8(to_vec(format, rows, &Profiles::new())).expect("utf-8")
    }

    #[test]
    fn csv_cells_cannot_become_formulas_and_json_carries_the_same_fields() {
        assert_eq!(inert_cell("=1+1@x.se"), "'=1+1@x.se");
        assert_eq!(inert_cell("   =HYPERLINK(1)@x.se"), "'   =HYPERLINK(1)@x.se");
        assert_eq!(inert_cell("anna@x.se"), "anna@x.se");
        // What import --update takes off again, each back to what was stored.
        for stored in ["=x", "'=x", "''+1", " -x", "O'Brien", "'s-Hertogenbosch", "plain"] {
            assert_eq!(crate::domain::sanitize::spreadsheet_text(&inert_cell(stored)), stored);
        }
        let rows = vec![UserRow::sample("a;b@x.se", Role::User), UserRow::sample("-x@x.se,y", Role::Admin)];
        let profile = Profile {
            first_name: Some("=SUM(A1)".into()),
            last_name: Some("Åberg".into()),
            display_name: None,
            locale: Some("sv-SE".into()),
        };
        let profiles: Profiles = [(rows[0].id, profile)].into_iter().collect();
        let text = csv(&rows, &profiles);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
        assert_eq!(header, COLUMNS);
        let records: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().expect("records");
        assert_eq!(&records[0][1], "a;b@x.se");
        assert_eq!(&records[1][1], "'-x@x.se,y");
        assert_eq!(
            (&records[0][2], &records[0][3], &records[0][4], &records[0][5]),
            ("'=SUM(A1)", "Åberg", "", "sv-SE")
        );
        assert_eq!(&records[1][2], "", "no profile: empty cells");
        assert!(text.contains("\"a;b@x.se\""), "{text}");
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&json(&rows, false)).expect("json");
        let keys: Vec<String> = parsed[0].as_object().expect("object").keys().cloned().collect();
        let mut sorted_header = header.clone();
        sorted_header.sort();
        let mut sorted_keys = keys;
        sorted_keys.sort();
        assert_eq!(sorted_header, sorted_keys, "JSON and CSV carry the same fields");
        assert_eq!(json(&rows, true).lines().count(), 2);
        let empty = csv(&[], &Profiles::new());
        assert_eq!(empty.lines().count(), 1, "a header alone");
        assert_eq!(empty.trim_end(), COLUMNS.map(|c| format!("\"{c}\"")).join(","));
    }

    /// An export is an update file: `import --update` knows or reads past every column.
    #[test]
    fn import_update_reads_every_column_of_an_export() {
        let update = &crate::domain::import_update::UPDATE;
        for c in COLUMNS {
            assert!(update.known.contains(&c) || update.ignored.contains(&c), "{c}");
        }
    }

    #[test]
    fn the_streamed_array_is_the_array_serde_pretty_prints() {
        let mut a = UserRow::sample("a@x.se", Role::User);
        a.last_login_at = Some(OffsetDateTime::UNIX_EPOCH);
        let b = UserRow::sample("b\u{202e}@x.se", Role::Admin);
        for rows in [vec![], vec![a.clone()], vec![a, b]] {
            let whole: Vec<ExportRow> = rows.iter().map(|r| ExportRow::of(r, None)).collect();
            let expected = format!("{}\n", inert_json(&serde_json::to_string_pretty(&whole).expect("json")));
            assert_eq!(json(&rows, false), expected);
            let parsed: serde_json::Value = serde_json::from_str(&json(&rows, false)).expect("valid JSON");
            assert_eq!(parsed.as_array().map(Vec::len), Some(rows.len()));
        }
    }

    #[test]
    fn the_extension_picks_the_format_and_others_are_refused() {
        assert_eq!(FileFormat::of_path("users.csv"), Ok(FileFormat::Csv));
        assert_eq!(FileFormat::of_path(" ~/ut/Users.JSONL "), Ok(FileFormat::JsonLines));
        assert_eq!(FileFormat::of_path("a.b.json"), Ok(FileFormat::Json));
        let e = FileFormat::of_path("users.xlsx").expect_err("xlsx");
        assert!(e.starts_with("a .xlsx file is not a format of this export") && e.contains(".jsonl"), "{e}");
        assert!(FileFormat::of_path("users").expect_err("none").contains("the extension picks the format"));
        assert!(FileFormat::of_path(".csv").is_err(), "a hidden file named csv has no extension");
    }
}
