//! The command line, declared with clap. Passwords are never arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What `--version` prints after the name: the crate's version and the git commit the binary
/// was built from (`unknown` when built outside a git checkout; see `build.rs`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("SKA_GIT_COMMIT"), ")");

#[derive(Parser, Debug)]
#[command(
    name = "skriptoteket-admin",
    version = VERSION,
    about = "Manage the local user accounts of a Skriptoteket deployment.",
    long_about = "Manage the local user accounts of a Skriptoteket deployment.\n\n\
        With no subcommand, opens the interactive console. The database comes from \
        --database-url, else $DATABASE_URL, else DATABASE_URL in ./.env (the web app's \
        postgresql+asyncpg:// form works as is).\n\n\
        The acting admin's password is read from $SKRIPTOTEKET_ACTOR_PASSWORD, else asked \
        on the terminal; new passwords come from stdin (--password-stdin), a hidden prompt, \
        or --generate-password. No password is ever taken from the command line."
)]
pub struct Cli {
    /// PostgreSQL URL (postgres://, postgresql:// or postgresql+asyncpg://).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Read DATABASE_URL from this file instead of ./.env.
    #[arg(long, global = true, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// Write the log here (default: $XDG_STATE_HOME/skriptoteket-admin/console.log for the console, stderr for subcommands with RUST_LOG set).
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Add this tool's own tables (its audit log); refused on a database without the web
    /// app's tables. Never creates or alters a table the web app owns.
    Migrate,
    /// Create the first superuser of a fresh database (refused if any superuser exists).
    BootstrapSuperuser {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: NewPassword,
    },
    /// Create a local account, as the web app's provision-user does.
    ProvisionUser {
        #[command(flatten)]
        actor: ActorArg,
        #[arg(long)]
        email: String,
        #[arg(long, value_name = "ROLE")]
        role: String,
        #[command(flatten)]
        password: NewPassword,
    },
    /// List users.
    List {
        /// Only users with this role.
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// Only users whose email contains this text (case-insensitive, literal).
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Give every named user ROLE: all of them or none (one transaction).
    SetRole {
        #[command(flatten)]
        actor: ActorArg,
        #[arg(long, value_name = "ROLE")]
        role: String,
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
    /// Set a new password; also revokes the user's sessions unless --keep-sessions.
    ResetPassword {
        #[command(flatten)]
        actor: ActorArg,
        #[arg(value_name = "EMAIL")]
        email: String,
        #[command(flatten)]
        password: NewPassword,
        /// Leave the user's existing sessions valid.
        #[arg(long)]
        keep_sessions: bool,
    },
    /// Sign the named users out everywhere.
    RevokeSessions(Targets),
    /// Stop the named users from logging in (also revokes their sessions).
    Deactivate(Targets),
    /// Let deactivated users log in again.
    Activate(Targets),
    /// Clear failed-login lockouts.
    Unlock(Targets),
    /// Mark the named users' emails verified (you vouch for the addresses), so the web app
    /// lets self-registered accounts that never followed the link log in.
    VerifyEmail(Targets),
    /// Delete users; refused, changing nothing, while other rows restrict it.
    Delete {
        #[command(flatten)]
        targets: Targets,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Show the console's audit log, newest first.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
    },
    /// Create (or reuse) a local demo database full of users, then open the console on it.
    Demo(DemoArgs),
    /// Print the shell completion script for SHELL (packages install it for you).
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page; with --dir, write one page per subcommand into DIR instead.
    Man {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Args, Debug)]
pub struct ActorArg {
    /// The admin or superuser acting (password from $SKRIPTOTEKET_ACTOR_PASSWORD or a prompt).
    #[arg(long, value_name = "EMAIL")]
    pub actor_email: String,
}

#[derive(Args, Debug)]
pub struct Targets {
    #[command(flatten)]
    pub actor: ActorArg,
    #[arg(required = true, value_name = "EMAIL")]
    pub emails: Vec<String>,
}

#[derive(Args, Debug)]
#[group(multiple = false)]
pub struct NewPassword {
    /// Read the new password from the first line of stdin.
    #[arg(long)]
    pub password_stdin: bool,
    /// Generate a strong password and print it once, alone on the last line of stdout.
    #[arg(long)]
    pub generate_password: bool,
}

/// Where the demo looks first (the development machines' PostgreSQL).
pub const DEMO_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Server to create the demo database on [default: postgres://postgres@127.0.0.1:5432/postgres,
    /// or a throwaway one when nothing usable answers there].
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Always run the demo on a throwaway PostgreSQL of its own (started from the server
    /// binaries on this machine, removed when the demo ends).
    #[arg(long, conflicts_with = "server")]
    pub throwaway: bool,
    /// Name of the demo database.
    #[arg(long, default_value = "skriptoteket_demo")]
    pub name: String,
    /// How many users to seed (when the database is new or --reset).
    #[arg(long, default_value_t = 500)]
    pub users: u32,
    /// Drop and re-create the demo database first.
    #[arg(long)]
    pub reset: bool,
    /// Seed only; do not open the console.
    #[arg(long)]
    pub no_console: bool,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum AuditFormat {
    Table,
    Json,
}
