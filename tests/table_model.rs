//! The console's packed table (`UserList`: row positions, a bitset of marks, chunked loads,
//! narrowing and two-thread filters) against the plainest model of it: a list of rows
//! filtered and sorted from scratch and a set of marked ids. Random sequences of edits,
//! small data; what must hold at a million rows is checked here at a few dozen.

use proptest::prelude::*;
use skriptoteket_admin::domain::account::Account;
use skriptoteket_admin::domain::filter::UserFilter;
use skriptoteket_admin::domain::roster::Roster;
use skriptoteket_admin::domain::{Role, UserRow};
use skriptoteket_admin::tui::model::table::{SortKey, UserList};
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Clone, Debug)]
enum Op {
    Filter(String),
    Sort(usize, bool),
    MarkAll,
    Invert,
    ClearMarks,
    RestoreMarks,
    /// Role of the row at this index (mod len) set to this role.
    Change(usize, Role),
    Delete(usize),
    Add(u16),
    /// A reload: every row again, in chunks of this size.
    Reload(usize),
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::User), Just(Role::Contributor), Just(Role::Admin), Just(Role::Superuser)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => "(-?[abc]{0,3}|role:user|role:admin,superuser|b role:contributor|-a b)".prop_map(Op::Filter),
        1 => (0..6usize, any::<bool>()).prop_map(|(k, r)| Op::Sort(k, r)),
        2 => Just(Op::MarkAll),
        2 => Just(Op::Invert),
        1 => Just(Op::ClearMarks),
        1 => Just(Op::RestoreMarks),
        2 => (any::<usize>(), role()).prop_map(|(i, r)| Op::Change(i, r)),
        1 => any::<usize>().prop_map(Op::Delete),
        1 => any::<u16>().prop_map(Op::Add),
        1 => (1..20usize).prop_map(Op::Reload),
    ]
}

fn row(n: u16, role: Role) -> UserRow {
    let letters = ["a", "b", "c", "ab", "bc", "ca", "Ab", "cB"];
    let mut r = UserRow::sample(&format!("{}{n}@x.se", letters[usize::from(n) % letters.len()]), role);
    r.id = Uuid::from_u128(u128::from(n) + 1);
    r.active_sessions = i64::from(n % 3);
    r.created_at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(i64::from(n % 7));
    r.last_login_at =
        (!n.is_multiple_of(4)).then(|| OffsetDateTime::UNIX_EPOCH + time::Duration::hours(i64::from(n % 5)));
    r
}

/// The model: rows, marks, the cleared marks, the filter text and the sort.
struct Model {
    rows: Vec<UserRow>,
    marks: HashSet<Uuid>,
    cleared: Option<HashSet<Uuid>>,
    filter: String,
    sort: SortKey,
    reverse: bool,
}

impl Model {
    fn shown(&self) -> Vec<Uuid> {
        let f = UserFilter::parse(&self.filter, OffsetDateTime::UNIX_EPOCH).ok();
        let mut rows: Vec<&UserRow> = self
            .rows
            .iter()
            .filter(|r| f.as_ref().is_some_and(|f| f.keeps(*r, r.email.to_lowercase().as_bytes())))
            .collect();
        rows.sort_by(|a, b| {
            let by_email = a.email.as_bytes().cmp(b.email.as_bytes());
            let o = match self.sort {
                SortKey::Email => by_email,
                SortKey::Role => a.role.cmp(&b.role).then(by_email),
                SortKey::Status => a.status().cmp(&b.status()).then(by_email),
                SortKey::Sessions => b.active_sessions.cmp(&a.active_sessions).then(by_email),
                SortKey::LastLogin => b.last_login_at.cmp(&a.last_login_at).then(by_email),
                SortKey::Created => b.created_at.cmp(&a.created_at).then(by_email),
            };
            if self.reverse { o.reverse() } else { o }
        });
        rows.iter().map(|r| r.id).collect()
    }
}

fn chunks(rows: &[UserRow], size: usize) -> Vec<Roster> {
    rows.chunks(size.max(1))
        .map(|c| {
            let mut r = Roster::default();
            for u in c {
                r.push(u.into()).expect("fits");
            }
            r
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_packed_table_shows_and_marks_what_the_plain_model_does(
        seed in proptest::collection::vec((any::<u16>(), role()), 0..40),
        ops in proptest::collection::vec(op(), 1..25),
    ) {
        let mut rows: Vec<UserRow> = Vec::new();
        for (n, r) in seed {
            if !rows.iter().any(|x| x.id == row(n, r).id) {
                rows.push(row(n, r));
            }
        }
        let mut m = Model { rows: rows.clone(), marks: HashSet::new(), cleared: None, filter: String::new(), sort: SortKey::Email, reverse: false };
        let mut l = UserList::default();
        l.begin_load();
        for c in chunks(&rows, 7) {
            l.load_chunk(&c, Some(rows.len() as u64), false).expect("fits");
        }
        l.load_chunk(&Roster::default(), None, true).expect("fits");
        for op in ops {
            match op.clone() {
                Op::Filter(f) => { l.set_filter(&f, OffsetDateTime::UNIX_EPOCH); m.filter = f; }
                Op::Sort(k, r) => { l.set_sort(SortKey::ALL[k], r); m.sort = SortKey::ALL[k]; m.reverse = r; }
                Op::MarkAll => { l.mark_all_visible(); m.marks.extend(m.shown()); }
                Op::Invert => {
                    l.invert_marks_visible();
                    for id in m.shown() {
                        if !m.marks.remove(&id) { m.marks.insert(id); }
                    }
                }
                Op::ClearMarks => { l.clear_marks(); m.cleared = Some(std::mem::take(&mut m.marks)); }
                Op::RestoreMarks => {
                    let back = l.restore_marks();
                    prop_assert_eq!(back.is_some(), m.cleared.is_some());
                    if let Some(c) = m.cleared.take() {
                        m.marks.extend(c.into_iter().filter(|id| m.rows.iter().any(|r| r.id == *id)));
                    }
                }
                Op::Change(i, role) if !m.rows.is_empty() => {
                    let i = i % m.rows.len();
                    m.rows[i].role = role;
                    l.merge(&[m.rows[i].id], vec![m.rows[i].clone()]);
                }
                Op::Delete(i) if !m.rows.is_empty() => {
                    let gone = m.rows.remove(i % m.rows.len());
                    m.marks.remove(&gone.id);
                    if let Some(c) = &mut m.cleared { c.remove(&gone.id); }
                    l.merge(&[gone.id], vec![]);
                }
                Op::Add(n) => {
                    let new = row(n, Role::User);
                    if !m.rows.iter().any(|r| r.id == new.id) {
                        m.rows.push(new.clone());
                        l.merge(&[new.id], vec![new]);
                    }
                }
                Op::Reload(size) => {
                    l.begin_load();
                    let parts = chunks(&m.rows, size);
                    let n = parts.len();
                    for (i, c) in parts.iter().enumerate() {
                        l.load_chunk(c, Some(m.rows.len() as u64), i + 1 == n).expect("fits");
                    }
                    if n == 0 {
                        l.load_chunk(&Roster::default(), Some(0), true).expect("fits");
                    }
                }
                _ => {}
            }
            let shown: Vec<Uuid> = l.shown_rows().map(|r| r.id()).collect();
            prop_assert_eq!(&shown, &m.shown(), "after {:?}", op);
            let marked: HashSet<Uuid> = l.marked_ids().collect();
            prop_assert_eq!(&marked, &m.marks, "after {:?}", op);
            prop_assert_eq!(l.marks_len(), m.marks.len());
            prop_assert_eq!(l.len(), m.rows.len());
            prop_assert!(l.loading().is_none());
        }
    }
}
