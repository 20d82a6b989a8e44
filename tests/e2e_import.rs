//! Issue 23 point 10 in a terminal: `import` shows a progress bar with the rate and the
//! time left on stderr while it hashes (and none where stderr is no terminal:
//! tests/cli_output.rs).

mod common;
mod e2e_support;
mod pty;

use e2e_support::{BOSS, Setup};
use pty::Console;

#[test]
fn import_on_a_terminal_shows_its_progress_with_rate_and_time_left() {
    let s = Setup::live(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let rows: String = (0..8).map(|i| format!("elev{i}@skola.se,user\n")).collect();
    let file = dir.path().join("class.csv");
    std::fs::write(&file, format!("email,role\n{rows}")).expect("write");
    let secrets = dir.path().join("passwords.csv");
    let (file, secrets) = (file.to_string_lossy().into_owned(), secrets.to_string_lossy().into_owned());
    let mut c = Console::start(
        &["--database-url", s.db.url(), "import", "--actor-email", BOSS, &file, "--passwords-out", &secrets],
        100,
        30,
        &[("SKRIPTOTEKET_ACTOR_PASSWORD", common::PASSWORD)],
    );
    c.wait_for("8 accounts created", 120);
    assert_eq!(c.wait_exit(30), 0, "{}", c.screen());
    let screen = c.screen();
    let bar =
        screen.lines().find(|l| l.contains("hashing passwords 8/8")).unwrap_or_else(|| panic!("{screen}"));
    assert!(bar.contains("/s") && bar.contains("left"), "rate and time left: {bar}");
    assert_eq!(s.scalar("SELECT count(*) FROM users WHERE email LIKE 'elev%'"), 8);
}

/// Issue 25 point 8: long work says it is working on a terminal (a spinner with what it
/// does and the time taken, cleared when done), and nothing where stderr is no terminal
/// (every test through a pipe: tests/cli_*.rs compare stderr whole).
#[test]
fn a_long_read_or_change_spins_on_a_terminal_and_the_spinner_is_cleared() {
    let s = Setup::live(&[("anna@e2e.test", skriptoteket_admin::domain::Role::User)]);
    for (args, what, done) in [
        (vec!["list", "--format", "csv"], "reading the accounts", "anna@e2e.test"),
        (vec!["list"], "reading the accounts", "anna@e2e.test"),
        (
            vec!["deactivate-dormant", "--actor-email", BOSS, "--days", "1"],
            "deactivating accounts without a sign-in for 1 day",
            "no dormant accounts (no sign-in for 1 day)",
        ),
    ] {
        let mut full = vec!["--database-url", s.db.url()];
        full.extend(args.iter().copied());
        let mut c = Console::start(&full, 100, 30, &[("SKRIPTOTEKET_ACTOR_PASSWORD", common::PASSWORD)]);
        c.wait_for(done, 60);
        assert_eq!(c.wait_exit(30), 0, "{args:?}: {}", c.screen());
        let raw = String::from_utf8_lossy(&c.raw()).into_owned();
        assert!(raw.contains(what), "{args:?} drew no spinner: {raw:?}");
        assert!(!c.screen().contains(what), "{args:?}: the spinner is cleared: {}", c.screen());
    }
}

/// Issue 24 point 10: `I` in the console: the file named, its plan shown (what is created,
/// what exists), y, the reason, and the accounts created in one change, with their
/// generated passwords in a new 0600 file beside the import whose path the console shows,
/// and nowhere else (not on the screen). A second import of the same file is refused
/// before anything is read into the database: its passwords file exists.
#[test]
fn the_console_imports_a_file_after_showing_its_plan_and_the_passwords_go_to_a_new_0600_file() {
    use std::os::unix::fs::PermissionsExt;
    let s = Setup::live(&[("u1@team.test", skriptoteket_admin::domain::Role::User)]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("class.csv");
    std::fs::write(
        &file,
        "email,role,first_name\nnew1@skola.se,user,Anna\nu1@team.test,user,\nnew2@skola.se,contributor,Bo\n",
    )
    .expect("write");
    let mut c = s.start(100, 30, &[]);
    e2e_support::log_in(&mut c, "u1@team.test");
    c.send("I");
    c.wait_for("Import accounts", 10);
    c.type_text(&file.display().to_string());
    c.enter();
    c.wait_for("2 accounts to create: 1 user, 1 contributor", 20);
    c.wait_for("1 account exists already: skipped", 10);
    c.wait_for("line 2: new1@skola.se: create (user)", 10);
    assert_eq!(s.scalar("SELECT count(*) FROM users WHERE email LIKE 'new%'"), 0, "a plan changes nothing");
    std::thread::sleep(std::time::Duration::from_millis(300));
    c.send("y");
    c.wait_for("Reason: importing 2 accounts", 10);
    c.type_text("new class 7b");
    c.enter();
    c.wait_for("2 accounts created", 60);
    let screen = c.screen();
    let passwords = std::fs::read_dir(dir.path())
        .expect("the folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("class-passwords-")))
        .expect("a passwords file beside the import");
    assert!(screen.contains("class-passwords-"), "the path is shown: {screen}");
    let mode = std::fs::metadata(&passwords).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "readable by the admin only");
    let text = std::fs::read_to_string(&passwords).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and one line per created account: {lines:?}");
    assert_eq!(lines[0], "email,password");
    for line in &lines[1..] {
        let (email, password) = line.split_once(',').expect("email,password");
        assert!(!screen.contains(password), "a password never shows on the screen");
        let hash: String = s.rt.block_on(async {
            sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&s.pool)
                .await
                .expect("the account")
        });
        let secret = skriptoteket_admin::domain::Secret::from(password);
        assert!(
            skriptoteket_admin::auth::hasher::verify(&secret, &hash),
            "{email}: the file's password is its own"
        );
    }
    assert_eq!(
        s.scalar(
            "SELECT count(DISTINCT change_id) FROM skriptoteket_admin.admin_audit_log
              WHERE action = 'create_user' AND reason = 'new class 7b'"
        ),
        1,
        "one change"
    );
    assert_eq!(
        s.scalar("SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action = 'create_user'"),
        2
    );
    c.wait_for("imported 2 accounts", 10);
    c.wait_for("new1@skola.se", 20);
    c.enter();

    // The same file again: today's passwords file exists, so nothing is read or written.
    c.send("I");
    c.wait_for("Import accounts", 10);
    c.type_text(&file.display().to_string());
    c.enter();
    c.wait_for("a new file only", 20);
    assert_eq!(std::fs::read_to_string(&passwords).expect("read"), text, "the file is as it was");
    c.esc();
    c.send("q");
    assert_eq!(c.wait_exit(10), 0);
}
