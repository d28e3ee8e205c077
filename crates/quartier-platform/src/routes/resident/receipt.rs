//! `GET /v1/me/consents/{purpose_id}/receipt`: a Kantara Initiative Consent Receipt (v1.1 field
//! names) of the resident's consent for one purpose, as a JSON download. It states the latest
//! event; the full history is the ISO/IEC TS 27560 record.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use rusqlite::OptionalExtension;
use serde_json::json;

use super::{access_log, catalogue};
use crate::{auth::Session, error::AppError, state::AppState};

pub async fn receipt(
    State(state): State<AppState>,
    session: Session,
    Path(purpose_id): Path<String>,
) -> Result<Response, AppError> {
    let purpose = catalogue::purpose(&purpose_id)
        .ok_or_else(|| AppError::not_found(format!("no consent purpose {purpose_id}")))?;
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let found = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let found = tx
                .query_row(
                    "SELECT r.record_id, e.event_type, e.at, e.method, s.email, \
                     s.preferred_language FROM consent_records r \
                     JOIN consent_events e ON e.record_id = r.record_id \
                     JOIN residents s ON s.id = r.resident_id \
                     WHERE r.resident_id = ?1 AND r.purpose_id = ?2 ORDER BY e.id DESC LIMIT 1",
                    rusqlite::params![resident, purpose.id],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                        ))
                    },
                )
                .optional()?;
            access_log::append_self(
                &tx,
                resident,
                now,
                access_log::SELF_ACCESS,
                &[catalogue::CONSENTS],
            )?;
            tx.commit()?;
            Ok(found)
        })
        .await?;
    let (record_id, event, at, method, email, language) = found.ok_or_else(|| {
        AppError::not_found(format!("no consent record for purpose {purpose_id}"))
    })?;
    let body = json!({
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "FR",
        "consentTimestamp": at,
        "collectionMethod": method,
        "consentReceiptID": record_id,
        "language": language,
        "piiPrincipalId": email,
        "piiControllers": [{
            "piiController": catalogue::CONTROLLER_NAME,
            "onBehalf": false,
            "contact": catalogue::CONTROLLER_CONTACT,
            "address": { "streetAddress": "Place de la Mairie", "addressCountry": "FR" },
            "email": catalogue::CONTROLLER_CONTACT,
            "phone": "+33 2 00 00 00 00",
            "piiControllerUrl": catalogue::CONTROLLER_URL,
        }],
        "policyUrl": catalogue::POLICY_URL,
        "services": [{
            "service": "Quartier",
            "purposes": [{
                "purpose": purpose.title_en,
                "purposeCategory": [purpose.purpose_category],
                "consentType": "EXPLICIT",
                "piiCategory": purpose.data_categories,
                "primaryPurpose": false,
                "termination": format!("{} ({})", purpose.retention_code, purpose.retention),
                "thirdPartyDisclosure": purpose.third_party.is_some(),
                "thirdPartyName": purpose.third_party,
            }],
        }],
        "sensitive": false,
        "spiCat": [],
        // Not in the Kantara schema: the state this receipt attests, so a withdrawal receipt
        // cannot be mistaken for a consent.
        "consentState": event,
        "purposeId": purpose.id,
        "purposeVersion": purpose.version,
    });
    let mut response = Json(body).into_response();
    let disposition = format!(
        "attachment; filename=\"consent-receipt-{}.json\"",
        purpose.id
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
