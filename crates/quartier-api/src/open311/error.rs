//! Open311 error bodies: `[{"code":403,"description":"…"}]`, or
//! `<errors><error><code>403</code><description>…</description></error></errors>`.

use crate::error::ParseError;
use crate::json_read::Fields;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// One error of an Open311 error list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    /// The code as sent: usually an HTTP status (`"403"`, `"404"`), kept as text because
    /// some servers send their own codes.
    pub code: String,
    /// What went wrong, as the server put it (never shown raw: the app translates by code).
    pub description: String,
}

impl Open311Error {
    /// A new error with an HTTP status code.
    pub fn new(status: u16, description: impl Into<String>) -> Self {
        Open311Error {
            code: status.to_string(),
            description: description.into(),
        }
    }

    /// The code as an HTTP status, when it is one.
    pub fn http_status(&self) -> Option<u16> {
        self.code.parse().ok()
    }

    pub(crate) fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
    ) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        Ok(Open311Error {
            code: f.required_text("code")?,
            description: f.text("description")?.unwrap_or_default(),
        })
    }
}

impl fmt::Display for Open311Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.description)
    }
}

/// Written as the spec shows it: a numeric `code` when it is a number.
impl Serialize for Open311Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Open311Error", 2)?;
        match self.http_status() {
            Some(n) => s.serialize_field("code", &n)?,
            None => s.serialize_field("code", &self.code)?,
        }
        s.serialize_field("description", &self.description)?;
        s.end()
    }
}

super::deserialize_via_value!(Open311Error, "Open311 error");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_or_text_codes() {
        let e = Open311Error::from_value(
            "doc",
            "",
            &json!({"code": 403, "description": "Invalid api_key"}),
        )
        .unwrap();
        assert_eq!(e.http_status(), Some(403));
        assert_eq!(e.to_string(), "403 Invalid api_key");
        let t = Open311Error::from_value(
            "doc",
            "",
            &json!({"code": "missing_field", "description": "x"}),
        )
        .unwrap();
        assert_eq!(t.http_status(), None);
        assert_eq!(
            serde_json::to_value(&t).unwrap()["code"],
            json!("missing_field")
        );
    }

    #[test]
    fn writes_numbers() {
        let e = Open311Error::new(400, "service_code is required");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"code": 400, "description": "service_code is required"})
        );
        let back: Open311Error = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}
