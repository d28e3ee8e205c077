//! The platform's time: one clock (Unix seconds, with an offset that tests move forward to
//! expire sessions, rate-limit windows or Open311 date filters without sleeping), and one
//! calendar library (`jiff`) for every date printed or parsed.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use jiff::{Timestamp, civil, tz::Offset};

/// The platform's clock. `advance` exists for tests; production never calls it.
#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// Seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
            });
        system.saturating_add(self.offset.load(Ordering::Relaxed))
    }

    /// Moves this clock forward, e.g. past a session's idle timeout.
    pub fn advance(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// The instant of Unix seconds, clamped to what a calendar can show (years -9999 to 9999).
fn instant(seconds: i64) -> Timestamp {
    let clamped = seconds.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(clamped).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC) of Unix seconds: every instant the platform prints
/// (resident API, Open311, the demo's NGSI-LD entities).
pub fn rfc3339(seconds: i64) -> String {
    instant(seconds).to_string()
}

/// `YYYY-MM-DD` of the UTC day containing these Unix seconds.
pub fn iso_date(seconds: i64) -> String {
    Offset::UTC.to_datetime(instant(seconds)).date().to_string()
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
pub fn iso_date_of_day(day: i64) -> String {
    iso_date(day.saturating_mul(86_400))
}

/// Parses a W3C datetime (the ISO 8601 profile Open311 uses) into Unix seconds. A date alone
/// means its midnight UTC; a time without a zone is taken as UTC (the spec requires a zone, but
/// being lenient here harms no one); fractions of a second are dropped. The time needs at least
/// hours and minutes.
pub fn parse_w3c(text: &str) -> Option<i64> {
    let text = text.trim();
    let Some((_, time)) = text.split_once(['T', 't', ' ']) else {
        let date: civil::Date = text.parse().ok()?;
        return Offset::UTC
            .to_timestamp(date.to_datetime(civil::Time::midnight()))
            .ok()
            .map(Timestamp::as_second);
    };
    if !time.contains(':') {
        return None;
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at.as_second());
    }
    let local: civil::DateTime = text.parse().ok()?;
    Offset::UTC
        .to_timestamp(local)
        .ok()
        .map(Timestamp::as_second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // date -u -d @1795000000
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(iso_date(951_782_400), "2000-02-29");
        assert_eq!(iso_date(-1), "1969-12-31");
        assert_eq!(iso_date_of_day(20_775), "2026-11-18");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn parses_w3c_datetimes() {
        assert_eq!(parse_w3c("2026-11-18T11:06:40Z"), Some(1_795_000_000));
        assert_eq!(parse_w3c("2026-11-18T12:06:40+01:00"), Some(1_795_000_000));
        assert_eq!(
            parse_w3c("2026-11-18T03:06:40.250-08:00"),
            Some(1_795_000_000)
        );
        assert_eq!(parse_w3c("2026-11-18"), Some(1_794_960_000));
        assert_eq!(parse_w3c("2000-02-29T00:00"), Some(951_782_400));
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
            assert_eq!(parse_w3c(bad), None, "{bad}");
        }
    }

    #[test]
    fn advance_moves_now() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() >= before + 3600);
    }
}
