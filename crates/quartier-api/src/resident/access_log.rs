//! `GET /api/v1/me/access-log`: who read the resident's data, when, why, which category.

use super::my_data::Page;
use crate::datetime::Timestamp;
use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};

/// One read of the resident's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccessLogEntry {
    /// Entry id (numbers are read as text).
    #[serde(deserialize_with = "super::id_text")]
    pub id: String,
    /// When.
    pub timestamp: Timestamp,
    /// Who, broadly: the resident, a town agent, or an automated service.
    pub actor_type: ActorType,
    /// Who exactly (an agent's pseudonym or a service's code; `self`).
    pub agent: String,
    /// The reader's role code.
    #[serde(default)]
    pub role: String,
    /// Code of the service through which it was read.
    #[serde(default)]
    pub service: String,
    /// Why: a purpose code (`right-of-access`, `water-billing-and-leak-detection`).
    pub purpose: String,
    /// Which data category.
    pub category: String,
}

text_enum! {
    /// The kind of reader.
    pub enum ActorType {
        /// The resident themself.
        SelfAccess = "self",
        /// A person working for the town.
        Agent = "agent",
        /// An automated service.
        Service = "service",
    }
}

/// A page of the access log, newest first.
pub type AccessLogPage = Page<AccessLogEntry>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_writes_entries() {
        let page: AccessLogPage = serde_json::from_value(json!({
            "total": 1, "offset": 0, "limit": 50,
            "items": [{"id": 7, "timestamp": "2026-11-28T09:00:00Z", "actorType": "agent",
                       "agent": "agent-042", "role": "water-billing-clerk", "service": "water-utility",
                       "purpose": "water-billing-and-leak-detection", "category": "water-meter-readings"}]
        }))
        .unwrap();
        let e = &page.items[0];
        assert_eq!(e.id, "7");
        assert_eq!(e.actor_type, ActorType::Agent);
        let v = serde_json::to_value(e).unwrap();
        assert_eq!(v["actorType"], "agent");
        assert_eq!(ActorType::from_text("self"), ActorType::SelfAccess);
    }
}
