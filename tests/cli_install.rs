//! What an installed binary says about itself, without any database: its version and the
//! commit it was built from, its shell completions and its man pages (what the Debian
//! package ships, generated from the same clap definitions as `--help`).

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

#[rstest::rstest]
#[case::bash("bash", "complete -F _skriptoteket__admin")]
#[case::zsh("zsh", "#compdef skriptoteket-admin")]
#[case::fish("fish", "complete -c skriptoteket-admin")]
fn completions_cover_every_subcommand(#[case] shell: &str, #[case] marker: &str) {
    let script = stdout(&run(&["completions", shell]));
    assert!(script.contains(marker), "{shell}:\n{script}");
    for sub in ["migrate", "provision-user", "set-role", "reset-password", "verify-email", "demo", "man"] {
        assert!(script.contains(sub), "{shell} completes {sub}");
    }
    assert!(script.contains("actor-email"), "{shell} completes options too");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_man_page_describes_the_tool_and_lists_its_subcommands() {
    let page = stdout(&run(&["man"]));
    assert!(page.starts_with(".ie") || page.contains("\n.TH "), "roff:\n{page}");
    assert!(page.contains(".TH skriptoteket-admin 1"), "{page}");
    assert!(page.contains(&format!("skriptoteket-admin {}", env!("CARGO_PKG_VERSION"))));
    assert!(page.contains("DATABASE_URL"));
    assert!(page.contains("provision\\-user"), "subcommands listed:\n{page}");
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    stdout(&run(&["man", "--dir", target.to_str().unwrap()]));
    let mut pages: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert!(pages.contains(&"skriptoteket-admin.1".to_string()), "{pages:?}");
    assert!(pages.contains(&"skriptoteket-admin-reset-password.1".to_string()), "{pages:?}");
    let reset = std::fs::read_to_string(target.join("skriptoteket-admin-reset-password.1")).unwrap();
    assert!(reset.contains("keep\\-sessions"), "options of the subcommand:\n{reset}");
}

/// Issue 23 point 3, for every file the tool writes: a page is replaced only when it is the
/// caller's own regular file; never written through a symbolic link (a root building the
/// package in a folder others can write would overwrite what the link names).
#[test]
fn man_dir_replaces_its_own_pages_and_never_writes_through_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    let page = target.join("skriptoteket-admin-list.1");
    stdout(&run(&["man", "--dir", target.to_str().unwrap()]));
    std::fs::write(&page, "stale\n").unwrap();
    stdout(&run(&["man", "--dir", target.to_str().unwrap()]));
    assert!(std::fs::read_to_string(&page).unwrap().contains(".TH"), "its own page is replaced");
    assert_eq!(std::fs::metadata(&page).unwrap().permissions().mode() & 0o777, 0o644);
    let precious = dir.path().join("precious");
    std::fs::write(&precious, "precious\n").unwrap();
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink(&precious, &page).unwrap();
    let out = run(&["man", "--dir", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbolic link") && err.lines().count() == 1, "{err}");
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "precious\n");
}

#[test]
fn man_dir_that_cannot_be_written_is_one_line() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = run(&["man", "--dir", file.path().join("sub").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: cannot write man pages to ") && err.lines().count() == 1, "{err}");
}

/// The package takes its assets from where `packaging/build-deb.sh` writes them.
#[test]
fn the_package_ships_what_the_build_script_writes() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let script =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/build-deb.sh")).unwrap();
    for (asset, written_by) in [
        ("target/release/assets/man/*.1.gz", "gzip -9n \"$assets\"/man/*.1"),
        (
            "target/release/assets/completions/skriptoteket-admin\"",
            "completions bash >\"$assets/completions/skriptoteket-admin\"",
        ),
        (
            "target/release/assets/completions/_skriptoteket-admin",
            "completions zsh >\"$assets/completions/_skriptoteket-admin\"",
        ),
        (
            "target/release/assets/completions/skriptoteket-admin.fish",
            "completions fish >\"$assets/completions/skriptoteket-admin.fish\"",
        ),
    ] {
        assert!(manifest.contains(asset), "Cargo.toml ships {asset}");
        assert!(script.contains(written_by), "build-deb.sh writes it: {written_by}");
    }
}

/// The systemd service and timer the package ships for the dormant sweep: `systemd-analyze
/// verify` accepts them (with the credential line uncommented, as an admin enables it, and
/// the binary and folder pointed at ones that exist here), the service runs the sweep with
/// the actor from the environment and never restarts, and the timer is installed, not
/// enabled: the package's assets put it where systemd finds it, no maintainer script
/// enables it.
#[test]
fn the_dormant_sweeps_systemd_units_verify_and_run_the_sweep() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let units = root.join("packaging/systemd");
    let service = std::fs::read_to_string(units.join("skriptoteket-admin-dormant.service")).expect("service");
    let timer = std::fs::read_to_string(units.join("skriptoteket-admin-dormant.timer")).expect("timer");
    assert!(service.contains("\nExecStart=/usr/bin/skriptoteket-admin deactivate-dormant "), "{service}");
    assert!(service.contains("\nEnvironment=SKRIPTOTEKET_ACTOR_EMAIL="), "{service}");
    assert!(service.contains("\n#LoadCredential=skriptoteket-actor-password:"), "{service}");
    assert!(service.contains("\nRestart=no"), "{service}");
    assert!(!service.contains("SKRIPTOTEKET_ACTOR_PASSWORD"), "no password in the unit");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    for unit in ["skriptoteket-admin-dormant.service", "skriptoteket-admin-dormant.timer"] {
        assert!(
            manifest
                .contains(&format!("[\"packaging/systemd/{unit}\", \"usr/lib/systemd/system/\", \"644\"]")),
            "{unit} is in the package"
        );
    }
    assert!(!manifest.contains("systemd-units"), "cargo-deb's systemd-units would enable the timer");

    let dir = tempfile::tempdir().expect("tempdir");
    let here = service
        .replace("/usr/bin/skriptoteket-admin", env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .replace("WorkingDirectory=/srv/skriptoteket", &format!("WorkingDirectory={}", dir.path().display()))
        .replace("#LoadCredential=", "LoadCredential=");
    std::fs::write(dir.path().join("skriptoteket-admin-dormant.service"), here).expect("write");
    std::fs::write(dir.path().join("skriptoteket-admin-dormant.timer"), &timer).expect("write");
    let verify = |files: &[&str]| {
        Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .args(files.iter().map(|f| dir.path().join(f)))
            .output()
            .expect("systemd-analyze (Debian's systemd package; .ci/run installs it)")
    };
    let o = verify(&["skriptoteket-admin-dormant.service", "skriptoteket-admin-dormant.timer"]);
    let said = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success() && said.trim().is_empty(), "{said}");
    // The check can fail: a broken calendar is refused.
    std::fs::write(dir.path().join("skriptoteket-admin-dormant.timer"), timer.replace("Mon *-*", "Mox *-*"))
        .expect("write");
    let o = verify(&["skriptoteket-admin-dormant.service", "skriptoteket-admin-dormant.timer"]);
    assert!(!o.status.success(), "a broken timer verifies");
}
