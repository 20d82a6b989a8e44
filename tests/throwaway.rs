//! The throwaway cluster the demo and the tests fall back on when no configured server
//! answers: it starts from the machine's PostgreSQL binaries (as an unprivileged user when
//! run as root), serves, and leaves nothing behind when its owner goes.

mod cluster_probe;

use cluster_probe::{answers, wait_gone};
use skriptoteket_admin::throwaway::{self, Cluster, Owner};
use sqlx::{Connection, PgConnection};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

async fn create_and_query(url: &str) -> String {
    let mut conn = PgConnection::connect(url).await.expect("connect to the throwaway cluster");
    sqlx::query("CREATE DATABASE ska_throwaway_check").execute(&mut conn).await.expect("create a database");
    let version: String =
        sqlx::query_scalar("SHOW server_version").fetch_one(&mut conn).await.expect("query");
    let _ = conn.close().await;
    version
}

#[tokio::test]
async fn a_throwaway_cluster_serves_and_goes_when_dropped() {
    let cluster = tokio::task::spawn_blocking(|| Cluster::start(Owner::ThisProcess)).await.unwrap().unwrap();
    let (port, dir) = (cluster.port(), cluster.dir().to_path_buf());
    assert!(dir.starts_with(std::env::temp_dir()), "{}", dir.display());
    assert!(dir.join("data").join("PG_VERSION").is_file());
    let version = create_and_query(&cluster.url("postgres")).await;
    let number = cluster.version().trim_start_matches("PostgreSQL ");
    assert!(version.starts_with(number), "{} vs {version}", cluster.version());
    // As root, postgres runs as an unprivileged user.
    if unsafe { libc::geteuid() } == 0 {
        let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(dir.join("data")).unwrap());
        assert_ne!(owner, 0, "the data folder belongs to an unprivileged user");
    }
    let started = Instant::now();
    tokio::task::spawn_blocking(move || drop(cluster)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "stopping took {:?}", started.elapsed());
    assert!(!answers(port), "postgres stopped");
    assert!(!dir.exists(), "{} removed", dir.display());
}

/// Issue 23 point 1: with trust auth on 127.0.0.1, any local user could connect as the
/// superuser and run programs as the cluster's OS user (`COPY ... TO PROGRAM`). Now every
/// connection must give the cluster's own password (scram-sha-256), which lives in a 0600
/// file in the 0700 cluster folder and on no command line.
#[tokio::test]
async fn only_its_owner_can_reach_a_throwaway_cluster() {
    use sqlx::postgres::PgConnectOptions;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let cluster = tokio::task::spawn_blocking(|| Cluster::start(Owner::ThisProcess)).await.unwrap().unwrap();
    let (port, dir) = (cluster.port(), cluster.dir().to_path_buf());
    create_and_query(&cluster.url("postgres")).await;

    let as_postgres =
        || PgConnectOptions::new_without_pgpass().host("127.0.0.1").port(port).username("postgres");
    for (what, options) in [
        ("no password", as_postgres()),
        ("another password", as_postgres().password("postgres")),
        ("over the socket, another password", as_postgres().host(dir.to_str().unwrap()).password("x")),
    ] {
        let e = PgConnection::connect_with(&options).await.map(drop).expect_err(what).to_string();
        assert!(e.contains("password"), "{what}: {e}");
    }

    let password = url::Url::parse(&cluster.url("postgres")).unwrap().password().unwrap().to_string();
    assert!(password.len() >= 32, "a password worth the name");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let file = dir.join("password");
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), password);
    assert_eq!(std::fs::metadata(&file).unwrap().uid(), std::fs::metadata(&dir).unwrap().uid());
    let hba = std::fs::read_to_string(dir.join("data").join("pg_hba.conf")).unwrap();
    let rules: Vec<&str> =
        hba.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).collect();
    assert!(!rules.is_empty() && rules.iter().all(|l| l.ends_with("scram-sha-256")), "{rules:?}");
    // No process shows it on its command line, and the server's log does not have it.
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            assert!(!String::from_utf8_lossy(&cmdline).contains(&password), "in argv of {:?}", entry.path());
        }
    }
    assert!(!std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default().contains(&password));

    // The reproduction of the issue: another local user runs a program through the cluster.
    let setpriv_and_psql = ["setpriv", "psql"].iter().all(|p| {
        Command::new(p).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
    });
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !setpriv_and_psql {
        eprintln!("skipped the COPY TO PROGRAM attempt as nobody: needs root, setpriv and psql");
    } else {
        let proof = tempfile::tempdir().unwrap();
        std::fs::set_permissions(proof.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        let target = proof.path().join("proof.txt");
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "psql", "-w", "-h", "127.0.0.1"])
            .args(["-p", &port.to_string(), "-U", "postgres", "-d", "postgres", "-c"])
            .arg(format!("COPY (SELECT 1) TO PROGRAM 'id > {}'", target.display()))
            .env_remove("PGPASSWORD")
            .env("PGPASSFILE", "/nonexistent")
            .stdin(Stdio::null())
            .output()
            .expect("run psql as nobody");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && said.contains("password"), "psql as nobody: {said}");
        assert!(!target.exists(), "a program ran as the cluster's user");
    }
    tokio::task::spawn_blocking(move || drop(cluster)).await.unwrap();
}

/// The cluster of a test run: many callers at once get one cluster, which outlives them and
/// goes once the runner (here a `sleep`) has.
#[tokio::test]
async fn a_shared_cluster_serves_a_whole_run_and_goes_with_the_runner() {
    let state = tempfile::tempdir().unwrap();
    let mut runner = Command::new("sleep").arg("120").stdin(Stdio::null()).spawn().expect("spawn sleep");
    let run = format!("run-{}", std::process::id());
    let callers: Vec<_> = (0..3)
        .map(|_| {
            let (dir, run, pid) = (state.path().to_path_buf(), run.clone(), runner.id());
            std::thread::spawn(move || throwaway::shared::for_run(&dir, &run, pid).expect("shared cluster"))
        })
        .collect();
    let endpoints: Vec<_> = callers.into_iter().map(|t| t.join().unwrap()).collect();
    let ports: Vec<u16> = endpoints.iter().map(|e| e.port()).collect();
    assert!(ports.iter().all(|p| *p == ports[0]), "one cluster for all: {ports:?}");
    let port = ports[0];
    create_and_query(&endpoints[0].url("postgres")).await;
    for e in &endpoints {
        assert_eq!(e.url("postgres"), endpoints[0].url("postgres"), "each caller has the password");
    }
    let record = std::fs::read_to_string(state.path().join("cluster")).unwrap();
    let dir = std::path::PathBuf::from(record.lines().nth(2).unwrap());
    assert!(dir.is_dir());
    // A later caller of the same run finds it; a caller of another run does not.
    assert_eq!(throwaway::shared::for_run(state.path(), &run, runner.id()).unwrap().port(), port);

    runner.kill().unwrap();
    runner.wait().unwrap();
    wait_gone(port, &dir, 15);
}
