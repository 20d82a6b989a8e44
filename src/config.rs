//! Where the database is: `--database-url`, else `$DATABASE_URL`, else `DATABASE_URL` in
//! `./.env` (or `--env-file`). The web app's `postgresql+asyncpg://` form is accepted as is.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no database given: pass --database-url, set DATABASE_URL, or run where a .env file defines it")]
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
}

/// A database URL that sqlx accepts, and a password-free description for messages.
#[derive(Clone)]
pub struct DbTarget {
    url: String,
    /// `host:port/database` (never the password).
    pub describe: String,
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
}

impl std::fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbTarget({})", self.describe)
    }
}

/// Finds the URL by precedence: flag, environment, env file.
pub fn resolve(flag: Option<&str>, env_file: Option<&Path>) -> Result<DbTarget, ConfigError> {
    if let Some(url) = flag.filter(|s| !s.trim().is_empty()) {
        return parse(url);
    }
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.trim().is_empty()
    {
        return parse(&url);
    }
    match from_env_file("DATABASE_URL", env_file)? {
        Some(url) => parse(&url),
        None => Err(ConfigError::Missing),
    }
}

/// `KEY` from the env file (`--env-file`, else `./.env`; a missing `./.env` is no error).
fn from_env_file(key: &str, env_file: Option<&Path>) -> Result<Option<String>, ConfigError> {
    let explicit = env_file.is_some();
    let path: PathBuf = env_file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(".env"));
    match read_env_file(&path, key) {
        Err(_) if !explicit && !path.exists() => Ok(None),
        other => other,
    }
}

/// Makes every console and subcommand confirmation of a change ask for a reason.
pub const REQUIRE_REASON: &str = "SKRIPTOTEKET_ADMIN_REQUIRE_REASON";
/// Read-only mode (as `--readonly`).
pub const READONLY: &str = "SKRIPTOTEKET_ADMIN_READONLY";
/// The deployment's name, shown in the console's header.
pub const NAME: &str = "SKRIPTOTEKET_ADMIN_NAME";
/// The colour of that name: red, yellow, green, blue, magenta or cyan.
pub const COLOR: &str = "SKRIPTOTEKET_ADMIN_COLOR";
/// A protected deployment asks for its name typed before a destructive change to several
/// accounts.
pub const PROTECTED: &str = "SKRIPTOTEKET_ADMIN_PROTECTED";

/// The colours a deployment name may have.
pub const COLORS: [&str; 6] = ["red", "yellow", "green", "blue", "magenta", "cyan"];

/// What the deployment says about how this tool behaves there: from the environment, else
/// the env file (only these keys are read from it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployment {
    pub readonly: bool,
    pub require_reason: bool,
    /// Shown in the console's header ("prod-skola").
    pub name: Option<String>,
    pub color: Option<String>,
    /// Destructive changes to several accounts need the name typed (needs `name`).
    pub protected: bool,
}

impl Deployment {
    /// Reads the settings; `readonly_flag` is `--readonly`. A bad value is an error naming
    /// its key: a typo must not switch a safety off.
    pub fn load(readonly_flag: bool, env_file: Option<&Path>) -> Result<Deployment, ConfigError> {
        let name = setting(NAME, env_file)?.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if let Some(n) = &name
            && (n.chars().count() > 40 || n.chars().any(crate::domain::sanitize::is_unsafe))
        {
            return Err(ConfigError::BadSetting(NAME.into(), "at most 40 printable characters".into()));
        }
        let color =
            setting(COLOR, env_file)?.map(|c| c.trim().to_ascii_lowercase()).filter(|c| !c.is_empty());
        if let Some(c) = &color
            && !COLORS.contains(&c.as_str())
        {
            return Err(ConfigError::BadSetting(COLOR.into(), format!("one of {}", COLORS.join(", "))));
        }
        let protected = switch(PROTECTED, env_file)?;
        if protected && name.is_none() {
            return Err(ConfigError::BadSetting(
                PROTECTED.into(),
                format!("a protected deployment needs its name in {NAME}"),
            ));
        }
        Ok(Deployment {
            readonly: readonly_flag || switch(READONLY, env_file)?,
            require_reason: switch(REQUIRE_REASON, env_file)?,
            name,
            color,
            protected,
        })
    }
}

/// A text setting: `$KEY`, else `KEY` in the env file. An empty variable counts as unset
/// (compose's `${RO}` with RO unset must not override `KEY=1` in the env file).
fn setting(key: &str, env_file: Option<&Path>) -> Result<Option<String>, ConfigError> {
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => Ok(Some(v)),
        _ => from_env_file(key, env_file),
    }
}

/// Every `SKRIPTOTEKET_ADMIN_*` setting this version reads.
pub const SETTINGS: [&str; 5] = [REQUIRE_REASON, READONLY, NAME, COLOR, PROTECTED];

/// `SKRIPTOTEKET_ADMIN_*` keys in the environment or the env file that this version does
/// not know (a typo in a key name would otherwise switch nothing on, silently). Only key
/// names are read from the file, never values.
pub fn unknown_settings(env_file: Option<&Path>) -> Vec<String> {
    let known = |k: &str| SETTINGS.contains(&k);
    let mut keys: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("SKRIPTOTEKET_ADMIN_"))
        .collect();
    let path: PathBuf = env_file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(".env"));
    if let Ok(bytes) = std::fs::read(&path) {
        for line in bytes.split(|b| *b == b'\n') {
            let Ok(line) = std::str::from_utf8(line) else { continue };
            let bare = line.trim_start();
            let bare = bare.strip_prefix("export ").map_or(bare, str::trim_start);
            if let Some((k, _)) = bare.split_once('=')
                && k.trim_end().starts_with("SKRIPTOTEKET_ADMIN_")
            {
                keys.push(k.trim_end().to_string());
            }
        }
    }
    keys.retain(|k| !known(k));
    keys.sort();
    keys.dedup();
    keys
}

/// A yes/no setting of the deployment: `$KEY`, else `KEY` in the env file. `1`, `true`,
/// `yes`, `on` are yes; `0`, `false`, `no`, `off` or empty are no; anything else is an
/// error naming the key (a typo must not silently turn a safety off).
pub fn switch(key: &str, env_file: Option<&Path>) -> Result<bool, ConfigError> {
    match setting(key, env_file)?.as_deref().map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(_) => Err(ConfigError::BadSwitch(key.to_string())),
    }
}

/// Reads `KEY` from a dotenv file without touching the process environment.
/// The deployment's `.env` holds the web app's secrets too: only the lines that define
/// `KEY` are parsed (by dotenvy, one line at a time), a bad line elsewhere is
/// ignored, and no error ever quotes a line.
fn read_env_file(path: &Path, key: &str) -> Result<Option<String>, ConfigError> {
    let err = |reason: String| ConfigError::EnvFile { path: path.display().to_string(), reason };
    let bytes = std::fs::read(path).map_err(|e| err(e.kind().to_string()))?;
    let mut found = None;
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let Ok(line) = std::str::from_utf8(line) else { continue };
        let bare = line.trim_start();
        let bare = bare.strip_prefix("export ").map_or(bare, str::trim_start);
        let Some(rest) = bare.strip_prefix(key) else { continue };
        if !rest.trim_start().starts_with('=') {
            continue; // another key that starts alike (DATABASE_URL_RO, say)
        }
        match dotenvy::from_read_iter(bare.as_bytes()).next() {
            // A later definition wins, as in a shell.
            Some(Ok((k, v))) if k == key => found = Some(v),
            _ => {
                return Err(err(format!(
                    "line {} defines {key} but cannot be read (a quote not closed?)",
                    n + 1
                )));
            }
        }
    }
    Ok(found)
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
    Ok(DbTarget { url, describe, readonly: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_web_apps_form() {
        let t = parse("postgresql+asyncpg://app:s3cret@127.0.0.1:55432/skriptoteket").unwrap();
        assert_eq!(t.url(), "postgres://app:s3cret@127.0.0.1:55432/skriptoteket");
        assert_eq!(t.describe, "127.0.0.1:55432/skriptoteket");
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn accepts_plain_forms() {
        assert_eq!(parse("postgres://u@h/db").unwrap().describe, "h:5432/db");
        assert_eq!(parse("postgresql://u@h:1/db").unwrap().describe, "h:1/db");
    }

    #[test]
    fn rejects_other_databases() {
        assert!(matches!(parse("mysql://u@h/db"), Err(ConfigError::NotPostgres)));
        assert!(matches!(parse("just text"), Err(ConfigError::NotPostgres)));
    }

    #[test]
    fn reads_an_env_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        std::fs::write(&p, "OTHER=1\nDATABASE_URL=postgresql+asyncpg://a:b@db:55432/sk\n").unwrap();
        assert_eq!(
            read_env_file(&p, "DATABASE_URL").unwrap().as_deref(),
            Some("postgresql+asyncpg://a:b@db:55432/sk")
        );
        std::fs::write(&p, "OTHER=1\n").unwrap();
        assert_eq!(read_env_file(&p, "DATABASE_URL").unwrap(), None);
    }

    #[test]
    fn bad_lines_of_other_keys_are_ignored_and_no_error_quotes_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        std::fs::write(
            &p,
            "API_KEY=\"sk-secret-1 unterminated\nBROKEN LINE sk-secret-2\n\
             export DATABASE_URL = \"postgresql+asyncpg://a:b@db:55432/sk\"\nDATABASE_URL_RO=x\n",
        )
        .unwrap();
        assert_eq!(
            read_env_file(&p, "DATABASE_URL").unwrap().as_deref(),
            Some("postgresql+asyncpg://a:b@db:55432/sk")
        );
        std::fs::write(&p, "DATABASE_URL=\"postgres://u:pw-secret@h/db\nOTHER=1\n").unwrap();
        let e = read_env_file(&p, "DATABASE_URL").expect_err("unclosed quote").to_string();
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
