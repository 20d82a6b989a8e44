//! The database of the compose project in this folder, found the way the deployment finds
//! it: compose's own resolved configuration names `DATABASE_URL` for a service, and when its
//! host is a container name (production's `shared-postgres` on `hule-network`, which
//! publishes no port and resolves only inside docker networks) the tool connects to that
//! container's address on the network the service shares with it. On Linux the host
//! reaches container addresses on bridge networks directly.
//!
//! Docker commands run, all read-only: `docker compose ls` (which files the running project
//! was started from), `docker compose config` (the resolved configuration, `.env` applied by
//! compose itself), `docker info` (rootless or Desktop engines, whose container addresses
//! the host cannot reach), `docker inspect` (the container's state and addresses) and
//! `docker network inspect` (a container known by a service alias).

use super::docker::{self, DockerError};
use serde_json::Value;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The compose files a folder may hold, in the order compose itself prefers the first four.
pub const CANDIDATES: [&str; 8] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.prod.yaml",
    "compose.prod.yml",
    "docker-compose.prod.yml",
    "docker-compose.prod.yaml",
];

/// What the admin said about the compose project.
#[derive(Clone, Debug, Default)]
pub struct Choice {
    /// `--compose-file` (repeatable), else `COMPOSE_FILE`.
    pub files: Vec<PathBuf>,
    /// `--compose-service`: which service's `DATABASE_URL` when several differ.
    pub service: Option<String>,
}

/// Where the compose project's database was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The URL to connect with (the container's address in place of its name).
    pub url: String,
    /// The compose files, as given or found (names relative to the folder when inside it).
    pub files: Vec<String>,
    pub service: String,
    /// How the URL names the database host, and what it turned out to be.
    pub host: String,
    pub route: Route,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The URL's host is an address already (or the docker host itself).
    Direct,
    /// A container, reached at its address on a network it shares with the service.
    Container { name: String, network: String, address: IpAddr },
}

/// A failure to find the database through compose, in one line with what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ComposeError {
    #[error("{0}")]
    Docker(#[from] DockerError),
    #[error("compose file {0} does not exist")]
    NoFile(String),
    #[error(
        "several compose projects were started from this folder ({0}): name the files with --compose-file"
    )]
    SeveralProjects(String),
    #[error(
        "`docker compose config` printed no JSON configuration (compose 2.25.0 has that bug: upgrade compose)"
    )]
    NotJson,
    #[error(
        "no service of {files} defines DATABASE_URL: give the database with DATABASE_URL or PGHOST instead"
    )]
    NoUrl { files: String },
    #[error("{0} define different databases: choose one with --compose-service (or --compose-file)")]
    Ambiguous(String),
    #[error("no service {service} with a DATABASE_URL in {files}")]
    NoSuchService { service: String, files: String },
    #[error("DATABASE_URL of service {0} is not a PostgreSQL URL")]
    NotPostgres(String),
    #[error("{engine} docker: the host cannot reach container addresses; {FALLBACKS}")]
    Unreachable { engine: &'static str },
    #[error("container {name} is not running ({status}): start it (`docker start {name}`) and try again")]
    NotRunning { name: String, status: String },
    #[error(
        "no running container answers to {host} on {networks}: is the database container up? (`docker ps`)"
    )]
    NoContainer { host: String, networks: String },
    #[error(
        "container {name} is not on a network of service {service} ({networks}), so {host} means nothing to it"
    )]
    NotShared { name: String, service: String, host: String, networks: String },
    #[error("unexpected output from `docker {0}`")]
    Unexpected(&'static str),
}

/// What to do where the host cannot reach container addresses.
pub const FALLBACKS: &str = "publish the database's port to 127.0.0.1 and set PGHOST/PGPORT, or run the \
    tool inside the network (`docker run --rm -it --network hule-network ...`); see docs/deployment.md";

/// The compose project of `dir`: `None` when there is none (no file given, no
/// `COMPOSE_FILE`, no compose file in the folder), else its database or why not.
pub async fn find(dir: &Path, choice: &Choice) -> Result<Option<Found>, ComposeError> {
    let sets = match file_sets(dir, choice).await? {
        Some(sets) => sets,
        None => return Ok(None),
    };
    let mut defs: Vec<(Vec<String>, String, String, Value)> = Vec::new();
    for set in &sets {
        let config = config(dir, set).await?;
        let shown: Vec<String> = set.iter().map(|f| shown_name(dir, f)).collect();
        for (service, url) in urls(&config) {
            defs.push((shown.clone(), service, url, config.clone()));
        }
    }
    let all_files = sets.iter().flatten().map(|f| shown_name(dir, f)).collect::<Vec<_>>().join(", ");
    if let Some(want) = &choice.service {
        defs.retain(|(_, s, _, _)| s == want);
        if defs.is_empty() {
            return Err(ComposeError::NoSuchService { service: want.clone(), files: all_files });
        }
    }
    let Some(first) = defs.first() else {
        return Err(ComposeError::NoUrl { files: all_files });
    };
    if defs.iter().any(|(_, _, url, _)| url != &first.2) {
        let named = defs
            .iter()
            .map(|(files, service, _, _)| format!("service {service} in {}", files.join(" + ")))
            .collect::<Vec<_>>()
            .join(" and ");
        return Err(ComposeError::Ambiguous(named));
    }
    let (files, service, url, config) = first.clone();
    locate(files, service, &url, &config).await.map(Some)
}

/// The sets of compose files to ask about: the files given, else those the running
/// project of this folder was started with, else each compose file of the folder alone.
async fn file_sets(dir: &Path, choice: &Choice) -> Result<Option<Vec<Vec<PathBuf>>>, ComposeError> {
    if !choice.files.is_empty() {
        let files: Vec<PathBuf> = choice.files.iter().map(|f| dir.join(f)).collect();
        if let Some(missing) = files.iter().find(|f| !f.is_file()) {
            return Err(ComposeError::NoFile(missing.display().to_string()));
        }
        return Ok(Some(vec![files]));
    }
    let present: Vec<PathBuf> = CANDIDATES.iter().map(|c| dir.join(c)).filter(|p| p.is_file()).collect();
    if present.is_empty() {
        return Ok(None);
    }
    if let Some(files) = running_project(dir).await? {
        return Ok(Some(vec![files]));
    }
    Ok(Some(present.into_iter().map(|p| vec![p]).collect()))
}

/// The files of the compose project started from `dir`, as `docker compose ls` lists it.
async fn running_project(dir: &Path) -> Result<Option<Vec<PathBuf>>, ComposeError> {
    let out = docker::run(&["compose", "ls", "--all", "--format", "json"], true).await?;
    let projects: Value =
        serde_json::from_slice(&out.stdout).map_err(|_| ComposeError::Unexpected("compose ls"))?;
    let here = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut found: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for p in projects.as_array().into_iter().flatten() {
        let files: Vec<PathBuf> = p["ConfigFiles"]
            .as_str()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
            .collect();
        let in_here = |f: &PathBuf| f.parent().and_then(|d| d.canonicalize().ok()).is_some_and(|d| d == here);
        if !files.is_empty() && files.iter().all(in_here) {
            found.push((p["Name"].as_str().unwrap_or("?").to_string(), files));
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop().map(|(_, files)| files)),
        _ => Err(ComposeError::SeveralProjects(
            found.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "),
        )),
    }
}

/// `docker compose config` of `files`: the configuration with `.env` applied by compose.
async fn config(dir: &Path, files: &[PathBuf]) -> Result<Value, ComposeError> {
    let dir_s = dir.display().to_string();
    let file_s: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut args: Vec<&str> = vec!["compose", "--project-directory", &dir_s];
    for f in &file_s {
        args.extend(["-f", f.as_str()]);
    }
    args.extend(["config", "--format", "json"]);
    let out = docker::run(&args, false).await?;
    serde_json::from_slice(&out.stdout).map_err(|_| ComposeError::NotJson)
}

/// Every service's `DATABASE_URL`, by service name.
fn urls(config: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = config["services"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, svc)| {
            let url = match &svc["environment"] {
                Value::Object(env) => env.get("DATABASE_URL").and_then(Value::as_str).map(str::to_string),
                // The list form, should a compose print it unnormalised.
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .find_map(|kv| kv.strip_prefix("DATABASE_URL=").map(str::to_string)),
                _ => None,
            }?;
            Some((name.clone(), url))
        })
        .filter(|(_, url)| !url.trim().is_empty())
        .collect();
    out.sort();
    out
}

/// Where the service's database is, from the host's side.
async fn locate(
    files: Vec<String>,
    service: String,
    raw: &str,
    config: &Value,
) -> Result<Found, ComposeError> {
    let target = super::parse(raw).map_err(|_| ComposeError::NotPostgres(service.clone()))?;
    let mut url = url::Url::parse(target.url()).map_err(|_| ComposeError::NotPostgres(service.clone()))?;
    let host = url.host_str().unwrap_or("localhost").trim_matches(['[', ']']).to_string();
    let found = |url: &url::Url, route| Found {
        url: url.to_string(),
        files: files.clone(),
        service: service.clone(),
        host: host.clone(),
        route,
    };
    if host.parse::<IpAddr>().is_ok() {
        return Ok(found(&url, Route::Direct));
    }
    if host == "host.docker.internal" {
        let _ = url.set_host(Some("127.0.0.1"));
        return Ok(found(&url, Route::Direct));
    }
    check_engine().await?;
    let networks = service_networks(config, &service);
    let (name, network, address) = container(&host, &service, &networks).await?;
    let literal = match address {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    };
    url.set_host(Some(&literal)).map_err(|_| ComposeError::Unexpected("inspect"))?;
    Ok(found(&url, Route::Container { name, network, address }))
}

/// Refuses engines whose container addresses the host cannot reach.
async fn check_engine() -> Result<(), ComposeError> {
    if let Ok(h) = std::env::var("DOCKER_HOST")
        && (h.starts_with("tcp://") || h.starts_with("ssh://"))
    {
        return Err(ComposeError::Unreachable { engine: "a remote (DOCKER_HOST)" });
    }
    let out = docker::run(&["info", "--format", "{{json .}}"], true).await?;
    let info: Value = serde_json::from_slice(&out.stdout).map_err(|_| ComposeError::Unexpected("info"))?;
    let rootless = info["SecurityOptions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|o| o.split(',').any(|part| part == "name=rootless"));
    if rootless {
        return Err(ComposeError::Unreachable { engine: "rootless" });
    }
    if info["OperatingSystem"].as_str().is_some_and(|os| os.contains("Docker Desktop")) {
        return Err(ComposeError::Unreachable { engine: "Docker Desktop's" });
    }
    Ok(())
}

/// The docker networks of `service` (compose's keys mapped to the networks' real names).
fn service_networks(config: &Value, service: &str) -> Vec<String> {
    let keys: Vec<String> = match &config["services"][service]["networks"] {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec!["default".to_string()],
    };
    let project = config["name"].as_str().unwrap_or_default();
    keys.into_iter()
        .map(|k| {
            config["networks"][&k]["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{project}_{k}"))
        })
        .collect()
}

/// The container that `host` names on one of `networks`: by container name first, else
/// by an alias (a compose service name) among the containers on those networks.
async fn container(
    host: &str,
    service: &str,
    networks: &[String],
) -> Result<(String, String, IpAddr), ComposeError> {
    let on_networks = || networks.join(", ");
    if let Some(c) = inspect(&[host]).await?.into_iter().next() {
        let name = c["Name"].as_str().unwrap_or(host).trim_start_matches('/').to_string();
        if c["State"]["Running"].as_bool() != Some(true) {
            let status = c["State"]["Status"].as_str().unwrap_or("stopped").to_string();
            return Err(ComposeError::NotRunning { name, status });
        }
        for net in networks {
            if let Some(ip) = address(&c, net) {
                return Ok((name, net.clone(), ip));
            }
        }
        return Err(ComposeError::NotShared {
            name,
            service: service.to_string(),
            host: host.to_string(),
            networks: on_networks(),
        });
    }
    for net in networks {
        let out = match docker::run(&["network", "inspect", net], true).await {
            Ok(o) => o,
            Err(DockerError::Failed { .. }) => continue, // a network not created yet
            Err(e) => return Err(e.into()),
        };
        let info: Value =
            serde_json::from_slice(&out.stdout).map_err(|_| ComposeError::Unexpected("network inspect"))?;
        let ids: Vec<&str> =
            info[0]["Containers"].as_object().into_iter().flatten().map(|(id, _)| id.as_str()).collect();
        if ids.is_empty() {
            continue;
        }
        for c in inspect(&ids).await? {
            let endpoint = &c["NetworkSettings"]["Networks"][net];
            let answers = ["Aliases", "DNSNames"]
                .iter()
                .any(|k| endpoint[*k].as_array().into_iter().flatten().any(|a| a.as_str() == Some(host)));
            if answers && c["State"]["Running"].as_bool() == Some(true) {
                let name = c["Name"].as_str().unwrap_or(host).trim_start_matches('/').to_string();
                if let Some(ip) = address(&c, net) {
                    return Ok((name, net.clone(), ip));
                }
            }
        }
    }
    Err(ComposeError::NoContainer { host: host.to_string(), networks: on_networks() })
}

/// `docker inspect --type container` of `names`: the containers found (none when no such).
async fn inspect(names: &[&str]) -> Result<Vec<Value>, ComposeError> {
    let mut args = vec!["inspect", "--type", "container"];
    args.extend_from_slice(names);
    match docker::run(&args, true).await {
        Ok(out) => {
            let v: Value =
                serde_json::from_slice(&out.stdout).map_err(|_| ComposeError::Unexpected("inspect"))?;
            Ok(v.as_array().cloned().unwrap_or_default())
        }
        Err(DockerError::Failed { detail: Some(d), .. }) if d.to_ascii_lowercase().contains("no such") => {
            Ok(vec![])
        }
        Err(e) => Err(e.into()),
    }
}

/// A container's address on `network`.
fn address(container: &Value, network: &str) -> Option<IpAddr> {
    let ep = &container["NetworkSettings"]["Networks"][network];
    ["IPAddress", "GlobalIPv6Address"]
        .iter()
        .filter_map(|k| ep[*k].as_str())
        .find_map(|a| a.parse::<IpAddr>().ok())
}

/// A compose file's name for messages: relative to the folder when inside it.
fn shown_name(dir: &Path, file: &Path) -> String {
    let here = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let full = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    full.strip_prefix(&here).map(|p| p.display().to_string()).unwrap_or_else(|_| file.display().to_string())
}
