//! Resident API errors: RFC 9457 ProblemDetails plus a machine `code` the app translates,
//! and, for validation failures, the per-field errors of [`crate::validation`].

use crate::validation::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An error body of the resident API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiProblem {
    /// Problem type URI (`about:blank` unless more specific).
    #[serde(rename = "type", default = "about_blank")]
    pub problem_type: String,
    /// The HTTP reason phrase.
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// Stable snake_case code (see [`codes`]); what the app translates.
    pub code: String,
    /// Explanation for developers; never shown as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Per-field validation errors, when `code` is `validation_failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl ApiProblem {
    /// A problem with a status, its reason phrase as title, and a code.
    pub fn new(status: u16, title: impl Into<String>, code: impl Into<String>) -> Self {
        ApiProblem {
            problem_type: about_blank(),
            title: title.into(),
            status,
            code: code.into(),
            detail: None,
            errors: Vec::new(),
        }
    }

    /// A 422 carrying field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        ApiProblem {
            errors,
            ..ApiProblem::new(422, "Unprocessable Entity", codes::VALIDATION_FAILED)
        }
    }
}

impl fmt::Display for ApiProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.code)
    }
}

/// The machine codes the platform sends today (the app needs a translation for each).
pub mod codes {
    /// Wrong email or password.
    pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
    /// The session timed out.
    pub const SESSION_EXPIRED: &str = "session_expired";
    /// Nobody is signed in.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// Missing or wrong `X-CSRF-Token`.
    pub const CSRF_MISMATCH: &str = "csrf_mismatch";
    /// A state-changing call from another site.
    pub const ORIGIN_MISMATCH: &str = "origin_mismatch";
    /// Too many sign-in attempts; see `Retry-After`.
    pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
    /// Too many requests from this client (an anonymous area's rate); see `Retry-After`.
    pub const TOO_MANY_REQUESTS: &str = "too_many_requests";
    /// The body is not JSON.
    pub const INVALID_JSON: &str = "invalid_json";
    /// The body has the wrong shape.
    pub const INVALID_BODY: &str = "invalid_body";
    /// Field errors in `errors`.
    pub const VALIDATION_FAILED: &str = "validation_failed";
    /// No such category.
    pub const UNKNOWN_CATEGORY: &str = "unknown_category";
    /// A list's filter (`from`, `to`, `actorType` of the access log) is not a value it takes;
    /// `detail` starts with the parameter's name.
    pub const INVALID_FILTER: &str = "invalid_filter";
    /// Erasure reason too long.
    pub const REASON_TOO_LONG: &str = "reason_too_long";
    /// No such resource.
    pub const NOT_FOUND: &str = "not_found";
    /// Something failed on the server.
    pub const INTERNAL: &str = "internal";
    /// The platform is overloaded or cannot answer now; see `Retry-After` when it is sent.
    pub const UNAVAILABLE: &str = "unavailable";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::FieldErrorCode;
    use serde_json::json;

    #[test]
    fn reads_platform_errors() {
        let p: ApiProblem = serde_json::from_value(json!({
            "type": "about:blank", "title": "Unauthorized", "status": 401, "code": "invalid_credentials"
        }))
        .unwrap();
        assert_eq!(p.code, codes::INVALID_CREDENTIALS);
        assert!(p.errors.is_empty());
        assert_eq!(p.to_string(), "401 invalid_credentials");
    }

    #[test]
    fn writes_field_errors() {
        let p = ApiProblem::validation(vec![FieldError::new(
            "description",
            FieldErrorCode::TooLong,
        )]);
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422,
                   "code": "validation_failed", "errors": [{"field": "description", "code": "too_long"}]})
        );
    }
}
