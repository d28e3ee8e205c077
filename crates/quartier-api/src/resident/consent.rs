//! Consent purposes and consent records shaped after ISO/IEC TS 27560: one record per
//! resident and purpose (`header`, `processing`, `parties`, `events`); every give, refusal or
//! withdrawal appends an event, so the record is the full history.

use super::my_data::{LegalBasis, Retention};
use super::text::LocalizedText;
use crate::datetime::Timestamp;
use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};

/// The schema the records follow.
pub const SCHEMA_VERSION: &str = "ISO/IEC TS 27560:2023";

/// The data controller (the town).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Controller {
    /// Its name.
    pub name: String,
    /// Contact (the DPO's address).
    #[serde(default)]
    pub contact: Option<String>,
    /// Its website.
    #[serde(default)]
    pub url: Option<String>,
}

/// A purpose the town asks consent for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentPurpose {
    /// Stable code.
    pub id: String,
    /// Changes when the text changes; each event records the version it was given for.
    pub version: String,
    /// What the checkbox is named (by language).
    pub title: LocalizedText,
    /// The explanation (by language).
    #[serde(default)]
    pub description: LocalizedText,
    /// Who asks.
    pub controller: Controller,
    /// Always `consent` for a consent purpose.
    pub legal_basis: LegalBasis,
    /// Category codes of the data concerned.
    #[serde(default)]
    pub data_categories: Vec<String>,
    /// How long the data is kept.
    #[serde(default)]
    pub retention: Option<Retention>,
    /// Whom the data goes to besides the town.
    #[serde(default)]
    pub third_party: Option<String>,
}

/// `GET /api/v1/consent-purposes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentPurposes {
    /// The purposes, in display order.
    pub purposes: Vec<ConsentPurpose>,
}

/// `PUT /api/v1/me/consents/{purpose_id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentChange {
    /// Give (`true`) or withdraw/refuse (`false`).
    pub granted: bool,
    /// The language the purpose's notice was shown in (`fr`, `en`); the resident's preferred
    /// language when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// The notice (ISO/IEC 29184) a resident was shown when answering: the purpose's text in one
/// version and one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentNotice {
    /// The notice's id (one per purpose).
    pub id: String,
    /// The purpose version whose text it was.
    pub version: String,
    /// The language it was shown in.
    pub language: String,
}

text_enum! {
    /// What happened in a consent event.
    pub enum ConsentEventType {
        /// Consent given.
        Given = "given",
        /// Consent taken back after having been given.
        Withdrawn = "withdrawn",
        /// Consent refused (never given).
        Refused = "refused",
    }
}

text_enum! {
    /// The state of a consent: its last event, or `none`.
    pub enum ConsentState {
        /// Currently given.
        Given = "given",
        /// Withdrawn.
        Withdrawn = "withdrawn",
        /// Refused.
        Refused = "refused",
        /// Never asked/answered.
        None = "none",
    }
}

/// One event of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentEvent {
    /// Given, withdrawn or refused.
    pub event_type: ConsentEventType,
    /// When.
    pub timestamp: Timestamp,
    /// How it was collected (`quartier-web`, `quartier-kiosk`…).
    pub method: String,
    /// Which version of the purpose text it answered.
    #[serde(default)]
    pub purpose_version: Option<String>,
    /// The id of the receipt that attests this event (distinct from the record's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    /// The notice shown when the resident answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<ConsentNotice>,
}

/// The record's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RecordHeader {
    /// The record's id.
    #[serde(deserialize_with = "super::id_text")]
    pub record_id: String,
    /// The schema followed ([`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// When the record was created.
    pub created_at: Timestamp,
    /// When its last event happened.
    pub updated_at: Timestamp,
}

/// What the consent is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Processing {
    /// The purpose's code.
    pub purpose_id: String,
    /// The purpose's title when the record was written.
    #[serde(default)]
    pub purpose: Option<String>,
    /// The purpose version the record's last event answered.
    #[serde(default)]
    pub purpose_version: Option<String>,
    /// `consent`.
    pub legal_basis: LegalBasis,
    /// Category codes of the data concerned.
    #[serde(default)]
    pub data_categories: Vec<String>,
    /// How long the data is kept.
    #[serde(default)]
    pub retention: Option<Retention>,
}

/// Who is involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Parties {
    /// The controller.
    pub controller: Controller,
    /// The PII principal (the resident).
    #[serde(default)]
    pub subject: Option<Subject>,
}

/// The PII principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subject {
    /// Kind of subject (`resident`).
    #[serde(rename = "type")]
    pub subject_type: String,
    /// Their id.
    #[serde(deserialize_with = "super::id_text")]
    pub id: String,
}

/// A consent record (ISO/IEC TS 27560 shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    /// Record id, schema, dates.
    pub header: RecordHeader,
    /// The purpose and processing.
    pub processing: Processing,
    /// Controller and subject.
    pub parties: Parties,
    /// Every event, oldest first.
    pub events: Vec<ConsentEvent>,
    /// The current state (the last event's type).
    pub state: ConsentState,
}

impl ConsentRecord {
    /// The most recent event.
    pub fn latest_event(&self) -> Option<&ConsentEvent> {
        self.events.iter().max_by_key(|e| e.timestamp.unix_millis())
    }

    /// True when consent is currently given.
    pub fn is_granted(&self) -> bool {
        self.state == ConsentState::Given
    }
}

/// The current state of one purpose for the resident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentStatus {
    /// The purpose.
    pub purpose_id: String,
    /// Its current version.
    #[serde(default)]
    pub purpose_version: Option<String>,
    /// Given, withdrawn, refused or none (the last event, whatever version it answered).
    pub state: ConsentState,
    /// Given for the current version: `state == given` and not [`renewal_needed`](Self::renewal_needed).
    pub granted: bool,
    /// The version the last event answered, if any.
    #[serde(default)]
    pub consented_version: Option<String>,
    /// Given for an older version of the purpose: it no longer counts, and the resident is to
    /// be asked again.
    #[serde(default)]
    pub renewal_needed: bool,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// The record holding the history.
    #[serde(default, deserialize_with = "super::opt_id_text")]
    pub record_id: Option<String>,
}

/// `GET /api/v1/me/consents`: current state per purpose and every record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyConsents {
    /// One entry per purpose.
    pub current: Vec<ConsentStatus>,
    /// Full histories.
    #[serde(default)]
    pub records: Vec<ConsentRecord>,
}

impl MyConsents {
    /// The record of a purpose.
    pub fn record(&self, purpose_id: &str) -> Option<&ConsentRecord> {
        self.records
            .iter()
            .find(|r| r.processing.purpose_id == purpose_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> serde_json::Value {
        json!({
            "header": {"recordId": "0b5e", "schemaVersion": "ISO/IEC TS 27560:2023",
                       "createdAt": "2026-01-01T10:00:00Z", "updatedAt": "2026-03-01T10:00:00Z"},
            "processing": {"purposeId": "town-newsletter", "purpose": "Town newsletter", "purposeVersion": "2.0",
                           "legalBasis": "consent", "dataCategories": ["contact-details"],
                           "retention": {"duration": "P0D", "code": "until-withdrawal"}},
            "parties": {"controller": {"name": "Ville", "contact": "dpo@example.org", "url": "https://example.org"},
                        "subject": {"type": "resident", "id": "1"}},
            "events": [
                {"eventType": "given", "timestamp": "2026-01-01T10:00:00Z", "method": "quartier-web", "purposeVersion": "2.0"},
                {"eventType": "withdrawn", "timestamp": "2026-03-01T10:00:00Z", "method": "quartier-kiosk", "purposeVersion": "2.0"}
            ],
            "state": "withdrawn"
        })
    }

    #[test]
    fn reads_a_27560_record_and_round_trips() {
        let r: ConsentRecord = serde_json::from_value(record()).unwrap();
        assert_eq!(r.header.schema_version, SCHEMA_VERSION);
        assert_eq!(r.events.len(), 2);
        assert_eq!(
            r.latest_event().unwrap().event_type,
            ConsentEventType::Withdrawn
        );
        assert!(!r.is_granted());
        assert_eq!(serde_json::to_value(&r).unwrap(), record());
    }

    #[test]
    fn my_consents_and_purposes() {
        let mine: MyConsents = serde_json::from_value(json!({
            "current": [{"purposeId": "town-newsletter", "purposeVersion": "2.0", "state": "withdrawn",
                         "granted": false, "updatedAt": "2026-03-01T10:00:00Z", "recordId": "0b5e"},
                        {"purposeId": "research", "state": "none", "granted": false, "updatedAt": null, "recordId": null}],
            "records": [record()]
        }))
        .unwrap();
        assert_eq!(mine.current[1].state, ConsentState::None);
        assert!(mine.record("town-newsletter").is_some());
        let purposes: ConsentPurposes = serde_json::from_value(json!({"purposes": [{
            "id": "town-newsletter", "version": "2.0",
            "title": {"fr": "Lettre d'information de la ville", "en": "Town newsletter"},
            "description": {"fr": "…", "en": "…"},
            "controller": {"name": "Ville"}, "legalBasis": "consent",
            "dataCategories": ["contact-details"], "retention": {"duration": "P0D", "code": "until-withdrawal"},
            "thirdParty": null
        }]}))
        .unwrap();
        assert_eq!(
            purposes.purposes[0].title.get("en"),
            Some("Town newsletter")
        );
        assert_eq!(
            serde_json::to_value(ConsentChange {
                granted: true,
                language: None
            })
            .unwrap(),
            json!({"granted": true})
        );
        let change: ConsentChange =
            serde_json::from_value(json!({"granted": false, "language": "en"})).unwrap();
        assert_eq!(change.language.as_deref(), Some("en"));
        assert!(serde_json::from_value::<ConsentChange>(json!({"granted": true, "x": 1})).is_err());
        let renew: ConsentStatus = serde_json::from_value(json!({
            "purposeId": "town-newsletter", "purposeVersion": "3.0", "state": "given",
            "granted": false, "consentedVersion": "2.0", "renewalNeeded": true
        }))
        .unwrap();
        assert!(renew.renewal_needed);
        assert_eq!(renew.consented_version.as_deref(), Some("2.0"));
        let old: ConsentStatus = serde_json::from_value(json!({
            "purposeId": "x", "state": "none", "granted": false
        }))
        .unwrap();
        assert!(!old.renewal_needed);
    }
}
