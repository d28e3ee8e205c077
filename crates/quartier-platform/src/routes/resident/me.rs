//! `GET /v1/me`: the signed-in resident's profile (logged as a read of the `identity` category).

use axum::{Json, extract::State};
use quartier_api::{LonLat, Timestamp, resident as api};
use rusqlite::{Connection, OptionalExtension};

use super::{access_log, catalogue, erasure};
use crate::{auth::Session, error::AppError, state::AppState};

#[utoipa::path(get, path = "/v1/me", operation_id = "getProfile", tag = "me",
    security(("sessionCookie" = [])),
    responses((status = 200, body = api::Profile)))]
pub async fn profile(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<api::Profile>, AppError> {
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let body = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut profile = read_profile(&tx, resident)?;
            profile.erasure_requests = erasure::read_all(&tx, resident)?;
            access_log::append_self(
                &tx,
                resident,
                now,
                access_log::SELF_ACCESS,
                &[catalogue::IDENTITY],
            )?;
            tx.commit()?;
            Ok(profile)
        })
        .await?;
    Ok(Json(body))
}

/// The profile of `resident` (its erasure requests left empty). A session always names an
/// existing resident (sessions are deleted with their resident), so a missing row is an
/// internal error, not a 404.
pub fn read_profile(conn: &Connection, resident: i64) -> Result<api::Profile, AppError> {
    conn.query_row(
        "SELECT id, email, given_name, family_name, phone, address, district, lat, lon, \
         resident_since, preferred_language FROM residents WHERE id = ?1",
        [resident],
        |r| {
            let given: String = r.get(2)?;
            let family: String = r.get(3)?;
            let lat: Option<f64> = r.get(7)?;
            let lon: Option<f64> = r.get(8)?;
            let district: String = r.get(6)?;
            let since: String = r.get(9)?;
            Ok(api::Profile {
                id: r.get::<_, i64>(0)?.to_string(),
                email: r.get(1)?,
                name: api::PersonName {
                    full: format!("{given} {family}"),
                    given,
                    family,
                },
                phone: r.get(4)?,
                address: Some(api::Address {
                    label: r.get(5)?,
                    district: Some(district.clone()),
                    location: lat
                        .zip(lon)
                        .and_then(|(lat, lon)| LonLat::new(lon, lat).ok()),
                }),
                district: Some(district),
                resident_since: Timestamp::parse(&since).ok(),
                preferred_language: r.get(10)?,
                erasure_requests: Vec::new(),
            })
        },
    )
    .optional()?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session of a missing resident {resident}")))
}
