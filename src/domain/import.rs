//! Reading an import file: a CSV whose header names `email` and `role`, and any of
//! `first_name`, `last_name`, `display_name`. Each record becomes an account to create or
//! a reason why not; whether the email exists already is the store's to say.
//!
//! The file is untrusted and may not be an import at all (`import .env`): a refusal of the
//! whole file names a line and a column, never what is written there.

use super::permissions::{self, ActorView};
use super::{Change, Email, Role};
use std::collections::HashMap;

/// The longest name the web app's `user_profiles` columns take.
pub const MAX_NAME_CHARS: usize = 100;

/// How many accounts one import creates at most unless `--max-rows` says otherwise: at the
/// web app's argon2 parameters each costs ~126 ms of CPU, so 100,000 are about 1 h 45 min
/// on 2 cores (BENCHMARKS.md).
pub const DEFAULT_MAX_ROWS: usize = 100_000;

/// The columns an import knows, in the order the refusals list them.
pub const COLUMNS: [&str; 5] = ["email", "role", "first_name", "last_name", "display_name"];

/// One account to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub email: Email,
    pub role: Role,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
}

/// One record of the file. `line` is the physical line it starts on (the header is line 1;
/// a quoted field may hold line breaks, so records and lines can differ).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportLine {
    pub line: u64,
    /// The email as written (for the report).
    pub email: String,
    pub outcome: Result<NewAccount, String>,
}

/// The columns a kind of import knows and which it needs, for the header check and the
/// refusals (which name these, never the file's text).
#[derive(Debug, PartialEq, Eq)]
pub struct Columns {
    /// What the file is for, in a refusal: "an import".
    pub what: &'static str,
    /// Every column it knows, in the order the refusals list them.
    pub known: &'static [&'static str],
    /// Each entry: one of these columns must be there.
    pub required: &'static [&'static [&'static str]],
    /// Columns a file may have that this kind reads past (an export's read-only ones).
    pub ignored: &'static [&'static str],
}

/// The columns of an import that creates accounts.
pub const CREATE: Columns =
    Columns { what: "an import", known: &COLUMNS, required: &[&["email"], &["role"]], ignored: &[] };

impl Columns {
    fn known_list(&self) -> String {
        match self.ignored {
            [] => self.known.join(", "),
            ignored => format!("{}; read past: {}", self.known.join(", "), ignored.join(", ")),
        }
    }

    fn needs(&self) -> String {
        let each: Vec<String> = self.required.iter().map(|any| any.join(" or ")).collect();
        each.join(" and ")
    }
}

/// Why a file is refused as a whole. No variant holds text of the file: only numbers and
/// this tool's own column names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty; its first line must name the columns")]
    Empty,
    #[error(
        "line {line}, column {column} is not a column of {} (the columns are {}); is this an import file?",
        of.what, of.known_list()
    )]
    UnknownColumn { line: u64, column: usize, of: &'static Columns },
    #[error("line {line}, column {column} names {name} again (column {first} did already)")]
    ColumnTwice { line: u64, column: usize, first: usize, name: &'static str },
    #[error("line {line}, the header, does not name the column {name}; the header of {} names {}", of.what, of.needs())]
    MissingColumn { line: u64, name: &'static str, of: &'static Columns },
    #[error(
        "line {line}, column {column}: not UTF-8 text (a file saved as Windows-1252 or Latin-1, as Excel's \
         plain \"CSV\" is: save it as \"CSV UTF-8\" instead)"
    )]
    NotUtf8 { line: u64, column: usize },
    #[error("line {line}: {found} fields where the header line has {expected}")]
    FieldCount { line: u64, found: u64, expected: u64 },
    #[error("more than {max} accounts in the file; a larger import needs --max-rows")]
    TooManyRows { max: usize },
    #[error("cannot be read: {0}")]
    Read(std::io::ErrorKind),
}

impl FileError {
    /// A refusal from the CSV reader, in this module's terms (its own messages need not
    /// stay free of the file's text); `line` tells the line of a record's byte offset.
    fn from_csv(e: &csv::Error, line: &mut dyn FnMut(u64) -> u64) -> FileError {
        let mut at = |pos: &Option<csv::Position>| pos.as_ref().map_or(0, |p| line(p.byte()));
        match e.kind() {
            csv::ErrorKind::Io(io) => FileError::Read(io.kind()),
            csv::ErrorKind::Utf8 { pos, err } => {
                FileError::NotUtf8 { line: at(pos), column: err.field() + 1 }
            }
            csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
                FileError::FieldCount { line: at(pos), found: *len, expected: *expected_len }
            }
            _ => FileError::Read(std::io::ErrorKind::InvalidData),
        }
    }
}

/// The input, with the lines counted as the CSV reader reads it. The reader's position of
/// a record is where it started looking, before the blank lines it skips; the record's
/// line is that of the first line after it that is not blank. Only the lines the reader
/// has read ahead are remembered.
struct Lines<R> {
    inner: R,
    offset: u64,
    line: u64,
    at_line_start: bool,
    /// The last byte read was a CR (so a LF next ends no further line).
    after_cr: bool,
    /// (byte offset, line) of the starts of lines that are not blank, not yet asked for.
    starts: std::collections::VecDeque<(u64, u64)>,
}

impl<R: std::io::Read> Lines<R> {
    fn new(inner: R) -> Lines<R> {
        Lines { inner, offset: 0, line: 1, at_line_start: true, after_cr: false, starts: Default::default() }
    }

    /// The line of the first byte at or after `byte` that is not a line break.
    fn line_of(&mut self, byte: u64) -> u64 {
        while self.starts.front().is_some_and(|&(at, _)| at < byte) {
            self.starts.pop_front();
        }
        self.starts.front().map_or(self.line, |&(_, line)| line)
    }
}

impl<R: std::io::Read> std::io::Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        // A byte order mark opening the input is no text of the first line (the first read
        // holds all of it: `WholeStart`).
        let mark = if self.offset == 0 && buf[..n].starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
        // A line ends with LF, CRLF or a lone CR, as for the CSV reader.
        for (i, &b) in buf[..n].iter().enumerate().skip(mark) {
            match b {
                b'\n' if self.after_cr => {}
                b'\n' | b'\r' => {
                    self.line += 1;
                    self.at_line_start = true;
                }
                _ if self.at_line_start => {
                    self.starts.push_back((self.offset + i as u64, self.line));
                    self.at_line_start = false;
                }
                _ => {}
            }
            self.after_cr = b == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The input with its first line read ahead (up to [`HEAD_MAX`] bytes): the separator is
/// chosen from it, and the CSV reader's first read gets all of it, so it sees a byte order
/// mark whole and something after it. (It strips a mark only when its first read holds
/// all three bytes: a file whose first read brought fewer, from a pipe or a slow file
/// system, had `\u{feff}email` as its first column and was refused; and given the mark
/// alone it takes the empty rest for the end of the file.)
struct WholeStart<R> {
    inner: R,
    head: Vec<u8>,
    /// How much of `head` has been handed out.
    at: usize,
}

/// The most read ahead for the first line.
const HEAD_MAX: usize = 64 * 1024;

impl<R: std::io::Read> WholeStart<R> {
    /// Reads ahead until the first line that is not blank has ended (or the input has, or
    /// [`HEAD_MAX`] bytes are in).
    fn new(mut inner: R) -> Result<WholeStart<R>, FileError> {
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        while head.len() < HEAD_MAX && !first_line(&head).1 {
            match inner.read(&mut chunk) {
                Ok(0) => break,
                Ok(k) => head.extend_from_slice(&chunk[..k]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FileError::Read(e.kind())),
            }
        }
        Ok(WholeStart { inner, head, at: 0 })
    }
}

impl<R: std::io::Read> std::io::Read for WholeStart<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at < self.head.len() {
            let n = buf.len().min(self.head.len() - self.at);
            buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// The first line of `head` that is not blank (after a byte order mark), and whether its
/// end is in `head`.
fn first_line(head: &[u8]) -> (&[u8], bool) {
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = text.iter().position(|b| !matches!(b, b'\n' | b'\r')).unwrap_or(text.len());
    let rest = &text[start..];
    match rest.iter().position(|b| matches!(b, b'\n' | b'\r')) {
        Some(end) => (&rest[..end], true),
        None => (rest, false),
    }
}

/// The separator of a file whose first line is `header`: `;` when it has semicolons and no
/// comma (what a spreadsheet set to Swedish writes), else `,`.
pub fn separator(header: &[u8]) -> u8 {
    if header.contains(&b';') && !header.contains(&b',') { b';' } else { b',' }
}

/// Where each known column is, from the header's fields (trimmed, any case), and the
/// columns read past.
fn columns<'h>(
    line: u64,
    header: impl Iterator<Item = &'h str>,
    of: &'static Columns,
) -> Result<(HashMap<&'static str, usize>, Vec<&'static str>), FileError> {
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    let mut read_past = Vec::new();
    for (i, field) in header.enumerate() {
        let column = i + 1;
        let is = |c: &&str| field.trim().eq_ignore_ascii_case(c);
        let Some(name) = of.known.iter().copied().find(is) else {
            if let Some(name) = of.ignored.iter().copied().find(is) {
                read_past.push(name);
                continue;
            }
            return Err(FileError::UnknownColumn { line, column, of });
        };
        if let Some(first) = at.insert(name, i) {
            return Err(FileError::ColumnTwice { line, column, first: first + 1, name });
        }
    }
    for any in of.required {
        if !any.iter().any(|c| at.contains_key(c)) {
            return Err(FileError::MissingColumn { line, name: any[0], of });
        }
    }
    Ok((at, read_past))
}

/// An import file being read: its header checked, then a record at a time with the line
/// it starts on, refused past `max_rows` records (found while reading, so a huge file is
/// not read to its end first).
pub(super) struct Records<R: std::io::Read> {
    reader: csv::Reader<Lines<WholeStart<R>>>,
    /// Where each column of the header is.
    pub at: HashMap<&'static str, usize>,
    /// The separator, as the header line showed it.
    pub separator: u8,
    /// The columns read past.
    pub read_past: Vec<&'static str>,
    max_rows: usize,
    read: usize,
}

impl<R: std::io::Read> Records<R> {
    /// Reads and checks the header against `of`.
    pub(super) fn open(input: R, of: &'static Columns, max_rows: usize) -> Result<Records<R>, FileError> {
        let start = WholeStart::new(input)?;
        let separator = separator(first_line(&start.head).0);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::All)
            .delimiter(separator)
            .from_reader(Lines::new(start));
        let header = match reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(FileError::from_csv(&e, &mut |b| reader.get_mut().line_of(b))),
        };
        if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
            return Err(FileError::Empty);
        }
        // Blank lines before the header are skipped: it is where it starts.
        let line = header.position().map_or(1, |p| reader.get_mut().line_of(p.byte()));
        let header = csv::StringRecord::from_byte_record(header)
            .map_err(|e| FileError::NotUtf8 { line, column: e.utf8_error().field() + 1 })?;
        let (at, read_past) = columns(line, header.iter(), of)?;
        Ok(Records { reader, at, separator, read_past, max_rows, read: 0 })
    }

    /// The next record into `record`, and the line it starts on; `None` at the end.
    pub(super) fn next(&mut self, record: &mut csv::StringRecord) -> Result<Option<u64>, FileError> {
        match self.reader.read_record(record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(FileError::from_csv(&e, &mut |b| self.reader.get_mut().line_of(b))),
        }
        if self.read == self.max_rows {
            return Err(FileError::TooManyRows { max: self.max_rows });
        }
        self.read += 1;
        Ok(Some(record.position().map_or(0, |p| self.reader.get_mut().line_of(p.byte()))))
    }

    /// Where the column `name` is, if the header names it.
    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.at.get(name).copied()
    }
}

/// A file read: its records, and the separator its header line showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed<T> {
    pub lines: Vec<T>,
    pub separator: u8,
    /// The header's columns this kind of file reads past ([`Columns::ignored`]), in order.
    pub read_past: Vec<&'static str>,
}

/// Parses a whole file read from `input`, refusing it when it holds more than `max_rows`
/// records.
pub fn parse<R: std::io::Read>(
    input: R,
    actor: ActorView,
    max_rows: usize,
) -> Result<Vec<ImportLine>, FileError> {
    read(input, actor, max_rows).map(|p| p.lines)
}

/// [`parse`], with the separator it read the file with.
pub fn read<R: std::io::Read>(
    input: R,
    actor: ActorView,
    max_rows: usize,
) -> Result<Parsed<ImportLine>, FileError> {
    let mut records = Records::open(input, &CREATE, max_rows)?;
    let (email_col, role_col) = (records.at["email"], records.at["role"]);
    let names = ["first_name", "last_name", "display_name"].map(|c| records.column(c));
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = records.next(&mut record)? {
        let field = |c: usize| record.get(c).unwrap_or("");
        let raw = field(email_col).to_string();
        let outcome = account(&raw, field(role_col), names.map(|c| c.map(field)), actor).and_then(|a| {
            match seen.get(a.email.as_str()) {
                Some(earlier) => Err(format!("the same email is on line {earlier}")),
                None => {
                    seen.insert(a.email.as_str().to_string(), line);
                    Ok(a)
                }
            }
        });
        out.push(ImportLine { line, email: raw, outcome });
    }
    Ok(Parsed { lines: out, separator: records.separator, read_past: records.read_past })
}

/// [`parse`] of text in memory, with the default row limit.
pub fn parse_str(text: &str, actor: ActorView) -> Result<Vec<ImportLine>, FileError> {
    parse(text.as_bytes(), actor, DEFAULT_MAX_ROWS)
}

/// One record's account, or why not.
fn account(raw: &str, role: &str, names: [Option<&str>; 3], actor: ActorView) -> Result<NewAccount, String> {
    let email = Email::parse(raw).map_err(|e| e.to_string())?;
    let role: Role = role.parse().map_err(|e: super::role::UnknownRole| e.to_string())?;
    permissions::check(actor, &Change::Create { email: email.clone(), role }, None)
        .map_err(|e| e.to_string())?;
    let name = |v: Option<&str>| -> Result<Option<String>, String> {
        let Some(v) = v.filter(|v| !v.is_empty()) else { return Ok(None) };
        if v.chars().count() > MAX_NAME_CHARS {
            return Err(format!("a name is longer than {MAX_NAME_CHARS} characters"));
        }
        if v.chars().any(super::sanitize::is_unsafe) {
            return Err("a name holds a control or invisible character".into());
        }
        Ok(Some(v.to_string()))
    };
    Ok(NewAccount {
        email,
        role,
        first_name: name(names[0])?,
        last_name: name(names[1])?,
        display_name: name(names[2])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn admin() -> ActorView {
        ActorView { id: Uuid::nil(), role: Role::Admin }
    }

    #[test]
    fn lines_become_accounts_or_reasons() {
        let text = "Email, Role ,first_name\nAnna@X.se,user,Anna\nbad-email,user,\nb@x.se,boss,\nc@x.se,admin,\nanna@x.se,user,\n";
        let lines = parse_str(text, admin()).expect("parsed");
        assert_eq!(lines.len(), 5);
        let a = lines[0].outcome.as_ref().expect("anna");
        assert_eq!(
            (a.email.as_str(), a.role, a.first_name.as_deref()),
            ("anna@x.se", Role::User, Some("Anna"))
        );
        assert!(lines[1].outcome.is_err());
        assert!(lines[2].outcome.as_ref().is_err_and(|e| e.contains("boss")), "{:?}", lines[2]);
        assert!(
            lines[3].outcome.as_ref().is_err_and(|e| e.contains("permissions")),
            "an admin imports no admins"
        );
        assert_eq!(lines[4].outcome, Err("the same email is on line 2".into()));
        assert_eq!(lines[4].line, 6);
        assert_eq!(
            parse_str("mail,role\n", admin()),
            Err(FileError::UnknownColumn { line: 1, column: 1, of: &CREATE })
        );
        assert_eq!(
            parse_str("email\n", admin()),
            Err(FileError::MissingColumn { line: 1, name: "role", of: &CREATE })
        );
        assert_eq!(
            parse_str("\n\nrole,nom\n", admin()),
            Err(FileError::UnknownColumn { line: 3, column: 2, of: &CREATE })
        );
        let bom =
            parse_str("\u{feff}email,role\na@x.se,user\n", admin()).expect("a byte order mark is no column");
        assert_eq!(bom[0].line, 2);
        // The header's own line counts the blank lines after a byte order mark too.
        assert_eq!(
            parse_str("\u{feff}\r\n\r\nemail,nom\n", admin()),
            Err(FileError::UnknownColumn { line: 3, column: 2, of: &CREATE })
        );
        assert_eq!(parse_str("", admin()), Err(FileError::Empty));
    }

    /// Issue 23 point 6: `import .env` printed the file's first line, the database password
    /// with it. A first line that is no header is refused by its position alone.
    #[test]
    fn a_file_that_is_no_import_is_refused_without_quoting_it() {
        let secret = "s3cr3t-Pa55word";
        for text in [
            format!("DATABASE_URL=postgres://app:{secret}@db:5432/app\nOTHER=1\n"),
            format!("email,role,{secret}\n"),
            format!("email,\"{secret}\nrole\"\n"),
            format!("{secret}\n"),
        ] {
            let e = parse_str(&text, admin()).expect_err("not an import");
            let shown = e.to_string();
            assert!(!shown.contains(secret) && !shown.contains("postgres"), "{shown}");
            assert!(shown.starts_with("line 1, column "), "{shown}");
        }
        let e = parse(&b"email,ro\xffle\n"[..], admin(), 10).expect_err("not UTF-8");
        assert_eq!(e, FileError::NotUtf8 { line: 1, column: 2 });
    }

    /// Issue 23 point 7: line numbers are the lines a record starts on, which a quoted
    /// line break moves; a column named twice is refused.
    #[test]
    fn line_numbers_are_physical_lines_and_a_column_named_twice_is_refused() {
        let text =
            "email,role,display_name\na@x.se,user,\"two\nlines\"\nbad,user,\n\nb@x.se,user,\nb@x.se,user,\n";
        let lines = parse_str(text, admin()).expect("parsed");
        let numbers: Vec<u64> = lines.iter().map(|l| l.line).collect();
        assert_eq!(numbers, [2, 4, 6, 7]);
        assert_eq!(lines[3].outcome, Err("the same email is on line 6".into()));
        assert_eq!(
            parse_str("email,role,EMAIL\n", admin()),
            Err(FileError::ColumnTwice { line: 1, column: 3, first: 1, name: "email" })
        );
        let e =
            parse_str("email,role\na@x.se,user\n\"b@x.se\nx\",user,extra\n", admin()).expect_err("3 fields");
        assert_eq!(e, FileError::FieldCount { line: 3, found: 3, expected: 2 });
        let e =
            parse(&b"email,role\na@x.se,user\n\r\n\nb@x.se,us\xffer\n"[..], admin(), 10).expect_err("bytes");
        assert_eq!(e, FileError::NotUtf8 { line: 5, column: 2 });
        let crlf =
            parse_str("email,role\r\n\r\na@x.se,user\r\nb@x.se,\"us\r\ner\"\r\nc@x.se,user\r\n", admin());
        let numbers: Vec<u64> = crlf.expect("parsed").iter().map(|l| l.line).collect();
        assert_eq!(numbers, [3, 4, 6]);
        // Found by the fuzzer (fuzz/fuzz_targets/import_csv.rs): after a lone CR (old Mac
        // line ends), a record was said to be on the header's line.
        let cr = parse_str("email,role\ra@x.se,user\r\rb@x.se,user\n\rc@x.se,user", admin());
        let numbers: Vec<u64> = cr.expect("parsed").iter().map(|l| l.line).collect();
        assert_eq!(numbers, [2, 4, 6]);
    }

    /// Hands out one byte per `read`, as a pipe or a slow file system may.
    struct ByteByByte<'a>(&'a [u8]);

    impl std::io::Read for ByteByByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
            match buf.first_mut() {
                Some(b) => *b = *first,
                None => return Ok(0),
            }
            self.0 = rest;
            Ok(1)
        }
    }

    /// Found by the fuzzer (fuzz/fuzz_targets/import_csv.rs): a byte order mark was taken
    /// for part of the first column name when the file's first read brought fewer than its
    /// three bytes, so how the reads fell decided whether the file was an import.
    #[test]
    fn a_byte_order_mark_is_no_column_however_the_reads_fall() {
        for text in
            ["\u{feff}email,role\na@x.se,user\n", "\u{feff}", "\u{feff}\u{feff}email,role\n", "email,role\n"]
        {
            let whole = parse(text.as_bytes(), admin(), 10);
            assert_eq!(parse(ByteByByte(text.as_bytes()), admin(), 10), whole, "{text:?}");
        }
        let lines = parse(ByteByByte("\u{feff}email,role\na@x.se,user\n".as_bytes()), admin(), 10);
        assert_eq!(lines.expect("an import").iter().map(|l| l.line).collect::<Vec<_>>(), [2]);
        // Only a mark at the very start is one: bytes of one that stop short stay text.
        assert_eq!(
            parse(ByteByByte(b"\xef\xbbemail,role\n"), admin(), 10),
            Err(FileError::NotUtf8 { line: 1, column: 1 })
        );
    }

    /// What a spreadsheet set to Swedish writes: `;` between the columns (told by the header
    /// line, after a byte order mark and blank lines), CRLF; a comma in a cell is then text.
    #[test]
    fn a_semicolon_header_is_read_with_semicolons() {
        let text = "\u{feff}\r\nemail;role;last_name\r\nanna@x.se;user;Berg, Anna\r\nb@x.se;contributor;\r\n";
        let parsed = read(text.as_bytes(), admin(), 10).expect("read");
        assert_eq!(parsed.separator, b';');
        let a = parsed.lines[0].outcome.as_ref().expect("anna");
        assert_eq!((a.role, a.last_name.as_deref()), (Role::User, Some("Berg, Anna")));
        assert_eq!(parsed.lines.iter().map(|l| l.line).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(parse(ByteByByte(text.as_bytes()), admin(), 10), Ok(parsed.lines));
        assert_eq!(read("email,role\na@x.se,user\n".as_bytes(), admin(), 10).map(|p| p.separator), Ok(b','));
        assert_eq!(separator(b"email;role,x"), b',', "a comma anywhere: commas");
    }

    /// Excel's plain "CSV" is Windows-1252: refused, saying so, quoting nothing.
    #[test]
    fn a_windows_1252_file_is_refused_by_that_name() {
        let e = parse(&b"email;role;last_name\na@x.se;user;Str\xf6m\n"[..], admin(), 10).expect_err("cp1252");
        assert_eq!(e, FileError::NotUtf8 { line: 2, column: 3 });
        assert!(e.to_string().contains("Windows-1252") && e.to_string().contains("CSV UTF-8"), "{e}");
    }

    /// Issue 23 point 10: a file over the row limit is refused, at the first record past it.
    #[test]
    fn more_rows_than_the_limit_are_refused() {
        let text = "email,role\na@x.se,user\nb@x.se,user\nc@x.se,user\n";
        assert_eq!(parse(text.as_bytes(), admin(), 3).map(|l| l.len()), Ok(3));
        assert_eq!(parse(text.as_bytes(), admin(), 2), Err(FileError::TooManyRows { max: 2 }));
        assert!(FileError::TooManyRows { max: 2 }.to_string().contains("--max-rows"));
    }
}
