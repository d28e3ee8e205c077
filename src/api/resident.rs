//! The resident API (backend-for-frontend): the browser holds no token, only the platform's
//! `HttpOnly` session cookie; state-changing calls carry the CSRF token the session gives.

use gloo_net::http::Request;
use quartier_api::resident::{ReportsPage, SessionInfo, SignInRequest};

use super::{ApiError, Service};

/// Why a sign-in failed, as the resident needs to know it.
#[derive(Clone, Debug, PartialEq)]
pub enum SignInError {
    WrongCredentials,
    TooManyAttempts,
    Other(ApiError),
}

impl SignInError {
    pub fn message_key(&self) -> &'static str {
        match self {
            SignInError::WrongCredentials => "sign-in-wrong",
            SignInError::TooManyAttempts => "sign-in-too-many",
            SignInError::Other(error) => error.message_key(),
        }
    }
}

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

pub async fn fetch_session(base: &str) -> Result<SessionInfo, ApiError> {
    let response = Request::get(&url(base, "/session"))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Resident, e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::status(Service::Resident, response.status()));
    }
    response
        .json()
        .await
        .map_err(|e| ApiError::decode(Service::Resident, e.to_string()))
}

pub async fn sign_in(base: &str, request: &SignInRequest) -> Result<SessionInfo, SignInError> {
    let response = Request::post(&url(base, "/session"))
        .header("Accept", "application/json")
        .json(request)
        .map_err(|e| SignInError::Other(ApiError::decode(Service::Resident, e.to_string())))?
        .send()
        .await
        .map_err(|e| SignInError::Other(ApiError::network(Service::Resident, e.to_string())))?;
    match response.status() {
        200 => response
            .json()
            .await
            .map_err(|e| SignInError::Other(ApiError::decode(Service::Resident, e.to_string()))),
        401 => Err(SignInError::WrongCredentials),
        429 => Err(SignInError::TooManyAttempts),
        status => Err(SignInError::Other(ApiError::status(
            Service::Resident,
            status,
        ))),
    }
}

pub async fn sign_out(base: &str, csrf_token: &str) -> Result<(), ApiError> {
    let response = Request::delete(&url(base, "/session"))
        .header("X-CSRF-Token", csrf_token)
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Resident, e.to_string()))?;
    // 401: the session had already ended, which is what the resident asked for.
    if response.ok() || response.status() == 401 {
        Ok(())
    } else {
        Err(ApiError::status(Service::Resident, response.status()))
    }
}

/// The signed-in resident's reports, newest first (`401` once the session ended).
pub async fn fetch_my_reports(base: &str) -> Result<ReportsPage, ApiError> {
    let response = Request::get(&url(base, "/me/reports?limit=200"))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Resident, e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::status(Service::Resident, response.status()));
    }
    response
        .json()
        .await
        .map_err(|e| ApiError::decode(Service::Resident, e.to_string()))
}
