//! Accountability through the real binary: reasons (and a deployment that requires them),
//! change ids and `revert`, `--dry-run` that leaves the database as it was, the audit
//! filters and `--follow`, and a change whose commit answer is lost.

mod common;

use common::proxy::{self, Cut};
use common::{PASSWORD, TestDb, admin_url, insert_user, live_store, scalar_i64, snapshot, without_password};
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::{Role, Secret};
use skriptoteket_admin::store::seed;
use sqlx::Connection;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn command(url: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
    cmd.args(args)
        .env("DATABASE_URL", url)
        .env("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)
        .env_remove("SKRIPTOTEKET_ADMIN_REQUIRE_REASON")
        .env_remove("RUST_LOG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run_at(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = command(url, args, env).spawn().expect("spawn");
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn run(db: &TestDb, args: &[&str]) -> Output {
    run_at(db.url(), args, &[])
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The change id a change's output ends with ("change <id> (...)").
fn change_id(o: &Output) -> String {
    let text = out(o);
    let line =
        text.lines().find(|l| l.starts_with("change ")).unwrap_or_else(|| panic!("no change line: {text}"));
    line.split_whitespace().nth(1).expect("an id").to_string()
}

async fn team(db: &TestDb) {
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    for e in ["u1@x.se", "u2@x.se"] {
        insert_user(&pool, e, Role::User).await;
    }
}

#[tokio::test]
async fn a_reason_is_kept_and_a_deployment_can_require_one() {
    let (db, _store) = live_store().await;
    team(&db).await;
    let pool = db.pool().await;
    let o = run(
        &db,
        &["set-role", "--actor-email", "boss@x.se", "--role", "contributor", "u1@x.se", "--reason", "course"],
    );
    assert!(o.status.success(), "{}", err(&o));
    let id = change_id(&o);
    assert!(
        out(&o).contains(&format!("undo: skriptoteket-admin revert --actor-email boss@x.se {id}")),
        "{}",
        out(&o)
    );
    assert_eq!(
        scalar_i64(
            &pool,
            &format!("SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE change_id = '{id}' AND reason = 'course'")
        )
        .await,
        1
    );
    // Required by the deployment (environment or .env): refused before anything happens.
    let before = snapshot(&pool).await;
    let require = [("SKRIPTOTEKET_ADMIN_REQUIRE_REASON", "1")];
    let o = run_at(db.url(), &["deactivate", "--actor-email", "boss@x.se", "u2@x.se"], &require);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("a reason is required"), "{}", err(&o));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".env"), "SKRIPTOTEKET_ADMIN_REQUIRE_REASON=yes\n").expect("write .env");
    let mut cmd =
        command(db.url(), &["deactivate", "--actor-email", "boss@x.se", "u2@x.se", "--reason", "  "], &[]);
    let o = cmd.current_dir(dir.path()).output().expect("run");
    assert_eq!(o.status.code(), Some(2), "a blank reason is none: {}", err(&o));
    let o = run(&db, &["unlock", "--actor-email", "boss@x.se", "u2@x.se", "--reason", "two\nlines"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(snapshot(&pool).await, before);
    let o = run_at(
        db.url(),
        &["deactivate", "--actor-email", "boss@x.se", "u2@x.se", "--reason", "left"],
        &require,
    );
    assert!(o.status.success(), "{}", err(&o));
}

#[tokio::test]
async fn a_dry_run_leaves_the_database_byte_identical_and_exits_by_the_verdict() {
    let (db, _store) = live_store().await;
    team(&db).await;
    let pool = db.pool().await;
    let state = || async {
        let rows = snapshot(&pool).await;
        let xmin: String = sqlx::query_scalar(
            "SELECT string_agg(id::text || ':' || xmin::text, ',' ORDER BY id) FROM users",
        )
        .fetch_one(&pool)
        .await
        .expect("xmin");
        let events = scalar_i64(&pool, "SELECT count(*) FROM login_events").await;
        let audit = scalar_i64(&pool, "SELECT count(*) FROM skriptoteket_admin.admin_audit_log").await;
        (rows, xmin, events, audit)
    };
    let before = state().await;
    let o = run(&db, &["deactivate", "--actor-email", "boss@x.se", "u1@x.se", "u2@x.se", "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.starts_with("dry run: nothing was changed\ndeactivate on 2 accounts:"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("  u1@x.se: ") && l.ends_with("is_active=false sessions_revoked=0")),
        "{text}"
    );
    assert!(text.contains("it could run"), "{text}");
    let o = run(
        &db,
        &[
            "set-role",
            "--actor-email",
            "boss@x.se",
            "--role",
            "admin",
            "boss@x.se",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "refused: {}", out(&o));
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON plan");
    assert_eq!(plan["could_run"], false);
    assert!(plan["refused"].as_str().is_some_and(|r| r.contains("own account")), "{plan}");
    for args in [
        &["delete", "--actor-email", "boss@x.se", "u1@x.se", "--dry-run"][..],
        &["reset-password", "--actor-email", "boss@x.se", "u1@x.se", "--dry-run"],
        &[
            "provision-user",
            "--actor-email",
            "boss@x.se",
            "--email",
            "new@x.se",
            "--role",
            "user",
            "--dry-run",
        ],
    ] {
        let o = run(&db, args);
        assert!(o.status.success(), "{args:?}: {}{}", out(&o), err(&o));
    }
    assert_eq!(state().await, before, "no row, no audit entry, no sign-in record, no lock");
}

#[tokio::test]
async fn revert_through_the_cli_and_the_audit_filters() {
    let (db, _store) = live_store().await;
    team(&db).await;
    let pool = db.pool().await;
    let o =
        run(&db, &["set-role", "--actor-email", "boss@x.se", "--role", "contributor", "u1@x.se", "u2@x.se"]);
    let id = change_id(&o);
    let o = run(&db, &["revert", "--actor-email", "boss@x.se", &id, "--dry-run"]);
    assert!(o.status.success() && out(&o).contains("role=contributor → role=user"), "{}{}", out(&o), err(&o));
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE role = 'contributor'").await, 2);
    let o = run(&db, &["revert", "--actor-email", "boss@x.se", &id, "--reason", "wrong course"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(&format!("reverted change {id}: 2 users restored")), "{}", out(&o));
    let revert_id = change_id(&o);
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE role = 'contributor'").await, 0);

    let lines = |o: &Output| -> Vec<serde_json::Value> {
        out(o).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
    };
    let o = run(&db, &["audit", "--format", "jsonl", "--change", &id]);
    let rows = lines(&o);
    assert_eq!(rows.len(), 2, "{}", out(&o));
    assert!(rows.iter().all(|r| r["change_id"] == id.as_str() && r["operator"]["tool"].is_string()));
    let o = run(&db, &["audit", "--format", "jsonl", "--target", "U1@x.se", "--action", "set_role"]);
    let rows = lines(&o);
    assert_eq!(rows.len(), 2, "the change and its revert: {}", out(&o));
    assert_eq!(rows[0]["reverts"], id.as_str(), "newest first");
    assert_eq!(rows[0]["change_id"], revert_id.as_str());
    assert_eq!(rows[0]["reason"], "wrong course");
    let o = run(&db, &["audit", "--format", "jsonl", "--actor", "nobody@"]);
    assert!(o.status.success() && out(&o).is_empty(), "{}", out(&o));
    let o = run(&db, &["audit", "--format", "jsonl", "--since", "1h", "--sign-ins", "--action", "sign_in"]);
    // set-role and revert signed in; the dry run left no trace.
    assert!(lines(&o).len() == 2 && lines(&o).iter().all(|r| r["action"] == "sign_in"), "{}", out(&o));
    let o = run(&db, &["audit", "--format", "jsonl", "--until", "2000-01-01"]);
    assert!(out(&o).is_empty(), "{}", out(&o));
    // One line per change, as the console's viewer lists them: the set-role and its revert.
    let o = run(&db, &["audit", "--format", "jsonl", "--by-change"]);
    let changes = lines(&o);
    assert_eq!(changes.len(), 2, "{}", out(&o));
    assert!(changes.iter().all(|c| c["accounts"] == 2), "{}", out(&o));
    assert_eq!(changes[0]["first"]["change_id"], revert_id.as_str(), "newest first");
    let o = run(&db, &["audit", "--by-change", "--filter", "target:u2@"]);
    assert!(out(&o).contains("1 of 2 accounts") && out(&o).contains("reason: wrong course"), "{}", out(&o));
    // The audit viewer's language, the same words as the flags.
    let o = run(&db, &["audit", "--format", "jsonl", "--filter", "target:U1@x action:role"]);
    assert_eq!(lines(&o).len(), 2, "{}{}", out(&o), err(&o));
    let o =
        run(&db, &["audit", "--format", "jsonl", "--filter", &format!("change:{} wrong", &revert_id[..8])]);
    assert!(lines(&o).len() == 2 && lines(&o).iter().all(|r| r["reason"] == "wrong course"), "{}", out(&o));
    let o = run(&db, &["audit", "--filter", "actr:boss"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(err(&o).lines().count(), 1, "{}", err(&o));
    assert!(err(&o).contains("--filter: actr: is no filter word (did you mean actor:?)"), "{}", err(&o));
    let o = run(&db, &["audit", "--action", "promote"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("the actions are create_user, set_role"), "{}", err(&o));
    let o = run(&db, &["audit", "--since", "last tuesday"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    // The table says which change, from whom, and why.
    let o = run(&db, &["audit", "--change", &revert_id]);
    assert!(
        out(&o).contains(&format!("reverts {id}")) && out(&o).contains("reason: wrong course"),
        "{}",
        out(&o)
    );
}

/// Issue 23 point 9: the operator fields come from the caller's environment (up to 128 KiB
/// each): the audit row keeps at most 255 characters of each, and an SSH client only when
/// it is an address, as `login_events.ip_address` does.
#[tokio::test]
async fn operator_fields_are_bounded_and_the_ssh_client_is_an_address_or_nothing() {
    let (db, _store) = live_store().await;
    team(&db).await;
    let pool = db.pool().await;
    let huge = "x".repeat(100_000);
    let connection = format!("{huge} 51000 10.0.0.1 22");
    let env = [("SUDO_USER", huge.as_str()), ("SSH_CONNECTION", &connection), ("SSH_CLIENT", "$(id) 1 22")];
    let o = run_at(db.url(), &["deactivate", "--actor-email", "boss@x.se", "u1@x.se"], &env);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let (sudo, ssh, bytes): (Option<String>, Option<String>, i32) = sqlx::query_as(
        "SELECT operator->>'sudo_user', operator->>'ssh_client', octet_length(operator::text)
         FROM skriptoteket_admin.admin_audit_log WHERE action = 'deactivate'",
    )
    .fetch_one(&pool)
    .await
    .expect("the audit row");
    assert_eq!(sudo.map(|s| s.chars().count()), Some(255), "SUDO_USER cut to 255 characters");
    assert_eq!(ssh, None, "no address in SSH_CONNECTION or SSH_CLIENT");
    assert!(bytes < 2048, "the operator is {bytes} bytes");
    let ip: Option<String> =
        sqlx::query_scalar("SELECT ip_address::text FROM login_events ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("the sign-in");
    assert_eq!(ip, None);
}

#[tokio::test]
async fn audit_follow_prints_each_entry_as_it_commits() {
    let (db, _store) = live_store().await;
    team(&db).await;
    let mut child =
        command(db.url(), &["audit", "--follow", "--format", "jsonl"], &[]).spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(1500));
    let o = run(&db, &["set-role", "--actor-email", "boss@x.se", "--role", "contributor", "u1@x.se"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&db, &["deactivate", "--actor-email", "boss@x.se", "u2@x.se"]);
    assert!(o.status.success(), "{}", err(&o));
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    while seen.len() < 2 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let v: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
            seen.push(v["action"].as_str().unwrap_or_default().to_string());
        }
    }
    child.kill().ok();
    child.wait().ok();
    // In commit order; the sign-ins of the two runs are left out (not asked for).
    assert_eq!(seen, ["set_role", "deactivate"]);
}

/// Issue 15 point 6: the commit's answer is lost; the CLI asks the database for its change
/// id and says (on stderr) whether the change applied. The generated password was printed
/// before the commit (issue 23 point 2): it is the account's when the change applied, and
/// declared no account's when it did not.
#[tokio::test]
async fn a_lost_commit_answer_is_settled_by_the_change_id_and_the_password_is_not_lost() {
    let (db, store) = live_store().await;
    team(&db).await;
    let pool = db.pool().await;
    let url = url::Url::parse(db.url()).expect("url");
    let upstream = format!("{}:{}", url.host_str().unwrap_or("127.0.0.1"), url.port().unwrap_or(5432));
    for cut in [Cut::AfterCommit, Cut::BeforeCommit] {
        let port = proxy::start(upstream.clone(), b"reset_password", cut);
        let mut via = url.clone();
        via.set_host(Some("127.0.0.1")).expect("host");
        via.set_port(Some(port)).expect("port");
        let before: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'u1@x.se'")
            .fetch_one(&pool)
            .await
            .expect("hash");
        let o = run_at(
            via.as_str(),
            &["reset-password", "--actor-email", "boss@x.se", "u1@x.se", "--generate-password"],
            &[],
        );
        let after: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'u1@x.se'")
            .fetch_one(&pool)
            .await
            .expect("hash");
        match cut {
            Cut::AfterCommit => {
                assert_eq!(o.status.code(), Some(7), "applied, its answer lost: {}{}", out(&o), err(&o));
                assert!(err(&o).contains("WAS applied"), "{}", err(&o));
                assert!(err(&o).contains("the password printed above is the account's"), "{}", err(&o));
                let pw = out(&o).lines().last().expect("the password").to_string();
                assert_ne!(before, after);
                assert!(
                    hasher::verify(&Secret::from(pw.as_str()), &after),
                    "the printed password is the account's"
                );
            }
            Cut::BeforeCommit => {
                assert_eq!(
                    o.status.code(),
                    Some(4),
                    "the connection, nothing applied: {}{}",
                    out(&o),
                    err(&o)
                );
                assert!(err(&o).contains("was NOT applied"), "{}", err(&o));
                assert!(
                    err(&o).contains("the password printed above is no account's"),
                    "the password printed for a change that did not happen is declared void: {}",
                    err(&o)
                );
                assert_eq!(before, after);
            }
        }
    }
    drop(store);
}

#[tokio::test]
async fn read_only_mode_refuses_changes_in_the_tool_and_in_the_server() {
    let (db, _store) = live_store().await;
    team(&db).await;
    let pool = db.pool().await;
    let before = snapshot(&pool).await;
    for (args, env) in [
        (&["--readonly", "deactivate", "--actor-email", "boss@x.se", "u1@x.se"][..], &[][..]),
        (
            &["set-role", "--actor-email", "boss@x.se", "--role", "admin", "u1@x.se"],
            &[("SKRIPTOTEKET_ADMIN_READONLY", "1")],
        ),
        (&["--readonly", "migrate"], &[]),
    ] {
        let o = run_at(db.url(), args, env);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", err(&o));
        assert!(err(&o).contains("read-only mode"), "{}", err(&o));
    }
    let o = run(&db, &["--readonly", "deactivate", "--actor-email", "boss@x.se", "u1@x.se", "--dry-run"]);
    assert!(o.status.success(), "a dry run reads only: {}", err(&o));
    let o = run(&db, &["--readonly", "list", "--format", "json"]);
    assert!(o.status.success(), "{}", err(&o));
    // An empty variable does not override the env file's 1.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".env"), "SKRIPTOTEKET_ADMIN_READONLY=1\nSKRIPTOTEKET_ADMIN_READONY=1\n")
        .expect(".env");
    let mut cmd = command(
        db.url(),
        &["activate", "--actor-email", "boss@x.se", "u1@x.se"],
        &[("SKRIPTOTEKET_ADMIN_READONLY", "")],
    );
    let o = cmd.current_dir(dir.path()).output().expect("run");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("read-only mode"), "{}", err(&o));
    assert!(err(&o).contains("SKRIPTOTEKET_ADMIN_READONY is not a setting"), "a typo is named: {}", err(&o));
    assert_eq!(snapshot(&pool).await, before);
    // Below the tool: a read-only store's connections refuse a write the code never checked.
    let target = db.target().clone().read_only();
    let store = skriptoteket_admin::store::Store::connect(&target).await.expect("connect");
    let e =
        sqlx::query("UPDATE users SET role = 'superuser'").execute(&store.pool).await.expect_err("refused");
    assert!(matches!(
        skriptoteket_admin::store::StoreError::from(e),
        skriptoteket_admin::store::StoreError::ReadOnly
    ));
    assert_eq!(snapshot(&pool).await, before);
    // A wrong password still counts in read-only mode: it is no way around the lock.
    let o = run_at(
        db.url(),
        &["--readonly", "unlock", "--actor-email", "boss@x.se", "u1@x.se", "--dry-run"],
        &[("SKRIPTOTEKET_ACTOR_PASSWORD", "wrong password")],
    );
    assert_eq!(o.status.code(), Some(3), "a failed sign-in: {}", err(&o));
    assert_eq!(
        scalar_i64(&pool, "SELECT failed_login_attempts::bigint FROM users WHERE email = 'boss@x.se'").await,
        1
    );
    sqlx::query(
        "UPDATE users SET failed_login_attempts = 0, last_failed_login_at = NULL WHERE email = 'boss@x.se'",
    )
    .execute(&pool)
    .await
    .expect("reset the count");
}

/// Issue 23 point 5: the demo creates, drops and seeds databases, so read-only mode
/// (the flag or the setting) refuses it before it connects: a demo database is not reset,
/// a new one not made.
#[tokio::test]
async fn read_only_mode_refuses_the_demo() {
    let db = TestDb::new().await;
    db.exec(&format!("COMMENT ON DATABASE {} IS '{}'", db.name, seed::DEMO_MARK)).await;
    db.exec("CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)").await;
    let (server, password) = without_password(&admin_url());
    let fresh = format!("ska_t_{}", uuid::Uuid::new_v4().simple());
    let cases = [
        (vec!["--readonly", "demo", "--server", &server, "--name", &db.name, "--reset"], None),
        (vec!["demo", "--server", &server, "--name", &fresh], Some(("SKRIPTOTEKET_ADMIN_READONLY", "1"))),
    ];
    for (mut args, setting) in cases {
        args.extend(["--users", "5", "--no-console"]);
        let mut cmd = command(db.url(), &args, setting.as_slice());
        if let Some(p) = &password {
            cmd.env("PGPASSWORD", p);
        }
        let o = cmd.output().expect("run the demo");
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}{}", out(&o), err(&o));
        assert!(err(&o).contains("read-only mode"), "{}", err(&o));
    }
    let pool = db.pool().await;
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM kept").await, 1, "the demo database was not reset");
    let mut admin = sqlx::PgConnection::connect(&admin_url()).await.expect("connect");
    let made: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(&fresh)
        .fetch_one(&mut admin)
        .await
        .expect("pg_database");
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {fresh} WITH (FORCE)")))
        .execute(&mut admin)
        .await;
    assert_eq!(made, 0, "no demo database was made");
}

#[tokio::test]
async fn a_protected_deployment_wants_its_name_for_a_destructive_bulk_change() {
    let (db, _store) = live_store().await;
    team(&db).await;
    let pool = db.pool().await;
    let env = [("SKRIPTOTEKET_ADMIN_NAME", "prod-skola"), ("SKRIPTOTEKET_ADMIN_PROTECTED", "1")];
    let before = snapshot(&pool).await;
    let o = run_at(db.url(), &["deactivate", "--actor-email", "boss@x.se", "u1@x.se", "u2@x.se"], &env);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("add --confirm-name prod-skola"), "{}", err(&o));
    let o = run_at(
        db.url(),
        &["deactivate", "--actor-email", "boss@x.se", "u1@x.se", "u2@x.se", "--confirm-name", "prod"],
        &env,
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(snapshot(&pool).await, before);
    let o = run_at(db.url(), &["activate", "--actor-email", "boss@x.se", "u1@x.se", "u2@x.se"], &env);
    assert!(o.status.success(), "not destructive: {}", err(&o));
    let o = run_at(
        db.url(),
        &["deactivate", "--actor-email", "boss@x.se", "u1@x.se", "u2@x.se", "--confirm-name", "prod-skola"],
        &env,
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = run_at(
        db.url(),
        &["activate", "--actor-email", "boss@x.se", "u1@x.se"],
        &[("SKRIPTOTEKET_ADMIN_PROTECTED", "1")],
    );
    assert_eq!(o.status.code(), Some(2), "protected needs a name: {}", err(&o));
    assert!(err(&o).contains("SKRIPTOTEKET_ADMIN_NAME"), "{}", err(&o));
}
