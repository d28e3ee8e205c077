//! `GET /api/v1/me/export` (GDPR art. 15 and 20): everything, as one JSON download, described
//! by the JSON Schema the platform publishes at `GET /api/v1/schemas/export.json` (derived from
//! these types, like the OpenAPI document).
//!
//! Nothing is written twice in the document: the profile is the one record of the `identity`
//! category, the consent records with every give, refusal and withdrawal event (the same
//! records as `GET /api/v1/me/consents`) are the `consents` category's, the reports the
//! `issue-reports` category's.

use super::access_log::AccessLogEntry;
use super::consent::Controller;
use super::erasure::ErasureRequest;
use super::my_data::DataCategory;
use crate::datetime::Timestamp;
use serde::{Deserialize, Serialize};

/// Everything the platform holds about one resident, as `GET /api/v1/me/export` downloads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// When it was made.
    pub exported_at: Timestamp,
    /// Who holds the data.
    pub controller: Controller,
    /// Every category with all its records (the profile, the consent records with their
    /// history and the reports among them).
    pub categories: Vec<DataCategory>,
    /// The whole access log, newest first (the export's own read included).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub access_log: Vec<AccessLogEntry>,
    /// Every erasure request, newest first.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub erasure_requests: Vec<ErasureRequest>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip() {
        let e: Export = serde_json::from_value(json!({
            "exportedAt": "2026-11-28T10:00:00Z",
            "controller": {"name": "Ville de Belleville-sur-Loire (démo)", "contact": "dpo@example.org", "url": "https://example.org"},
            "categories": [], "accessLog": [], "erasureRequests": []
        }))
        .unwrap();
        assert_eq!(e.controller.name, "Ville de Belleville-sur-Loire (démo)");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["exportedAt"], "2026-11-28T10:00:00Z");
        assert!(v["accessLog"].is_array());
    }
}
