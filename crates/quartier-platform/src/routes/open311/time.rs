//! W3C datetimes (the profile of ISO 8601 that Open311 uses) to and from Unix seconds.
//!
//! Hand-written rather than a date crate: the API only prints UTC instants and parses the few
//! shapes clients send (`2026-11-28`, `2026-11-28T10:00Z`, `2026-11-28T10:00:00.5+01:00`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format(seconds: i64) -> String {
    let (day, rem) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(day);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses a W3C datetime into Unix seconds. A date alone means its midnight UTC; a time without
/// a zone is taken as UTC (the spec requires a zone, but being lenient here harms no one).
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year: i64 = digits(parts.next()?, 4)?;
    let month: i64 = digits(parts.next()?, 2)?;
    let day: i64 = digits(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    let Some(time) = time else {
        return Some(seconds);
    };
    let (clock, offset) = split_zone(time)?;
    let mut fields = clock.split(':');
    let hour: i64 = digits(fields.next()?, 2)?;
    let minute: i64 = digits(fields.next()?, 2)?;
    let second: i64 = match fields.next() {
        // Fractions of a second are accepted and dropped.
        Some(sec) => digits(sec.split_once('.').map_or(sec, |(whole, _)| whole), 2)?,
        None => 0,
    };
    if fields.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    seconds += hour * 3600 + minute * 60 + second;
    Some(seconds - offset)
}

/// Splits `10:00:00+01:00` into the clock and the zone's offset in seconds.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, zone) = time.split_at(at);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone = &zone[1..];
    let (hours, minutes) = zone.split_once(':').unwrap_or((zone, "00"));
    let hours: i64 = digits(hours, 2)?;
    let minutes: i64 = digits(minutes, 2)?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 3600 + minutes * 60)))
}

fn digits(text: &str, len: usize) -> Option<i64> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(day: i64) -> (i64, i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_known_instants() {
        // 1_795_000_000 = 20_775 days + 40_000 s (11:06:40).
        assert_eq!(format(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        assert_eq!(parse("2026-11-18T11:06:40Z"), Some(1_795_000_000));
        assert_eq!(parse("2026-11-18T12:06:40+01:00"), Some(1_795_000_000));
        assert_eq!(parse("2026-11-18T03:06:40.250-08:00"), Some(1_795_000_000));
        assert_eq!(parse("2026-11-18"), Some(1_794_960_000));
        assert_eq!(parse("2000-02-29T00:00"), Some(951_782_400));
    }

    #[test]
    fn rejects_what_is_not_a_datetime() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2025-02-29",
            "2026-11-18T25:00:00Z",
            "2026-11-18T10:00:00+99:00",
            "26-11-18",
            "2026-11-18T10",
            "+2026-11-18",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
