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
    /// The texts kept with Enter this session, oldest first (at most [`HISTORY`]).
    pub history: Vec<String>,
    /// Browsing the history (↑/↓): the entry shown, and the text typed before browsing.
    pub(crate) recalled: Option<(usize, String)>,
}

/// How many kept filters a line remembers.
pub const HISTORY: usize = 50;

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
        FilterLine { input: Input::new(text.to_string()), editing: true, ..FilterLine::default() }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// `/`: starts typing, remembering the text to go back to.
    pub fn begin(&mut self) {
        self.before_edit = self.input.value().to_string();
        self.editing = true;
        self.recalled = None;
    }

    /// Remembers the text kept now (not empty, not the same as the last one kept).
    pub(crate) fn remember(&mut self) {
        let text = self.input.value().trim().to_string();
        if text.is_empty() || self.history.last() == Some(&text) {
            return;
        }
        if self.history.len() >= HISTORY {
            self.history.remove(0);
        }
        self.history.push(text);
    }

    /// ↑ (`older`) or ↓ through the history; past the newest, the text typed before
    /// browsing comes back. Whether the text changed.
    pub(crate) fn recall(&mut self, older: bool) -> bool {
        let n = self.history.len();
        // The first ↑ skips an entry that is the text already in the line.
        let newest = if self.history.last().map(String::as_str) == Some(self.input.value().trim()) {
            n.checked_sub(2)
        } else {
            n.checked_sub(1)
        };
        let next = match (&self.recalled, older) {
            (None, true) if newest.is_some() => newest,
            (None, _) => return false,
            (Some((i, _)), true) => Some(i.saturating_sub(1)),
            (Some((i, _)), false) if i + 1 < n => Some(i + 1),
            (Some(_), false) => None,
        };
        let shown = match next {
            Some(i) => {
                let typed = match self.recalled.take() {
                    Some((_, typed)) => typed,
                    None => self.input.value().to_string(),
                };
                let text = self.history.get(i).cloned().unwrap_or_default();
                self.recalled = Some((i, typed));
                text
            }
            None => self.recalled.take().map(|(_, typed)| typed).unwrap_or_default(),
        };
        let changed = shown != self.input.value();
        self.input = Input::new(shown);
        changed
    }

    /// Empties the line (not while it is typed); returns whether it held text.
    pub fn clear(&mut self) -> bool {
        let had = !self.input.value().is_empty();
        self.input.reset();
        had
    }
}
