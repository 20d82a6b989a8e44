//! Finding the database from a deployment folder, through the real binary: the production
//! layout (`compose.prod.yaml`, `.env` with only the password, the database a container on
//! an external network), and every way that can fail. Docker cannot run on the test
//! machines: a stand-in `docker` (tests/fixtures/docker/docker) answers the read-only
//! commands with docker's output formats; the container's "address" is the test server's.

mod common;
mod pty;

use common::*;
use skriptoteket_admin::domain::Role;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The password in the deployment's `.env`: the test server's own when it asks for one
/// (the throwaway cluster does), else made up (a server that trusts loopback takes any).
fn db_password() -> String {
    common::without_password(&common::admin_url()).1.unwrap_or_else(|| "prod-db-s3cret-Zq".to_string())
}

/// A deployment folder shaped like the web app's production host, with the stand-in
/// docker's answers beside it.
struct Deployment {
    dir: tempfile::TempDir,
    docker: tempfile::TempDir,
    /// The test database's host port, user and name.
    port: u16,
    user: String,
    database: String,
}

impl Deployment {
    /// `compose.yaml` (development) and `compose.prod.yaml` as the web app's repository has
    /// them, `.env` as its production example has it, and the production project running.
    fn production(db: &TestDb) -> Deployment {
        let url = url::Url::parse(db.url()).expect("test URL");
        let d = Deployment {
            dir: tempfile::tempdir().expect("tempdir"),
            docker: tempfile::tempdir().expect("tempdir"),
            port: url.port().unwrap_or(5432),
            user: url.username().to_string(),
            database: url.path().trim_start_matches('/').to_string(),
        };
        d.file("compose.yaml", "services:\n  db:\n    image: postgres:16\n");
        d.file(
            "compose.prod.yaml",
            "name: skriptoteket\nservices:\n  web:\n    image: skriptoteket-web:latest\n",
        );
        d.file(".env", &format!("# Database (shared PostgreSQL on hule-network)\nSKRIPTOTEKET_DB_PASSWORD={}\nSECRET_KEY=abc\n", db_password()));
        d.answer(
            "compose-ls.json",
            &format!(
                r#"[{{"Name":"skriptoteket","Status":"running(1)","ConfigFiles":"{}"}}]"#,
                d.dir.path().join("compose.prod.yaml").display()
            ),
        );
        d.answer("config-compose.prod.yaml.json", &d.config(&[("web", "shared-postgres")]));
        d.answer("inspect-shared-postgres.json", &container("shared-postgres", true, "hule-network"));
        d
    }

    fn file(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).expect("write deployment file");
    }

    fn answer(&self, name: &str, text: &str) {
        std::fs::write(self.docker.path().join(name), text).expect("write docker answer");
    }

    fn forget(&self, name: &str) {
        let _ = std::fs::remove_file(self.docker.path().join(name));
    }

    /// What `docker compose config --format json` prints for services with a
    /// `DATABASE_URL` on `hule-network` (the URL as compose interpolates it from `.env`).
    fn config(&self, services: &[(&str, &str)]) -> String {
        let svcs: Vec<String> = services
            .iter()
            .map(|(name, host)| {
                format!(
                    r#""{name}":{{"container_name":"skriptoteket-{name}","environment":{{"DATABASE_URL":"postgresql+asyncpg://{}:{}@{host}:{}/{}","ENVIRONMENT":"production","SECRET_KEY":"abc"}},"image":"skriptoteket-web:latest","networks":{{"hule-network":null}}}}"#,
                    self.user, db_password(), self.port, self.database
                )
            })
            .collect();
        format!(
            r#"{{"name":"skriptoteket","services":{{{}}},"networks":{{"hule-network":{{"name":"hule-network","external":true}}}}}}"#,
            svcs.join(",")
        )
    }

    /// The docker calls the tool made, one line each.
    fn calls(&self) -> String {
        std::fs::read_to_string(self.docker.path().join("calls")).unwrap_or_default()
    }

    /// `skriptoteket-admin ARGS` in the deployment folder, the stand-in docker on PATH
    /// (`docker: false` leaves docker off PATH).
    fn run(&self, args: &[&str], docker: bool) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.clean_env(&mut cmd, docker);
        cmd.output().expect("run the tool")
    }

    fn clean_env(&self, cmd: &mut Command, docker: bool) {
        for k in [
            "DATABASE_URL",
            "PGHOST",
            "PGHOSTADDR",
            "PGDATABASE",
            "PGSERVICE",
            "COMPOSE_FILE",
            "DOCKER_HOST",
            "RUST_LOG",
        ] {
            cmd.env_remove(k);
        }
        cmd.env("FAKE_DOCKER_DIR", self.docker.path());
        cmd.env("PATH", path_with(docker));
    }
}

/// `PATH` with the stand-in docker first, or with no docker at all.
fn path_with(docker: bool) -> String {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docker");
    let rest = std::env::var("PATH").unwrap_or_default();
    let rest: Vec<&str> = rest.split(':').filter(|d| !Path::new(d).join("docker").exists()).collect();
    if docker { format!("{}:{}", fixtures.display(), rest.join(":")) } else { rest.join(":") }
}

/// `docker inspect` of a container on `network` at the test server's address.
fn container(name: &str, running: bool, network: &str) -> String {
    let status = if running { "running" } else { "exited" };
    format!(
        r#"[{{"Id":"4f2a9c1e7b3d","Name":"/{name}","State":{{"Status":"{status}","Running":{running},"ExitCode":0}},"Config":{{"Labels":{{}}}},"NetworkSettings":{{"Networks":{{"{network}":{{"Aliases":["{name}"],"DNSNames":["{name}","4f2a9c1e7b3d"],"Gateway":"127.0.0.254","IPAddress":"{}","IPPrefixLen":8}}}}}}}}]"#,
        if running { "127.0.0.1" } else { "" }
    )
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// The one line of error and exit 1, with no password in it, in the docker calls or anywhere.
fn fails_with(d: &Deployment, o: &Output, expected: &str) {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(1), "stdout {out}\nstderr {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(expected), "{err}");
    assert!(!format!("{out}{err}{}", d.calls()).contains(db_password().as_str()), "a password leaked: {err}");
}

async fn live_db() -> TestDb {
    let (db, store) = live_store().await;
    insert_user(&store.pool, "anna@skola.se", Role::User).await;
    insert_user(&store.pool, "boss@skola.se", Role::Superuser).await;
    db
}

#[tokio::test]
async fn the_production_layout_is_found_through_compose_and_docker() {
    let db = live_db().await;
    let d = Deployment::production(&db);

    let o = d.run(&["--print-database"], true);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains(&format!("database: 127.0.0.1:{}/{}", d.port, d.database)), "{out}");
    assert!(
        out.contains("from: DATABASE_URL of service web in compose.prod.yaml; shared-postgres is container shared-postgres at 127.0.0.1 on network hule-network"),
        "{out}"
    );
    assert!(out.contains("password: in the URL"), "{out}");
    assert!(!out.contains(db_password().as_str()) && !err.contains(db_password().as_str()), "{out}{err}");

    let o = d.run(&["list", "--format", "jsonl"], true);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("anna@skola.se") && out.contains("boss@skola.se"), "{out}");

    // Only commands that read were run, and the password was never an argument.
    let calls = d.calls();
    for line in calls.lines() {
        let read_only = line.starts_with("compose ls ")
            || (line.starts_with("compose ") && line.ends_with(" config --format json"))
            || line.starts_with("info ")
            || line.starts_with("inspect --type container ")
            || line.starts_with("network inspect ");
        assert!(read_only, "a docker call that is not read-only: {line}");
    }
    assert!(calls.contains("compose ls --all --format json"), "{calls}");
    assert!(!calls.contains(db_password().as_str()));
}

#[tokio::test]
async fn the_console_opens_on_the_production_layout() {
    let db = live_db().await;
    let d = Deployment::production(&db);
    let path = path_with(true);
    let docker = d.docker.path().display().to_string();
    let dir = d.dir.path().to_path_buf();
    let shown = tokio::task::spawn_blocking(move || {
        let env = [("PATH", path.as_str()), ("FAKE_DOCKER_DIR", docker.as_str())];
        let mut c = pty::Console::start_in(&dir, &[], 100, 30, &env);
        c.wait_for("Password", 20);
        let header = c.screen();
        c.type_text("boss@skola.se");
        c.tab();
        c.type_text(PASSWORD);
        c.enter();
        c.wait_for("anna@skola.se", 20);
        let table = c.screen();
        c.send("q");
        (header, table)
    })
    .await
    .expect("console");
    assert!(shown.0.contains("container shared-postgres on hule-network"), "{}", shown.0);
    assert!(shown.1.contains("boss@skola.se"), "{}", shown.1);
    assert!(!shown.0.contains(db_password().as_str()) && !shown.1.contains(db_password().as_str()));
}

#[tokio::test]
async fn a_service_alias_is_found_among_the_containers_of_the_network() {
    let db = live_db().await;
    let d = Deployment::production(&db);
    d.answer("config-compose.prod.yaml.json", &d.config(&[("web", "pg")]));
    // `pg` is no container name: the network's containers are asked for their aliases.
    d.answer(
        "network-hule-network.json",
        r#"[{"Name":"hule-network","Id":"9a8b7c","Driver":"bridge","Containers":{"4f2a9c1e7b3d":{"Name":"shared-postgres","IPv4Address":"127.0.0.1/8","IPv6Address":""}}}]"#,
    );
    d.answer(
        "inspect-4f2a9c1e7b3d.json",
        &container("shared-postgres", true, "hule-network")
            .replace(r#""Aliases":["shared-postgres"]"#, r#""Aliases":["shared-postgres","pg"]"#),
    );
    let o = d.run(&["--print-database"], true);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("pg is container shared-postgres at 127.0.0.1 on network hule-network"), "{out}");
}

#[tokio::test]
async fn compose_file_in_env_chooses_the_files() {
    let db = live_db().await;
    let d = Deployment::production(&db);
    d.forget("compose-ls.json"); // nothing running: without COMPOSE_FILE two files would differ
    d.answer("config-compose.yaml.json", &d.config(&[("web", "db")]));
    let o = d.run(&["--print-database"], true);
    fails_with(&d, &o, "define different databases");
    assert!(text(&o).1.contains("service web in compose.prod.yaml"), "{}", text(&o).1);

    d.file(".env", &format!("SKRIPTOTEKET_DB_PASSWORD={}\nCOMPOSE_FILE=compose.prod.yaml\n", db_password()));
    let o = d.run(&["--print-database"], true);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = d.run(&["--compose-file", "compose.prod.yaml", "--print-database"], true);
    assert!(o.status.success(), "{}", text(&o).1);
}

#[tokio::test]
async fn each_failure_says_what_is_wrong_in_one_line() {
    let db = live_db().await;
    let d = Deployment::production(&db);

    let o = d.run(&["list"], false);
    fails_with(&d, &o, "docker is not installed here");

    d.answer("fail", "permission");
    fails_with(&d, &d.run(&["list"], true), "permission denied on its socket");
    d.answer("fail", "daemon");
    fails_with(&d, &d.run(&["list"], true), "the docker daemon does not answer");
    d.forget("fail");

    d.answer("inspect-shared-postgres.json", &container("shared-postgres", false, "hule-network"));
    fails_with(&d, &d.run(&["list"], true), "container shared-postgres is not running (exited)");

    d.forget("inspect-shared-postgres.json");
    fails_with(
        &d,
        &d.run(&["list"], true),
        "no running container answers to shared-postgres on hule-network",
    );

    d.answer("inspect-shared-postgres.json", &container("shared-postgres", true, "bridge"));
    fails_with(&d, &d.run(&["list"], true), "is not on a network of service web");
    d.answer("inspect-shared-postgres.json", &container("shared-postgres", true, "hule-network"));

    d.answer(
        "info.json",
        r#"{"OperatingSystem":"Ubuntu 24.04 LTS","SecurityOptions":["name=seccomp,profile=builtin","name=rootless","name=cgroupns"]}"#,
    );
    fails_with(&d, &d.run(&["list"], true), "rootless docker: the host cannot reach container addresses");
    d.answer("info.json", r#"{"OperatingSystem":"Docker Desktop","SecurityOptions":[]}"#);
    fails_with(&d, &d.run(&["list"], true), "Docker Desktop's docker");
    d.forget("info.json");

    d.answer(
        "config-compose.prod.yaml.json",
        &d.config(&[("web", "shared-postgres"), ("worker", "other-postgres")]),
    );
    fails_with(
        &d,
        &d.run(&["list"], true),
        "service web in compose.prod.yaml and service worker in compose.prod.yaml define different databases",
    );
    let o = d.run(&["--compose-service", "web", "--print-database"], true);
    assert!(o.status.success(), "{}", text(&o).1);

    d.answer(
        "config-compose.prod.yaml.json",
        r#"{"name":"skriptoteket","services":{"web":{"environment":{"SECRET_KEY":"abc"}}}}"#,
    );
    fails_with(&d, &d.run(&["list"], true), "no service of compose.prod.yaml defines DATABASE_URL");

    d.answer("config-compose.prod.yaml.json", "name: skriptoteket\nservices: {}\n");
    fails_with(&d, &d.run(&["list"], true), "printed no JSON configuration");
}

#[tokio::test]
async fn a_folder_without_any_of_it_says_where_it_looked() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .arg("list")
        .current_dir(d.path())
        .env_remove("DATABASE_URL")
        .env_remove("PGHOST")
        .env_remove("PGDATABASE")
        .env_remove("PGHOSTADDR")
        .env("PATH", path_with(false))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no database found") && err.contains("compose file"), "{err}");
}
