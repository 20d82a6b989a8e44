//! The audit-log viewer's state: one row per change with a cursor, the change opened to its
//! accounts (Enter), and one entry of it in full (Enter again). Esc goes back a level.
//!
//! The list comes from the database already filtered and grouped (`store::audit::changes`):
//! a change of 890,000 accounts is one row, so the filter is applied there, when its line
//! is kept (Enter), not in memory as it is typed.

use super::dialog::Loading;
use super::filter_line::FilterLine;
use crate::domain::audit::{AuditRow, ChangeSummary};
use crate::domain::audit_filter::{AuditFilter, AuditFilterError};
use crate::tui::event::RequestId;
use crate::tui::keymap::ScrollAction;

/// A cursor in a list and the first row shown. The update keeps `top` so the cursor stays
/// within the page last drawn; the view clamps again where the page has since changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub at: usize,
    pub top: usize,
}

impl ListCursor {
    /// Where `action` moves the cursor in a list of `len` rows, `page` of them shown.
    pub fn moved(self, action: ScrollAction, len: usize, page: usize) -> ListCursor {
        let last = len.saturating_sub(1);
        let page = page.max(1);
        let at = match action {
            ScrollAction::Down => self.at.saturating_add(1),
            ScrollAction::Up => self.at.saturating_sub(1),
            ScrollAction::PageDown => self.at.saturating_add(page),
            ScrollAction::PageUp => self.at.saturating_sub(page),
            ScrollAction::Top => 0,
            ScrollAction::Bottom => last,
            ScrollAction::Close => self.at,
        }
        .min(last);
        ListCursor { at, top: self.top }.within(page)
    }

    /// `top` moved (as little as may be) so the cursor is on a page of `page` rows.
    pub fn within(self, page: usize) -> ListCursor {
        let page = page.max(1);
        let top = if self.at < self.top {
            self.at
        } else if self.at >= self.top + page {
            self.at + 1 - page
        } else {
            self.top
        };
        ListCursor { at: self.at, top }
    }
}

/// A change opened to its accounts.
#[derive(Debug, Clone)]
pub struct OpenChange {
    pub summary: ChangeSummary,
    /// The request whose answer fills `entries`.
    pub request: RequestId,
    pub entries: Loading<Vec<AuditRow>>,
    pub cursor: ListCursor,
    /// The selected entry in full, scrolled by this many lines.
    pub entry: Option<u16>,
}

impl OpenChange {
    /// The selected entry, once the entries are in.
    pub fn selected(&self) -> Option<&AuditRow> {
        match &self.entries {
            Loading::Ready(rows) => rows.get(self.cursor.at),
            Loading::Pending | Loading::Failed(_) => None,
        }
    }
}

/// The audit-log viewer.
#[derive(Debug, Clone)]
pub struct AuditView {
    /// The request whose answer fills `changes`; other answers are stale.
    pub request: RequestId,
    pub changes: Loading<Vec<ChangeSummary>>,
    pub filter: FilterLine,
    pub cursor: ListCursor,
    pub open: Option<OpenChange>,
}

impl AuditView {
    pub fn new(request: RequestId) -> AuditView {
        AuditView {
            request,
            changes: Loading::Pending,
            filter: FilterLine::default(),
            cursor: ListCursor::default(),
            open: None,
        }
    }

    /// The filter as typed, parsed ([`AuditFilter::parse`]: the language `audit --filter`
    /// speaks too); ages count back from `now` (the console's wall clock).
    pub fn parsed(&self, now: Option<time::OffsetDateTime>) -> Result<AuditFilter, AuditFilterError> {
        AuditFilter::parse(self.filter.value(), now)
    }

    /// The changes listed (none until they are in).
    pub fn listed(&self) -> &[ChangeSummary] {
        match &self.changes {
            Loading::Ready(rows) => rows,
            Loading::Pending | Loading::Failed(_) => &[],
        }
    }

    /// The change under the cursor: the opened one, else the selected row of the list.
    pub fn selected(&self) -> Option<&ChangeSummary> {
        match &self.open {
            Some(open) => Some(&open.summary),
            None => self.listed().get(self.cursor.at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_stays_on_the_page_and_in_the_list() {
        let c = ListCursor::default();
        let c = c.moved(ScrollAction::Down, 10, 3).moved(ScrollAction::Down, 10, 3);
        assert_eq!(c, ListCursor { at: 2, top: 0 });
        let c = c.moved(ScrollAction::Down, 10, 3);
        assert_eq!(c, ListCursor { at: 3, top: 1 }, "the page follows one row at a time");
        let c = c.moved(ScrollAction::Up, 10, 3).moved(ScrollAction::Up, 10, 3);
        assert_eq!(c, ListCursor { at: 1, top: 1 }, "moving up inside the page keeps it");
        assert_eq!(c.moved(ScrollAction::Bottom, 10, 3), ListCursor { at: 9, top: 7 });
        assert_eq!(c.moved(ScrollAction::PageDown, 10, 3).at, 4);
        assert_eq!(c.moved(ScrollAction::Top, 10, 3), ListCursor { at: 0, top: 0 });
        assert_eq!(ListCursor::default().moved(ScrollAction::Down, 0, 3), ListCursor::default());
        assert_eq!(ListCursor { at: 9, top: 7 }.within(5), ListCursor { at: 9, top: 7 });
        assert_eq!(ListCursor { at: 9, top: 0 }.within(5).top, 5);
    }
}
