//! Sign-in attempt limits: failed attempts are counted per client IP and per email over a
//! sliding window, so guessing a password is slow while a resident who types it right is never
//! slowed down (successes are not counted, and clear the email's count).
//!
//! In memory on purpose: a restart forgetting the counts costs an attacker a restart, and the
//! platform runs as one process.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, PoisonError},
};

/// Length of the counting window, in seconds.
pub const WINDOW_SECONDS: i64 = 60;
/// Failed attempts allowed per email within the window.
pub const PER_EMAIL: usize = 5;
/// Failed attempts allowed per client IP within the window (a shared kiosk or NAT has several
/// residents, hence more than per email).
pub const PER_IP: usize = 20;
/// Above this many tracked keys, stale ones are swept so memory stays bounded.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
pub struct RateLimiter {
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl RateLimiter {
    /// `Err(seconds to wait)` when the IP or the email has used up its failures.
    pub fn check(&self, ip: &str, email: &str, now: i64) -> Result<(), u64> {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = 0;
        for (key, limit) in [(ip_key(ip), PER_IP), (email_key(email), PER_EMAIL)] {
            if let Some(times) = failures.get_mut(&key) {
                prune(times, now);
                if times.len() >= limit {
                    let oldest = times.front().copied().unwrap_or(now);
                    wait = wait.max(oldest + WINDOW_SECONDS - now);
                }
            }
        }
        match u64::try_from(wait) {
            Ok(seconds) if seconds > 0 => Err(seconds),
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, ip: &str, email: &str, now: i64) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for key in [ip_key(ip), email_key(email)] {
            failures.entry(key).or_default().push_back(now);
        }
    }

    pub fn record_success(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(&email_key(email));
    }
}

fn prune(times: &mut VecDeque<i64>, now: i64) {
    while times.front().is_some_and(|t| *t + WINDOW_SECONDS <= now) {
        times.pop_front();
    }
}

fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_limit_then_window_expiry() {
        let limiter = RateLimiter::default();
        for i in 0..PER_EMAIL {
            assert_eq!(limiter.check("1.2.3.4", "a@x.org", 100), Ok(()), "{i}");
            limiter.record_failure("1.2.3.4", "A@x.org", 100);
        }
        assert_eq!(limiter.check("5.6.7.8", "a@x.org", 110), Err(50));
        assert_eq!(limiter.check("1.2.3.4", "b@x.org", 110), Ok(()));
        assert_eq!(limiter.check("1.2.3.4", "a@x.org", 160), Ok(()));
    }

    #[test]
    fn ip_limit_and_success_clears_email() {
        let limiter = RateLimiter::default();
        for i in 0..PER_IP {
            limiter.record_failure("9.9.9.9", &format!("u{i}@x.org"), 0);
        }
        assert!(limiter.check("9.9.9.9", "new@x.org", 1).is_err());
        limiter.record_failure("1.1.1.1", "c@x.org", 0);
        limiter.record_success("c@x.org");
        assert_eq!(limiter.check("2.2.2.2", "c@x.org", 1), Ok(()));
    }
}
