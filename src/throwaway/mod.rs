//! A throwaway PostgreSQL cluster of our own, for the demo and the tests where no usable
//! server answers: `initdb` into a fresh folder (0700) under the temp dir, `postgres`
//! listening on 127.0.0.1 at a free port (its unix socket in that folder). Every
//! connection, TCP or socket, must give the superuser `postgres`'s password
//! (scram-sha-256; see [`secret`]): a superuser runs programs as the cluster's OS user, so
//! trust auth on loopback would let any local user act as that user (the system `postgres`
//! account when we are root, the admin otherwise). TCP stays, with the password, because
//! the tests hand `host:port` to programs of their own (a stand-in docker, a proxy).
//!
//! A keeper process (`keeper.sh`) starts postgres and, when the cluster's owner has gone,
//! stops it and removes the folder: the owner is this process ([`Owner::ThisProcess`]: the
//! keeper reads a pipe from it, and the kernel closes that pipe however this process ends:
//! returning, panicking, Ctrl-c, SIGTERM, SIGKILL) or another one ([`Owner::Pid`]: the test
//! runner, for a cluster the processes of one test run share; see [`shared`]).
//!
//! `initdb` and `postgres` refuse to run as root: as root, both (and the keeper) run as the
//! `postgres` user, else `nobody`.

mod host;
mod secret;
pub mod shared;

use crate::domain::Secret;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

pub use host::bindir;

const KEEPER: &str = include_str!("keeper.sh");
/// How long postgres may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the keeper may take to stop postgres and remove the folder.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum ThrowawayError {
    #[error(
        "no PostgreSQL server binaries (initdb, postgres) found: install the `postgresql` package \
         (Debian/Ubuntu: apt-get install postgresql), or set SKA_PG_BINDIR to the folder that has them"
    )]
    NoBinaries,
    #[error("running as root, and there is no unprivileged user (postgres or nobody) to run PostgreSQL as")]
    NoUser,
    #[error("throwaway PostgreSQL: {0}")]
    Io(String),
    #[error("throwaway PostgreSQL: initdb failed: {0}")]
    Initdb(String),
    #[error("throwaway PostgreSQL did not start: {0}")]
    Start(String),
}

impl ThrowawayError {
    fn io(what: &str, path: &Path, e: std::io::Error) -> ThrowawayError {
        ThrowawayError::Io(format!("{what} {}: {e}", path.display()))
    }
}

/// Who the cluster lives for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// This process: the cluster goes when the [`Cluster`] is dropped or this process ends.
    ThisProcess,
    /// The process with this pid: the cluster goes after it has; dropping the [`Cluster`]
    /// leaves it running.
    Pid(u32),
}

/// Where a running cluster answers and the password it asks for: what a client needs.
#[derive(Clone, Debug)]
pub struct Endpoint {
    port: u16,
    password: Secret,
}

impl Endpoint {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `database` as user `postgres`, with the password: keep it out of command
    /// lines (every user sees those) and logs.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres:{}@127.0.0.1:{}/{database}", self.password.expose(), self.port)
    }
}

/// A running throwaway cluster.
#[derive(Debug)]
pub struct Cluster {
    endpoint: Endpoint,
    dir: PathBuf,
    version: String,
    owner: Owner,
    keeper: Option<Child>,
    /// The write end of the keeper's stdin ([`Owner::ThisProcess`]): closing it is the cue.
    cue: Option<ChildStdin>,
}

impl Cluster {
    /// Starts a cluster (a few seconds: initdb, then postgres). Blocking.
    pub fn start(owner: Owner) -> Result<Cluster, ThrowawayError> {
        let bin = bindir()?;
        let user = host::unprivileged_user()?;
        let version = host::version(&bin);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match start_once(&bin, user, owner, &version) {
                // Another process took the port first: again, on another port.
                Err(ThrowawayError::Start(why)) if attempt < 3 && why.starts_with("could not bind") => {}
                other => return other,
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.endpoint.port
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The folder with the data, the socket, the password file and `postgres.log` (removed
    /// at the end).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `PostgreSQL 15.20`, from `postgres --version`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The URL of `database` on this cluster ([`Endpoint::url`]).
    pub fn url(&self, database: &str) -> String {
        self.endpoint.url(database)
    }

    /// Stops postgres and removes the folder now, whoever owns the cluster. (Dropping does
    /// the same for [`Owner::ThisProcess`], and nothing to a cluster another process owns.)
    pub fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        drop(self.cue.take());
        if let Some(mut keeper) = self.keeper.take() {
            if self.owner != Owner::ThisProcess && matches!(keeper.try_wait(), Ok(None)) {
                // No pipe to close: ask the keeper directly.
                host::signal(keeper.id(), libc::SIGTERM);
            }
            let deadline = Instant::now() + STOP_TIMEOUT;
            loop {
                match keeper.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                    _ => {
                        // A keeper that hangs: stop postgres ourselves (immediate shutdown).
                        let _ = keeper.kill();
                        let _ = keeper.wait();
                        if let Some(pid) = postmaster_pid(&self.dir.join("data")) {
                            host::signal(pid, libc::SIGQUIT);
                        }
                        break;
                    }
                }
            }
        }
        // The keeper removes it; this is for a keeper that could not.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.owner == Owner::ThisProcess {
            self.stop_now();
        }
    }
}

fn start_once(
    bin: &Path,
    user: Option<host::User>,
    owner: Owner,
    version: &str,
) -> Result<Cluster, ThrowawayError> {
    let dir = host::make_dir(user)?;
    // Until the keeper runs, removing the folder on failure is ours to do.
    let remove = RemoveOnDrop(Some(dir.clone()));
    let data = dir.join("data");
    let password = secret::create(&dir, user)?;
    initdb(bin, &dir, &data, user)?;

    let port = host::free_port()?;
    let log_path = dir.join("postgres.log");
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(&log_path)
        .map_err(|e| ThrowawayError::io("cannot create", &log_path, e))?;
    let clone = || log.try_clone().map_err(|e| ThrowawayError::io("cannot open", &log_path, e));
    let mut keeper = Command::new("/bin/sh");
    keeper
        .args(["-c", KEEPER, "skriptoteket-admin-throwaway-keeper"])
        .arg(bin.join("postgres"))
        .arg(&data)
        .arg(&dir)
        .arg(port.to_string())
        .arg(match owner {
            Owner::ThisProcess => "pipe".to_string(),
            Owner::Pid(pid) => pid.to_string(),
        })
        .stdin(if owner == Owner::ThisProcess { Stdio::piped() } else { Stdio::null() })
        .stdout(clone()?)
        .stderr(clone()?)
        .current_dir(&dir)
        .process_group(0);
    host::run_as(&mut keeper, user);
    let mut child = keeper.spawn().map_err(|e| ThrowawayError::Start(format!("cannot run /bin/sh: {e}")))?;
    let cue = child.stdin.take();
    remove.disarm();
    let endpoint = Endpoint { port, password };
    let mut cluster =
        Cluster { endpoint, dir, version: version.to_string(), owner, keeper: Some(child), cue };
    match wait_ready(&mut cluster, &data) {
        Ok(()) => Ok(cluster),
        Err(why) => {
            cluster.stop_now();
            let log = read_log(&log);
            // Another process took the port between our look and postgres's bind: retried.
            let why =
                if log.contains("could not bind") { format!("could not bind port {port}") } else { why };
            Err(ThrowawayError::Start(format!("{why}{}", tail(&log))))
        }
    }
}

fn initdb(bin: &Path, dir: &Path, data: &Path, user: Option<host::User>) -> Result<(), ThrowawayError> {
    let mut cmd = Command::new(bin.join("initdb"));
    let mut pwfile = std::ffi::OsString::from("--pwfile=");
    pwfile.push(secret::path(dir));
    cmd.arg("-D")
        .arg(data)
        .arg(pwfile)
        .args(["-U", "postgres", "-A", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"])
        .env("LC_ALL", "C")
        .env_remove("PGDATA")
        .current_dir(dir)
        .stdin(Stdio::null());
    host::run_as(&mut cmd, user);
    let out =
        cmd.output().map_err(|e| ThrowawayError::Initdb(format!("{}: {e}", bin.join("initdb").display())))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    Err(ThrowawayError::Initdb(last[last.len().saturating_sub(2)..].join(" ")))
}

/// Waits until postgres says it is ready (`postmaster.pid`'s status line, as `pg_ctl`
/// reads it) and accepts a TCP connection.
fn wait_ready(cluster: &mut Cluster, data: &Path) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let pid_file = data.join("postmaster.pid");
    loop {
        if let Some(keeper) = cluster.keeper.as_mut()
            && let Ok(Some(status)) = keeper.try_wait()
        {
            return Err(format!("postgres ended ({status})"));
        }
        let ready = fs::read_to_string(&pid_file)
            .is_ok_and(|s| s.lines().nth(7).is_some_and(|l| l.trim() == "ready"));
        if ready && host::answers(cluster.port()) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("no answer on port {} within {}s", cluster.port(), START_TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pid on the first line of `postmaster.pid`.
fn postmaster_pid(data: &Path) -> Option<u32> {
    fs::read_to_string(data.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

/// The end of the log (read through our own handle: the file may be gone already).
fn read_log(log: &File) -> String {
    let mut buf = vec![0u8; 64 * 1024];
    let len = log.metadata().map(|m| m.len()).unwrap_or(0);
    let from = len.saturating_sub(buf.len() as u64);
    let n = log.read_at(&mut buf, from).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// The last three lines of `log` after ": ", on one line; empty for an empty log.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(": {}", lines[lines.len().saturating_sub(3)..].join(" | "))
}

/// Removes a folder when dropped, unless disarmed.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = fs::remove_dir_all(dir);
        }
    }
}
