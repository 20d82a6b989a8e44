//! Keys in the read-only dialogs: details, the audit log (with its filter line), help.

use crate::domain::Change;
use crate::domain::change::short_id;
use crate::domain::when::shown as date;
use crate::store::sessions::SessionRow;
use crate::store::targets::Expected;
use crate::tui::event::{Details, Effect, Job, RequestId};
use crate::tui::keymap::{self, FilterAction, ViewerAction};
use crate::tui::model::dialog::{AuditView, Dialog, Loading};
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
fn scrolled(action: ViewerAction, at: usize, page: usize, max: usize) -> usize {
    match action {
        ViewerAction::Down => at.saturating_add(1),
        ViewerAction::Up => at.saturating_sub(1),
        ViewerAction::PageDown => at.saturating_add(page),
        ViewerAction::PageUp => at.saturating_sub(page),
        ViewerAction::Top => 0,
        ViewerAction::Bottom => max,
        ViewerAction::Filter
        | ViewerAction::Revert
        | ViewerAction::Open
        | ViewerAction::NextSession
        | ViewerAction::PrevSession
        | ViewerAction::RevokeSession
        | ViewerAction::Close => at,
    }
    .min(max)
}

impl App {
    /// Lines a viewer scrolls by per page: the dialog's height, less its frame.
    fn viewer_page(&self) -> usize {
        usize::from(self.height.saturating_sub(6)).max(1)
    }

    /// Keys in the help (`messages`: the message history, which scrolls alike).
    pub(super) fn help_key(&mut self, key: KeyEvent, scroll: u16, messages: bool) -> Option<Dialog> {
        // The offset stays within the text as last drawn: after G/End, k moves up at once.
        let _ = messages;
        let max = self.measured.max_scroll.map_or(usize::from(u16::MAX), usize::from);
        match keymap::viewer(&key) {
            Some(ViewerAction::Close) => None,
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
        match keymap::viewer(&key) {
            Some(ViewerAction::Close) => return None,
            Some(a @ (ViewerAction::NextSession | ViewerAction::PrevSession)) => {
                if let Loading::Ready(d) = &data {
                    match step_session(&d.sessions, session, a == ViewerAction::NextSession) {
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
            Some(ViewerAction::RevokeSession) => match self.confirm_session_revoke(&data, session) {
                Ok(confirm) => return Some(confirm),
                Err(why) => note = Some(why),
            },
            Some(a) => {
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
        let select = keymap::keys_for(keymap::KeyAction::Viewer(ViewerAction::NextSession));
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
        let targets = vec![Expected::of(&d.user)];
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
        Ok(Dialog::Confirm { targets, change, lines })
    }

    pub(super) fn audit_key(&mut self, key: KeyEvent, mut view: AuditView) -> Option<Dialog> {
        view.now = self.users.now;
        if view.editing {
            match keymap::filter(&key) {
                Some(FilterAction::Keep) => view.editing = false,
                Some(FilterAction::Clear) => {
                    view.editing = false;
                    view.filter = tui_input::Input::new(std::mem::take(&mut view.before_edit));
                }
                Some(FilterAction::Empty) => view.filter.reset(),
                None => {
                    super::edit(&mut view.filter, key);
                }
            }
            view.scroll = 0;
            return Some(Dialog::Audit(view));
        }
        if let Some(scroll) = view.open {
            // The entry in full: scroll it; Esc (or Enter) goes back to the list.
            match keymap::viewer(&key) {
                Some(ViewerAction::Close | ViewerAction::Open) => view.open = None,
                Some(a) => {
                    let s = scrolled(a, usize::from(scroll), self.viewer_page(), usize::from(u16::MAX));
                    view.open = Some(u16::try_from(s).unwrap_or(u16::MAX));
                }
                None => {}
            }
            return Some(Dialog::Audit(view));
        }
        match keymap::viewer(&key) {
            Some(ViewerAction::Close) => return None,
            Some(ViewerAction::Filter) => {
                view.before_edit = view.filter.value().to_string();
                view.editing = true;
            }
            Some(ViewerAction::Open) if !view.filtered().is_empty() => view.open = Some(0),
            Some(ViewerAction::Open) => {}
            Some(ViewerAction::Revert) => {
                let top = view.filtered().get(view.scroll).map(|r| (r.change_id, r.action.clone()));
                match top {
                    Some((Some(id), action)) => match crate::domain::revert::why_not(&action) {
                        None if self.can_start() => {
                            return self.confirm_revert(id, &format!("{action} (from the audit log)"));
                        }
                        None => {}
                        Some(why) => self.error(format!("a {action} change cannot be reverted: {why}")),
                    },
                    Some((None, _)) => {
                        self.error("that entry was written before changes had ids: it cannot be reverted")
                    }
                    None => {}
                }
            }
            Some(a) => {
                let max = view.filtered().len().saturating_sub(1);
                view.scroll = scrolled(a, view.scroll, self.page_size(), max);
            }
            None => {}
        }
        Some(Dialog::Audit(view))
    }
}
