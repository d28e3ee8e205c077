//! The resident API (backend-for-frontend): the browser holds no token, only the platform's
//! `HttpOnly` session cookie; state-changing calls carry the CSRF token the session gives.

use gloo_net::http::Request;
use quartier_api::resident::{
    AccessLogPage, AccessLogQuery, ConsentChange, ConsentPurposes, ConsentReceipt, ConsentRecord,
    ErasureRequest, ErasureRequests, MyConsents, MyData, NewErasureRequest, ReportsPage,
    SessionInfo, SignInRequest,
};

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
    get_json(base, "/session").await
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
        .header(quartier_api::resident::CSRF_HEADER, csrf_token)
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

/// A JSON read of the resident API (`401` once the session ended).
async fn get_json<T: serde::de::DeserializeOwned>(base: &str, path: &str) -> Result<T, ApiError> {
    let response = Request::get(&url(base, path))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Resident, e.to_string()))?;
    read_json(response).await
}

/// The body of a successful answer, or the error its status says.
async fn read_json<T: serde::de::DeserializeOwned>(
    response: gloo_net::http::Response,
) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(ApiError::status(Service::Resident, response.status()));
    }
    response
        .json()
        .await
        .map_err(|e| ApiError::decode(Service::Resident, e.to_string()))
}

/// The signed-in resident's reports, newest first.
pub async fn fetch_my_reports(base: &str) -> Result<ReportsPage, ApiError> {
    get_json(base, "/me/reports?limit=200").await
}

/// The purposes the town asks consent for.
pub async fn fetch_purposes(base: &str) -> Result<ConsentPurposes, ApiError> {
    get_json(base, "/consent-purposes").await
}

/// The resident's consent state per purpose, and every record with its full history.
pub async fn fetch_my_consents(base: &str) -> Result<MyConsents, ApiError> {
    get_json(base, "/me/consents").await
}

/// Where a consent record's receipt (Kantara Consent Receipt v1.1 names) is downloaded.
pub fn receipt_url(base: &str, purpose_id: &str) -> String {
    url(base, &receipt_path(purpose_id))
}

fn receipt_path(purpose_id: &str) -> String {
    format!(
        "/me/consents/{}/receipt",
        js_sys::encode_uri_component(purpose_id)
    )
}

/// The receipt of the resident's latest answer for a purpose.
pub async fn fetch_receipt(base: &str, purpose_id: &str) -> Result<ConsentReceipt, ApiError> {
    get_json(base, &receipt_path(purpose_id)).await
}

/// Gives or withdraws one consent; the answer is the record with its new event.
pub async fn change_consent(
    base: &str,
    purpose_id: &str,
    change: &ConsentChange,
    csrf_token: &str,
) -> Result<ConsentRecord, ApiError> {
    let path = format!("/me/consents/{}", js_sys::encode_uri_component(purpose_id));
    let response = Request::put(&url(base, &path))
        .header("Accept", "application/json")
        .header(quartier_api::resident::CSRF_HEADER, csrf_token)
        .json(change)
        .map_err(|e| ApiError::decode(Service::Resident, e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Resident, e.to_string()))?;
    read_json(response).await
}

/// One page of the resident's data: every category, or only `category`; `limit` records each.
pub async fn fetch_my_data(
    base: &str,
    category: Option<&str>,
    offset: u64,
    limit: u32,
) -> Result<MyData, ApiError> {
    let only = category
        .map(|c| format!("&category={}", js_sys::encode_uri_component(c)))
        .unwrap_or_default();
    get_json(
        base,
        &format!("/me/data?offset={offset}&limit={limit}{only}"),
    )
    .await
}

/// Where the export (everything, one JSON file) is downloaded: a plain link, so the browser
/// saves it with the platform's file name and the session cookie.
pub fn export_url(base: &str) -> String {
    url(base, "/me/export")
}

/// The JSON Schema that the export follows, published by the platform.
pub fn export_schema_url(base: &str) -> String {
    url(base, "/schemas/export.json")
}

/// The resident's erasure requests, newest first.
pub async fn fetch_erasure_requests(base: &str) -> Result<ErasureRequests, ApiError> {
    get_json(base, "/me/erasure-requests").await
}

/// Asks the town to erase some or all categories; the answer is the recorded request.
pub async fn request_erasure(
    base: &str,
    request: &NewErasureRequest,
    csrf_token: &str,
) -> Result<ErasureRequest, ApiError> {
    let response = Request::post(&url(base, "/me/erasure-requests"))
        .header("Accept", "application/json")
        .header(quartier_api::resident::CSRF_HEADER, csrf_token)
        .json(request)
        .map_err(|e| ApiError::decode(Service::Resident, e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Resident, e.to_string()))?;
    read_json(response).await
}

/// One page of the access log, newest first, narrowed by `filter`.
pub async fn fetch_access_log(
    base: &str,
    filter: &AccessLogQuery,
    offset: u64,
    limit: u32,
) -> Result<AccessLogPage, ApiError> {
    let filters: String = filter
        .pairs()
        .into_iter()
        .map(|(name, value)| format!("&{name}={}", js_sys::encode_uri_component(value)))
        .collect();
    get_json(
        base,
        &format!("/me/access-log?offset={offset}&limit={limit}{filters}"),
    )
    .await
}
