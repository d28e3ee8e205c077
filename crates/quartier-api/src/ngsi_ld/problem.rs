//! NGSI-LD errors: RFC 7807 ProblemDetails with ETSI error type URIs (GS CIM 009 §5.5.2).

use crate::error::ParseError;
use crate::json_read::Fields;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// The prefix of every ETSI NGSI-LD error type URI.
pub const ERROR_TYPE_PREFIX: &str = "https://uri.etsi.org/ngsi-ld/errors/";

/// Media type of error bodies.
pub const PROBLEM_CONTENT_TYPE: &str = "application/json";

/// The error types of NGSI-LD (plus those brokers use for content negotiation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorType {
    /// Malformed request (bad query syntax…), 400.
    InvalidRequest,
    /// Well-formed but unacceptable data (e.g. a limit over the cap), 400.
    BadRequestData,
    /// The entity already exists, 409.
    AlreadyExists,
    /// The operation is not supported, 422.
    OperationNotSupported,
    /// No such entity/resource, 404.
    ResourceNotFound,
    /// The broker failed, 500.
    InternalError,
    /// The query is too complex, 403.
    TooComplexQuery,
    /// Too many results (e.g. `limit` above the broker's cap), 403.
    TooManyResults,
    /// A JSON-LD context could not be fetched, 503.
    LdContextNotAvailable,
    /// Multi-tenancy is not supported, 501.
    NoMultiTenantSupport,
    /// The tenant does not exist, 404.
    NonexistentTenant,
    /// The `Accept` header cannot be satisfied, 406.
    NotAcceptable,
    /// The `Content-Type` is not supported, 415.
    UnsupportedMediaType,
    /// Any other type URI, kept as given.
    Other(String),
}

const KNOWN: [(&str, ErrorType, u16); 13] = [
    ("InvalidRequest", ErrorType::InvalidRequest, 400),
    ("BadRequestData", ErrorType::BadRequestData, 400),
    ("AlreadyExists", ErrorType::AlreadyExists, 409),
    (
        "OperationNotSupported",
        ErrorType::OperationNotSupported,
        422,
    ),
    ("ResourceNotFound", ErrorType::ResourceNotFound, 404),
    ("InternalError", ErrorType::InternalError, 500),
    ("TooComplexQuery", ErrorType::TooComplexQuery, 403),
    ("TooManyResults", ErrorType::TooManyResults, 403),
    (
        "LdContextNotAvailable",
        ErrorType::LdContextNotAvailable,
        503,
    ),
    ("NoMultiTenantSupport", ErrorType::NoMultiTenantSupport, 501),
    ("NonexistentTenant", ErrorType::NonexistentTenant, 404),
    ("NotAcceptable", ErrorType::NotAcceptable, 406),
    ("UnsupportedMediaType", ErrorType::UnsupportedMediaType, 415),
];

impl ErrorType {
    /// Reads a type: the full ETSI URI, or its short name (some brokers send that).
    pub fn from_uri(uri: &str) -> Self {
        let uri = uri.trim();
        let short = uri.strip_prefix(ERROR_TYPE_PREFIX).unwrap_or(uri);
        KNOWN
            .iter()
            .find(|(name, _, _)| *name == short)
            .map(|(_, t, _)| t.clone())
            .unwrap_or_else(|| ErrorType::Other(uri.to_owned()))
    }

    /// The full type URI.
    pub fn uri(&self) -> String {
        match self {
            ErrorType::Other(uri) => uri.clone(),
            known => format!("{ERROR_TYPE_PREFIX}{}", known.short_name()),
        }
    }

    /// The short name (`ResourceNotFound`), or the URI of an unknown type.
    pub fn short_name(&self) -> &str {
        match self {
            ErrorType::Other(uri) => uri,
            known => KNOWN
                .iter()
                .find(|(_, t, _)| t == known)
                .map_or("", |(name, _, _)| name),
        }
    }

    /// The HTTP status the spec pairs with this type (500 for unknown types).
    pub fn http_status(&self) -> u16 {
        KNOWN
            .iter()
            .find(|(_, t, _)| t == self)
            .map_or(500, |(_, _, s)| *s)
    }
}

/// An NGSI-LD error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemDetails {
    /// What kind of error.
    pub error_type: ErrorType,
    /// Short summary.
    pub title: Option<String>,
    /// HTTP status, when the body says.
    pub status: Option<u16>,
    /// Explanation for developers (never shown to residents: the app translates by type).
    pub detail: Option<String>,
    /// The request it is about.
    pub instance: Option<String>,
}

impl ProblemDetails {
    /// A problem of this type with its usual status and a detail.
    pub fn new(error_type: ErrorType, detail: impl Into<String>) -> Self {
        let status = error_type.http_status();
        ProblemDetails {
            title: Some(error_type.short_name().to_owned()),
            error_type,
            status: Some(status),
            detail: Some(detail.into()),
            instance: None,
        }
    }

    /// Reads an error body. A missing `type` reads as `about:blank` (RFC 7807's default).
    pub fn parse(body: &str) -> Result<Self, ParseError> {
        const DOC: &str = "NGSI-LD ProblemDetails";
        let value: Value = serde_json::from_str(body).map_err(|e| ParseError::json(DOC, &e))?;
        ProblemDetails::from_value(DOC, &value)
    }

    /// Reads an error body answered with HTTP `status`. The body's own `status` member wins;
    /// without one the response's is kept, so that a type this crate does not know (e.g.
    /// Orion-LD's `…/errors/NonExistingTenant`) keeps the status the broker sent instead of
    /// the 500 [`ErrorType::http_status`] guesses for it.
    pub fn parse_with_status(body: &str, status: u16) -> Result<Self, ParseError> {
        let mut problem = ProblemDetails::parse(body)?;
        problem.status = problem.status.or(Some(status));
        Ok(problem)
    }

    pub(crate) fn from_value(document: &'static str, value: &Value) -> Result<Self, ParseError> {
        let f = Fields::new(document, "", value)?;
        let status = match f.unsigned("status")? {
            Some(s) => Some(u16::try_from(s).map_err(|_| {
                ParseError::invalid(document, "status", format!("{s} is not an HTTP status"))
            })?),
            None => None,
        };
        Ok(ProblemDetails {
            error_type: ErrorType::from_uri(f.text("type")?.as_deref().unwrap_or("about:blank")),
            title: f.text("title")?,
            status,
            detail: f.text("detail")?,
            instance: f.text("instance")?,
        })
    }

    /// The status to answer with: the body's (or the response's, with
    /// [`ProblemDetails::parse_with_status`]), else the type's.
    pub fn http_status(&self) -> u16 {
        self.status.unwrap_or_else(|| self.error_type.http_status())
    }
}

impl fmt::Display for ProblemDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({})",
            self.error_type.short_name(),
            self.http_status()
        )?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl Serialize for ProblemDetails {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", &self.error_type.uri())?;
        if let Some(t) = &self.title {
            m.serialize_entry("title", t)?;
        }
        if let Some(s) = &self.status {
            m.serialize_entry("status", s)?;
        }
        if let Some(d) = &self.detail {
            m.serialize_entry("detail", d)?;
        }
        if let Some(i) = &self.instance {
            m.serialize_entry("instance", i)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for ProblemDetails {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        ProblemDetails::from_value("NGSI-LD ProblemDetails", &value)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_known_type_round_trips() {
        for (name, t, status) in KNOWN {
            let uri = format!("{ERROR_TYPE_PREFIX}{name}");
            assert_eq!(ErrorType::from_uri(&uri), t);
            assert_eq!(ErrorType::from_uri(name), t);
            assert_eq!(t.uri(), uri);
            assert_eq!(t.http_status(), status);
        }
        assert_eq!(
            ErrorType::from_uri("https://example.org/x"),
            ErrorType::Other("https://example.org/x".into())
        );
    }

    #[test]
    fn parses_broker_bodies() {
        let p = ProblemDetails::parse(
            r#"{"type":"https://uri.etsi.org/ngsi-ld/errors/TooManyResults","title":"Too many results","status":403,"detail":"limit 1000 > 100"}"#,
        )
        .unwrap();
        assert_eq!(p.error_type, ErrorType::TooManyResults);
        assert_eq!(p.http_status(), 403);
        assert_eq!(p.to_string(), "TooManyResults (403): limit 1000 > 100");
        let minimal = ProblemDetails::parse(r#"{"type":"ResourceNotFound"}"#).unwrap();
        assert_eq!(minimal.http_status(), 404);
        assert!(ProblemDetails::parse("not json").is_err());
        assert!(ProblemDetails::parse(r#"{"status": 99999}"#).is_err());
    }

    #[test]
    fn writes_full_uris() {
        let p = ProblemDetails::new(ErrorType::BadRequestData, "limit must be ≤ 100");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            json!({"type": "https://uri.etsi.org/ngsi-ld/errors/BadRequestData",
                   "title": "BadRequestData", "status": 400, "detail": "limit must be ≤ 100"})
        );
        let back: ProblemDetails = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn unknown_types_keep_the_response_status() {
        // Orion-LD's spelling; CIM 009 says NonexistentTenant. No `status` member.
        let body = r#"{"type":"https://uri.etsi.org/ngsi-ld/errors/NonExistingTenant","title":"No such tenant","detail":"belleville"}"#;
        let p = ProblemDetails::parse_with_status(body, 404).unwrap();
        assert_eq!(
            p.error_type,
            ErrorType::Other("https://uri.etsi.org/ngsi-ld/errors/NonExistingTenant".into())
        );
        assert_eq!(p.http_status(), 404, "the response's, not a guess");
        assert_eq!(
            ProblemDetails::parse(body).unwrap().http_status(),
            500,
            "the guess"
        );
        let other =
            ProblemDetails::parse_with_status(r#"{"type":"https://example.org/quota"}"#, 429);
        assert_eq!(other.unwrap().http_status(), 429);
        // The body's own status wins over the response's (a proxy may rewrite the latter).
        let own =
            ProblemDetails::parse_with_status(r#"{"type":"ResourceNotFound","status":404}"#, 502);
        assert_eq!(own.unwrap().http_status(), 404);
        let known = ProblemDetails::parse_with_status(r#"{"type":"ResourceNotFound"}"#, 410);
        assert_eq!(known.unwrap().http_status(), 410, "what was answered");
        assert!(ProblemDetails::parse_with_status("<html>", 502).is_err());
    }
}
