//! The person at the keyboard, as far as this machine can tell: recorded with every audit
//! row besides the signed-in admin account, so "who did this" is answered even when admins
//! share an account or sign in as someone else.

use serde::Serialize;
use std::sync::OnceLock;

/// The most characters an operator field keeps: the environment is the caller's to set,
/// and every audit row carries these (an environment value may be 128 KiB).
pub const MAX_FIELD_CHARS: usize = 255;

/// `s` cut to its first [`MAX_FIELD_CHARS`] characters.
fn bounded(s: &str) -> String {
    s.chars().take(MAX_FIELD_CHARS).collect()
}

/// The client address of an `SSH_CLIENT` / `SSH_CONNECTION` value ("ip port ..."), when its
/// first word is an IP address (written as Rust writes it); anything else is no address.
pub fn ssh_client_ip(value: &str) -> Option<String> {
    let first = value.split_whitespace().next()?;
    first.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// Where a change came from. Every field is best effort: what the environment does not
/// say is left out rather than guessed, and none is longer than [`MAX_FIELD_CHARS`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// The OS account running the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_user: Option<String>,
    /// The account that ran `sudo` to get here (`SUDO_USER`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sudo_user: Option<String>,
    /// The SSH client's address (first field of `SSH_CONNECTION`, else of `SSH_CLIENT`),
    /// only when it is an IP address.
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
        let field = |s: Option<String>| s.map(|s| bounded(s.trim())).filter(|s| !s.is_empty());
        let address = |s: Option<String>| s.as_deref().and_then(ssh_client_ip);
        Operator {
            os_user: field(os_user),
            sudo_user: field(env("SUDO_USER")),
            ssh_client: address(env("SSH_CONNECTION")).or_else(|| address(env("SSH_CLIENT"))),
            host: field(host),
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

    /// Issue 23 point 9: the environment is the caller's; every audit row carries this.
    #[test]
    fn fields_are_bounded_and_the_ssh_client_is_an_address_or_nothing() {
        let huge = "é".repeat(128 * 1024);
        let env = |k: &str| match k {
            "SUDO_USER" => Some(huge.clone()),
            "SSH_CONNECTION" => Some(format!("{huge} 51000 10.0.0.1 22")),
            "SSH_CLIENT" => Some("$(reboot) 51000 22".to_string()),
            _ => None,
        };
        let op = Operator::from_parts(Some(huge.clone()), env, Some(huge.clone()));
        for field in [&op.os_user, &op.sudo_user, &op.host] {
            assert_eq!(field.as_deref().map(|f| f.chars().count()), Some(MAX_FIELD_CHARS));
        }
        assert_eq!(op.ssh_client, None, "neither value starts with an address");
        let garbled_connection = |k: &str| match k {
            "SSH_CONNECTION" => Some("not-an-address 51000 10.0.0.1 22".to_string()),
            "SSH_CLIENT" => Some(" 2001:db8::1 51000 22".to_string()),
            _ => None,
        };
        let op = Operator::from_parts(None, garbled_connection, None);
        assert_eq!(op.ssh_client.as_deref(), Some("2001:db8::1"), "SSH_CLIENT's address then");
    }
}
