//! Keys while a filter line is typed: the same for the table's and the audit log's.

use crate::tui::keymap::{self, FilterAction};
use crate::tui::model::filter_line::{FilterEdit, FilterLine};
use crossterm::event::KeyEvent;

impl FilterLine {
    /// Applies `key` to the line being typed and says what it did.
    pub(super) fn on_key(&mut self, key: KeyEvent) -> FilterEdit {
        match keymap::filter(&key) {
            Some(FilterAction::Keep) => {
                self.editing = false;
                self.recalled = None;
                FilterEdit::Kept
            }
            Some(FilterAction::Complete) => FilterEdit::Unchanged,
            Some(a @ (FilterAction::Older | FilterAction::Newer)) => {
                if self.recall(a == FilterAction::Older) {
                    FilterEdit::Changed
                } else {
                    FilterEdit::Unchanged
                }
            }
            Some(FilterAction::Clear) => {
                self.editing = false;
                self.recalled = None;
                let before = std::mem::take(&mut self.before_edit);
                let restored = self.input.value() != before;
                if restored {
                    self.input = tui_input::Input::new(before);
                }
                FilterEdit::Cancelled { restored }
            }
            Some(FilterAction::Empty) => {
                if self.clear() {
                    FilterEdit::Changed
                } else {
                    FilterEdit::Unchanged
                }
            }
            None if super::edit(&mut self.input, key) => {
                // An edited entry of the history is a text of its own now.
                self.recalled = None;
                FilterEdit::Changed
            }
            None => FilterEdit::Unchanged,
        }
    }
}
