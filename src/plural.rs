//! Counted nouns for messages: "1 user", "3 users", "1 row".

/// `n` and `word`, with an `s` unless `n` is one.
pub fn count(n: impl Into<i64>, word: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(count(1, "user"), "1 user");
        assert_eq!(count(0, "user"), "0 users");
        assert_eq!(count(710_i32, "row"), "710 rows");
    }
}
