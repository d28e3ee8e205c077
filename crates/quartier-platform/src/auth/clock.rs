//! Wall-clock time as the resident API sees it: Unix seconds, with an offset that tests move
//! forward to expire sessions or rate-limit windows without sleeping.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

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

/// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC) of Unix seconds. Hand-written rather than a date
/// crate: the API only ever prints UTC instants and dates.
pub fn rfc3339(seconds: i64) -> String {
    let (date, rem) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso_date_of_day(date),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `YYYY-MM-DD` of the UTC day containing these Unix seconds.
pub fn iso_date(seconds: i64) -> String {
    iso_date_of_day(seconds.div_euclid(86_400))
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01), by Howard Hinnant's `civil_from_days`.
pub fn iso_date_of_day(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
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
    }

    #[test]
    fn advance_moves_now() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() >= before + 3600);
    }
}
