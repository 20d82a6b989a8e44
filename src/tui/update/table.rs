//! Keys on the user table and its filter line, and the checks made before any dialog
//! opens: a change the actor may not make is refused here, with the reason, before a
//! query is sent (the store refuses it again, against the rows as they are then).

use crate::domain::account::Account;
use crate::domain::audit_filter::AuditFilter;
use crate::domain::permissions::{self, ActorView, TargetView};
use crate::domain::{Change, Role};
use crate::store::targets::Seen;
use crate::tui::event::{Effect, Job};
use crate::tui::keymap::{self, SortAction, TableAction};
use crate::tui::model::App;
use crate::tui::model::dialog::{AuditView, Dialog, Loading};
use crate::tui::model::filter_line::FilterEdit;
use crate::tui::model::forms::{NewUserForm, ResetForm};
use crossterm::event::KeyEvent;

impl App {
    pub(super) fn filter_key(&mut self, key: KeyEvent) {
        let now = self.wall_now();
        match self.filter.on_key(key) {
            FilterEdit::Changed => self.users.set_filter(self.filter.value(), now),
            // Esc ends the edit and puts back the filter it started from: one thing at a
            // time (the next Esc clears the filter, the one after the marks).
            FilterEdit::Cancelled { restored: true } => {
                let before = self.filter.value().to_string();
                self.users.set_filter(&before, now);
                self.info(if before.is_empty() {
                    "filter edit cancelled; no filter".to_string()
                } else {
                    format!("filter edit cancelled; the filter is {before:?} again")
                });
            }
            // The edge has room for the start of what the filter means; the status line
            // says all of it once, when it is kept.
            FilterEdit::Kept
                if self.users.filter.invalid.is_none() && !self.users.filter.parsed.is_empty() =>
            {
                // Only a filter that could be read goes into the history (↑).
                self.filter.remember();
                let shown = crate::plural::count(self.users.visible_len() as i64, "user");
                self.info(format!("{shown}: {}", self.users.filter.parsed.describe()));
            }
            FilterEdit::Cancelled { restored: false } | FilterEdit::Kept | FilterEdit::Unchanged => {}
        }
    }

    pub(super) fn table_key(&mut self, key: KeyEvent, out: &mut Vec<Effect>) {
        let Some(action) = keymap::table(&key) else {
            self.info(format!("{} does nothing here; press ? for keys", keymap::Key::describe(&key)));
            return;
        };
        self.table_action(action, out);
    }

    /// What a table key (or the `:` command naming the same job) does.
    pub(super) fn table_action(&mut self, action: TableAction, out: &mut Vec<Effect>) {
        let page = self.page_size() as isize;
        match action {
            TableAction::Down => self.users.move_by(1),
            TableAction::Up => self.users.move_by(-1),
            TableAction::Top => self.users.top(),
            TableAction::Bottom => self.users.bottom(),
            TableAction::PageDown => self.users.move_by(page),
            TableAction::PageUp => self.users.move_by(-page),
            TableAction::Filter => self.filter.begin(),
            TableAction::Mark => self.users.toggle_mark(),
            TableAction::MarkAll => {
                self.users.mark_all_visible();
                let still = if self.users.loading().is_some() {
                    "; still loading: rows that arrive later are not marked"
                } else {
                    ""
                };
                self.info(format!(
                    "{} marked{still}",
                    crate::plural::count(self.users.marks_len() as i64, "user")
                ));
            }
            TableAction::InvertMarks => {
                self.users.invert_marks_visible();
                self.info(format!(
                    "marks inverted on the {} shown; {} marked",
                    crate::plural::count(self.users.visible_len() as i64, "row"),
                    crate::plural::count(self.users.marks_len() as i64, "user")
                ));
            }
            TableAction::ClearMarks => self.clear_one_thing(),
            TableAction::RestoreMarks => self.restore_marks(),
            TableAction::Messages => self.dialog = Some(Dialog::Messages { scroll: 0 }),
            TableAction::Sort => {
                self.choosing_sort = true;
                self.info("sort: 1 email 2 role 3 status 4 sessions 5 login 6 created · s next · Esc keep");
            }
            TableAction::CommandLine => {
                self.command = Some(crate::tui::model::command_line::CommandLine::default());
            }
            TableAction::CopyEmail => match self.users.cursor_row().map(|r| r.email().to_string()) {
                Some(email) => {
                    out.push(Effect::Clipboard(crate::domain::Secret::from(email.as_str())));
                    // OSC 52 is fire-and-forget: nothing tells whether the terminal took it.
                    self.info(format!("{email}: sent to the clipboard (OSC 52; paste to check)"));
                }
                None => self.info("no row under the cursor: nothing to copy"),
            },
            TableAction::SortReverse => self.users.set_sort(self.users.sort, !self.users.reverse),
            TableAction::Reload => match self.users.loading() {
                // A second read would start only after this one ends; the table is coming.
                Some(p) => self.info(format!(
                    "the table is loading already ({}{} users in)",
                    p.received,
                    p.total.map(|t| format!(" of {t}")).unwrap_or_default()
                )),
                None => self.reload(out),
            },
            TableAction::Live => self.toggle_live(),
            TableAction::SignIns => {
                let view = self.open_sign_ins(crate::domain::sign_ins::Span::Day, out);
                self.dialog = Some(Dialog::SignIns(Box::new(view)));
            }
            TableAction::Details => {
                if let Some(id) = self.users.cursor_id() {
                    self.dialog = Some(self.open_details(id, None, None, out));
                }
            }
            TableAction::Audit => {
                let request = self.request(Job::LoadAudit(AuditFilter::default()), out);
                let mut view = AuditView::new(request);
                // The audit filters kept this session come back with ↑.
                view.filter.history = self.audit_history.clone();
                self.dialog = Some(Dialog::Audit(view));
            }
            TableAction::Help => self.dialog = Some(Dialog::Help { scroll: 0 }),
            TableAction::Export => self.start_export(),
            TableAction::Import => self.start_import(None),
            TableAction::Undo => match self.last_change.clone() {
                None => self.info("nothing to undo: you have made no change in this session"),
                Some(last) if !last.undoable => {
                    self.error(format!("your last change ({}) cannot be undone", last.label))
                }
                Some(last) => {
                    if self.can_start() {
                        self.dialog = self.confirm_revert(last.id, &last.label);
                    }
                }
            },
            TableAction::Command => match &self.last_change {
                None => self.info("no change yet in this session"),
                Some(last) => self.dialog = Some(Dialog::Command { text: last.command.clone() }),
            },
            TableAction::Quit if self.change_in_flight() && !self.quit_armed => {
                // Its answer (and a generated password) would be lost; the change itself is
                // one transaction either way.
                self.quit_armed = true;
                self.error("a change is still running: wait for its answer, or press q again to quit anyway");
            }
            TableAction::Quit => self.quit_now(out),
            TableAction::New => self.start_new(),
            TableAction::Role => self.start_role(),
            TableAction::Password => self.start_password(),
            TableAction::Edit => self.start_edit(out),
            TableAction::Delete => self.start_delete(out),
            TableAction::Revoke => self.start_change(Change::RevokeSessions),
            TableAction::ToggleActive => {
                // Reactivate when every selected account is inactive, else deactivate.
                let sel = self.users.selection();
                let all_inactive = !sel.is_empty() && sel.iter().all(|r| !r.is_active());
                self.start_change(Change::SetActive(all_inactive));
            }
            TableAction::Unlock => self.start_change(Change::Unlock),
            TableAction::VerifyEmail => self.start_change(Change::VerifyEmail),
        }
    }

    /// Esc on the table: the filter first, then the marks, never both at once, and says
    /// what it cleared. Cleared marks can be restored with `U`.
    fn clear_one_thing(&mut self) {
        let marks = self.users.marks_len();
        if self.filter.clear() {
            self.users.set_filter("", self.wall_now());
            let kept = if marks > 0 {
                format!("; {} kept (Esc again clears them)", crate::plural::count(marks as i64, "mark"))
            } else {
                String::new()
            };
            self.info(format!("filter cleared{kept}"));
        } else if marks > 0 {
            self.users.clear_marks();
            let undo = keymap::keys_for(keymap::KeyAction::Table(TableAction::RestoreMarks));
            self.info(format!(
                "{} cleared; {undo} restores them",
                crate::plural::count(marks as i64, "mark")
            ));
        } else {
            self.info("nothing to clear: no filter, no marks");
        }
    }

    /// `U`: the marks Esc cleared last come back (those whose accounts still exist), added
    /// to any made since.
    fn restore_marks(&mut self) {
        let Some(back) = self.users.restore_marks() else {
            self.info("no cleared marks to restore");
            return;
        };
        self.info(format!(
            "{} restored; {} marked now",
            crate::plural::count(back as i64, "mark"),
            crate::plural::count(self.users.marks_len() as i64, "user")
        ));
    }

    pub fn actor_view(&self) -> Option<ActorView> {
        self.actor.as_ref().map(|a| ActorView { id: a.id, role: a.role })
    }

    /// Refuses (with the reason in the status line) when a change is running already or
    /// the connection is down.
    pub(super) fn can_start(&mut self) -> bool {
        if self.options.deployment.readonly {
            self.error(
                "read-only mode: nothing can be changed here (--readonly or SKRIPTOTEKET_ADMIN_READONLY)",
            );
            false
        } else if self.change_in_flight() {
            self.error("a change is still running: wait for it to finish");
            false
        } else if self.connection_lost.is_some() {
            self.error("the database connection is down: wait for it to come back");
            false
        } else {
            self.actor.is_some()
        }
    }

    /// Refuses (naming the first account in the way) when the rules forbid `change` on any
    /// of `targets`.
    pub(super) fn permitted(&mut self, change: &Change, targets: &[Seen]) -> bool {
        if targets.is_empty() && !matches!(change, Change::Create { .. }) {
            self.error("no user selected");
            return false;
        }
        self.all_permitted(targets, |actor, target| permissions::check(actor, change, Some(target)))
    }

    /// True when `rule` allows every target; else the first refusal goes to the status line.
    fn all_permitted(
        &mut self,
        targets: &[Seen],
        rule: impl Fn(ActorView, TargetView) -> Result<(), permissions::Denied>,
    ) -> bool {
        let Some(actor) = self.actor_view() else { return false };
        let refusal = targets
            .iter()
            .find_map(|t| rule(actor, TargetView { id: t.id, role: t.role }).err().map(|e| (e, &t.email)));
        match refusal {
            Some((e, email)) => {
                // The account first: a long reason may be cut at the screen's edge, the
                // account never is (and `m` shows the message in full).
                let more = if targets.len() > 1 { " (the first of the selection in the way)" } else { "" };
                let msg = format!("{email}{more}: {e}");
                self.error(msg);
                false
            }
            None => true,
        }
    }

    fn selection(&self) -> Vec<Seen> {
        self.users.selection().iter().map(Seen::of).collect()
    }

    /// The table's rows of `targets` (the selection a dialog holds): the selection itself
    /// (in table order) when it still is the marks or the cursor row, else found by id (in
    /// no particular order; the confirmation only counts them).
    pub(super) fn target_rows(&self, targets: &[Seen]) -> Vec<crate::domain::roster::RowRef<'_>> {
        let sel = self.users.selection();
        if sel.len() == targets.len() && sel.iter().zip(targets).all(|(r, t)| r.id() == t.id) {
            return sel;
        }
        let want: crate::tui::model::table::IdSet = targets.iter().map(|t| t.id).collect();
        self.users.all().filter(|r| want.contains(&r.id())).collect()
    }

    fn start_new(&mut self) {
        if self.can_start() {
            self.dialog = Some(Dialog::NewUser(NewUserForm::default()));
        }
    }

    fn start_role(&mut self) {
        let targets = self.selection();
        if targets.is_empty() {
            self.error("no user selected");
            return;
        }
        // Before a role is chosen: may the actor change these accounts' roles at all?
        if self.can_start() && self.all_permitted(&targets, permissions::may_change_role_of) {
            let selected = targets.first().map(|t| t.role.index()).unwrap_or(0);
            self.dialog = Some(Dialog::PickRole { targets, selected });
        }
    }

    fn start_password(&mut self) {
        let Some(row) = self.users.cursor_row() else { return };
        if !row.is_local() {
            let msg = format!(
                "{}: signs in through {} and has no password to reset",
                row.email(),
                row.auth_provider()
            );
            self.error(msg);
            return;
        }
        let target = Seen::of(&row);
        let change = Change::ResetPassword { revoke_sessions: true };
        if self.can_start() && self.permitted(&change, std::slice::from_ref(&target)) {
            self.dialog = Some(Dialog::ResetPassword(ResetForm::new(target)));
        }
    }

    fn start_delete(&mut self, out: &mut Vec<Effect>) {
        let targets = self.selection();
        if self.can_start() && self.permitted(&Change::Delete, &targets) && self.superuser_remains(&targets) {
            let request = self.request(Job::PlanDelete(targets.clone()), out);
            self.dialog = Some(Dialog::ConfirmDelete {
                targets,
                request,
                plan: Loading::Pending,
                typed: String::new(),
            });
        }
    }

    /// Opens the confirmation of a change to the selected accounts.
    pub(super) fn start_change(&mut self, change: Change) {
        let targets = self.selection();
        if self.can_start() {
            self.confirm(change, targets);
        }
    }

    /// The confirmation dialog of `change` (checked again: a role is only known now).
    pub(super) fn confirm(&mut self, change: Change, targets: Vec<Seen>) {
        if !self.permitted(&change, &targets) {
            self.dialog = None;
            return;
        }
        if change.can_remove_superuser() && !self.superuser_remains(&targets) {
            self.dialog = None;
            return;
        }
        let (mut lines, nothing_to_do) = {
            let rows = self.target_rows(&targets);
            let noop =
                !rows.is_empty() && rows.len() == targets.len() && rows.iter().all(|r| change.is_noop(r));
            (change.confirmation(&rows), noop)
        };
        // Asking to confirm a change that would change nothing teaches admins to press y
        // without reading: say so instead.
        if nothing_to_do {
            let who = match targets.as_slice() {
                [one] => format!("{} is", one.email),
                many if many.len() == 2 => "both users are".to_string(),
                many => format!("all {} users are", many.len()),
            };
            let state = match &change {
                Change::SetRole(role) => role.to_string(),
                Change::SetActive(true) => "active".into(),
                Change::SetActive(false) => "inactive, with no session".into(),
                Change::Unlock => "unlocked, with no failed login".into(),
                Change::RevokeSessions => "without an active session".into(),
                Change::VerifyEmail => "verified".into(),
                other => format!("as {} would leave them", other.label()),
            };
            self.info(format!("nothing to do: {who} already {state}"));
            self.dialog = None;
            return;
        }
        if crate::tui::model::dialog::can_leave_out_admins(&targets)
            && let Some(line) = lines.iter_mut().find(|l| l.starts_with("  Includes "))
        {
            line.push_str(" Tab leaves them out.");
        }
        lines.extend(self.who(&targets));
        lines.push(undo_note(&change).to_string());
        self.dialog = Some(Dialog::Confirm { targets, change, lines, back: None });
    }

    /// The key after `s`: a column's number sorts by it (ascending; `S` reverses), `s` the
    /// next column; any other key keeps the order and does nothing else.
    pub(super) fn sort_key(&mut self, key: KeyEvent) {
        self.choosing_sort = false;
        match keymap::sort(&key) {
            Some(SortAction::By(column)) => {
                self.users.set_sort(column, false);
                self.info(format!("sorted by {}", column.label()));
            }
            Some(SortAction::Next) => {
                let next = self.users.sort.next();
                self.users.set_sort(next, false);
                self.info(format!("sorted by {}", next.label()));
            }
            Some(SortAction::Cancel) | None => {
                self.info("the order is as it was (s, then 1-6, chooses a column)")
            }
        }
    }

    /// The confirmation of reverting change `id` (`what`: how the admin knows it).
    pub(super) fn confirm_revert(&mut self, id: uuid::Uuid, what: &str) -> Option<Dialog> {
        let change = Change::Revert(id);
        let mut lines = vec![format!("Undo {what}?")];
        lines.extend(change.confirmation::<&crate::domain::UserRow>(&[]));
        lines.push("  The revert is a change of its own: z undoes it too.".to_string());
        Some(Dialog::Confirm { targets: Vec::new(), change, lines, back: None })
    }

    /// The early, friendly form of the store's last-superuser rule.
    fn superuser_remains(&mut self, leaving: &[Seen]) -> bool {
        if self.users.loading().is_some() {
            // The superusers not in yet cannot be counted; the store's check stands.
            return true;
        }
        let active_supers = self.users.all().filter(|r| r.role() == Role::Superuser && r.is_active()).count();
        let removed = leaving.iter().filter(|t| t.role == Role::Superuser && t.is_active).count();
        if removed > 0 && removed >= active_supers {
            self.error("refused: that would leave no active superuser; make another superuser first");
            return false;
        }
        true
    }

    /// The accounts a confirmation is about (when several), and how many of them the
    /// current filter hides: marks survive filter changes, so the admin must see them.
    fn who(&self, targets: &[Seen]) -> Vec<String> {
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
        // Several targets are the marks (one is the cursor row, which is shown).
        let hidden = self.users.marked_hidden();
        if hidden > 0 {
            let verb = if hidden == 1 { "is" } else { "are" };
            lines.push(format!("  {hidden} of them {verb} marked but hidden by the current filter."));
        }
        lines
    }
}

/// The last line of every confirmation: whether `z` can take the change back.
pub(super) fn undo_note(change: &Change) -> &'static str {
    if crate::domain::revert::can_undo(change) {
        "  z undoes it afterwards."
    } else {
        "  This cannot be undone."
    }
}
