//! `GET /v1/me/reports`: the Open311 requests the signed-in resident made (table
//! `open311_requests` of migration 0003, owned by the Open311 area), newest first.

use axum::{
    Json,
    extract::{Query, State},
};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::{Page, access_log, catalogue};
use crate::{
    auth::{Session, clock::rfc3339},
    error::AppError,
    state::AppState,
};

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(page): Query<Page>,
) -> Result<Json<Value>, AppError> {
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let limit = page.limit(50, 200);
    let offset = page.offset;
    let (total, items) = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let found = read(&tx, resident, i64::from(limit), offset)?;
            access_log::append_self(
                &tx,
                resident,
                now,
                access_log::SELF_ACCESS,
                &[catalogue::REPORTS],
            )?;
            tx.commit()?;
            Ok(found)
        })
        .await?;
    Ok(Json(json!({
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": items,
    })))
}

/// The resident's reports in Open311 field names (`service_request_id` as a string, W3C
/// datetimes), as GeoReport v2 clients expect them. `limit` -1 reads them all.
pub fn read(
    conn: &Connection,
    resident: i64,
    limit: i64,
    offset: u32,
) -> Result<(i64, Vec<Value>), AppError> {
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM open311_requests WHERE resident_id = ?1",
        [resident],
        |r| r.get(0),
    )?;
    let mut select = conn.prepare(
        "SELECT id, service_code, status, status_notes, description, requested_at, updated_at, \
         address, lat, long, media_url, media_id FROM open311_requests WHERE resident_id = ?1 \
         ORDER BY requested_at DESC, id DESC LIMIT ?2 OFFSET ?3",
    )?;
    let items = select
        .query_map(params![resident, limit, offset], |r| {
            let media_url: Option<String> = r.get(10)?;
            let media_id: Option<i64> = r.get(11)?;
            Ok(json!({
                "service_request_id": r.get::<_, i64>(0)?.to_string(),
                "service_code": r.get::<_, String>(1)?,
                "status": r.get::<_, String>(2)?,
                "status_notes": r.get::<_, Option<String>>(3)?,
                "description": r.get::<_, Option<String>>(4)?,
                "requested_datetime": rfc3339(r.get(5)?),
                "updated_datetime": rfc3339(r.get(6)?),
                "address": r.get::<_, Option<String>>(7)?,
                "lat": r.get::<_, Option<f64>>(8)?,
                "long": r.get::<_, Option<f64>>(9)?,
                "media_url": media_url.or(media_id.map(|id| format!("/open311/v2/media/{id}"))),
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((total, items))
}
