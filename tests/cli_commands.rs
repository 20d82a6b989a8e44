//! Every subcommand through the real binary against a real database: success paths, the
//! refusals with their words and exit codes, and nothing changed when refused.

mod common;

use common::{
    NewUser, PASSWORD, TestDb, insert_user, insert_user_with, live_store, old_store, scalar_i64, signed_in,
    snapshot, without_password,
};
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::{Role, Secret};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the binary with `DATABASE_URL` set, the actor password in the environment, and
/// `stdin` fed in.
fn run(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    run_env(db, args, stdin, &[("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)])
}

fn run_env(db: &TestDb, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
    cmd.args(args)
        .env("DATABASE_URL", db.url())
        .env_remove("SKRIPTOTEKET_ACTOR_PASSWORD")
        .env_remove("RUST_LOG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).ok();
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A refused command: exit 1, one line on stderr containing `words`, nothing on stdout.
fn refused(o: &Output, words: &str) {
    assert_eq!(o.status.code(), Some(1), "stdout: {}\nstderr: {}", stdout(o), stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(words), "expected {words:?} in {err:?}");
}

async fn hash_of(pool: &sqlx::PgPool, email: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn migrate_then_bootstrap_then_provision() {
    let db = TestDb::new().await;
    // Before the web app's own migrations, migrate refuses and creates nothing.
    let o = run(&db, &["migrate"], "");
    refused(&o, "run the web app's own migrations first");
    assert_eq!(
        scalar_i64(&db.pool().await, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").await,
        0
    );
    db.load_live_schema().await;
    let o = run(&db, &["migrate"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&db, &["migrate"], "");
    assert!(o.status.success(), "migrate twice is fine: {}", stderr(&o));
    let pool = db.pool().await;

    let o = run(
        &db,
        &["bootstrap-superuser", "--email", " Root@Example.SE ", "--password-stdin"],
        "rootpassword1\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(hasher::verify(&Secret::from("rootpassword1"), &hash_of(&pool, "root@example.se").await));
    let o = run(&db, &["bootstrap-superuser", "--email", "two@example.se", "--generate-password"], "");
    refused(&o, "a superuser already exists");

    let env = [("SKRIPTOTEKET_ACTOR_PASSWORD", "rootpassword1")];
    let o = run_env(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "root@example.se",
            "--email",
            "Ny@Example.se",
            "--role",
            "user",
            "--generate-password",
        ],
        "",
        &env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let generated = out.lines().last().unwrap();
    assert!(generated.len() >= 16 && !generated.contains(' '), "{out}");
    assert!(hasher::verify(&Secret::from(generated), &hash_of(&pool, "ny@example.se").await));
    assert_eq!(out.matches(generated).count(), 1, "printed once");

    let o = run_env(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "root@example.se",
            "--email",
            "NY@example.se",
            "--role",
            "user",
            "--generate-password",
        ],
        "",
        &env,
    );
    refused(&o, "User already exists for that email.");
    let o = run_env(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "root@example.se",
            "--email",
            "x@example.se",
            "--role",
            "user",
            "--password-stdin",
        ],
        "",
        &[("SKRIPTOTEKET_ACTOR_PASSWORD", "wrong-password")],
    );
    // A failed sign-in has its own exit code and says how many tries are left.
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error: Invalid admin credentials. 4 attempts left"), "{}", stderr(&o));
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users").await, 2);
}

#[tokio::test]
async fn an_admin_provisions_only_low_roles() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    let o = run(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "admin@x.se",
            "--email",
            "a2@x.se",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "password123\n",
    );
    refused(&o, "Insufficient permissions to provision that user.");
    let o = run(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "admin@x.se",
            "--email",
            "c@x.se",
            "--role",
            "contributor",
            "--password-stdin",
        ],
        "password123\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM user_profiles p JOIN users u ON u.id = p.user_id WHERE u.email = 'c@x.se'"
        )
        .await,
        1
    );
    let o = run(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "admin@x.se",
            "--email",
            "c2@x.se",
            "--role",
            "user",
            "--password-stdin",
        ],
        "short\n",
    );
    refused(&o, "at least 8");
    let o = run(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "admin@x.se",
            "--email",
            "not an email",
            "--role",
            "user",
            "--password-stdin",
        ],
        "password123\n",
    );
    refused(&o, "not a valid email");
    let o = run(
        &db,
        &[
            "provision-user",
            "--actor-email",
            "admin@x.se",
            "--email",
            "c3@x.se",
            "--role",
            "root",
            "--password-stdin",
        ],
        "password123\n",
    );
    assert_eq!(o.status.code(), Some(2), "unknown role is a usage error");
}

#[tokio::test]
async fn list_formats() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    insert_user(&pool, "evil\u{1b}]2;T\u{7}\u{202e}@x.se", Role::User).await;
    let o = run(&db, &["list", "--format", "json"], "");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    for key in [
        "id",
        "email",
        "role",
        "auth_provider",
        "is_active",
        "email_verified",
        "status",
        "created_at",
        "last_login_at",
        "locked",
        "active_sessions",
    ] {
        assert!(arr[0].get(key).is_some(), "{key} missing");
    }
    assert!(!o.stdout.contains(&0x1b), "no raw ESC in JSON output");
    assert!(!stdout(&o).contains('\u{202e}'));
    let o = run(&db, &["list", "--role", "superuser"], "");
    assert!(stdout(&o).contains("boss@x.se") && !stdout(&o).contains("anna@x.se"));
    // The data formats stream the table and filter it here: the same rows.
    let o = run(&db, &["list", "--role", "superuser", "--format", "jsonl"], "");
    assert!(stdout(&o).contains("boss@x.se") && !stdout(&o).contains("anna@x.se"), "{}", stdout(&o));
    let o = run(&db, &["list", "--search", "%", "--format", "json"], "");
    assert_eq!(stdout(&o), "[]\n", "% is literal in JSON too");
    let o = run(&db, &["list", "--search", "ANNA", "--format", "csv"], "");
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 2, "{out}");
    // Every text cell quoted (Swedish spreadsheets split on `;` too), numbers bare.
    assert!(
        out.starts_with(
            "\"id\",\"email\",\"first_name\",\"last_name\",\"display_name\",\"locale\",\"role\",\"auth_provider\",\"is_active\","
        ),
        "{out}"
    );
    let o = run(&db, &["list", "--search", "%"], "");
    assert!(stdout(&o).contains("0 users"), "% is literal: {}", stdout(&o));
    let o = run(&db, &["list"], "");
    assert!(!o.stdout.contains(&0x1b), "table output sanitised");
}

#[tokio::test]
async fn set_role_is_all_or_nothing() {
    let (db, _s) = old_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "a@x.se", Role::User).await;
    insert_user(&pool, "b@x.se", Role::User).await;
    insert_user(&pool, "other.admin@x.se", Role::Admin).await;
    signed_in(&db.store().await, "admin@x.se").await;
    let before = snapshot(&pool).await;
    let o = run(
        &db,
        &[
            "set-role",
            "--actor-email",
            "admin@x.se",
            "--role",
            "contributor",
            "a@x.se",
            "b@x.se",
            "other.admin@x.se",
        ],
        "",
    );
    refused(&o, "other.admin@x.se");
    assert_eq!(snapshot(&pool).await, before, "nothing changed");
    let o = run(
        &db,
        &["set-role", "--actor-email", "admin@x.se", "--role", "contributor", "a@x.se", "missing@x.se"],
        "",
    );
    refused(&o, "missing@x.se");
    assert_eq!(snapshot(&pool).await, before);
    let o = run(
        &db,
        &["set-role", "--actor-email", "admin@x.se", "--role", "contributor", "A@x.se", "b@x.se"],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("role set to contributor for 2 users"), "{}", stdout(&o));
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE role = 'contributor'").await, 2);
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'set_role'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn reset_password_revokes_sessions_unless_kept() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    common::insert_sessions(&pool, anna).await;
    insert_user_with(&pool, &NewUser::federated("fed@x.se", Role::User)).await;
    let o = run(
        &db,
        &["reset-password", "--actor-email", "boss@x.se", "anna@x.se", "--password-stdin", "--keep-sessions"],
        "new-password-1\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(hasher::verify(&Secret::from("new-password-1"), &hash_of(&pool, "anna@x.se").await));
    let active = "SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > now()";
    assert_eq!(scalar_i64(&pool, active).await, 1);
    let o =
        run(&db, &["reset-password", "--actor-email", "boss@x.se", "anna@x.se", "--generate-password"], "");
    assert!(o.status.success());
    let pw = stdout(&o).lines().last().unwrap().to_string();
    assert!(hasher::verify(&Secret::from(pw.as_str()), &hash_of(&pool, "anna@x.se").await));
    assert_eq!(scalar_i64(&pool, active).await, 0);
    let o = run(
        &db,
        &["reset-password", "--actor-email", "boss@x.se", "fed@x.se", "--password-stdin"],
        "new-password-1\n",
    );
    refused(&o, "external provider");
    let o =
        run(&db, &["reset-password", "--actor-email", "boss@x.se", "anna@x.se", "--password-stdin"], "\n");
    refused(&o, "no password");
    let o = run(&db, &["reset-password", "--actor-email", "boss@x.se", "anna@x.se", "--password-stdin"], "");
    refused(&o, "no password");
}

#[tokio::test]
async fn non_utf8_and_huge_inputs_are_refused_cleanly() {
    let (db, _s) = old_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    signed_in(&db.store().await, "boss@x.se").await;
    let before = snapshot(&pool).await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
    let mut child = cmd
        .args(["reset-password", "--actor-email", "boss@x.se", "anna@x.se", "--password-stdin"])
        .env("DATABASE_URL", db.url())
        .env("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"\xff\xfe password\n").unwrap();
    let o = child.wait_with_output().unwrap();
    refused(&o, "not valid UTF-8");
    let huge = "p".repeat(10_000) + "\n";
    let o =
        run(&db, &["reset-password", "--actor-email", "boss@x.se", "anna@x.se", "--password-stdin"], &huge);
    refused(&o, "at most 1024");
    let long_email = "a".repeat(10_000) + "@x.se";
    let o = run(&db, &["set-role", "--actor-email", "boss@x.se", "--role", "admin", &long_email], "");
    refused(&o, "No user with email");
    let o = run(&db, &["set-role", "--actor-email", "boss@x.se", "--role", "admin", "' OR 1=1 --"], "");
    refused(&o, "No user with email");
    let o = run(&db, &["set-role", "--actor-email", "boss@x.se", "--role", "admin", "   "], "");
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(snapshot(&pool).await, before, "nothing changed");
}

/// `revoke-sessions --session ID EMAIL`: the subcommand behind the details view's `x`.
#[tokio::test]
async fn one_session_is_revoked_by_its_id() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    let (active, _expired, _revoked) = common::insert_sessions(&pool, anna).await;
    let other = common::insert_session(&pool, anna, common::SessionKind::Active).await;
    let id = active.to_string();
    let o = run(
        &db,
        &["revoke-sessions", "--session", &id, "--actor-email", "boss@x.se", "anna@x.se", "x@x.se"],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "one account only: {}", stderr(&o));
    let o = run(
        &db,
        &["revoke-sessions", "--session", &id, "--actor-email", "boss@x.se", "anna@x.se", "--dry-run"],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(common::revoked_at(&pool, active).await.is_none(), "a dry run changes nothing");
    let o = run(&db, &["revoke-sessions", "--session", &id, "--actor-email", "boss@x.se", "anna@x.se"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("session {} revoked", &active.simple().to_string()[..8])),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("cannot be undone"), "{}", stdout(&o));
    assert!(common::revoked_at(&pool, active).await.is_some());
    assert!(common::revoked_at(&pool, other).await.is_none(), "the other session stays");
    let o = run(&db, &["revoke-sessions", "--session", &id, "--actor-email", "boss@x.se", "anna@x.se"], "");
    refused(&o, "was revoked already");
    let audit = run(&db, &["audit", "--format", "json", "--action", "revoke_session"], "");
    let v: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(rows[0]["after"]["session_id"], serde_json::json!(id));
}

#[tokio::test]
async fn sessions_activation_and_unlock() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    common::insert_sessions(&pool, anna).await;
    let active = "SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > now()";
    let o = run(&db, &["revoke-sessions", "--actor-email", "boss@x.se", "anna@x.se"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(scalar_i64(&pool, active).await, 0);
    let o = run(&db, &["deactivate", "--actor-email", "boss@x.se", "anna@x.se"], "");
    assert!(o.status.success());
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE NOT is_active").await, 1);
    let o = run(&db, &["activate", "--actor-email", "boss@x.se", "anna@x.se"], "");
    assert!(o.status.success());
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE NOT is_active").await, 0);
    sqlx::query("UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '10 minutes' WHERE id = $1")
        .bind(anna)
        .execute(&pool)
        .await
        .unwrap();
    let o = run(&db, &["unlock", "--actor-email", "boss@x.se", "anna@x.se"], "");
    assert!(o.status.success());
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM users WHERE locked_until IS NOT NULL OR failed_login_attempts > 0"
        )
        .await,
        0
    );
    let o = run(&db, &["deactivate", "--actor-email", "boss@x.se", "boss@x.se"], "");
    refused(&o, "own account");
    let audit = run(&db, &["audit", "--format", "json", "--sign-ins"], "");
    let v: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let actions: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    let changes: Vec<&str> = actions.iter().copied().filter(|a| *a != "sign_in").collect();
    assert_eq!(changes, ["unlock", "activate", "deactivate", "revoke_sessions"]);
    assert_eq!(actions.len() - changes.len(), 5, "each run that signed in is audited");
}

#[tokio::test]
async fn delete_names_blockers_and_needs_yes_without_a_terminal() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    let author = insert_user(&pool, "author@x.se", Role::Contributor).await;
    let plain = insert_user(&pool, "plain@x.se", Role::User).await;
    common::insert_sessions(&pool, plain).await;
    db.exec(&format!(
        "INSERT INTO tools (id, slug, title, owner_user_id)
         SELECT '00000000-0000-0000-0000-000000000001', 't', 'T', id FROM users WHERE email = 'boss@x.se';
         INSERT INTO tool_versions (id, tool_id, version_number, state, source_code, entrypoint, content_hash,
                                    created_by_user_id)
         VALUES (gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 1, 'draft', 'x', 'main', 'h',
                 '{author}')"
    ))
    .await;
    signed_in(&db.store().await, "boss@x.se").await;
    let before = snapshot(&pool).await;
    let o = run(&db, &["delete", "--actor-email", "boss@x.se", "author@x.se", "plain@x.se", "--yes"], "");
    refused(&o, "tool_versions");
    assert!(stderr(&o).contains("deactivate"));
    assert_eq!(snapshot(&pool).await, before);
    let o = run(&db, &["delete", "--actor-email", "boss@x.se", "plain@x.se"], "y\n");
    assert_eq!(o.status.code(), Some(2), "no terminal, no --yes: {}", stderr(&o));
    assert_eq!(snapshot(&pool).await, before);
    let o = run(&db, &["delete", "--actor-email", "boss@x.se", "plain@x.se", "--yes"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("sessions"), "reports the cascade: {}", stdout(&o));
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE email = 'plain@x.se'").await, 0);
    let o = run(&db, &["delete", "--actor-email", "boss@x.se", "boss@x.se", "--yes"], "");
    refused(&o, "own account");
}

#[tokio::test]
async fn connection_errors_name_host_and_database_not_the_password() {
    let db = TestDb::new().await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
    let o = cmd
        .args(["--database-url", "postgresql+asyncpg://app:s3cretpw@127.0.0.1:1/skriptoteket", "list"])
        .output()
        .unwrap();
    // The warning about the password on the command line, then the one-line error; the
    // exit code of a connection failure.
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("warning: --database-url carries a password"), "{err}");
    assert!(lines[1].contains("127.0.0.1:1/skriptoteket"), "{err}");
    assert!(!err.contains("s3cretpw"));
    let (url, password) = without_password(db.url());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let o = cmd.args(["--database-url", &format!("{url}_missing"), "list"]).output().unwrap();
    // No such database: the settings must change, so a usage error, not a retry.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("_missing") && stderr(&o).lines().count() == 1, "{}", stderr(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .args(["list"])
        .env_remove("DATABASE_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no database found"));
}

#[tokio::test]
async fn mutations_refuse_without_the_audit_table() {
    let db = TestDb::new().await;
    db.load_live_schema().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    let o = run(&db, &["set-role", "--actor-email", "boss@x.se", "--role", "admin", "anna@x.se"], "");
    refused(&o, "run `skriptoteket-admin migrate`");
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE role = 'admin'").await, 0);
}

#[tokio::test]
async fn the_env_file_and_the_web_apps_url_form_work() {
    let (db, _s) = old_store().await;
    let dir = tempfile::tempdir().unwrap();
    let url = db.url().replacen("postgres://", "postgresql+asyncpg://", 1);
    std::fs::write(dir.path().join(".env"), format!("OTHER=x\nDATABASE_URL={url}\n")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .args(["list"])
        .env_remove("DATABASE_URL")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[tokio::test]
async fn no_flag_takes_a_password() {
    let (db, _s) = old_store().await;
    for flag in ["--password", "--actor-password", "--new-password"] {
        let o = run(&db, &["reset-password", "--actor-email", "a@x.se", "b@x.se", flag, "secret123"], "");
        assert_eq!(o.status.code(), Some(2), "{flag} must not exist");
        assert!(!stderr(&o).contains("secret123") || stderr(&o).contains(flag));
    }
}

#[tokio::test]
async fn verify_email_lets_a_self_registered_account_sign_in_and_shows_in_list() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user_with(&pool, &NewUser::local("ny@x.se", Role::User).unverified()).await;
    insert_user_with(&pool, &NewUser::local("chef@x.se", Role::Admin).unverified()).await;

    let o = run(&db, &["list", "--format", "json", "--search", "ny@"], "");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["email_verified"], serde_json::json!(false));
    assert_eq!(v[0]["status"], serde_json::json!("unverified"));
    let o = run(&db, &["list", "--search", "ny@"], "");
    assert!(stdout(&o).contains("unverified"), "{}", stdout(&o));
    let o = run(&db, &["list", "--search", "ny@", "--format", "csv"], "");
    assert!(
        stdout(&o).lines().nth(1).is_some_and(|l| l.contains(",\"false\",\"unverified\",")),
        "{}",
        stdout(&o)
    );

    // An admin may not vouch for an admin's address; nothing changes.
    let o = run(&db, &["verify-email", "--actor-email", "admin@x.se", "ny@x.se", "chef@x.se"], "");
    refused(&o, "chef@x.se");
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE NOT email_verified").await, 2);

    let o = run(&db, &["verify-email", "--actor-email", "admin@x.se", "NY@x.se"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ny@x.se: email marked verified"), "{out}");
    assert!(!out.contains("mark email verified: 1 user"), "one account's result is said once: {out}");
    assert!(out.lines().last().is_some_and(|l| l.starts_with("change ") && l.contains("revert")), "{out}");
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM users WHERE email = 'ny@x.se' AND email_verified").await,
        1
    );
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'verify_email'
               AND before = '{\"email_verified\": false}' AND after = '{\"email_verified\": true}'"
        )
        .await,
        1
    );
    // Again: nothing to do, nothing audited.
    let o = run(&db, &["verify-email", "--actor-email", "admin@x.se", "ny@x.se"], "");
    assert!(stdout(&o).contains("ny@x.se: unchanged (already so)"), "{}", stdout(&o));
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'verify_email'"
        )
        .await,
        1
    );
    // And the account now passes the web app's login steps.
    let store = db.store().await;
    let origin = skriptoteket_admin::store::login::Origin::current("tests");
    let err =
        skriptoteket_admin::store::login::authenticate(&store, "ny@x.se", &Secret::from(PASSWORD), &origin)
            .await
            .expect_err("a user is not an admin, but the password and the email pass");
    assert!(err.to_string().contains("only admins"), "{err}");
}

#[tokio::test]
async fn edit_fixes_an_email_sets_names_and_refuses_what_the_web_app_would() {
    let (db, _s) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "anna.bergg@x.se", Role::User).await;
    insert_user(&pool, "berit@x.se", Role::User).await;
    // The accounts edited and their profiles (the actor's row records its sign-ins).
    let untouched = "SELECT count(*) FROM users WHERE email IN ('anna.bergg@x.se', 'berit@x.se')
                       AND updated_at = created_at AND email_verified";
    let edit = |args: &[&str]| {
        let mut a = vec!["edit", "--actor-email", "admin@x.se", "anna.bergg@x.se"];
        a.extend_from_slice(args);
        run(&db, &a, "")
    };
    // A new email must say whether the admin vouches for it.
    let o = edit(&["--email", "anna.berg@x.se"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--vouch") && stderr(&o).lines().count() == 1, "{}", stderr(&o));
    let o = edit(&["--email", "berit@x.se", "--vouch"]);
    refused(&o, "berit@x.se is already registered");
    let o = edit(&["--locale", "fi-FI"]);
    assert_eq!(o.status.code(), Some(2), "clap refuses the locale: {}", stderr(&o));
    let long = "x".repeat(101);
    let o = edit(&["--first-name", &long]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("longer than 100 characters"), "{}", stderr(&o));
    let o = edit(&["--email", "anna.berg@x.se", "--vouch", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("anna.berg@x.se"), "{}", stdout(&o));
    assert_eq!(scalar_i64(&pool, untouched).await, 2, "nothing changed by refusals and the dry run");
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM user_profiles WHERE first_name IS NOT NULL").await, 0);
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'edit_account'"
        )
        .await,
        0
    );

    let o = edit(&["--email", "Anna.Berg@x.se", "--vouch", "--first-name", " Anna ", "--reason", "typo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("anna.bergg@x.se: edited"), "{}", stdout(&o));
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM users u JOIN user_profiles p ON p.user_id = u.id
              WHERE u.email = 'anna.berg@x.se' AND u.email_verified AND p.first_name = 'Anna'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'edit_account' AND reason = 'typo'").await,
        1
    );
}
