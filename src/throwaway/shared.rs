//! One throwaway cluster for every process of a test run. A test runner such as nextest
//! starts each test in a process of its own, so a cluster per process would mean hundreds;
//! instead the first process that needs one starts it, owned by the runner (the cluster
//! stops once the runner has gone), and records its port and folder in a state file. The
//! others, and later processes of the same run, read them from there, and the password
//! from the cluster's own folder (the state file holds no secret). A lock file in the same
//! folder keeps two processes from starting two clusters at once.

use super::{Cluster, Endpoint, Owner, ThrowawayError, host, secret};
use std::fs::{self, File};
use std::path::Path;

/// The cluster of test run `run` (any text naming the run, e.g. nextest's run id), started
/// now if it is not running; `runner` is the pid it lives for. `state_dir` holds
/// `cluster.lock` and `cluster` (the run, the port and the cluster's folder).
pub fn for_run(state_dir: &Path, run: &str, runner: u32) -> Result<Endpoint, ThrowawayError> {
    fs::create_dir_all(state_dir).map_err(|e| ThrowawayError::io("cannot create", state_dir, e))?;
    let lock_path = state_dir.join("cluster.lock");
    let lock = File::create(&lock_path).map_err(|e| ThrowawayError::io("cannot create", &lock_path, e))?;
    // Released when `lock` is dropped or this process ends, also half-way through a start.
    lock.lock().map_err(|e| ThrowawayError::io("cannot lock", &lock_path, e))?;
    let state = state_dir.join("cluster");
    if let Some(endpoint) = fs::read_to_string(&state).ok().and_then(|s| running(&s, run)) {
        return Ok(endpoint);
    }
    let cluster = Cluster::start(Owner::Pid(runner))?;
    let record = format!("{run}\n{}\n{}\n", cluster.port(), cluster.dir().display());
    fs::write(&state, record).map_err(|e| ThrowawayError::io("cannot write", &state, e))?;
    // Dropping it leaves it running: it belongs to the runner.
    Ok(cluster.endpoint().clone())
}

/// The cluster a state file names, when it names `run` and its cluster answers.
fn running(state: &str, run: &str) -> Option<Endpoint> {
    let mut lines = state.lines();
    if lines.next()? != run {
        return None;
    }
    let port: u16 = lines.next()?.parse().ok()?;
    let dir = Path::new(lines.next()?);
    if !dir.is_dir() || !host::answers(port) {
        return None;
    }
    Some(Endpoint { port, password: secret::read(dir).ok()? })
}
