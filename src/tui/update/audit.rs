//! Keys in the audit-log viewer: the list of changes (cursor, `/` filter, Enter opens,
//! `z` reverts), a change opened to its accounts, and one entry in full.

use crate::domain::audit::ChangeSummary;
use crate::tui::event::{Effect, Job};
use crate::tui::keymap::{self, AuditAction, InViewer, ScrollAction};
use crate::tui::model::App;
use crate::tui::model::audit_view::{AuditView, ListCursor, OpenChange};
use crate::tui::model::dialog::{Dialog, Loading};
use crate::tui::model::filter_line::FilterEdit;
use crossterm::event::KeyEvent;

impl App {
    pub(super) fn audit_key(
        &mut self,
        key: KeyEvent,
        mut view: AuditView,
        out: &mut Vec<Effect>,
    ) -> Option<Dialog> {
        if view.filter.editing {
            if view.filter.on_key(key) == FilterEdit::Kept {
                self.apply_audit_filter(&mut view, out);
            }
            return Some(Dialog::Audit(view));
        }
        let action = keymap::audit(&key);
        if let Some(InViewer::Own(AuditAction::Revert)) = action {
            return match view.selected().cloned() {
                Some(change) => self.revert_from_audit(&change).or(Some(Dialog::Audit(view))),
                None => Some(Dialog::Audit(view)),
            };
        }
        match view.open.take() {
            Some(open) => view.open = self.open_change_key(action, open),
            None => match action {
                Some(InViewer::Scroll(ScrollAction::Close)) => return None,
                Some(InViewer::Own(AuditAction::Filter)) => view.filter.begin(),
                Some(InViewer::Own(AuditAction::Open)) => {
                    if let Some(change) = view.listed().get(view.cursor.at).cloned() {
                        view.open = Some(self.open_change(change, out));
                    }
                }
                Some(InViewer::Scroll(a)) => {
                    view.cursor = view.cursor.moved(a, view.listed().len(), self.viewer_page());
                }
                Some(InViewer::Own(AuditAction::Revert)) | None => {}
            },
        }
        Some(Dialog::Audit(view))
    }

    /// The kept filter line, read with the wall clock now, asked of the database; a line
    /// that cannot be read stays open with its reason shown, and nothing is asked.
    fn apply_audit_filter(&mut self, view: &mut AuditView, out: &mut Vec<Effect>) {
        match view.parsed(self.wall) {
            Ok(filter) => {
                view.request = self.request(Job::LoadAudit(filter), out);
                view.changes = Loading::Pending;
                view.cursor = ListCursor::default();
                view.filter.remember();
                self.audit_history = view.filter.history.clone();
            }
            Err(e) => {
                view.filter.editing = true;
                self.error(format!("audit filter: {e}"));
            }
        }
    }

    /// A change opened to its accounts: asked of the database, except an entry written
    /// before changes had ids, which is all there is of its change.
    fn open_change(&mut self, summary: ChangeSummary, out: &mut Vec<Effect>) -> OpenChange {
        let (request, entries) = match summary.first.change_id {
            Some(id) => (self.request(Job::LoadChange(id), out), Loading::Pending),
            None => (self.next_id(), Loading::Ready(vec![summary.first.clone()])),
        };
        OpenChange { summary, request, entries, cursor: ListCursor::default(), entry: None }
    }

    /// Keys in an opened change (`None`: back to the list).
    fn open_change_key(
        &mut self,
        action: Option<InViewer<AuditAction>>,
        mut open: OpenChange,
    ) -> Option<OpenChange> {
        let page = self.viewer_page();
        if let Some(scroll) = open.entry {
            // The entry in full: scroll it; Esc (or Enter) goes back to the accounts.
            match action {
                Some(InViewer::Scroll(ScrollAction::Close) | InViewer::Own(AuditAction::Open)) => {
                    open.entry = None
                }
                Some(InViewer::Scroll(a)) => {
                    let max = self.measured.max_scroll.map_or(usize::from(u16::MAX), usize::from);
                    let at = super::viewers::scrolled(a, usize::from(scroll).min(max), page, max);
                    open.entry = Some(u16::try_from(at).unwrap_or(u16::MAX));
                }
                Some(InViewer::Own(AuditAction::Filter | AuditAction::Revert)) | None => {}
            }
            return Some(open);
        }
        match action {
            Some(InViewer::Scroll(ScrollAction::Close)) => return None,
            Some(InViewer::Own(AuditAction::Open)) if open.selected().is_some() => open.entry = Some(0),
            Some(InViewer::Scroll(a)) => {
                let len = match &open.entries {
                    Loading::Ready(rows) => rows.len(),
                    Loading::Pending | Loading::Failed(_) => 0,
                };
                open.cursor = open.cursor.moved(a, len, page);
            }
            // The filter works on the list of changes.
            Some(InViewer::Own(AuditAction::Open | AuditAction::Filter | AuditAction::Revert)) | None => {}
        }
        Some(open)
    }

    /// `z` on a change in the viewer: the confirmation of its revert, or why not.
    fn revert_from_audit(&mut self, change: &ChangeSummary) -> Option<Dialog> {
        let action = change.first.action.clone();
        let Some(id) = change.first.change_id else {
            self.error("that entry was written before changes had ids: it cannot be reverted");
            return None;
        };
        match crate::domain::revert::why_not(&action) {
            // The whole change is reverted, however many of its entries the filter kept.
            None if self.can_start() => {
                let accounts = crate::plural::count(change.accounts, "account");
                self.confirm_revert(id, &format!("{action} of {accounts} (from the audit log)"))
            }
            None => None,
            Some(why) => {
                self.error(format!("a {action} change cannot be reverted: {why}"));
                None
            }
        }
    }
}
