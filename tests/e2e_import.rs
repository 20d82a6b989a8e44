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
