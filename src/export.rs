//! Users as data for other programs: CSV, JSON and JSON Lines, with the same fields in the
//! same order in each. Used by `list` and the console's export.

use crate::domain::UserRow;
use crate::domain::sanitize::clean;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One exported account. Timestamps are RFC 3339 (empty / null when absent).
#[derive(Debug, Serialize)]
pub struct ExportRow {
    pub id: String,
    pub email: String,
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

fn ts(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

impl ExportRow {
    pub fn of(u: &UserRow) -> ExportRow {
        ExportRow {
            id: u.id.to_string(),
            email: u.email.clone(),
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
}

/// A cell a spreadsheet would run as a formula (one starting, after any spaces, with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`; control and invisible
/// characters become U+FFFD.
pub fn inert_cell(s: &str) -> String {
    let s = clean(s);
    if s.trim_start_matches(' ').starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.into_owned()
    }
}

/// RFC 4180 CSV with a header line. Every text cell is quoted (Swedish spreadsheets split
/// on `;` too) and made inert ([`inert_cell`]).
pub fn csv(rows: &[UserRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::NonNumeric).from_writer(Vec::new());
    for u in rows {
        let mut r = ExportRow::of(u);
        r.email = inert_cell(&r.email);
        r.auth_provider = inert_cell(&r.auth_provider);
        w.serialize(r)?;
    }
    if rows.is_empty() {
        // The header alone, so an empty export still says what its columns are.
        w.write_record([
            "id",
            "email",
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
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// JSON (an array) or JSON Lines (an object per line); text serde leaves active on a
/// terminal (DEL, C1, bidi, zero-width) is escaped.
pub fn json(rows: &[UserRow], lines: bool) -> String {
    let export: Vec<ExportRow> = rows.iter().map(ExportRow::of).collect();
    if lines {
        let mut out = String::new();
        for r in &export {
            out.push_str(&inert_json(&serde_json::to_string(r).unwrap_or_default()));
            out.push('\n');
        }
        out
    } else {
        format!("{}\n", inert_json(&serde_json::to_string_pretty(&export).unwrap_or_else(|_| "[]".into())))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn csv_cells_cannot_become_formulas_and_json_carries_the_same_fields() {
        assert_eq!(inert_cell("=1+1@x.se"), "'=1+1@x.se");
        assert_eq!(inert_cell("   =HYPERLINK(1)@x.se"), "'   =HYPERLINK(1)@x.se");
        assert_eq!(inert_cell("anna@x.se"), "anna@x.se");
        let rows = vec![UserRow::sample("a;b@x.se", Role::User), UserRow::sample("-x@x.se,y", Role::Admin)];
        let text = String::from_utf8(csv(&rows).expect("csv")).expect("utf-8");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
        let records: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().expect("records");
        assert_eq!(&records[0][1], "a;b@x.se");
        assert_eq!(&records[1][1], "'-x@x.se,y");
        assert!(text.contains("\"a;b@x.se\""), "{text}");
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&json(&rows, false)).expect("json");
        let keys: Vec<String> = parsed[0].as_object().expect("object").keys().cloned().collect();
        let mut sorted_header = header.clone();
        sorted_header.sort();
        let mut sorted_keys = keys;
        sorted_keys.sort();
        assert_eq!(sorted_header, sorted_keys, "JSON and CSV carry the same fields");
        assert_eq!(json(&rows, true).lines().count(), 2);
        let empty = String::from_utf8(csv(&[]).expect("csv")).expect("utf-8");
        assert_eq!(empty.lines().count(), 1, "a header alone");
    }
}
