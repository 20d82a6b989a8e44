//! The few docker commands the tool runs to find a compose project's database, and what
//! their failures mean to an admin. Only commands that read are run (`compose ls`,
//! `compose config`, `info`, `inspect`, `network inspect`); never `exec`, `run` or `up`.

use std::time::Duration;

/// How long one docker command may take (a hung daemon must not hang the start).
const DOCKER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why docker could not answer, each with what to do, in one line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DockerError {
    #[error(
        "docker is not installed here (no `docker` on PATH), so the compose project cannot be asked \
         where its database is: give the database with DATABASE_URL or PGHOST instead"
    )]
    Missing,
    #[error(
        "docker refused to answer: permission denied on its socket; run as a member of the docker \
         group (`sudo usermod -aG docker $USER`, then log in again) or with sudo, or give the \
         database with DATABASE_URL"
    )]
    Permission,
    #[error(
        "the docker daemon does not answer (is it running? `systemctl status docker`), so the \
         database container cannot be found"
    )]
    DaemonDown,
    #[error(
        "docker has no compose plugin (`docker compose` is unknown): install docker-compose-plugin, \
         or give the database with DATABASE_URL"
    )]
    NoCompose,
    #[error("`docker {0}` did not answer within {secs} s", secs = DOCKER_TIMEOUT.as_secs())]
    Timeout(String),
    /// Any other failure; `detail` is docker's first line, only for commands whose errors
    /// cannot quote the deployment's files.
    #[error("`docker {command}` failed{}", detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    Failed { command: String, detail: Option<String> },
}

/// What a docker command printed, when it exited 0.
pub struct Output {
    pub stdout: Vec<u8>,
}

/// Runs `docker ARGS` (the `docker` on PATH) with no standard input, bounded in time.
/// `quote_errors`: whether docker's own first line of error may be shown; never for
/// `compose config`, whose errors can quote a line of `.env`.
pub async fn run(args: &[&str], quote_errors: bool) -> Result<Output, DockerError> {
    let command = args.iter().take_while(|a| !a.starts_with('-')).copied().collect::<Vec<_>>().join(" ");
    let child = tokio::process::Command::new("docker")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(DockerError::Missing),
        Err(e) => return Err(DockerError::Failed { command, detail: Some(e.to_string()) }),
    };
    let out = match tokio::time::timeout(DOCKER_TIMEOUT, child.wait_with_output()).await {
        Err(_) => return Err(DockerError::Timeout(command)),
        Ok(Err(e)) => return Err(DockerError::Failed { command, detail: Some(e.to_string()) }),
        Ok(Ok(o)) => o,
    };
    if out.status.success() {
        return Ok(Output { stdout: out.stdout });
    }
    Err(classify(&command, &String::from_utf8_lossy(&out.stderr), quote_errors))
}

/// docker's error text, read for the failures an admin can fix.
fn classify(command: &str, stderr: &str, quote_errors: bool) -> DockerError {
    let lower = stderr.to_ascii_lowercase();
    if lower.contains("permission denied") && lower.contains("docker") {
        DockerError::Permission
    } else if lower.contains("cannot connect to the docker daemon")
        || lower.contains("is the docker daemon running")
    {
        DockerError::DaemonDown
    } else if lower.contains("'compose' is not a docker command")
        || lower.contains("unknown command: docker compose")
        || lower.contains("unknown shorthand flag: 'f' in -f")
    {
        DockerError::NoCompose
    } else {
        let detail = quote_errors
            .then(|| stderr.lines().map(str::trim).find(|l| !l.is_empty()).map(first_line))
            .flatten();
        DockerError::Failed { command: command.to_string(), detail }
    }
}

/// One line of docker's, bounded and without control characters.
fn first_line(line: &str) -> String {
    let clean = crate::domain::sanitize::clean(line);
    let mut s: String = clean.chars().take(200).collect();
    if clean.chars().count() > 200 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_an_admin_can_fix_are_named() {
        let perm = "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info\": dial unix /var/run/docker.sock: connect: permission denied";
        assert_eq!(classify("info", perm, true), DockerError::Permission);
        let down = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
        assert_eq!(classify("inspect", down, true), DockerError::DaemonDown);
        assert_eq!(
            classify("compose", "docker: 'compose' is not a docker command.", true),
            DockerError::NoCompose
        );
        assert_eq!(classify("compose", "unknown shorthand flag: 'f' in -f", true), DockerError::NoCompose);
    }

    #[test]
    fn errors_of_compose_config_are_never_quoted() {
        let e = classify(
            "compose config",
            "failed to read .env: line 3: unexpected character in \"SECRET=abc\"",
            false,
        );
        assert!(!e.to_string().contains("SECRET"), "{e}");
        let e = classify("inspect", "Error: No such object: x\n", true);
        assert!(e.to_string().ends_with("Error: No such object: x"), "{e}");
    }
}
