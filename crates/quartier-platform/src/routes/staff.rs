//! The staff API under `/api` (contract: `quartier_api::staff`): the town's agents move
//! reports along, and Open311's `GET requests` shows it.
//!
//! | route | what |
//! |---|---|
//! | `PATCH /v1/staff/requests/{id}` | sets `status`, `status_notes`, `expected_datetime` (each optional) |
//!
//! Callers authenticate with `Authorization: Bearer <token>` of a staff account
//! ([`crate::staff`]) holding the route's scope. Cookies are never read here, so a resident's
//! session (or a page that makes the browser send it) can do nothing: no CSRF to check either,
//! since a browser never adds a bearer token by itself. 401 `invalid_token` (with
//! `WWW-Authenticate: Bearer`) without a valid token, 403 `insufficient_scope` without the
//! scope; errors are the resident API's ProblemDetails (the `/api` area's format).

use axum::{
    Router,
    extract::{FromRequestParts, Path, State},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    response::{IntoResponse, Response},
    routing::patch,
};
use quartier_api::staff::{RequestUpdate, SCOPE_OPEN311_UPDATE, UpdateStatus, codes};

use super::{open311, resident::ApiJson};
use crate::{error::AppError, staff::StaffAccount, state::AppState, tokens::bearer_token};

/// Every route as (method, path under `/api`), for the OpenAPI test.
pub const ROUTES: &[(&str, &str)] = &[("patch", "/v1/staff/requests/{id}")];

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/staff/requests/{id}", patch(update_request))
}

/// The staff account of the request's bearer token. First among a handler's extractors, so
/// that nothing (path, body) is looked at for a caller without a valid token.
pub struct Staff(pub StaffAccount);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        bearer_token(&parts.headers)
            .and_then(|token| state.staff.find(token))
            .cloned()
            .map(Staff)
            .ok_or_else(invalid_token)
    }
}

impl Staff {
    /// 403 `insufficient_scope` unless the account holds `scope`.
    fn require(&self, scope: &str) -> Result<(), AppError> {
        if self.0.has_scope(scope) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                code: codes::INSUFFICIENT_SCOPE,
            })
        }
    }
}

fn invalid_token() -> Response {
    let mut response = AppError::Unauthenticated {
        code: codes::INVALID_TOKEN,
    }
    .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"quartier-staff\", error=\"invalid_token\""),
    );
    response
}

#[utoipa::path(patch, path = "/v1/staff/requests/{id}", operation_id = "updateRequest", tag = "staff",
    security(("staffToken" = [])),
    params(("id" = String, Path, description = "The Open311 service_request_id")),
    request_body = RequestUpdate,
    responses((status = 200, description = "The request as Open311 shows it, as one object.",
        body = quartier_api::open311::ServiceRequest)))]
pub async fn update_request(
    staff: Staff,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(update): ApiJson<RequestUpdate>,
) -> Result<Response, AppError> {
    staff.require(SCOPE_OPEN311_UPDATE)?;
    let unknown = || AppError::not_found("service_request_id: unknown");
    let id = open311::parse_id(&id).ok_or_else(unknown)?;
    if update.is_empty() {
        return Err(AppError::bad_request(
            codes::EMPTY_UPDATE,
            "give status, status_notes or expected_datetime",
        ));
    }
    let problems: Vec<String> = update
        .validate()
        .iter()
        .map(|error| format!("{}: {}", error.field, error.code))
        .collect();
    if !problems.is_empty() {
        return Err(AppError::bad_request(
            codes::INVALID_FIELD,
            problems.join(", "),
        ));
    }
    let change = open311::store::StatusChange {
        status: update.status.map(|status| match status {
            UpdateStatus::Open => "open",
            UpdateStatus::Closed => "closed",
        }),
        // Blank notes remove them.
        status_notes: update
            .status_notes
            .map(|notes| Some(notes).filter(|notes| !notes.trim().is_empty())),
        expected_at: update
            .expected_datetime
            .map(|at| at.unix_millis().div_euclid(1000)),
    };
    let now = state.auth.clock.now();
    let updated = state
        .db
        .call(move |conn| open311::store::update_status(conn, id, &change, now))
        .await?
        .ok_or_else(unknown)?;
    tracing::info!(staff = %staff.0.name, request = id, status = %updated.status, "request updated by staff");
    Ok(open311::request_json(&updated, &headers))
}
