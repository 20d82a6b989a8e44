//! `skriptoteket-admin` with no subcommand: the interactive console.

use super::CliError;
use super::args::Cli;
use crate::config;
use crate::tui::{self, Options};
use std::process::ExitCode;

pub async fn run(cli: &Cli) -> ExitCode {
    let target = match super::target(cli).await {
        Ok(t) => t,
        Err(e) => return e.report(),
    };
    for key in config::unknown_settings(cli.env_file.as_deref()) {
        eprintln!(
            "warning: {key} is not a setting of this version; ignored (known: {})",
            config::SETTINGS.join(", ")
        );
    }
    let deployment = match config::Deployment::load(cli.readonly, cli.env_file.as_deref()) {
        Ok(d) => d,
        Err(e) => return CliError::Usage(e.to_string()).report(),
    };
    let target = if deployment.readonly { target.read_only() } else { target };
    match tui::run(target, Options { deployment, ..Options::default() }).await {
        Ok(code) => code,
        Err(e) => CliError::Failed(e.to_string()).report(),
    }
}
