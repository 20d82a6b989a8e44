//! What the deployment says about how this tool behaves there: `SKRIPTOTEKET_ADMIN_*`
//! settings from the environment, else the env file.

use super::{ConfigError, from_env_file};
use std::path::Path;

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

/// How often the console's table looks for changes made by others: seconds (`5`, `5s`),
/// or `off`. Default [`DEFAULT_REFRESH`].
pub const REFRESH: &str = "SKRIPTOTEKET_ADMIN_REFRESH";

/// The sign-ins view's "password spraying": one address failing on this many accounts (5).
pub const SPRAY_ACCOUNTS: &str = "SKRIPTOTEKET_ADMIN_SPRAY_ACCOUNTS";
/// The sign-ins view's "brute force": one account failing from this many addresses (5).
pub const BRUTE_FORCE_ADDRESSES: &str = "SKRIPTOTEKET_ADMIN_BRUTE_FORCE_ADDRESSES";

/// The live table's interval when the deployment names none.
pub const DEFAULT_REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// A saved filter: `SKRIPTOTEKET_ADMIN_FILTER_DORMANT=last_login:older:180d` is used as
/// `saved:dormant` in the console's filter and in `--filter`.
pub const FILTER_PREFIX: &str = "SKRIPTOTEKET_ADMIN_FILTER_";

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
    /// Filters saved by name (`saved:NAME`).
    pub saved_filters: crate::domain::filter::SavedFilters,
    /// How often the console's table looks for changes by others; `None`: never.
    pub refresh: Option<std::time::Duration>,
    /// What the sign-ins view names spraying and brute force.
    pub thresholds: crate::domain::sign_ins::Thresholds,
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
            saved_filters: saved_filters(env_file)?,
            refresh: match setting(REFRESH, env_file)? {
                None => Some(DEFAULT_REFRESH),
                Some(text) => {
                    parse_refresh(&text).map_err(|why| ConfigError::BadSetting(REFRESH.into(), why.into()))?
                }
            },
            thresholds: crate::domain::sign_ins::Thresholds {
                spray_accounts: count(SPRAY_ACCOUNTS, 5, env_file)?,
                brute_force_addresses: count(BRUTE_FORCE_ADDRESSES, 5, env_file)?,
            },
        })
    }
}

/// A count of 2 to 10,000 (`default` when unset).
fn count(key: &str, default: i64, env_file: Option<&Path>) -> Result<i64, ConfigError> {
    match setting(key, env_file)? {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (2..=10_000).contains(n))
            .ok_or_else(|| ConfigError::BadSetting(key.into(), "a whole number from 2 to 10000".into())),
    }
}

/// `5`, `5s`, `2m` (1 second to 1 hour), or `off` / `0`.
pub fn parse_refresh(text: &str) -> Result<Option<std::time::Duration>, &'static str> {
    const WHAT: &str = "seconds from 1 to 3600 (5, 5s, 2m), or off";
    let t = text.trim().to_ascii_lowercase();
    if t == "off" || t == "0" {
        return Ok(None);
    }
    let (digits, unit) = match t.strip_suffix('m') {
        Some(d) => (d, 60),
        None => (t.strip_suffix('s').unwrap_or(&t), 1),
    };
    let n: u64 = digits.trim().parse().map_err(|_| WHAT)?;
    let secs = n.checked_mul(unit).filter(|s| (1..=3600).contains(s)).ok_or(WHAT)?;
    Ok(Some(std::time::Duration::from_secs(secs)))
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
pub const SETTINGS: [&str; 8] =
    [REQUIRE_REASON, READONLY, NAME, COLOR, PROTECTED, REFRESH, SPRAY_ACCOUNTS, BRUTE_FORCE_ADDRESSES];

/// `SKRIPTOTEKET_ADMIN_*` keys in the environment or the env file that this version does
/// not know (a typo in a key name would otherwise switch nothing on, silently). Only key
/// names are read from the file, never values.
pub fn unknown_settings(env_file: Option<&Path>) -> Vec<String> {
    let known = |k: &str| SETTINGS.contains(&k) || k.starts_with(FILTER_PREFIX);
    let mut keys: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("SKRIPTOTEKET_ADMIN_"))
        .collect();
    let path = env_file.unwrap_or(Path::new(".env"));
    if let Ok(file) = super::envfile::EnvFile::read(path) {
        keys.extend(file.keys().filter(|k| k.starts_with("SKRIPTOTEKET_ADMIN_")).map(str::to_string));
    }
    keys.retain(|k| !known(k));
    keys.sort();
    keys.dedup();
    keys
}

/// The filters the deployment saves: every `SKRIPTOTEKET_ADMIN_FILTER_<NAME>` of the
/// environment or the env file (the environment wins), by lower-case name. A name of
/// other than letters, digits and `_`, or words the filter language refuses (or another
/// `saved:` inside), is an error naming the key: a typo must not match nothing silently.
pub fn saved_filters(env_file: Option<&Path>) -> Result<crate::domain::filter::SavedFilters, ConfigError> {
    let mut keys: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with(FILTER_PREFIX))
        .collect();
    let path = env_file.unwrap_or(Path::new(".env"));
    if let Ok(file) = super::envfile::EnvFile::read(path) {
        keys.extend(file.keys().filter(|k| k.starts_with(FILTER_PREFIX)).map(str::to_string));
    }
    keys.sort();
    keys.dedup();
    let mut saved = Vec::new();
    for key in keys {
        let name = key[FILTER_PREFIX.len()..].to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ConfigError::BadSetting(key, "a name of letters, digits and _".into()));
        }
        let Some(words) = setting(&key, env_file)? else { continue };
        let words = words.trim().to_string();
        if words.contains("saved:") {
            return Err(ConfigError::BadSetting(key, "a saved filter cannot name another".into()));
        }
        if let Err(why) = crate::domain::filter::UserFilter::parse(&words, time::OffsetDateTime::now_utc()) {
            return Err(ConfigError::BadSetting(key, format!("words of the filter language ({why})")));
        }
        saved.push((name, words));
    }
    Ok(crate::domain::filter::SavedFilters(saved))
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
