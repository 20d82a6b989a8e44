//! The password of a throwaway cluster's superuser. The cluster takes TCP connections on
//! 127.0.0.1, where any local user can knock, and a superuser can run programs as the
//! cluster's OS user (`COPY ... TO PROGRAM`): so it asks everyone for this password
//! (scram-sha-256). It is drawn per cluster, handed to `initdb` in a file (`--pwfile`,
//! never on a command line) readable only by the cluster's user (0600, inside the 0700
//! cluster folder), and read from there by the processes of a test run that share the
//! cluster. It goes with the folder.

use super::{ThrowawayError, host};
use crate::domain::Secret;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The password file's name in the cluster folder.
const FILE: &str = "password";

/// Where the password of the cluster in `dir` is.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Draws a new password (48 hex digits from the thread's CSPRNG: no character a URL or
/// libpq would need quoted) and writes it to a new 0600 file in `dir`, owned by `user`.
pub fn create(dir: &Path, user: Option<host::User>) -> Result<Secret, ThrowawayError> {
    let bytes: [u8; 24] = rand::random();
    let password = Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect());
    let path = path(dir);
    let mut file = crate::export::file::create_new(&path, 0o600)
        .map_err(|e| ThrowawayError::io("cannot create", &path, e))?;
    file.write_all(password.expose().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| ThrowawayError::io("cannot write", &path, e))?;
    if let Some(u) = user {
        std::os::unix::fs::fchown(&file, Some(u.uid), Some(u.gid))
            .map_err(|e| ThrowawayError::io("cannot hand over", &path, e))?;
    }
    Ok(password)
}

/// The password of the cluster in `dir`.
pub fn read(dir: &Path) -> Result<Secret, ThrowawayError> {
    let path = path(dir);
    let text = std::fs::read_to_string(&path).map_err(|e| ThrowawayError::io("cannot read", &path, e))?;
    Ok(Secret::new(text.trim().to_string()))
}
