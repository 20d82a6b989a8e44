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
            std::thread::spawn(move || {
                throwaway::shared::port_for_run(&dir, &run, pid).expect("shared cluster")
            })
        })
        .collect();
    let ports: Vec<u16> = callers.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(ports.iter().all(|p| *p == ports[0]), "one cluster for all: {ports:?}");
    let port = ports[0];
    create_and_query(&throwaway::url(port, "postgres")).await;
    let record = std::fs::read_to_string(state.path().join("cluster")).unwrap();
    let dir = std::path::PathBuf::from(record.lines().nth(2).unwrap());
    assert!(dir.is_dir());
    // A later caller of the same run finds it; a caller of another run does not.
    assert_eq!(throwaway::shared::port_for_run(state.path(), &run, runner.id()).unwrap(), port);

    runner.kill().unwrap();
    runner.wait().unwrap();
    wait_gone(port, &dir, 15);
}
