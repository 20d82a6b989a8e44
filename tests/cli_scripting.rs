//! The subcommands as scripts and cron use them (issue 25): the printed undo runs as
//! printed, change ids by prefix, the acting admin from the environment, a password file
//! or a systemd credential, a failed sign-in that warns before the lock and exits with its
//! own code, and exit codes (and JSON errors) that tell failures apart.

mod common;

use common::{PASSWORD, TestDb, insert_user, live_store, role_of, scalar_i64, snapshot};
use skriptoteket_admin::domain::Role;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_skriptoteket-admin");

/// The binary with the test database and nothing of the caller's environment that names
/// an actor; `env` adds variables.
fn command(db: &TestDb, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DATABASE_URL", db.url())
        .env_remove("SKRIPTOTEKET_ACTOR_PASSWORD")
        .env_remove("SKRIPTOTEKET_ACTOR_EMAIL")
        .env_remove("CREDENTIALS_DIRECTORY")
        .env_remove("SKRIPTOTEKET_ADMIN_REQUIRE_REASON")
        .env_remove("SKRIPTOTEKET_ADMIN_PROTECTED")
        .env_remove("RUST_LOG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(db, env).args(args).output().expect("run")
}

fn with_password(db: &TestDb, args: &[&str]) -> Output {
    run(db, args, &[("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)])
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `line` as printed, in a POSIX shell whose PATH finds the binary first.
fn run_printed(db: &TestDb, line: &str) -> Output {
    let dir = Path::new(BIN).parent().expect("the binary's folder");
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(line).env("PATH", path);
    for (k, v) in command(db, &[("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)]).get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.current_dir(std::env::temp_dir()).stdin(Stdio::null()).output().expect("sh")
}

/// The command after "undo: " in a change's report.
fn undo_line(report: &str) -> String {
    let at = report.find("undo: ").expect("an undo hint") + "undo: ".len();
    report[at..].trim_end().trim_end_matches(')').to_string()
}

#[tokio::test]
async fn the_printed_undo_runs_as_printed_and_change_ids_go_by_prefix() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "o'brien@x.se", Role::Admin).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    let o = with_password(
        &db,
        &["set-role", "--actor-email", "o'brien@x.se", "--role", "contributor", "anna@x.se"],
    );
    assert!(o.status.success(), "{}", err(&o));
    let line = undo_line(&out(&o));
    assert!(line.contains("--actor-email") && !line.contains(PASSWORD), "{line}");
    let undone = run_printed(&db, &line);
    assert!(undone.status.success(), "{line}: {}", err(&undone));
    assert_eq!(role_of(&pool, anna).await, "user");

    // A change id by a unique prefix of 8 or more hex digits, as the console shows them.
    let o = with_password(
        &db,
        &["set-role", "--actor-email", "o'brien@x.se", "--role", "contributor", "anna@x.se"],
    );
    let full = undo_line(&out(&o)).rsplit(' ').next().expect("an id").to_string();
    let o = with_password(&db, &["revert", "--actor-email", "o'brien@x.se", &full[..8], "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = with_password(&db, &["revert", "--actor-email", "o'brien@x.se", &full[..7]]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("at least 8"), "{}", err(&o));
    // Two changes that share a prefix: refused, naming both.
    for i in [1, 2] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO skriptoteket_admin.admin_audit_log (change_id, actor_email, action, target_email)
             VALUES ('abcdef12-0000-4000-8000-00000000000{i}', 'x@x.se', 'set_role', 'anna@x.se')"
        )))
        .execute(&pool)
        .await
        .expect("audit row");
    }
    let before = snapshot(&pool).await;
    let o = with_password(&db, &["revert", "--actor-email", "o'brien@x.se", "abcdef12"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("abcdef12-0000-4000-8000-000000000001")
            && err(&o).contains("abcdef12-0000-4000-8000-000000000002"),
        "{}",
        err(&o)
    );
    assert_eq!(snapshot(&pool).await, before);
}

#[tokio::test]
async fn the_actor_comes_from_the_environment_a_private_file_or_a_systemd_credential() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("actor-password");
    std::fs::write(&file, format!("{PASSWORD}\n")).expect("write");
    let path = file.to_string_lossy().into_owned();
    let email = [("SKRIPTOTEKET_ACTOR_EMAIL", "admin@x.se")];
    let go = |extra: &[&str], env: &[(&str, &str)]| {
        let mut a = vec!["deactivate", "anna@x.se", "--dry-run"];
        a.extend_from_slice(extra);
        run(&db, &a, env)
    };

    // Readable by others: refused before anything is asked or counted.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let before = snapshot(&pool).await;
    let o = go(&["--actor-password-file", &path], &email);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("readable by others") && err(&o).lines().count() == 1, "{}", err(&o));
    assert_eq!(snapshot(&pool).await, before, "no sign-in attempt was recorded");
    // Owned by somebody else (nobody): refused too.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&file, Some(65534), None).expect("chown");
        let o = go(&["--actor-password-file", &path], &email);
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(err(&o).contains("not owned by you"), "{}", err(&o));
        std::os::unix::fs::chown(&file, Some(0), None).expect("chown back");
    }
    // 0600 and the caller's: the email from the environment, the password from the file.
    let o = go(&["--actor-password-file", &path], &email);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        scalar_i64(&pool, "SELECT failed_login_attempts::bigint FROM users WHERE email = 'admin@x.se'").await,
        0
    );
    // A systemd credential (LoadCredential=skriptoteket-actor-password:...).
    let creds = tempfile::tempdir().expect("credentials");
    std::fs::write(creds.path().join("skriptoteket-actor-password"), PASSWORD).expect("write");
    let creds_dir = creds.path().to_string_lossy().into_owned();
    let o = go(&[], &[email[0], ("CREDENTIALS_DIRECTORY", &creds_dir)]);
    assert!(o.status.success(), "{}", err(&o));
}

#[tokio::test]
async fn a_failed_sign_in_warns_before_the_lock_and_exits_with_its_own_code() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    let wrong = [("SKRIPTOTEKET_ACTOR_PASSWORD", "not-the-password")];
    let o = run(&db, &["deactivate", "--actor-email", "admin@x.se", "anna@x.se"], &wrong);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(err(&o).contains("4 attempts left before the account is locked"), "{}", err(&o));
    for _ in 0..3 {
        run(&db, &["deactivate", "--actor-email", "admin@x.se", "anna@x.se"], &wrong);
    }
    let o = run(&db, &["deactivate", "--actor-email", "admin@x.se", "anna@x.se"], &wrong);
    assert_eq!(o.status.code(), Some(3));
    assert!(err(&o).contains("locked"), "{}", err(&o));
    // JSON callers get the failure as JSON on stdout too.
    let o = run(&db, &["deactivate", "--actor-email", "admin@x.se", "anna@x.se", "--format", "json"], &wrong);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["error"]["code"], "sign_in");
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn exit_codes_tell_refusals_connection_failures_and_usage_apart() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    // Refused by the rules: 1, and as JSON with its code.
    let o =
        with_password(&db, &["deactivate", "--actor-email", "admin@x.se", "boss@x.se", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["error"]["code"], "refused", "{v}");
    // No such account: refused as well.
    let o = with_password(&db, &["deactivate", "--actor-email", "admin@x.se", "nobody@x.se"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    // Usage: 2.
    let o = with_password(&db, &["deactivate", "--actor-email", "admin@x.se"]);
    assert_eq!(o.status.code(), Some(2));
    // No server: 4, as JSON too.
    let o = Command::new(BIN)
        .args(["list", "--format", "json"])
        .env("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2")
        .env("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["error"]["code"], "connection", "{v}");
}

#[tokio::test]
async fn a_filter_chooses_the_accounts_counted_first_and_a_script_must_say_how_many() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    for e in ["elev1@skola.se", "elev2@skola.se", "elev3@skola.se"] {
        insert_user(&pool, e, Role::User).await;
    }
    insert_user(&pool, "larare@skola.se", Role::Contributor).await;
    let deactivate = |extra: &[&str]| {
        let mut a = vec!["deactivate", "--actor-email", "admin@x.se", "--filter", "role:user elev"];
        a.extend_from_slice(extra);
        with_password(&db, &a)
    };
    let active_users = "SELECT count(*) FROM users WHERE role = 'user' AND is_active";
    let before = snapshot(&pool).await;
    // Off a terminal, a filter's change needs --yes or --expect-count.
    let o = deactivate(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("--filter chose 3 accounts: add --yes, or --expect-count 3"), "{}", err(&o));
    let o = deactivate(&["--expect-count", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("3 accounts chosen, not the 2 --expect-count says"), "{}", err(&o));
    let o = deactivate(&["--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("on 3 accounts") && !out(&o).contains("larare"), "{}", out(&o));
    let o = with_password(&db, &["deactivate", "--actor-email", "admin@x.se", "--filter", "rol:user"]);
    assert_eq!(o.status.code(), Some(2), "a typo in the filter: {}", err(&o));
    assert_eq!(snapshot(&pool).await, before, "refusals and the dry run change nothing");

    let o = deactivate(&["--expect-count", "3"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(scalar_i64(&pool, active_users).await, 0);
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(DISTINCT change_id) FROM skriptoteket_admin.admin_audit_log WHERE action = 'deactivate'"
        )
        .await,
        1,
        "one change"
    );
    // Nothing left to choose: exit 0, nothing changed.
    let o = with_password(
        &db,
        &["deactivate", "--actor-email", "admin@x.se", "--filter", "role:user status:active", "--yes"],
    );
    assert!(o.status.success() && out(&o).contains("no account matches --filter"), "{}{}", out(&o), err(&o));
    // Without a filter --expect-count still counts: a delete of two with "1" deletes nobody
    // (and asks for nothing), and an unattended filtered delete is refused before signing in.
    let before = snapshot(&pool).await;
    let o = with_password(
        &db,
        &["delete", "--actor-email", "admin@x.se", "elev1@skola.se", "elev2@skola.se", "--expect-count", "1"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("2 accounts chosen, not the 1"), "{}", err(&o));
    let o = with_password(&db, &["delete", "--actor-email", "admin@x.se", "--filter", "elev"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(snapshot(&pool).await, before, "nothing deleted, no sign-in recorded");
    // Nothing chosen, as JSON: still JSON.
    let o = with_password(
        &db,
        &[
            "activate",
            "--actor-email",
            "admin@x.se",
            "--filter",
            "nobody-at-all",
            "--yes",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["changed"], false, "{v}");
    // Emails and a filter together, each account once.
    let o = with_password(
        &db,
        &[
            "set-role",
            "--actor-email",
            "admin@x.se",
            "--role",
            "contributor",
            "elev1@skola.se",
            "--filter",
            "elev1",
            "--yes",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o).lines().next(), Some("elev1@skola.se: role set to contributor"), "{}", out(&o));
    assert!(!out(&o).contains("for 1 user"), "one account's result is said once: {}", out(&o));
}

#[tokio::test]
async fn output_says_what_it_is_every_dry_run_first_and_an_empty_audit_on_stderr() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let create = dir.path().join("new.csv");
    std::fs::write(&create, "email,role\nny@x.se,user\n").expect("write");
    let update = dir.path().join("names.csv");
    std::fs::write(&update, "email,first_name\nanna@x.se,Anna\n").expect("write");
    let (create, update) = (create.to_string_lossy().into_owned(), update.to_string_lossy().into_owned());
    for args in [
        vec!["deactivate", "--actor-email", "admin@x.se", "anna@x.se", "--dry-run"],
        vec!["import", "--actor-email", "admin@x.se", &create, "--dry-run"],
        vec!["import", "--update", "--actor-email", "admin@x.se", &update, "--dry-run"],
        vec!["edit", "--actor-email", "admin@x.se", "anna@x.se", "--first-name", "A", "--dry-run"],
    ] {
        let o = with_password(&db, &args);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        assert!(out(&o).starts_with("dry run: nothing was changed\n"), "{args:?}: {}", out(&o));
        let mut json = args.clone();
        json.extend(["--format", "json"]);
        let o = with_password(&db, &json);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(v["dry_run"], true, "{args:?}: {v}");
    }
    let o = with_password(&db, &["audit", "--filter", "action:delete_user"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(err(&o).trim(), "no entries");
    let o = with_password(&db, &["audit", "--filter", "action:delete_user", "--format", "json"]);
    assert_eq!(out(&o).trim(), "[]", "stdout stays JSON");
}

#[tokio::test]
async fn what_swedish_excel_writes_is_read_and_windows_1252_is_named() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let semi = dir.path().join("klass.csv");
    std::fs::write(&semi, "\u{feff}email;role;last_name\r\nny@x.se;user;Ström, Ny\r\n").expect("write");
    let o =
        with_password(&db, &["import", "--actor-email", "admin@x.se", &semi.to_string_lossy(), "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("read with ';' between the columns"), "{}", err(&o));
    assert!(out(&o).contains("line 2: ny@x.se: create (user)"), "{}", out(&o));
    let latin = dir.path().join("latin.csv");
    std::fs::write(&latin, b"email;role;last_name\r\nny@x.se;user;Str\xf6m\r\n").expect("write");
    let o =
        with_password(&db, &["import", "--actor-email", "admin@x.se", &latin.to_string_lossy(), "--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("Windows-1252") && err(&o).lines().count() == 1, "{}", err(&o));
}

/// Issue 25 point 7: export (`list --format csv`) carries the names, a spreadsheet edits
/// them and saves the file as Swedish Excel does (`;`, a byte order mark, CRLF, booleans
/// as SANT/FALSKT, dates in its own format), and `import --update` reads that file back:
/// the edited names change, the rest stays, the export's formula marks are taken off, and
/// an edited role is refused with nothing changed.
#[tokio::test]
async fn export_edit_in_a_spreadsheet_and_import_update_round_trip() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    let dash = insert_user(&pool, "-dash@x.se", Role::User).await;
    insert_user(&pool, "bo@x.se", Role::User).await;
    for (id, first, last, display) in
        [(anna, Some("Anna"), Some("Ström"), None), (dash, None, None, Some("=Dash"))]
    {
        sqlx::query(
            "INSERT INTO user_profiles (user_id, first_name, last_name, display_name, created_at, updated_at)
             VALUES ($1, $2, $3, $4, now(), now())",
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .bind(display)
        .execute(&pool)
        .await
        .expect("profile");
    }
    let o = run(&db, &["list", "--format", "csv"], &[]);
    assert!(o.status.success(), "{}", err(&o));
    let mut exported = csv::Reader::from_reader(o.stdout.as_slice());
    let header: Vec<String> = exported.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(header, skriptoteket_admin::export::COLUMNS);
    let mut rows: Vec<Vec<String>> =
        exported.records().map(|r| r.expect("record").iter().map(str::to_string).collect()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect("a column");
    let at = |rows: &[Vec<String>], email: &str| rows.iter().position(|r| r[1] == email).expect("a row");
    let (a, d) = (at(&rows, "anna@x.se"), at(&rows, "'-dash@x.se"));
    assert_eq!((&*rows[a][col("first_name")], &*rows[a][col("last_name")]), ("Anna", "Ström"));
    assert_eq!(rows[a][col("locale")], "sv-SE");
    assert_eq!(rows[d][col("display_name")], "'=Dash", "made inert for the spreadsheet");

    // The spreadsheet: a last name and a first name edited, and saved its own way.
    rows[a][col("last_name")] = "Ström-Berg".into();
    let b = at(&rows, "bo@x.se");
    rows[b][col("first_name")] = "Bo".into();
    let excel = |rows: &[Vec<String>]| -> Vec<u8> {
        let mut w =
            csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(vec![]);
        w.write_record(&header).expect("header");
        for r in rows {
            let cells = r.iter().enumerate().map(|(i, c)| match (header[i].as_str(), c.as_str()) {
                (_, "true") => "SANT".to_string(),
                (_, "false") => "FALSKT".to_string(),
                ("created_at" | "updated_at", c) => c.get(..10).unwrap_or(c).to_string(),
                (_, c) => c.to_string(),
            });
            w.write_record(cells).expect("row");
        }
        [b"\xef\xbb\xbf".as_slice(), &w.into_inner().expect("csv")].concat()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("users.csv");
    std::fs::write(&file, excel(&rows)).expect("write");
    let update = |file: &Path| {
        with_password(&db, &["import", "--update", "--actor-email", "admin@x.se", &file.to_string_lossy()])
    };
    let o = update(&file);
    assert!(o.status.success(), "{}\n{}", out(&o), err(&o));
    assert!(err(&o).contains("read with ';' between the columns"), "{}", err(&o));
    assert!(err(&o).contains("read past auth_provider, email_verified, status"), "{}", err(&o));
    assert!(out(&o).contains("2 accounts updated, 2 unchanged"), "{}", out(&o));
    let names = |email: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (Option<String>, Option<String>, Option<String>)>(
                "SELECT p.first_name, p.last_name, p.display_name FROM users u
                 LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.email = $1",
            )
            .bind(email)
            .fetch_one(&pool)
            .await
            .expect("names")
        }
    };
    assert_eq!(names("anna@x.se").await, (Some("Anna".into()), Some("Ström-Berg".into()), None));
    assert_eq!(names("bo@x.se").await, (Some("Bo".into()), None, None));
    assert_eq!(names("-dash@x.se").await, (None, None, Some("=Dash".into())), "the mark came off, unchanged");

    // A role edited in the spreadsheet is refused, not dropped: nothing changes.
    let before = snapshot(&pool).await;
    rows[a][col("role")] = "admin".into();
    rows[a][col("first_name")] = "Annie".into();
    std::fs::write(&file, excel(&rows)).expect("write");
    let o = update(&file);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("the file says role admin, the account is user now"), "{}", err(&o));
    assert!(err(&o).contains("(set-role does)"), "{}", err(&o));
    assert_eq!(snapshot(&pool).await, before, "nothing was changed");
    assert_eq!(role_of(&pool, anna).await, "user");
}

/// Issue 24 points 1 and 2 from the shell: an age compared with `<` is refused saying
/// what to write, `--help` shows the language's table, and a change by filter that takes
/// admins along says so.
#[tokio::test]
async fn filters_cannot_be_misread_and_admins_in_a_sweep_are_named() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    let o = run(&db, &["list", "--filter", "created:<1y"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("created:older:1y") && err(&o).lines().count() == 1, "{}", err(&o));
    let o = run(&db, &["list", "--filter", "created:within:1d"], &[]);
    assert!(o.status.success() && out(&o).contains("3 users"), "{}{}", out(&o), err(&o));
    let o = run(&db, &["list", "--help"], &[]);
    for line in skriptoteket_admin::domain::filter::HELP.lines() {
        assert!(out(&o).contains(line), "--help shows {line:?}:\n{}", out(&o));
    }
    let o = with_password(
        &db,
        &["deactivate", "--actor-email", "boss@x.se", "--filter=-role:superuser", "--dry-run"],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains(
            "the 2 accounts include 1 admin: add -role:admin,superuser to --filter to leave them out"
        ),
        "{}",
        err(&o)
    );
}

/// Every command line the console's `c` shows (built by `Change::command_line`, the one
/// place that builds it) runs as printed: in a POSIX shell, with a reason full of shell
/// metacharacters and an actor whose email has a quote, and does what the console did.
#[tokio::test]
async fn every_command_the_console_shows_runs_as_printed() {
    use skriptoteket_admin::domain::Change;
    use skriptoteket_admin::domain::edit::Edit;
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    let actor = "o'boss@x.se";
    insert_user(&pool, actor, Role::Superuser).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    insert_user(&pool, "bo@x.se", Role::User).await;
    let both = ["anna@x.se".to_string(), "bo@x.se".to_string()];
    let reason = Some("it's \"autumn\" $HOME `id` ; rm -rf /");
    let edit = Edit { first_name: Some("Anna Lisa".into()), ..Edit::default() };
    let cases: Vec<(Change, &[String])> = vec![
        (Change::SetRole(Role::Contributor), &both),
        (Change::SetActive(false), &both),
        (Change::SetActive(true), &both),
        (Change::Unlock, &both),
        (Change::VerifyEmail, &both),
        (Change::RevokeSessions, &both),
        (Change::Edit(Box::new(edit)), &both[..1]),
        (Change::ResetPassword { revoke_sessions: true }, &both[1..]),
        (Change::Create { email: common::email("ny@x.se"), role: Role::User }, &[]),
    ];
    for (change, emails) in cases {
        let line = change.command_line(emails, Some(actor), reason);
        let o = run_printed(&db, &line);
        assert!(o.status.success(), "{line}\n{}{}", out(&o), err(&o));
    }
    assert_eq!(role_of(&pool, anna).await, "contributor");
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM user_profiles WHERE first_name = 'Anna Lisa'").await,
        1
    );
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE email = 'ny@x.se'").await, 1);
    let reasons = "SELECT count(DISTINCT change_id) FROM skriptoteket_admin.admin_audit_log
                    WHERE reason = 'it''s \"autumn\" $HOME `id` ; rm -rf /'";
    // Unlock, verify-email and revoke-sessions found nothing to do (no lock, verified, no
    // session) and wrote nothing; the six others kept the reason as typed.
    assert_eq!(scalar_i64(&pool, reasons).await, 6, "each change that wrote kept the reason as typed");
    // The revert of the role change, and a delete, as the console prints them.
    let first: uuid::Uuid = sqlx::query_scalar(
        "SELECT change_id FROM skriptoteket_admin.admin_audit_log WHERE action = 'set_role' LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("the role change");
    for change in [Change::Revert(first), Change::Delete] {
        let emails: &[String] = if matches!(change, Change::Delete) { &both[1..] } else { &[] };
        let line = change.command_line(emails, Some(actor), reason);
        let o = run_printed(&db, &line);
        assert!(o.status.success(), "{line}\n{}{}", out(&o), err(&o));
    }
    assert_eq!(role_of(&pool, anna).await, "user", "reverted");
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE email = 'bo@x.se'").await, 0, "deleted");
}

/// A filter the deployment saves (`SKRIPTOTEKET_ADMIN_FILTER_<NAME>`) is `saved:name` in
/// every `--filter`; an unknown name and saved words the language refuses are one-line
/// errors, and nothing changes.
#[tokio::test]
async fn saved_filters_are_used_by_name_and_checked() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    insert_user(&pool, "anna@x.se", Role::User).await;
    insert_user(&pool, "bo@y.se", Role::User).await;
    let saved = [("SKRIPTOTEKET_ADMIN_FILTER_XSE", "@x.se -role:superuser")];
    let o = run(&db, &["list", "--filter", "saved:xse"], &saved);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("anna@x.se") && !out(&o).contains("bo@y.se") && !out(&o).contains("boss@x.se"),
        "{}",
        out(&o)
    );
    let o = run(&db, &["list", "--filter", "saved:old"], &saved);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("no such saved filter; saved are xse") && err(&o).lines().count() == 1,
        "{}",
        err(&o)
    );
    let o =
        with_password(&db, &["deactivate", "--actor-email", "boss@x.se", "--filter", "saved:xse", "--yes"]);
    assert_eq!(o.status.code(), Some(2), "no saved filters without the setting: {}", err(&o));
    let bad = [("SKRIPTOTEKET_ADMIN_FILTER_OLD", "created:<1y")];
    let o = run(&db, &["list", "--filter", "saved:old"], &bad);
    assert!(!o.status.success() && err(&o).contains("SKRIPTOTEKET_ADMIN_FILTER_OLD"), "{}", err(&o));
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE NOT is_active").await, 0);
}
