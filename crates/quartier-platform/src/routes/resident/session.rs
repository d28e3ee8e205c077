//! `/v1/session`: sign in (`POST`), who is signed in (`GET`), sign out (`DELETE`).
//!
//! `GET` always answers 200 so the app can call it at start without an error path:
//! `{"authenticated": false}` when nobody is signed in (plus `"reason": "session_expired"` and
//! a clearing cookie when the cookie named a timed-out session), otherwise the session info
//! with the CSRF token the app must send back in `X-CSRF-Token`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use quartier_api::{
    Timestamp,
    resident::{self as api, codes},
};
use rusqlite::OptionalExtension;

use super::ApiJson;
use crate::{
    auth::{self, CsrfSession, Lookup, ResidentId, Session},
    client::ClientKey,
    error::AppError,
    state::AppState,
};

/// Longest email (RFC 5321 path limit) and password accepted; longer is a malformed request,
/// and bounding the password bounds the hashing work a request can cause.
const MAX_EMAIL: usize = 254;
const MAX_PASSWORD: usize = 1024;

#[utoipa::path(post, path = "/v1/session", operation_id = "signIn", tag = "session",
    description = "Signs in and sets the session cookie; attempts are limited per client and email (429 + Retry-After).",
    request_body = api::SignInRequest,
    responses((status = 200, body = api::SessionInfo)))]
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientKey,
    headers: HeaderMap,
    ApiJson(credentials): ApiJson<api::SignInRequest>,
) -> Result<Response, AppError> {
    check_origin(&headers)?;
    let api::SignInRequest { email, password } = credentials;
    let email = email.trim().to_owned();
    if email.len() > MAX_EMAIL || password.len() > MAX_PASSWORD {
        return Err(AppError::bad_request(
            codes::INVALID_BODY,
            "email or password too long",
        ));
    }
    // Counted now, before the check, so a burst cannot run more checks than the limit.
    let attempt = state
        .auth
        .limiter
        .reserve(&client, &email, state.auth.clock.now())
        .map_err(|retry_after| AppError::TooManyRequests {
            code: codes::TOO_MANY_ATTEMPTS,
            retry_after,
        })?;

    let lookup_email = email.clone();
    let account: Option<(i64, String)> = state
        .db
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, password_hash FROM residents WHERE email = ?1",
                    [lookup_email],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })
        .await?;
    let stored = account.as_ref().map(|(_, hash)| hash.clone());
    let matches = match state.auth.passwords.verify(password, stored).await {
        Ok(matches) => matches,
        Err(error) => {
            // Not checked (every slot busy): not a guess either.
            state.auth.limiter.give_back(attempt, false);
            return Err(error);
        }
    };
    let resident = match (matches, account) {
        (true, Some((id, _))) => ResidentId(id),
        // The attempt stays counted.
        _ => {
            return Err(AppError::Unauthenticated {
                code: codes::INVALID_CREDENTIALS,
            });
        }
    };
    state.auth.limiter.succeeded(attempt);

    // A new id at every sign-in (and the old one gone), so a planted cookie never becomes a
    // signed-in session.
    if let Lookup::Valid(old) = auth::lookup(&state, &headers).await? {
        auth::destroy(&state, &old).await?;
    }
    let (token, session) = auth::create(&state, resident).await?;
    let secure = auth::is_secure(&state, &headers);
    let body = session_info(&state, &session).await?;
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, auth::session_cookie(&token, secure)?);
    Ok(response)
}

#[utoipa::path(get, path = "/v1/session", operation_id = "getSession", tag = "session",
    description = "Who is signed in, with the CSRF token; always 200 (`authenticated: false` when nobody is).",
    responses((status = 200, body = api::SessionInfo)))]
pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    match auth::lookup(&state, &headers).await? {
        Lookup::Valid(session) => Ok(Json(session_info(&state, &session).await?).into_response()),
        Lookup::Missing => Ok(Json(api::SessionInfo::default()).into_response()),
        Lookup::Expired => {
            let secure = auth::is_secure(&state, &headers);
            let mut response = Json(api::SessionInfo {
                reason: Some(api::SessionEndReason::SessionExpired),
                ..api::SessionInfo::default()
            })
            .into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, auth::clearing_cookie(secure)?);
            Ok(response)
        }
    }
}

#[utoipa::path(delete, path = "/v1/session", operation_id = "signOut", tag = "session",
    security(("sessionCookie" = [], "csrfHeader" = [])),
    responses((status = 204, description = "Signed out; the cookie is cleared.")))]
pub async fn sign_out(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    auth::destroy(&state, &session).await?;
    let secure = auth::is_secure(&state, &headers);
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, auth::clearing_cookie(secure)?);
    Ok(response)
}

async fn session_info(state: &AppState, session: &Session) -> Result<api::SessionInfo, AppError> {
    let resident = session.resident_id.0;
    let (email, given, family, language): (String, String, String, String) = state
        .db
        .call(move |conn| {
            Ok(conn.query_row(
                "SELECT email, given_name, family_name, preferred_language FROM residents \
                 WHERE id = ?1",
                [resident],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .await?;
    let policy = state.auth.policy;
    Ok(api::SessionInfo {
        authenticated: true,
        reason: None,
        resident: Some(api::SessionResident {
            id: resident.to_string(),
            email,
            name: format!("{given} {family}"),
            preferred_language: Some(language),
        }),
        csrf_token: Some(session.csrf_token.clone()),
        csrf_header: Some(api::CSRF_HEADER.to_owned()),
        expires_at: Some(Timestamp::from_unix_millis(
            session.expires_at(&policy).saturating_mul(1000),
        )),
        idle_timeout_seconds: Some(policy.idle.as_secs()),
    })
}

/// A sign-in posted by another site's page is refused: browsers send `Origin` on cross-origin
/// POSTs, and it must name this host. (Without `Origin`, the JSON content type already forces
/// a CORS preflight that this server never grants.)
fn check_origin(headers: &HeaderMap) -> Result<(), AppError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    match (origin_host, host) {
        (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host.trim()) => Ok(()),
        _ => Err(AppError::Forbidden {
            code: codes::ORIGIN_MISMATCH,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn origin_must_name_this_host() {
        assert!(check_origin(&headers(None, "127.0.0.1:8080")).is_ok());
        assert!(check_origin(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")).is_ok());
        assert!(check_origin(&headers(Some("https://evil.example"), "127.0.0.1:8080")).is_err());
        assert!(check_origin(&headers(Some("null"), "127.0.0.1:8080")).is_err());
    }
}
