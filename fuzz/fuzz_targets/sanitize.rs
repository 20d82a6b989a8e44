//! The sanitiser of text drawn on the terminal (`domain::sanitize::clean`), which every
//! email, name, reason and operator field from the database goes through.
//!
//! Input: with an even first byte the rest as UTF-8 (invalid bytes replaced); with an odd
//! one the rest read three bytes a code point, so that every plane is reached quickly.
//!
//! Asserts what the module promises: the output holds no ESC, no C0 or C1 control or DEL,
//! no bidi control (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C), no
//! Default_Ignorable_Code_Point (the list below, written out here from Unicode's
//! DerivedCoreProperties.txt rather than taken from the module) and no interlinear
//! annotation character (U+FFF9-FFFB); it has exactly as many characters as the input,
//! each the input's own or U+FFFD in place of an unsafe one; it borrows exactly when
//! nothing was replaced; and cleaning it again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skriptoteket_admin::domain::sanitize::{REPLACEMENT, clean, is_unsafe};
use std::borrow::Cow;

/// Default_Ignorable_Code_Point, Unicode 16.0 DerivedCoreProperties.txt.
const DEFAULT_IGNORABLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

const BIDI_CONTROLS: &[(u32, u32)] =
    &[(0x202A, 0x202E), (0x2066, 0x2069), (0x200E, 0x200F), (0x061C, 0x061C)];

fn within(c: char, ranges: &[(u32, u32)]) -> bool {
    ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&u32::from(c)))
}

/// What may never reach the terminal.
fn forbidden(c: char) -> bool {
    let u = u32::from(c);
    u == 0x1B
        || u < 0x20
        || (0x7F..=0x9F).contains(&u)
        || within(c, BIDI_CONTROLS)
        || within(c, DEFAULT_IGNORABLE)
        || (0xFFF9..=0xFFFB).contains(&u)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text: String = if mode & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        rest.chunks(3)
            .filter_map(|b| {
                let u = b.iter().fold(0u32, |u, b| u << 8 | u32::from(*b)) % 0x11_0000;
                char::from_u32(u)
            })
            .collect()
    };
    let out = clean(&text);
    let mut replaced = false;
    let mut shown = out.chars();
    for c in text.chars() {
        let d = shown.next().expect("the output is as long as the input");
        assert_eq!(
            is_unsafe(c),
            forbidden(c),
            "U+{:04X}: the sanitiser and its promise disagree",
            u32::from(c)
        );
        if forbidden(c) {
            assert_eq!(d, REPLACEMENT, "U+{:04X} is shown", u32::from(c));
            replaced = true;
        } else {
            assert_eq!(d, c, "U+{:04X}, a safe character, was changed", u32::from(c));
        }
        assert!(!forbidden(d));
    }
    assert!(shown.next().is_none(), "the output is longer than the input");
    assert_eq!(matches!(out, Cow::Borrowed(_)), !replaced);
    assert!(matches!(clean(&out), Cow::Borrowed(_)), "cleaning twice changed something");
});
