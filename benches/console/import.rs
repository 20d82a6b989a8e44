//! Import of N CSV rows (10,000 by default) into a fresh database, the way an admin runs
//! it: the release binary's `import --dry-run`, then the real run with `--passwords-out`.
//! Wall time and the process's CPU time (user + system, `getrusage(RUSAGE_CHILDREN)`):
//! CPU / wall shows how many cores the hashing kept busy.

use skriptoteket_admin::store::{Store, seed};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The database the import goes into, made anew every run.
const DB: &str = "ska_bench_import";

pub struct Import {
    pub rows: usize,
    pub cores: usize,
    pub dry: Run,
    pub real: Run,
}

/// One run of the binary.
pub struct Run {
    pub wall: Duration,
    pub cpu: Duration,
}

impl Run {
    /// CPU time over wall time: 2.0 is two cores busy the whole time.
    pub fn cores_busy(&self) -> f64 {
        self.cpu.as_secs_f64() / self.wall.as_secs_f64().max(1e-9)
    }
}

pub async fn run(server: &str, binary: &str, rows: usize) -> Import {
    let (target, _) = seed::create_database(server, DB, true).await.expect("create the import database");
    let mut store = Store::connect(&target).await.expect("connect");
    seed::prepare_schema(&mut store).await.expect("schema");
    // The demo's 8 fixed accounts: the superuser who imports is one of them.
    let cast = seed::seed(&store, 0).await.expect("seed the demo cast");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("accounts.csv");
    write_csv(&file, rows);
    let passwords = dir.path().join("passwords.csv");
    let file_arg = file.to_string_lossy().into_owned();
    let passwords_arg = passwords.to_string_lossy().into_owned();
    let actor = ["import", "--actor-email", seed::DEMO_SUPERUSER];
    let dry = child(binary, target.url(), dir.path(), &[&actor[..], &[&file_arg, "--dry-run"]].concat());
    let real = child(
        binary,
        target.url(),
        dir.path(),
        &[&actor[..], &[&file_arg, "--passwords-out", &passwords_arg]].concat(),
    );
    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&store.pool).await.expect("count users");
    assert_eq!(users, cast + rows as i64, "the import created every account");
    let written = std::fs::read_to_string(&passwords).expect("passwords file").lines().count();
    assert_eq!(written, rows + 1, "a header and a password per account");
    store.pool.close().await;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    Import { rows, cores, dry, real }
}

/// `email,role,first_name,last_name`: every tenth a contributor.
fn write_csv(path: &Path, rows: usize) {
    let mut text = String::from("email,role,first_name,last_name\n");
    for i in 0..rows {
        let role = if i % 10 == 3 { "contributor" } else { "user" };
        text.push_str(&format!("import.elev{i}@skola.se,{role},Elev,Nummer{i}\n"));
    }
    std::fs::write(path, text).expect("write the import file");
}

/// Runs the binary on `url` from `dir` (no `.env` there) and times it.
fn child(binary: &str, url: &str, dir: &Path, args: &[&str]) -> Run {
    let before = children_cpu();
    let start = Instant::now();
    let out = Command::new(binary)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .current_dir(dir)
        .env("SKRIPTOTEKET_ACTOR_PASSWORD", seed::DEMO_PASSWORD)
        .env_remove("SKRIPTOTEKET_ADMIN_READONLY")
        .env_remove("SKRIPTOTEKET_ADMIN_REQUIRE_REASON")
        .env_remove("SKRIPTOTEKET_ADMIN_PROTECTED")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run the binary");
    let wall = start.elapsed();
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Run { wall, cpu: children_cpu().saturating_sub(before) }
}

/// User + system time of every child waited for so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    assert_eq!(rc, 0, "getrusage");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}
