//! Moving the focus between a form's fields, typed: each form names its fields in an enum.

/// A form's fields in tab order. `shown` says which exist now (a typed password's fields
/// only while the password is typed, not generated).
pub trait Field: Copy + PartialEq + 'static {
    const ORDER: &'static [Self];

    /// The next (`step` 1) or previous (`step` -1) field that is shown, wrapping around.
    fn step(self, step: isize, shown: impl Fn(Self) -> bool) -> Self {
        let order: Vec<Self> = Self::ORDER.iter().copied().filter(|f| shown(*f)).collect();
        let Some(i) = order.iter().position(|f| *f == self) else {
            return order.first().copied().unwrap_or(self);
        };
        let n = order.len() as isize;
        order[((i as isize + step).rem_euclid(n)) as usize]
    }

    fn next(self) -> Self {
        self.step(1, |_| true)
    }

    fn prev(self) -> Self {
        self.step(-1, |_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    enum F {
        A,
        B,
        C,
    }
    impl Field for F {
        const ORDER: &'static [Self] = &[F::A, F::B, F::C];
    }

    #[test]
    fn focus_wraps_and_skips_hidden_fields() {
        assert_eq!(F::A.next(), F::B);
        assert_eq!(F::A.prev(), F::C);
        assert_eq!(F::A.step(1, |f| f != F::B), F::C);
        assert_eq!(F::C.step(1, |f| f != F::B), F::A);
        // A focus on a field that was hidden meanwhile lands on the first shown one.
        assert_eq!(F::B.step(1, |f| f != F::B), F::A);
    }
}
