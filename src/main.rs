//! Entry point: parse arguments, then hand over to a subcommand or the console.

use clap::Parser;
use skriptoteket_admin::cli::args::{Cli, Command};
use skriptoteket_admin::cli::{self, CliError};
use skriptoteket_admin::logging;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return CliError::Failed(format!("cannot start the async runtime: {e}")).report(),
    };
    // The console (also the demo's) logs to a file, never to the screen it draws on.
    let console = matches!(cli.command, None | Some(Command::Demo(_)));
    if console {
        logging::init_to_file(cli.log_file.as_deref());
    } else {
        logging::init_for_cli(cli.log_file.as_deref());
    }
    runtime.block_on(async move {
        if cli.print_database {
            cli::print_database(&cli).await
        } else if cli.command.is_some() {
            cli::run(cli).await
        } else {
            cli::console::run(&cli).await
        }
    })
}
