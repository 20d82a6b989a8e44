//! `skriptoteket-admin` with no subcommand: the interactive console.

use super::CliError;
use super::args::Cli;
use crate::config;
use crate::tui::{self, Options};
use std::process::ExitCode;

pub async fn run(cli: &Cli) -> ExitCode {
    if let Some(w) = config::password_in_argv_warning(cli.database_url.as_deref()) {
        eprintln!("{w}");
    }
    let target = match config::resolve(cli.database_url.as_deref(), cli.env_file.as_deref()) {
        Ok(t) => t,
        Err(e) => return CliError::Usage(e.to_string()).report(),
    };
    let require_reason = match config::switch(config::REQUIRE_REASON, cli.env_file.as_deref()) {
        Ok(b) => b,
        Err(e) => return CliError::Usage(e.to_string()).report(),
    };
    match tui::run(target, Options { require_reason, ..Options::default() }).await {
        Ok(code) => code,
        Err(e) => CliError::Failed(e.to_string()).report(),
    }
}
