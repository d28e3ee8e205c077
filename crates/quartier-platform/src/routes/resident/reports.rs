//! `GET /v1/me/reports`: the Open311 requests the signed-in resident made (table
//! `open311_requests` of migration 0003, owned by the Open311 area), newest first.

use axum::{
    Json,
    extract::{Query, State},
};
use quartier_api::{
    LonLat, Timestamp,
    open311::{RequestStatus, ServiceRequest},
    resident as api,
};
use rusqlite::{Connection, params};

use super::{Page, access_log, catalogue};
use crate::routes::open311::store;
use crate::{auth::Session, error::AppError, state::AppState};

#[utoipa::path(get, path = "/v1/me/reports", operation_id = "getMyReports", tag = "me",
    security(("sessionCookie" = [])),
    params(("offset" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = api::Page<quartier_api::open311::ServiceRequest>)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(page): Query<Page>,
) -> Result<Json<api::ReportsPage>, AppError> {
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
    Ok(Json(api::Page {
        total: u64::try_from(total).unwrap_or(0),
        offset: u64::from(offset),
        limit: Some(u64::from(limit)),
        items,
    }))
}

/// The resident's reports in Open311 field names (`service_request_id` as a string, W3C
/// datetimes), as GeoReport v2 clients expect them. `limit` -1 reads them all.
pub fn read(
    conn: &Connection,
    resident: i64,
    limit: i64,
    offset: u32,
) -> Result<(i64, Vec<ServiceRequest>), AppError> {
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM open311_requests WHERE resident_id = ?1",
        [resident],
        |r| r.get(0),
    )?;
    let mut select = conn.prepare(
        "SELECT id, service_code, status, status_notes, description, requested_at, updated_at, \
         address, lat, long, media_url, media_id, asset_id, \
         (SELECT COUNT(*) FROM open311_followers f WHERE f.request_id = open311_requests.id), \
         (SELECT json_group_array(m.media_id ORDER BY m.position) FROM open311_request_media m \
          WHERE m.request_id = open311_requests.id), \
         attributes \
         FROM open311_requests WHERE resident_id = ?1 \
         ORDER BY requested_at DESC, id DESC LIMIT ?2 OFFSET ?3",
    )?;
    let items = select
        .query_map(params![resident, limit, offset], |r| {
            let media_url: Option<String> = r.get(10)?;
            let media_id: Option<i64> = r.get(11)?;
            let media_ids: Vec<i64> = store::json_column(r, 14)?;
            let mut media_urls: Vec<String> = media_ids
                .iter()
                .map(|id| format!("/open311/v2/media/{id}"))
                .collect();
            if media_urls.is_empty() {
                media_urls.extend(media_url.clone());
            }
            let (lat, long): (Option<f64>, Option<f64>) = (r.get(8)?, r.get(9)?);
            Ok(ServiceRequest {
                service_request_id: r.get::<_, i64>(0)?.to_string(),
                status: RequestStatus::from_name(&r.get::<_, String>(2)?),
                status_notes: r.get(3)?,
                service_name: None,
                service_code: Some(r.get(1)?),
                description: r.get(4)?,
                agency_responsible: None,
                service_notice: None,
                requested_datetime: Some(timestamp(r.get(5)?)),
                updated_datetime: Some(timestamp(r.get(6)?)),
                expected_datetime: None,
                address: r.get(7)?,
                address_id: None,
                zipcode: None,
                position: lat
                    .zip(long)
                    .and_then(|(lat, long)| LonLat::new(long, lat).ok()),
                media_url: media_url.or(media_id.map(|id| format!("/open311/v2/media/{id}"))),
                media_urls,
                asset_id: r.get(12)?,
                followers: u32::try_from(r.get::<_, i64>(13)?).ok(),
                attributes: store::answers(&store::json_column(r, 15)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((total, items))
}

fn timestamp(seconds: i64) -> Timestamp {
    Timestamp::from_unix_millis(seconds.saturating_mul(1000))
}
