//! Resident sessions (backend-for-frontend): an `HttpOnly` cookie holds a random session id,
//! SQLite holds its SHA-256 with the resident, a CSRF token and the times that expire it.
//!
//! Handlers of the resident API take [`Session`] (401 without a valid session) or, when they
//! change state, [`CsrfSession`] (also 403 `csrf_mismatch` unless `X-CSRF-Token` equals the
//! session's token). A state-changing call of another area that a session may make (an Open311
//! report) asks [`resident_for_write`], which refuses a valid session without its token.

pub mod clock;
pub mod password;
pub mod rate_limit;

use std::time::Duration;

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, HeaderValue, header, request::Parts},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use quartier_api::resident::codes;

use crate::{error::AppError, state::AppState};
pub use clock::Clock;
pub use password::PasswordChecks;
pub use rate_limit::RateLimiter;

/// Cookie name over plain HTTP (the demo on loopback).
pub const COOKIE_NAME: &str = "quartier_session";
/// Cookie name behind TLS: the `__Host-` prefix makes the browser refuse it unless it is
/// `Secure`, `Path=/` and has no `Domain`, so a sibling subdomain cannot plant or shadow it.
pub const SECURE_COOKIE_NAME: &str = "__Host-quartier_session";
/// Header that state-changing calls must carry, equal to the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long is over (sliding: each use restarts it).
    pub idle: Duration,
    /// A session is over this long after sign-in, however active.
    pub absolute: Duration,
    /// Always send `Secure` + `__Host-` cookies (also done per request on `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
            secure_cookies: false,
        }
    }
}

/// Last-seen times are written at most this often, so reading pages does not fsync each time.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Everything the resident API keeps outside the database.
#[derive(Debug, Default)]
pub struct AuthState {
    pub clock: Clock,
    pub policy: SessionPolicy,
    pub limiter: RateLimiter,
    /// The Argon2 checks of sign-in, bounded in number at once, and counted.
    pub passwords: PasswordChecks,
}

impl AuthState {
    pub fn new(policy: SessionPolicy, passwords: PasswordChecks) -> Self {
        Self {
            policy,
            passwords,
            ..Self::default()
        }
    }
}

/// A resident's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResidentId(pub i64);

/// A valid, signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub resident_id: ResidentId,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen: i64,
    id_hash: String,
}

impl Session {
    /// When the absolute timeout ends this session (Unix seconds).
    pub fn expires_at(&self, policy: &SessionPolicy) -> i64 {
        self.created_at + seconds(policy.absolute)
    }
}

/// What the cookie of a request amounts to.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// No cookie, or one that names no session.
    Missing,
    /// The cookie named a session that has timed out (now deleted).
    Expired,
    Valid(Session),
}

/// Finds the request's session, deletes it if it has timed out, and slides its idle timeout.
pub async fn lookup(state: &AppState, headers: &HeaderMap) -> Result<Lookup, AppError> {
    let Some(token) = session_token(headers, is_secure(state, headers)) else {
        return Ok(Lookup::Missing);
    };
    let id_hash = hash_token(&token);
    let now = state.auth.clock.now();
    let policy = state.auth.policy;
    state
        .db
        .call(move |conn| {
            let row = conn
                .query_row(
                    "SELECT resident_id, csrf_token, created_at, last_seen FROM sessions \
                     WHERE id_hash = ?1",
                    [&id_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((resident, csrf_token, created_at, last_seen)) = row else {
                return Ok(Lookup::Missing);
            };
            let (created_at, last_seen): (i64, i64) = (created_at, last_seen);
            if now >= created_at + seconds(policy.absolute)
                || now >= last_seen + seconds(policy.idle)
            {
                conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [&id_hash])?;
                return Ok(Lookup::Expired);
            }
            let last_seen = if now - last_seen >= TOUCH_EVERY_SECONDS {
                conn.execute(
                    "UPDATE sessions SET last_seen = ?1 WHERE id_hash = ?2",
                    params![now, id_hash],
                )?;
                now
            } else {
                last_seen
            };
            Ok(Lookup::Valid(Session {
                resident_id: ResidentId(resident),
                csrf_token,
                created_at,
                last_seen,
                id_hash,
            }))
        })
        .await
}

/// Starts a session for `resident` and returns the cookie value with it. Sweeps timed-out
/// sessions while it is writing anyway.
pub async fn create(state: &AppState, resident: ResidentId) -> Result<(String, Session), AppError> {
    let token = random_token();
    let session = Session {
        resident_id: resident,
        csrf_token: random_token(),
        created_at: state.auth.clock.now(),
        last_seen: state.auth.clock.now(),
        id_hash: hash_token(&token),
    };
    let policy = state.auth.policy;
    let row = session.clone();
    state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM sessions WHERE created_at <= ?1 OR last_seen <= ?2",
                params![
                    row.created_at - seconds(policy.absolute),
                    row.created_at - seconds(policy.idle)
                ],
            )?;
            tx.execute(
                "INSERT INTO sessions (id_hash, resident_id, csrf_token, created_at, last_seen) \
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                params![
                    row.id_hash,
                    row.resident_id.0,
                    row.csrf_token,
                    row.created_at
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok((token, session))
}

/// Ends a session (sign-out).
pub async fn destroy(state: &AppState, session: &Session) -> Result<(), AppError> {
    let id_hash = session.id_hash.clone();
    state
        .db
        .call(move |conn| {
            conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
            Ok(())
        })
        .await
}

/// Whether this request reached us over TLS (through a proxy that says so), or the platform
/// is configured to always use secure cookies.
pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.auth.policy.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| {
                proto
                    .split(',')
                    .next()
                    .is_some_and(|first| first.trim().eq_ignore_ascii_case("https"))
            })
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// `Set-Cookie` for a new session: a browser-session cookie (no `Max-Age`), so closing the
/// browser of a shared kiosk also drops it; the server-side timeouts apply regardless.
pub fn session_cookie(token: &str, secure: bool) -> Result<HeaderValue, AppError> {
    cookie(&format!("{}={token}", cookie_name(secure)), secure)
}

/// `Set-Cookie` that makes the browser forget the session cookie.
pub fn clearing_cookie(secure: bool) -> Result<HeaderValue, AppError> {
    cookie(&format!("{}=; Max-Age=0", cookie_name(secure)), secure)
}

fn cookie(start: &str, secure: bool) -> Result<HeaderValue, AppError> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{start}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .map_err(|error| AppError::Internal(anyhow::Error::new(error).context("cookie header")))
}

/// The session cookie's value. Behind TLS only the `__Host-` cookie counts: a plain one could
/// have been planted by a sibling subdomain.
fn session_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    let wanted = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| value.len() == 43 && URL_SAFE_NO_PAD.decode(value).is_ok())
}

/// 256 random bits, base64url without padding (43 characters).
fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Only the hash is stored, so a copy of the database does not hold usable session ids.
fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 2)
}

/// Compares two secrets in constant time: both are hashed first, so neither a common prefix
/// nor the lengths show in the time taken.
pub fn secret_eq(sent: &[u8], expected: &[u8]) -> bool {
    let (sent, expected) = (Sha256::digest(sent), Sha256::digest(expected));
    bool::from(sent.as_slice().ct_eq(expected.as_slice()))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match lookup(state, &parts.headers).await? {
            Lookup::Valid(session) => Ok(session),
            Lookup::Expired => Err(AppError::Unauthenticated {
                code: codes::SESSION_EXPIRED,
            }),
            Lookup::Missing => Err(AppError::Unauthenticated {
                code: codes::UNAUTHORIZED,
            }),
        }
    }
}

/// A session whose request carried the right `X-CSRF-Token`: what every state-changing
/// handler takes. The synchronizer token lives with the session, so a cross-site page, which
/// can make the browser send the cookie but cannot read the token, cannot forge the header.
#[derive(Debug, Clone)]
pub struct CsrfSession(pub Session);

impl FromRequestParts<AppState> for CsrfSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state).await?;
        if csrf_matches(&session, &parts.headers) {
            Ok(Self(session))
        } else {
            Err(AppError::Forbidden {
                code: codes::CSRF_MISMATCH,
            })
        }
    }
}

/// Whether the request carries this session's CSRF token in [`CSRF_HEADER`].
pub fn csrf_matches(session: &Session, headers: &HeaderMap) -> bool {
    let sent = headers
        .get(CSRF_HEADER)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    secret_eq(sent, session.csrf_token.as_bytes())
}

/// Why a state-changing call that may be made signed in or not (an Open311 report) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRefusal {
    /// The cookie names a valid session but the request lacks its CSRF token.
    CsrfMismatch,
}

/// The resident a state-changing call acts for: `Ok(None)` without a valid session (no cookie,
/// or one that names no live session: it grants nothing, so there is nothing to forge), the
/// session's resident when the request carries the session's CSRF token, else a refusal. A
/// cross-site page can make the browser send the cookie, but cannot read the token.
pub async fn resident_for_write(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Result<Option<ResidentId>, WriteRefusal>, AppError> {
    Ok(match lookup(state, headers).await? {
        Lookup::Valid(session) if csrf_matches(&session, headers) => Ok(Some(session.resident_id)),
        Lookup::Valid(_) => Err(WriteRefusal::CsrfMismatch),
        Lookup::Missing | Lookup::Expired => Ok(None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_hashed() {
        let token = random_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).expect("b64").len(), 32);
        assert_ne!(token, random_token());
        assert_eq!(hash_token(&token).len(), 64);
    }

    #[test]
    fn cookie_is_read_by_its_exact_name() {
        let token = random_token();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; quartier_session={token}; y=2")).expect("header"),
        );
        assert_eq!(session_token(&headers, false), Some(token.clone()));
        assert_eq!(session_token(&headers, true), None);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("quartier_session=short"),
        );
        assert_eq!(session_token(&headers, false), None);
    }

    #[test]
    fn secret_eq_compares() {
        assert!(secret_eq(b"abc", b"abc"));
        assert!(!secret_eq(b"abc", b"abd"));
        assert!(!secret_eq(b"abc", b"ab"));
        assert!(!secret_eq(b"", b"a"));
    }
}
