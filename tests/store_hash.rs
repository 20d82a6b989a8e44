//! Hashes cross-checked with the web app's own hasher, argon2-cffi's `PasswordHasher()`:
//! it must accept the console's hashes without wanting to re-hash them, and the console
//! must accept the web app's. argon2-cffi runs in a venv the tests make in cargo's target
//! dir (`py/mod.rs`), so only `python3` and a way to the package index (PyPI, or
//! `PIP_INDEX_URL`) are needed; `SKA_SKIP_PY=1` skips these checks where either is missing.

mod common;
mod py;

use common::*;
use skriptoteket_admin::auth::hasher;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store;

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

/// True (after saying so) when `SKA_SKIP_PY=1` skips the cross-check.
fn skip_py() -> bool {
    let skip = std::env::var("SKA_SKIP_PY").is_ok_and(|v| v == "1");
    if skip {
        eprintln!("SKA_SKIP_PY=1: skipping the argon2-cffi cross-check");
    }
    skip
}

/// False when `SKA_SKIP_PY=1`; otherwise makes sure the venv exists (panicking with one line
/// that says what to install, or which index it cannot reach, when it cannot be made).
fn python_available() -> bool {
    if skip_py() {
        return false;
    }
    py::python();
    true
}

fn python(script: &str, stdin: &str) -> String {
    py::run_script(script, stdin)
}

#[test]
fn a_missing_python_is_named_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let err = py::ensure("/nonexistent/python3", &dir.path().join("venv"), py::DEFAULT_INDEX).unwrap_err();
    assert!(!err.contains('\n'), "{err}");
    assert!(err.contains("needs Python 3") && err.contains("apt-get install python3"), "{err}");
    assert!(!dir.path().join("venv").exists(), "nothing made without a Python");
}

/// Offline (here: an index on a closed loopback port), the venv cannot be made: that is said
/// in one line naming the index and the way to skip the cross-check, and nothing is left
/// behind. (It takes a few seconds where pip's retries took 12-25 s; the time is printed,
/// not asserted: a loaded machine makes the venv itself slow.)
#[test]
fn an_unreachable_package_index_is_named_in_one_line_quickly() {
    if skip_py() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let index = "http://127.0.0.1:9/simple";
    let started = std::time::Instant::now();
    let err = py::ensure(base_python(), &dir.path().join("venv"), index).unwrap_err();
    let took = started.elapsed();
    eprintln!("after {took:?}: {err}");
    assert!(!err.contains('\n'), "{err}");
    assert!(err.contains("cannot reach the Python package index at http://127.0.0.1:9/simple"), "{err}");
    assert!(err.contains("SKA_SKIP_PY=1"), "{err}");
    assert!(!dir.path().join("venv").exists(), "the unfinished venv is removed");
}

/// The interpreter the venv is made from (`SKA_TEST_PYTHON`, else `python3`).
fn base_python() -> &'static str {
    static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        std::env::var("SKA_TEST_PYTHON").ok().filter(|s| !s.trim().is_empty()).unwrap_or("python3".into())
    })
}

#[test]
fn the_venv_has_the_pinned_argon2_cffi_and_not_the_system_one() {
    if !python_available() {
        return;
    }
    let python = py::python();
    assert!(python.starts_with(env!("CARGO_TARGET_TMPDIR")), "{}", python.display());
    let out = python_version_and_path();
    assert_eq!(out.0, py::ARGON2_CFFI);
    assert!(out.1.starts_with(&py::venv_dir().to_string_lossy().to_string()), "argon2 from {}", out.1);
}

/// argon2-cffi's version and where its module was loaded from, as the venv sees them.
fn python_version_and_path() -> (String, String) {
    let out = python(
        "import argon2, importlib.metadata as m; print(m.version('argon2-cffi')); print(argon2.__file__)",
        "",
    );
    let mut lines = out.lines();
    (lines.next().unwrap_or_default().to_string(), lines.next().unwrap_or_default().to_string())
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
    let row = store::create::provision(
        &store,
        &actor,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("teacher@example.se"),
        Role::User,
        &new_hash,
    )
    .await
    .unwrap();
    let stored = password_hash_of(pool, row.id).await.unwrap();
    assert_eq!(python(PY_VERIFY, &format!("teacher password 1\n{stored}")), "ok needs_rehash=False");
}
