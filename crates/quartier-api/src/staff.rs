//! The staff API (`/api/v1/staff/…`): the town's agents move reports along, and Open311 then
//! shows it. Callers are staff accounts with a bearer token (`Authorization: Bearer …`) and
//! scopes; a resident's session cookie is never enough. Errors are the resident API's
//! ProblemDetails ([`crate::resident::ApiProblem`]) with the codes below or those of
//! [`crate::resident::codes`].
//!
//! `PATCH /api/v1/staff/requests/{id}` takes a [`RequestUpdate`] and answers the updated
//! request as Open311 shows it ([`crate::open311::ServiceRequest`]).

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::validation::{DESCRIPTION_MAX_CHARS, FieldError, FieldErrorCode};

/// The scope that lets a staff account change a request's status, notes and expected date.
pub const SCOPE_OPEN311_UPDATE: &str = "open311:update";

/// The machine codes of the staff API (besides `not_found`, `invalid_json`, `invalid_body`).
pub mod codes {
    /// No bearer token, or one that names no staff account (401).
    pub const INVALID_TOKEN: &str = "invalid_token";
    /// A valid token without the scope the route needs (403).
    pub const INSUFFICIENT_SCOPE: &str = "insufficient_scope";
    /// A body that changes nothing (400).
    pub const EMPTY_UPDATE: &str = "empty_update";
    /// A field's value is refused; `detail` lists `field: code` (400).
    pub const INVALID_FIELD: &str = "invalid_field";
}

/// The status a staff member can give (GeoReport v2 has these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UpdateStatus {
    /// Being handled.
    Open,
    /// Done; `status_notes` says how.
    Closed,
}

/// The body of `PATCH /api/v1/staff/requests/{id}`: each member optional, an absent (or `null`)
/// one is left as it is; `status_notes: ""` removes the notes. Unknown members are refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestUpdate {
    /// `open` or `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UpdateStatus>,
    /// What the town tells residents (shown as text, never as HTML), at most
    /// [`STATUS_NOTES_MAX_CHARS`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_notes: Option<String>,
    /// When the town expects to deal with it: RFC 3339 with a time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_datetime: Option<Timestamp>,
}

/// Longest `status_notes`, as long as a resident's description.
pub const STATUS_NOTES_MAX_CHARS: usize = DESCRIPTION_MAX_CHARS;

impl RequestUpdate {
    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.status_notes.is_none() && self.expected_datetime.is_none()
    }

    /// The problems of each field (empty when the update is acceptable).
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self
            .status_notes
            .as_ref()
            .is_some_and(|notes| notes.chars().count() > STATUS_NOTES_MAX_CHARS)
        {
            errors.push(FieldError::new("status_notes", FieldErrorCode::TooLong));
        }
        // A date without a zone is a different instant in every time zone.
        if self
            .expected_datetime
            .as_ref()
            .is_some_and(|at| at.offset_minutes().is_none())
        {
            errors.push(FieldError::new(
                "expected_datetime",
                FieldErrorCode::InvalidDatetime,
            ));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_each_member_optionally_and_refuses_the_unknown() {
        let full: RequestUpdate = serde_json::from_value(json!({
            "status": "closed", "status_notes": "Réparé.",
            "expected_datetime": "2026-12-03T09:00:00+01:00"
        }))
        .unwrap();
        assert_eq!(full.status, Some(UpdateStatus::Closed));
        assert!(full.validate().is_empty() && !full.is_empty());
        let none: RequestUpdate = serde_json::from_value(json!({})).unwrap();
        assert!(none.is_empty());
        let nulls: RequestUpdate =
            serde_json::from_value(json!({"status": null, "status_notes": null})).unwrap();
        assert!(nulls.is_empty());
        for bad in [
            json!({"status": "pending"}),
            json!({"status": "open", "resident_id": 1}),
            json!({"expected_datetime": "soon"}),
        ] {
            assert!(
                serde_json::from_value::<RequestUpdate>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            serde_json::to_value(&full).unwrap(),
            json!({"status": "closed", "status_notes": "Réparé.",
                   "expected_datetime": "2026-12-03T09:00:00+01:00"})
        );
    }

    #[test]
    fn long_notes_and_zoneless_dates_are_refused() {
        let update = RequestUpdate {
            status_notes: Some("é".repeat(STATUS_NOTES_MAX_CHARS + 1)),
            expected_datetime: Some(Timestamp::parse("2026-12-03T09:00").unwrap()),
            ..RequestUpdate::default()
        };
        let fields: Vec<String> = update
            .validate()
            .iter()
            .map(|e| format!("{}: {}", e.field, e.code))
            .collect();
        assert_eq!(
            fields,
            [
                "status_notes: too_long",
                "expected_datetime: invalid_datetime"
            ]
        );
        let at_limit = RequestUpdate {
            status_notes: Some("é".repeat(STATUS_NOTES_MAX_CHARS)),
            ..RequestUpdate::default()
        };
        assert!(at_limit.validate().is_empty());
    }
}
