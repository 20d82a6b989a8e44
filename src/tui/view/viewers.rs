//! The read-only viewers: one user's details (the audit log: `audit.rs`), and what every
//! viewer shares.

use super::palette::Palette;
use super::text::{self, date, fit, safe, spinner, width};
use super::widgets::{self, Body};
use crate::domain::audit::describe_change;
use crate::domain::change::short_id;
use crate::tui::event::{Details, Measured};
use crate::tui::keymap::{DetailsAction, KeyAction, ScrollAction, TableAction};
use crate::tui::model::dialog::Loading;
use crate::tui::model::{App, StatusKind, StatusLine};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use uuid::Uuid;

/// Width of the labels in the details view.
const KEY_W: usize = 16;

/// A large box: most of the screen, up to `max_w` wide.
pub(super) fn big_box(frame: &mut Frame, area: Rect, max_w: u16, title: &str, p: Palette) -> Rect {
    let w = area.width.saturating_sub(2).min(max_w);
    let h = area.height.saturating_sub(2);
    widgets::popup(frame, area, w, h, title, p)
}

/// Key hints of a viewer, with "a-b of n" when the content is longer than the box, in
/// `w` columns: the counter is never cut; hints give way to it (up, then page down and
/// down), close last of all.
/// `close`: what Esc does here ("close", or "back" in a viewer inside a viewer).
pub fn viewer_hints(
    first: usize,
    shown: usize,
    total: usize,
    w: usize,
    close: &str,
    p: Palette,
) -> Line<'static> {
    let counter = (total > shown).then(|| format!("{}-{} of {total}", first + 1, (first + shown).min(total)));
    let counter_w = counter.as_ref().map_or(0, |c| width(c) + 3);
    let all = [
        (ScrollAction::Down, 1),
        (ScrollAction::Up, 2),
        (ScrollAction::PageDown, 1),
        (ScrollAction::Close, 0),
    ];
    let mut line = Line::default();
    for most in (0..=2).rev() {
        let pairs: Vec<(String, &str)> = all
            .iter()
            .filter(|(_, prio)| *prio <= most)
            .map(|(a, _)| match a {
                ScrollAction::Close => (widgets::keys(KeyAction::Scroll(*a)), close),
                _ => widgets::pair(KeyAction::Scroll(*a)),
            })
            .collect();
        line = widgets::hints(&pairs, p);
        if line.width() + counter_w <= w {
            break;
        }
    }
    if let Some(c) = counter {
        line.push_span(Span::styled(format!("   {c}"), p.dim()));
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
pub(super) fn pair(body: &mut Body, key: &str, value: &str, w: usize, style: Style, p: Palette) {
    // A longer key (a deployment's own profile column) widens its line, never cut.
    let kw = KEY_W.max(width(&safe(key)) + 1);
    let vw = w.saturating_sub(kw + 2).max(1);
    for (i, chunk) in text::wrap(&safe(value), vw).into_iter().enumerate() {
        let lead = if i == 0 { format!("  {}", fit(&safe(key), kw)) } else { " ".repeat(kw + 2) };
        body.push(Line::from(vec![Span::styled(lead, p.dim()), Span::styled(chunk, style)]));
    }
}

pub(super) fn section(body: &mut Body, title: &str, p: Palette) {
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
        None => viewer_hints(first, rows, body.lines.len(), w, "close", p),
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
