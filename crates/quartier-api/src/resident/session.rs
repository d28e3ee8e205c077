//! `/api/v1/session`: sign in (`POST`), who is signed in (`GET`), sign out (`DELETE`).
//!
//! The SPA never holds a token: the session is an `HttpOnly` cookie; what the app keeps is
//! the CSRF token to echo in [`super::CSRF_HEADER`] on state-changing calls.

use crate::datetime::Timestamp;
use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `POST /api/v1/session` body.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// The resident's email.
    pub email: String,
    /// The password (never printed by `Debug`).
    pub password: String,
}

impl fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInRequest")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `GET /api/v1/session` (and the answer to a sign-in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Whether someone is signed in.
    pub authenticated: bool,
    /// Why nobody is signed in any more, when the server knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SessionEndReason>,
    /// Who is signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident: Option<SessionResident>,
    /// The token to send back in `X-CSRF-Token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// The header name to use (always `X-CSRF-Token` here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_header: Option<String>,
    /// When the session ends at the latest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Inactivity after which the session ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<u64>,
}

text_enum! {
    /// Why a session is gone.
    pub enum SessionEndReason {
        /// The idle or absolute timeout passed.
        SessionExpired = "session_expired",
    }
}

/// The signed-in resident, as the session shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionResident {
    /// Opaque id (numbers are read as text).
    #[serde(deserialize_with = "super::id_text")]
    pub id: String,
    /// Email.
    pub email: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Preferred UI language (`fr`, `en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
}

impl SessionInfo {
    /// The CSRF token, when signed in.
    pub fn csrf(&self) -> Option<&str> {
        self.csrf_token.as_deref().filter(|_| self.authenticated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_platform_shapes() {
        let signed_in: SessionInfo = serde_json::from_value(json!({
            "authenticated": true,
            "resident": {"id": 1, "email": "camille.martin@example.org", "name": "Camille Martin", "preferredLanguage": "fr"},
            "csrfToken": "abc", "csrfHeader": "X-CSRF-Token",
            "expiresAt": "2026-11-28T12:00:00Z", "idleTimeoutSeconds": 1800
        }))
        .unwrap();
        assert_eq!(signed_in.csrf(), Some("abc"));
        assert_eq!(signed_in.resident.as_ref().unwrap().id, "1");
        let expired: SessionInfo =
            serde_json::from_value(json!({"authenticated": false, "reason": "session_expired"}))
                .unwrap();
        assert_eq!(expired.reason, Some(SessionEndReason::SessionExpired));
        assert_eq!(expired.csrf(), None);
        assert_eq!(
            serde_json::to_value(&expired).unwrap(),
            json!({"authenticated": false, "reason": "session_expired"})
        );
    }

    #[test]
    fn password_is_not_printed() {
        let r = SignInRequest {
            email: "a@b.fr".into(),
            password: "quartier-demo".into(),
        };
        assert!(!format!("{r:?}").contains("quartier-demo"));
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"email": "a@b.fr", "password": "quartier-demo"})
        );
    }
}
