//! The live table: when the console looks for changes made by others, where the last look
//! left off, and which cells changed lately (drawn highlighted for a few seconds).

use super::dialog::Dialog;
use super::table::{IdSet, SortKey};
use crate::store::live::Mark;
use crate::tui::event::RequestId;
use rustc_hash::FxHashMap;
use uuid::Uuid;

/// The ticks (ten a second) a changed cell stays highlighted.
pub const LIT_TICKS: u16 = 30;

/// Which cells of a row changed: one bit per column (the email, then [`SortKey::ALL`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cells(u8);

impl Cells {
    /// Every cell: a row that is new here.
    pub const ALL: Cells = Cells(0xff);

    fn bit(key: SortKey) -> u8 {
        1 << SortKey::ALL.iter().position(|k| *k == key).unwrap_or(0)
    }

    pub fn with(self, key: SortKey) -> Cells {
        Cells(self.0 | Cells::bit(key))
    }

    pub fn has(self, key: SortKey) -> bool {
        self.0 & Cells::bit(key) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A row changed by someone else lately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lit {
    pub cells: Cells,
    /// Ticks left to show it.
    pub ticks: u16,
}

/// The live table's state.
#[derive(Clone, Debug, Default)]
pub struct Live {
    /// A look every this many ticks; `None`: the deployment switched it off.
    pub every: Option<u32>,
    /// `P`: no looks until pressed again.
    pub paused: bool,
    /// Ticks since the last look was answered (or the table loaded).
    pub ticks: u32,
    /// Where the last look (or the table's load) left off; `None` until the table loaded.
    pub mark: Option<Mark>,
    /// The mark of a load under way: it becomes `mark` when the load ends well.
    pub pending: Option<Mark>,
    /// The counts differed or rows were deleted: the ids are compared at the next idle tick.
    pub check_ids: bool,
    /// The look under way.
    pub looking: Option<RequestId>,
    /// The ids (or rows) asked for when the counts differed.
    pub reconciling: Option<RequestId>,
    /// The rows changed by others lately, by account.
    pub lit: FxHashMap<Uuid, Lit>,
    /// The open dialog's account that changed in the database since it opened, and what
    /// the dialog says of it.
    pub underneath: Option<(Uuid, String)>,
}

impl Live {
    /// Live every `every` ticks (`None`: off).
    pub fn new(every: Option<u32>) -> Live {
        Live { every, ..Live::default() }
    }

    /// What the header says: "live", "paused", or nothing when switched off.
    pub fn state(&self) -> Option<&'static str> {
        match (self.every, self.paused) {
            (None, _) => None,
            (Some(_), true) => Some("paused"),
            (Some(_), false) => Some("live"),
        }
    }

    /// The cells of account `id` to highlight now.
    pub fn lit(&self, id: Uuid) -> Cells {
        self.lit.get(&id).map_or(Cells::default(), |l| l.cells)
    }

    /// What the open dialog says on its edge.
    pub fn underneath(&self) -> Option<&str> {
        self.underneath.as_ref().map(|(_, text)| text.as_str())
    }

    /// A look or a reconciliation is under way.
    pub fn waiting(&self) -> bool {
        self.looking.is_some() || self.reconciling.is_some()
    }
}

impl Dialog {
    /// The first account the dialog is about to change (or shows) that is in `changed`:
    /// a change made underneath it. Dialogs about no account in particular have none.
    pub fn changed_account(&self, changed: &IdSet) -> Option<Uuid> {
        let first = |targets: &[crate::store::targets::Seen]| {
            targets.iter().map(|t| t.id).find(|id| changed.contains(id))
        };
        let one = |id: Uuid| changed.contains(&id).then_some(id);
        match self {
            Dialog::PickRole { targets, .. }
            | Dialog::Confirm { targets, .. }
            | Dialog::ConfirmDelete { targets, .. } => first(targets),
            Dialog::ResetPassword(f) => one(f.target.id),
            Dialog::Edit(f) => one(f.target.id),
            Dialog::Details { id, .. } => one(*id),
            Dialog::Reason(p) => match &p.sends {
                super::dialog::Sends::Change { targets, .. } => first(targets),
                super::dialog::Sends::Import(_) => None,
            },
            Dialog::NewUser(_)
            | Dialog::ShowPassword { .. }
            | Dialog::Audit(_)
            | Dialog::Help { .. }
            | Dialog::Messages { .. }
            | Dialog::Command { .. }
            | Dialog::Export(_)
            | Dialog::SignIns(_)
            | Dialog::Import(_) => None,
        }
    }
}
