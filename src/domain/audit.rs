//! The audit log's words, shared by the console, the subcommands and the store: one entry
//! as read back, which actions are sign-ins, and a change's before and after in a line.

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// One entry as read back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor_email: String,
    pub action: String,
    pub target_id: Option<Uuid>,
    pub target_email: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// `None` for rows written before change ids existed.
    pub change_id: Option<Uuid>,
    pub operator: Option<Value>,
    pub reason: Option<String>,
    pub reverts: Option<Uuid>,
}

/// One change as the audit viewer lists it. `first` is its first entry: the time, actor,
/// action, reason, operator and the change it reverts are the change's own (every entry of
/// a change carries the same), the target and values are its first account's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeSummary {
    pub first: AuditRow,
    /// Entries of the change the filter kept.
    pub matching: i64,
    /// Entries the change has: the accounts it touched.
    pub accounts: i64,
}

impl ChangeSummary {
    /// A change of one entry (or an entry written before changes had ids), as its own row.
    pub fn single(first: AuditRow) -> ChangeSummary {
        ChangeSummary { first, matching: 1, accounts: 1 }
    }

    /// "anna@x.se" for a change of one account, "101 accounts", or "3 of 101 accounts"
    /// where the filter kept only some.
    pub fn what(&self) -> String {
        if self.accounts <= 1 {
            return self.first.target_email.clone().unwrap_or_else(|| "-".into());
        }
        let all = crate::plural::count(self.accounts, "account");
        if self.matching < self.accounts { format!("{} of {all}", self.matching) } else { all }
    }
}

/// The actions a sign-in writes: many, and rarely what an admin looks for, so hidden unless
/// asked for ([`super::audit_filter::AuditFilter::sign_ins`], or naming them).
pub const SIGN_IN_ACTIONS: [&str; 2] = ["sign_in", "sign_in_failed"];

/// `{"before": ..}` → compact text for tables: `role: user → admin`.
pub fn describe_change(before: &Option<Value>, after: &Option<Value>) -> String {
    let fmt = |v: &Option<Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => other.to_string(),
    };
    let (b, a) = (fmt(before), fmt(after));
    match (b.is_empty(), a.is_empty()) {
        (true, true) => String::new(),
        (true, false) => a,
        (false, true) => format!("{b} → (gone)"),
        (false, false) => format!("{b} → {a}"),
    }
}
