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
