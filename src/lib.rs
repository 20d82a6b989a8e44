//! skriptoteket-admin: manage the local user accounts of a Skriptoteket deployment.
//!
//! `domain` holds the rules (no I/O), `store` all SQL, `cli` the subcommands and `tui` the
//! console; both front ends go through the same `domain` and `store`. The CLI starts the
//! console (`cli::console`), never the reverse. `throwaway` starts a PostgreSQL of our own
//! for the demo and the tests where no configured server answers.

pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod export;
pub mod logging;
pub mod operator;
pub mod plural;
pub mod provision;
pub mod store;
pub mod throwaway;
pub mod tui;
