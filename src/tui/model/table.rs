//! The rows behind the table: all users (packed, `domain::roster`), the filtered and sorted
//! view of them as lists of row positions, the cursor, the scroll offset and the marks.
//! Filtering runs in memory on every keystroke; rows can arrive in chunks while the table
//! is in use.

use super::id_index::IdIndex;
use super::live::Cells;
use super::marks::Marks;
use crate::domain::UserRow;
use crate::domain::account::Account;
use crate::domain::filter::{SavedFilters, UserFilter};
use crate::domain::roster::{Roster, RosterError, RowRef};
use std::cmp::Ordering;
use time::OffsetDateTime;
use uuid::Uuid;

/// A set of user ids with rustc's Fx hash instead of SipHash: the ids come from our own
/// database, not from an attacker.
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
    /// Parses `input`; ages (`last_login:older:180d`) count back from `now`.
    pub fn parse(input: &str, now: OffsetDateTime) -> Filter {
        Filter::parse_saved(input, now, &SavedFilters::default())
    }

    /// [`Filter::parse`], with the deployment's `saved:NAME` filters.
    pub fn parse_saved(input: &str, now: OffsetDateTime, saved: &SavedFilters) -> Filter {
        match saved.expand(input).and_then(|words| UserFilter::parse(&words, now)) {
            Ok(parsed) => Filter { parsed, invalid: None },
            Err(why) => Filter { parsed: UserFilter::default(), invalid: Some(why) },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty() && self.invalid.is_none()
    }

    fn keeps(&self, row: &RowRef<'_>) -> bool {
        self.invalid.is_none() && self.parsed.keeps(row, row.email_lower())
    }
}

/// Which of the cells the table draws differ between `old` and `new`.
fn changed_cells(old: &RowRef<'_>, new: &UserRow) -> Cells {
    let mut cells = Cells::default();
    let differs = |key: SortKey| match key {
        SortKey::Email => old.email_str() != new.email,
        SortKey::Role => old.role() != new.role,
        SortKey::Status => old.status() != new.status(),
        SortKey::Sessions => old.active_sessions() != new.active_sessions,
        SortKey::LastLogin => old.last_login_micros() != new.last_login_micros(),
        SortKey::Created => old.created_micros() != new.created_micros(),
    };
    for key in SortKey::ALL {
        if differs(key) {
            cells = cells.with(key);
        }
    }
    cells
}

/// A load of the whole table that is under way (see [`UserList::begin_load`]).
#[derive(Clone, Debug, Default)]
struct Load {
    /// Where the rows gather when the table already shows rows: they replace it at the end.
    /// `None`: the table is empty and shows the rows as they come.
    aside: Option<Roster>,
    /// Accounts that changed (or went) after the load's snapshot: its copies are older and
    /// are dropped when they arrive.
    newer: IdSet,
    received: u64,
    total: Option<u64>,
}

/// How far a load has come, for the table's border.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadProgress {
    pub received: u64,
    pub total: Option<u64>,
}

/// Up to this many accounts (or a 64th of the table) a merge finds its rows by id.
const FEW_FROM: usize = 64;

/// Above this many rows the filter searches on two threads (the machine's cores allowing).
const PARALLEL_FROM: usize = 200_000;

#[derive(Clone, Debug, Default)]
pub struct UserList {
    roster: Roster,
    /// Live positions in the table's sort order.
    order: Vec<u32>,
    /// The positions the filter keeps, in sort order; `None` when no filter is set (all of
    /// `order`), so the unfiltered table costs no second list.
    visible: Option<Vec<u32>>,
    pub cursor: usize,
    pub offset: usize,
    /// The marked rows, by position. Read with [`UserList::marked`], [`UserList::marks_len`].
    marks: Marks,
    /// The marks Esc cleared last, for `U` to restore.
    cleared: Option<Marks>,
    pub sort: SortKey,
    pub reverse: bool,
    pub filter: Filter,
    /// The deployment's saved filters (`saved:NAME` in the filter).
    pub saved: SavedFilters,
    /// The widest email, in terminal columns: the table sizes its email column by it.
    pub longest_email: usize,
    load: Option<Load>,
    /// The rows by id, for merges of a few.
    index: IdIndex,
}

impl UserList {
    /// Replaces every row at once; the cursor stays on the same user where it still exists,
    /// and marks stay on their users.
    pub fn set_rows(&mut self, rows: Vec<UserRow>) {
        let mut roster = Roster::with_capacity(rows.len(), 0);
        for r in &rows {
            // A row too big for the packed table (an email past 65,535 bytes) is left out;
            // the streamed load (`load_chunk`) refuses such a table with the reason.
            let _ = roster.push(r.into());
        }
        self.replace(roster);
    }

    /// A load of the whole table starts. An empty table shows the rows as they arrive;
    /// a table with rows keeps showing them until the new ones have all come.
    /// Begun again (a read restarted after a lost connection) while the rows still showed
    /// as they came, the table empties and fills again.
    pub fn begin_load(&mut self) {
        if matches!(self.load, Some(Load { aside: None, .. })) {
            let (sort, reverse, filter) = (self.sort, self.reverse, self.filter.clone());
            *self = UserList { sort, reverse, filter, ..UserList::default() };
        }
        let aside = (!self.roster.is_empty()).then(Roster::default);
        self.load = Some(Load { aside, ..Load::default() });
    }

    /// How far the current load has come (`None` when no load runs).
    pub fn loading(&self) -> Option<LoadProgress> {
        self.load.as_ref().map(|l| LoadProgress { received: l.received, total: l.total })
    }

    /// The next rows of the load `begin_load` started (`total`: how many the load
    /// expects; `done`: the last chunk). Rows of accounts changed since are dropped.
    pub fn load_chunk(&mut self, chunk: &Roster, total: Option<u64>, done: bool) -> Result<(), RosterError> {
        let Some(mut load) = self.load.take() else { return Ok(()) };
        load.received += chunk.live_len() as u64;
        load.total = total.or(load.total);
        let result = match &mut load.aside {
            Some(aside) => append_newer(aside, chunk, &load.newer),
            None => {
                let keep = self.cursor_pos();
                let first = self.roster.len() as u32;
                let r = append_newer(&mut self.roster, chunk, &load.newer);
                let fresh: Vec<u32> = (first..self.roster.len() as u32).collect();
                self.grow_longest(&fresh);
                self.insert_sorted(fresh);
                self.refilter(keep, false);
                r
            }
        };
        if done || result.is_err() {
            if let Some(aside) = load.aside
                && result.is_ok()
            {
                self.replace(aside);
            } else {
                self.index.catch_up(&self.roster);
            }
        } else {
            self.load = Some(load);
        }
        result
    }

    /// Gives up the load under way (it failed): the table keeps what it shows.
    pub fn abandon_load(&mut self) {
        self.load = None;
    }

    /// Makes `roster` the table's rows, carrying the cursor and the marks (also the ones
    /// `U` can restore) over to the same users by id.
    fn replace(&mut self, roster: Roster) {
        let keep = self.cursor_id();
        let marked: IdSet =
            self.marks.positions().filter_map(|p| self.roster.get(p)).map(|r| r.id()).collect();
        let cleared: Option<IdSet> = self
            .cleared
            .as_ref()
            .map(|c| c.positions().filter_map(|p| self.roster.get(p)).map(|r| r.id()).collect());
        self.roster = roster;
        self.index.clear();
        self.index.catch_up(&self.roster);
        self.marks = Marks::default();
        let mut restored = cleared.as_ref().map(|_| Marks::default());
        if !marked.is_empty() || cleared.is_some() {
            for (pos, r) in self.roster.iter() {
                if marked.contains(&r.id()) {
                    self.marks.insert(pos);
                }
                if let (Some(c), Some(m)) = (&cleared, &mut restored)
                    && c.contains(&r.id())
                {
                    m.insert(pos);
                }
            }
        }
        self.cleared = restored;
        self.longest_email = 0;
        let all: Vec<u32> = self.roster.iter().map(|(p, _)| p).collect();
        self.grow_longest(&all);
        self.order = all;
        self.sort_order();
        let keep = keep.and_then(|id| self.roster.position(id));
        self.refilter(keep, false);
    }

    /// Applies fresh copies of `affected` rows (those missing from `fresh` were deleted).
    /// A few rows (a look, most changes) are found by id and put back where they sort by
    /// binary search, the filter asked of them alone: milliseconds at a million rows. Many
    /// (a bulk change of 100,000) take one pass over the table.
    pub fn merge(&mut self, affected: &[Uuid], fresh: Vec<UserRow>) {
        if affected.is_empty() && fresh.is_empty() {
            return;
        }
        let keep = self.cursor_pos();
        let few = affected.len() + fresh.len() <= FEW_FROM.max(self.roster.len() / 64);
        let touched = if few {
            self.apply_fresh_by_id(affected, &fresh)
        } else {
            apply_fresh(&mut self.roster, affected, &fresh)
        };
        for &p in &touched {
            if self.roster.is_gone(p) {
                self.marks.remove(p);
                if let Some(c) = &mut self.cleared {
                    c.remove(p);
                }
            }
        }
        // The touched rows leave the order and come back where their new values sort.
        let mut out = Marks::default();
        out.insert_all(&touched, self.roster.len());
        self.order.retain(|&p| !out.contains(p));
        let live: Vec<u32> = touched.into_iter().filter(|&p| !self.roster.is_gone(p)).collect();
        self.grow_longest(&live);
        if let Some(load) = &mut self.load {
            load.newer.extend(affected.iter().copied());
            load.newer.extend(fresh.iter().map(|r| r.id));
            if let Some(aside) = &mut load.aside {
                apply_fresh(aside, affected, &fresh);
            }
        }
        let keep = keep.filter(|&p| !self.roster.is_gone(p));
        let filtered = !self.filter.is_empty() && self.filter.invalid.is_none();
        match self.visible.take() {
            Some(mut visible) if few && filtered => {
                // Only the touched rows can have come or gone.
                visible.retain(|&p| !out.contains(p));
                let kept: Vec<u32> = live
                    .iter()
                    .copied()
                    .filter(|&p| self.roster.get(p).is_some_and(|r| self.filter.keeps(&r)))
                    .collect();
                self.insert_sorted(live);
                self.visible = Some(self.sorted_into(visible, kept));
                self.cursor = keep.and_then(|p| self.shown().iter().position(|&q| q == p)).unwrap_or(0);
                self.clamp();
            }
            visible => {
                self.visible = visible;
                self.insert_sorted(live);
                self.refilter(keep, false);
            }
        }
    }

    /// [`apply_fresh`] by id: no pass over the table.
    fn apply_fresh_by_id(&mut self, affected: &[Uuid], fresh: &[UserRow]) -> Vec<u32> {
        let renewed: IdSet = fresh.iter().map(|r| r.id).collect();
        let mut touched = Vec::with_capacity(affected.len() + fresh.len());
        for id in affected.iter().filter(|id| !renewed.contains(id)) {
            if let Some(p) = self.index.find(&self.roster, *id) {
                self.roster.remove(p);
                touched.push(p);
            }
        }
        for r in fresh {
            match self.index.find(&self.roster, r.id) {
                Some(p) => {
                    // A row the packed table cannot hold (an email past 65,535 bytes) goes.
                    if self.roster.set(p, r.into()).is_err() {
                        self.roster.remove(p);
                    }
                    touched.push(p);
                }
                None => {
                    if let Ok(p) = self.roster.push(r.into()) {
                        touched.push(p);
                    }
                }
            }
        }
        touched
    }

    /// The rows of `fresh` that differ from the table's copies or are new to it, by index
    /// into `fresh`, with the cells a reader would see changed (none: only a counter or a
    /// time the table does not show). Found by id.
    pub fn differences(&mut self, fresh: &[UserRow]) -> Vec<(usize, Cells)> {
        let mut out = Vec::new();
        for (i, new) in fresh.iter().enumerate() {
            match self.index.find(&self.roster, new.id).and_then(|p| self.roster.get(p)) {
                Some(r) if r.to_user_row() == *new => {}
                Some(r) => out.push((i, changed_cells(&r, new))),
                None => out.push((i, Cells::ALL)),
            }
        }
        out
    }

    /// Every live row's id, in no particular order.
    pub fn ids(&self) -> Vec<Uuid> {
        self.roster.iter().map(|(_, r)| r.id()).collect()
    }

    /// Removes the rows of these accounts (deleted elsewhere); returns how many the table
    /// had, and how many of those were marked (they are unmarked).
    pub fn remove(&mut self, ids: &[Uuid]) -> (usize, usize) {
        if ids.is_empty() {
            return (0, 0);
        }
        let wanted: IdSet = ids.iter().copied().collect();
        let (mut had, mut marked) = (0, 0);
        for (p, r) in self.roster.iter() {
            if wanted.contains(&r.id()) {
                had += 1;
                marked += usize::from(self.marks.contains(p));
            }
        }
        if had > 0 {
            self.merge(ids, Vec::new());
        }
        (had, marked)
    }

    /// Sorts `order` by the sort key (a check first: rows loaded in email order need none).
    fn sort_order(&mut self) {
        let mut order = std::mem::take(&mut self.order);
        let (sort, reverse) = (self.sort, self.reverse);
        let cmp = |a: &u32, b: &u32| compare(&self.roster, sort, reverse, *a, *b);
        if !order.is_sorted_by(|a, b| cmp(a, b) != Ordering::Greater) {
            order.sort_unstable_by(cmp);
        }
        self.order = order;
    }

    /// Puts `fresh` positions (not in `order`) into `order` where they sort.
    fn insert_sorted(&mut self, fresh: Vec<u32>) {
        let order = std::mem::take(&mut self.order);
        self.order = self.sorted_into(order, fresh);
    }

    /// `list` (positions in the table's order) with `fresh` (not in it) put where they
    /// sort: a few by binary search and one copy, many by one merge.
    fn sorted_into(&self, list: Vec<u32>, mut fresh: Vec<u32>) -> Vec<u32> {
        if fresh.is_empty() {
            return list;
        }
        let (sort, reverse) = (self.sort, self.reverse);
        let cmp = |a: &u32, b: &u32| compare(&self.roster, sort, reverse, *a, *b);
        if !fresh.is_sorted_by(|a, b| cmp(a, b) != Ordering::Greater) {
            fresh.sort_unstable_by(cmp);
        }
        let after_all = match (list.last(), fresh.first()) {
            (Some(last), Some(first)) => cmp(last, first) == Ordering::Less,
            _ => true,
        };
        if after_all {
            let mut list = list;
            list.extend(fresh);
            return list;
        }
        let mut merged = Vec::with_capacity(list.len() + fresh.len());
        if fresh.len() * 64 < list.len() {
            let mut from = 0;
            for f in fresh {
                let at = from + list[from..].partition_point(|x| cmp(x, &f) == Ordering::Less);
                merged.extend_from_slice(&list[from..at]);
                merged.push(f);
                from = at;
            }
            merged.extend_from_slice(&list[from..]);
            return merged;
        }
        let (mut a, mut b) = (list.into_iter().peekable(), fresh.into_iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            if cmp(y, x) == Ordering::Less {
                merged.extend(b.next());
            } else {
                merged.extend(a.next());
            }
        }
        merged.extend(a);
        merged.extend(b);
        merged
    }

    fn grow_longest(&mut self, positions: &[u32]) {
        for &p in positions {
            if let Some(r) = self.roster.get(p) {
                self.longest_email =
                    self.longest_email.max(unicode_width::UnicodeWidthStr::width(r.email_str()));
            }
        }
    }

    /// Re-applies the filter, keeping the cursor on the row at `keep` if it is still shown.
    /// `narrow`: the filter only narrowed, so the rows shown now are enough to search.
    fn refilter(&mut self, keep: Option<u32>, narrow: bool) {
        self.visible = if self.filter.is_empty() {
            None
        } else if self.filter.invalid.is_some() {
            Some(Vec::new())
        } else {
            let from = match (&self.visible, narrow) {
                (Some(v), true) => v.as_slice(),
                _ => self.order.as_slice(),
            };
            Some(filter_positions(&self.roster, &self.filter, from, PARALLEL_FROM))
        };
        self.cursor = keep.and_then(|p| self.shown().iter().position(|&q| q == p)).unwrap_or(0);
        self.clamp();
    }

    /// The positions the table shows, in order.
    fn shown(&self) -> &[u32] {
        self.visible.as_deref().unwrap_or(&self.order)
    }

    /// Filters by `input`; its ages (`last_login:older:180d`) count back from `now`.
    pub fn set_filter(&mut self, input: &str, now: OffsetDateTime) {
        let keep = self.cursor_pos();
        let filter = Filter::parse_saved(input, now, &self.saved);
        let narrow = self.filter.invalid.is_none()
            && filter.invalid.is_none()
            && filter.parsed.narrows(&self.filter.parsed);
        self.filter = filter;
        self.refilter(keep, narrow);
    }

    pub fn set_sort(&mut self, sort: SortKey, reverse: bool) {
        self.sort = sort;
        self.reverse = reverse;
        let keep = self.cursor_pos();
        self.sort_order();
        self.refilter(keep, false);
    }

    fn clamp(&mut self) {
        let n = self.visible_len();
        if n == 0 {
            self.cursor = 0;
            self.offset = 0;
        } else if self.cursor >= n {
            self.cursor = n - 1;
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.visible_len();
        if n == 0 {
            return;
        }
        let max = n as isize - 1;
        self.cursor = (self.cursor as isize + delta).clamp(0, max) as usize;
    }

    pub fn top(&mut self) {
        self.cursor = 0;
    }

    pub fn bottom(&mut self) {
        self.cursor = self.visible_len().saturating_sub(1);
    }

    /// Keeps the cursor within the `height` rows drawn from `offset`.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = self.offset_for(height);
    }

    /// The first row of a window `height` rows high: the offset moved as little as keeps
    /// the cursor in view, and never past the last full page.
    pub fn offset_for(&self, height: usize) -> usize {
        let height = height.max(1);
        let mut offset = self.offset;
        if self.cursor < offset {
            offset = self.cursor;
        } else if self.cursor >= offset + height {
            offset = self.cursor + 1 - height;
        }
        offset.min(self.visible_len().saturating_sub(height))
    }

    /// Accounts in the table (whatever the filter shows).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.shown().len()
    }

    /// The shown row at position `i` of the filtered view.
    pub fn visible_row(&self, i: usize) -> Option<RowRef<'_>> {
        self.shown().get(i).and_then(|&p| self.roster.get(p))
    }

    /// Rows `from..from+n` of the filtered view (what the table draws), each with whether
    /// it is marked.
    pub fn window(&self, from: usize, n: usize) -> impl Iterator<Item = (RowRef<'_>, bool)> {
        let shown = self.shown();
        let end = from.saturating_add(n).min(shown.len());
        shown
            .get(from.min(end)..end)
            .unwrap_or_default()
            .iter()
            .filter_map(|&p| self.roster.get(p).map(|r| (r, self.marks.contains(p))))
    }

    /// Every shown row, in the table's order (what an export writes).
    pub fn shown_rows(&self) -> impl Iterator<Item = RowRef<'_>> {
        self.shown().iter().filter_map(|&p| self.roster.get(p))
    }

    /// Every account in the table, filter or not, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = RowRef<'_>> {
        self.roster.iter().map(|(_, r)| r)
    }

    fn cursor_pos(&self) -> Option<u32> {
        self.shown().get(self.cursor).copied()
    }

    pub fn cursor_row(&self) -> Option<RowRef<'_>> {
        self.visible_row(self.cursor)
    }

    pub fn cursor_id(&self) -> Option<Uuid> {
        self.cursor_row().map(|r| r.id())
    }

    /// The account with this id, if the table holds it.
    pub fn by_id(&self, id: Uuid) -> Option<RowRef<'_>> {
        self.roster.position(id).and_then(|p| self.roster.get(p))
    }

    /// Puts the cursor on `id` if the filter shows it; returns whether it did.
    pub fn select(&mut self, id: Uuid) -> bool {
        let Some(p) = self.roster.position(id) else { return false };
        match self.shown().iter().position(|&q| q == p) {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }

    pub fn marks_len(&self) -> usize {
        self.marks.len()
    }

    pub fn is_marked(&self, id: Uuid) -> bool {
        self.roster.position(id).is_some_and(|p| self.marks.contains(p))
    }

    /// Marks the account with this id; false when the table does not hold it.
    pub fn mark_id(&mut self, id: Uuid) -> bool {
        self.roster.position(id).is_some_and(|p| {
            self.marks.insert(p);
            true
        })
    }

    /// Marks the rows of these accounts (one pass over the table); returns how many of
    /// them the table has.
    pub fn mark_ids(&mut self, ids: &IdSet) -> usize {
        let found: Vec<u32> =
            self.roster.iter().filter(|(_, r)| ids.contains(&r.id())).map(|(p, _)| p).collect();
        for &p in &found {
            self.marks.insert(p);
        }
        found.len()
    }

    /// The marked accounts' ids, in no particular order.
    pub fn marked_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.marks.positions().filter_map(|p| self.roster.get(p)).map(|r| r.id())
    }

    pub fn toggle_mark(&mut self) {
        if let Some(p) = self.cursor_pos() {
            self.marks.toggle(p);
        }
        self.move_by(1);
    }

    pub fn mark_all_visible(&mut self) {
        let shown = self.visible.as_deref().unwrap_or(&self.order);
        self.marks.insert_all(shown, self.roster.len());
    }

    /// Marks the shown rows that are not marked and unmarks those that are ("keep these,
    /// act on the rest"). Marks the filter hides stay as they are.
    pub fn invert_marks_visible(&mut self) {
        let shown = self.visible.as_deref().unwrap_or(&self.order);
        self.marks.toggle_all(shown);
    }

    /// Clears the marks, keeping them for [`UserList::restore_marks`]; returns how many.
    pub fn clear_marks(&mut self) -> usize {
        let n = self.marks.len();
        self.cleared = Some(std::mem::take(&mut self.marks));
        n
    }

    /// Clears the marks for good (after a change they were for).
    pub fn forget_marks(&mut self) {
        self.marks = Marks::default();
    }

    /// Brings back the marks Esc cleared last (those whose accounts still exist), added to
    /// any made since: how many came back, or `None` when none were cleared.
    pub fn restore_marks(&mut self) -> Option<usize> {
        let saved = self.cleared.take()?;
        let before = self.marks.len();
        for p in saved.positions() {
            if !self.roster.is_gone(p) {
                self.marks.insert(p);
            }
        }
        Some(self.marks.len() - before)
    }

    /// How many marked accounts the filter hides (marks survive filter changes).
    pub fn marked_hidden(&self) -> usize {
        if self.visible.is_none() || self.marks.is_empty() {
            return 0;
        }
        let shown = self.shown().iter().filter(|&&p| self.marks.contains(p)).count();
        self.marks.len() - shown
    }

    /// The rows an action applies to: the marked rows (in table order) if any, else the
    /// cursor row.
    pub fn selection(&self) -> Vec<RowRef<'_>> {
        if self.marks.is_empty() {
            self.cursor_row().into_iter().collect()
        } else {
            self.order
                .iter()
                .filter(|&&p| self.marks.contains(p))
                .filter_map(|&p| self.roster.get(p))
                .collect()
        }
    }

    /// Bytes the rows and their order take (the benchmark's account of memory).
    pub fn heap_bytes(&self) -> usize {
        self.roster.heap_bytes()
            + 4 * (self.order.capacity() + self.visible.as_ref().map_or(0, Vec::capacity))
            + self.index.heap_bytes()
    }
}

/// The table's order of the rows at positions `a` and `b` (emails break ties: they are
/// unique).
fn compare(roster: &Roster, sort: SortKey, reverse: bool, a: u32, b: u32) -> Ordering {
    let (Some(x), Some(y)) = (roster.get(a), roster.get(b)) else { return a.cmp(&b) };
    let by_email = || x.email_bytes().cmp(y.email_bytes());
    let o = match sort {
        SortKey::Email => by_email(),
        SortKey::Role => x.role().cmp(&y.role()).then_with(by_email),
        SortKey::Status => x.status().cmp(&y.status()).then_with(by_email),
        SortKey::Sessions => y.active_sessions().cmp(&x.active_sessions()).then_with(by_email),
        SortKey::LastLogin => y.last_login_raw().cmp(&x.last_login_raw()).then_with(by_email),
        SortKey::Created => y.created_raw().cmp(&x.created_raw()).then_with(by_email),
    };
    if reverse { o.reverse() } else { o }
}

/// Appends the rows of `chunk` whose accounts `newer` does not name.
fn append_newer(to: &mut Roster, chunk: &Roster, newer: &IdSet) -> Result<(), RosterError> {
    if newer.is_empty() {
        return to.append(chunk).map(|_| ());
    }
    for (_, r) in chunk.iter() {
        if !newer.contains(&r.id()) {
            to.push(r.to_new())?;
        }
    }
    Ok(())
}

/// Writes `fresh` over the rows of the same accounts (pushing new ones) and marks the rest
/// of `affected` gone; returns every position it touched.
fn apply_fresh(roster: &mut Roster, affected: &[Uuid], fresh: &[UserRow]) -> Vec<u32> {
    let mut wanted: rustc_hash::FxHashMap<Uuid, Option<usize>> =
        affected.iter().map(|&id| (id, None)).collect();
    for (i, r) in fresh.iter().enumerate() {
        wanted.insert(r.id, Some(i));
    }
    let mut touched = Vec::with_capacity(wanted.len());
    let mut placed = vec![false; fresh.len()];
    let hits: Vec<(u32, Option<usize>)> =
        roster.iter().filter_map(|(p, r)| wanted.get(&r.id()).map(|&f| (p, f))).collect();
    for (p, f) in hits {
        match f {
            Some(i) => {
                // A row the packed table cannot hold (an email past 65,535 bytes) goes.
                if roster.set(p, (&fresh[i]).into()).is_err() {
                    roster.remove(p);
                }
                placed[i] = true;
            }
            None => roster.remove(p),
        }
        touched.push(p);
    }
    for (i, r) in fresh.iter().enumerate() {
        if !placed[i]
            && let Ok(p) = roster.push(r.into())
        {
            touched.push(p);
        }
    }
    touched
}

/// The positions of `from` (in its order) whose rows `filter` keeps; on two threads from
/// `parallel_from` rows on.
fn filter_positions(roster: &Roster, filter: &Filter, from: &[u32], parallel_from: usize) -> Vec<u32> {
    let keeps = |p: &u32| roster.get(*p).is_some_and(|r| filter.keeps(&r));
    if from.len() < parallel_from || cores() < 2 {
        return from.iter().copied().filter(keeps).collect();
    }
    let (a, b) = from.split_at(from.len() / 2);
    std::thread::scope(|s| {
        // A thread the system refuses (a process limit) means one thread does it all.
        let second = std::thread::Builder::new()
            .spawn_scoped(s, || b.iter().copied().filter(keeps).collect::<Vec<u32>>())
            .ok();
        let mut first: Vec<u32> = a.iter().copied().filter(keeps).collect();
        match second.map(|t| t.join()) {
            Some(Ok(rest)) => first.extend(rest),
            // Not started, or (no code in it can panic) ended without its half: search it here.
            _ => first.extend(b.iter().copied().filter(keeps)),
        }
        first
    })
}

/// The cores to filter on (at most two), asked once.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(2))
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
        assert_eq!(l.cursor_row().expect("a cursor row").email(), "a@x.se");
        l.set_filter("X.SE", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.visible_len(), 2);
        l.set_filter("role:admin", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.visible_len(), 1);
        l.set_filter("status:inactive", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.cursor_row().expect("a cursor row").email(), "c%_\\@y.se");
        l.set_filter("%_\\", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.visible_len(), 1, "metacharacters match literally");
        l.set_filter("role:root", OffsetDateTime::UNIX_EPOCH);
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
        l.set_filter("pwned", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.visible_len(), 1);
        l.set_filter("åsa@", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.visible_len(), 1);
        l.set_filter("X.SE", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.visible_len(), 3);
        l.set_filter("", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.visible_len(), 3);
    }

    #[test]
    fn marks_hold_many_ids() {
        let mut l = UserList::default();
        l.set_rows((0..5000).map(|i| row(&format!("u{i:05}@x.se"), Role::User)).collect());
        l.mark_all_visible();
        assert_eq!(l.marks_len(), 5000);
        assert!(l.all().all(|r| l.is_marked(r.id())));
        let id = l.cursor_id().expect("a cursor");
        l.toggle_mark();
        assert!(!l.is_marked(id));
        assert_eq!(l.selection().len(), 4999);
        assert!(!l.mark_id(Uuid::new_v4()), "an unknown id is not marked");
    }

    #[test]
    fn cursor_follows_its_user_through_filter_and_sort() {
        let mut l = list();
        l.move_by(1);
        let id = l.cursor_id().expect("a cursor");
        l.set_filter("x.se", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.cursor_id(), Some(id));
        l.set_sort(SortKey::Email, true);
        assert_eq!(l.cursor_id(), Some(id));
    }

    #[test]
    fn marks_survive_only_for_existing_rows() {
        let mut l = list();
        l.mark_all_visible();
        assert_eq!(l.selection().len(), 3);
        let gone = l.cursor_id().expect("a cursor");
        l.merge(&[gone], vec![]);
        assert_eq!(l.marks_len(), 2);
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

    fn roster(rows: &[UserRow]) -> Roster {
        let mut r = Roster::default();
        for u in rows {
            r.push(u.into()).expect("fits");
        }
        r
    }

    fn emails(l: &UserList) -> Vec<String> {
        l.shown_rows().map(|r| r.email().to_string()).collect()
    }

    #[test]
    fn an_empty_table_shows_rows_as_they_arrive_and_keeps_the_cursor() {
        let mut l = UserList::default();
        l.begin_load();
        let all: Vec<UserRow> = (0..6).map(|i| row(&format!("u{i}@x.se"), Role::User)).collect();
        l.load_chunk(&roster(&all[..2]), Some(6), false).expect("fits");
        assert_eq!(l.loading(), Some(LoadProgress { received: 2, total: Some(6) }));
        assert_eq!(l.len(), 2, "the first rows show at once");
        l.move_by(1);
        // Out of order on purpose: a server collation that is not byte order.
        l.load_chunk(&roster(&[all[5].clone(), all[2].clone()]), None, false).expect("fits");
        l.load_chunk(&roster(&all[3..5]), None, true).expect("fits");
        assert_eq!(l.loading(), None);
        assert_eq!(emails(&l), ["u0@x.se", "u1@x.se", "u2@x.se", "u3@x.se", "u4@x.se", "u5@x.se"]);
        assert_eq!(l.cursor_row().map(|r| r.email().to_string()).as_deref(), Some("u1@x.se"));
    }

    #[test]
    fn a_reload_replaces_the_table_at_the_end_carrying_marks_and_newer_rows() {
        let mut l = UserList::default();
        let all: Vec<UserRow> = (0..4).map(|i| row(&format!("u{i}@x.se"), Role::User)).collect();
        l.set_rows(all.clone());
        l.mark_id(all[1].id);
        l.mark_id(all[3].id);
        l.begin_load();
        l.load_chunk(&roster(&all[..2]), Some(4), false).expect("fits");
        assert_eq!(l.len(), 4, "the old rows stay until the new ones are in");
        // A change lands meanwhile: u2 becomes an admin, u3 is deleted.
        let mut u2 = all[2].clone();
        u2.role = Role::Admin;
        l.merge(&[all[2].id, all[3].id], vec![u2]);
        // The load's older copies of u2 and u3 arrive after the change.
        l.load_chunk(&roster(&all[2..]), None, true).expect("fits");
        assert_eq!(emails(&l), ["u0@x.se", "u1@x.se", "u2@x.se"]);
        assert_eq!(l.by_id(all[2].id).map(|r| r.role()), Some(Role::Admin), "the newer copy wins");
        assert_eq!(l.marks_len(), 1);
        assert!(l.is_marked(all[1].id));
    }

    #[test]
    fn marks_follow_their_users_through_sorting_filters_and_merges() {
        let mut l = list();
        l.set_filter("x.se", OffsetDateTime::UNIX_EPOCH);
        l.mark_all_visible();
        l.set_filter("", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.marks_len(), 2);
        l.set_sort(SortKey::Role, true);
        let marked: Vec<String> = l.selection().iter().map(|r| r.email().to_string()).collect();
        assert_eq!(marked, ["b@x.se", "a@x.se"], "table order: admin first when reversed");
        let a = l.all().find(|r| r.email() == "a@x.se").map(|r| r.to_user_row()).expect("a");
        let mut a2 = a.clone();
        a2.role = Role::Superuser;
        l.merge(&[a.id], vec![a2]);
        assert_eq!(emails(&l)[0], "a@x.se", "a superuser sorts first when reversed");
        assert!(l.is_marked(a.id), "a row changed in place keeps its mark");
    }

    #[test]
    fn inverting_marks_touches_only_what_the_filter_shows() {
        let mut l = list();
        l.set_filter("a@", OffsetDateTime::UNIX_EPOCH);
        l.mark_all_visible();
        l.set_filter("x.se", OffsetDateTime::UNIX_EPOCH);
        l.invert_marks_visible();
        let marked: Vec<String> = l.selection().iter().map(|r| r.email().to_string()).collect();
        assert_eq!(marked, ["b@x.se"], "a@ unmarked, b@ marked, the hidden c untouched");
        l.set_filter("", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.marked_hidden(), 0);
        l.set_filter("a@", OffsetDateTime::UNIX_EPOCH);
        assert_eq!(l.marked_hidden(), 1);
    }

    #[test]
    fn a_narrowing_filter_finds_what_a_fresh_search_finds() {
        let mut l = UserList::default();
        l.set_rows((0..400).map(|i| row(&format!("n{}{}@x.se", i % 7, i % 13), Role::User)).collect());
        for text in ["n", "n1", "n12", "n12 role:user", "n12 role:user -n125", "n1", "n12"] {
            l.set_filter(text, OffsetDateTime::UNIX_EPOCH);
            let narrowed = emails(&l);
            let mut fresh = UserList::default();
            fresh.set_rows(l.all().map(|r| r.to_user_row()).collect());
            fresh.set_filter(text, OffsetDateTime::UNIX_EPOCH);
            assert_eq!(narrowed, emails(&fresh), "{text}");
        }
    }

    #[test]
    fn cleared_marks_come_back_on_their_users_after_a_reload() {
        let mut l = list();
        l.mark_all_visible();
        assert_eq!(l.clear_marks(), 3);
        let rows: Vec<UserRow> = l.all().map(|r| r.to_user_row()).collect();
        l.set_rows(rows.into_iter().rev().collect());
        assert_eq!(l.restore_marks(), Some(3));
        assert_eq!(l.restore_marks(), None);
    }

    #[test]
    fn two_threads_find_what_one_finds_in_the_same_order() {
        let mut l = UserList::default();
        l.set_rows((0..1001).map(|i| row(&format!("p{}q{}@x.se", i % 11, i % 17), Role::User)).collect());
        l.set_sort(SortKey::Email, true);
        for text in ["p1", "q1", "x.se", "p3q", "nobody", "-p1 q"] {
            let f = Filter::parse(text, OffsetDateTime::UNIX_EPOCH);
            let one = filter_positions(&l.roster, &f, &l.order, usize::MAX);
            let two = filter_positions(&l.roster, &f, &l.order, 2);
            assert_eq!(one, two, "{text}");
        }
    }
}
