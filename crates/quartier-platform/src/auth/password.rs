//! Password hashing with Argon2id (the `argon2` crate's default parameters: 19 MiB, 2 passes).
//!
//! Verifying costs the same whether or not the email exists: an unknown email is checked against
//! a dummy hash, so response time does not reveal who has an account. The dummy hash and the
//! demo residents' hash are computed once per process ([`OnceLock`]): hashing is deliberately
//! slow, and seeding a fresh demo database in every test must not pay it again.

use std::{
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::AppError;

/// The demo residents' password (DESIGN.md).
pub const DEMO_PASSWORD: &str = "quartier-demo";

/// A PHC string (`$argon2id$v=19$…`) of `password` with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    // `rand`'s thread RNG (a CSPRNG seeded from the OS) rather than `rand_core::OsRng`, whose
    // `getrandom` feature argon2 does not enable.
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|error| anyhow::anyhow!("cannot encode a salt: {error}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("cannot hash a password: {error}"))
}

/// Whether `password` matches `stored`. `None` (unknown account) or an unreadable hash still
/// runs one full verification against the dummy hash, then answers `false`.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let parsed = stored.and_then(|phc| PasswordHash::new(phc).ok());
    match parsed {
        Some(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        None => {
            if let Some(dummy) = dummy_hash().and_then(|phc| PasswordHash::new(phc).ok()) {
                let _ = Argon2::default().verify_password(password.as_bytes(), &dummy);
            }
            false
        }
    }
}

/// Every slot was taken for longer than the request may wait: 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// What a client is told to wait after [`Busy`]: a check lasts well under a second.
pub const BUSY_RETRY_AFTER_SECONDS: u64 = 1;

impl From<Busy> for AppError {
    fn from(_: Busy) -> Self {
        AppError::Overloaded {
            retry_after: BUSY_RETRY_AFTER_SECONDS,
        }
    }
}

/// Argon2 checks of the sign-in route, at most `max_at_once` of them running at once: each takes
/// 19 MiB and a core, so a burst queues (for at most `wait`, then [`Busy`]) instead of
/// exhausting memory and starving every other request of CPU. Counts the checks it ran.
#[derive(Debug)]
pub struct PasswordChecks {
    slots: Semaphore,
    wait: Duration,
    ran: AtomicU64,
}

impl PasswordChecks {
    pub fn new(max_at_once: usize, wait: Duration) -> Self {
        Self {
            slots: Semaphore::new(max_at_once.max(1)),
            wait,
            ran: AtomicU64::new(0),
        }
    }

    /// [`verify`] in the blocking pool once a slot is free.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let _slot = wait_for_slot(&self.slots, self.wait).await?;
        self.ran.fetch_add(1, Ordering::Relaxed);
        Ok(tokio::task::spawn_blocking(move || verify(&password, stored.as_deref())).await?)
    }

    /// How many checks ran since start.
    pub fn ran(&self) -> u64 {
        self.ran.load(Ordering::Relaxed)
    }

    /// Takes a slot without checking anything (tests fill the slots with it), if one is free.
    pub fn try_hold(&self) -> Option<SemaphorePermit<'_>> {
        self.slots.try_acquire().ok()
    }
}

impl Default for PasswordChecks {
    fn default() -> Self {
        Self::new(default_slots(), DEFAULT_BUSY_WAIT)
    }
}

/// How long a request waits for a slot of a bounded resource before it is answered 503.
pub const DEFAULT_BUSY_WAIT: Duration = Duration::from_secs(2);

/// Slots of a CPU-bound resource: one per core, within 2 to 8.
pub fn default_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |cores| cores.get().clamp(2, 8))
}

/// A slot of `slots`, waiting at most `wait` for one.
pub async fn wait_for_slot(slots: &Semaphore, wait: Duration) -> Result<SemaphorePermit<'_>, Busy> {
    if let Ok(slot) = slots.try_acquire() {
        return Ok(slot);
    }
    match tokio::time::timeout(wait, slots.acquire()).await {
        Ok(Ok(slot)) => Ok(slot),
        // Elapsed, or closed (never: the semaphore is not closed).
        _ => Err(Busy),
    }
}

/// The hash of [`DEMO_PASSWORD`], computed on first use.
pub fn demo_hash() -> anyhow::Result<String> {
    static DEMO: OnceLock<Option<String>> = OnceLock::new();
    DEMO.get_or_init(|| hash(DEMO_PASSWORD).ok())
        .clone()
        .ok_or_else(|| anyhow::anyhow!("cannot hash the demo password"))
}

fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash("not a real password: timing equaliser").ok())
        .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_reject() {
        let stored = demo_hash().expect("hash");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify(DEMO_PASSWORD, Some(&stored)));
        assert!(!verify("quartier-dem0", Some(&stored)));
        assert!(!verify(DEMO_PASSWORD, None));
        assert!(!verify(DEMO_PASSWORD, Some("not a phc string")));
    }
}
