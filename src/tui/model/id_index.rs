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
        // Sorted by the ids' first 32 bits packed with the position into one u64 (8 bytes a
        // row while sorting: a temporary of (id, position) pairs would be 24, and the
        // allocator keeps what it once held); ties of those bits, a few hundred among a
        // million ids, are put in order by the whole id after.
        let prefix = |id: Uuid| {
            u64::from(u32::from_be_bytes([
                id.as_bytes()[0],
                id.as_bytes()[1],
                id.as_bytes()[2],
                id.as_bytes()[3],
            ]))
        };
        let mut keys: Vec<u64> = (self.covers as u32..roster.len() as u32)
            .map(|p| prefix(id_of(p)) << 32 | u64::from(p))
            .collect();
        keys.sort_unstable();
        let mut fresh: Vec<u32> = keys.iter().map(|k| *k as u32).collect();
        drop(keys);
        let mut from = 0;
        while from < fresh.len() {
            let head = prefix(id_of(fresh[from]));
            let to = from + fresh[from..].iter().take_while(|&&p| prefix(id_of(p)) == head).count();
            if to - from > 1 {
                fresh[from..to].sort_unstable_by_key(|&p| (id_of(p), p));
            }
            from = to;
        }
        let old = std::mem::take(&mut self.sorted);
        self.covers = roster.len();
        let key = |p: u32| (id_of(p), p);
        if old.is_empty() {
            self.sorted = fresh;
            return;
        }
        let mut merged = Vec::with_capacity(old.len() + fresh.len());
        if fresh.len() * 64 < old.len() {
            // A few rows pushed (a new account): each goes in by binary search.
            let mut from = 0;
            for f in fresh {
                let at = from + old[from..].partition_point(|&x| key(x) < key(f));
                merged.extend_from_slice(&old[from..at]);
                merged.push(f);
                from = at;
            }
            merged.extend_from_slice(&old[from..]);
            self.sorted = merged;
            return;
        }
        let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
        while let (Some(&x), Some(&y)) = (a.peek(), b.peek()) {
            if (id_of(y), y) < (id_of(x), x) {
                merged.push(y);
                b.next();
            } else {
                merged.push(x);
                a.next();
            }
        }
        merged.extend(a);
        merged.extend(b);
        self.sorted = merged;
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
    fn ids_alike_in_their_first_bytes_are_told_apart() {
        let mut roster = Roster::default();
        let ids: Vec<u128> = (0..200u128).map(|i| (0xabcd_ef01u128 << 96) | (i * 7919 % 200)).collect();
        for (i, &n) in ids.iter().enumerate() {
            let mut r = row(n);
            r.email = format!("p{i}@x.se");
            roster.push((&r).into()).expect("push");
        }
        let mut index = IdIndex::default();
        for (i, &n) in ids.iter().enumerate() {
            assert_eq!(index.find(&roster, Uuid::from_u128(n)), Some(i as u32));
        }
        assert_eq!(index.find(&roster, Uuid::from_u128((0xabcd_ef01u128 << 96) | 999)), None);
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
