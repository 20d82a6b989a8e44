//! Entry point: parse arguments, then hand over to a subcommand or the console.

use clap::Parser;
use skriptoteket_admin::cli::{self, CliError, args::Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return CliError::Failed(format!("cannot start the async runtime: {e}")).report(),
    };
    runtime.block_on(async move {
        if cli.command.is_some() {
            skriptoteket_admin::logging::init_for_cli(cli.log_file.as_deref());
            cli::run(cli).await
        } else {
            skriptoteket_admin::tui::run_from_cli(&cli).await
        }
    })
}
