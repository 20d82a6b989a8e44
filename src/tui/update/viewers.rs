//! Keys in the read-only dialogs: details, the audit log (with its filter line), help.

use crate::tui::event::Details;
use crate::tui::event::RequestId;
use crate::tui::keymap::{self, FilterAction, ViewerAction};
use crate::tui::model::App;
use crate::tui::model::dialog::{AuditView, Dialog, Loading};
use crossterm::event::KeyEvent;
use uuid::Uuid;

/// Where a scroll position goes after `action`, within `0..=max`.
fn scrolled(action: ViewerAction, at: usize, page: usize, max: usize) -> usize {
    match action {
        ViewerAction::Down => at.saturating_add(1),
        ViewerAction::Up => at.saturating_sub(1),
        ViewerAction::PageDown => at.saturating_add(page),
        ViewerAction::PageUp => at.saturating_sub(page),
        ViewerAction::Top => 0,
        ViewerAction::Bottom => max,
        ViewerAction::Filter | ViewerAction::Revert | ViewerAction::Open | ViewerAction::Close => at,
    }
    .min(max)
}

impl App {
    /// Lines a viewer scrolls by per page: the dialog's height, less its frame.
    fn viewer_page(&self) -> usize {
        usize::from(self.height.saturating_sub(6)).max(1)
    }

    /// Keys in the help (`messages`: the message history, which scrolls alike).
    pub(super) fn help_key(&mut self, key: KeyEvent, scroll: u16, messages: bool) -> Option<Dialog> {
        // The offset stays within the text as drawn: after G/End, k moves up at once.
        let max = crate::tui::view::help_max_scroll(self, messages);
        match keymap::viewer(&key) {
            Some(ViewerAction::Close) => None,
            Some(a) => {
                let s = scrolled(a, usize::from(scroll), self.viewer_page(), max);
                Some(Dialog::Help { scroll: u16::try_from(s).unwrap_or(u16::MAX) })
            }
            None => Some(Dialog::Help { scroll }),
        }
    }

    pub(super) fn details_key(
        &mut self,
        key: KeyEvent,
        id: Uuid,
        request: RequestId,
        data: Loading<Box<Details>>,
        scroll: u16,
    ) -> Option<Dialog> {
        let max = usize::from(u16::MAX);
        let scroll = match keymap::viewer(&key) {
            Some(ViewerAction::Close) => return None,
            Some(a) => {
                u16::try_from(scrolled(a, usize::from(scroll), self.viewer_page(), max)).unwrap_or(u16::MAX)
            }
            None => scroll,
        };
        Some(Dialog::Details { id, request, data, scroll })
    }

    pub(super) fn audit_key(&mut self, key: KeyEvent, mut view: AuditView) -> Option<Dialog> {
        view.now = self.users.now;
        if view.editing {
            match keymap::filter(&key) {
                Some(FilterAction::Keep) => view.editing = false,
                Some(FilterAction::Clear) => {
                    view.editing = false;
                    view.filter = tui_input::Input::new(std::mem::take(&mut view.before_edit));
                }
                Some(FilterAction::Empty) => view.filter.reset(),
                None => {
                    super::edit(&mut view.filter, key);
                }
            }
            view.scroll = 0;
            return Some(Dialog::Audit(view));
        }
        if let Some(scroll) = view.open {
            // The entry in full: scroll it; Esc (or Enter) goes back to the list.
            match keymap::viewer(&key) {
                Some(ViewerAction::Close | ViewerAction::Open) => view.open = None,
                Some(a) => {
                    let s = scrolled(a, usize::from(scroll), self.viewer_page(), usize::from(u16::MAX));
                    view.open = Some(u16::try_from(s).unwrap_or(u16::MAX));
                }
                None => {}
            }
            return Some(Dialog::Audit(view));
        }
        match keymap::viewer(&key) {
            Some(ViewerAction::Close) => return None,
            Some(ViewerAction::Filter) => {
                view.before_edit = view.filter.value().to_string();
                view.editing = true;
            }
            Some(ViewerAction::Open) if !view.filtered().is_empty() => view.open = Some(0),
            Some(ViewerAction::Open) => {}
            Some(ViewerAction::Revert) => {
                let top = view.filtered().get(view.scroll).map(|r| (r.change_id, r.action.clone()));
                match top {
                    Some((Some(id), action)) => match crate::domain::revert::why_not(&action) {
                        None if self.can_start() => {
                            return self.confirm_revert(id, &format!("{action} (from the audit log)"));
                        }
                        None => {}
                        Some(why) => self.error(format!("a {action} change cannot be reverted: {why}")),
                    },
                    Some((None, _)) => {
                        self.error("that entry was written before changes had ids: it cannot be reverted")
                    }
                    None => {}
                }
            }
            Some(a) => {
                let max = view.filtered().len().saturating_sub(1);
                view.scroll = scrolled(a, view.scroll, self.page_size(), max);
            }
            None => {}
        }
        Some(Dialog::Audit(view))
    }
}
