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
