//! What a throwaway cluster needs from the machine: the server binaries, a user to run them
//! as when we are root, a private folder, a free port.

use super::ThrowawayError;
use std::ffi::CString;
use std::os::unix::fs::{DirBuilderExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The folder with `initdb` and `postgres`: `$SKA_PG_BINDIR`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu), else `initdb` on `PATH` (other
/// distributions, Homebrew), else the PGDG layout `/usr/pgsql-<version>/bin`.
pub fn bindir() -> Result<PathBuf, ThrowawayError> {
    let has_both = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("SKA_PG_BINDIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_both(&dir) { Ok(dir) } else { Err(ThrowawayError::NoBinaries) };
    }
    let mut versioned = versioned_dirs("/usr/lib/postgresql", "", "bin");
    versioned.extend(path_dirs());
    versioned.extend(versioned_dirs("/usr", "pgsql-", "bin"));
    versioned.into_iter().find(|d| has_both(d)).ok_or(ThrowawayError::NoBinaries)
}

/// `<root>/<prefix><version>/<sub>` for every version there, newest first.
fn versioned_dirs(root: &str, prefix: &str, sub: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut found: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix(prefix)?;
            let key: Vec<u32> = version.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
            Some((key, e.path().join(sub)))
        })
        .collect();
    found.sort();
    found.into_iter().rev().map(|(_, dir)| dir).collect()
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default()
}

/// `PostgreSQL 15.20`, or just `PostgreSQL` when `postgres --version` says nothing useful.
pub fn version(bin: &Path) -> String {
    let out = Command::new(bin.join("postgres")).arg("--version").stdin(Stdio::null()).output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    // "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    match text.split_whitespace().nth(2) {
        Some(v) if v.starts_with(|c: char| c.is_ascii_digit()) => format!("PostgreSQL {v}"),
        _ => "PostgreSQL".to_string(),
    }
}

/// The user initdb and postgres run as.
#[derive(Clone, Copy, Debug)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
}

/// `None` unless we are root; then `postgres` (Debian's server package makes it), else
/// `nobody`.
pub fn unprivileged_user() -> Result<Option<User>, ThrowawayError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    ["postgres", "nobody"].iter().find_map(|name| lookup(name)).map(Some).ok_or(ThrowawayError::NoUser)
}

fn lookup(name: &str) -> Option<User> {
    let cname = CString::new(name).ok()?;
    // SAFETY: passwd is plain data (integers and pointers); all zeroes is a valid value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to memory we own and that outlives the call; the strings in
    // `pwd` point into `buf`, which we do not read.
    let rc = unsafe { libc::getpwnam_r(cname.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null() && pwd.pw_uid != 0).then_some(User { uid: pwd.pw_uid, gid: pwd.pw_gid })
}

/// Runs `cmd` as `user` (std drops the supplementary groups too).
pub fn run_as(cmd: &mut Command, user: Option<User>) {
    if let Some(u) = user {
        cmd.uid(u.uid).gid(u.gid).env("HOME", "/").env_remove("XDG_RUNTIME_DIR");
    }
}

/// A new private folder `ska-pg-<random>` under the temp dir, owned by `user`.
pub fn make_dir(user: Option<User>) -> Result<PathBuf, ThrowawayError> {
    let base = std::env::temp_dir();
    for _ in 0..10 {
        let dir = base.join(format!("ska-pg-{:016x}", rand::random::<u64>()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {
                if let Some(u) = user
                    && let Err(e) = chown(&dir, Some(u.uid), Some(u.gid))
                {
                    let _ = std::fs::remove_dir(&dir);
                    return Err(ThrowawayError::io("cannot hand over", &dir, e));
                }
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(ThrowawayError::io("cannot create a folder in", &base, e)),
        }
    }
    Err(ThrowawayError::Io(format!("cannot find a free folder name in {}", base.display())))
}

/// A port nothing listens on now (postgres may still lose a race for it: retried).
pub fn free_port() -> Result<u16, ThrowawayError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| ThrowawayError::Io(format!("cannot find a free port on 127.0.0.1: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| ThrowawayError::Io(format!("cannot find a free port: {e}")))
}

/// True when something accepts TCP connections on 127.0.0.1:`port`.
pub fn answers(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

/// Sends `signal` to `pid`; errors (it has gone) are ignored.
pub fn signal(pid: u32, signal: libc::c_int) {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return };
    if pid > 0 {
        // SAFETY: kill(2) has no memory preconditions; a positive pid names one process.
        unsafe { libc::kill(pid, signal) };
    }
}
