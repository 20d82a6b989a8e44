//! How a subcommand failed, told apart for scripts: each kind has its own exit code and,
//! with `--format json`, its own `code` in the JSON error on stdout
//! (`{"error": {"code": "...", "message": "..."}}`). docs/scripting.md has the table.

use super::args::{AuditFormat, Command, Format, OutFormat};
use crate::domain::Denied;
use crate::store::StoreError;

/// A failure's kind. The exit codes are part of the interface: never renumber one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The rules or the data refused it (permissions, no such account, an invalid line, a
    /// dry run that would be refused); nothing was changed.
    Refused,
    /// The command line or the database settings are wrong (a missing or bad argument, an
    /// unsafe password file, no database found, or one the server will not let us into).
    Usage,
    /// The acting admin could not sign in (wrong password, locked, not an admin). Scripts
    /// must not retry this blindly: each try counts towards the lock.
    SignIn,
    /// The database could not be reached, or the connection dropped before anything was
    /// applied.
    Connection,
    /// An account changed since it was read; nothing was changed. Read again, then retry.
    Stale,
    /// Another session held a lock past the lock timeout, or the server stopped a slow
    /// query; nothing was changed. Retry later.
    Busy,
    /// The change WAS applied, but its report was lost (the connection dropped after the
    /// commit, or the output could not be written): check `audit --change ID`.
    AnswerLost,
    /// The connection dropped and the server did not come back: whether the change
    /// applied is unknown. Check `audit --change ID` once the server is back.
    Unknown,
}

impl Kind {
    /// Every kind, in the order of their exit codes.
    pub const ALL: [Kind; 8] = [
        Kind::Refused,
        Kind::Usage,
        Kind::SignIn,
        Kind::Connection,
        Kind::Stale,
        Kind::Busy,
        Kind::AnswerLost,
        Kind::Unknown,
    ];

    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Refused => 1,
            Kind::Usage => 2,
            Kind::SignIn => 3,
            Kind::Connection => 4,
            Kind::Stale => 5,
            Kind::Busy => 6,
            Kind::AnswerLost => 7,
            Kind::Unknown => 8,
        }
    }

    /// The `code` of the JSON error.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Refused => "refused",
            Kind::Usage => "usage",
            Kind::SignIn => "sign_in",
            Kind::Connection => "connection",
            Kind::Stale => "stale",
            Kind::Busy => "busy",
            Kind::AnswerLost => "applied_answer_lost",
            Kind::Unknown => "outcome_unknown",
        }
    }

    /// The kind of a store error.
    pub fn of(e: &StoreError) -> Kind {
        match e {
            StoreError::Connect { .. } | StoreError::ConnectionLost(_) => Kind::Connection,
            // No such database or role, a wrong password: the settings must change, as
            // with a database that cannot be found at all.
            StoreError::Misconfigured { .. } => Kind::Usage,
            StoreError::InvalidCredentials
            | StoreError::AccountLocked { .. }
            | StoreError::EmailNotVerified(_)
            | StoreError::Denied { reason: Denied::NotAnAdmin, .. } => Kind::SignIn,
            StoreError::Stale { .. } | StoreError::RevertStale(_) => Kind::Stale,
            StoreError::Busy { .. } | StoreError::StatementTimeout => Kind::Busy,
            _ => Kind::Refused,
        }
    }
}

/// Whether the subcommand was asked for JSON (then a failure is JSON on stdout as well).
pub fn wants_json(command: Option<&Command>) -> bool {
    let opts = match command {
        Some(
            Command::ProvisionUser { opts, .. }
            | Command::SetRole { opts, .. }
            | Command::ResetPassword { opts, .. }
            | Command::Import { opts, .. }
            | Command::DeactivateDormant { opts, .. }
            | Command::Revert { opts, .. },
        ) => opts,
        Some(Command::RevokeSessions { targets, .. } | Command::Delete { targets, .. }) => &targets.opts,
        Some(
            Command::Deactivate(t) | Command::Activate(t) | Command::Unlock(t) | Command::VerifyEmail(t),
        ) => &t.opts,
        Some(Command::Edit(a)) => &a.opts,
        Some(Command::List { format, .. }) => return matches!(format, Format::Json | Format::Jsonl),
        Some(Command::Audit(a)) => return matches!(a.format, AuditFormat::Json | AuditFormat::Jsonl),
        _ => return false,
    };
    opts.format == OutFormat::Json
}

/// The JSON error object, one line.
pub fn json_error(kind: Kind, message: &str) -> String {
    let v = serde_json::json!({"error": {"code": kind.code(), "exit_code": kind.exit_code(), "message": message}});
    format!("{}\n", crate::export::inert_json(&v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_exit_code_and_json_code() {
        let codes: std::collections::HashSet<u8> = Kind::ALL.iter().map(|k| k.exit_code()).collect();
        let names: std::collections::HashSet<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!((codes.len(), names.len()), (Kind::ALL.len(), Kind::ALL.len()));
        assert!(!codes.contains(&0), "0 is success");
        let shown = json_error(Kind::Stale, "anna@x.se was changed");
        let v: serde_json::Value = serde_json::from_str(&shown).expect("JSON");
        assert_eq!((v["error"]["code"].as_str(), v["error"]["exit_code"].as_u64()), (Some("stale"), Some(5)));
    }
}
