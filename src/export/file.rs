//! The one way this tool writes a file (the console's export, the log, man pages): only as
//! a file of the caller's own. A new file is created with `O_CREAT | O_EXCL | O_NOFOLLOW`,
//! so it is the caller's (never through a name that exists, a symbolic link included); an
//! existing file is written only when it is a regular file the caller (the effective user)
//! owns under this one name. Root gets no exception: a file of `nobody` in a 1777 folder,
//! rewritten by root and made 0600, would still be `nobody`'s, with the whole user list
//! in it; and a second name (a hard link) may be another file's. Nothing is `chown`ed.

use super::FileFormat;
use crate::domain::UserRow;
use crate::domain::profile::Profiles;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why an existing file is not the caller's to write.
#[derive(Debug)]
pub enum OwnError {
    /// It belongs to another user (this uid).
    Foreign(u32),
    /// It has other names (hard links): writing it writes them.
    Linked,
    Symlink,
    Folder,
    /// A named pipe, a device, a socket.
    NotRegular,
    Io(std::io::Error),
}

impl OwnError {
    /// What is wrong, for "cannot write PATH: ...".
    pub fn describe(&self, path: &Path) -> String {
        match self {
            OwnError::Foreign(uid) => format!("it belongs to another user (uid {uid})"),
            OwnError::Linked => "it has other names (hard links): name a file of its own".to_string(),
            OwnError::Symlink => "it is a symbolic link: name the file itself".to_string(),
            OwnError::Folder => "it is a folder".to_string(),
            OwnError::NotRegular => "it is not a regular file".to_string(),
            OwnError::Io(e) => io_what(path, e),
        }
    }
}

/// The effective user: the one a new file belongs to.
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Creates `path` anew with `mode` (never through a name that exists), set once more on
/// the open file (the umask can only narrow it); removed again when that fails.
pub fn create_new(path: &Path, mode: u32) -> std::io::Result<File> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .mode(mode)
        .open(path)?;
    if let Err(e) = file.set_permissions(std::fs::Permissions::from_mode(mode)) {
        // Made here, but not as private as asked: it goes again.
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(file)
}

/// Whether the file at `path` (not followed) is the caller's to write: regular, owned by
/// the effective user, one name.
pub fn check_own(path: &Path) -> Result<(), OwnError> {
    let meta = std::fs::symlink_metadata(path).map_err(OwnError::Io)?;
    judge(&meta)
}

fn judge(meta: &std::fs::Metadata) -> Result<(), OwnError> {
    let kind = meta.file_type();
    if kind.is_symlink() {
        Err(OwnError::Symlink)
    } else if kind.is_dir() {
        Err(OwnError::Folder)
    } else if !kind.is_file() {
        Err(OwnError::NotRegular)
    } else if meta.uid() != euid() {
        Err(OwnError::Foreign(meta.uid()))
    } else if meta.nlink() > 1 {
        Err(OwnError::Linked)
    } else {
        Ok(())
    }
}

/// Opens the existing file at `path` for writing (appending with `append`), only when it
/// is the caller's ([`check_own`], judged on the file opened, so a swap in between is
/// caught), then gives it `mode`. Its content is left as it was: the caller truncates.
/// Never through a symbolic link; a named pipe fails at once (`O_NONBLOCK`) instead of
/// waiting for a reader.
pub fn open_own(path: &Path, mode: u32, append: bool) -> Result<File, OwnError> {
    let file = std::fs::OpenOptions::new()
        .write(!append)
        .append(append)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(OwnError::Io)?;
    judge(&file.metadata().map_err(OwnError::Io)?)?;
    file.set_permissions(std::fs::Permissions::from_mode(mode)).map_err(OwnError::Io)?;
    Ok(file)
}

/// Why an export file was not written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// The file exists (and is the caller's): it is written only when the admin says to
    /// overwrite it.
    Exists(PathBuf),
    /// One line for the admin: what, where, and what became of the file.
    Failed(String),
}

/// Where a path the admin typed points: `~/` is the home folder, a relative path starts
/// in the working folder (where the console was started).
pub fn resolve(path: &str) -> PathBuf {
    let path = path.trim();
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    let p = match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    };
    if p.is_relative() {
        match std::env::current_dir() {
            Ok(dir) => dir.join(p),
            Err(_) => p,
        }
    } else {
        p
    }
}

/// Writes `rows` (with their `profiles`) in `format` to `path` ([`resolve`]d), readable by its owner only (0600),
/// and returns the path written. A new file is created ([`create_new`]); an existing file
/// of the caller's is written only with `overwrite` ([`open_own`]: made 0600 before it is
/// truncated; it stays as it was when that fails), and one that is not the caller's is
/// refused either way.
pub fn write_file(
    path: &str,
    rows: &[UserRow],
    profiles: &Profiles,
    format: FileFormat,
    overwrite: bool,
) -> Result<PathBuf, WriteError> {
    let path = resolve(path);
    // Written through a buffer as the rows are turned to text: the file's text is never
    // whole in memory.
    let write = |file: &mut File| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut *file);
        format.write_to(&mut out, rows, profiles)?;
        out.flush()?;
        drop(out);
        file.sync_all()
    };
    let line = |what: String, after: &str| {
        WriteError::Failed(format!("cannot write {}: {what}; {after}", path.display()))
    };
    if !overwrite {
        let mut file = match create_new(&path, 0o600) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // Asked "overwrite?" only about a file that may be overwritten.
                return match check_own(&path) {
                    Ok(()) => Err(WriteError::Exists(path)),
                    Err(why) => Err(line(why.describe(&path), "it was not changed")),
                };
            }
            Err(e) => return Err(line(io_what(&path, &e), "nothing was written")),
        };
        if let Err(e) = write(&mut file) {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Err(line(io_what(&path, &e), "nothing was written"));
        }
        return Ok(path);
    }
    let mut file =
        open_own(&path, 0o600, false).map_err(|why| line(why.describe(&path), "it was not changed"))?;
    file.set_len(0)
        .and_then(|()| write(&mut file))
        .map_err(|e| line(io_what(&path, &e), "it may be incomplete now"))?;
    Ok(path)
}

/// "the folder /x does not exist", for "cannot write /x/users.csv: ...".
fn io_what(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let folder = path.parent().map(|p| p.display().to_string()).unwrap_or_default();
    match e.kind() {
        K::NotFound => format!("the folder {folder} does not exist"),
        K::PermissionDenied => "permission denied".to_string(),
        K::IsADirectory => "it is a folder".to_string(),
        K::NotADirectory => "a part of the path is not a folder".to_string(),
        K::ReadOnlyFilesystem => "the file system is read-only".to_string(),
        K::StorageFull => "the disk is full".to_string(),
        _ if e.raw_os_error() == Some(libc::ELOOP) => {
            "it is a symbolic link: name the file itself".to_string()
        }
        other => other.to_string(),
    }
}
