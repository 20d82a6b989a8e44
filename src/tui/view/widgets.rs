//! Pieces shared by the screens and dialogs: a centred popup, form fields (text, masked
//! password, choice), key hints generated from the keymap, and a body of lines with an
//! optional cursor that is drawn into a rectangle.

use super::palette::Palette;
use super::text::{self, fit, safe};
use crate::tui::keymap::FormAction;
use crate::tui::keymap::{self, KeyAction};
#[cfg(test)]
use crate::tui::keymap::{ConfirmAction, TableAction};
use crate::tui::model::filter_line::FilterLine;
use crate::tui::model::secret_input::SecretInput;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};
use tui_input::Input;

/// How a status message is marked and coloured, wherever it is drawn (the status line,
/// the message history, inside a viewer): "✓ ", "✗ " or two spaces.
pub fn status_mark(kind: crate::tui::model::StatusKind, p: Palette) -> (&'static str, Style) {
    use crate::tui::model::StatusKind;
    match kind {
        StatusKind::Ok => ("✓ ", p.ok()),
        StatusKind::Error => ("✗ ", p.error()),
        StatusKind::Info => ("  ", p.plain()),
    }
}

/// Width of a field label (after the two-column focus marker).
pub const LABEL_W: usize = 10;
/// Where a field's value starts: focus marker plus label.
pub const VALUE_X: usize = 2 + LABEL_W;

/// The text width inside a popup `w` columns wide (borders and one column of padding).
pub fn inner_width(w: u16) -> usize {
    usize::from(w.saturating_sub(4))
}

thread_local! {
    /// What the dialog's box says on its bottom edge while this frame draws it (the live
    /// table's "changed in the database meanwhile"): set by `view::draw` around the
    /// dialog only, so no dialog's own drawing has to know of it.
    static BOTTOM_NOTE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `draw` with `note` on the bottom edge of every box it draws.
pub fn with_bottom_note<T>(note: Option<&str>, draw: impl FnOnce() -> T) -> T {
    BOTTOM_NOTE.with(|n| *n.borrow_mut() = note.map(str::to_string));
    let out = draw();
    BOTTOM_NOTE.with(|n| *n.borrow_mut() = None);
    out
}

/// Clears a centred `w` x `h` box (clamped to `area`), frames it with `title` and returns
/// the inside (with one column of padding left and right).
pub fn popup(frame: &mut Frame, area: Rect, w: u16, h: u16, title: &str, p: Palette) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect =
        Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    // A wide character just left of the box would spill its right half onto the border.
    if rect.x > area.x {
        let buf = frame.buffer_mut();
        for y in rect.top()..rect.bottom() {
            let cell = &mut buf[(rect.x - 1, y)];
            if text::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    frame.render_widget(Clear, rect);
    let title = text::truncate(&safe(title), usize::from(w.saturating_sub(6)));
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_style(p.border())
        .title(Line::from(Span::styled(format!(" {title} "), p.title())));
    let note = BOTTOM_NOTE.with(|n| n.borrow().clone());
    let block = match note {
        Some(note) => {
            let note = text::truncate(&safe(&note), usize::from(w.saturating_sub(6)));
            block.title_bottom(Line::from(Span::styled(format!(" {note} "), p.alarm())))
        }
        None => block,
    };
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// Lines to draw, where the text cursor goes (column, line) if a field has the focus,
/// and a footer (key hints) pinned to the last row.
#[derive(Default)]
pub struct Body {
    pub lines: Vec<Line<'static>>,
    pub cursor: Option<(u16, usize)>,
    pub footer: Option<Line<'static>>,
}

impl Body {
    pub fn push(&mut self, line: impl Into<Line<'static>>) {
        self.lines.push(line.into());
    }

    pub fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    /// Untrusted text, made safe and wrapped to `width` columns.
    pub fn text(&mut self, s: &str, style: Style, width: usize) {
        for l in text::wrap(&safe(s), width) {
            self.lines.push(Line::from(Span::styled(l, style)));
        }
    }

    /// A field line; `cursor` is the column of the text cursor when it has the focus.
    pub fn field(&mut self, (line, cursor): (Line<'static>, Option<u16>)) {
        if let Some(col) = cursor {
            self.cursor = Some((col, self.lines.len()));
        }
        self.lines.push(line);
    }

    /// Rows needed to show everything: lines, a blank and the footer.
    pub fn height(&self) -> u16 {
        let n = self.lines.len() + if self.footer.is_some() { 2 } else { 0 };
        u16::try_from(n).unwrap_or(u16::MAX)
    }

    /// Rows the lines get in `area` (the footer takes the last one).
    pub fn rows(&self, area: Rect) -> usize {
        usize::from(area.height.saturating_sub(u16::from(self.footer.is_some())))
    }

    /// The largest useful scroll offset in `area`.
    pub fn max_scroll(&self, area: Rect) -> usize {
        self.lines.len().saturating_sub(self.rows(area))
    }

    /// Draws the lines from `scroll` (clamped to the content) into `area`, the footer on its
    /// last row, and places the cursor.
    pub fn render(self, frame: &mut Frame, area: Rect, scroll: usize) {
        let scroll = scroll.min(self.max_scroll(area));
        let rows = self.rows(area);
        let body = Rect { height: u16::try_from(rows).unwrap_or(0), ..area };
        if let Some((col, row)) = self.cursor
            && row >= scroll
            && row - scroll < rows
            && col < area.width
        {
            let y = area.y + u16::try_from(row - scroll).unwrap_or(0);
            frame.set_cursor_position(Position { x: area.x + col, y });
        }
        if let Some(footer) = self.footer
            && area.height > 0
        {
            let last = Rect { y: area.bottom() - 1, height: 1, ..area };
            frame.render_widget(Paragraph::new(footer), last);
        }
        let shown: Vec<Line<'static>> = self.lines.into_iter().skip(scroll).take(rows).collect();
        frame.render_widget(Paragraph::new(shown), body);
    }
}

/// "▸ Email     " for the focused field, "  Email     " otherwise.
pub fn label(label: &str, focused: bool, p: Palette) -> Vec<Span<'static>> {
    if focused {
        vec![Span::styled("▸ ", p.focus()), Span::styled(fit(label, LABEL_W), p.focus())]
    } else {
        vec![Span::raw("  "), Span::styled(fit(label, LABEL_W), p.dim())]
    }
}

/// The part of `value` that fits `w` columns with the cursor (at display column
/// `cursor_col`) in view; returns it padded to `w` and the cursor's column within it.
pub fn window(value: &str, cursor_col: usize, w: usize) -> (String, usize) {
    if w == 0 {
        return (String::new(), 0);
    }
    let mut skip_cols = 0;
    let mut rest = value;
    // Scroll left until the cursor is inside the last column of the field.
    while cursor_col.saturating_sub(skip_cols) >= w {
        let mut chars = rest.chars();
        match chars.next() {
            Some(c) => {
                skip_cols += text::char_width(c);
                rest = chars.as_str();
            }
            None => break,
        }
    }
    (fit(rest, w), cursor_col.saturating_sub(skip_cols).min(w - 1))
}

/// A filter line (the table's, the audit log's). While typed: `/`, then the window of its
/// text `field_w` columns wide, and the cursor's column counted from the `/`. Otherwise
/// `filter: TEXT` with the text cut to `text_room` columns, or nothing when it is empty.
pub fn filter_line(
    line: &FilterLine,
    field_w: usize,
    text_room: usize,
    p: Palette,
) -> (Vec<Span<'static>>, Option<usize>) {
    if line.editing {
        let value = safe(line.value());
        let (shown, col) = window(&value, line.input.visual_cursor(), field_w);
        (vec![Span::styled("/", p.key()), Span::styled(shown, p.field(true))], Some(1 + col))
    } else if line.value().is_empty() {
        (Vec::new(), None)
    } else {
        let shown = format!("filter: {}", text::safe_truncate(line.value(), text_room));
        (vec![Span::styled(shown, p.warn())], None)
    }
}

/// A text field: label, then the input (made safe, scrolled to keep the cursor visible).
pub fn input(name: &str, input: &Input, focused: bool, w: usize, p: Palette) -> (Line<'static>, Option<u16>) {
    let field_w = w.saturating_sub(VALUE_X);
    let value = safe(input.value());
    let (shown, col) = window(&value, input.visual_cursor(), field_w);
    let mut spans = label(name, focused, p);
    spans.push(Span::styled(shown, p.field(focused)));
    let cursor = focused.then(|| u16::try_from(VALUE_X + col).unwrap_or(0));
    (Line::from(spans), cursor)
}

/// A password field: one dot per character, never the characters themselves.
pub fn secret(
    name: &str,
    s: &SecretInput,
    focused: bool,
    w: usize,
    p: Palette,
) -> (Line<'static>, Option<u16>) {
    let field_w = w.saturating_sub(VALUE_X);
    let (shown, col) = window(&s.masked(), s.len(), field_w);
    let mut spans = label(name, focused, p);
    spans.push(Span::styled(shown, p.field(focused)));
    let cursor = focused.then(|| u16::try_from(VALUE_X + col).unwrap_or(0));
    (Line::from(spans), cursor)
}

/// A read-only field whose untrusted value wraps under itself when long.
pub fn value_lines(name: &str, value: &str, w: usize, style: Style, p: Palette) -> Vec<Line<'static>> {
    let vw = w.saturating_sub(VALUE_X).max(1);
    text::wrap(&safe(value), vw)
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut spans = if i == 0 { label(name, false, p) } else { vec![Span::raw(" ".repeat(VALUE_X))] };
            spans.push(Span::styled(chunk, style));
            Line::from(spans)
        })
        .collect()
}

/// A choice between fixed options, written "a/[b]/c": the chosen one in brackets (which
/// survive NO_COLOR and a monochrome terminal) and highlighted, with an optional hint
/// after it.
pub fn choice(
    name: &str,
    options: &[&str],
    chosen: usize,
    focused: bool,
    hint: &str,
    p: Palette,
) -> Line<'static> {
    choice_of(name, options, chosen, focused, hint, |_| true, p)
}

/// [`choice`] with some options disabled (drawn dim and crossed out: not selectable).
pub fn choice_of(
    name: &str,
    options: &[&str],
    chosen: usize,
    focused: bool,
    hint: &str,
    enabled: impl Fn(usize) -> bool,
    p: Palette,
) -> Line<'static> {
    let mut spans = label(name, focused, p);
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("/", p.dim()));
        }
        let style = if i == chosen {
            p.chosen()
        } else if enabled(i) {
            p.plain()
        } else {
            p.dim().add_modifier(ratatui::style::Modifier::CROSSED_OUT)
        };
        let text = if i == chosen { format!("[{o}]") } else { (*o).to_string() };
        spans.push(Span::styled(text, style));
    }
    if !hint.is_empty() {
        spans.push(Span::styled(format!("   {hint}"), p.dim()));
    }
    Line::from(spans)
}

/// The keys bound to `action`, as the keymap writes them ("n/Esc"), without an
/// upper-case letter whose lower case is already listed ("y/Y" becomes "y").
pub fn keys(action: KeyAction) -> String {
    let all = keymap::keys_for(action);
    let parts: Vec<&str> = all.split('/').collect();
    parts
        .iter()
        .filter(|k| {
            let mut cs = k.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) if c.is_uppercase() => {
                    !parts.contains(&c.to_lowercase().to_string().as_str())
                }
                _ => true,
            }
        })
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

/// A footer item: `action`'s keys and its word (`Binding::short`), with a priority.
pub fn hint(action: KeyAction, prio: u8) -> (String, &'static str, u8) {
    (keys(action), keymap::short(action), prio)
}

/// A (keys, word) pair of `action` for [`hints`].
pub fn pair(action: KeyAction) -> (String, &'static str) {
    (keys(action), keymap::short(action))
}

/// "KEY: what   KEY: what" from (keys, what) pairs.
pub fn hints(pairs: &[(String, &str)], p: Palette) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (k, what)) in pairs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("   "));
        }
        spans.push(Span::styled(k.clone(), p.key()));
        spans.push(Span::styled(format!(": {what}"), p.dim()));
    }
    Line::from(spans)
}

/// Key hint pairs for a form: submit, next field, cancel.
pub fn form_hints(submit: &str, cancel: &str, p: Palette) -> Line<'static> {
    hints(
        &[
            (keys(KeyAction::Form(FormAction::Submit)), submit),
            (keys(KeyAction::Form(FormAction::NextField)), "next field"),
            (keys(KeyAction::Form(FormAction::Cancel)), cancel),
        ],
        p,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_the_cursor_in_view() {
        assert_eq!(window("abc", 3, 10), ("abc       ".to_string(), 3));
        let (s, col) = window("abcdefghij", 10, 5);
        assert_eq!(col, 4);
        assert!(s.starts_with("ghij"), "{s}");
        assert_eq!(text::width(&s), 5);
    }

    #[test]
    fn a_wide_character_left_of_a_popup_does_not_spill_onto_its_border() {
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;
        let mut t = Terminal::new(TestBackend::new(20, 5)).expect("terminal");
        t.draw(|f| {
            let area = f.area();
            // "漢" at x=4..5; the popup (10 wide, centred) starts at x=5.
            f.buffer_mut().set_string(4, 2, "漢", Style::new());
            popup(f, area, 10, 5, "t", Palette { color: false });
        })
        .expect("draw");
        let buf = t.backend().buffer();
        assert_eq!(buf[(4, 2)].symbol(), " ");
        assert_eq!(buf[(5, 2)].symbol(), "│");
    }

    #[test]
    fn key_labels_drop_shifted_duplicates() {
        assert_eq!(keys(KeyAction::Confirm(ConfirmAction::Yes)), "y");
        assert_eq!(keys(KeyAction::Confirm(ConfirmAction::Cancel)), "n/Esc");
        assert_eq!(keys(KeyAction::Table(TableAction::Bottom)), "G/End");
    }
}
