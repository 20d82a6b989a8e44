//! Keys on the log-in screens, the filter and the user table, and the checks made before
//! any dialog opens: an action the actor may not perform is refused here, with the reason,
//! before a query is sent (the store refuses it again).

use super::app::{App, Screen};
use super::dialog::{AuditView, Dialog, Loading, NewUserForm, ResetForm};
use super::event::{Command, Edit};
use super::keymap::{self, Act, Context};
use crate::domain::permissions::{self, Action, ActorView, TargetView};
use crate::domain::{Email, Role};
use crate::store::UserRow;
use crate::store::targets::Expected;
use crossterm::event::{Event as CtEvent, KeyEvent};
use std::collections::BTreeMap;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

impl App {
    pub(super) fn login_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Screen::Login(f) = &mut self.screen else { return };
        if f.busy {
            return;
        }
        match keymap::lookup(Context::Form, &key) {
            Some(Act::NextField | Act::PrevField) => f.focus = 1 - f.focus.min(1),
            Some(Act::Submit) => {
                let email = f.email.value().trim().to_string();
                if email.is_empty() {
                    f.error = Some("enter your email".into());
                    f.focus = 0;
                } else if f.focus == 0 && f.password.is_empty() {
                    f.focus = 1;
                } else if f.password.is_empty() {
                    f.error = Some("enter your password".into());
                } else {
                    f.busy = true;
                    f.error = None;
                    out.push(Command::Login { email, password: f.password.secret() });
                }
            }
            Some(Act::Cancel) => {
                self.quit = true;
                out.push(Command::Quit);
            }
            _ if f.focus == 0 => {
                f.email.handle_event(&CtEvent::Key(key));
            }
            _ => {
                f.password.handle(&key);
            }
        }
    }

    pub(super) fn bootstrap_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Screen::Bootstrap(f) = &mut self.screen else { return };
        if f.busy {
            return;
        }
        match keymap::lookup(Context::Form, &key) {
            Some(Act::NextField) => f.focus = (f.focus + 1) % 3,
            Some(Act::PrevField) => f.focus = (f.focus + 2) % 3,
            Some(Act::Submit) if f.focus < 2 => f.focus += 1,
            Some(Act::Submit) => {
                let email = match Email::parse(f.email.value()) {
                    Ok(e) => e,
                    Err(e) => {
                        f.error = Some(e.to_string());
                        f.focus = 0;
                        return;
                    }
                };
                let pw = f.password.secret();
                if let Err(e) = crate::domain::password::check_policy(&pw) {
                    f.error = Some(e.to_string());
                    f.focus = 1;
                } else if pw != f.confirm.secret() {
                    f.error = Some("the two passwords differ".into());
                    f.confirm.clear();
                    f.focus = 2;
                } else {
                    f.busy = true;
                    f.error = None;
                    out.push(Command::Bootstrap { email, password: pw });
                }
            }
            Some(Act::Cancel) => {
                self.quit = true;
                out.push(Command::Quit);
            }
            _ => match f.focus {
                0 => {
                    f.email.handle_event(&CtEvent::Key(key));
                }
                1 => {
                    f.password.handle(&key);
                }
                _ => {
                    f.confirm.handle(&key);
                }
            },
        }
    }

    pub(super) fn filter_key(&mut self, key: KeyEvent) {
        match keymap::lookup(Context::Filter, &key) {
            Some(Act::KeepFilter) => self.filter_editing = false,
            Some(Act::ClearFilter) => {
                self.filter_editing = false;
                self.filter_input.reset();
                self.users.set_filter("");
            }
            Some(Act::EmptyField) => {
                self.filter_input.reset();
                self.users.set_filter("");
            }
            _ => {
                if self.filter_input.handle_event(&CtEvent::Key(key)).is_some() {
                    let text = self.filter_input.value().to_string();
                    self.users.set_filter(&text);
                }
            }
        }
    }

    pub(super) fn table_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(act) = keymap::lookup(Context::Table, &key) else { return };
        let page = self.page_size() as isize;
        match act {
            Act::Down => self.users.move_by(1),
            Act::Up => self.users.move_by(-1),
            Act::Top => self.users.top(),
            Act::Bottom => self.users.bottom(),
            Act::PageDown => self.users.move_by(page),
            Act::PageUp => self.users.move_by(-page),
            Act::Filter => self.filter_editing = true,
            Act::Mark => self.users.toggle_mark(),
            Act::MarkAll => {
                self.users.mark_all_visible();
                self.info(format!("{} users marked", self.users.marks.len()));
            }
            Act::ClearMarks => {
                self.users.marks.clear();
                if !self.filter_input.value().is_empty() {
                    self.filter_input.reset();
                    self.users.set_filter("");
                }
            }
            Act::Sort => self.users.set_sort(self.users.sort.next(), false),
            Act::SortReverse => self.users.set_sort(self.users.sort, !self.users.reverse),
            Act::Reload => {
                self.busy = Some("reloading".into());
                out.push(Command::LoadUsers);
            }
            Act::Details => {
                if let Some(row) = self.users.cursor_row() {
                    let id = row.id;
                    self.dialog = Some(Dialog::Details { id, data: Loading::Pending, scroll: 0 });
                    out.push(Command::LoadDetails(id));
                }
            }
            Act::Audit => {
                self.dialog = Some(Dialog::Audit(AuditView {
                    rows: Loading::Pending,
                    filter: Input::default(),
                    editing: false,
                    scroll: 0,
                }));
                out.push(Command::LoadAudit);
            }
            Act::Help => self.dialog = Some(Dialog::Help { scroll: 0 }),
            Act::Quit if self.change_in_flight && !self.quit_armed => {
                // Its answer (and a generated password) would be lost; the change itself is
                // one transaction either way.
                self.quit_armed = true;
                self.error("a change is still running: wait for its answer, or press q again to quit anyway");
            }
            Act::Quit => {
                self.quit = true;
                out.push(Command::Quit);
            }
            Act::New => self.start_new(),
            Act::Role => self.start_role(),
            Act::Password => self.start_password(),
            Act::Delete => self.start_delete(out),
            Act::Revoke => self.start_edit(Edit::RevokeSessions),
            Act::ToggleActive => {
                // Reactivate when every selected account is inactive, else deactivate.
                let all_inactive = {
                    let sel = self.users.selection();
                    !sel.is_empty() && sel.iter().all(|r| !r.is_active)
                };
                self.start_edit(Edit::SetActive(all_inactive));
            }
            Act::Unlock => self.start_edit(Edit::Unlock),
            _ => {}
        }
    }

    pub(super) fn actor_view(&self) -> Option<ActorView> {
        self.actor.as_ref().map(|a| ActorView { id: a.id, role: a.role })
    }

    /// Refuses (with the reason in the status line) when a change is running already, the
    /// connection is down, or the rules forbid the action on any selected row.
    fn allowed(&mut self, action: Action, rows: &[Expected], new_role: Option<Role>) -> bool {
        if self.change_in_flight {
            self.error("a change is still running: wait for it to finish");
            return false;
        }
        if self.connection_lost.is_some() {
            self.error("the database connection is down: wait for it to come back");
            return false;
        }
        let Some(actor) = self.actor_view() else { return false };
        if action == Action::Create {
            return true;
        }
        if rows.is_empty() {
            self.error("no user selected");
            return false;
        }
        for r in rows {
            if let Err(e) =
                permissions::check(actor, action, Some(TargetView { id: r.id, role: r.role }), new_role)
            {
                self.error(format!("{e} ({})", r.email));
                return false;
            }
        }
        true
    }

    fn selection(&self) -> Vec<Expected> {
        self.users.selection().into_iter().map(Expected::of).collect()
    }

    fn start_new(&mut self) {
        if self.allowed(Action::Create, &[], None) {
            self.dialog = Some(Dialog::NewUser(NewUserForm::default()));
        }
    }

    fn start_role(&mut self) {
        let targets = self.selection();
        if self.allowed(Action::SetRole, &targets, None) {
            let selected = targets.first().map(|t| t.role as usize).unwrap_or(0);
            self.dialog = Some(Dialog::PickRole { targets, selected });
        }
    }

    fn start_password(&mut self) {
        let Some(row) = self.users.cursor_row() else { return };
        let target = Expected::of(row);
        if !row.is_local() {
            let msg =
                format!("{}: signs in through {} and has no password to reset", row.email, row.auth_provider);
            self.error(msg);
            return;
        }
        if self.allowed(Action::ResetPassword, std::slice::from_ref(&target), None) {
            self.dialog = Some(Dialog::ResetPassword(ResetForm::new(target)));
        }
    }

    fn start_delete(&mut self, out: &mut Vec<Command>) {
        let targets = self.selection();
        if self.allowed(Action::Delete, &targets, None) && self.superuser_remains(&targets) {
            out.push(Command::PlanDelete(targets.clone()));
            self.busy = Some("checking what the delete would touch".into());
            self.dialog =
                Some(Dialog::ConfirmDelete { targets, plan: Loading::Pending, typed: String::new() });
        }
    }

    fn start_edit(&mut self, edit: Edit) {
        let targets = self.selection();
        let action = match edit {
            Edit::SetRole(_) => Action::SetRole,
            Edit::SetActive(true) => Action::Activate,
            Edit::SetActive(false) => Action::Deactivate,
            Edit::Unlock => Action::Unlock,
            Edit::RevokeSessions => Action::RevokeSessions,
        };
        if !self.allowed(action, &targets, None) {
            return;
        }
        if edit == Edit::SetActive(false) && !self.superuser_remains(&targets) {
            return;
        }
        let lines = self.describe_edit(&targets, &edit);
        self.dialog = Some(Dialog::ConfirmEdit { targets, edit, lines });
    }

    /// Called by the role picker once a role is chosen.
    pub(super) fn confirm_role(&mut self, targets: Vec<Expected>, role: Role) {
        let actor = match self.actor_view() {
            Some(a) => a,
            None => return,
        };
        for t in &targets {
            if let Err(e) = permissions::check(
                actor,
                Action::SetRole,
                Some(TargetView { id: t.id, role: t.role }),
                Some(role),
            ) {
                self.dialog = None;
                self.error(format!("{e} ({})", t.email));
                return;
            }
        }
        if role != Role::Superuser && !self.superuser_remains(&targets) {
            self.dialog = None;
            return;
        }
        let edit = Edit::SetRole(role);
        let lines = self.describe_edit(&targets, &edit);
        self.dialog = Some(Dialog::ConfirmEdit { targets, edit, lines });
    }

    /// The early, friendly form of the store's last-superuser rule.
    fn superuser_remains(&mut self, leaving: &[Expected]) -> bool {
        let active_supers =
            self.users.rows().iter().filter(|r| r.role == Role::Superuser && r.is_active).count();
        let removed = leaving.iter().filter(|t| t.role == Role::Superuser && t.is_active).count();
        if removed > 0 && removed >= active_supers {
            self.error("refused: that would leave no active superuser; make another superuser first");
            return false;
        }
        true
    }

    /// Exactly what a confirmed edit will do, for the confirmation dialog.
    fn describe_edit(&self, targets: &[Expected], edit: &Edit) -> Vec<String> {
        let n = targets.len();
        let users = if n == 1 { format!("1 user ({})", targets[0].email) } else { format!("{n} users") };
        // One pass over the table, not a search per target: with 100,000 users marked a
        // search per target froze the console for seconds.
        let rows: Vec<&UserRow> = self.users.rows_with_ids(targets.iter().map(|t| t.id));
        let mut lines = match edit {
            Edit::SetRole(role) => {
                let mut from: BTreeMap<Role, usize> = BTreeMap::new();
                for t in targets {
                    *from.entry(t.role).or_default() += 1;
                }
                let mut lines = vec![format!("Change the role of {users} to {role}:")];
                for (r, k) in from {
                    if r == *role {
                        lines.push(format!("  {k} already {role} (unchanged)"));
                    } else {
                        lines.push(format!("  {k} {r} → {role}"));
                    }
                }
                lines
            }
            Edit::SetActive(false) => {
                let sessions: i64 = rows.iter().map(|r| r.active_sessions).sum();
                vec![
                    format!("Deactivate {users}: they can no longer log in."),
                    format!("  {sessions} active sessions will be revoked."),
                ]
            }
            Edit::SetActive(true) => {
                let locked = rows.iter().filter(|r| r.locked).count();
                let mut lines = vec![format!("Reactivate {users}: they can log in again.")];
                if locked > 0 {
                    lines.push(format!(
                        "  {locked} of them are still locked after failed logins (u unlocks)."
                    ));
                }
                lines
            }
            Edit::Unlock => {
                let locked = rows.iter().filter(|r| r.locked || r.failed_login_attempts > 0).count();
                vec![
                    format!("Unlock {users}: failed logins reset to 0, lock lifted."),
                    format!("  {locked} of them are locked or have failed logins now."),
                ]
            }
            Edit::RevokeSessions => {
                let sessions: i64 = rows.iter().map(|r| r.active_sessions).sum();
                vec![match sessions {
                    0 => format!("Revoke the sessions of {users}: none is active now (nothing will change)."),
                    n => format!("Revoke all {n} active sessions of {users}: they must log in again."),
                }]
            }
        };
        lines.extend(self.who(targets));
        lines
    }

    /// The accounts a confirmation is about (when several), and how many of them the
    /// current filter hides: marks survive filter changes, so the admin must see them.
    fn who(&self, targets: &[Expected]) -> Vec<String> {
        const LISTED: usize = 5;
        if targets.len() < 2 {
            return Vec::new();
        }
        let mut lines = vec![String::new()];
        for t in targets.iter().take(LISTED) {
            lines.push(format!("  {}", t.email));
        }
        if targets.len() > LISTED {
            lines.push(format!("  and {} more", targets.len() - LISTED));
        }
        let shown: std::collections::HashSet<uuid::Uuid> =
            self.users.window(0, self.users.visible_len()).map(|r| r.id).collect();
        let hidden = targets.iter().filter(|t| !shown.contains(&t.id)).count();
        if hidden > 0 {
            lines.push(format!("  {hidden} of them are marked but hidden by the current filter."));
        }
        lines
    }
}
