//! Hashes cross-checked with the web app's own hasher, argon2-cffi's `PasswordHasher()`:
//! it must accept the console's hashes without wanting to re-hash them, and the console
//! must accept the web app's. Needs `python3` with argon2-cffi (`pip install argon2-cffi`;
//! CI installs it). `SKA_SKIP_PY=1` skips these checks where Python is unavailable.

mod common;

use common::*;
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store;
use std::io::Write;
use std::process::{Command, Stdio};

/// Verifies `hash` against `password` with argon2-cffi and returns `check_needs_rehash`.
const PY_VERIFY: &str = r#"
import sys, argon2
password, phc = sys.stdin.read().split("\n")[:2]
ph = argon2.PasswordHasher()
try:
    ph.verify(phc, password)
except argon2.exceptions.VerifyMismatchError:
    print("mismatch")
    sys.exit(0)
print("ok needs_rehash=%s" % ph.check_needs_rehash(phc))
"#;

/// Hashes the password on stdin with argon2-cffi's defaults.
const PY_HASH: &str = r#"
import sys, argon2
print(argon2.PasswordHasher().hash(sys.stdin.read()))
"#;

/// False (after saying so) when `SKA_SKIP_PY=1`; panics when argon2-cffi is missing.
fn python_available() -> bool {
    if std::env::var("SKA_SKIP_PY").is_ok_and(|v| v == "1") {
        eprintln!("SKA_SKIP_PY=1: skipping the argon2-cffi cross-check");
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import argon2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "python3 with argon2-cffi is needed for the web-app hash cross-check: \
         run `pip install argon2-cffi` (or set SKA_SKIP_PY=1 to skip)"
    );
    true
}

fn python(script: &str, stdin: &str) -> String {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_web_app_accepts_console_hashes_without_rehashing() {
    if !python_available() {
        return;
    }
    for password in [PASSWORD, "åäö ÅÄÖ lösenord", "with\ttab and 'quotes' \"too\""] {
        let phc = hasher::hash(&secret(password)).unwrap();
        assert_eq!(python(PY_VERIFY, &format!("{password}\n{phc}")), "ok needs_rehash=False", "{password:?}");
        assert_eq!(python(PY_VERIFY, &format!("not {password}\n{phc}")), "mismatch");
    }
}

#[test]
fn the_console_accepts_web_app_hashes() {
    if !python_available() {
        return;
    }
    for password in [PASSWORD, "åäö ÅÄÖ lösenord"] {
        let phc = python(PY_HASH, password);
        assert!(phc.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"), "{phc}");
        assert!(hasher::verify(&secret(password), &phc), "{phc}");
        assert!(!hasher::verify(&secret("something else"), &phc));
    }
}

/// End to end through the database: an admin the web app created signs in to the console,
/// and an account the console provisions signs in to the web app.
#[tokio::test]
async fn hashes_round_trip_through_the_database() {
    if !python_available() {
        return;
    }
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let web_hash = python(PY_HASH, PASSWORD);
    let mut admin = NewUser::local("webadmin@example.se", Role::Admin);
    admin.password_hash = Some(&web_hash);
    let id = insert_user_with(pool, &admin).await;
    let actor = store::login::authenticate(
        &store,
        "webadmin@example.se",
        &secret(PASSWORD),
        &skriptoteket_admin::store::login::Origin::current("tests"),
    )
    .await
    .expect("a web-app hash signs in to the console");
    assert_eq!(actor.id, id);

    let new_hash = hasher::hash(&secret("teacher password 1")).unwrap();
    let row = store::create::provision(&store, &actor, &email("teacher@example.se"), Role::User, &new_hash)
        .await
        .unwrap();
    let stored = password_hash_of(pool, row.id).await.unwrap();
    assert_eq!(python(PY_VERIFY, &format!("teacher password 1\n{stored}")), "ok needs_rehash=False");
}
