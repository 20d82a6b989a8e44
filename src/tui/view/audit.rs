//! The audit-log viewer: one row per change under a cursor, with the selected change's
//! provenance and reason in full beneath; a change opened to its accounts; one entry in
//! full.

use super::palette::Palette;
use super::text::{self, date, fit, safe, safe_fit, width};
use super::viewers::{big_box, pair, section, spinning, viewer_hints};
use super::widgets::{self, Body};
use crate::domain::audit::{AuditRow, ChangeSummary, describe_change};
use crate::operator::Operator;
use crate::tui::event::{AUDIT_CHANGES, Measured};
use crate::tui::keymap::{AuditAction, KeyAction, ScrollAction};
use crate::tui::model::audit_view::{AuditView, ListCursor, OpenChange};
use crate::tui::model::dialog::Loading;
use crate::tui::model::{App, StatusLine};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Terminal width from which the actor and the reason get columns of their own.
const AUDIT_WIDE: usize = 100;

/// Lines under the list for the selected change's provenance and reason, at most.
const DETAIL_LINES: usize = 3;

/// Columns of the list of changes: (title, width). Narrow: time, action, what, actor (the
/// reason is under the list). Wide: the change id and the reason too.
fn change_columns(w: usize) -> Vec<(&'static str, usize)> {
    if w >= AUDIT_WIDE {
        let reason = w.saturating_sub(16 + 8 + 16 + 26 + 24 + 5);
        vec![("Time", 16), ("Change", 8), ("Action", 16), ("Accounts", 26), ("Actor", 24), ("Reason", reason)]
    } else {
        let actor = w.saturating_sub(11 + 14 + 26 + 3);
        vec![("Time", 11), ("Action", 14), ("Accounts", 26), ("Actor", actor)]
    }
}

/// "2026-11-20 12:00", or "11-20 12:00" where the column is narrow.
/// "2026-11-20 12:00"; where the column is narrow "11-20 12:00" in the year `this_year`,
/// and the date with its year ("2025-11-20") for an older entry.
fn time_cell(r: &AuditRow, w: usize, this_year: Option<i32>) -> String {
    let full = date(r.at, true);
    if w >= 16 {
        return full;
    }
    if this_year.is_some_and(|y| y != r.at.year()) {
        return date(r.at, false);
    }
    full.get(5..).unwrap_or(&full).to_string()
}

fn short(id: uuid::Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

/// One change as a line of the list (`cols` from [`change_columns`]). A revert says so
/// in its action ("undo set_role"): it would look like the change it undid otherwise.
fn change_line(c: &ChangeSummary, cols: &[(&str, usize)], this_year: Option<i32>) -> String {
    let r = &c.first;
    let wide = cols.len() == 6;
    let width_of = |i: usize| cols.get(i).map_or(0, |(_, w)| *w);
    let mut cells = vec![time_cell(r, width_of(0), this_year)];
    let mut i = 1;
    if wide {
        cells.push(fit(&r.change_id.map_or_else(|| "-".into(), short), width_of(1)));
        i = 2;
    }
    let action = if r.reverts.is_some() { format!("undo {}", r.action) } else { r.action.clone() };
    cells.push(safe_fit(&action, width_of(i)));
    cells.push(safe_fit(&c.what(), width_of(i + 1)));
    cells.push(safe_fit(&r.actor_email, width_of(i + 2)));
    if wide {
        cells.push(safe_fit(r.reason.as_deref().unwrap_or(""), width_of(5)));
    }
    cells.join(" ")
}

/// "change 1a2b3c4d · reverts 9f8e7d6c · by anna via ssh … · reason: ticket 4711".
fn provenance(r: &AuditRow) -> String {
    let mut parts = Vec::new();
    match r.change_id {
        // The first 8 hex digits tell changes apart on a screen; `audit --change` takes the
        // whole id, which `audit --format json` gives.
        Some(id) => parts.push(format!("change {}", short(id))),
        None => parts.push("(no change id: written by an older version)".to_string()),
    }
    if let Some(id) = r.reverts {
        parts.push(format!("reverts {}", short(id)));
    }
    if let Some(op) = &r.operator {
        parts.push(format!("by {}", Operator::describe(op)));
    }
    parts.push(format!("reason: {}", r.reason.as_deref().unwrap_or("(none given)")));
    parts.join(" · ")
}

/// The filter line, with the count (or why the filter cannot be read) on the right.
fn filter_row(frame: &mut Frame, inner: Rect, app: &App, view: &AuditView, p: Palette) {
    let w = usize::from(inner.width);
    let count = match (&view.changes, view.parsed(app.wall)) {
        // The reason itself is under the list, where there is room for all of it.
        (_, Err(_)) if view.filter.editing => "✗ cannot be read (why: below)".to_string(),
        (_, Ok(_)) if view.filter.editing => "Enter applies".to_string(),
        (Loading::Ready(rows), _) if rows.len() as i64 >= AUDIT_CHANGES => {
            format!("the newest {} changes", rows.len())
        }
        (Loading::Ready(rows), _) => crate::plural::count(rows.len() as i64, "change"),
        _ => String::new(),
    };
    let room = w.saturating_sub(width(&count) + 2);
    let (mut spans, cursor) =
        widgets::filter_line(&view.filter, room.saturating_sub(1).min(40), room.saturating_sub(8), p);
    if let Some(col) = cursor {
        let x = inner.x + u16::try_from(col).unwrap_or(0);
        frame.set_cursor_position(Position { x, y: inner.y });
    }
    if spans.is_empty() {
        spans.push(Span::styled(
            format!(
                "{}: filter (actor: target: action: since: until: …)",
                widgets::keys(KeyAction::Audit(AuditAction::Filter))
            ),
            p.dim(),
        ));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let count = text::truncate(&count, w.saturating_sub(used + 1));
    spans.push(Span::raw(" ".repeat(w.saturating_sub(used + width(&count)))));
    spans.push(Span::styled(count, p.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), Rect { height: 1, ..inner });
}

/// The last key's message as the status line would show it.
fn status_line(s: &StatusLine, p: Palette) -> (String, ratatui::style::Style) {
    let (mark, style) = widgets::status_mark(s.kind, p);
    // An info message has no mark: it starts where the mark would.
    (format!("{mark}{}", s.text).trim_start().to_string(), style)
}

/// Key hints of the list and of an opened change, with "a-b of n" where the list is
/// longer than its page, in `w` columns: the counter is never cut; the filter and revert
/// hints give way to it first, then the open hint; close stays.
fn list_footer(
    open: bool,
    len: usize,
    cursor: ListCursor,
    rows: usize,
    w: usize,
    p: Palette,
) -> Line<'static> {
    let counter = (len > rows).then(|| {
        let c = cursor.within(rows);
        format!("   {}-{} of {len}", c.top + 1, (c.top + rows).min(len))
    });
    let what = if open { "entry in full" } else { "its accounts" };
    let close = (widgets::keys(KeyAction::Scroll(ScrollAction::Close)), if open { "back" } else { "close" });
    let mut all = vec![
        (widgets::keys(KeyAction::Audit(AuditAction::Open)), what),
        (widgets::keys(KeyAction::Audit(AuditAction::Revert)), "revert"),
    ];
    if !open {
        all.push((widgets::keys(KeyAction::Audit(AuditAction::Filter)), "filter"));
    }
    let counter_w = counter.as_ref().map_or(0, |c| width(c));
    let mut line = Line::default();
    for keep in (0..=all.len()).rev() {
        let mut pairs: Vec<(String, &str)> = all.iter().take(keep).cloned().collect();
        pairs.push(close.clone());
        line = widgets::hints(&pairs, p);
        if line.width() + counter_w <= w {
            break;
        }
    }
    if let Some(c) = counter {
        line.push_span(Span::styled(c, p.dim()));
    }
    line
}

/// Rows `cursor.top..` of `lines`, `rows` of them, the cursor's marked.
/// Only the rows shown are formatted (`line(i)`), however long the list.
fn cursor_rows(
    len: usize,
    line: impl Fn(usize) -> String,
    cursor: ListCursor,
    rows: usize,
    w: usize,
    p: Palette,
) -> Vec<Line<'static>> {
    let cursor = cursor.within(rows);
    (cursor.top..len.min(cursor.top + rows))
        .map(|i| (i, line(i)))
        .map(|(i, l)| {
            let here = i == cursor.at;
            let marker = if here { "▸ " } else { "  " };
            let text = text::truncate(&format!("{marker}{l}"), w);
            Line::from(Span::styled(text, if here { p.chosen() } else { p.plain() }))
        })
        .collect()
}

/// The audit log: the list of changes, an opened change, or one entry in full; reports its
/// page (rows of the list, or lines of the entry).
pub fn audit(frame: &mut Frame, area: Rect, app: &App, view: &AuditView, p: Palette) -> Measured {
    if let Some(open) = &view.open {
        return match (open.entry, open.selected()) {
            (Some(scroll), Some(r)) => audit_entry(frame, area, r, scroll, p),
            _ => opened(frame, area, app, open, p),
        };
    }
    let inner = big_box(frame, area, 160, "Audit log: one row per change, newest first", p);
    if inner.height < 6 {
        return Measured::default();
    }
    let w = usize::from(inner.width);
    filter_row(frame, inner, app, view, p);
    let cols = change_columns(w.saturating_sub(2));
    let header: Vec<String> = cols.iter().map(|(t, cw)| fit(t, *cw)).collect();
    let header = Line::from(Span::styled(text::truncate(&format!("  {}", header.join(" ")), w), p.header()));
    frame.render_widget(Paragraph::new(header), Rect { y: inner.y + 1, height: 1, ..inner });

    // The list, then the selected change's provenance in full, then the key hints.
    let detail = if w >= AUDIT_WIDE { 2 } else { DETAIL_LINES };
    let rows = usize::from(inner.height).saturating_sub(3 + detail + 1).max(1);
    let list_area = Rect { y: inner.y + 2, height: u16::try_from(rows).unwrap_or(1), ..inner };
    let changes = view.listed();
    let lines: Vec<Line<'static>> = match &view.changes {
        Loading::Pending => vec![spinning(app, "loading the audit log…", p)],
        Loading::Failed(e) => text::wrap(&safe(&format!("could not load the audit log: {e}")), w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, p.error())))
            .collect(),
        Loading::Ready(_) if changes.is_empty() => {
            vec![Line::from(Span::styled("no change matches", p.dim()))]
        }
        Loading::Ready(_) => {
            let this_year = app.wall.map(|now| now.year());
            let line =
                |i: usize| changes.get(i).map(|c| change_line(c, &cols, this_year)).unwrap_or_default();
            cursor_rows(changes.len(), line, view.cursor, rows, w, p)
        }
    };
    frame.render_widget(Paragraph::new(lines), list_area);
    // Under the list: why the filter being typed cannot be read, else the selected
    // change's provenance and reason.
    // What the last key did (a refused revert, say) comes first: the status line is under
    // this box, out of sight.
    let below = match view.parsed(app.wall) {
        _ if app.status.is_some() => app.status.as_ref().map(|s| status_line(s, p)),
        Err(e) if view.filter.editing => Some((format!("✗ {e}"), p.error())),
        _ => changes.get(view.cursor.at).map(|c| (provenance(&c.first), p.warn())),
    };
    if let Some((said, style)) = below {
        let mut detail_lines: Vec<Line<'static>> = text::wrap(&safe(&said), w.saturating_sub(2))
            .into_iter()
            .map(|l| Line::from(Span::styled(format!("  {l}"), style)))
            .collect();
        if detail_lines.len() > detail {
            detail_lines.truncate(detail);
            if let Some(last) = detail_lines.last_mut() {
                *last = Line::from(Span::styled(
                    text::truncate(&format!("{last} …"), w.saturating_sub(1)),
                    style,
                ));
            }
        }
        // Right under the rows shown (a short list leaves no gap above it).
        let shown = changes.len().saturating_sub(view.cursor.within(rows).top).min(rows);
        let y = list_area.y + u16::try_from(shown).unwrap_or(0) + 1;
        let height = u16::try_from(detail).unwrap_or(1).min(inner.bottom().saturating_sub(y + 1));
        frame.render_widget(Paragraph::new(detail_lines), Rect { y, height, ..inner });
    }
    let footer = Rect { y: inner.bottom() - 1, height: 1, ..inner };
    let hints = list_footer(false, changes.len(), view.cursor, rows, w, p);
    frame.render_widget(Paragraph::new(hints), footer);
    Measured { page: Some(u16::try_from(rows).unwrap_or(u16::MAX)), ..Measured::default() }
}

/// A change opened to its accounts: what the change is, in full, then one line per account.
fn opened(frame: &mut Frame, area: Rect, app: &App, open: &OpenChange, p: Palette) -> Measured {
    let c = &open.summary;
    let r = &c.first;
    let id = r.change_id.map_or_else(|| "(no id)".to_string(), short);
    let title = format!("Change {id}: {}, {}", r.action, crate::plural::count(c.accounts, "account"));
    let inner = big_box(frame, area, 140, &title, p);
    if inner.height < 8 {
        return Measured::default();
    }
    let w = usize::from(inner.width);
    let mut head = Body::default();
    let plain = p.plain();
    pair(&mut head, "Time", &date(r.at, true), w, plain, p);
    pair(&mut head, "Actor", &r.actor_email, w, plain, p);
    if let Some(op) = &r.operator {
        pair(&mut head, "Operator", &Operator::describe(op), w, plain, p);
    }
    if let Some(id) = r.reverts {
        pair(&mut head, "Reverts", &id.to_string(), w, plain, p);
    }
    pair(&mut head, "Reason", r.reason.as_deref().unwrap_or("(none given)"), w, plain, p);
    let shown = match &open.entries {
        Loading::Ready(entries) if (entries.len() as i64) < c.accounts => {
            format!("Accounts (before → after): the first {} of {}", entries.len(), c.accounts)
        }
        _ => "Accounts (before → after)".to_string(),
    };
    section(&mut head, &shown, p);
    // The head keeps at most half the box; the list gets the rest.
    let head_h = head.lines.len().min(usize::from(inner.height) / 2);
    frame.render_widget(
        Paragraph::new(head.lines),
        Rect { height: u16::try_from(head_h).unwrap_or(1), ..inner },
    );
    // The list, the status line of the last key (when there is one), the key hints.
    let status_h = usize::from(app.status.is_some());
    let rows = usize::from(inner.height).saturating_sub(head_h + 1 + status_h).max(1);
    let list_area = Rect {
        y: inner.y + u16::try_from(head_h).unwrap_or(0),
        height: u16::try_from(rows).unwrap_or(1),
        ..inner
    };
    let (lines, len) = match &open.entries {
        Loading::Pending => (vec![spinning(app, "loading the change's accounts…", p)], 0),
        Loading::Failed(e) => (
            text::wrap(&safe(&format!("could not load the change: {e}")), w)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, p.error())))
                .collect(),
            0,
        ),
        Loading::Ready(entries) => {
            // As wide as the longest email, leaving the values room for a short change.
            let longest =
                entries.iter().map(|e| width(&safe(e.target_email.as_deref().unwrap_or("-")))).max();
            let target_w = longest.unwrap_or(1).min(w.saturating_sub(28)).max(12);
            let line = |i: usize| {
                entries.get(i).map_or_else(String::new, |e| {
                    let target = e.target_email.as_deref().unwrap_or("-");
                    format!("{} {}", safe_fit(target, target_w), safe(&describe_change(&e.before, &e.after)))
                })
            };
            (cursor_rows(entries.len(), line, open.cursor, rows, w, p), entries.len())
        }
    };
    frame.render_widget(Paragraph::new(lines), list_area);
    if let Some(s) = &app.status {
        let (said, style) = status_line(s, p);
        let line = Span::styled(text::safe_truncate(&said, w), style);
        frame.render_widget(Paragraph::new(line), Rect { y: inner.bottom() - 2, height: 1, ..inner });
    }
    let hints = list_footer(true, len, open.cursor, rows, w, p);
    frame.render_widget(Paragraph::new(hints), Rect { y: inner.bottom() - 1, height: 1, ..inner });
    Measured { page: Some(u16::try_from(rows).unwrap_or(u16::MAX)), ..Measured::default() }
}

/// One audit entry in full: every field, the values before and after one per line.
fn audit_entry(frame: &mut Frame, area: Rect, r: &AuditRow, scroll: u16, p: Palette) -> Measured {
    let inner = big_box(frame, area, 120, &format!("Audit entry {}", r.id), p);
    let w = usize::from(inner.width);
    let mut body = Body::default();
    let plain = p.plain();
    pair(&mut body, "Time", &date(r.at, true), w, plain, p);
    let actor = match r.actor_id {
        Some(id) => format!("{} ({id})", r.actor_email),
        None => r.actor_email.clone(),
    };
    pair(&mut body, "Actor", &actor, w, plain, p);
    pair(&mut body, "Action", &r.action, w, p.bold(), p);
    let target = match (&r.target_email, r.target_id) {
        (Some(e), Some(id)) => format!("{e} ({id})"),
        (Some(e), None) => e.clone(),
        (None, Some(id)) => id.to_string(),
        (None, None) => "-".into(),
    };
    pair(&mut body, "Target", &target, w, plain, p);
    let change = r.change_id.map_or("(none: written by an older version)".to_string(), |c| c.to_string());
    pair(&mut body, "Change", &change, w, plain, p);
    if let Some(id) = r.reverts {
        pair(&mut body, "Reverts", &id.to_string(), w, plain, p);
    }
    if let Some(op) = &r.operator {
        pair(&mut body, "Operator", &Operator::describe(op), w, plain, p);
        if let Some(tool) = op.get("tool").and_then(|t| t.as_str()) {
            pair(&mut body, "Tool", tool, w, plain, p);
        }
    }
    pair(&mut body, "Reason", r.reason.as_deref().unwrap_or("(none given)"), w, plain, p);
    for (title, values) in [("Before", &r.before), ("After", &r.after)] {
        section(&mut body, title, p);
        match values {
            Some(serde_json::Value::Object(m)) if !m.is_empty() => {
                for (k, v) in m {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    pair(&mut body, k, &v, w, plain, p);
                }
            }
            Some(serde_json::Value::Object(_)) | None | Some(serde_json::Value::Null) => {
                body.push(Span::styled("  (nothing)", p.dim()))
            }
            Some(other) => pair(&mut body, "value", &other.to_string(), w, plain, p),
        }
    }
    body.footer = Some(Line::default());
    let rows = body.rows(inner);
    let max = body.max_scroll(inner);
    let first = usize::from(scroll).min(max);
    body.footer = Some(viewer_hints(first, rows, body.lines.len(), w, "back", p));
    body.render(frame, inner, first);
    Measured::scrolled(rows, max)
}
