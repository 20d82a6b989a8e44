//! The console's `/` and `list --filter`: `UserFilter::parse`, then `keeps` on a row.
//!
//! Input: `FILTER \0 EMAIL \0 PROVIDER \0 NUMBERS`, every part optional (a plain filter
//! text is a filter against a default row). NUMBERS: role, flags, failed attempts,
//! sessions, and the creation and last sign-in as minutes from `NOW`.
//!
//! Asserts: parsing and matching never panic; a filter is the AND of its words (each word
//! alone parses, and the whole keeps a row exactly when every word does); `!word` keeps
//! exactly the rows `word` does not; a `UserFilter` and the console's packed table
//! (`Roster`) agree on every row; and when a filter `narrows` an earlier one (typing on),
//! every row it keeps the earlier one kept, so searching the earlier result is enough.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skriptoteket_admin::domain::filter::UserFilter;
use skriptoteket_admin::domain::roster::{NewRow, Roster};
use skriptoteket_admin::domain::{Role, UserRow};
use time::{Duration, OffsetDateTime, macros::datetime};

const NOW: OffsetDateTime = datetime!(2026-11-26 12:00 UTC);

fn minutes_from_now(b: &[u8]) -> OffsetDateTime {
    let m = i32::from_le_bytes([0, 1, 2, 3].map(|i| b.get(i).copied().unwrap_or(0)));
    NOW.checked_add(Duration::minutes(i64::from(m))).unwrap_or(NOW)
}

fn row(email: &[u8], provider: &[u8], n: &[u8]) -> UserRow {
    let byte = |i: usize| n.get(i).copied().unwrap_or(0);
    let role = [Role::User, Role::Contributor, Role::Admin, Role::Superuser, Role::Unknown]
        [usize::from(byte(0) % 5)];
    let mut r = UserRow::sample(&String::from_utf8_lossy(email), role);
    if !provider.is_empty() {
        r.auth_provider = String::from_utf8_lossy(provider).into_owned();
    }
    let flags = byte(1);
    r.is_active = flags & 1 == 0;
    r.email_verified = flags & 2 == 0;
    r.locked = flags & 4 != 0;
    r.failed_login_attempts = i32::from(i8::from_le_bytes([byte(2)]));
    // A count of sessions, as the store reads it: never negative, at most what the
    // console's packed table keeps (u32).
    r.active_sessions = i64::from(u32::from_le_bytes([byte(3), byte(4), byte(5), byte(6)]));
    r.created_at = minutes_from_now(n.get(7..).unwrap_or_default());
    if flags & 8 == 0 {
        r.last_login_at = Some(minutes_from_now(n.get(11..).unwrap_or_default()));
    }
    r
}

fn keeps(f: &UserFilter, r: &UserRow) -> bool {
    f.keeps(r, r.email.to_lowercase().as_bytes())
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == 0);
    let text = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let (email, provider, numbers) = (
        parts.next().unwrap_or(b"anna@skola.se"),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let r = row(email, provider, numbers);

    let Ok(f) = UserFilter::parse(&text, NOW) else {
        return;
    };
    let kept = keeps(&f, &r);
    assert!(f.narrows(&f), "a filter narrows itself");

    let mut roster = Roster::default();
    if let Ok(pos) = roster.push(NewRow::from(&r))
        && let Some(packed) = roster.get(pos)
    {
        assert_eq!(
            f.keeps(&packed, packed.email_lower()),
            kept,
            "Roster and UserRow disagree: {text:?} {r:?}"
        );
    }

    let words: Vec<&str> = text.split_whitespace().collect();
    let mut all = true;
    for w in &words {
        let one = UserFilter::parse(w, NOW).expect("each word of a valid filter parses alone");
        let k = keeps(&one, &r);
        all &= k;
        if !w.starts_with(['!', '-']) {
            let not = UserFilter::parse(&format!("!{w}"), NOW).expect("a negated valid word parses");
            assert_eq!(keeps(&not, &r), !k, "!{w} is not the negation of {w}");
        }
    }
    assert_eq!(kept, all, "{text:?} is not the AND of its words");

    // Typing: every shorter text that parses and that this filter narrows kept this row.
    let cuts: Vec<usize> = if text.len() <= 128 {
        text.char_indices().map(|(i, _)| i).collect()
    } else {
        numbers
            .first()
            .map(|b| usize::from(*b) * text.len() / 256)
            .into_iter()
            .filter(|i| text.is_char_boundary(*i))
            .collect()
    };
    for cut in cuts {
        if let Ok(earlier) = UserFilter::parse(&text[..cut], NOW)
            && f.narrows(&earlier)
        {
            assert!(
                !kept || keeps(&earlier, &r),
                "{text:?} narrows {:?} but keeps a row it dropped",
                &text[..cut]
            );
        }
    }
});
