//! Where an import's generated passwords go, one at a time as they are hashed: a new file
//! only the admin can read (CSV `email,password`), or stdout as JSON. Each password is
//! written (through a zeroizing buffer, never a long-lived one) and then dropped; the
//! output is complete, flushed and on disk before the accounts are created, so an output
//! that cannot be written stops the import before anything exists.

use crate::domain::Secret;
use crate::domain::import::NewAccount;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub enum Passwords {
    File {
        path: PathBuf,
        file: std::fs::File,
    },
    /// JSON on stdout: `{"change_id": ..., "created": [{email, role, password}, ...]}`.
    Stdout {
        first: bool,
    },
}

/// Why the passwords could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PasswordsError {
    /// The new file could not be created (it exists, say: it is never overwritten).
    #[error("{}: {kind} (it is never overwritten)", path.display())]
    Create { path: PathBuf, kind: std::io::ErrorKind },
    /// Writing failed: to the file `to`, or (`None`) to stdout.
    #[error("cannot write the passwords to {}: {error}", to.as_ref().map_or("stdout".into(), |p| p.display().to_string()))]
    Write { to: Option<PathBuf>, error: std::io::Error },
}

#[derive(serde::Serialize)]
struct Created<'a> {
    email: &'a str,
    role: crate::domain::Role,
    password: &'a str,
}

impl Passwords {
    /// A new file (0600, never an existing one overwritten, never through a symbolic
    /// link) with its header line.
    pub fn file(path: &Path) -> Result<Passwords, PasswordsError> {
        let file = crate::export::file::create_new(path, 0o600)
            .map_err(|e| PasswordsError::Create { path: path.to_path_buf(), kind: e.kind() })?;
        let mut out = Passwords::File { path: path.to_path_buf(), file };
        if let Err(e) = out.put(b"email,password\n") {
            out.discard();
            return Err(e);
        }
        Ok(out)
    }

    /// The JSON's start on stdout.
    pub fn stdout(change_id: uuid::Uuid) -> Result<Passwords, PasswordsError> {
        let mut out = Passwords::Stdout { first: true };
        out.put(format!("{{\"change_id\":\"{change_id}\",\"created\":[").as_bytes())?;
        Ok(out)
    }

    /// One account's password, written through at once.
    pub fn write(&mut self, a: &NewAccount, password: &Secret) -> Result<(), PasswordsError> {
        let mut buf = Zeroizing::new(Vec::with_capacity(1024));
        match self {
            Passwords::File { .. } => {
                csv_line(&mut buf, &[a.email.as_str(), password.expose()]);
            }
            Passwords::Stdout { first } => {
                // Emails are validated (nothing unsafe to draw), roles are names, and the
                // generator's alphabet is plain ASCII: the JSON is inert as it stands.
                buf.extend_from_slice(if *first { b"\n" } else { b",\n" });
                *first = false;
                let item = Created { email: a.email.as_str(), role: a.role, password: password.expose() };
                serde_json::to_writer(&mut *buf, &item).map_err(|e| self.failed(e.into()))?;
            }
        }
        self.put(&buf)
    }

    /// Ends the output and makes sure it is where it goes: the JSON closed and flushed,
    /// the file synced to disk.
    pub fn finish(&mut self) -> Result<(), PasswordsError> {
        match self {
            Passwords::File { file, .. } => file.sync_all().map_err(|e| self.failed(e)),
            Passwords::Stdout { first } => {
                let end: &[u8] = if *first { b"]}\n" } else { b"\n]}\n" };
                self.put(end)
            }
        }
    }

    /// The passwords are no account's: the file goes (stdout cannot be taken back).
    pub fn discard(&self) {
        if let Passwords::File { path, .. } = self {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Where the passwords are, for the closing report.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Passwords::File { path, .. } => Some(path),
            Passwords::Stdout { .. } => None,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), PasswordsError> {
        let written = match self {
            Passwords::File { file, .. } => file.write_all(bytes),
            Passwords::Stdout { .. } => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes).and_then(|()| out.flush())
            }
        };
        written.map_err(|e| self.failed(e))
    }

    fn failed(&self, error: std::io::Error) -> PasswordsError {
        PasswordsError::Write { to: self.path().map(Path::to_path_buf), error }
    }
}

/// A passwords file created for accounts that do not exist yet: removed when dropped (an
/// import given up on, or cut short by the console's quitting) unless [`Unclaimed::keep`]
/// was called once the accounts are (or may be) created.
pub struct Unclaimed(Option<PathBuf>);

impl Unclaimed {
    pub fn new(path: &Path) -> Unclaimed {
        Unclaimed(Some(path.to_path_buf()))
    }

    /// The file stays, whatever follows.
    pub fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Unclaimed {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// One CSV line of `fields` into `out`, quoted where needed, by csv-core (which writes into
/// the caller's buffer, so the password is in no buffer of its own).
fn csv_line(out: &mut Vec<u8>, fields: &[&str]) {
    let mut w = csv_core::Writer::new();
    let mut chunk = Zeroizing::new([0u8; 256]);
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            let (_, n) = w.delimiter(&mut chunk[..]);
            out.extend_from_slice(&chunk[..n]);
        }
        let mut input = field.as_bytes();
        loop {
            let (res, nin, nout) = w.field(input, &mut chunk[..]);
            out.extend_from_slice(&chunk[..nout]);
            input = &input[nin..];
            if res == csv_core::WriteResult::InputEmpty {
                break;
            }
        }
    }
    loop {
        let (res, n) = w.finish(&mut chunk[..]);
        out.extend_from_slice(&chunk[..n]);
        if res == csv_core::WriteResult::InputEmpty {
            break;
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::{Passwords, Unclaimed, csv_line};

    #[test]
    fn an_unclaimed_passwords_file_goes_when_dropped_and_a_kept_one_stays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (gone, kept) = (dir.path().join("gone.csv"), dir.path().join("kept.csv"));
        for path in [&gone, &kept] {
            let _out = Passwords::file(path).expect("a new file");
        }
        drop(Unclaimed::new(&gone));
        Unclaimed::new(&kept).keep();
        assert!(!gone.exists(), "dropped unclaimed: removed");
        assert!(kept.exists(), "kept: stays");
        assert!(Passwords::file(&kept).is_err(), "an existing file is never written");
    }

    #[test]
    fn csv_lines_are_quoted_where_the_csv_crate_reads_them_back() {
        for fields in [["a@x.se", "Pw-1.x"], ["a\"b,c@x.se", "p,w\"1"], ["å@ö.se", ""]] {
            let mut out = Vec::new();
            csv_line(&mut out, &fields);
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(&out[..]);
            let back = r.records().next().expect("a record").expect("readable");
            assert_eq!(back.iter().collect::<Vec<_>>(), fields, "{}", String::from_utf8_lossy(&out));
        }
    }
}
