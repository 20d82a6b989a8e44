//! The web app's own hasher, argon2-cffi, in a Python virtual environment the tests make for
//! themselves in cargo's target dir (`<target dir>/tmp/py-argon2-cffi-<version>`; the target
//! dir is `target/` unless `CARGO_TARGET_DIR` moves it). It is created once,
//! by whichever test process needs it first, under a lock file, so test processes that
//! start at the same time wait for one creation instead of racing; later runs reuse it.
//! The machine's Python only serves to create it: nothing is installed into it or read
//! from its site-packages, and every call runs the venv's interpreter isolated (`-I`).
//!
//! The base interpreter is `python3` unless `SKA_TEST_PYTHON` names another. The package
//! index is `PIP_INDEX_URL` when set (as pip reads it), else PyPI's. pip gives up on the
//! first failed request (no retries, 5 s timeout); when it fails, the index is asked once,
//! and an index that does not answer is said in one line naming it and the way to skip
//! the cross-check (`SKA_SKIP_PY=1`), instead of pip's last line after its retries. pip's
//! own ways to a package without the index (`PIP_FIND_LINKS`, a wheelhouse) still work.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The argon2-cffi release the cross-check runs against (bump it here; a new venv follows).
pub const ARGON2_CFFI: &str = "25.1.0";

/// pip for a Python without `ensurepip` (Debian and Ubuntu leave it out of `python3`
/// unless `python3-venv` is installed): a pinned wheel from PyPI, checked by its digest.
const PIP_WHEEL_URL: &str = "https://files.pythonhosted.org/packages/44/3c/d717024885424591d5376220b5e836c2d5293ce2011523c9de23ff7bf068/pip-25.3-py3-none-any.whl";
const PIP_WHEEL_SHA256: &str = "9655943313a94722b7774661c21049070f6bbb0a1516bf02f7c8d5d9201514cd";

/// Downloads `argv[1]` to `argv[3]` when its sha256 is `argv[2]` (`argv[4]`: the timeout of
/// each read, in seconds).
const PY_FETCH: &str = r#"
import hashlib, sys, urllib.request
url, digest, dest, timeout = sys.argv[1:5]
data = urllib.request.urlopen(url, timeout=float(timeout)).read()
if hashlib.sha256(data).hexdigest() != digest:
    sys.exit("the pip wheel from %s does not have the expected sha256" % url)
open(dest, "wb").write(data)
"#;

/// The package index argon2-cffi comes from when `PIP_INDEX_URL` names none.
pub const DEFAULT_INDEX: &str = "https://pypi.org/simple";

/// How long the index (and pip's every request) may take to answer before it counts as
/// unreachable.
const INDEX_TIMEOUT_SECS: u32 = 5;

/// Asks the index (`argv[1]`) for argon2-cffi's page. Exit 0 when it answers at all (an
/// HTTP error is an answer: pip then says what is wrong); otherwise exit 3 with the reason
/// on stderr. urllib honours the same proxy variables as pip.
const PY_PROBE: &str = r#"
import sys, urllib.error, urllib.request
url, timeout = sys.argv[1].rstrip("/") + "/argon2-cffi/", float(sys.argv[2])
try:
    urllib.request.urlopen(url, timeout=timeout).close()
except urllib.error.HTTPError:
    pass
except Exception as e:
    reason = getattr(e, "reason", None) or e
    sys.stderr.write(" ".join(str(reason).split()) + "\n")
    sys.exit(3)
"#;

/// The index to install from: `PIP_INDEX_URL` when set, else [`DEFAULT_INDEX`].
pub fn index_url() -> String {
    std::env::var("PIP_INDEX_URL").ok().filter(|s| !s.trim().is_empty()).unwrap_or(DEFAULT_INDEX.to_string())
}

/// The venv this checkout's tests use.
pub fn venv_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("py-argon2-cffi-{ARGON2_CFFI}"))
}

/// The venv's interpreter, made on first use. Panics with one line when it cannot be made
/// (no Python, no way to the package index).
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let base = std::env::var("SKA_TEST_PYTHON").ok().filter(|s| !s.trim().is_empty());
    match PYTHON.get_or_init(|| ensure(base.as_deref().unwrap_or("python3"), &venv_dir(), &index_url())) {
        Ok(python) => python,
        Err(e) => panic!("{e}"),
    }
}

/// Makes (or finds) a venv with argon2-cffi [`ARGON2_CFFI`] from the package index `index`
/// in `dir` using the interpreter `base`; returns the venv's interpreter, or one line saying
/// what is missing.
pub fn ensure(base: &str, dir: &Path, index: &str) -> Result<PathBuf, String> {
    let python = dir.join("bin").join("python");
    if ready(&python) {
        return Ok(python);
    }
    check_base(base)?;
    let parent = dir.parent().ok_or_else(|| format!("{} has no parent folder", dir.display()))?;
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let lock_path = parent.join(format!("{}.lock", dir.file_name().unwrap_or_default().to_string_lossy()));
    let lock = File::create(&lock_path).map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    // Held until `lock` is dropped, or this process ends: a creation that dies half-way
    // leaves no stale lock, only a venv that is not ready and is made again.
    lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    if ready(&python) {
        return Ok(python); // another test process made it while this one waited
    }
    if dir.exists() {
        fs::remove_dir_all(dir)
            .map_err(|e| format!("cannot remove the unfinished {}: {e}", dir.display()))?;
    }
    if let Err(e) = create(base, dir, &python, index) {
        let _ = fs::remove_dir_all(dir); // made again next time in any case
        return Err(e);
    }
    if !ready(&python) {
        return Err(format!(
            "the venv {} was made but does not import argon2-cffi {ARGON2_CFFI}",
            dir.display()
        ));
    }
    Ok(python)
}

/// True when `python` runs and has exactly the pinned argon2-cffi.
fn ready(python: &Path) -> bool {
    let check = format!(
        "import importlib.metadata as m, sys, argon2; sys.exit(m.version('argon2-cffi') != '{ARGON2_CFFI}')"
    );
    python.is_file()
        && Command::new(python)
            .args(["-I", "-c", &check])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// A missing Python is the one thing to fix by hand: say what to install.
fn check_base(base: &str) -> Result<(), String> {
    let out = Command::new(base)
        .args(["-c", "import sys; sys.exit(sys.version_info < (3, 9))"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "the argon2-cffi hash cross-check needs Python 3 ({base}: {e}): install it \
                 (Debian/Ubuntu: apt-get install python3; or point SKA_TEST_PYTHON at one)"
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "the argon2-cffi hash cross-check needs Python 3.9 or newer; {base} is older or broken: \
             install python3 (or point SKA_TEST_PYTHON at one)"
        ));
    }
    Ok(())
}

/// An index that does not answer is the other thing to fix by hand (or to skip): say so in
/// one line, after at most [`INDEX_TIMEOUT_SECS`] seconds.
fn check_index(base: &str, index: &str) -> Result<(), String> {
    let out = Command::new(base)
        .args(["-I", "-c", PY_PROBE, index, &INDEX_TIMEOUT_SECS.to_string()])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {base}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let reason = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no answer").trim();
    Err(format!(
        "the argon2-cffi hash cross-check cannot reach the Python package index at {index} ({reason}): \
         connect this machine to it (or set PIP_INDEX_URL to a mirror), or skip the cross-check with SKA_SKIP_PY=1"
    ))
}

fn create(base: &str, dir: &Path, python: &Path, index: &str) -> Result<(), String> {
    let dir_s = dir.to_string_lossy();
    let package = format!("argon2-cffi=={ARGON2_CFFI}");
    let timeout = INDEX_TIMEOUT_SECS.to_string();
    let pip_args = ["install", "--quiet", "--no-input", "--disable-pip-version-check", package.as_str()];
    let fail_fast = ["--index-url", index, "--retries", "0", "--timeout", timeout.as_str()];
    // pip's failure, unless the index does not answer at all: then that, in one line.
    let install_failed = |e: String| {
        check_index(base, index).err().unwrap_or(format!("cannot install {package} into {dir_s}: {e}"))
    };
    if run(Command::new(base).args(["-m", "venv", &dir_s])).is_ok() {
        let mut pip = Command::new(python);
        pip.args(["-I", "-m", "pip"]).args(pip_args).args(fail_fast);
        return run(&mut pip).map_err(install_failed);
    }
    // No ensurepip (Debian/Ubuntu without python3-venv): a venv without pip, and pip run
    // from its wheel.
    let _ = fs::remove_dir_all(dir);
    run(Command::new(base).args(["-m", "venv", "--without-pip", &dir_s])).map_err(|e| {
        format!("cannot create a Python venv in {dir_s}: {e} (Debian/Ubuntu: apt-get install python3-venv)")
    })?;
    let wheel = dir.join("pip-25.3-py3-none-any.whl");
    let wheel_s = wheel.to_string_lossy();
    let fetch = ["-I", "-c", PY_FETCH, PIP_WHEEL_URL, PIP_WHEEL_SHA256, wheel_s.as_ref(), timeout.as_str()];
    run(Command::new(python).args(fetch)).map_err(|e| {
        format!("cannot download pip from {PIP_WHEEL_URL} ({e}); or skip the cross-check with SKA_SKIP_PY=1")
    })?;
    let mut pip = Command::new(python);
    pip.arg("-I").arg(wheel.join("pip")).args(pip_args).args(fail_fast);
    run(&mut pip).map_err(install_failed)
}

/// Runs a command to the end; its last line of stderr on failure.
fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no output");
    Err(format!("{} ({})", last.trim(), out.status))
}

/// Runs `script` with the venv's interpreter, `stdin` on its stdin; its stdout, trimmed.
pub fn run_script(script: &str, stdin: &str) -> String {
    let mut child = Command::new(python())
        .args(["-I", "-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the venv's python");
    child.stdin.take().expect("python's stdin").write_all(stdin.as_bytes()).expect("write to python");
    let out = child.wait_with_output().expect("wait for python");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("python printed UTF-8").trim().to_string()
}
