//! Logs go to a file while the console runs (never to the screen), to stderr for
//! subcommands only when RUST_LOG asks. No password is ever logged: secrets are `Secret`,
//! whose `Debug` prints `***`.

use crate::export::file::{self, OwnError};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

/// The console's default log file: `$XDG_STATE_HOME/skriptoteket-admin/console.log`
/// (or `~/.local/state/...`).
pub fn default_console_log() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("skriptoteket-admin").join("console.log"))
}

/// Logs to `path` (appending); silently logs nothing if it cannot be opened.
pub fn init_to_file(path: Option<&Path>) -> Option<PathBuf> {
    let path = path.map(Path::to_path_buf).or_else(default_console_log)?;
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let file = match open_log(&path) {
        Ok(file) => file,
        Err(OwnError::Io(_)) => return None,
        Err(why) => {
            eprintln!("warning: not logging to {}: {}", path.display(), why.describe(&path));
            return None;
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let ok = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .is_ok();
    ok.then_some(path)
}

/// The log at `path`, opened for appending. Only its owner reads it: it names accounts and
/// where admins signed in from. A new file is created 0600; an existing one is written only
/// when it is the caller's (never another user's, whoever the caller is), and narrowed to
/// 0600.
fn open_log(path: &Path) -> Result<std::fs::File, OwnError> {
    match file::create_new(path, 0o600) {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => file::open_own(path, 0o600, true),
        Err(e) => Err(OwnError::Io(e)),
    }
}

/// Subcommands log to a file when given one, else to stderr only when RUST_LOG is set.
pub fn init_for_cli(path: Option<&Path>) {
    if path.is_some() {
        init_to_file(path);
    } else if let Ok(filter) = EnvFilter::try_from_default_env() {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_log_file_is_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("console.log");
        std::fs::write(&path, "").expect("an old log");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        // Another test may have installed the global subscriber already: the file is
        // opened (and narrowed) either way.
        let _ = init_to_file(Some(&path));
        let mode = std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    /// Issue 23 point 3: as root, another user's file where the log should go is not
    /// appended to (nor narrowed, which would leave it that user's, with root's log in it).
    #[test]
    fn another_users_file_is_never_the_log() {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: only root can give a file to another user");
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).expect("chmod");
        let path = dir.path().join("console.log");
        std::fs::write(&path, "nobody's\n").expect("a file");
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).expect("chown");
        assert!(matches!(open_log(&path), Err(OwnError::Foreign(65534))));
        let meta = std::fs::metadata(&path).expect("metadata");
        assert_eq!((meta.uid(), meta.mode() & 0o777), (65534, 0o644));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "nobody's\n");
        let own = dir.path().join("new.log");
        open_log(&own).expect("a new log");
        assert_eq!(std::fs::metadata(&own).expect("metadata").uid(), 0);
    }
}
