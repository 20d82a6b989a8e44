//! The state of every dialog over the table: forms, the role picker, confirmations, the
//! once-only password display and the viewers. At most one is open (`App::dialog`).

pub use super::audit_view::AuditView;
use super::forms::{EditForm, NewUserForm, ResetForm};
use crate::domain::references::DeletePlan;
use crate::domain::{Change, Secret};
use crate::store::targets::Seen;
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

/// Where the console goes once a dialog (and the change it sent) is done. A session's
/// revoke is asked from its account's details, and returns there whether it is
/// confirmed, cancelled or refused: the dialog carries the place, so no handler has to
/// know where it was opened from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    /// The details of `user`, loaded afresh, with `session` selected.
    Details { user: Uuid, session: Option<Uuid> },
}

/// The one open dialog.
#[derive(Debug, Clone)]
pub enum Dialog {
    NewUser(NewUserForm),
    PickRole {
        targets: Vec<Seen>,
        selected: usize,
    },
    /// A change to existing accounts, with the lines saying what it will do.
    Confirm {
        targets: Vec<Seen>,
        change: Change,
        lines: Vec<String>,
        back: Option<Back>,
    },
    ResetPassword(ResetForm),
    /// Editing one account's email and profile.
    Edit(EditForm),
    /// A generated password, shown once; dropped (and wiped) when closed.
    ShowPassword {
        email: String,
        secret: Secret,
        copied: bool,
    },
    /// `typed`: the number of accounts, typed to confirm a delete of more than one.
    ConfirmDelete {
        targets: Vec<Seen>,
        request: RequestId,
        plan: Loading<DeletePlan>,
        typed: String,
    },
    Details {
        id: Uuid,
        request: RequestId,
        data: Loading<Box<Details>>,
        scroll: u16,
        /// The selected session (Tab moves it; `x` revokes it).
        session: Option<Uuid>,
        /// The next draw scrolls so the selected session is in view (and reports where).
        reveal: bool,
        /// What the last key here did or why it did nothing, shown in the box (the status
        /// line is under it); the next key clears it.
        note: Option<super::StatusLine>,
    },
    Audit(AuditView),
    Help {
        scroll: u16,
    },
    /// The last status messages of this session, newest first, in full.
    Messages {
        scroll: u16,
    },
    /// A confirmed change waiting for the admin's reason.
    Reason(PendingChange),
    /// The subcommand that makes the admin's last change, to read or copy.
    Command {
        text: String,
    },
    /// Writing the rows the table shows to a file.
    Export(super::export::ExportForm),
    /// Importing new accounts from a CSV file.
    Import(super::import::ImportDialog),
    /// The sign-ins across all accounts.
    SignIns(Box<super::sign_ins::SignInsView>),
}

/// What a confirmed change sends once its reason is given.
#[derive(Debug, Clone)]
pub enum Sends {
    Change {
        change: Change,
        targets: Vec<Seen>,
        /// A typed new password (wiped when dropped).
        password: Option<Secret>,
    },
    /// An import, as its plan was confirmed (Esc goes back to that plan).
    Import(Box<super::import::ImportDialog>),
}

/// A change the admin confirmed, held while they say why.
#[derive(Debug, Clone)]
pub struct PendingChange {
    pub sends: Sends,
    /// What the change does, in one line (the dialog's title).
    pub what: String,
    pub reason: Input,
    pub required: bool,
    pub error: Option<String>,
    /// On a protected deployment, its name, to be typed before a destructive bulk change.
    pub confirm_name: Option<String>,
    pub typed_name: Input,
    /// The name field has the focus (else the reason).
    pub name_focus: bool,
    /// Where to go once the change is sent or cancelled.
    pub back: Option<Back>,
}

/// `targets` without their admins and superusers, when there are some of each kind (else
/// Tab has nothing to leave out, or nothing would be left).
pub fn leave_out_admins(targets: &[Seen]) -> Option<Vec<Seen>> {
    can_leave_out_admins(targets).then(|| targets.iter().filter(|t| !privileged(t)).cloned().collect())
}

/// Whether [`leave_out_admins`] has something to leave out, without building the rest: the
/// confirmation asks this on every frame, with up to a million targets.
pub fn can_leave_out_admins(targets: &[Seen]) -> bool {
    let admins = targets.iter().filter(|t| privileged(t)).count();
    targets.len() > 1 && admins > 0 && admins < targets.len()
}

fn privileged(t: &Seen) -> bool {
    matches!(t.role, crate::domain::Role::Admin | crate::domain::Role::Superuser)
}
