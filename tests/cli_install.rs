//! What an installed binary says about itself, without any database: its version and the
//! commit it was built from.

use std::process::{Command, Output, Stdio};

/// Runs the binary with a database URL that nothing answers, so any attempt to connect
/// would show as a failure.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .args(args)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env_remove("RUST_LOG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run the binary")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// The commit of this checkout, when it is one (a crate tarball is not).
fn git_head() -> Option<String> {
    let out = Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn version_names_the_release_and_the_commit() {
    let commit = git_head().unwrap_or_else(|| "unknown".to_string());
    let expected = format!("skriptoteket-admin {} (commit {commit})\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout(&run(&["--version"])), expected);
    assert_eq!(stdout(&run(&["-V"])), expected);
}
