//! The audit log's filter (`domain::audit_filter`): `AuditFilter::parse`, then `shows` on
//! an entry, as the console's audit viewer and `audit --filter` use them.
//!
//! Input: `FILTER \0 ACTOR \0 TARGET \0 REASON \0 BEFORE-JSON \0 NUMBERS`, every part
//! optional. NUMBERS: the action, which ids and change id the entry has, and its time.
//!
//! Asserts: never a panic; a filter without ages parses the same with and without the
//! clock; one more free word never shows more entries; a filter that names a whole change
//! id shows only that change's entries; `since:` and `until:` hold for every entry shown;
//! a sign-in is shown only when sign-ins are asked for; `of_target` shows exactly the
//! entries of its account.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skriptoteket_admin::domain::audit::{AuditRow, SIGN_IN_ACTIONS};
use skriptoteket_admin::domain::audit_filter::AuditFilter;
use skriptoteket_admin::domain::revert::ALL_ACTIONS;
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);

fn text(b: Option<&[u8]>) -> Option<String> {
    b.map(|b| String::from_utf8_lossy(b).into_owned())
}

fn entry(parts: &[&[u8]]) -> AuditRow {
    let part = |i: usize| parts.get(i).copied();
    let n = part(5).unwrap_or_default();
    let byte = |i: usize| n.get(i).copied().unwrap_or(0);
    let action =
        ALL_ACTIONS.get(usize::from(byte(0)) % (ALL_ACTIONS.len() + 1)).map_or("something_else", |a| a);
    let flags = byte(1);
    let id = |i: u8| {
        (flags & (1 << i) == 0).then(|| Uuid::from_u128(u128::from(byte(2 + usize::from(i))) << 120 | 1))
    };
    let minutes = i64::from(i16::from_le_bytes([byte(6), byte(7)]));
    let json = part(4).and_then(|b| serde_json::from_slice(b).ok());
    AuditRow {
        id: 1,
        at: NOW - Duration::minutes(minutes),
        actor_id: id(0),
        actor_email: text(part(1)).unwrap_or_else(|| "boss@skola.se".into()),
        action: action.to_string(),
        target_id: id(1),
        target_email: text(part(2)),
        before: json.clone(),
        after: json.map(|v| serde_json::json!({ "was": v })),
        change_id: id(2),
        operator: (flags & 8 == 0).then(|| serde_json::json!({"os_user": "lena", "host": "skola"})),
        reason: text(part(3)),
        reverts: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.splitn(6, |b| *b == 0).collect();
    let filter = String::from_utf8_lossy(parts.first().copied().unwrap_or_default());
    let r = entry(&parts);

    if let Some(id) = r.target_id {
        assert!(AuditFilter::of_target(id).shows(&r));
    }
    assert!(!AuditFilter::of_target(Uuid::nil()).shows(&r), "of_target shows another account's entry");

    let with_clock = AuditFilter::parse(&filter, Some(NOW));
    let Ok(f) = with_clock.clone() else {
        return;
    };
    if let Ok(without) = AuditFilter::parse(&filter, None) {
        assert_eq!(Ok(without), with_clock, "the clock changes a filter without ages");
    }
    let shown = f.shows(&r);
    if shown {
        assert!(f.since.is_none_or(|t| r.at >= t) && f.until.is_none_or(|t| r.at < t));
        assert!(f.shows_sign_ins() || !SIGN_IN_ACTIONS.contains(&r.action.as_str()));
        if let Some(change) = f.change_id() {
            assert_eq!(r.change_id, Some(change), "change:{change} shows another change");
        }
    }
    // One more free word (the reason's first word, say) narrows.
    let word = text(parts.get(3).copied()).unwrap_or_default();
    if let Some(w) = word.split_whitespace().next()
        && !w.contains(':')
        && w.to_lowercase() != "signins"
    {
        let more = AuditFilter::parse(&format!("{filter} {w}"), Some(NOW)).expect("a free word more parses");
        assert!(!more.shows(&r) || shown, "{filter:?} + {w:?} shows an entry {filter:?} hides");
    }
});
