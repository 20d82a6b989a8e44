//! The help overlay, generated entirely from the keymap: every binding, grouped by the
//! context it applies in, so the help can never disagree with the keys.

use super::palette::Palette;
use super::text::{self, fit, width};
use super::viewers::viewer_hints;
use super::widgets::{self, Body};
use crate::tui::event::Measured;
use crate::tui::keymap::{BINDINGS, Binding, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// "j/↓": every key of a binding, as the keymap writes it.
fn keys_of(b: &Binding) -> String {
    b.keys.iter().map(|k| k.label()).collect::<Vec<_>>().join("/")
}

/// The help text: a title per context, then a line per binding (more where its text wraps).
pub fn lines(w: usize, p: Palette) -> Vec<Line<'static>> {
    let key_w = BINDINGS.iter().map(|b| width(&keys_of(b))).max().unwrap_or(0) + 2;
    let mut out = Vec::new();
    for (i, ctx) in Context::ALL.iter().enumerate() {
        if i > 0 {
            out.push(Line::default());
        }
        out.push(Line::from(Span::styled(ctx.title().to_string(), p.title())));
        for b in BINDINGS.iter().filter(|b| b.action.context() == *ctx) {
            // A long text wraps under itself: no word of the help is ever cut.
            let room = w.saturating_sub(key_w + 2).max(1);
            for (i, part) in text::wrap(b.help, room).into_iter().enumerate() {
                let keys = if i == 0 { fit(&keys_of(b), key_w) } else { " ".repeat(key_w) };
                out.push(Line::from(vec![Span::raw("  "), Span::styled(keys, p.key()), Span::raw(part)]));
            }
        }
    }
    out
}

/// The message history (`m`): the session's last status messages, newest first, wrapped
/// so none is cut off.
pub fn messages(
    frame: &mut Frame,
    area: Rect,
    app: &crate::tui::model::App,
    scroll: u16,
    p: Palette,
) -> Measured {
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2);
    let inner = widgets::popup(frame, area, w, h, "Messages (newest first)", p);
    let mut body = Body { lines: message_lines(app, usize::from(inner.width), p), ..Body::default() };
    body.footer = Some(Line::default());
    let max = body.max_scroll(inner);
    let first = usize::from(scroll).min(max);
    body.footer =
        Some(viewer_hints(first, body.rows(inner), body.lines.len(), usize::from(inner.width), "close", p));
    let measured = Measured::scrolled(body.rows(inner), max);
    body.render(frame, inner, first);
    measured
}

/// The messages' lines in a box `iw` columns wide inside.
fn message_lines(app: &crate::tui::model::App, iw: usize, p: Palette) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if app.history.is_empty() {
        lines.push(Line::from(Span::styled("no messages yet", p.dim())));
    }
    for m in app.history.iter().rev() {
        let (prefix, style) = widgets::status_mark(m.kind, p);
        for (i, l) in text::wrap(&text::safe(&m.text), iw.saturating_sub(2)).into_iter().enumerate() {
            let lead = if i == 0 { prefix } else { "  " };
            lines.push(Line::from(vec![Span::styled(lead, style), Span::styled(l, style)]));
        }
    }
    lines
}

pub fn draw(frame: &mut Frame, area: Rect, scroll: u16, p: Palette) -> Measured {
    let w = area.width.saturating_sub(4).min(90);
    let h = area.height.saturating_sub(2);
    let inner = widgets::popup(frame, area, w, h, "Keys", p);
    let mut body = Body { lines: lines(usize::from(inner.width), p), ..Body::default() };
    // The footer takes the last row: count the rows without it (its text needs the result).
    body.footer = Some(Line::default());
    let max = body.max_scroll(inner);
    let first = usize::from(scroll).min(max);
    body.footer =
        Some(viewer_hints(first, body.rows(inner), body.lines.len(), usize::from(inner.width), "close", p));
    let measured = Measured::scrolled(body.rows(inner), max);
    body.render(frame, inner, first);
    measured
}
