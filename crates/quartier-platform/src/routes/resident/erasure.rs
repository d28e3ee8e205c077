//! `POST /v1/me/erasure-requests` (GDPR art. 17): records a request to erase some or all of the
//! resident's data, for the town's staff to handle; `GET` lists them. Nothing is erased here:
//! some categories must be kept (legal obligation), which is a human decision.

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use quartier_api::{
    Timestamp,
    resident::{self as api, MAX_REASON_CHARS, codes},
};
use rusqlite::{Connection, params};

use super::{ApiJson, catalogue, consents::new_uuid};
use crate::{
    auth::{CsrfSession, Session},
    error::AppError,
    state::AppState,
};

#[utoipa::path(post, path = "/v1/me/erasure-requests", operation_id = "requestErasure", tag = "me",
    security(("sessionCookie" = [], "csrfHeader" = [])),
    request_body = api::NewErasureRequest,
    responses((status = 201, body = api::ErasureRequest)))]
pub async fn create(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiJson(request): ApiJson<api::NewErasureRequest>,
) -> Result<Response, AppError> {
    let categories = request.categories;
    if let Some(unknown) = categories
        .iter()
        .find(|id| catalogue::category(id).is_none())
    {
        return Err(AppError::bad_request(
            codes::UNKNOWN_CATEGORY,
            format!("no category {unknown}"),
        ));
    }
    let reason = request
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(AppError::bad_request(
            codes::REASON_TOO_LONG,
            format!("reason is longer than {MAX_REASON_CHARS} characters"),
        ));
    }
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let id = new_uuid();
    let categories_json = serde_json::to_string(&categories)
        .map_err(|error| AppError::Internal(anyhow::Error::new(error)))?;
    let (row_id, row_reason) = (id.clone(), reason.clone());
    state
        .db
        .call(move |conn| {
            conn.execute(
                "INSERT INTO erasure_requests (id, resident_id, created_at, categories, reason, \
                 status) VALUES (?1, ?2, ?3, ?4, ?5, 'received')",
                params![row_id, resident, now, categories_json, row_reason],
            )?;
            Ok(())
        })
        .await?;
    let body = api::ErasureRequest {
        id,
        status: api::ErasureStatus::Received,
        created_at: timestamp(now),
        categories,
        reason,
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str("/api/v1/me/erasure-requests") {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET /v1/me/erasure-requests`: the resident's requests, newest first.
#[utoipa::path(get, path = "/v1/me/erasure-requests", operation_id = "listErasureRequests", tag = "me",
    security(("sessionCookie" = [])),
    responses((status = 200, body = api::ErasureRequests)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<api::ErasureRequests>, AppError> {
    let resident = session.resident_id.0;
    let items = state.db.call(move |conn| read_all(conn, resident)).await?;
    Ok(Json(api::ErasureRequests { items }))
}

fn timestamp(seconds: i64) -> Timestamp {
    Timestamp::from_unix_millis(seconds.saturating_mul(1000))
}

pub fn read_all(conn: &Connection, resident: i64) -> Result<Vec<api::ErasureRequest>, AppError> {
    let mut select = conn.prepare(
        "SELECT id, created_at, categories, reason, status FROM erasure_requests \
         WHERE resident_id = ?1 ORDER BY created_at DESC, rowid DESC",
    )?;
    let rows = select
        .query_map([resident], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(id, at, categories, reason, status)| api::ErasureRequest {
            id,
            status: api::ErasureStatus::from_text(&status),
            created_at: timestamp(at),
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            reason,
        })
        .collect())
}
