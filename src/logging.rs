//! Logs go to a file while the console runs (never to the screen), to stderr for
//! subcommands only when RUST_LOG asks. No password is ever logged: secrets are `Secret`,
//! whose `Debug` prints `***`.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
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
    // Only its owner reads it: it names accounts and where admins signed in from. An
    // existing file that others could read is narrowed too.
    let file = std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path).ok()?;
    let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let ok = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .is_ok();
    ok.then_some(path)
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
}
