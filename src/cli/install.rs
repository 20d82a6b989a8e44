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
    let failed =
        |e: std::io::Error| CliError::Failed(format!("cannot write man pages to {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(failed)?;
    clap_mangen::generate_to(Cli::command(), dir).map_err(failed)
}

fn print(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}
