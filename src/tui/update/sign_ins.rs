//! The sign-ins view's keys and answers: the window (1-4), the lists (Tab), marking a
//! row's accounts on the table (Space), an account's details (Enter, Esc there comes
//! back), and the table's own keys for acting on what is marked (u, a, x, p).

use crate::domain::sign_ins::Overview;
use crate::domain::sign_ins::Span;
use crate::tui::event::{Effect, Failure, Job, RequestId};
use crate::tui::keymap::{self, InViewer, ScrollAction, SignInsAction, TableAction};
use crate::tui::model::dialog::{Dialog, Loading};
use crate::tui::model::sign_ins::{Section, SignInsView};
use crate::tui::model::table::IdSet;
use crate::tui::model::{App, StatusKind, StatusLine};
use crossterm::event::KeyEvent;
use uuid::Uuid;

impl App {
    /// The view over `span`, its data asked for.
    pub(super) fn open_sign_ins(&mut self, span: Span, out: &mut Vec<Effect>) -> SignInsView {
        let thresholds = self.options.deployment.thresholds;
        let request = self.request(Job::LoadSignIns { span, thresholds }, out);
        SignInsView::new(span, request)
    }

    pub(super) fn sign_ins_key(
        &mut self,
        key: KeyEvent,
        mut view: Box<SignInsView>,
        out: &mut Vec<Effect>,
    ) -> Option<Dialog> {
        // A note belongs to the key that made it.
        view.note = None;
        match keymap::sign_ins(&key) {
            Some(InViewer::Scroll(ScrollAction::Close)) => return None,
            Some(InViewer::Scroll(ScrollAction::Down)) => view.move_by(1),
            Some(InViewer::Scroll(ScrollAction::Up)) => view.move_by(-1),
            Some(InViewer::Scroll(ScrollAction::PageDown)) => view.move_by(10),
            Some(InViewer::Scroll(ScrollAction::PageUp)) => view.move_by(-10),
            Some(InViewer::Scroll(ScrollAction::Top)) => view.selected = 0,
            Some(InViewer::Scroll(ScrollAction::Bottom)) => view.move_by(isize::MAX),
            Some(InViewer::Own(SignInsAction::NextSection)) => view.next_section(1),
            Some(InViewer::Own(SignInsAction::PrevSection)) => view.next_section(-1),
            Some(InViewer::Own(SignInsAction::Span(span))) => {
                let section = view.section;
                *view = self.open_sign_ins(span, out);
                view.section = section;
            }
            Some(InViewer::Own(SignInsAction::Reload)) => {
                let (span, section, selected) = (view.span, view.section, view.selected);
                *view = self.open_sign_ins(span, out);
                view.section = section;
                view.selected = selected;
            }
            Some(InViewer::Own(SignInsAction::Mark)) => self.mark_from_sign_ins(&mut view, out),
            Some(InViewer::Own(SignInsAction::Details)) => match view.account() {
                Some(a) if self.users.by_id(a.id).is_some() => {
                    self.behind = Some(view);
                    return Some(self.open_details(a.id, None, None, out));
                }
                Some(_) => {
                    note(&mut view, StatusKind::Error, "that account is no longer in the table".into())
                }
                None => note(
                    &mut view,
                    StatusKind::Info,
                    "Enter opens an account: Tab to the accounts (a source: Space marks its accounts)".into(),
                ),
            },
            Some(InViewer::Own(SignInsAction::Act(action))) => {
                return self.act_from_sign_ins(view, action, out);
            }
            None => {}
        }
        Some(Dialog::SignIns(view))
    }

    /// Space: the selected account, or every account the selected source failed on, is
    /// marked on the table (the source's are asked of the database first).
    fn mark_from_sign_ins(&mut self, view: &mut SignInsView, out: &mut Vec<Effect>) {
        if let Some(a) = view.account() {
            let who = a.email.clone().unwrap_or_else(|| a.id.to_string());
            let text = if self.users.mark_id(a.id) {
                format!("{who} marked ({} in all): u, a, x act on the marked", self.users.marks_len())
            } else {
                format!("{who} is not in the table (deleted?)")
            };
            return note(view, StatusKind::Info, text);
        }
        let (Some(source), Loading::Ready(d)) = (view.source(), &view.data) else {
            return note(view, StatusKind::Info, "nothing selected to mark".into());
        };
        if source.accounts == 0 {
            return note(
                view,
                StatusKind::Info,
                "this source's failures named no account that exists".into(),
            );
        }
        let job = Job::SourceAccounts { since: d.report.since, ip_address: source.ip_address.clone() };
        view.marking = Some(self.request(job, out));
    }

    /// u, a, x, p: the view closes and the table's key acts, on the marked accounts, or
    /// (none marked) on the selected account, which the cursor moves to.
    fn act_from_sign_ins(
        &mut self,
        mut view: Box<SignInsView>,
        action: TableAction,
        out: &mut Vec<Effect>,
    ) -> Option<Dialog> {
        if self.users.marks_len() == 0 || action == TableAction::Password {
            match view.account() {
                Some(a) if self.users.select(a.id) => {}
                _ => {
                    let why = if self.users.marks_len() == 0 {
                        "mark accounts first (Space), or select one under the accounts (Tab)"
                    } else {
                        "p resets one account: select it under the accounts (Tab)"
                    };
                    note(&mut view, StatusKind::Info, why.into());
                    return Some(Dialog::SignIns(view));
                }
            }
        }
        self.dialog = None;
        self.table_action(action, out);
        self.dialog.take()
    }

    pub(super) fn on_sign_ins(&mut self, id: RequestId, res: Result<Box<Overview>, Failure>) {
        let Some(Dialog::SignIns(view)) = &mut self.dialog else { return };
        if view.request != id {
            return;
        }
        view.data = match res {
            Ok(d) => Loading::Ready(d),
            Err(e) => Loading::Failed(e.to_string()),
        };
        // The first list with rows takes the selection, unless the admin chose one.
        if view.rows(view.section) == 0 && view.section == Section::Sources {
            view.next_section(1);
        }
        view.move_by(0);
    }

    pub(super) fn on_source_accounts(&mut self, id: RequestId, res: Result<Vec<Uuid>, Failure>) {
        let Some(Dialog::SignIns(view)) = &mut self.dialog else { return };
        if view.marking != Some(id) {
            return;
        }
        view.marking = None;
        let text = match res {
            Err(e) => {
                return note(view, StatusKind::Error, format!("the source's accounts were not read: {e}"));
            }
            Ok(ids) => {
                let wanted: IdSet = ids.iter().copied().collect();
                let marked = self.users.mark_ids(&wanted);
                let missing = ids.len().saturating_sub(marked);
                let gone =
                    if missing > 0 { format!(" ({missing} no longer in the table)") } else { String::new() };
                format!(
                    "{} marked{gone}: u, a, x act on the {} marked",
                    crate::plural::count(marked as i64, "account"),
                    self.users.marks_len()
                )
            }
        };
        note(view, StatusKind::Ok, text);
    }
}

fn note(view: &mut SignInsView, kind: StatusKind, text: String) {
    view.note = Some(StatusLine { kind, text });
}
