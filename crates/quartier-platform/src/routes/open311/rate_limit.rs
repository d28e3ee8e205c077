//! How many reports one client may send: a sliding window per client key (the signed-in
//! resident, else the peer IP address).
//!
//! In memory on purpose: the platform is one process, and a restart forgetting the counts costs
//! a spammer a restart.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// Reports allowed per client and window by default.
pub const DEFAULT_MAX: u64 = 10;
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);
/// Above this many tracked clients, idle ones are swept so memory stays bounded.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    /// Changeable at run time (tests, an admin setting) without rebuilding the state.
    max: AtomicU64,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(DEFAULT_MAX, DEFAULT_WINDOW)
    }
}

impl RateLimiter {
    pub fn new(max: u64, window: Duration) -> Self {
        Self {
            max: AtomicU64::new(max),
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    pub fn set_max(&self, max: u64) {
        self.max.store(max, Ordering::Relaxed);
    }

    /// Counts one attempt for `client`, or says how long to wait if its window is full (the
    /// refused attempt is not counted, so waiting that long is enough).
    pub fn check(&self, client: &str, now: Instant) -> Result<(), Duration> {
        let max = self.max.load(Ordering::Relaxed);
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        if hits.len() > SWEEP_ABOVE {
            hits.retain(|_, times| {
                prune(times, now, self.window);
                !times.is_empty()
            });
        }
        let times = hits.entry(client.to_owned()).or_default();
        prune(times, now, self.window);
        if u64::try_from(times.len()).unwrap_or(u64::MAX) >= max {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|oldest| now.duration_since(*oldest) >= window)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_client_within_the_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limiter.check("a", start).is_ok());
        assert!(limiter.check("a", start).is_ok());
        let wait = limiter
            .check("a", start + Duration::from_secs(10))
            .expect_err("third");
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            limiter.check("b", start).is_ok(),
            "other clients unaffected"
        );
        assert!(limiter.check("a", start + Duration::from_secs(60)).is_ok());
    }
}
