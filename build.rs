//! Records the git commit the binary is built from (`SKA_GIT_COMMIT`, shown by `--version`):
//! `unknown` outside a git checkout of this crate, e.g. when built from a crate tarball.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = commit(&dir).unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=SKA_GIT_COMMIT={commit}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The short commit of HEAD when `dir` is the top of a git work tree (not a crate unpacked
/// inside some other repository); also tells cargo which git files to watch.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    // HEAD moves on checkout; the branch's ref on commit (a loose file in refs/heads/, or
    // packed-refs). `--git-path` finds them also in a linked work tree.
    let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(branch);
    }
    for name in watch {
        let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) else { continue };
        let path = dir.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        } else if name.starts_with("refs/")
            && let Some(folder) = path.parent().filter(|f| f.exists())
        {
            // A packed ref is written as a loose file by the next commit: watch its folder
            // (only then, so commits on other branches cost no rebuild).
            println!("cargo:rerun-if-changed={}", folder.display());
        }
    }
    git(dir, &["rev-parse", "--short=12", "HEAD"])
}
