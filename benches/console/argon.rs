//! One argon2id hash at the web app's parameters: `auth::hasher::hash` against argon2-cffi's
//! `PasswordHasher().hash`, timed inside Python with `perf_counter`. Rounds alternate
//! between the two so both see the same machine state.

use super::stats::Summary;
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::Secret;
use std::process::Command;
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench-password-1";

/// Prints the parameters first (so a changed default shows), then one time per hash.
const PYTHON: &str = r#"
import json, sys, time
from argon2 import PasswordHasher
ph = PasswordHasher()
n = int(sys.argv[1])
ph.hash("bench-password-1")
out = []
for _ in range(n):
    t = time.perf_counter()
    ph.hash("bench-password-1")
    out.append(time.perf_counter() - t)
print(json.dumps({"params": f"m={ph.memory_cost},t={ph.time_cost},p={ph.parallelism}", "secs": out}))
"#;

pub struct Argon {
    pub rust: Summary,
    /// None when argon2-cffi is not installed.
    pub python: Option<Summary>,
    pub python_params: String,
    pub python_error: Option<String>,
}

/// `rounds` rounds of `per_round` hashes each, Rust then Python.
pub fn run(rounds: usize, per_round: usize) -> Argon {
    let pw = Secret::from(PASSWORD);
    let _ = hasher::hash(&pw).expect("hash");
    let mut rust: Vec<Duration> = Vec::new();
    let mut py: Vec<f64> = Vec::new();
    let mut params = String::new();
    let mut error = None;
    for _ in 0..rounds {
        for _ in 0..per_round {
            let start = Instant::now();
            let phc = hasher::hash(&pw).expect("hash");
            rust.push(start.elapsed());
            assert!(phc.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"));
        }
        if error.is_some() {
            continue;
        }
        match python(per_round) {
            Ok((p, secs)) => {
                params = p;
                py.extend(secs.into_iter().map(|s| s * 1e3));
            }
            Err(e) => error = Some(e),
        }
    }
    Argon {
        rust: Summary::of(&rust),
        python: (error.is_none()).then(|| Summary::of_ms(&mut py)),
        python_params: params,
        python_error: error,
    }
}

fn python(n: usize) -> Result<(String, Vec<f64>), String> {
    let python = std::env::var("SKA_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .args(["-c", PYTHON, &n.to_string()])
        .output()
        .map_err(|e| format!("{python}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "argon2-cffi not usable ({}); pip install argon2-cffi",
            err.lines().last().unwrap_or("")
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let params = v["params"].as_str().unwrap_or("?").to_string();
    let secs = v["secs"].as_array().ok_or("no timings")?.iter().filter_map(|x| x.as_f64()).collect();
    Ok((params, secs))
}
