//! The state of every dialog over the table: forms, the role picker, confirmations, the
//! once-only password display and the viewers. At most one is open (`App::dialog`).

use super::forms::{NewUserForm, ResetForm};
use crate::domain::references::DeletePlan;
use crate::domain::{Change, Secret};
use crate::store::audit::{AuditRow, describe_change};
use crate::store::targets::Expected;
use crate::tui::event::{Details, RequestId};
use tui_input::Input;
use uuid::Uuid;

/// Loading, loaded, or failed.
#[derive(Debug, Clone)]
pub enum Loading<T> {
    Pending,
    Ready(T),
    Failed(String),
}

/// The audit-log viewer.
#[derive(Debug, Clone)]
pub struct AuditView {
    /// The request whose answer fills `rows`; other answers are stale.
    pub request: RequestId,
    pub rows: Loading<Vec<AuditRow>>,
    pub filter: Input,
    pub editing: bool,
    pub scroll: usize,
}

impl AuditView {
    pub fn new(request: RequestId) -> AuditView {
        AuditView { request, rows: Loading::Pending, filter: Input::default(), editing: false, scroll: 0 }
    }

    /// Entries whose actor, action, target or change contains the filter text.
    pub fn filtered(&self) -> Vec<&AuditRow> {
        let Loading::Ready(rows) = &self.rows else { return Vec::new() };
        let needle = self.filter.value().to_lowercase();
        rows.iter()
            .filter(|r| {
                needle.is_empty()
                    || r.actor_email.to_lowercase().contains(&needle)
                    || r.action.to_lowercase().contains(&needle)
                    || r.target_email.as_deref().unwrap_or("").to_lowercase().contains(&needle)
                    || describe_change(&r.before, &r.after).to_lowercase().contains(&needle)
            })
            .collect()
    }
}

/// The one open dialog.
#[derive(Debug, Clone)]
pub enum Dialog {
    NewUser(NewUserForm),
    PickRole {
        targets: Vec<Expected>,
        selected: usize,
    },
    /// A change to existing accounts, with the lines saying what it will do.
    Confirm {
        targets: Vec<Expected>,
        change: Change,
        lines: Vec<String>,
    },
    ResetPassword(ResetForm),
    /// A generated password, shown once; dropped (and wiped) when closed.
    ShowPassword {
        email: String,
        secret: Secret,
        copied: bool,
    },
    /// `typed`: the number of accounts, typed to confirm a delete of more than one.
    ConfirmDelete {
        targets: Vec<Expected>,
        request: RequestId,
        plan: Loading<DeletePlan>,
        typed: String,
    },
    Details {
        id: Uuid,
        request: RequestId,
        data: Loading<Box<Details>>,
        scroll: u16,
    },
    Audit(AuditView),
    Help {
        scroll: u16,
    },
}
