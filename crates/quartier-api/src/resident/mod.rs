//! The resident API (`/api/v1/…`, DESIGN.md "Resident API"): session, profile, personal data,
//! access log, export, erasure requests, consents (ISO/IEC TS 27560 records) and consent
//! receipts (Kantara v1.1). JSON field names are camelCase, as the platform's OpenAPI
//! document (`GET /api/v1/openapi.json`) describes them.
//!
//! Reading is tolerant (ids given as numbers or text, optional members absent, unknown enum
//! values kept); writing is strict (every required member, canonical spellings). Servers send
//! codes, never sentences: titles that residents read come as [`LocalizedText`].

mod access_log;
mod consent;
mod erasure;
mod export;
mod my_data;
mod problem;
mod profile;
mod receipt;
mod records;
mod session;
mod text;

pub use access_log::{
    AccessLogEntry, AccessLogFilter, AccessLogPage, AccessLogQuery, ActorType, FilterError,
};
pub use consent::{
    ConsentChange, ConsentEvent, ConsentEventType, ConsentNotice, ConsentPurpose, ConsentPurposes,
    ConsentRecord, ConsentState, ConsentStatus, Controller, MyConsents, Parties, Processing,
    RecordHeader, SCHEMA_VERSION, Subject,
};
pub use erasure::{
    ErasureRequest, ErasureRequests, ErasureStatus, MAX_REASON_CHARS, NewErasureRequest,
};
pub use export::Export;
pub use my_data::{DataCategory, LegalBasis, MyData, Page, Retention};
pub use problem::{ApiProblem, codes};
pub use profile::{Address, PersonName, Profile, ReportsPage};
pub use receipt::{ConsentReceipt, KANTARA_VERSION, PiiController, ReceiptPurpose, ReceiptService};
pub use records::{WasteBadgeUse, WaterReading};
pub use session::{SessionEndReason, SessionInfo, SessionResident, SignInRequest};
pub use text::LocalizedText;

/// The header that carries the CSRF token on every state-changing call.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// Reads an id given as text or as a number (`42` → `"42"`).
pub(crate) fn id_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    use serde::Deserialize;
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "an id must be text or a number, got {}",
            crate::error::describe(&other)
        ))),
    }
}

/// Like [`id_text`] for an optional id.
pub(crate) fn opt_id_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "an id must be text or a number, got {}",
            crate::error::describe(&other)
        ))),
    }
}
