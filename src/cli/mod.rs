//! The subcommands: thin wrappers that parse, call `store`, and print. Results go to
//! stdout, errors to stderr as one line (and with `--format json` as JSON on stdout too),
//! with an exit code per kind of failure (`failure::Kind`).

pub mod args;
mod audit;
mod change;
pub mod console;
mod create;
pub mod demo;
mod dormant;
mod edit;
pub mod failure;
mod import;
mod import_update;
mod install;
pub(crate) mod list;
mod progress;
pub mod secrets;
mod select;
mod sign_ins;

use crate::config::{self, DbTarget};
use crate::domain::sanitize::clean;
use crate::domain::{Change, Reason, Stamp};
use crate::store::{self, Actor, Store, StoreError};
use args::{Cli, Command};
use std::process::ExitCode;

/// A subcommand's failure: `Usage` exits 2, `Failed` (refused) 1, `Coded` by its kind.
#[derive(Debug)]
pub enum CliError {
    Usage(String),
    Failed(String),
    /// A failure of another kind than a refusal (see [`failure::Kind`]).
    Coded(failure::Kind, String),
    /// Exit 1 with nothing more to say (a dry run that printed its refusal already).
    Quiet,
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Coded(failure::Kind::of(&e), e.to_string())
    }
}

impl From<config::ConfigError> for CliError {
    fn from(e: config::ConfigError) -> Self {
        if e.is_usage() { CliError::Usage(e.to_string()) } else { CliError::Failed(e.to_string()) }
    }
}

impl CliError {
    /// The failure's kind (a `Quiet` one is a refusal).
    pub fn kind(&self) -> failure::Kind {
        match self {
            CliError::Usage(_) => failure::Kind::Usage,
            CliError::Failed(_) | CliError::Quiet => failure::Kind::Refused,
            CliError::Coded(k, _) => *k,
        }
    }

    /// Says what failed on stderr and exits with the kind's code.
    pub fn report(&self) -> ExitCode {
        self.report_as(false)
    }

    /// [`CliError::report`]; `json`: the failure is also a JSON object on stdout.
    pub fn report_as(&self, json: bool) -> ExitCode {
        let kind = self.kind();
        let msg = match self {
            CliError::Usage(m) | CliError::Failed(m) | CliError::Coded(_, m) => m,
            CliError::Quiet => return ExitCode::from(kind.exit_code()),
        };
        // Messages can quote emails from the database or the command line.
        let msg = clean(msg);
        eprintln!("error: {msg}");
        if json {
            let _ = emit_strict(&failure::json_error(kind, &msg));
        }
        ExitCode::from(kind.exit_code())
    }
}

/// Writes command output to stdout. A reader that stopped early (`list | head`) is not an
/// error: the output simply ends there.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes `text` to stdout and flushes it; any failure is one, a closed pipe too. For the
/// output that must not be lost (a generated password), written before its change commits.
pub(crate) fn emit_strict(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the output ({e})"))
}

/// The report of a change that has committed: when it cannot be written, the admin still
/// learns (on stderr) that the change WAS applied, its id, and where to see it.
pub(crate) fn emit_applied(text: &str, change_id: uuid::Uuid) -> Result<(), CliError> {
    emit_strict(text).map_err(|why| {
        CliError::Coded(
            failure::Kind::AnswerLost,
            format!(
                "change {change_id} WAS applied, but its report was lost: {why}; \
             `skriptoteket-admin audit --change {change_id}` lists what it did"
            ),
        )
    })
}

/// Finds the database the way the deployment does (see [`config`]).
pub async fn target(cli: &Cli) -> Result<DbTarget, CliError> {
    if let Some(w) = config::password_in_argv_warning(cli.database_url.as_deref()) {
        eprintln!("{w}");
    }
    let request = config::Request {
        flag: cli.database_url.as_deref(),
        env_file: cli.env_file.as_deref(),
        compose: config::compose::Choice {
            files: cli.compose_file.clone(),
            service: cli.compose_service.clone(),
        },
    };
    Ok(config::resolve(&request).await?)
}

/// `--print-database`: where the database is and how it was found; connects to nothing.
pub async fn print_database(cli: &Cli) -> ExitCode {
    let shown = async {
        let target = target(cli).await?;
        let readonly = config::Deployment::load(cli.readonly, cli.env_file.as_deref())?.readonly;
        let target = if readonly { target.read_only() } else { target };
        emit(&clean_lines(&target.explain()))
    };
    match shown.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// Each line cleaned of control characters (names come from files and docker).
fn clean_lines(text: &str) -> String {
    text.lines().map(|l| format!("{}\n", clean(l))).collect()
}

/// Resolves the database and connects (read-only in read-only mode).
pub async fn connect(cli: &Cli) -> Result<Store, CliError> {
    let target = target(cli).await?;
    let readonly = config::Deployment::load(cli.readonly, cli.env_file.as_deref())?.readonly;
    for key in config::unknown_settings(cli.env_file.as_deref()) {
        eprintln!(
            "warning: {key} is not a setting of this version; ignored (known: {})",
            config::SETTINGS.join(", ")
        );
    }
    let target = if readonly { target.read_only() } else { target };
    Ok(Store::connect(&target).await?)
}

/// Signs in the `--actor-email` admin with the password from env or prompt.
async fn sign_in(store: &Store, actor: &args::ActorArg) -> Result<Actor, CliError> {
    let pw = secrets::actor_password(actor)?;
    let origin = store::login::Origin::current("cli");
    let signed_in = store::login::authenticate(store, &actor.actor_email, &pw, &origin).await;
    match signed_in {
        Ok(a) => Ok(a),
        Err(e) => Err(sign_in_failure(store, &actor.actor_email, e).await),
    }
}

/// Signs in for a dry run: the password is checked (a failure counts as always), a success
/// is not recorded, so the dry run leaves the database as it was.
async fn sign_in_quietly(store: &Store, actor: &args::ActorArg) -> Result<Actor, CliError> {
    let pw = secrets::actor_password(actor)?;
    let origin = store::login::Origin::current("cli");
    let signed_in = store::login::authenticate_quietly(store, &actor.actor_email, &pw, &origin).await;
    match signed_in {
        Ok(a) => Ok(a),
        Err(e) => Err(sign_in_failure(store, &actor.actor_email, e).await),
    }
}

/// A refused sign-in, with how many tries the account has left before the web app's lock
/// when the password was wrong: a script that retries would otherwise lock its admin out,
/// web login included, without a word.
async fn sign_in_failure(store: &Store, email: &str, e: StoreError) -> CliError {
    let left = match e {
        StoreError::InvalidCredentials => store::login::tries_left_now(store, email).await,
        _ => None,
    };
    let message = match (&e, left) {
        (StoreError::InvalidCredentials, Some(left)) => format!(
            "{e} {} left before the account is locked for {} minutes (the web login too): check the password \
             before trying again",
            crate::plural::count(i64::from(left), "attempt"),
            store::login::LOCK_MINUTES
        ),
        _ => e.to_string(),
    };
    CliError::Coded(failure::Kind::of(&e), message)
}

/// The stamp of a change made now: a new change id and the reason, which the deployment
/// can require. Checked, with read-only mode, before any password is asked for.
fn stamp(cli: &Cli, opts: &args::ChangeOpts) -> Result<Stamp, CliError> {
    let d = config::Deployment::load(cli.readonly, cli.env_file.as_deref())?;
    if d.readonly && !opts.dry_run {
        return Err(StoreError::ReadOnly.into());
    }
    let reason = Reason::parse(opts.reason.as_deref().unwrap_or(""), d.require_reason && !opts.dry_run)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(Stamp::new(reason))
}

/// A protected deployment's guard: a destructive change to several accounts needs
/// `--confirm-name` with the deployment's name.
fn guard(cli: &Cli, opts: &args::ChangeOpts, change: &Change, accounts: usize) -> Result<(), CliError> {
    let d = config::Deployment::load(cli.readonly, cli.env_file.as_deref())?;
    let Some(name) =
        d.name.filter(|_| d.protected && change.is_destructive() && accounts > 1 && !opts.dry_run)
    else {
        return Ok(());
    };
    if opts.confirm_name.as_deref().map(str::trim) == Some(name.as_str()) {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{name} is a protected deployment: to {} {}, add --confirm-name {name}; nothing was changed",
        change.verb(),
        if accounts == usize::MAX { "many accounts".to_string() } else { format!("{accounts} accounts") }
    )))
}

/// Signs in, then applies (or with --dry-run, plans) a change that needs no further input.
async fn simple(cli: &Cli, store: &Store, t: &args::Targets, change: Change) -> Result<(), CliError> {
    let stamp = stamp(cli, &t.opts)?;
    let Some(named) = select::choose(store, &t.emails, &t.select).await? else {
        return emit(&select::none(t.opts.format));
    };
    guard(cli, &t.opts, &change, named.len())?;
    select::say_privileged(&named, &t.select);
    if t.opts.dry_run {
        let actor = sign_in_quietly(store, &t.actor).await?;
        return change::dry_run(store, &actor, &named, &change, t.opts.format).await;
    }
    select::check_unattended(&t.select, named.len())?;
    let actor = sign_in(store, &t.actor).await?;
    select::confirm(store, &actor, &named, &change, &t.select).await?;
    change::apply(store, &actor, &stamp, &named, change, None, t.opts.format).await
}

/// Runs one subcommand to completion.
pub async fn run(mut cli: Cli) -> ExitCode {
    let result = match expand_saved_filters(&mut cli) {
        Ok(()) => dispatch(&cli).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report_as(failure::wants_json(cli.command.as_ref())),
    }
}

/// `saved:NAME` in `--filter` becomes the deployment's saved words (read only when a
/// filter names one), so every subcommand speaks the same filter as the console.
fn expand_saved_filters(cli: &mut Cli) -> Result<(), CliError> {
    let env_file = cli.env_file.clone();
    let Some(filter) = cli.command.as_mut().and_then(args::Command::filter_mut) else { return Ok(()) };
    let Some(text) = filter.as_deref().filter(|t| t.contains("saved:")) else { return Ok(()) };
    let saved = config::saved_filters(env_file.as_deref())?;
    let words = saved.expand(text).map_err(|e| CliError::Usage(format!("--filter {e}")))?;
    *filter = Some(words);
    Ok(())
}

async fn dispatch(cli: &Cli) -> Result<(), CliError> {
    let Some(command) = &cli.command else {
        return Err(CliError::Usage("no subcommand".into()));
    };
    // These need no database.
    match command {
        // The demo creates, drops and seeds databases: read-only mode refuses it before it
        // connects anywhere.
        Command::Demo(_) if config::Deployment::load(cli.readonly, cli.env_file.as_deref())?.readonly => {
            return Err(StoreError::ReadOnly.into());
        }
        Command::Demo(args) => return demo::run(args).await,
        Command::Completions { shell } => return install::completions(*shell),
        Command::Man { dir } => return install::man(dir.as_deref()),
        _ => {}
    }
    let mut store = connect(cli).await?;
    match command {
        Command::Migrate if store.target.readonly => Err(StoreError::ReadOnly.into()),
        Command::Migrate => {
            store::migrate::run(&mut store).await?;
            println!(
                "migrated {}: the tool's tables ({}) are in place in schema {}",
                store.target.label(),
                store::migrate::OWN_TABLES.join(", "),
                store::migrate::SCHEMA
            );
            Ok(())
        }
        Command::BootstrapSuperuser { .. } if store.target.readonly => Err(StoreError::ReadOnly.into()),
        Command::BootstrapSuperuser { email, password } => create::bootstrap(&store, email, password).await,
        Command::ProvisionUser { actor, email, role, password, opts } => {
            let stamp = stamp(cli, opts)?;
            if opts.dry_run {
                let actor = sign_in_quietly(&store, actor).await?;
                return create::dry_run(&store, &actor, email, role, opts.format).await;
            }
            let actor = sign_in(&store, actor).await?;
            create::provision(&store, &actor, &stamp, email, role, password, opts.format).await
        }
        Command::List { role, search, filter, format } => {
            list::users(&store, role.as_deref(), search.clone(), filter.as_deref(), *format).await
        }
        Command::Audit(args) => audit::audit(&store, args).await,
        Command::SignIns(args) => sign_ins::sign_ins(&store, args).await,
        Command::SetRole { actor, role, emails, select, opts } => {
            let role =
                role.parse().map_err(|e: crate::domain::role::UnknownRole| CliError::Usage(e.to_string()))?;
            let t = args::Targets {
                actor: actor.clone(),
                emails: emails.clone(),
                select: select.clone(),
                opts: opts.clone(),
            };
            simple(cli, &store, &t, Change::SetRole(role)).await
        }
        Command::ResetPassword { actor, email, password, keep_sessions, opts } => {
            let change = Change::ResetPassword { revoke_sessions: !keep_sessions };
            let stamp = stamp(cli, opts)?;
            let emails = std::slice::from_ref(email);
            if opts.dry_run {
                let actor = sign_in_quietly(&store, actor).await?;
                return change::dry_run(&store, &actor, &change::by_email(emails), &change, opts.format)
                    .await;
            }
            // The admin's own password first, then the target's new one (named in the prompt).
            let actor = sign_in(&store, actor).await?;
            let new = secrets::new_password(password, email)?;
            change::apply(&store, &actor, &stamp, &change::by_email(emails), change, Some(new), opts.format)
                .await
        }
        Command::RevokeSessions { targets, session: None } => {
            simple(cli, &store, targets, Change::RevokeSessions).await
        }
        Command::RevokeSessions { targets, session: Some(id) } => {
            if targets.emails.len() != 1 {
                return Err(CliError::Usage(
                    "--session revokes one session of one account: name exactly one EMAIL".into(),
                ));
            }
            simple(cli, &store, targets, Change::RevokeSession(*id)).await
        }
        Command::Deactivate(t) => simple(cli, &store, t, Change::SetActive(false)).await,
        Command::Activate(t) => simple(cli, &store, t, Change::SetActive(true)).await,
        Command::Unlock(t) => simple(cli, &store, t, Change::Unlock).await,
        Command::VerifyEmail(t) => simple(cli, &store, t, Change::VerifyEmail).await,
        Command::Edit(a) => {
            let change = Change::Edit(Box::new(edit::from_args(a)?));
            let t = args::Targets {
                actor: a.actor.clone(),
                emails: vec![a.email.clone()],
                select: args::Select::default(),
                opts: a.opts.clone(),
            };
            simple(cli, &store, &t, change).await
        }
        Command::Delete { targets } => {
            if targets.opts.dry_run {
                return simple(cli, &store, targets, Change::Delete).await;
            }
            let stamp = stamp(cli, &targets.opts)?;
            let Some(named) = select::choose(&store, &targets.emails, &targets.select).await? else {
                return emit(&select::none(targets.opts.format));
            };
            guard(cli, &targets.opts, &Change::Delete, named.len())?;
            select::say_privileged(&named, &targets.select);
            // Off a terminal a delete needs --yes (or the count), asked before the sign-in.
            let yes = targets.select.yes || targets.select.expect_count.is_some();
            select::check_unattended(&targets.select, named.len())?;
            let actor = sign_in(&store, &targets.actor).await?;
            change::delete(&store, &actor, &stamp, &named, yes, &targets.opts).await
        }
        Command::DeactivateDormant { actor, days, exclude_file, include_admins, opts } => {
            let rule = store::dormant::Dormancy {
                days: *days,
                include_admins: *include_admins,
                exclude: dormant::exclude_list(exclude_file.as_deref())?,
            };
            let stamp = stamp(cli, opts)?;
            if opts.dry_run {
                let actor = sign_in_quietly(&store, actor).await?;
                dormant::warn_unmatched(&store, &rule).await?;
                return dormant::dry_run(&store, &actor, &rule, opts.format).await;
            }
            // A protected deployment wants its name for a mass deactivation, however many.
            guard(cli, opts, &Change::SetActive(false), usize::MAX)?;
            let actor = sign_in(&store, actor).await?;
            dormant::warn_unmatched(&store, &rule).await?;
            dormant::run(&store, &actor, &stamp, &rule, opts.format).await
        }
        Command::Import { actor, file, update: true, max_rows, opts, .. } => {
            let stamp = stamp(cli, opts)?;
            // The file first: one that is no update file is refused before any sign-in.
            let lines = import_update::read(file, *max_rows)?;
            if opts.dry_run {
                let actor = sign_in_quietly(&store, actor).await?;
                return import_update::dry_run(&store, &actor, &lines, opts.format).await;
            }
            let actor = sign_in(&store, actor).await?;
            import_update::run(&store, &actor, &stamp, &lines, opts.format).await
        }
        Command::Import { actor, file, update: false, passwords_out, max_rows, opts } => {
            let stamp = stamp(cli, opts)?;
            if opts.dry_run {
                let actor = sign_in_quietly(&store, actor).await?;
                let lines = import::read(file, &actor, *max_rows)?;
                return import::dry_run(&store, &lines, opts.format).await;
            }
            let actor = sign_in(&store, actor).await?;
            let lines = import::read(file, &actor, *max_rows)?;
            import::run(&store, &actor, &stamp, &lines, passwords_out.as_deref(), opts.format).await
        }
        Command::Revert { actor, change_id, opts } => {
            let stamp = stamp(cli, opts)?;
            let change_id = &change::resolve(&store, change_id).await?;
            if opts.dry_run {
                let actor = sign_in_quietly(&store, actor).await?;
                let plan = store::revert::plan(&store, &actor, *change_id).await?;
                return change::print_plan(&plan, opts.format);
            }
            guard(cli, opts, &Change::Revert(*change_id), usize::MAX)?;
            let actor = sign_in(&store, actor).await?;
            change::revert(&store, &actor, &stamp, *change_id, opts.format).await
        }
        // Answered above, before connecting; never a panic on a path input reaches.
        Command::Demo(_) | Command::Completions { .. } | Command::Man { .. } => {
            Err(CliError::Failed("this subcommand needs no database".into()))
        }
    }
}
