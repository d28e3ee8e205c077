//! Consent purposes and the resident's consent records, shaped after ISO/IEC TS 27560: one
//! record per resident and purpose (`header`, `processing`, `parties`, `events`), where every
//! give, refusal or withdrawal appends an event (the table refuses updates and deletes).

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
};
use quartier_api::{Timestamp, resident as api};
use rusqlite::{Connection, OptionalExtension, params};

use super::{ApiJson, access_log, catalogue};
use crate::{
    auth::{CsrfSession, Session},
    error::AppError,
    state::AppState,
};

/// `GET /v1/consent-purposes` (public).
#[utoipa::path(get, path = "/v1/consent-purposes", operation_id = "listConsentPurposes", tag = "consents",
    responses((status = 200, body = api::ConsentPurposes)))]
pub async fn purposes(State(state): State<AppState>) -> Json<api::ConsentPurposes> {
    Json(api::ConsentPurposes {
        purposes: state
            .consents
            .purposes
            .iter()
            .map(|p| p.describe(&state.consents.controller))
            .collect(),
    })
}

/// `GET /v1/me/consents`: for each purpose the current state (`given`, `withdrawn`, `refused`
/// or `none`), then every record with its full history. A consent given for another version
/// than the purpose's current one is not `granted` and is `renewalNeeded`.
#[utoipa::path(get, path = "/v1/me/consents", operation_id = "getMyConsents", tag = "consents",
    security(("sessionCookie" = [])),
    responses((status = 200, body = api::MyConsents)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<api::MyConsents>, AppError> {
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let consents = Arc::clone(&state.consents);
    let records = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let records = read_records(&tx, resident, &consents)?;
            access_log::append_self(
                &tx,
                resident,
                now,
                access_log::SELF_ACCESS,
                &[catalogue::CONSENTS],
            )?;
            tx.commit()?;
            Ok(records)
        })
        .await?;
    let current = state
        .consents
        .purposes
        .iter()
        .map(|purpose| {
            let record = records
                .iter()
                .find(|r| r.processing.purpose_id == purpose.id);
            let state = record.map_or(api::ConsentState::None, |r| r.state.clone());
            let consented_version = record
                .and_then(api::ConsentRecord::latest_event)
                .and_then(|e| e.purpose_version.clone());
            let renewal_needed = state == api::ConsentState::Given
                && consented_version.as_deref() != Some(purpose.version);
            api::ConsentStatus {
                purpose_id: purpose.id.to_owned(),
                purpose_version: Some(purpose.version.to_owned()),
                granted: state == api::ConsentState::Given && !renewal_needed,
                state,
                consented_version,
                renewal_needed,
                updated_at: record.map(|r| r.header.updated_at.clone()),
                record_id: record.map(|r| r.header.record_id.clone()),
            }
        })
        .collect();
    Ok(Json(api::MyConsents { current, records }))
}

/// `PUT /v1/me/consents/{purpose_id}` `{"granted": bool, "language"?: "fr"|"en"}` → the record
/// with the new event, which answers the purpose's current version, shown in `language` (the
/// resident's preferred language when absent).
#[utoipa::path(put, path = "/v1/me/consents/{purpose_id}", operation_id = "setConsent", tag = "consents",
    security(("sessionCookie" = [], "csrfHeader" = [])),
    params(("purpose_id" = String, Path)),
    request_body = api::ConsentChange,
    responses((status = 200, body = api::ConsentRecord)))]
pub async fn update(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(purpose_id): Path<String>,
    ApiJson(change): ApiJson<api::ConsentChange>,
) -> Result<Json<api::ConsentRecord>, AppError> {
    let purpose = *state
        .consents
        .purpose(&purpose_id)
        .ok_or_else(|| AppError::not_found(format!("no consent purpose {purpose_id}")))?;
    if let Some(language) = &change.language
        && !purpose.has_language(language)
    {
        return Err(AppError::bad_request(
            api::codes::INVALID_BODY,
            format!("the purpose has no text in {language:?}"),
        ));
    }
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let consents = Arc::clone(&state.consents);
    let record = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let language = match change.language {
                Some(language) => language,
                None => tx.query_row(
                    "SELECT preferred_language FROM residents WHERE id = ?1",
                    [resident],
                    |r| r.get(0),
                )?,
            };
            record_event(&tx, resident, &purpose, change.granted, now, &language)?;
            let record = read_records(&tx, resident, &consents)?
                .into_iter()
                .find(|r| r.processing.purpose_id == purpose.id)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("consent record vanished")))?;
            tx.commit()?;
            Ok(record)
        })
        .await?;
    Ok(Json(record))
}

/// Appends `given` (granted), `withdrawn` (not granted, after a past consent) or `refused`
/// (not granted, never given) to the resident's record of `purpose`, creating the record on
/// first use, with its own receipt id and the notice shown (the purpose's current version, in
/// `language`). Also used by the demo seed, to build histories the same way the API does.
pub fn record_event(
    conn: &Connection,
    resident: i64,
    purpose: &catalogue::Purpose,
    granted: bool,
    at: i64,
    language: &str,
) -> Result<(), AppError> {
    let existing: Option<String> = conn
        .query_row(
            "SELECT record_id FROM consent_records WHERE resident_id = ?1 AND purpose_id = ?2",
            params![resident, purpose.id],
            |r| r.get(0),
        )
        .optional()?;
    let record_id = match existing {
        Some(id) => id,
        None => {
            let id = new_uuid();
            conn.execute(
                "INSERT INTO consent_records (record_id, resident_id, purpose_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, resident, purpose.id, at],
            )?;
            id
        }
    };
    let ever_given: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM consent_events WHERE record_id = ?1 \
         AND event_type = 'given')",
        [&record_id],
        |r| r.get(0),
    )?;
    let event = match (granted, ever_given) {
        (true, _) => "given",
        (false, true) => "withdrawn",
        (false, false) => "refused",
    };
    conn.execute(
        "INSERT INTO consent_events (record_id, event_type, at, method, purpose_version, \
         receipt_id, notice_language) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            record_id,
            event,
            at,
            catalogue::COLLECTION_METHOD,
            purpose.version,
            new_uuid(),
            language
        ],
    )?;
    Ok(())
}

/// Every consent record of `resident` with its events, oldest event first; `consents` give the
/// purposes' titles and processing details, and the controller.
pub fn read_records(
    conn: &Connection,
    resident: i64,
    consents: &catalogue::Consents,
) -> Result<Vec<api::ConsentRecord>, AppError> {
    let mut records = conn.prepare(
        "SELECT record_id, purpose_id, created_at FROM consent_records WHERE resident_id = ?1 \
         ORDER BY created_at, record_id",
    )?;
    let mut events = conn.prepare_cached(
        "SELECT event_type, at, method, purpose_version, receipt_id, notice_language \
         FROM consent_events WHERE record_id = ?1 ORDER BY id",
    )?;
    let rows = records
        .query_map([resident], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (record_id, purpose_id, created_at) in rows {
        let purpose = consents.purpose(&purpose_id);
        let notice_id = purpose.map_or_else(|| format!("notice:{purpose_id}"), |p| p.notice_id());
        let events = events
            .query_map([&record_id], |r| {
                let version: String = r.get(3)?;
                let language: Option<String> = r.get(5)?;
                Ok(api::ConsentEvent {
                    event_type: api::ConsentEventType::from_text(&r.get::<_, String>(0)?),
                    timestamp: timestamp(r.get(1)?),
                    method: r.get(2)?,
                    receipt_id: r.get(4)?,
                    notice: language.map(|language| api::ConsentNotice {
                        id: notice_id.clone(),
                        version: version.clone(),
                        language,
                    }),
                    purpose_version: Some(version),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let state = events.last().map_or(api::ConsentState::None, |e| {
            api::ConsentState::from_text(e.event_type.as_str())
        });
        let updated_at = events
            .last()
            .map_or_else(|| timestamp(created_at), |e| e.timestamp.clone());
        let answered_version = events.last().and_then(|e| e.purpose_version.clone());
        out.push(api::ConsentRecord {
            header: api::RecordHeader {
                record_id,
                schema_version: api::SCHEMA_VERSION.to_owned(),
                created_at: timestamp(created_at),
                updated_at,
            },
            processing: api::Processing {
                purpose: purpose.map(|p| p.title_en.to_owned()),
                purpose_version: answered_version,
                legal_basis: api::LegalBasis::Consent,
                data_categories: purpose
                    .map(|p| p.data_categories.iter().map(|c| (*c).to_owned()).collect())
                    .unwrap_or_default(),
                retention: purpose.map(catalogue::Purpose::retention),
                purpose_id,
            },
            parties: api::Parties {
                controller: consents.controller.clone(),
                subject: Some(api::Subject {
                    subject_type: "resident".to_owned(),
                    id: resident.to_string(),
                }),
            },
            events,
            state,
        });
    }
    Ok(out)
}

/// The contract's timestamp of Unix seconds (`YYYY-MM-DDThh:mm:ssZ`).
fn timestamp(seconds: i64) -> Timestamp {
    Timestamp::from_unix_millis(seconds.saturating_mul(1000))
}

/// A random (version 4) UUID, hyphenated.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
