//! `GET /v1/me/export` (GDPR art. 15 and 20): everything the platform holds about the resident
//! as one JSON download, logged in the access log like any other read, and pointing with
//! `Link: rel="describedby"` to the JSON Schema that describes it ([`super::schemas`]).

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use quartier_api::{Timestamp, resident as api};

use super::{access_log, catalogue, data, erasure, schemas};
use crate::{
    auth::{Session, clock},
    error::AppError,
    state::AppState,
};

/// The purpose logged for an export.
const EXPORT_PURPOSE: &str = "data-portability";

#[utoipa::path(get, path = "/v1/me/export", operation_id = "exportMyData", tag = "me",
    security(("sessionCookie" = [])),
    responses((status = 200, body = api::Export,
        description = "Everything, as a download (Content-Disposition: attachment).",
        headers(("Link" = String, description = "`</api/v1/schemas/export.json>; \
            rel=\"describedby\"`: the JSON Schema of this document.")))))]
pub async fn export(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let consents = std::sync::Arc::clone(&state.consents);
    let body = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let categories = catalogue::CATEGORIES
                .iter()
                .map(|c| data::category_json(&tx, resident, c.id, data::Window::ALL, &consents))
                .collect::<Result<Vec<_>, _>>()?;
            let ids: Vec<&str> = catalogue::CATEGORIES.iter().map(|c| c.id).collect();
            access_log::append_self(&tx, resident, now, EXPORT_PURPOSE, &ids)?;
            let log = access_log::read_all(&tx, resident)?;
            let erasure_requests = erasure::read_all(&tx, resident)?;
            tx.commit()?;
            Ok(api::Export {
                exported_at: Timestamp::from_unix_millis(now.saturating_mul(1000)),
                controller: consents.controller.clone(),
                categories,
                access_log: log,
                erasure_requests,
            })
        })
        .await?;
    let mut response = Json(body).into_response();
    let disposition = format!(
        "attachment; filename=\"quartier-export-{}.json\"",
        clock::iso_date(now)
    );
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::LINK, schemas::export_link());
    Ok(response)
}
