//! Sign-in attempt limits: attempts are counted per client ([`ClientKey`]: an IPv4 address, an
//! IPv6 /64) and per email over a sliding window, so guessing a password is slow while a
//! resident who types it right is never slowed down (a success gives its attempt back and
//! clears the email's count).
//!
//! Not `governor`, unlike the other per-client limits ([`crate::rate`]): its GCRA buckets cannot
//! give an attempt back, and a kiosk where residents sign in one after the other must not run
//! out of attempts for being used.
//!
//! An attempt is counted *before* its password is checked ([`RateLimiter::reserve`]), in the
//! same lock as the limit test: a burst of parallel guesses cannot all pass the test before the
//! first failure is recorded, so no more than the limit are ever checked.
//!
//! In memory on purpose: a restart forgetting the counts costs an attacker a restart, and the
//! platform runs as one process.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, PoisonError},
};

use crate::client::ClientKey;

/// Length of the counting window, in seconds.
pub const WINDOW_SECONDS: i64 = 60;
/// Attempts allowed per email within the window (a success clears them).
pub const PER_EMAIL: usize = 5;
/// Attempts allowed per client IP within the window (a shared kiosk or NAT has several
/// residents, hence more than per email; successes are given back).
pub const PER_IP: usize = 20;
/// Above this many tracked keys, stale ones are swept so memory stays bounded.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
pub struct RateLimiter {
    attempts: Mutex<HashMap<String, VecDeque<i64>>>,
}

/// An attempt counted by [`RateLimiter::reserve`]: a failure leaves it counted, a success
/// gives it back with [`RateLimiter::succeeded`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a reserved attempt is given back on success"]
pub struct Attempt {
    ip: String,
    email: String,
    at: i64,
}

impl RateLimiter {
    /// Counts one attempt for the client and the email, or, when either has used up its
    /// attempts, counts nothing and gives `Err(seconds to wait)`.
    pub fn reserve(&self, client: &ClientKey, email: &str, now: i64) -> Result<Attempt, u64> {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        if attempts.len() > SWEEP_ABOVE {
            attempts.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        let (ip, email) = (ip_key(client), email_key(email));
        let mut wait = 0;
        for (key, limit) in [(&ip, PER_IP), (&email, PER_EMAIL)] {
            if let Some(times) = attempts.get_mut(key) {
                prune(times, now);
                if times.len() >= limit {
                    let oldest = times.front().copied().unwrap_or(now);
                    wait = wait.max(oldest + WINDOW_SECONDS - now);
                }
            }
        }
        if let Ok(seconds @ 1..) = u64::try_from(wait) {
            return Err(seconds);
        }
        for key in [&ip, &email] {
            attempts.entry(key.clone()).or_default().push_back(now);
        }
        Ok(Attempt { ip, email, at: now })
    }

    /// The attempt was not a guess (the password was right, or it could not be checked): its
    /// IP's count is given back, and a success also clears the email's failures.
    pub fn give_back(&self, attempt: Attempt, clear_email: bool) {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(times) = attempts.get_mut(&attempt.ip)
            && let Some(position) = times.iter().rposition(|at| *at == attempt.at)
        {
            times.remove(position);
        }
        if clear_email {
            attempts.remove(&attempt.email);
        } else if let Some(times) = attempts.get_mut(&attempt.email)
            && let Some(position) = times.iter().rposition(|at| *at == attempt.at)
        {
            times.remove(position);
        }
    }

    /// The password was right.
    pub fn succeeded(&self, attempt: Attempt) {
        self.give_back(attempt, true);
    }
}

fn prune(times: &mut VecDeque<i64>, now: i64) {
    while times.front().is_some_and(|t| *t + WINDOW_SECONDS <= now) {
        times.pop_front();
    }
}

fn ip_key(client: &ClientKey) -> String {
    format!("ip:{client}")
}

fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> ClientKey {
        ClientKey::from(text.parse::<std::net::IpAddr>().expect("address"))
    }

    #[test]
    fn email_limit_then_window_expiry() {
        let limiter = RateLimiter::default();
        for i in 0..PER_EMAIL {
            assert!(
                limiter.reserve(&ip("1.2.3.4"), "A@x.org", 100).is_ok(),
                "{i}"
            );
        }
        assert_eq!(limiter.reserve(&ip("5.6.7.8"), "a@x.org", 110), Err(50));
        assert!(limiter.reserve(&ip("1.2.3.4"), "b@x.org", 110).is_ok());
        assert!(limiter.reserve(&ip("1.2.3.4"), "a@x.org", 160).is_ok());
    }

    #[test]
    fn attempts_count_before_their_outcome_is_known() {
        let limiter = RateLimiter::default();
        let pending: Vec<Attempt> = (0..PER_EMAIL)
            .map(|_| limiter.reserve(&ip("1.1.1.1"), "c@x.org", 0).expect("free"))
            .collect();
        assert!(
            limiter.reserve(&ip("2.2.2.2"), "c@x.org", 0).is_err(),
            "all in flight"
        );
        let mut pending = pending.into_iter();
        limiter.give_back(pending.next().expect("one"), false);
        let again = limiter
            .reserve(&ip("2.2.2.2"), "c@x.org", 0)
            .expect("a slot was given back");
        limiter.succeeded(again);
        assert!(
            limiter.reserve(&ip("2.2.2.2"), "c@x.org", 1).is_ok(),
            "success clears"
        );
    }

    #[test]
    fn ip_limit_and_successes_are_given_back() {
        let limiter = RateLimiter::default();
        for i in 0..PER_IP {
            let attempt = limiter.reserve(&ip("8.8.8.8"), &format!("ok{i}@x.org"), 0);
            limiter.succeeded(attempt.expect("free"));
        }
        assert!(
            limiter.reserve(&ip("8.8.8.8"), "new@x.org", 1).is_ok(),
            "a kiosk"
        );
        for i in 0..PER_IP {
            let _ = limiter.reserve(&ip("9.9.9.9"), &format!("u{i}@x.org"), 0);
        }
        assert!(limiter.reserve(&ip("9.9.9.9"), "new@x.org", 1).is_err());
    }
}
