//! Moments as admins type them in filters: a date (`2026-11-01`, midnight UTC), a full
//! RFC 3339 time (`2026-11-01T08:00:00+01:00`), or an age back from now (`12h`,
//! `7d`, `6w`, `3mo`/`6m`, `1y`; `30min` for minutes; a month is 30 days, a year 365).

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, macros::format_description};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a time: use a date (2026-11-01), an RFC 3339 time, or an age such as 30min, 12h, 7d, 6m, 1y"
)]
pub struct BadTime(pub String);

/// Parses `text` relative to `now` (ages count back from it).
pub fn parse(text: &str, now: OffsetDateTime) -> Result<OffsetDateTime, BadTime> {
    let t = text.trim();
    let bad = || BadTime(t.to_string());
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(at);
    }
    if let Ok(d) = Date::parse(t, format_description!("[year]-[month]-[day]")) {
        return Ok(d.midnight().assume_utc());
    }
    age(t).and_then(|d| now.checked_sub(d)).ok_or_else(bad)
}

/// `7d` → 7 days; `None` for anything else.
pub fn age(t: &str) -> Option<Duration> {
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().ok().filter(|n| *n <= 1_000_000)?;
    Some(match unit {
        "min" | "mins" => Duration::minutes(n),
        // Admins mean months by `6m` in "not logged in for 6m"; minutes are spelled out.
        "m" | "mo" => Duration::days(30 * n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        "w" => Duration::weeks(n),
        "y" => Duration::days(365 * n),
        _ => return None,
    })
}

/// A moment as the console shows it: `2026-12-01`, or with `with_time` `2026-12-01 09:30`.
pub fn shown(t: OffsetDateTime, with_time: bool) -> String {
    const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");
    const DATE_TIME: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.format(if with_time { DATE_TIME } else { DATE }).unwrap_or_else(|_| "?".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_times_and_ages() {
        let now = datetime!(2026-11-26 12:00 UTC);
        assert_eq!(parse("2026-11-01", now), Ok(datetime!(2026-11-01 0:00 UTC)));
        assert_eq!(parse("2026-11-01T08:00:00+01:00", now), Ok(datetime!(2026-11-01 7:00 UTC)));
        assert_eq!(parse("7d", now), Ok(datetime!(2026-11-19 12:00 UTC)));
        assert_eq!(parse("12h", now), Ok(datetime!(2026-11-26 0:00 UTC)));
        assert_eq!(parse("30min", now), Ok(datetime!(2026-11-26 11:30 UTC)));
        assert_eq!(parse("6m", now), parse("180d", now));
        assert_eq!(parse("1mo", now), parse("30d", now));
        assert_eq!(parse("1y", now), parse("365d", now));
        assert!(parse("yesterday", now).is_err());
        assert!(parse("7", now).is_err());
        assert!(parse("d", now).is_err());
        assert!(parse("99999999999d", now).is_err());
        assert!(parse("13000y", now).is_err(), "out of range is an error, never a panic");
    }
}
