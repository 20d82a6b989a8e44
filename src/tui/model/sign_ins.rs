//! The sign-ins view (`A`): the web app's login attempts across all accounts over a window,
//! as a chart and three lists (the sources of failures, the most-failed accounts, the
//! accounts locked now), one of which has the selection.

use super::StatusLine;
use super::dialog::Loading;
use crate::domain::sign_ins::Overview;
use crate::domain::sign_ins::{Source, Span};
use crate::tui::event::RequestId;
use uuid::Uuid;

/// The lists of the view, in the order Tab visits them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    #[default]
    Sources,
    Accounts,
    Locked,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Sources, Section::Accounts, Section::Locked];

    pub fn next(self, by: isize) -> Section {
        let i = Section::ALL.iter().position(|s| *s == self).unwrap_or(0) as isize;
        Section::ALL[(i + by).rem_euclid(Section::ALL.len() as isize) as usize]
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Sources => "Sources of failures",
            Section::Accounts => "Most-failed accounts",
            Section::Locked => "Locked now",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SignInsView {
    pub span: Span,
    pub request: RequestId,
    pub data: Loading<Box<Overview>>,
    pub section: Section,
    /// The selected row of `section`.
    pub selected: usize,
    /// What the last key did (marked, or why nothing); the next key clears it.
    pub note: Option<StatusLine>,
    /// A source's accounts asked for, to mark.
    pub marking: Option<RequestId>,
}

/// The account a row of the view stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowAccount {
    pub id: Uuid,
    pub email: Option<String>,
}

impl SignInsView {
    pub fn new(span: Span, request: RequestId) -> SignInsView {
        SignInsView {
            span,
            request,
            data: Loading::Pending,
            section: Section::Sources,
            selected: 0,
            note: None,
            marking: None,
        }
    }

    /// Rows `section` lists.
    pub fn rows(&self, section: Section) -> usize {
        let Loading::Ready(d) = &self.data else { return 0 };
        let r = &d.report;
        match section {
            Section::Sources => r.sources.as_ref().map_or(0, Vec::len),
            Section::Accounts => r.accounts.as_ref().map_or(0, Vec::len),
            Section::Locked => r.locked.as_ref().map_or(0, Vec::len),
        }
    }

    /// The selected source (in the sources' list).
    pub fn source(&self) -> Option<&Source> {
        let Loading::Ready(d) = &self.data else { return None };
        match self.section {
            Section::Sources => d.report.sources.as_ref()?.get(self.selected),
            Section::Accounts | Section::Locked => None,
        }
    }

    /// The selected account (in the accounts' or the locked list).
    pub fn account(&self) -> Option<RowAccount> {
        let Loading::Ready(d) = &self.data else { return None };
        let r = &d.report;
        match self.section {
            Section::Sources => None,
            Section::Accounts => r
                .accounts
                .as_ref()?
                .get(self.selected)
                .map(|a| RowAccount { id: a.user_id, email: a.email.clone() }),
            Section::Locked => r
                .locked
                .as_ref()?
                .get(self.selected)
                .map(|l| RowAccount { id: l.user_id, email: Some(l.email.clone()) }),
        }
    }

    /// Moves the selection by `by` rows, within the section.
    pub fn move_by(&mut self, by: isize) {
        let n = self.rows(self.section);
        self.selected = self.selected.saturating_add_signed(by).min(n.saturating_sub(1));
    }

    /// Selects the next list that has rows (or the next one, when none has).
    pub fn next_section(&mut self, by: isize) {
        let mut s = self.section;
        for _ in 0..Section::ALL.len() {
            s = s.next(by);
            if self.rows(s) > 0 {
                break;
            }
        }
        self.section = s;
        self.selected = 0;
    }
}
