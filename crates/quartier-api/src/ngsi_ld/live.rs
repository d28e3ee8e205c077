//! The live stream of changes (`GET /api/v1/live?type=A,B`): server-sent events whose data is
//! an NGSI-LD Notification (CIM 009, 5.3.1), as a broker sends to a subscriber. The platform
//! writes it, the app reads it; both use these names and types.
//!
//! - `event: entities`, `id: <epoch>-<sequence>`: a Notification whose `data` holds the changed
//!   entities, normalized with short names; a deleted entity is `{id, type, deletedAt}`.
//! - `event: reset`, data `{"types": [...]}`: the changes since `since` (or `Last-Event-ID`) are
//!   no longer known (too old, or the platform restarted): reload those types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ParseError;

/// The stream's path on the platform.
pub const LIVE_PATH: &str = "/api/v1/live";
/// The SSE event of changes.
pub const ENTITIES_EVENT: &str = "entities";
/// The SSE event that asks the client to reload.
pub const RESET_EVENT: &str = "reset";
/// The query parameter of the entity types (comma-separated, at least one).
pub const TYPE_PARAM: &str = "type";
/// The query parameter of the last event id seen (a new `EventSource` cannot send
/// `Last-Event-ID`).
pub const SINCE_PARAM: &str = "since";
/// The `subscriptionId` of the stream's notifications (it is no stored subscription).
pub const LIVE_SUBSCRIPTION: &str = "urn:ngsi-ld:Subscription:live";

/// An NGSI-LD Notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// `urn:ngsi-ld:Notification:…`.
    pub id: String,
    /// Always `Notification`.
    #[serde(rename = "type", default = "notification_type")]
    pub kind: String,
    /// The subscription notified ([`LIVE_SUBSCRIPTION`] for the stream).
    #[serde(default)]
    pub subscription_id: String,
    /// When it was sent (RFC 3339).
    #[serde(default)]
    pub notified_at: String,
    /// The entities that changed.
    pub data: Vec<Value>,
}

fn notification_type() -> String {
    "Notification".to_owned()
}

/// The data of a `reset` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reset {
    /// The entity types to reload.
    pub types: Vec<String>,
}

/// Reads the data of an `entities` event.
pub fn parse_notification(data: &str) -> Result<Notification, ParseError> {
    serde_json::from_str(data).map_err(|e| ParseError::json("NGSI-LD notification", &e))
}

/// Whether an entity of a notification says it was deleted.
pub fn is_deleted(entity: &Value) -> bool {
    entity.get("deletedAt").is_some()
}

/// A sequence number that names its platform run: `<epoch>-<sequence>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventId {
    /// When that run of the platform started (ms since 1970).
    pub epoch: u64,
    /// The change's number in that run, from 1.
    pub sequence: u64,
}

impl EventId {
    /// Reads `<epoch>-<sequence>`; `None` for anything else.
    pub fn parse(text: &str) -> Option<EventId> {
        let (epoch, sequence) = text.trim().split_once('-')?;
        Some(EventId {
            epoch: epoch.parse().ok()?,
            sequence: sequence.parse().ok()?,
        })
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.epoch, self.sequence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn notifications_and_ids_read_back() {
        let n = parse_notification(
            &json!({"id": "urn:ngsi-ld:Notification:1", "type": "Notification",
                    "subscriptionId": LIVE_SUBSCRIPTION, "notifiedAt": "2026-12-02T10:00:00Z",
                    "data": [{"id": "urn:a", "type": "Streetlight", "deletedAt": "2026-12-02T10:00:00Z"}]})
            .to_string(),
        )
        .unwrap();
        assert_eq!(n.data.len(), 1);
        assert!(is_deleted(&n.data[0]));
        assert!(parse_notification("{\"id\": 1}").is_err());
        let id = EventId {
            epoch: 17,
            sequence: 4,
        };
        assert_eq!(EventId::parse(&id.to_string()), Some(id));
        assert_eq!(EventId::parse("4"), None);
    }
}
