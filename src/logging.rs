//! Logs go to a file while the console runs (never to the screen), to stderr for
//! subcommands only when RUST_LOG asks. No password is ever logged: secrets are `Secret`,
//! whose `Debug` prints `***`.

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
    let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).ok()?;
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
