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
}

/// A database URL that sqlx accepts, and a password-free description for messages.
#[derive(Clone)]
pub struct DbTarget {
    url: String,
    /// `host:port/database` (never the password).
    pub describe: String,
}

impl DbTarget {
    pub fn url(&self) -> &str {
        &self.url
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

/// A yes/no setting of the deployment: `$KEY`, else `KEY` in the env file. `1`, `true`,
/// `yes`, `on` are yes; `0`, `false`, `no`, `off` or empty are no; anything else is an
/// error naming the key (a typo must not silently turn a safety off).
pub fn switch(key: &str, env_file: Option<&Path>) -> Result<bool, ConfigError> {
    let value = match std::env::var(key) {
        Ok(v) => Some(v),
        Err(_) => from_env_file(key, env_file)?,
    };
    match value.as_deref().map(|v| v.trim().to_ascii_lowercase()).as_deref() {
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
    Ok(DbTarget { url, describe })
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
