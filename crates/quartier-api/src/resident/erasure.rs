//! `POST /api/v1/me/erasure-requests` (GDPR art. 17) and the list of past requests.

use crate::datetime::Timestamp;
use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};

/// Longest `reason` accepted, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// The body of a new erasure request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewErasureRequest {
    /// Category ids to erase; empty (or `null`, or missing) means every category.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub categories: Vec<String>,
    /// Why, in the resident's words (optional, ≤ [`MAX_REASON_CHARS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// An erasure request as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErasureRequest {
    /// Its id.
    #[serde(deserialize_with = "super::id_text")]
    pub id: String,
    /// Where it stands.
    pub status: ErasureStatus,
    /// When it was made.
    pub created_at: Timestamp,
    /// Categories asked for (empty = all).
    #[serde(default)]
    pub categories: Vec<String>,
    /// The resident's reason.
    #[serde(default)]
    pub reason: Option<String>,
}

text_enum! {
    /// Where an erasure request stands (a person at the town handles it).
    pub enum ErasureStatus {
        /// Recorded, not yet looked at.
        Received = "received",
        /// Being handled.
        InProgress = "inProgress",
        /// Done.
        Completed = "completed",
        /// Refused (e.g. data the town must keep by law).
        Rejected = "rejected",
    }
}

/// `GET /api/v1/me/erasure-requests`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureRequests {
    /// Newest first.
    pub items: Vec<ErasureRequest>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes() {
        let all = NewErasureRequest::default();
        assert_eq!(
            serde_json::to_value(&all).unwrap(),
            json!({"categories": []})
        );
        let r: ErasureRequest = serde_json::from_value(json!({
            "id": "5b1c…", "status": "inProgress", "createdAt": "2026-11-28T10:00:00Z",
            "categories": ["water-meter-readings"], "reason": null
        }))
        .unwrap();
        assert_eq!(r.status, ErasureStatus::InProgress);
        let list: ErasureRequests = serde_json::from_value(json!({"items": []})).unwrap();
        assert!(list.items.is_empty());
        for all in [
            json!({}),
            json!({"categories": null}),
            json!({"categories": []}),
        ] {
            let body: NewErasureRequest = serde_json::from_value(all).unwrap();
            assert!(body.categories.is_empty());
        }
        assert!(serde_json::from_value::<NewErasureRequest>(json!({"scope": "all"})).is_err());
    }
}
