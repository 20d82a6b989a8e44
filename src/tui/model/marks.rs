//! The marked rows: one bit per row position of the table's roster, so `*` over a million
//! shown rows sets a million bits (a few milliseconds) instead of hashing a million ids.

/// A set of row positions (see `domain::roster`), with its size kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    words: Vec<u64>,
    count: usize,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn contains(&self, pos: u32) -> bool {
        let (w, bit) = split(pos);
        self.words.get(w).is_some_and(|word| word & bit != 0)
    }

    /// Marks `pos`; true when it was not marked.
    pub fn insert(&mut self, pos: u32) -> bool {
        let (w, bit) = split(pos);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let new = self.words[w] & bit == 0;
        self.words[w] |= bit;
        self.count += usize::from(new);
        new
    }

    /// Unmarks `pos`; true when it was marked.
    pub fn remove(&mut self, pos: u32) -> bool {
        let (w, bit) = split(pos);
        let Some(word) = self.words.get_mut(w) else { return false };
        let was = *word & bit != 0;
        *word &= !bit;
        self.count -= usize::from(was);
        was
    }

    pub fn toggle(&mut self, pos: u32) {
        if !self.remove(pos) {
            self.insert(pos);
        }
    }

    /// Marks every position of `positions`.
    pub fn insert_all(&mut self, positions: &[u32], capacity: usize) {
        let words = capacity.div_ceil(64);
        if self.words.len() < words {
            self.words.resize(words, 0);
        }
        for &p in positions {
            self.insert(p);
        }
    }

    /// Marks exactly the positions of `positions` that were not marked, and unmarks those
    /// that were: "keep these, act on the rest".
    pub fn toggle_all(&mut self, positions: &[u32]) {
        for &p in positions {
            self.toggle(p);
        }
    }

    /// Every marked position, lowest first.
    pub fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                Some((w as u32) * 64 + bit)
            })
        })
    }
}

fn split(pos: u32) -> (usize, u64) {
    ((pos / 64) as usize, 1u64 << (pos % 64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_lists_what_is_marked() {
        let mut m = Marks::default();
        assert!(m.insert(3));
        assert!(!m.insert(3), "twice is once");
        m.insert_all(&[64, 200, 3], 1000);
        assert_eq!(m.len(), 3);
        assert_eq!(m.positions().collect::<Vec<_>>(), vec![3, 64, 200]);
        assert!(m.remove(64));
        assert!(!m.remove(64));
        assert!(!m.remove(100_000), "beyond the words is unmarked");
        m.toggle_all(&[3, 5]);
        assert_eq!(m.positions().collect::<Vec<_>>(), vec![5, 200]);
        assert!(m.contains(200) && !m.contains(3) && !m.contains(9_999_999));
    }
}
