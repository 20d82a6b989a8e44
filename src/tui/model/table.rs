//! The rows behind the table: all users, the filtered and sorted view of them, the cursor,
//! the scroll offset and the marks. Filtering runs in memory on every keystroke.

use crate::domain::UserRow;
use crate::domain::filter::UserFilter;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// A set of user ids with rustc's Fx hash instead of SipHash: the ids come from our own
/// database, not from an attacker, and `*` on 100,000 rows inserts every one of them within
/// a keystroke.
pub type IdSet = rustc_hash::FxHashSet<Uuid>;

/// The table's columns after the mark column, in order; also what it can be sorted by,
/// in the order `s` cycles through them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Email,
    Role,
    Status,
    Sessions,
    LastLogin,
    Created,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Email,
        SortKey::Role,
        SortKey::Status,
        SortKey::Sessions,
        SortKey::LastLogin,
        SortKey::Created,
    ];

    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }

    /// The column's title in the table.
    pub fn title(self) -> &'static str {
        match self {
            SortKey::Email => "Email",
            SortKey::Role => "Role",
            SortKey::Status => "Status",
            SortKey::Sessions => "Sessions",
            SortKey::LastLogin => "Last login",
            SortKey::Created => "Created",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Email => "email",
            SortKey::Role => "role",
            SortKey::Status => "status",
            SortKey::Sessions => "sessions",
            SortKey::LastLogin => "last login",
            SortKey::Created => "created",
        }
    }
}

/// The table's filter: the filter language of `domain::filter` (the same words as `list
/// --filter`), or the refusal of a word it does not know.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub parsed: UserFilter,
    /// Why the text is not a filter (shown to the admin; nothing matches meanwhile).
    pub invalid: Option<String>,
}

impl Filter {
    /// Parses `input`; ages (`last_login:>180d`) count back from `now`.
    pub fn parse(input: &str, now: OffsetDateTime) -> Filter {
        match UserFilter::parse(input, now) {
            Ok(parsed) => Filter { parsed, invalid: None },
            Err(why) => Filter { parsed: UserFilter::default(), invalid: Some(why) },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty() && self.invalid.is_none()
    }

    /// `key`: the lower-cased email, `None` when that is the email itself.
    fn keeps(&self, row: &UserRow, key: Option<&str>) -> bool {
        self.invalid.is_none() && self.parsed.keeps(row, key.unwrap_or(&row.email))
    }
}

/// The filter key of an email: `None` when it is lower case already.
fn lower_key(email: &str) -> Option<Box<str>> {
    let lower = if email.is_ascii() {
        if !email.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        email.to_ascii_lowercase()
    } else {
        let lower = email.to_lowercase();
        if lower == email {
            return None;
        }
        lower
    };
    Some(lower.into_boxed_str())
}

#[derive(Clone, Debug, Default)]
pub struct UserList {
    rows: Vec<UserRow>,
    /// Lower-cased emails, parallel to `rows`, so filtering allocates nothing; `None` where
    /// the email is lower case already (nearly always: emails are stored normalised).
    keys: Vec<Option<Box<str>>>,
    /// Indices into `rows` that the filter keeps, in sort order.
    visible: Vec<usize>,
    pub cursor: usize,
    pub offset: usize,
    pub marks: IdSet,
    pub sort: SortKey,
    pub reverse: bool,
    pub filter: Filter,
    /// The wall clock as last told (`Event::WallClock`, sent before every key): what filter
    /// ages (`last_login:>180d`) count back from.
    pub now: Option<OffsetDateTime>,
    /// The widest email, in terminal columns: the table sizes its email column by it.
    pub longest_email: usize,
}

impl UserList {
    /// Replaces every row; the cursor stays on the same user where it still exists.
    pub fn set_rows(&mut self, rows: Vec<UserRow>) {
        let keep = self.cursor_id();
        self.rows = rows;
        self.reindex(keep);
    }

    /// Applies fresh copies of `affected` rows (those missing from `fresh` were deleted).
    pub fn merge(&mut self, affected: &[Uuid], fresh: Vec<UserRow>) {
        let keep = self.cursor_id();
        let gone: HashSet<Uuid> = affected.iter().copied().collect();
        self.rows.retain(|r| !gone.contains(&r.id));
        self.rows.extend(fresh);
        self.reindex(keep);
    }

    fn reindex(&mut self, keep: Option<Uuid>) {
        let (sort, reverse) = (self.sort, self.reverse);
        self.rows.sort_by(|a, b| {
            let o = match sort {
                SortKey::Email => a.email.cmp(&b.email),
                SortKey::Role => a.role.cmp(&b.role).then_with(|| a.email.cmp(&b.email)),
                SortKey::Status => a.status().cmp(&b.status()).then_with(|| a.email.cmp(&b.email)),
                SortKey::Sessions => {
                    b.active_sessions.cmp(&a.active_sessions).then_with(|| a.email.cmp(&b.email))
                }
                SortKey::LastLogin => {
                    b.last_login_at.cmp(&a.last_login_at).then_with(|| a.email.cmp(&b.email))
                }
                SortKey::Created => b.created_at.cmp(&a.created_at).then_with(|| a.email.cmp(&b.email)),
            };
            if reverse { o.reverse() } else { o }
        });
        self.keys = self.rows.iter().map(|r| lower_key(&r.email)).collect();
        self.longest_email = self
            .rows
            .iter()
            .map(|r| unicode_width::UnicodeWidthStr::width(r.email.as_str()))
            .max()
            .unwrap_or(0);
        if !self.marks.is_empty() {
            let ids: IdSet = self.rows.iter().map(|r| r.id).collect();
            self.marks.retain(|m| ids.contains(m));
        }
        self.refilter(keep);
    }

    /// Re-applies the filter, keeping the cursor on `keep` if it is still shown.
    fn refilter(&mut self, keep: Option<Uuid>) {
        let f = &self.filter;
        self.visible = if f.is_empty() {
            (0..self.rows.len()).collect()
        } else {
            (0..self.rows.len()).filter(|&i| f.keeps(&self.rows[i], self.keys[i].as_deref())).collect()
        };
        self.cursor =
            keep.and_then(|id| self.visible.iter().position(|&i| self.rows[i].id == id)).unwrap_or(0);
        self.clamp();
    }

    pub fn set_filter(&mut self, input: &str) {
        let keep = self.cursor_id();
        self.filter = Filter::parse(input, self.now.unwrap_or(OffsetDateTime::UNIX_EPOCH));
        self.refilter(keep);
    }

    pub fn set_sort(&mut self, sort: SortKey, reverse: bool) {
        self.sort = sort;
        self.reverse = reverse;
        let keep = self.cursor_id();
        self.reindex(keep);
    }

    fn clamp(&mut self) {
        if self.visible.is_empty() {
            self.cursor = 0;
            self.offset = 0;
        } else if self.cursor >= self.visible.len() {
            self.cursor = self.visible.len() - 1;
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let max = self.visible.len() as isize - 1;
        self.cursor = (self.cursor as isize + delta).clamp(0, max) as usize;
    }

    pub fn top(&mut self) {
        self.cursor = 0;
    }

    pub fn bottom(&mut self) {
        self.cursor = self.visible.len().saturating_sub(1);
    }

    /// Keeps the cursor within the `height` rows drawn from `offset`.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.visible.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The shown row at position `i` of the filtered view.
    pub fn visible_row(&self, i: usize) -> Option<&UserRow> {
        self.visible.get(i).and_then(|&r| self.rows.get(r))
    }

    /// Rows `from..from+n` of the filtered view (what the table draws).
    pub fn window(&self, from: usize, n: usize) -> impl Iterator<Item = &UserRow> {
        self.visible.iter().skip(from).take(n).filter_map(|&i| self.rows.get(i))
    }

    pub fn cursor_row(&self) -> Option<&UserRow> {
        self.visible_row(self.cursor)
    }

    pub fn cursor_id(&self) -> Option<Uuid> {
        self.cursor_row().map(|r| r.id)
    }

    pub fn by_id(&self, id: Uuid) -> Option<&UserRow> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// The rows whose ids are given, in table order, found in one pass (absent ids skipped).
    pub fn rows_with_ids(&self, ids: impl IntoIterator<Item = Uuid>) -> Vec<&UserRow> {
        let want: IdSet = ids.into_iter().collect();
        if want.is_empty() {
            return Vec::new();
        }
        self.rows.iter().filter(|r| want.contains(&r.id)).collect()
    }

    /// Puts the cursor on `id` if the filter shows it; returns whether it did.
    pub fn select(&mut self, id: Uuid) -> bool {
        match self.visible.iter().position(|&i| self.rows[i].id == id) {
            Some(pos) => {
                self.cursor = pos;
                true
            }
            None => false,
        }
    }

    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.cursor_id()
            && !self.marks.remove(&id)
        {
            self.marks.insert(id);
        }
        self.move_by(1);
    }

    pub fn mark_all_visible(&mut self) {
        self.marks.reserve(self.visible.len());
        for &i in &self.visible {
            self.marks.insert(self.rows[i].id);
        }
    }

    /// The rows an action applies to: the marked rows (in table order) if any, else the
    /// cursor row.
    pub fn selection(&self) -> Vec<&UserRow> {
        if self.marks.is_empty() {
            self.cursor_row().into_iter().collect()
        } else {
            self.rows.iter().filter(|r| self.marks.contains(&r.id)).collect()
        }
    }

    pub fn rows(&self) -> &[UserRow] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn row(email: &str, role: Role) -> UserRow {
        UserRow::sample(email, role)
    }

    fn list() -> UserList {
        let mut l = UserList::default();
        let mut rows =
            vec![row("b@x.se", Role::Admin), row("a@x.se", Role::User), row("c%_\\@y.se", Role::User)];
        rows[2].is_active = false;
        l.set_rows(rows);
        l
    }

    #[test]
    fn sorts_by_email_and_filters_by_text_role_and_status() {
        let mut l = list();
        assert_eq!(l.cursor_row().unwrap().email, "a@x.se");
        l.set_filter("X.SE");
        assert_eq!(l.visible_len(), 2);
        l.set_filter("role:admin");
        assert_eq!(l.visible_len(), 1);
        l.set_filter("status:inactive");
        assert_eq!(l.cursor_row().unwrap().email, "c%_\\@y.se");
        l.set_filter("%_\\");
        assert_eq!(l.visible_len(), 1, "metacharacters match literally");
        l.set_filter("role:root");
        assert_eq!(l.visible_len(), 0);
        assert!(l.filter.invalid.is_some());
    }

    #[test]
    fn filter_matches_upper_and_non_ascii_emails_case_insensitively() {
        let mut l = UserList::default();
        l.set_rows(vec![
            row("Mallory.PWNED@x.se", Role::User),
            row("ÅSA@x.se", Role::User),
            row("b@x.se", Role::User),
        ]);
        l.set_filter("pwned");
        assert_eq!(l.visible_len(), 1);
        l.set_filter("åsa@");
        assert_eq!(l.visible_len(), 1);
        l.set_filter("X.SE");
        assert_eq!(l.visible_len(), 3);
        l.set_filter("");
        assert_eq!(l.visible_len(), 3);
    }

    #[test]
    fn marks_hold_many_ids() {
        let mut l = UserList::default();
        l.set_rows((0..5000).map(|i| row(&format!("u{i:05}@x.se"), Role::User)).collect());
        l.mark_all_visible();
        assert_eq!(l.marks.len(), 5000);
        assert!(l.rows().iter().all(|r| l.marks.contains(&r.id)));
        let id = l.cursor_id().unwrap();
        l.toggle_mark();
        assert!(!l.marks.contains(&id));
        let found = l.rows_with_ids(l.marks.iter().copied().chain([Uuid::new_v4()]));
        assert_eq!(found.len(), 4999, "every marked row once, unknown ids skipped");
    }

    #[test]
    fn cursor_follows_its_user_through_filter_and_sort() {
        let mut l = list();
        l.move_by(1);
        let id = l.cursor_id().unwrap();
        l.set_filter("x.se");
        assert_eq!(l.cursor_id(), Some(id));
        l.set_sort(SortKey::Email, true);
        assert_eq!(l.cursor_id(), Some(id));
    }

    #[test]
    fn marks_survive_only_for_existing_rows() {
        let mut l = list();
        l.mark_all_visible();
        assert_eq!(l.selection().len(), 3);
        let gone = l.cursor_id().unwrap();
        l.merge(&[gone], vec![]);
        assert_eq!(l.marks.len(), 2);
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn scrolling_keeps_cursor_visible() {
        let mut l = UserList::default();
        l.set_rows((0..100).map(|i| row(&format!("u{i:03}@x.se"), Role::User)).collect());
        l.bottom();
        l.scroll_into_view(10);
        assert_eq!(l.offset, 90);
        l.top();
        l.scroll_into_view(10);
        assert_eq!(l.offset, 0);
    }
}
