//! Password hashing with Argon2id (the `argon2` crate's default parameters: 19 MiB, 2 passes).
//!
//! Verifying costs the same whether or not the email exists: an unknown email is checked against
//! a dummy hash, so response time does not reveal who has an account. The dummy hash and the
//! demo residents' hash are computed once per process ([`OnceLock`]): hashing is deliberately
//! slow, and seeding a fresh demo database in every test must not pay it again.

use std::sync::OnceLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};

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
