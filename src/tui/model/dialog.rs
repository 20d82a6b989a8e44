//! The state of every dialog over the table: forms, the role picker, confirmations, the
//! once-only password display and the viewers. At most one is open (`App::dialog`).

use super::forms::{NewUserForm, ResetForm};
use crate::domain::references::DeletePlan;
use crate::domain::when;
use crate::domain::{Change, Secret};
use crate::operator::Operator;
use crate::store::audit::{AuditRow, SIGN_IN_ACTIONS, describe_change};
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
    /// The filter as it was when `/` opened its edit: Esc puts it back.
    pub before_edit: String,
    pub scroll: usize,
    /// The top entry is shown in full (Enter), scrolled by this many lines.
    pub open: Option<u16>,
    /// The wall clock as last told (with every key): what `since:7d` counts back from.
    pub now: Option<time::OffsetDateTime>,
}

impl AuditView {
    pub fn new(request: RequestId) -> AuditView {
        AuditView {
            request,
            rows: Loading::Pending,
            filter: Input::default(),
            editing: false,
            before_edit: String::new(),
            scroll: 0,
            open: None,
            now: None,
        }
    }

    /// A `since:`/`until:` value: a date or time, or an age counted back from the wall
    /// clock (none while the clock is unknown).
    fn moment(&self, v: &str) -> Option<time::OffsetDateTime> {
        match self.now {
            Some(now) => when::parse(v, now).ok(),
            None if !when_is_age(v) => when::parse(v, time::OffsetDateTime::UNIX_EPOCH).ok(),
            None => None,
        }
    }

    /// The entries the filter keeps. Its words are ANDed: `actor:TEXT`, `target:TEXT`,
    /// `action:TEXT`, `change:HEX` (the start of a change id) match that field,
    /// `since:` / `until:` (a date, an RFC 3339 time, or an age such as `7d`) bound the time; `signins`
    /// shows sign-ins, which are hidden unless asked for (or named by `action:`); any other
    /// word matches actor, action, target, change values, operator or reason.
    pub fn filtered(&self) -> Vec<&AuditRow> {
        let Loading::Ready(rows) = &self.rows else { return Vec::new() };
        let text = self.filter.value().to_lowercase();
        let words: Vec<&str> = text.split_whitespace().collect();
        let sign_ins = words.iter().any(|w| *w == "signins" || w.starts_with("action:sign"));
        let has = |hay: &str, needle: &str| hay.to_lowercase().contains(needle);
        rows.iter()
            .filter(|r| sign_ins || !SIGN_IN_ACTIONS.contains(&r.action.as_str()))
            .filter(|r| {
                let target = r.target_email.as_deref().unwrap_or("");
                let change = r.change_id.map(|c| c.simple().to_string()).unwrap_or_default();
                words.iter().all(|w| match w.split_once(':') {
                    Some(("actor", v)) => has(&r.actor_email, v),
                    Some(("target", v)) => has(target, v),
                    Some(("action", v)) => has(&r.action, v),
                    Some(("change", v)) => change.starts_with(&v.replace('-', "")),
                    // Dates (or RFC 3339 times) only: the console keeps no clock.
                    Some(("since", v)) => self.moment(v).is_some_and(|t| r.at >= t),
                    Some(("until", v)) => self.moment(v).is_some_and(|t| r.at < t),
                    _ if *w == "signins" => true,
                    _ => {
                        has(&r.actor_email, w)
                            || has(&r.action, w)
                            || has(target, w)
                            || has(&describe_change(&r.before, &r.after), w)
                            || change.starts_with(*w)
                            || r.reason.as_deref().is_some_and(|x| has(x, w))
                            || r.operator.as_ref().is_some_and(|o| has(&Operator::describe(o), w))
                    }
                })
            })
            .collect()
    }
}

/// `7d` and the like: an age, which needs a clock the console's state does not have.
fn when_is_age(v: &str) -> bool {
    when::age(v).is_some()
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
        /// The selected session (Tab moves it; `x` revokes it).
        session: Option<Uuid>,
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
}

/// A change the admin confirmed, held while they say why.
#[derive(Debug, Clone)]
pub struct PendingChange {
    pub change: Change,
    pub targets: Vec<Expected>,
    /// A typed new password (wiped when dropped).
    pub password: Option<Secret>,
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
}
