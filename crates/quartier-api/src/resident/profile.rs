//! `GET /api/v1/me` (the profile) and `GET /api/v1/me/reports` (my Open311 requests).

use super::erasure::ErasureRequest;
use super::my_data::Page;
use crate::datetime::Timestamp;
use crate::geo::LonLat;
use crate::open311::ServiceRequest;
use serde::{Deserialize, Serialize};

/// The signed-in resident's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Opaque id (numbers are read as text).
    #[serde(deserialize_with = "super::id_text")]
    pub id: String,
    /// Email.
    pub email: String,
    /// Name parts.
    pub name: PersonName,
    /// Phone, if known.
    #[serde(default)]
    pub phone: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<Address>,
    /// District code.
    #[serde(default)]
    pub district: Option<String>,
    /// Since when the town knows the resident (a date).
    #[serde(default)]
    pub resident_since: Option<Timestamp>,
    /// Preferred UI language.
    #[serde(default)]
    pub preferred_language: Option<String>,
    /// Erasure requests made so far.
    #[serde(default)]
    pub erasure_requests: Vec<ErasureRequest>,
}

/// A person's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonName {
    /// First name.
    #[serde(default)]
    pub given: String,
    /// Last name.
    #[serde(default)]
    pub family: String,
    /// As displayed.
    #[serde(default)]
    pub full: String,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    /// One-line address.
    #[serde(default)]
    pub label: String,
    /// District code.
    #[serde(default)]
    pub district: Option<String>,
    /// Where it is (`{"lat", "lon"}`).
    #[serde(default)]
    pub location: Option<LonLat>,
}

/// `GET /api/v1/me/reports`: the resident's Open311 requests, newest first.
pub type ReportsPage = Page<ServiceRequest>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_platform_profile() {
        let p: Profile = serde_json::from_value(json!({
            "id": 1, "email": "camille.martin@example.org",
            "name": {"given": "Camille", "family": "Martin", "full": "Camille Martin"},
            "phone": null,
            "address": {"label": "3 rue des Tilleuls", "district": "centre", "location": {"lat": 47.5, "lon": 1.3}},
            "district": "centre", "residentSince": "2019-04-01", "preferredLanguage": "fr",
            "erasureRequests": []
        }))
        .unwrap();
        assert_eq!(p.id, "1");
        assert_eq!(
            p.address.as_ref().unwrap().location,
            Some(LonLat {
                lon: 1.3,
                lat: 47.5
            })
        );
        assert_eq!(p.resident_since.as_ref().unwrap().as_str(), "2019-04-01");
    }

    #[test]
    fn reads_my_reports() {
        let page: ReportsPage = serde_json::from_value(json!({
            "total": 1, "offset": 0, "limit": 50,
            "items": [{"service_request_id": "12", "service_code": "streetlight", "status": "open",
                       "requested_datetime": "2026-11-01T10:00:00Z", "lat": 47.5, "long": 1.3,
                       "media_url": null}]
        }))
        .unwrap();
        assert_eq!(page.items[0].service_request_id, "12");
        assert_eq!(
            page.items[0].position,
            Some(LonLat {
                lon: 1.3,
                lat: 47.5
            })
        );
    }
}
