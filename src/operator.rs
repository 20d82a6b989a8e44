//! The person at the keyboard, as far as this machine can tell: recorded with every audit
//! row besides the signed-in admin account, so "who did this" is answered even when admins
//! share an account or sign in as someone else.

use serde::Serialize;
use std::sync::OnceLock;

/// Where a change came from. Every field is best effort: what the environment does not
/// say is left out rather than guessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// The OS account running the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_user: Option<String>,
    /// The account that ran `sudo` to get here (`SUDO_USER`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sudo_user: Option<String>,
    /// The SSH client's address (first field of `SSH_CONNECTION`, else of `SSH_CLIENT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_client: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// This tool's version and the commit it was built from.
    pub tool: String,
}

impl Operator {
    /// The operator of this process, read from the environment once.
    pub fn current() -> &'static Operator {
        static CURRENT: OnceLock<Operator> = OnceLock::new();
        CURRENT.get_or_init(|| {
            Operator::from_parts(whoami::username().ok(), |k| std::env::var(k).ok(), whoami::hostname().ok())
        })
    }

    /// Assembles an operator from the OS user, an environment lookup and the host name.
    pub fn from_parts(
        os_user: Option<String>,
        env: impl Fn(&str) -> Option<String>,
        host: Option<String>,
    ) -> Operator {
        let nonblank = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let first_field =
            |s: Option<String>| nonblank(s).and_then(|s| s.split_whitespace().next().map(str::to_string));
        Operator {
            os_user: nonblank(os_user),
            sudo_user: nonblank(env("SUDO_USER")),
            ssh_client: first_field(env("SSH_CONNECTION")).or_else(|| first_field(env("SSH_CLIENT"))),
            host: nonblank(host),
            tool: format!("skriptoteket-admin {}", crate::cli::args::VERSION),
        }
    }

    /// One line for tables: `anna (sudo from bo) via ssh 10.1.2.3 on web1`.
    pub fn describe(value: &serde_json::Value) -> String {
        let get = |k: &str| value.get(k).and_then(|v| v.as_str()).map(crate::domain::sanitize::clean);
        let mut s = get("os_user").map(|c| c.into_owned()).unwrap_or_else(|| "?".into());
        if let Some(sudo) = get("sudo_user") {
            s.push_str(&format!(" (sudo from {sudo})"));
        }
        if let Some(ssh) = get("ssh_client") {
            s.push_str(&format!(" via ssh {ssh}"));
        }
        if let Some(host) = get("host") {
            s.push_str(&format!(" on {host}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_connection_wins_and_blank_values_are_left_out() {
        let env = |k: &str| match k {
            "SUDO_USER" => Some("bo".to_string()),
            "SSH_CONNECTION" => Some("10.1.2.3 51000 10.0.0.1 22".to_string()),
            "SSH_CLIENT" => Some("192.0.2.9 51000 22".to_string()),
            _ => None,
        };
        let op = Operator::from_parts(Some("anna".into()), env, Some(" ".into()));
        assert_eq!(op.sudo_user.as_deref(), Some("bo"));
        assert_eq!(op.ssh_client.as_deref(), Some("10.1.2.3"));
        assert_eq!(op.host, None);
        let json = serde_json::to_value(&op).expect("operator as JSON");
        assert_eq!(Operator::describe(&json), "anna (sudo from bo) via ssh 10.1.2.3");
        let only_client =
            Operator::from_parts(None, |k| (k == "SSH_CLIENT").then(|| "192.0.2.9 1 22".into()), None);
        assert_eq!(only_client.ssh_client.as_deref(), Some("192.0.2.9"));
    }
}
