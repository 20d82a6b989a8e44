//! The command line, declared with clap. Passwords are never arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What `--version` prints after the name: the crate's version and the git commit the binary
/// was built from (`unknown` when built outside a git checkout; see `build.rs`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("SKA_GIT_COMMIT"), ")");

/// `--filter`'s long help (`--help`): the language's table, as the README shows it.
static FILTER_HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "The console's filter language: words that must all hold, ages counted back from now.\n\n{}",
        crate::domain::filter::HELP
    )
});

#[derive(Parser, Debug)]
#[command(
    name = "skriptoteket-admin",
    version = VERSION,
    about = "Manage the local user accounts of a Skriptoteket deployment.",
    long_about = "Manage the local user accounts of a Skriptoteket deployment.\n\n\
        With no subcommand, opens the interactive console. The database comes from \
        --database-url, else $DATABASE_URL, else DATABASE_URL in ./.env (read by docker \
        compose's rules; the web app's postgresql+asyncpg:// form works as is), else libpq's \
        PGHOST/PGDATABASE (with PGPORT, PGUSER, PGPASSWORD, ~/.pgpass), else the compose \
        project in this folder: its service's DATABASE_URL, with a container name reached at \
        the container's address (read-only docker commands only). --print-database shows \
        which.\n\n\
        The acting admin is --actor-email or $SKRIPTOTEKET_ACTOR_EMAIL; the password is read \
        from --actor-password-file (yours, mode 600), else the systemd credential \
        skriptoteket-actor-password, else $SKRIPTOTEKET_ACTOR_PASSWORD, else asked on the \
        terminal; new passwords come from stdin (--password-stdin), a hidden prompt, \
        or --generate-password. No password is ever taken from the command line."
)]
pub struct Cli {
    /// PostgreSQL URL (postgres://, postgresql:// or postgresql+asyncpg://).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Read DATABASE_URL from this file instead of ./.env.
    #[arg(long, global = true, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// The deployment's compose file (repeatable; default: COMPOSE_FILE, else the files the
    /// running project of this folder was started with, else compose.yaml and the like here).
    #[arg(long, global = true, value_name = "FILE")]
    pub compose_file: Vec<PathBuf>,
    /// The compose service whose DATABASE_URL to use, when services differ.
    #[arg(long, global = true, value_name = "SERVICE")]
    pub compose_service: Option<String>,
    /// Print where the database is and how it was found (never the password), then exit.
    #[arg(long, global = true)]
    pub print_database: bool,
    /// Read-only mode: every change is refused, and every connection is opened read-only,
    /// so the server refuses any write too (also SKRIPTOTEKET_ADMIN_READONLY=1).
    #[arg(long, global = true)]
    pub readonly: bool,
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
        /// user, contributor, admin or superuser (an admin provisions the first two).
        #[arg(long, value_name = "ROLE")]
        role: String,
        #[command(flatten)]
        password: NewPassword,
        #[command(flatten)]
        opts: ChangeOpts,
    },
    /// List users: a table, or CSV / JSON / JSON Lines with the profile's names and locale
    /// (a CSV edited in a spreadsheet goes back with `import --update`).
    List {
        /// Only users with this role: user, contributor, admin or superuser.
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// Only users whose email contains this text (case-insensitive, literal).
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// The console's filter language, e.g. 'last_login:older:180d -role:admin,superuser',
        /// 'never_logged_in created:before:2025-01-01', 'sessions:>0 status:locked'.
        #[arg(long, value_name = "EXPR", long_help = FILTER_HELP.as_str())]
        filter: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Give every named user ROLE: all of them or none (one transaction).
    SetRole {
        #[command(flatten)]
        actor: ActorArg,
        /// user, contributor, admin or superuser.
        #[arg(long, value_name = "ROLE")]
        role: String,
        #[arg(required_unless_present = "filter", value_name = "EMAIL")]
        emails: Vec<String>,
        #[command(flatten)]
        select: Select,
        #[command(flatten)]
        opts: ChangeOpts,
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
        #[command(flatten)]
        opts: ChangeOpts,
    },
    /// Sign the named users out everywhere; with --session, end just that one session of
    /// the one named user.
    RevokeSessions {
        #[command(flatten)]
        targets: Targets,
        /// Revoke only this session (its id, as the console's details and the audit log
        /// show it) of the one EMAIL named; refused unless it is active.
        #[arg(long, value_name = "SESSION_ID")]
        session: Option<uuid::Uuid>,
    },
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
    },
    /// Create the accounts listed in FILE (CSV; a header line naming email and role, and any
    /// of first_name, last_name, display_name), each with a generated password: all in one
    /// transaction, or none while any line is invalid; emails that exist are skipped.
    /// With --update: edit existing accounts instead.
    Import {
        #[command(flatten)]
        actor: ActorArg,
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Update existing accounts: FILE names each by id or email and gives any of
        /// first_name, last_name, display_name, locale (a blank cell changes nothing); role
        /// and is_active cells are checks. A file `list --format csv` wrote is read as it
        /// is. One change, all or nothing; `revert` undoes it.
        #[arg(long, conflicts_with = "passwords_out")]
        update: bool,
        /// Write the passwords (CSV: email,password) to this new file, readable by you only
        /// (never overwrites one); without it they are printed once as JSON on stdout.
        #[arg(long, value_name = "FILE")]
        passwords_out: Option<PathBuf>,
        /// Refuse a file of more than N accounts (each costs ~0.13 s of CPU to hash).
        #[arg(long, value_name = "N", default_value_t = crate::domain::import::DEFAULT_MAX_ROWS)]
        max_rows: usize,
        #[command(flatten)]
        opts: ChangeOpts,
    },
    /// Deactivate every active account nobody has signed in to for DAYS days (or never,
    /// created that long ago), and revoke its sessions: one change, one change id, so one
    /// `revert` undoes it. Admins and superusers are spared unless --include-admins; your
    /// own account always. For cron: prints what it did (--format json for machines).
    DeactivateDormant {
        #[command(flatten)]
        actor: ActorArg,
        /// Days without a sign-in.
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36500))]
        days: u32,
        /// Never touch the accounts listed in FILE: one email per line (# comments), or a
        /// CSV with an email column (as list --format csv writes). An entry that is not an
        /// email refuses the run; one that matches no account is named.
        #[arg(long, value_name = "FILE")]
        exclude_file: Option<PathBuf>,
        /// Include admins and superusers (the last active superuser is kept all the same).
        #[arg(long)]
        include_admins: bool,
        #[command(flatten)]
        opts: ChangeOpts,
    },
    /// Edit one account: its email, first, last and display name, locale; any of them in
    /// one change (the web app's rules). A new email needs --vouch or --unverified.
    Edit(EditArgs),
    /// Undo a change: restore the role, active flag, lock, verified flag, email and profile
    /// each account had before change CHANGE_ID, where it still has the values that change
    /// gave it.
    /// Deletes, password resets and revoked sessions cannot be reverted.
    Revert {
        #[command(flatten)]
        actor: ActorArg,
        /// The change id (from the change's output or `audit`), or a prefix of at least 8
        /// of its hex digits that no other change shares (as the console shows it).
        #[arg(value_name = "CHANGE_ID", value_parser = change_ref)]
        change_id: ChangeRef,
        #[command(flatten)]
        opts: ChangeOpts,
    },
    /// The web app's sign-in attempts across all accounts over a window: by source
    /// address and by account, password spraying (one address failing on many accounts)
    /// and brute force (one account failing from many addresses) named, and the accounts
    /// locked now. For monitoring: --alert-above N.
    SignIns(SignInsArgs),
    /// Show the audit log: every change (and, with --sign-ins, every sign-in), newest
    /// first; with --follow, oldest first and then each new entry as it commits.
    Audit(AuditArgs),
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

#[derive(Args, Debug, Clone)]
pub struct ActorArg {
    /// The admin or superuser acting. The password: --actor-password-file, else the
    /// systemd credential skriptoteket-actor-password, else $SKRIPTOTEKET_ACTOR_PASSWORD,
    /// else a prompt.
    #[arg(long, value_name = "EMAIL", env = "SKRIPTOTEKET_ACTOR_EMAIL")]
    pub actor_email: String,
    /// Read the acting admin's password from the first line of FILE, which must be yours
    /// and readable by nobody else (chmod 600).
    #[arg(long, value_name = "FILE")]
    pub actor_password_file: Option<PathBuf>,
}

impl Command {
    /// The `--filter` of a subcommand that takes one.
    pub fn filter_mut(&mut self) -> Option<&mut Option<String>> {
        match self {
            Command::List { filter, .. } => Some(filter),
            Command::SetRole { select, .. } => Some(&mut select.filter),
            Command::RevokeSessions { targets, .. } | Command::Delete { targets, .. } => {
                Some(&mut targets.select.filter)
            }
            Command::Deactivate(t) | Command::Activate(t) | Command::Unlock(t) | Command::VerifyEmail(t) => {
                Some(&mut t.select.filter)
            }
            _ => None,
        }
    }
}

#[derive(Args, Debug)]
pub struct Targets {
    #[command(flatten)]
    pub actor: ActorArg,
    #[arg(required_unless_present = "filter", value_name = "EMAIL")]
    pub emails: Vec<String>,
    #[command(flatten)]
    pub select: Select,
    #[command(flatten)]
    pub opts: ChangeOpts,
}

/// Accounts chosen by the filter language, beside or instead of their emails.
#[derive(Args, Debug, Clone, Default)]
pub struct Select {
    /// Also every account the filter keeps (the console's filter language, as `list
    /// --filter`): the plan is shown first, with the count.
    #[arg(long, value_name = "EXPR", long_help = FILTER_HELP.as_str())]
    pub filter: Option<String>,
    /// Go ahead without asking (a delete, or a --filter change, off a terminal needs this
    /// or --expect-count).
    #[arg(long)]
    pub yes: bool,
    /// Go ahead only when exactly N accounts are chosen; else refuse, changing nothing (so
    /// a script never sweeps more than it meant).
    #[arg(long, value_name = "N")]
    pub expect_count: Option<usize>,
}

/// `edit`: the account, and the fields to set (at least one).
#[derive(Args, Debug, Clone)]
pub struct EditArgs {
    #[command(flatten)]
    pub actor: ActorArg,
    /// The account to edit, by its email now.
    #[arg(value_name = "EMAIL")]
    pub email: String,
    /// Its new email (normalised and checked like any; nobody else's, case twins too).
    #[arg(long = "email", value_name = "NEW")]
    pub new_email: Option<String>,
    /// You know the new address is right: it stays verified and the user logs in with it.
    #[arg(long, conflicts_with = "unverified")]
    pub vouch: bool,
    /// Leave the new address unverified, as the web app does: the user cannot log in until
    /// they verify it.
    #[arg(long)]
    pub unverified: bool,
    /// Trimmed; not empty; at most 100 characters.
    #[arg(long, value_name = "NAME")]
    pub first_name: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub last_name: Option<String>,
    /// Empty ("") clears it.
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    #[arg(long, value_name = "LOCALE", value_parser = ["sv-SE", "en-US"])]
    pub locale: Option<String>,
    /// End the account's sessions too (an email change alone leaves them).
    #[arg(long)]
    pub revoke_sessions: bool,
    #[command(flatten)]
    pub opts: ChangeOpts,
}

/// What every subcommand that changes accounts takes.
#[derive(Args, Debug, Clone, Default)]
pub struct ChangeOpts {
    /// Why you make the change: kept with it in the audit log (required when the
    /// deployment sets SKRIPTOTEKET_ADMIN_REQUIRE_REASON=1).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print what the change would do (each account, before → after, what is skipped and
    /// why, what refuses it) and change nothing: no row, no audit entry, no sign-in record.
    /// Exits 0 when the change could run, 1 when it would be refused.
    #[arg(long)]
    pub dry_run: bool,
    /// How to print the result (or the plan).
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// On a protected deployment (SKRIPTOTEKET_ADMIN_PROTECTED=1), a destructive change to
    /// several accounts needs the deployment's name (SKRIPTOTEKET_ADMIN_NAME) here.
    #[arg(long, value_name = "NAME")]
    pub confirm_name: Option<String>,
}

/// A change id as typed: all of it, or a prefix of its hex digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeRef {
    Full(uuid::Uuid),
    /// At least [`MIN_PREFIX`] hex digits, lower case, hyphens left out.
    Prefix(String),
}

/// The shortest prefix of a change id taken (as many as the console shows).
pub const MIN_PREFIX: usize = 8;

/// Parses a [`ChangeRef`]: a whole UUID, or 8 to 31 hex digits (hyphens ignored).
pub fn change_ref(s: &str) -> Result<ChangeRef, String> {
    let s = s.trim();
    if let Ok(id) = uuid::Uuid::parse_str(s) {
        return Ok(ChangeRef::Full(id));
    }
    let hex: String = s.chars().filter(|c| *c != '-').collect::<String>().to_ascii_lowercase();
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) || hex.is_empty() || hex.len() > 32 {
        return Err("a change id is hex digits, as `audit` and the console show it".into());
    }
    if hex.len() < MIN_PREFIX {
        return Err(format!("a change id needs at least {MIN_PREFIX} of its hex digits"));
    }
    Ok(ChangeRef::Prefix(hex))
}

#[derive(Copy, Clone, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum OutFormat {
    #[default]
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// At most this many entries (before --follow starts following).
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    /// The audit viewer's filter words, ANDed: actor:TEXT target:TEXT action:NAME[,NAME]
    /// change:HEX since:TIME until:TIME signins, and free words (any field). The flags
    /// below add to it.
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Only changes by this admin (email, or a part of it; or the account's id).
    #[arg(long, value_name = "EMAIL|ID")]
    pub actor: Option<String>,
    /// Only entries about this account (email, or a part of it; or the account's id).
    #[arg(long, value_name = "EMAIL|ID")]
    pub target: Option<String>,
    /// Only these actions (repeat, or separate with commas): create_user, set_role,
    /// activate, deactivate, unlock, revoke_sessions, revoke_session, verify_email,
    /// reset_password, delete_user, bootstrap_superuser, sign_in, sign_in_failed.
    #[arg(long, value_name = "ACTION", value_delimiter = ',')]
    pub action: Vec<String>,
    /// Only entries at or after TIME: a date (2026-11-01), an RFC 3339 time, or an age (12h, 7d, 6m, 1y).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only entries before TIME (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only the entries of one change (its id, or its first 8 or more hex digits).
    #[arg(long, value_name = "CHANGE_ID", value_parser = change_ref)]
    pub change: Option<ChangeRef>,
    /// Include sign-ins (left out unless --action names them).
    #[arg(long)]
    pub sign_ins: bool,
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Keep running and print each new entry as it commits (for piping into a log shipper;
    /// use --format jsonl there).
    #[arg(long)]
    pub follow: bool,
    /// One line per change, as the console's audit viewer lists them (however many
    /// accounts it touched, with their number); --limit counts changes.
    #[arg(long, conflicts_with = "follow")]
    pub by_change: bool,
}

#[derive(Args, Debug)]
pub struct SignInsArgs {
    /// The window's start: an age (1h, 24h, 7d, 30d), a date (2026-11-01) or an RFC 3339 time.
    #[arg(long, value_name = "TIME", default_value = "24h")]
    pub since: String,
    /// Only the table by source address, or by account.
    #[arg(long, value_enum)]
    pub by: Option<SignInsBy>,
    /// Only the addresses and accounts with failed attempts.
    #[arg(long)]
    pub failed: bool,
    /// Print only the addresses and accounts that failed more than N times in the window,
    /// and exit 1 when there are any (nothing printed, exit 0, when none): for cron mail
    /// or a monitoring check.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..))]
    pub alert_above: Option<i64>,
    /// Spraying: one address failing on at least this many distinct accounts.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub spray_accounts: i64,
    /// Brute force: one account failing from at least this many distinct addresses.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub brute_force_addresses: i64,
    /// At most this many rows in each table (the findings and the locked accounts are all shown).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: i64,
    /// Leave out this tool's own sign-ins (its user agent is skriptoteket-admin/...).
    #[arg(long)]
    pub web_only: bool,
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum SignInsBy {
    Ip,
    Account,
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
    /// One JSON object per line (the same fields as json and csv).
    Jsonl,
    Csv,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum AuditFormat {
    Table,
    /// One JSON array (not with --follow).
    Json,
    /// One JSON object per line.
    Jsonl,
}
