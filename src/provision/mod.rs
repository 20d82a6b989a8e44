//! Running an import of new accounts, for `import FILE` and the console's `I` alike: the
//! file opened as a file of its own, its lines checked against the accounts that exist
//! ([`Plan`]), a password generated and hashed per account on every core and handed to a
//! new file of the admin's (or stdout) as soon as it is hashed ([`hash_and_hand_out`]),
//! then every account created in one transaction (`store::create::provision_many`). The
//! front ends draw the progress and phrase the outcome; nothing here prints.
//!
//! `domain::import` reads and checks the file's lines; this module runs them.

pub mod passwords;

pub use passwords::{Passwords, PasswordsError, Unclaimed};

use crate::auth::bulk::BulkHasher;
use crate::domain::import::{ImportLine, NewAccount};
use crate::domain::password;
use crate::store::{self, Store, StoreError};
use futures::StreamExt;
use std::collections::HashSet;
use std::path::Path;

/// What one line of the file comes to.
pub enum Verdict<'a> {
    Create(&'a NewAccount),
    /// An account with its email exists: the line is skipped.
    Exists,
    Invalid(&'a str),
}

/// The file's lines and which of their emails are taken now: what an import would do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub lines: Vec<ImportLine>,
    /// The lower-cased emails among the valid lines that an account holds already.
    pub taken: HashSet<String>,
}

impl Plan {
    /// Looks up which of the valid lines' emails exist.
    pub async fn against(store: &Store, lines: Vec<ImportLine>) -> Result<Plan, StoreError> {
        let emails: Vec<String> =
            lines.iter().filter_map(|l| l.outcome.as_ref().ok()).map(|a| a.email.to_string()).collect();
        let taken = store::create::taken(store, &emails).await?;
        Ok(Plan { lines, taken })
    }

    pub fn verdict<'a>(&self, l: &'a ImportLine) -> Verdict<'a> {
        match &l.outcome {
            Err(why) => Verdict::Invalid(why),
            Ok(a) if self.taken.contains(a.email.as_str()) => Verdict::Exists,
            Ok(a) => Verdict::Create(a),
        }
    }

    /// The lines that cannot be imported: while there is one, nothing is.
    pub fn invalid(&self) -> impl Iterator<Item = &ImportLine> {
        self.lines.iter().filter(|l| l.outcome.is_err())
    }

    /// The accounts to create, in the file's order.
    pub fn todo(&self) -> Vec<&NewAccount> {
        self.lines
            .iter()
            .filter_map(|l| match self.verdict(l) {
                Verdict::Create(a) => Some(a),
                _ => None,
            })
            .collect()
    }

    /// Whether it can run: no line refused, and something to create.
    pub fn can_run(&self) -> bool {
        self.invalid().next().is_none()
            && self.lines.iter().any(|l| matches!(self.verdict(l), Verdict::Create(_)))
    }

    /// How many lines name an account that exists.
    pub fn existing(&self) -> usize {
        self.lines.iter().filter(|l| matches!(self.verdict(l), Verdict::Exists)).count()
    }
}

/// Opens the regular file at `path` itself for reading, with its metadata: never through
/// a symbolic link, never waiting on a FIFO (`O_NONBLOCK`: it returns at once and fstat
/// says it is no file). `Err` is why not, without the path.
pub fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => "is a symbolic link: name the file it points to".to_string(),
            _ if e.kind() == std::io::ErrorKind::NotFound => "does not exist".to_string(),
            _ => format!("cannot be read: {}", e.kind()),
        })?;
    let meta = file.metadata().map_err(|e| format!("cannot be read: {}", e.kind()))?;
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    Ok((file, meta))
}

/// Why the passwords were not all hashed and handed out; nothing was created.
#[derive(Debug, thiserror::Error)]
pub enum HandOutError {
    #[error("{0}")]
    Hash(#[from] crate::auth::hasher::HashError),
    #[error(transparent)]
    Output(#[from] PasswordsError),
    /// `stop` said so between two passwords.
    #[error("stopped")]
    Stopped,
}

/// Generates and hashes a password per account on every core, handing each to `out` as
/// soon as it is hashed (in the file's order) and dropping it there; a few more than the
/// cores are in the works at once. `hashed` hears the count after each; `stop` is asked
/// between two. Returns the hashes in order, the output finished (flushed, synced).
pub async fn hash_and_hand_out(
    todo: &[&NewAccount],
    out: &mut Passwords,
    hashed: &mut (dyn FnMut(usize) + Send),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<String>, HandOutError> {
    let bulk = BulkHasher::per_core()?;
    let mut hashes = Vec::with_capacity(todo.len());
    // By index, so the futures in the works hold no borrow (a spawned task's future must
    // be `Send` for every lifetime).
    let mut pending = futures::stream::iter(0..todo.len())
        .map(|i| {
            let password = password::generate();
            let hash = bulk.hash(password.clone());
            async move { (i, password, hash.await) }
        })
        .buffered(2 * bulk.workers());
    while let Some((i, password, hash)) = pending.next().await {
        if stop() {
            return Err(HandOutError::Stopped);
        }
        let hash = hash?;
        out.write(todo[i], &password)?;
        drop(password);
        hashes.push(hash);
        hashed(hashes.len());
    }
    // A stop asked for while the last password was hashed still holds.
    if stop() {
        return Err(HandOutError::Stopped);
    }
    out.finish()?;
    Ok(hashes)
}

/// An import file read and checked, with where its passwords are to go: what the console
/// shows before it asks to go on.
#[derive(Debug, Clone)]
pub struct FilePlan {
    /// The file read, as an absolute path.
    pub file: std::path::PathBuf,
    /// The new file the passwords are to go to (absolute; it does not exist yet).
    pub passwords: std::path::PathBuf,
    /// The column separator the header line had (`,` most often).
    pub separator: u8,
    pub plan: Plan,
}

/// Why a file cannot be planned (nothing was changed or written).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The import file itself (missing, no regular file, not an import's columns, ...).
    #[error("{}: {why}", file.display())]
    File { file: std::path::PathBuf, why: String },
    /// The passwords file: it exists (it is never overwritten) or its folder does not.
    #[error("{}: {why}", path.display())]
    Passwords { path: std::path::PathBuf, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads the import `file` as `actor` may import it (the rules of `import`: at most
/// `max_rows` accounts), checks that no file has the name `passwords` and that its folder
/// exists (whether it may be written is found out when it is created), and looks up which
/// emails exist. Relative paths are taken from the current folder.
pub async fn plan_file(
    store: &Store,
    actor: crate::domain::permissions::ActorView,
    file: &Path,
    passwords: &Path,
    max_rows: usize,
) -> Result<FilePlan, PlanError> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (file, passwords) = (absolute(file), absolute(passwords));
    let refused = |why: String| PlanError::File { file: file.clone(), why };
    let (f, _) = open_regular(&file).map_err(refused)?;
    let parsed = crate::domain::import::read(std::io::BufReader::new(f), actor, max_rows)
        .map_err(|e| refused(e.to_string()))?;
    let refused = |why: &str| PlanError::Passwords { path: passwords.clone(), why: why.to_string() };
    if passwords == file || std::fs::symlink_metadata(&passwords).is_ok() {
        return Err(refused("exists: the passwords go to a new file only (give another name)"));
    }
    if !passwords.parent().is_some_and(Path::is_dir) {
        return Err(refused("its folder does not exist"));
    }
    let plan = Plan::against(store, parsed.lines).await?;
    Ok(FilePlan { file, passwords, separator: parsed.separator, plan })
}

/// The passwords file an import of `file` suggests when none is named: beside it,
/// `NAME-passwords-DATE.csv` (the date `today`, as `YYYY-MM-DD`).
pub fn passwords_beside(file: &Path, today: Option<&str>) -> std::path::PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "import".into());
    let name = match today {
        Some(d) => format!("{stem}-passwords-{d}.csv"),
        None => format!("{stem}-passwords.csv"),
    };
    file.with_file_name(name)
}

/// A flag the console raises to stop an import between two passwords (before anything is
/// created); the worker reads it.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl StopFlag {
    pub fn raise(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn raised(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::passwords_beside;
    use std::path::Path;

    #[test]
    fn the_passwords_file_goes_beside_the_import_with_its_name_and_the_date() {
        assert_eq!(
            passwords_beside(Path::new("/srv/in/teachers.csv"), Some("2026-12-02")),
            Path::new("/srv/in/teachers-passwords-2026-12-02.csv")
        );
        assert_eq!(passwords_beside(Path::new("list"), None), Path::new("list-passwords.csv"));
    }
}
