//! A filter line (the table's, the audit log's): its text, whether it is being typed, and
//! the text it had when the edit began, which Esc puts back. One type, so both lines keep
//! the same keys (`update/filter_line.rs`) and look the same (`widgets::filter_field`).

use tui_input::Input;

#[derive(Debug, Clone, Default)]
pub struct FilterLine {
    pub input: Input,
    /// `/` opened the edit and neither Enter nor Esc has ended it.
    pub editing: bool,
    /// The text when the edit began.
    pub(crate) before_edit: String,
}

/// What a key did to a filter line being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterEdit {
    /// The text changed (typed, deleted or emptied).
    Changed,
    /// The edit ended; the text is kept.
    Kept,
    /// The edit ended and the text is as it was before it; `restored`: it had changed.
    Cancelled { restored: bool },
    /// Nothing changed (a key that does not edit).
    Unchanged,
}

impl FilterLine {
    /// A line being typed, holding `text`, begun from an empty one.
    pub fn typing(text: &str) -> FilterLine {
        FilterLine { input: Input::new(text.to_string()), editing: true, before_edit: String::new() }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// `/`: starts typing, remembering the text to go back to.
    pub fn begin(&mut self) {
        self.before_edit = self.input.value().to_string();
        self.editing = true;
    }

    /// Empties the line (not while it is typed); returns whether it held text.
    pub fn clear(&mut self) -> bool {
        let had = !self.input.value().is_empty();
        self.input.reset();
        had
    }
}
