//! `GET /v1/me/consents/{purpose_id}/receipt`: a Kantara Initiative Consent Receipt (v1.1 field
//! names) of the resident's consent for one purpose, as a JSON download. It states the latest
//! event; the full history is the ISO/IEC TS 27560 record.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use quartier_api::resident as api;
use rusqlite::OptionalExtension;
use serde_json::json;

use super::{access_log, catalogue};
use crate::{auth::Session, error::AppError, state::AppState, town::TownProfile};

/// The controller's postal address (schema.org PostalAddress) as far as the town is known.
fn address(town: &TownProfile) -> serde_json::Value {
    let mut address = json!({ "addressCountry": "FR" });
    if let Some(map) = address.as_object_mut() {
        if !town.name().is_empty() {
            map.insert("addressLocality".into(), town.name().into());
        }
        if let Some(postcode) = town.postcode() {
            map.insert("postalCode".into(), postcode.into());
        }
    }
    address
}

/// The latest event of a record, as a receipt needs it.
struct Attested {
    record_id: String,
    receipt_id: String,
    event: String,
    at: i64,
    method: String,
    version: String,
    notice_language: Option<String>,
    email: String,
    language: String,
}

/// The receipt attests the record's latest event: its own id (`consentReceiptID`, not the
/// record's), the purpose version that event answered, and the notice shown then.
#[utoipa::path(get, path = "/v1/me/consents/{purpose_id}/receipt", operation_id = "getConsentReceipt", tag = "consents",
    security(("sessionCookie" = [])),
    params(("purpose_id" = String, Path)),
    responses((status = 200, body = api::ConsentReceipt, description = "The receipt of the latest consent event, as a download.")))]
pub async fn receipt(
    State(state): State<AppState>,
    session: Session,
    Path(purpose_id): Path<String>,
) -> Result<Response, AppError> {
    let purpose = *state
        .consents
        .purpose(&purpose_id)
        .ok_or_else(|| AppError::not_found(format!("no consent purpose {purpose_id}")))?;
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let found = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let found = tx
                .query_row(
                    "SELECT r.record_id, e.receipt_id, e.event_type, e.at, e.method, \
                     e.purpose_version, e.notice_language, s.email, s.preferred_language \
                     FROM consent_records r \
                     JOIN consent_events e ON e.record_id = r.record_id \
                     JOIN residents s ON s.id = r.resident_id \
                     WHERE r.resident_id = ?1 AND r.purpose_id = ?2 ORDER BY e.id DESC LIMIT 1",
                    rusqlite::params![resident, purpose.id],
                    |r| {
                        Ok(Attested {
                            record_id: r.get(0)?,
                            receipt_id: r.get(1)?,
                            event: r.get(2)?,
                            at: r.get(3)?,
                            method: r.get(4)?,
                            version: r.get(5)?,
                            notice_language: r.get(6)?,
                            email: r.get(7)?,
                            language: r.get(8)?,
                        })
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
    let attested = found.ok_or_else(|| {
        AppError::not_found(format!("no consent record for purpose {purpose_id}"))
    })?;
    let controller = &state.consents.controller;
    let body = api::ConsentReceipt {
        version: api::KANTARA_VERSION.to_owned(),
        jurisdiction: "FR".to_owned(),
        consent_timestamp: attested.at,
        collection_method: attested.method,
        consent_receipt_id: attested.receipt_id,
        public_key: None,
        language: Some(
            attested
                .notice_language
                .clone()
                .unwrap_or(attested.language),
        ),
        pii_principal_id: attested.email,
        pii_controllers: vec![api::PiiController {
            pii_controller: controller.name.clone(),
            on_behalf: false,
            contact: controller.contact.clone().unwrap_or_default(),
            address: address(&state.town),
            email: controller.contact.clone().unwrap_or_default(),
            phone: String::new(),
            pii_controller_url: controller.url.clone(),
        }],
        policy_url: state.town.policy_url().unwrap_or_default().to_owned(),
        services: vec![api::ReceiptService {
            service: "Quartier".to_owned(),
            purposes: vec![api::ReceiptPurpose {
                purpose: purpose.title_en.to_owned(),
                purpose_category: vec![purpose.purpose_category.to_owned()],
                consent_type: "EXPLICIT".to_owned(),
                pii_category: purpose
                    .data_categories
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect(),
                primary_purpose: false,
                termination: format!("{} ({})", purpose.retention_code, purpose.retention),
                third_party_disclosure: purpose.third_party.is_some(),
                third_party_name: purpose.third_party.map(str::to_owned),
            }],
        }],
        sensitive: false,
        spi_cat: Vec::new(),
        consent_state: Some(attested.event),
        purpose_id: Some(purpose.id.to_owned()),
        notice: attested.notice_language.map(|language| api::ConsentNotice {
            id: purpose.notice_id(),
            version: attested.version.clone(),
            language,
        }),
        purpose_version: Some(attested.version),
        record_id: Some(attested.record_id),
    };
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
