//! Where the database is, found the way the deployment finds it, in this order:
//!
//! 1. `--database-url`, else `$DATABASE_URL`, else `DATABASE_URL` in `./.env` (or
//!    `--env-file`), the file read by docker compose's rules ([`envfile`]).
//! 2. libpq's variables, as `psql` uses them: `PGHOST` (or `PGHOSTADDR`) or `PGDATABASE` set
//!    means "this server"; `PGPORT`, `PGUSER`, `PGPASSWORD`, `~/.pgpass`/`PGPASSFILE` and
//!    `PGSSLMODE` fill in the rest (sqlx reads them, for a URL without a password too).
//! 3. The compose project in this folder ([`compose`]): production's `compose.prod.yaml`
//!    builds `DATABASE_URL` for its `web` service from `.env`'s password and names the
//!    container `shared-postgres`, reachable from the host only by its address.
//!
//! The web app's `postgresql+asyncpg://` form is accepted as is.

pub mod compose;
mod deployment;
pub mod docker;
pub mod envfile;

pub use deployment::{
    COLOR, COLORS, Deployment, FILTER_PREFIX, NAME, PROTECTED, READONLY, REQUIRE_REASON, SETTINGS,
    saved_filters, switch, unknown_settings,
};

use envfile::{EnvFile, Lookup};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no database found: no --database-url, no DATABASE_URL (environment or ./.env), no PGHOST or \
         PGDATABASE, and no compose file here; run from the deployment folder or see docs/deployment.md"
    )]
    Missing,
    #[error("cannot read {path}: {reason}")]
    EnvFile { path: String, reason: String },
    #[error(
        "DATABASE_URL is not a PostgreSQL URL (expected postgres://, postgresql:// or postgresql+asyncpg://)"
    )]
    NotPostgres,
    #[error("DATABASE_URL is not a valid URL: {0}")]
    Invalid(String),
    #[error("{0} must be 1/true/yes/on or 0/false/no/off")]
    BadSwitch(String),
    #[error("{0}: {1}")]
    BadSetting(String, String),
    /// The compose project is there but its database cannot be reached from here (exit 1,
    /// not a usage error).
    #[error("{0}")]
    Compose(#[from] compose::ComposeError),
    #[error(
        "PGSERVICE is set, but service files (pg_service.conf) are not supported: set PGHOST, PGPORT and PGDATABASE instead"
    )]
    PgService,
}

impl ConfigError {
    /// Whether this is the admin's input to fix (exit 2) rather than a failure (exit 1).
    pub fn is_usage(&self) -> bool {
        !matches!(self, ConfigError::Compose(_))
    }
}

/// Where a database URL came from, for the header, `--print-database` and messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    EnvFile(PathBuf),
    /// libpq's variables; the ones that were set.
    Libpq(Vec<&'static str>),
    Compose(compose::Found),
    /// Made by the tool itself (the demo, the tests).
    Given,
}

impl Source {
    /// A few words for the header and messages ("" when the URL was given as it is).
    pub fn short(&self) -> String {
        match self {
            Source::Flag | Source::Environment | Source::EnvFile(_) | Source::Given => String::new(),
            Source::Libpq(_) => "from PG* variables".to_string(),
            Source::Compose(f) => match &f.route {
                compose::Route::Container { name, network, .. } => format!("container {name} on {network}"),
                compose::Route::Direct => format!("from {}", f.files.join(" + ")),
            },
        }
    }

    /// The whole story, one line, never a password.
    pub fn explain(&self) -> String {
        match self {
            Source::Flag => "--database-url".to_string(),
            Source::Environment => "$DATABASE_URL".to_string(),
            Source::EnvFile(p) => format!("DATABASE_URL in {}", p.display()),
            Source::Libpq(vars) => format!("libpq variables ({})", vars.join(", ")),
            Source::Given => "the tool itself".to_string(),
            Source::Compose(f) => {
                let base = format!("DATABASE_URL of service {} in {}", f.service, f.files.join(" + "));
                match &f.route {
                    compose::Route::Direct => base,
                    compose::Route::Container { name, network, address } => {
                        format!("{base}; {} is container {name} at {address} on network {network}", f.host)
                    }
                }
            }
        }
    }
}

/// A database URL that sqlx accepts, and a password-free description for messages.
#[derive(Clone)]
pub struct DbTarget {
    url: String,
    /// `host:port/database` (never the password).
    pub describe: String,
    pub source: Source,
    /// Read-only mode: every connection starts with `default_transaction_read_only = on`,
    /// so the server itself refuses any write, whatever the code above tries.
    pub readonly: bool,
}

impl DbTarget {
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same database, opened read-only.
    pub fn read_only(self) -> DbTarget {
        DbTarget { readonly: true, ..self }
    }

    /// `host:port/database`, and where that came from when it was found rather than given.
    pub fn label(&self) -> String {
        match self.source.short() {
            s if s.is_empty() => self.describe.clone(),
            s => format!("{} ({s})", self.describe),
        }
    }

    /// What `--print-database` prints: where, as whom, whence; no password.
    pub fn explain(&self) -> String {
        let parsed = url::Url::parse(&self.url).ok();
        let user = parsed.as_ref().map(|u| u.username().to_string()).filter(|u| !u.is_empty());
        let password = if parsed.as_ref().is_some_and(|u| u.password().is_some()) {
            "in the URL"
        } else if std::env::var_os("PGPASSWORD").is_some() {
            "from PGPASSWORD"
        } else {
            "from ~/.pgpass (PGPASSFILE) if it has one, else none"
        };
        format!(
            "database: {}\nuser: {}\npassword: {password}\nfrom: {}{}\n",
            self.describe,
            user.as_deref().unwrap_or("(PGUSER, else the login name)"),
            self.source.explain(),
            if self.readonly { "\nread-only: yes" } else { "" },
        )
    }
}

impl std::fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbTarget({})", self.describe)
    }
}

/// What the command line says about where the database is.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    pub flag: Option<&'a str>,
    pub env_file: Option<&'a Path>,
    pub compose: compose::Choice,
}

/// Finds the database by the precedence above.
pub async fn resolve(req: &Request<'_>) -> Result<DbTarget, ConfigError> {
    if let Some(url) = req.flag.filter(|s| !s.trim().is_empty()) {
        return Ok(DbTarget { source: Source::Flag, ..parse(url)? });
    }
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.trim().is_empty()
    {
        return Ok(DbTarget { source: Source::Environment, ..parse(&url)? });
    }
    let path = req.env_file.unwrap_or(Path::new(".env"));
    if let Some(url) = from_env_file("DATABASE_URL", req.env_file)? {
        return Ok(DbTarget { source: Source::EnvFile(path.to_path_buf()), ..parse(&url)? });
    }
    if let Some(t) = from_libpq()? {
        return Ok(t);
    }
    let mut choice = req.compose.clone();
    if choice.files.is_empty()
        && let Some(list) = setting_or_file("COMPOSE_FILE", req.env_file)?
    {
        let sep = setting_or_file("COMPOSE_PATH_SEPARATOR", req.env_file)?.unwrap_or_else(|| ":".into());
        choice.files = list.split(sep.as_str()).filter(|f| !f.trim().is_empty()).map(PathBuf::from).collect();
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match compose::find(dir, &choice).await? {
        Some(found) => Ok(DbTarget { source: Source::Compose(found.clone()), ..parse(&found.url)? }),
        None => Err(ConfigError::Missing),
    }
}

/// libpq's variables, when they name a server (`PGHOST`, `PGHOSTADDR` or `PGDATABASE`).
/// The URL carries host, port, user and database; sqlx reads the password (`PGPASSWORD`,
/// `.pgpass`) and `PGSSLMODE` from the environment again when it connects.
fn from_libpq() -> Result<Option<DbTarget>, ConfigError> {
    const NAMES: [&str; 8] =
        ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGPASSFILE", "PGSSLMODE"];
    let set = |k: &str| std::env::var(k).is_ok_and(|v| !v.trim().is_empty());
    if !["PGHOST", "PGHOSTADDR", "PGDATABASE"].iter().any(|k| set(k)) {
        return Ok(None);
    }
    if set("PGSERVICE") {
        return Err(ConfigError::PgService);
    }
    let opts = sqlx::postgres::PgConnectOptions::new_without_pgpass();
    let mut url = url::Url::parse("postgres://localhost").map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let host = opts.get_host().to_string();
    if host.starts_with('/') {
        url.query_pairs_mut().append_pair("host", &host);
    } else if url.set_host(Some(&host)).is_err() {
        return Err(ConfigError::Invalid(format!("PGHOST {host:?} is not a host name")));
    }
    let _ = url.set_port(Some(opts.get_port()));
    let _ = url.set_username(opts.get_username());
    url.set_path(opts.get_database().unwrap_or(opts.get_username()));
    let target = parse(url.as_str())?;
    let vars = NAMES.into_iter().filter(|k| set(k)).collect();
    let describe =
        format!("{}:{}/{}", host, opts.get_port(), opts.get_database().unwrap_or(opts.get_username()));
    Ok(Some(DbTarget { describe, source: Source::Libpq(vars), ..target }))
}

/// `KEY` from the environment (non-empty), else the env file.
fn setting_or_file(key: &str, env_file: Option<&Path>) -> Result<Option<String>, ConfigError> {
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => Ok(Some(v)),
        _ => from_env_file(key, env_file),
    }
}

/// `KEY` from the env file (`--env-file`, else `./.env`; a missing `./.env` is no error).
fn from_env_file(key: &str, env_file: Option<&Path>) -> Result<Option<String>, ConfigError> {
    let path = env_file.unwrap_or(Path::new(".env"));
    let file = match EnvFile::read(path) {
        Ok(f) => f,
        Err(e) if env_file.is_none() && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::EnvFile {
                path: path.display().to_string(),
                reason: e.kind().to_string(),
            });
        }
    };
    match file.get(key) {
        Lookup::Missing => Ok(None),
        Lookup::Value(v) => Ok(Some(v.to_string()).filter(|v| !v.trim().is_empty())),
        Lookup::Bad { line, why } => Err(ConfigError::EnvFile {
            path: path.display().to_string(),
            reason: format!("line {line} defines {key} but cannot be read ({})", why.describe()),
        }),
    }
}

/// The warning for a `--database-url` that carries a password: every user of the machine
/// sees command lines in `ps`.
pub fn password_in_argv_warning(flag: Option<&str>) -> Option<&'static str> {
    let url = url::Url::parse(flag?.trim()).ok()?;
    url.password().is_some().then_some(
        "warning: --database-url carries a password, which other users of this machine can see in `ps`; \
         put it in DATABASE_URL or the deployment's .env instead",
    )
}

/// Accepts `postgres://`, `postgresql://` and SQLAlchemy's `postgresql+DRIVER://`.
pub fn parse(raw: &str) -> Result<DbTarget, ConfigError> {
    let raw = raw.trim();
    let (scheme, rest) = raw.split_once("://").ok_or(ConfigError::NotPostgres)?;
    let base = scheme.split('+').next().unwrap_or(scheme).to_ascii_lowercase();
    if base != "postgres" && base != "postgresql" {
        return Err(ConfigError::NotPostgres);
    }
    let url = format!("postgres://{rest}");
    let parsed = url::Url::parse(&url).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let host = parsed.host_str().unwrap_or("localhost");
    let port = parsed.port().unwrap_or(5432);
    let db = parsed.path().trim_start_matches('/');
    let db = if db.is_empty() { parsed.username() } else { db };
    let describe = format!("{host}:{port}/{db}");
    Ok(DbTarget { url, describe, source: Source::Given, readonly: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_web_apps_form() {
        let t = parse("postgresql+asyncpg://app:s3cret@127.0.0.1:55432/skriptoteket").expect("test input");
        assert_eq!(t.url(), "postgres://app:s3cret@127.0.0.1:55432/skriptoteket");
        assert_eq!(t.describe, "127.0.0.1:55432/skriptoteket");
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn accepts_plain_forms() {
        assert_eq!(parse("postgres://u@h/db").expect("test input").describe, "h:5432/db");
        assert_eq!(parse("postgresql://u@h:1/db").expect("test input").describe, "h:1/db");
    }

    #[test]
    fn rejects_other_databases() {
        assert!(matches!(parse("mysql://u@h/db"), Err(ConfigError::NotPostgres)));
        assert!(matches!(parse("just text"), Err(ConfigError::NotPostgres)));
    }

    #[test]
    fn reads_an_env_file() {
        let dir = tempfile::tempdir().expect("test input");
        let p = dir.path().join(".env");
        std::fs::write(&p, "OTHER=1\nDATABASE_URL=postgresql+asyncpg://a:b@db:55432/sk\n")
            .expect("test input");
        assert_eq!(
            from_env_file("DATABASE_URL", Some(&p)).expect("test input").as_deref(),
            Some("postgresql+asyncpg://a:b@db:55432/sk")
        );
        std::fs::write(&p, "OTHER=1\n").expect("test input");
        assert_eq!(from_env_file("DATABASE_URL", Some(&p)).expect("test input"), None);
    }

    #[test]
    fn bad_lines_of_other_keys_are_ignored_and_no_error_quotes_a_line() {
        let dir = tempfile::tempdir().expect("test input");
        let p = dir.path().join(".env");
        std::fs::write(
            &p,
            "BROKEN LINE sk-secret-2\nexport DATABASE_URL = \"postgresql+asyncpg://a:b@db:55432/sk\"\n\
             DATABASE_URL_RO=x\nAPI_KEY=\"sk-secret-1 unterminated\n",
        )
        .expect("test input");
        assert_eq!(
            from_env_file("DATABASE_URL", Some(&p)).expect("test input").as_deref(),
            Some("postgresql+asyncpg://a:b@db:55432/sk")
        );
        std::fs::write(&p, "DATABASE_URL=\"postgres://u:pw-secret@h/db\nOTHER=1\n").expect("test input");
        let e = from_env_file("DATABASE_URL", Some(&p)).expect_err("unclosed quote").to_string();
        assert!(e.contains("line 1") && !e.contains("pw-secret"), "{e}");
    }

    #[test]
    fn a_password_in_the_flag_is_warned_about() {
        assert!(password_in_argv_warning(Some("postgres://u:pw@h/db")).is_some());
        assert!(password_in_argv_warning(Some("postgresql+asyncpg://u:pw@h/db")).is_some());
        assert!(password_in_argv_warning(Some("postgres://u@h/db")).is_none());
        assert!(password_in_argv_warning(None).is_none());
    }
}
