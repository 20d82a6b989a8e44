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
                FilterEdit::Kept
            }
            Some(FilterAction::Clear) => {
                self.editing = false;
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
            None if super::edit(&mut self.input, key) => FilterEdit::Changed,
            None => FilterEdit::Unchanged,
        }
    }
}
