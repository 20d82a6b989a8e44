//! Reading an `import --update` file: a CSV that names existing accounts by `id` or by
//! `email` and gives any of `first_name`, `last_name`, `display_name`, `locale`. Each
//! record becomes an edit of one account or a reason why not; whether the account exists,
//! and whether the actor may edit it, is the store's to say.
//!
//! An empty cell leaves its field as it is (a spreadsheet's blank is no instruction to
//! erase a name). Emails and roles are not changed this way: a new email needs the admin's
//! word on whether it is verified, one account at a time (`edit`), and roles have
//! `set-role`. With both `id` and `email`, the id names the account and the email must be
//! its email now: a check that the file's rows are the accounts the admin thinks.
//!
//! A file `list --format csv` or the console's `E` wrote is read as it is: its `role` and
//! `is_active` cells are checks too (the account must have that role and be active or not,
//! so an edit there is refused, not silently dropped, and so is a stale file), its other
//! read-only columns are read past, and the `'` an export put before a cell a spreadsheet
//! would run as a formula is taken off.

use super::edit::{self, Edit};
use super::email::{Email, normalize};
use super::import::{Columns, FileError, Parsed, Records};
use super::role::Role;
use super::sanitize::spreadsheet_text;
use std::collections::HashMap;
use uuid::Uuid;

/// The columns of an `import --update` file.
pub const UPDATE: Columns = Columns {
    what: "an import --update",
    known: &["id", "email", "first_name", "last_name", "display_name", "locale", "role", "is_active"],
    required: &[&["id", "email"]],
    ignored: &[
        "auth_provider",
        "email_verified",
        "status",
        "locked",
        "active_sessions",
        "last_login_at",
        "created_at",
        "updated_at",
    ],
};

/// How a line names its account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Id(Uuid),
    /// The email as written (trimmed): matched exactly first, then normalised.
    Email(String),
}

/// One account to edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub key: Key,
    /// With an `id` key and an `email` column: the email the account must have now.
    pub email_now: Option<String>,
    /// From a `role` cell: the role the account must have now.
    pub role_now: Option<Role>,
    /// From an `is_active` cell: whether the account must be active now.
    pub active_now: Option<bool>,
    /// What to set; empty when every field of the line is blank.
    pub edit: Edit,
    /// Fields left as they are because their cell holds U+FFFD: what an export writes for
    /// an invisible character (a ZWNJ in a Persian name, say). Written back, it would
    /// replace the real character.
    pub kept: Vec<&'static str>,
}

/// One record of the file; `line` is the physical line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateLine {
    pub line: u64,
    /// The key as written (for the report).
    pub key: String,
    pub outcome: Result<Update, String>,
}

/// Parses a whole file read from `input`, refusing it past `max_rows` records.
pub fn parse<R: std::io::Read>(input: R, max_rows: usize) -> Result<Vec<UpdateLine>, FileError> {
    read(input, max_rows).map(|p| p.lines)
}

/// [`parse`], with the separator it read the file with.
pub fn read<R: std::io::Read>(input: R, max_rows: usize) -> Result<Parsed<UpdateLine>, FileError> {
    let mut records = Records::open(input, &UPDATE, max_rows)?;
    let id_col = records.column("id");
    let email_col = records.column("email");
    let cols = FIELDS.map(|c| records.column(c));
    let (role_col, active_col) = (records.column("role"), records.column("is_active"));
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = records.next(&mut record)? {
        let field = |c: Option<usize>| spreadsheet_text(c.and_then(|c| record.get(c)).unwrap_or(""));
        let (id, email) = (field(id_col), field(email_col));
        let key = if id_col.is_some() { id } else { email }.to_string();
        // A key twice is refused whatever the rest of either line holds.
        let outcome = account(id_col.map(|_| id), email).and_then(|(key, email_now)| {
            let same = match &key {
                Key::Id(id) => id.to_string(),
                Key::Email(e) => normalize(e),
            };
            if let Some(earlier) = seen.get(&same) {
                return Err(format!("the same account is on line {earlier}"));
            }
            seen.insert(same, line);
            Ok(Update {
                key,
                email_now,
                role_now: role_check(field(role_col))?,
                active_now: active_check(field(active_col))?,
                kept: FIELDS
                    .into_iter()
                    .zip(cols.map(field))
                    .filter(|(_, v)| stood_in(v))
                    .map(|(f, _)| f)
                    .collect(),
                edit: profile_edit(cols.map(|c| Some(field(c)).filter(|v| !stood_in(v)).unwrap_or("")))?,
            })
        });
        out.push(UpdateLine { line, key, outcome });
    }
    Ok(Parsed { lines: out, separator: records.separator, read_past: records.read_past })
}

/// [`parse`] of text in memory, with the default row limit.
pub fn parse_str(text: &str) -> Result<Vec<UpdateLine>, FileError> {
    parse(text.as_bytes(), super::import::DEFAULT_MAX_ROWS)
}

/// How a record names its account (and the email it must have now), or why not. `id` is
/// the id cell when the file has that column.
fn account(id: Option<&str>, email: &str) -> Result<(Key, Option<String>), String> {
    let checked_email = |e: &str| Email::parse(e).map(|_| e.to_string()).map_err(|e| e.to_string());
    match id {
        Some("") => Err("no id".into()),
        Some(id) => {
            let id = Uuid::parse_str(id).map_err(|_| "the id is not an account id (a UUID)".to_string())?;
            let now = if email.is_empty() { None } else { Some(checked_email(email)?) };
            Ok((Key::Id(id), now))
        }
        None if email.is_empty() => Err("no email".into()),
        None => Ok((Key::Email(checked_email(email)?), None)),
    }
}

/// The profile columns, in the order [`profile_edit`] takes them.
const FIELDS: [&str; 4] = ["first_name", "last_name", "display_name", "locale"];

/// A cell an export wrote with U+FFFD in place of an invisible character.
fn stood_in(cell: &str) -> bool {
    cell.contains(super::sanitize::REPLACEMENT)
}

/// A `role` cell: blank checks nothing.
fn role_check(cell: &str) -> Result<Option<Role>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse().map(Some).map_err(|e: super::role::UnknownRole| format!("role: {e}"))
}

/// An `is_active` cell: `true`/`false` in any case, as an export writes and a spreadsheet
/// saves them (Swedish Excel: `SANT`/`FALSKT`), or `1`/`0`; blank checks nothing.
fn active_check(cell: &str) -> Result<Option<bool>, String> {
    match cell.to_lowercase().as_str() {
        "" => Ok(None),
        "true" | "sant" | "1" => Ok(Some(true)),
        "false" | "falskt" | "0" => Ok(Some(false)),
        _ => Err("is_active is not true or false".into()),
    }
}

/// What a record's profile cells set; a blank cell sets nothing.
fn profile_edit([first, last, display, locale]: [&str; 4]) -> Result<Edit, String> {
    let given = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let mut e = Edit::default();
    if let Some(v) = given(first) {
        e.first_name = Some(edit::name("first name", &v).map_err(|e| e.to_string())?);
    }
    if let Some(v) = given(last) {
        e.last_name = Some(edit::name("last name", &v).map_err(|e| e.to_string())?);
    }
    if let Some(v) = given(display) {
        e.display_name = Some(edit::display_name(&v).map_err(|e| e.to_string())?);
    }
    if let Some(v) = given(locale) {
        e.locale = Some(edit::locale(&v).map_err(|e| e.to_string())?);
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(l: &UpdateLine) -> &Update {
        l.outcome.as_ref().expect("a valid line")
    }

    #[test]
    fn lines_name_accounts_by_email_and_blank_cells_change_nothing() {
        let text = "Email,first_name,last_name,display_name,locale\n\
                    Anna@X.se,Anna,,,en-US\n\
                    bad-email,A,,,\n\
                    b@x.se,,,,fr-FR\n\
                    anna@x.se,,Berg,,\n\
                    c@x.se,,,,\n\
                    d@x.se,,,\"Dee\u{202e}\",\n";
        let lines = parse_str(text).expect("parsed");
        assert_eq!(lines.len(), 6);
        let anna = ok(&lines[0]);
        assert_eq!(anna.key, Key::Email("Anna@X.se".into()));
        assert_eq!(anna.edit.first_name.as_deref(), Some("Anna"));
        assert_eq!((anna.edit.last_name.as_ref(), anna.edit.display_name.as_ref()), (None, None));
        assert_eq!(anna.edit.locale.as_deref(), Some("en-US"));
        assert!(lines[1].outcome.is_err());
        assert!(lines[2].outcome.as_ref().is_err_and(|e| e.contains("locale")), "{:?}", lines[2]);
        assert_eq!(lines[3].outcome, Err("the same account is on line 2".into()));
        assert!(ok(&lines[4]).edit.is_empty(), "a line of blanks edits nothing");
        assert!(lines[5].outcome.as_ref().is_err_and(|e| e.contains("invisible")), "{:?}", lines[5]);
    }

    #[test]
    fn an_id_names_the_account_and_an_email_beside_it_is_a_check() {
        let id = Uuid::from_u128(7);
        let text = format!("id,email,first_name\n{id},a@x.se,Anna\n{id},,Anna\nnot-a-uuid,,A\n,b@x.se,B\n");
        let lines = parse_str(&text).expect("parsed");
        let first = ok(&lines[0]);
        assert_eq!((&first.key, first.email_now.as_deref()), (&Key::Id(id), Some("a@x.se")));
        assert_eq!(lines[1].outcome, Err("the same account is on line 2".into()));
        assert!(lines[2].outcome.as_ref().is_err_and(|e| e.contains("UUID")));
        assert_eq!(lines[3].outcome, Err("no id".into()));
        assert_eq!(lines[0].key, id.to_string());
    }

    #[test]
    fn names_over_a_hundred_characters_are_refused() {
        let long = "n".repeat(edit::MAX_NAME_CHARS + 1);
        let lines = parse_str(&format!("email,last_name\na@x.se,{long}\n")).expect("parsed");
        assert!(lines[0].outcome.as_ref().is_err_and(|e| e.contains("100")), "{:?}", lines[0]);
        let fits = "n".repeat(edit::MAX_NAME_CHARS);
        let lines = parse_str(&format!("email,last_name\na@x.se,{fits}\n")).expect("parsed");
        assert_eq!(ok(&lines[0]).edit.last_name.as_deref(), Some(fits.as_str()));
    }

    #[test]
    fn an_exports_file_is_read_its_role_and_activity_as_checks_the_rest_read_past() {
        let id = Uuid::from_u128(9);
        let text = format!(
            "\"id\",\"email\",\"first_name\",\"last_name\",\"display_name\",\"locale\",\"role\",\
             \"auth_provider\",\"is_active\",\"email_verified\",\"status\",\"locked\",\"active_sessions\",\
             \"last_login_at\",\"created_at\",\"updated_at\"\n\
             \"{id}\",\"'-x@x.se\",\"'=Anna\",\"O'Berg\",\"\",\"sv-SE\",\"admin\",\"local\",FALSKT,true,\
             \"inactive\",false,0,\"\",\"2026-01-01T00:00:00Z\",\"2026-01-01T00:00:00Z\"\n"
        );
        let lines = parse_str(&text).expect("an export is an update file");
        let u = ok(&lines[0]);
        assert_eq!(u.email_now.as_deref(), Some("-x@x.se"), "the export's mark is taken off");
        assert_eq!(u.edit.first_name.as_deref(), Some("=Anna"));
        assert_eq!(u.edit.last_name.as_deref(), Some("O'Berg"), "an apostrophe of the name stays");
        assert_eq!((u.role_now, u.active_now), (Some(Role::Admin), Some(false)));
        // U+FFFD stands for an invisible character the export could not write: the field
        // stays as the database has it.
        let lines = parse_str("email,first_name,last_name\na@x.se,Nas\u{fffd}rin,Ahmadi\n").expect("parsed");
        let u = ok(&lines[0]);
        assert_eq!((u.edit.first_name.as_deref(), u.edit.last_name.as_deref()), (None, Some("Ahmadi")));
        assert_eq!(u.kept, ["first_name"]);
        let bad = parse_str("email,role,is_active\na@x.se,boss,\nb@x.se,,maybe\nc@x.se,,\n").expect("parsed");
        assert!(bad[0].outcome.as_ref().is_err_and(|e| e.starts_with("role: ")), "{:?}", bad[0]);
        assert_eq!(bad[1].outcome, Err("is_active is not true or false".into()));
        assert_eq!((ok(&bad[2]).role_now, ok(&bad[2]).active_now), (None, None), "blank checks nothing");
    }

    #[test]
    fn a_header_without_a_key_or_with_an_unknown_column_is_refused_by_position() {
        assert_eq!(
            parse_str("first_name,locale\nA,sv-SE\n"),
            Err(FileError::MissingColumn { line: 1, name: "id", of: &UPDATE })
        );
        let e = parse_str("email,password\na@x.se,x\n").expect_err("no such column");
        assert_eq!(e, FileError::UnknownColumn { line: 1, column: 2, of: &UPDATE });
        assert!(
            e.to_string().contains("an import --update")
                && e.to_string().contains("read past: auth_provider"),
            "{e}"
        );
        let missing = FileError::MissingColumn { line: 1, name: "id", of: &UPDATE }.to_string();
        assert!(missing.contains("names id or email"), "{missing}");
    }
}
