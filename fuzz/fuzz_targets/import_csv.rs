//! `import FILE.csv`'s reading of the file: `domain::import::parse` (all of it but the
//! database: the CSV reader, the header's columns, each record's checks, the row limit),
//! and `import --update`'s, `domain::import_update::parse`, of the same bytes.
//!
//! Input: one byte (the importing admin's role and the row limit), then the file's bytes.
//!
//! Asserts: never a panic; the file read whole, one byte per `read`, or in chunks the input
//! chooses gives the same result (the line counting is streamed and remembers only what
//! the reader has read ahead); a refusal of the whole file is ASCII (it names lines and
//! columns, never the file's text); record lines rise strictly, from line 2, and never
//! past the file's last line; an account to create has the email its line's email parses
//! to, names of at most 100 safe characters, a role its importer may give, and an email
//! no earlier account has; at most the row limit is accepted, and one row fewer refuses.
//! For `--update` the same about reads, refusals and lines, and: an edit's names are at
//! most 100 safe characters and never empty, its locale one the web app supports, and no
//! account is named by two lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skriptoteket_admin::domain::edit::LOCALES;
use skriptoteket_admin::domain::import::{self, ImportLine, MAX_NAME_CHARS};
use skriptoteket_admin::domain::import_update::{self, Key};
use skriptoteket_admin::domain::permissions::ActorView;
use skriptoteket_admin::domain::sanitize::is_unsafe;
use skriptoteket_admin::domain::{Email, Role};
use std::collections::HashSet;
use std::io::Read;

/// Hands out `data` in pieces of the sizes in `sizes` (cycled; 0 counts as 1).
struct Chunks<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    next: usize,
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = if self.sizes.is_empty() {
            1
        } else {
            usize::from(self.sizes[self.next % self.sizes.len()]).max(1)
        };
        self.next += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Lines as the import counts them: LF, CRLF or a lone CR ends one.
fn physical_lines(data: &[u8]) -> u64 {
    let mut lines = 1;
    let mut after_cr = false;
    for &b in data {
        if b == b'\r' || (b == b'\n' && !after_cr) {
            lines += 1;
        }
        after_cr = b == b'\r';
    }
    lines
}

/// The records read, when the file was read: a refusal of the whole file is ASCII (it
/// names lines and columns, never the file's text); at most `max_rows` records, whose
/// lines rise strictly from line 2 and never pass the file's last line.
fn accepted<T>(
    read: Result<Vec<T>, import::FileError>,
    file: &[u8],
    max_rows: usize,
    line: fn(&T) -> u64,
) -> Option<Vec<T>> {
    let lines = match read {
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.is_ascii(), "a refusal quotes the file: {shown:?}");
            return None;
        }
        Ok(lines) => lines,
    };
    assert!(lines.len() <= max_rows);
    let last_line = physical_lines(file);
    let mut previous = 1;
    for l in &lines {
        let at = line(l);
        assert!(at > previous && at <= last_line, "line {at} after {previous} (of {last_line})");
        previous = at;
    }
    Some(lines)
}

/// The `--update` reading of `file`; `sizes` picks the chunks of a second read.
fn updates(file: &[u8], sizes: &[u8], max_rows: usize) {
    let whole = import_update::parse(file, max_rows);
    let chunked = import_update::parse(Chunks { data: file, sizes, next: 0 }, max_rows);
    assert_eq!(whole, chunked, "read in chunks, the update file reads otherwise");
    let Some(lines) = accepted(whole, file, max_rows, |l| l.line) else { return };
    let mut keys = HashSet::new();
    for l in &lines {
        let Ok(u) = &l.outcome else { continue };
        let key = match &u.key {
            Key::Id(id) => id.to_string(),
            Key::Email(e) => Email::parse(e).expect("a key email is an email").to_string(),
        };
        assert!(keys.insert(key), "an account on two lines");
        let e = &u.edit;
        let display = e.display_name.clone().flatten();
        for name in [&e.first_name, &e.last_name, &display].into_iter().flatten() {
            assert!(!name.is_empty() && name.chars().count() <= MAX_NAME_CHARS);
            assert!(!name.chars().any(is_unsafe), "{name:?}");
            assert_eq!(name.trim(), name);
        }
        assert!(e.locale.as_deref().is_none_or(|l| LOCALES.contains(&l)));
        assert!(e.email.is_none(), "an update file changes no email");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, file)) = data.split_first() else { return };
    let max_rows = usize::from(knobs >> 1) + 1;
    updates(file, data.get(..7).unwrap_or(data), max_rows);
    let actor =
        ActorView { id: uuid::Uuid::nil(), role: if knobs & 1 == 0 { Role::Admin } else { Role::Superuser } };

    let whole = import::parse(file, actor, max_rows);
    let bytewise = import::parse(Chunks { data: file, sizes: &[], next: 0 }, actor, max_rows);
    assert_eq!(whole, bytewise, "read one byte at a time, the file reads otherwise");
    let chunked =
        import::parse(Chunks { data: file, sizes: data.get(..7).unwrap_or(data), next: 0 }, actor, max_rows);
    assert_eq!(whole, chunked, "read in chunks, the file reads otherwise");

    let Some(lines): Option<Vec<ImportLine>> = accepted(whole, file, max_rows, |l| l.line) else { return };
    let mut emails = HashSet::new();
    for l in &lines {
        let Ok(a) = &l.outcome else { continue };
        assert_eq!(Email::parse(&l.email).as_ref(), Ok(&a.email));
        assert!(emails.insert(a.email.as_str().to_string()), "{} twice", a.email);
        assert!(actor.role == Role::Superuser || a.role < Role::Admin, "an admin imports an admin");
        for name in [&a.first_name, &a.last_name, &a.display_name].into_iter().flatten() {
            assert!(!name.is_empty() && name.chars().count() <= MAX_NAME_CHARS);
            assert!(!name.chars().any(is_unsafe), "{name:?}");
        }
    }
    if let Some(fewer) = lines.len().checked_sub(1) {
        assert_eq!(
            import::parse(file, actor, fewer),
            Err(import::FileError::TooManyRows { max: fewer }),
            "one row over the limit is accepted"
        );
    }
});
