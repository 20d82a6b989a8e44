//! Keys in the read-only dialogs: details, help and messages (the audit log: `audit.rs`).

use crate::domain::Change;
use crate::domain::change::short_id;
use crate::domain::when::shown as date;
use crate::store::sessions::SessionRow;
use crate::store::targets::Seen;
use crate::tui::event::{Details, Effect, Job, RequestId};
use crate::tui::keymap::{self, DetailsAction, InViewer, ScrollAction};
use crate::tui::model::dialog::{Back, Dialog, Loading};
use crate::tui::model::{App, StatusKind, StatusLine};
use crossterm::event::KeyEvent;
use uuid::Uuid;

/// The session after (`forward`) or before `at` in the list, going round; the first (or
/// last) when none is selected; `None` when there is none.
fn step_session(sessions: &[SessionRow], at: Option<Uuid>, forward: bool) -> Option<Uuid> {
    let n = sessions.len();
    if n == 0 {
        return None;
    }
    let i = match (at.and_then(|id| sessions.iter().position(|s| s.id == id)), forward) {
        (None, true) => 0,
        (None, false) => n - 1,
        (Some(i), true) => (i + 1) % n,
        (Some(i), false) => (i + n - 1) % n,
    };
    sessions.get(i).map(|s| s.id)
}

/// Where a scroll position goes after `action`, within `0..=max`.
pub(super) fn scrolled(action: ScrollAction, at: usize, page: usize, max: usize) -> usize {
    match action {
        ScrollAction::Down => at.saturating_add(1),
        ScrollAction::Up => at.saturating_sub(1),
        ScrollAction::PageDown => at.saturating_add(page),
        ScrollAction::PageUp => at.saturating_sub(page),
        ScrollAction::Top => 0,
        ScrollAction::Bottom => max,
        ScrollAction::Close => at,
    }
    .min(max)
}

impl App {
    /// Keys in the help (`messages`: the message history, which scrolls alike).
    pub(super) fn help_key(&mut self, key: KeyEvent, scroll: u16, messages: bool) -> Option<Dialog> {
        // The offset stays within the text as last drawn: after G/End, k moves up at once.
        let _ = messages;
        let max = self.measured.max_scroll.map_or(usize::from(u16::MAX), usize::from);
        match keymap::scroll(&key) {
            Some(ScrollAction::Close) => None,
            Some(a) => {
                let s = scrolled(a, usize::from(scroll).min(max), self.viewer_page(), max);
                Some(Dialog::Help { scroll: u16::try_from(s).unwrap_or(u16::MAX) })
            }
            None => Some(Dialog::Help { scroll }),
        }
    }

    /// Opens the details of user `id` (loading them), with `session` selected and `note`
    /// shown once they are in.
    pub(super) fn open_details(
        &mut self,
        id: Uuid,
        session: Option<Uuid>,
        note: Option<StatusLine>,
        out: &mut Vec<Effect>,
    ) -> Dialog {
        let request = self.request(Job::LoadDetails(id), out);
        Dialog::Details {
            id,
            request,
            data: Loading::Pending,
            scroll: 0,
            session,
            reveal: session.is_some(),
            note,
        }
    }

    pub(super) fn details_key(
        &mut self,
        key: KeyEvent,
        id: Uuid,
        request: RequestId,
        data: Loading<Box<Details>>,
        (mut scroll, mut session, mut reveal): (u16, Option<Uuid>, bool),
    ) -> Option<Dialog> {
        // A note belongs to the key that made it.
        let mut note = None;
        match keymap::details(&key) {
            // Opened from the sign-ins view: back to it, as it was.
            Some(InViewer::Scroll(ScrollAction::Close)) => return self.behind.take().map(Dialog::SignIns),
            Some(InViewer::Own(a @ (DetailsAction::NextSession | DetailsAction::PrevSession))) => {
                if let Loading::Ready(d) = &data {
                    match step_session(&d.sessions, session, a == DetailsAction::NextSession) {
                        Some(next) => {
                            session = Some(next);
                            reveal = true;
                        }
                        None => {
                            note = Some(StatusLine {
                                kind: StatusKind::Info,
                                text: "no session to select".into(),
                            })
                        }
                    }
                }
            }
            Some(InViewer::Own(DetailsAction::RevokeSession)) => {
                match self.confirm_session_revoke(&data, session) {
                    Ok(confirm) => return Some(confirm),
                    Err(why) => note = Some(why),
                }
            }
            Some(InViewer::Scroll(a)) => {
                // As drawn last: the offset the frame showed, within its measured end.
                let max = self.measured.max_scroll.map_or(usize::from(u16::MAX), usize::from);
                let from = usize::from(self.measured.revealed.filter(|_| reveal).unwrap_or(scroll)).min(max);
                scroll = u16::try_from(scrolled(a, from, self.viewer_page(), max)).unwrap_or(u16::MAX);
                reveal = false;
            }
            None => {}
        }
        Some(Dialog::Details { id, request, data, scroll, session, reveal, note })
    }

    /// `x` in the details: the y/n confirmation of revoking the selected session, or why
    /// not (also in the status line and the message history).
    fn confirm_session_revoke(
        &mut self,
        data: &Loading<Box<Details>>,
        session: Option<Uuid>,
    ) -> Result<Dialog, StatusLine> {
        let refuse = |app: &mut App, text: String| {
            app.error(text.clone());
            StatusLine { kind: StatusKind::Error, text }
        };
        let Loading::Ready(d) = data else {
            return Err(refuse(self, "the details are not loaded".into()));
        };
        let select = keymap::keys_for(keymap::KeyAction::Details(DetailsAction::NextSession));
        let Some(s) = session.and_then(|id| d.sessions.iter().find(|s| s.id == id)) else {
            return Err(refuse(self, format!("select a session first ({select} moves through them)")));
        };
        let short = short_id(&s.id);
        if !s.active {
            let state = match s.revoked_at {
                Some(at) => format!("was revoked {}", date(at, true)),
                None => format!("expired {}", date(s.expires_at, true)),
            };
            return Err(refuse(self, format!("session {short} {state}: nothing to revoke")));
        }
        let change = Change::RevokeSession(s.id);
        let targets = vec![Seen::of(&d.user)];
        // Read-only mode, a change still running, a lost connection; then the rules.
        if !self.can_start() || !self.permitted(&change, &targets) {
            let text =
                self.status.as_ref().map_or_else(|| "not possible now".to_string(), |st| st.text.clone());
            return Err(StatusLine { kind: StatusKind::Error, text });
        }
        let mut lines = change.confirmation(&[&d.user]);
        let created = s.created_at.map_or_else(|| "?".to_string(), |t| date(t, true));
        lines.push(format!("  It was created {created} and would expire {}.", date(s.expires_at, true)));
        lines.push(super::table::undo_note(&change).to_string());
        let back = Some(Back::Details { user: d.user.id, session: Some(s.id) });
        Ok(Dialog::Confirm { targets, change, lines, back })
    }
}
