//! Watching a throwaway PostgreSQL from outside: does its port answer, has it gone.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

/// True when something accepts TCP connections on 127.0.0.1:`port`.
pub fn answers(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_ok()
}

/// Waits until the cluster at `port` in `dir` has gone: nothing listens, the folder is removed.
pub fn wait_gone(port: u16, dir: &Path, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if !answers(port) && !dir.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "the cluster on port {port} is still there (listening: {}, {} exists: {})",
        answers(port),
        dir.display(),
        dir.exists()
    );
}
