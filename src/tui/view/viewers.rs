//! The read-only viewers: one user's details, and the audit log.

use super::palette::Palette;
use super::text::{self, date, fit, safe, safe_fit, spinner, width};
use super::widgets::{self, Body};
use crate::domain::audit::{AuditRow, describe_change};
use crate::domain::change::short_id;
use crate::operator::Operator;
use crate::tui::event::{Details, Measured};
use crate::tui::keymap::{AuditAction, DetailsAction, KeyAction, ScrollAction, TableAction};
use crate::tui::model::dialog::{AuditView, Loading};
use crate::tui::model::{App, StatusKind, StatusLine};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use uuid::Uuid;

/// Width of the labels in the details view.
const KEY_W: usize = 16;

/// A large box: most of the screen, up to `max_w` wide.
fn big_box(frame: &mut Frame, area: Rect, max_w: u16, title: &str, p: Palette) -> Rect {
    let w = area.width.saturating_sub(2).min(max_w);
    let h = area.height.saturating_sub(2);
    widgets::popup(frame, area, w, h, title, p)
}

/// Key hints of a viewer, with "lines a-b of n" when the content is longer than the box.
pub fn viewer_hints(first: usize, shown: usize, total: usize, p: Palette) -> Line<'static> {
    let mut line = widgets::hints(
        &[
            widgets::pair(KeyAction::Scroll(ScrollAction::Down)),
            widgets::pair(KeyAction::Scroll(ScrollAction::Up)),
            widgets::pair(KeyAction::Scroll(ScrollAction::PageDown)),
            widgets::pair(KeyAction::Scroll(ScrollAction::Close)),
        ],
        p,
    );
    if total > shown {
        let last = (first + shown).min(total);
        line.push_span(Span::styled(format!("   {}-{last} of {total}", first + 1), p.dim()));
    }
    line
}

pub(super) fn spinning(app: &App, what: &str, p: Palette) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{} ", spinner(app.spinner)), p.warn()),
        Span::raw(what.to_string()),
    ])
}

/// "  label           value" with an untrusted value, wrapped under itself when long.
fn pair(body: &mut Body, key: &str, value: &str, w: usize, style: Style, p: Palette) {
    // A longer key (a deployment's own profile column) widens its line, never cut.
    let kw = KEY_W.max(width(&safe(key)) + 1);
    let vw = w.saturating_sub(kw + 2).max(1);
    for (i, chunk) in text::wrap(&safe(value), vw).into_iter().enumerate() {
        let lead = if i == 0 { format!("  {}", fit(&safe(key), kw)) } else { " ".repeat(kw + 2) };
        body.push(Line::from(vec![Span::styled(lead, p.dim()), Span::styled(chunk, style)]));
    }
}

fn section(body: &mut Body, title: &str, p: Palette) {
    body.blank();
    body.push(Span::styled(title.to_string(), p.title()));
}

/// Widest box of the details.
const DETAILS_W: u16 = 100;

/// What the details dialog shows besides its data: the scroll offset, the selected
/// session and the note of the last key.
pub struct DetailsState<'a> {
    pub scroll: u16,
    pub session: Option<Uuid>,
    /// Scroll so the selected session is in view (and report the offset).
    pub reveal: bool,
    pub note: Option<&'a StatusLine>,
}

pub fn details(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    data: &Loading<Box<Details>>,
    st: DetailsState,
    p: Palette,
) -> Measured {
    let title = match data {
        Loading::Ready(d) => format!("Details: {}", safe(&d.user.email)),
        _ => "Details".to_string(),
    };
    let inner = big_box(frame, area, DETAILS_W, &title, p);
    let w = usize::from(inner.width);
    let mut body = Body::default();
    let selected_line = match data {
        Loading::Pending => {
            body.push(spinning(app, "loading details…", p));
            None
        }
        Loading::Failed(e) => {
            body.text(&format!("could not load the details: {e}"), p.error(), w);
            None
        }
        Loading::Ready(d) => details_lines(&mut body, d, st.session, w, p),
    };
    // The footer takes the last row: count the rows without it.
    body.footer = Some(Line::default());
    let rows = body.rows(inner).max(1);
    let max = body.max_scroll(inner);
    let at = usize::from(st.scroll).min(max);
    // A newly selected session is brought into view, moving as little as it can.
    let revealed = selected_line.filter(|_| st.reveal).map(|line| {
        if line < at {
            line
        } else if line >= at + rows {
            (line + 1 - rows).min(max)
        } else {
            at
        }
    });
    let first = revealed.unwrap_or(at);
    body.footer = Some(match st.note {
        // What the last key did (or why not): the status line is under this box.
        Some(note) => {
            let style = match note.kind {
                StatusKind::Ok => p.ok(),
                StatusKind::Error => p.error(),
                StatusKind::Info => p.plain(),
            };
            Line::from(Span::styled(text::truncate(&safe(&note.text), w), style))
        }
        None => viewer_hints(first, rows, body.lines.len(), p),
    });
    body.render(frame, inner, first);
    let to_u16 = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    Measured { revealed: revealed.map(to_u16), ..Measured::scrolled(rows, max) }
}

/// The details' lines; returns the line of `selected` (a session), if listed.
fn details_lines(
    body: &mut Body,
    d: &Details,
    selected: Option<Uuid>,
    w: usize,
    p: Palette,
) -> Option<usize> {
    let u = &d.user;
    let plain = p.plain();
    body.push(Span::styled("Account", p.title()));
    pair(body, "Email", &u.email, w, p.bold(), p);
    pair(body, "Id", &u.id.to_string(), w, plain, p);
    pair(body, "Role", u.role.as_str(), w, plain, p);
    pair(body, "Status", u.status().as_str(), w, p.status(u.status()), p);
    let verified = if u.email_verified {
        "yes".to_string()
    } else {
        let key = widgets::keys(KeyAction::Table(TableAction::VerifyEmail));
        format!("no: the web app refuses its login ({key} on the table vouches for it)")
    };
    pair(body, "Email verified", &verified, w, if u.email_verified { plain } else { p.warn() }, p);
    pair(body, "Signs in with", &u.auth_provider, w, plain, p);
    pair(body, "Created", &date(u.created_at, true), w, plain, p);
    pair(body, "Updated", &date(u.updated_at, true), w, plain, p);
    let last = u.last_login_at.map_or_else(|| "never".to_string(), |t| date(t, true));
    pair(body, "Last login", &last, w, plain, p);
    pair(body, "Failed logins", &u.failed_login_attempts.to_string(), w, plain, p);
    let locked = u.locked_until.map_or_else(|| "-".to_string(), |t| date(t, true));
    pair(body, "Locked until", &locked, w, plain, p);

    section(body, "Profile", p);
    if d.profile.is_empty() {
        body.push(Span::styled("  (none)", p.dim()));
    }
    for (k, v) in &d.profile {
        pair(body, k, v, w, plain, p);
    }

    let active = d.sessions.iter().filter(|s| s.active).count();
    section(body, &format!("Sessions ({active} active; the newest {} of any state)", d.sessions.len()), p);
    if d.sessions.is_empty() {
        body.push(Span::styled("  (none)", p.dim()));
    } else {
        let hint = format!(
            "  {}: select a session   {}: revoke the selected one (asks first)",
            widgets::keys(KeyAction::Details(DetailsAction::NextSession)),
            widgets::keys(KeyAction::Details(DetailsAction::RevokeSession)),
        );
        body.text(&hint, p.dim(), w);
    }
    let mut selected_line = None;
    for s in &d.sessions {
        let created = s.created_at.map_or_else(|| "?".to_string(), |t| date(t, true));
        let state = match (s.active, s.revoked_at) {
            (true, _) => format!("active, expires {}", date(s.expires_at, true)),
            (false, Some(r)) => format!("revoked {}", date(r, true)),
            (false, None) => format!("expired {}", date(s.expires_at, true)),
        };
        let here = selected == Some(s.id);
        if here {
            selected_line = Some(body.lines.len());
        }
        let style = if here {
            p.chosen()
        } else if s.active {
            p.ok()
        } else {
            p.dim()
        };
        body.push(Line::from(vec![
            Span::styled(if here { "▸ " } else { "  " }, p.focus()),
            Span::styled(
                format!("{}  created {created} · ", short_id(&s.id)),
                if here { p.chosen() } else { plain },
            ),
            Span::styled(state, style),
        ]));
    }

    section(body, &format!("Sign-ins (the newest {})", d.logins.len()), p);
    if d.logins.is_empty() {
        body.push(Span::styled("  (none recorded)", p.dim()));
    }
    for l in &d.logins {
        let outcome = if l.success {
            "ok".to_string()
        } else {
            format!("refused {}", l.failure_code.as_deref().unwrap_or("?"))
        };
        let line = format!(
            "  {}  {}  {}  {}",
            date(l.at, true),
            outcome,
            l.ip_address.as_deref().unwrap_or("-"),
            l.user_agent.as_deref().unwrap_or("-")
        );
        body.text(&safe(&line), if l.success { p.plain() } else { p.warn() }, w);
    }

    section(body, "Rows in other tables that point at this user (sessions of any state)", p);
    if d.dependents.is_empty() {
        body.push(Span::styled("  (none)", p.dim()));
    }
    for dep in &d.dependents {
        let line = format!("  {} · if deleted: {}", dep.describe(), dep.on_delete.describe());
        body.text(&line, p.plain(), w);
    }

    section(body, "Recent changes", p);
    if d.audit.is_empty() {
        body.push(Span::styled("  (none)", p.dim()));
    }
    for a in &d.audit {
        let line = format!(
            "  {}  {}  {}: {}",
            date(a.at, true),
            a.actor_email,
            a.action,
            describe_change(&a.before, &a.after)
        );
        body.text(&line, p.plain(), w);
    }
    selected_line
}

/// Terminal width from which an audit entry fits on one line.
const AUDIT_WIDE: usize = 100;

/// Columns of the audit table: (title, width). Wide: time, actor, action, target, change
/// on one line. Narrow: the change goes on a second line under the entry.
fn audit_columns(w: usize) -> Vec<(&'static str, usize)> {
    if w >= AUDIT_WIDE {
        let change = w.saturating_sub(16 + 24 + 14 + 24 + 4);
        vec![("Time", 16), ("Actor", 24), ("Action", 14), ("Target", 24), ("Change", change)]
    } else {
        let target = w.saturating_sub(11 + 22 + 12 + 3);
        vec![("Time", 11), ("Actor", 22), ("Action", 12), ("Target", target)]
    }
}

fn audit_time(r: &AuditRow, w: usize) -> String {
    let full = date(r.at, true);
    // Narrow: "MM-DD HH:MM" (the year is the first five characters).
    if w < 16 { full.get(5..).unwrap_or(&full).to_string() } else { full }
}

/// One entry: one line when wide, two (the change under it) when narrow.
fn audit_lines(r: &AuditRow, cols: &[(&str, usize)], w: usize, p: Palette) -> Vec<Line<'static>> {
    let change = describe_change(&r.before, &r.after);
    let mut cells = vec![
        audit_time(r, cols[0].1),
        safe_fit(&r.actor_email, cols[1].1),
        safe_fit(&r.action, cols[2].1),
        safe_fit(r.target_email.as_deref().unwrap_or("-"), cols[3].1),
    ];
    if let Some((_, cw)) = cols.get(4) {
        cells.push(safe_fit(&change, *cw));
        return vec![Line::from(cells.join(" "))];
    }
    let indent = cols[0].1 + 1;
    vec![
        Line::from(cells.join(" ")),
        Line::from(vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(safe_fit(&change, w.saturating_sub(indent)), p.dim()),
        ]),
    ]
}

/// "  change 1a2b3c4d by anna via ssh 10.1.2.3 on web1 · reason: ticket 4711".
fn provenance(r: &AuditRow) -> String {
    let mut parts = Vec::new();
    match r.change_id {
        // The first 8 hex digits tell changes apart on a screen; `audit --change` takes the
        // whole id, which `audit --format json` gives.
        Some(id) => parts.push(format!("change {}", &id.simple().to_string()[..8])),
        None => parts.push("(no change id: written by an older version)".to_string()),
    }
    if let Some(id) = r.reverts {
        parts.push(format!("reverts {}", &id.simple().to_string()[..8]));
    }
    if let Some(op) = &r.operator {
        parts.push(format!("by {}", Operator::describe(op)));
    }
    if let Some(reason) = &r.reason {
        parts.push(format!("reason: {reason}"));
    }
    format!("  {}", parts.join(" · "))
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
    body.footer = Some(viewer_hints(first, rows, body.lines.len(), p));
    body.render(frame, inner, first);
    Measured::scrolled(rows, max)
}

/// The audit log, or its top entry in full; reports its page (entries, or lines).
pub fn audit(frame: &mut Frame, area: Rect, app: &App, view: &AuditView, p: Palette) -> Measured {
    if let Some(scroll) = view.open
        && let Some(r) = view.filtered(app.wall).get(view.scroll)
    {
        return audit_entry(frame, area, r, scroll, p);
    }
    let inner = big_box(frame, area, 160, "Audit log (newest first)", p);
    if inner.height < 4 {
        return Measured::default();
    }
    let w = usize::from(inner.width);
    let rows_area = Rect { y: inner.y + 2, height: inner.height - 3, ..inner };
    let footer = Rect { y: inner.bottom() - 1, height: 1, ..inner };
    let filtered = view.filtered(app.wall);
    let rows = usize::from(rows_area.height);
    let first = view.scroll.min(filtered.len().saturating_sub(1));

    // Filter line, with the count on the right.
    let count = match (&view.rows, view.parsed(app.wall)) {
        (Loading::Ready(_), Err(e)) if !view.filter.editing => format!("filter: {e}"),
        (Loading::Ready(_), Err(_)) => "…".to_string(),
        (Loading::Ready(all), Ok(_)) => format!("{} of {} entries", filtered.len(), all.len()),
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
                "{}: filter   {}: the top entry in full   {}: revert its change",
                widgets::keys(KeyAction::Audit(AuditAction::Filter)),
                widgets::keys(KeyAction::Audit(AuditAction::Open)),
                widgets::keys(KeyAction::Audit(AuditAction::Revert))
            ),
            p.dim(),
        ));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    spans.push(Span::raw(" ".repeat(w.saturating_sub(used + width(&count)))));
    spans.push(Span::styled(count, p.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), Rect { height: 1, ..inner });

    let cols = audit_columns(w);
    let header: Vec<String> = cols.iter().map(|(t, cw)| fit(t, *cw)).collect();
    let header = Line::from(Span::styled(text::truncate(&header.join(" "), w), p.header()));
    frame.render_widget(Paragraph::new(header), Rect { y: inner.y + 1, height: 1, ..inner });

    let lines: Vec<Line<'static>> = match &view.rows {
        Loading::Pending => vec![spinning(app, "loading the audit log…", p)],
        Loading::Failed(e) => text::wrap(&safe(&format!("could not load the audit log: {e}")), w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, p.error())))
            .collect(),
        Loading::Ready(_) if filtered.is_empty() => {
            vec![Line::from(Span::styled("no entries match", p.dim()))]
        }
        Loading::Ready(_) => {
            let mut lines = Vec::new();
            for (i, r) in filtered.iter().enumerate().skip(first).take(rows) {
                let mut entry = audit_lines(r, &cols, w, p);
                if i == first {
                    // The top entry is the selected one (`z` reverts its change): marked,
                    // with where it came from and why on a line of its own.
                    for l in &mut entry {
                        *l = l.clone().style(p.chosen());
                    }
                    entry.push(Line::from(Span::styled(safe_fit(&provenance(r), w), p.warn())));
                }
                lines.extend(entry);
            }
            lines.truncate(rows);
            lines
        }
    };
    frame.render_widget(Paragraph::new(lines), rows_area);
    let per_entry = if cols.len() == 4 { 2 } else { 1 };
    let page = (rows / per_entry).max(1);
    let hints = viewer_hints(first, page, filtered.len(), p);
    frame.render_widget(Paragraph::new(hints), footer);
    Measured { page: Some(u16::try_from(page).unwrap_or(u16::MAX)), ..Measured::default() }
}
