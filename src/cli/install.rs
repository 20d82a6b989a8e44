//! `completions` and `man`: what a package installs next to the binary, generated from the
//! clap definitions in `args.rs`, so they never disagree with `--help`. Neither touches a
//! database.

use super::CliError;
use super::args::{Cli, Shell};
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

pub const BIN_NAME: &str = "skriptoteket-admin";

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell) -> Result<(), CliError> {
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    // Rendered in memory first: the generators panic on a failed write, stdout may be closed.
    let mut script = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), BIN_NAME, &mut script);
    print(&script)
}

/// Prints the man page, or with `dir` writes one page per command there
/// (`skriptoteket-admin.1`, `skriptoteket-admin-list.1`, ...).
pub fn man(dir: Option<&Path>) -> Result<(), CliError> {
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut page)
            .map_err(|e| CliError::Failed(format!("cannot render the man page: {e}")))?;
        return print(&page);
    };
    let failed = |e: &dyn std::fmt::Display| {
        CliError::Failed(format!("cannot write man pages to {}: {e}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    write_pages(cmd, dir, &failed)
}

/// One page for `cmd` and each of its subcommands (the files `clap_mangen::generate_to`
/// names), each written as the caller's own file (`export::file`): a page that exists is
/// replaced only when it is the caller's regular file.
fn write_pages(
    cmd: clap::Command,
    dir: &Path,
    failed: &dyn Fn(&dyn std::fmt::Display) -> CliError,
) -> Result<(), CliError> {
    use crate::export::file::{self, OwnError};
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
        write_pages(sub, dir, failed)?;
    }
    let man = clap_mangen::Man::new(cmd);
    let mut page = Vec::new();
    man.render(&mut page).map_err(|e| failed(&e))?;
    let path = dir.join(man.get_filename());
    let mut out = match file::create_new(&path, 0o644) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let replaced = file::open_own(&path, 0o644, false)
                .and_then(|f| f.set_len(0).map(|()| f).map_err(OwnError::Io));
            replaced.map_err(|why| failed(&format!("{}: {}", path.display(), why.describe(&path))))?
        }
        Err(e) => return Err(failed(&format!("{}: {e}", path.display()))),
    };
    out.write_all(&page).and_then(|()| out.flush()).map_err(|e| failed(&e))
}

fn print(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}
