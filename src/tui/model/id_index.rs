//! The table's rows by account id: positions sorted by id, so a merge of a few fresh rows
//! (the live table's look, a change's answer) finds them in O(log n) instead of reading
//! a million packed rows. 4 bytes a row; built when a load ends (about 50 ms at a
//! million rows) and kept up to date as rows are pushed (positions only ever grow, and a row's id
//! never changes at its position).

use crate::domain::account::Account;
use crate::domain::roster::Roster;
use uuid::Uuid;

#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    /// Positions `0..covers` of the roster, sorted by id (gone rows too).
    sorted: Vec<u32>,
    covers: usize,
}

impl IdIndex {
    /// Forgets everything (the roster was replaced).
    pub fn clear(&mut self) {
        *self = IdIndex::default();
    }

    /// The live row of account `id`, if the roster has one.
    pub fn find(&mut self, roster: &Roster, id: Uuid) -> Option<u32> {
        self.catch_up(roster);
        let id_at = |p: u32| roster.get(p).map(|r| r.id());
        let from = self.sorted.partition_point(|&p| id_at(p) < Some(id));
        self.sorted[from..]
            .iter()
            .copied()
            .take_while(|&p| id_at(p) == Some(id))
            .find(|&p| !roster.is_gone(p))
    }

    /// Takes in the positions pushed since the last look (all of them the first time):
    /// the table does this when a load ends, so the first merge after it waits for nothing.
    pub fn catch_up(&mut self, roster: &Roster) {
        if roster.len() < self.covers {
            self.clear();
        }
        if roster.len() == self.covers {
            return;
        }
        let id_of = |p: u32| roster.get(p).map_or(Uuid::nil(), |r| r.id());
        let mut fresh: Vec<(Uuid, u32)> =
            (self.covers as u32..roster.len() as u32).map(|p| (id_of(p), p)).collect();
        fresh.sort_unstable();
        let old = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(old.len() + fresh.len());
        let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
        while let (Some(&x), Some(&(y, q))) = (a.peek(), b.peek()) {
            if (y, q) < (id_of(x), x) {
                merged.push(q);
                b.next();
            } else {
                merged.push(x);
                a.next();
            }
        }
        merged.extend(a);
        merged.extend(b.map(|(_, p)| p));
        self.sorted = merged;
        self.covers = roster.len();
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        4 * self.sorted.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Role, UserRow};

    fn row(n: u128) -> UserRow {
        let mut r = UserRow::sample(&format!("u{n}@x.se"), Role::User);
        r.id = Uuid::from_u128(n);
        r
    }

    #[test]
    fn finds_rows_pushed_before_and_after_it_was_built_and_never_a_gone_one() {
        let mut roster = Roster::default();
        let mut index = IdIndex::default();
        for n in [5u128, 1, 9, 3] {
            roster.push((&row(n)).into()).expect("push");
        }
        assert_eq!(index.find(&roster, Uuid::from_u128(9)), Some(2));
        assert_eq!(index.find(&roster, Uuid::from_u128(4)), None);
        for n in [4u128, 2] {
            roster.push((&row(n)).into()).expect("push");
        }
        assert_eq!(index.find(&roster, Uuid::from_u128(4)), Some(4));
        assert_eq!(index.find(&roster, Uuid::from_u128(2)), Some(5));
        roster.remove(0);
        assert_eq!(index.find(&roster, Uuid::from_u128(5)), None, "gone");
        roster.push((&row(5)).into()).expect("back, at a new position");
        assert_eq!(index.find(&roster, Uuid::from_u128(5)), Some(6));
        for n in [1u128, 2, 3, 4, 9] {
            let p = index.find(&roster, Uuid::from_u128(n)).expect("found");
            assert_eq!(roster.get(p).map(|r| r.id()), Some(Uuid::from_u128(n)));
        }
    }
}
