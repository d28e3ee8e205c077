//! Per-client request rates: `governor`'s keyed GCRA limiter (a token bucket per key, refilled
//! continuously), with the configured [`Rate`] and a bound on the keys it remembers.
//!
//! In memory on purpose: the platform is one process, and a restart forgetting the counts costs
//! an abuser a restart.

use std::{
    fmt,
    hash::Hash,
    num::NonZeroU32,
    str::FromStr,
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock as _};

/// Every this many checks, keys whose bucket is full again are forgotten, so memory follows the
/// clients of the last moments, not every client ever seen.
const SWEEP_EVERY: u64 = 4096;

/// `n` as a `NonZeroU32`, 1 for 0: for rates written as constants.
pub const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// The period of a [`Rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Second,
    Minute,
    Hour,
}

impl Per {
    pub const fn duration(self) -> Duration {
        Duration::from_secs(match self {
            Self::Second => 1,
            Self::Minute => 60,
            Self::Hour => 3600,
        })
    }

    const fn unit(self) -> &'static str {
        match self {
            Self::Second => "s",
            Self::Minute => "min",
            Self::Hour => "h",
        }
    }
}

/// So many requests per period on average, and up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub requests: NonZeroU32,
    pub per: Per,
    pub burst: NonZeroU32,
}

impl Rate {
    /// `requests` per `per`, all of them allowed at once.
    pub const fn new(requests: NonZeroU32, per: Per) -> Self {
        Self {
            requests,
            per,
            burst: requests,
        }
    }

    pub const fn with_burst(self, burst: NonZeroU32) -> Self {
        Self { burst, ..self }
    }

    fn quota(self) -> Quota {
        let interval = self.per.duration() / self.requests.get();
        // A zero interval (a rate above one per nanosecond) is as good as no limit.
        Quota::with_period(interval.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(self.burst)
    }
}

/// `N/s`, `N/min` or `N/h` (`--anonymous-rate`); the burst is then `N`.
impl FromStr for Rate {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a rate such as 100/s or 10/min");
        let (count, unit) = text.trim().split_once('/').ok_or_else(bad)?;
        let requests: NonZeroU32 = count.trim().parse().map_err(|_| bad())?;
        let per = [Per::Second, Per::Minute, Per::Hour]
            .into_iter()
            .find(|per| per.unit() == unit.trim())
            .ok_or_else(bad)?;
        Ok(Self::new(requests, per))
    }
}

/// As [`FromStr`] reads it; the burst is not part of it.
impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.requests, self.per.unit())
    }
}

/// A [`Rate`] for each key.
pub struct KeyedRate<K: Hash + Eq + Clone> {
    /// Behind a lock only so that [`KeyedRate::set`] can change the rate while serving.
    limiter: RwLock<Arc<DefaultKeyedRateLimiter<K>>>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> fmt::Debug for KeyedRate<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedRate").finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone> KeyedRate<K> {
    pub fn new(rate: Rate) -> Self {
        Self {
            limiter: RwLock::new(Arc::new(DefaultKeyedRateLimiter::keyed(rate.quota()))),
            checks: AtomicU64::new(0),
        }
    }

    /// Replaces the rate (an admin setting, a test); every key starts afresh.
    pub fn set(&self, rate: Rate) {
        let fresh = Arc::new(DefaultKeyedRateLimiter::keyed(rate.quota()));
        *self.limiter.write().unwrap_or_else(PoisonError::into_inner) = fresh;
    }

    /// Counts one request of `key`, or says how long it must wait (a refused request is not
    /// counted, so waiting that long is enough).
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let limiter = Arc::clone(&self.limiter.read().unwrap_or_else(PoisonError::into_inner));
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }
}

/// Seconds for `Retry-After`: rounded up, and at least one (a zero would invite a retry loop).
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(value: u32) -> NonZeroU32 {
        NonZeroU32::new(value).expect("non-zero")
    }

    #[test]
    fn a_burst_passes_then_the_key_waits_and_others_do_not() {
        let rate = KeyedRate::new(Rate::new(n(6), Per::Minute).with_burst(n(3)));
        for i in 0..3 {
            assert_eq!(rate.check(&"a"), Ok(()), "{i}");
        }
        let wait = rate.check(&"a").expect_err("over the burst");
        assert!(
            wait > Duration::from_secs(8) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        assert_eq!(retry_after_seconds(wait), 10);
        assert_eq!(rate.check(&"b"), Ok(()));
        rate.set(Rate::new(n(5), Per::Second));
        assert_eq!(rate.check(&"a"), Ok(()), "a new rate starts afresh");
    }

    #[test]
    fn rates_parse_from_the_command_line() {
        assert_eq!("100/s".parse(), Ok(Rate::new(n(100), Per::Second)));
        assert_eq!(" 10 / min ".parse(), Ok(Rate::new(n(10), Per::Minute)));
        let hourly = Rate::new(n(7), Per::Hour);
        assert_eq!(hourly.to_string().parse(), Ok(hourly));
        for bad in ["0/s", "10", "ten/s", "10/day", "-1/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn retry_after_rounds_up_to_a_whole_second() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1200)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(6)), 6);
    }
}
