//! The demo on a throwaway cluster of its own, ended every way an admin (or the system)
//! ends it: nothing is left running or on disk.

mod pty;

mod cluster_probe;

use cluster_probe::{answers, wait_gone};
use pty::Console;
use std::path::PathBuf;

/// The port and folder from the demo's line "throwaway PostgreSQL ... on 127.0.0.1:PORT
/// (in DIR) ...".
fn announced(raw: &str) -> (u16, PathBuf) {
    let line = raw.lines().find(|l| l.contains("throwaway PostgreSQL")).expect("the demo names its cluster");
    let after = line.split("127.0.0.1:").nth(1).expect("a port");
    let port =
        after.split(|c: char| !c.is_ascii_digit()).next().and_then(|p| p.parse().ok()).expect("a port");
    let dir = line.split("(in ").nth(1).and_then(|s| s.split(')').next()).expect("a folder");
    (port, PathBuf::from(dir))
}

#[rstest::rstest]
#[case::quit_key("q")]
#[case::ctrl_c_key("ctrl-c")]
#[case::sigterm("SIGTERM")]
#[case::sighup("SIGHUP")]
#[case::sigint("SIGINT")]
#[case::sigkill("SIGKILL")]
#[case::panic("panic")]
fn the_demo_on_a_throwaway_cluster_leaves_nothing_behind(#[case] end: &str) {
    let mut c =
        Console::start(&["demo", "--throwaway", "--users", "20"], 100, 30, &[("SKA_TEST_PANIC", "1")]);
    c.wait_for("Password", 90);
    let (port, dir) = announced(&String::from_utf8_lossy(&c.raw()));
    assert!(answers(port), "the demo's cluster answers on {port}");
    let signal = |sig| {
        // SAFETY: kill(2) on the pid of the console this test started.
        unsafe { libc::kill(c.pid(), sig) };
    };
    match end {
        "q" => {
            // A whole session: sign in with the demo's password, see the users, quit.
            c.type_text("demo-password-1");
            c.enter();
            c.wait_for("users loaded", 30);
            c.send("q");
        }
        "ctrl-c" => c.send("\x03"),
        "panic" => c.send("\x1b[24~"), // F12 panics in debug builds with SKA_TEST_PANIC set
        "SIGTERM" => signal(libc::SIGTERM),
        "SIGHUP" => signal(libc::SIGHUP),
        "SIGINT" => signal(libc::SIGINT), // not handled: the process just ends
        "SIGKILL" => signal(libc::SIGKILL),
        other => panic!("no such ending: {other}"),
    }
    let code = c.wait_exit(30);
    if matches!(end, "q" | "ctrl-c") {
        assert_eq!(code, 0, "{end} quits cleanly");
    }
    wait_gone(port, &dir, 15);
    if !matches!(end, "SIGINT" | "SIGKILL") {
        let out = String::from_utf8_lossy(&c.raw()).into_owned();
        assert!(out.contains("throwaway PostgreSQL stopped and removed"), "the demo says so:\n{out}");
    }
}
