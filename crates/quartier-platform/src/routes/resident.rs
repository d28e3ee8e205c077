//! The resident API (`/api/v1/…`, DESIGN.md "Resident API"): session, profile, personal data by
//! category, access log, export, erasure requests, consents and their receipts, my reports, the
//! OpenAPI document of all of it, and the JSON Schema of the export.
//!
//! Rules every handler here follows:
//! - the resident is the session's, never an id from the URL or the body: every query is
//!   scoped by `session.resident_id`;
//! - state-changing handlers take [`CsrfSession`](crate::auth::CsrfSession);
//! - reading personal data appends to the access log in the same transaction
//!   ([`access_log::append`]);
//! - errors are `AppError`s, rendered as ProblemDetails with a machine `code` by the area layer.
//!
//! Consent purposes and records are built from the contract crate's types
//! (`quartier_api::resident`); the other answers are assembled as JSON here, and the test
//! `resident::contract::every_answer_reads_with_the_contract_types` reads each of them with the
//! contract's types, so the app and the platform cannot drift apart.

mod access_log;
pub mod catalogue;
pub(crate) mod consents;
mod data;
mod erasure;
mod export;
mod me;
pub mod openapi;
mod receipt;
mod reports;
pub mod schemas;
mod session;

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, FromRequest, Request, rejection::JsonRejection},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use quartier_api::resident::codes;
use serde::{Deserialize, de::DeserializeOwned};

use crate::{error::AppError, state::AppState};

/// Largest JSON body the resident API takes: its requests are a few small fields.
pub const RESIDENT_BODY_LIMIT: usize = 16 * 1024;

/// Every route as (method, path under `/api`), the list the OpenAPI test checks against.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/session"),
    ("post", "/v1/session"),
    ("delete", "/v1/session"),
    ("get", "/v1/me"),
    ("get", "/v1/me/data"),
    ("get", "/v1/me/access-log"),
    ("get", "/v1/me/export"),
    ("get", "/v1/me/erasure-requests"),
    ("post", "/v1/me/erasure-requests"),
    ("get", "/v1/consent-purposes"),
    ("get", "/v1/me/consents"),
    ("put", "/v1/me/consents/{purpose_id}"),
    ("get", "/v1/me/consents/{purpose_id}/receipt"),
    ("get", "/v1/me/reports"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/schemas/export.json"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/session",
            get(session::show)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route("/v1/me", get(me::profile))
        .route("/v1/me/data", get(data::my_data))
        .route("/v1/me/access-log", get(access_log::list))
        .route("/v1/me/export", get(export::export))
        .route(
            "/v1/me/erasure-requests",
            post(erasure::create).get(erasure::list),
        )
        .route("/v1/consent-purposes", get(consents::purposes))
        .route("/v1/me/consents", get(consents::list))
        .route("/v1/me/consents/{purpose_id}", put(consents::update))
        .route(
            "/v1/me/consents/{purpose_id}/receipt",
            get(receipt::receipt),
        )
        .route("/v1/me/reports", get(reports::list))
        .route("/v1/openapi.json", get(openapi::document))
        .route("/v1/schemas/export.json", get(schemas::export_schema))
        .layer(DefaultBodyLimit::max(RESIDENT_BODY_LIMIT))
}

/// `Json<T>` whose failures are the API's own: `invalid_json` (syntax) or `invalid_body`
/// (shape, types) as 400 with serde's explanation in `detail`; a missing JSON content type
/// (415) and an oversized body (413) keep axum's status and get the area's ProblemDetails.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonSyntaxError(error)) => {
                Err(AppError::bad_request(codes::INVALID_JSON, error.body_text()).into_response())
            }
            Err(JsonRejection::JsonDataError(error)) => {
                Err(AppError::bad_request(codes::INVALID_BODY, error.body_text()).into_response())
            }
            Err(other) => Err(other.into_response()),
        }
    }
}

/// `?offset=&limit=` of a paged list.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Page {
    #[serde(default)]
    pub offset: u32,
    pub limit: Option<u32>,
}

impl Page {
    /// The limit, defaulted and capped, so no query reads an unbounded number of rows.
    pub fn limit(&self, default: u32, max: u32) -> u32 {
        self.limit.unwrap_or(default).clamp(1, max)
    }
}
