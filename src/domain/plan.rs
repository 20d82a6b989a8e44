//! What a change would do, worked out without doing it: the answer of `--dry-run`. Each
//! account with its values before and after (the same values its audit row would hold),
//! or why it is skipped; and, when the change would be refused, the refusal.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// The audit name of the change (`set_role`, `deactivate`, ...).
    pub action: String,
    pub targets: Vec<PlanItem>,
    /// The message the change itself would fail with; `None` when it could run.
    pub refused: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanItem {
    pub email: String,
    pub id: Option<Uuid>,
    pub before: Value,
    pub after: Value,
    /// Why nothing would be written for this account ("already so").
    pub skipped: Option<String>,
}

impl Plan {
    /// A plan refused before any account could be looked at (an unknown email, say).
    pub fn refused(action: &str, why: String) -> Plan {
        Plan { action: action.to_string(), targets: Vec::new(), refused: Some(why) }
    }

    pub fn could_run(&self) -> bool {
        self.refused.is_none()
    }
}
