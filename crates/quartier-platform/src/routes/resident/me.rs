//! `GET /v1/me`: the signed-in resident's profile (logged as a read of the `identity` category).

use axum::{Json, extract::State};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};

use super::{access_log, catalogue, erasure};
use crate::{auth::Session, error::AppError, state::AppState};

pub async fn profile(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Value>, AppError> {
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let body = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut profile = read_profile(&tx, resident)?;
            if let Some(map) = profile.as_object_mut() {
                map.insert(
                    "erasureRequests".into(),
                    serde_json::to_value(erasure::read_all(&tx, resident)?)
                        .map_err(|error| AppError::Internal(anyhow::Error::new(error)))?,
                );
            }
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

/// The profile of `resident`. A session always names an existing resident (sessions are
/// deleted with their resident), so a missing row is an internal error, not a 404.
pub fn read_profile(conn: &Connection, resident: i64) -> Result<Value, AppError> {
    conn.query_row(
        "SELECT id, email, given_name, family_name, phone, address, district, lat, lon, \
         resident_since, preferred_language FROM residents WHERE id = ?1",
        [resident],
        |r| {
            let given: String = r.get(2)?;
            let family: String = r.get(3)?;
            let lat: Option<f64> = r.get(7)?;
            let lon: Option<f64> = r.get(8)?;
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "email": r.get::<_, String>(1)?,
                "name": { "given": given, "family": family, "full": format!("{given} {family}") },
                "phone": r.get::<_, Option<String>>(4)?,
                "address": {
                    "label": r.get::<_, String>(5)?,
                    "district": r.get::<_, String>(6)?,
                    "location": lat.zip(lon).map(|(lat, lon)| json!({ "lat": lat, "lon": lon })),
                },
                "district": r.get::<_, String>(6)?,
                "residentSince": r.get::<_, String>(9)?,
                "preferredLanguage": r.get::<_, String>(10)?,
            }))
        },
    )
    .optional()?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session of a missing resident {resident}")))
}
