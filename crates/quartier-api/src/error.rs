//! The one error type of every parser in this crate.
//!
//! Each variant names the document being read (e.g. "Open311 services (XML)"), the field path
//! inside it (e.g. `services[3].service_code`) and why it was refused, so a log line is enough
//! to find the culprit. The crate does no I/O, so the *file* or URL is the caller's to add.

/// Why a payload could not be turned into the clean model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body is not JSON at all.
    #[error("{document}: not valid JSON: {message} (line {line}, column {column})")]
    Json {
        /// What was being read.
        document: &'static str,
        /// serde_json's explanation.
        message: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },
    /// The body is not well-formed XML.
    #[error("{document}: not well-formed XML: {message}")]
    Xml {
        /// What was being read.
        document: &'static str,
        /// quick-xml's explanation, with the byte offset.
        message: String,
    },
    /// The document has the wrong overall shape (e.g. an object where a list is expected,
    /// or an `<errors>` root where `<services>` is expected).
    #[error("{document}: expected {expected}, found {found}")]
    Shape {
        /// What was being read.
        document: &'static str,
        /// What the parser accepts.
        expected: String,
        /// What it got instead.
        found: String,
    },
    /// A field the specification requires is absent, null or empty.
    #[error("{document}: `{field}` is required but is missing or empty")]
    Missing {
        /// What was being read.
        document: &'static str,
        /// Path of the field, e.g. `services[2].service_code`.
        field: String,
    },
    /// A field is present but its value cannot be accepted.
    #[error("{document}: `{field}`: {reason}")]
    Invalid {
        /// What was being read.
        document: &'static str,
        /// Path of the field.
        field: String,
        /// Why it was refused.
        reason: String,
    },
}

impl ParseError {
    /// Builds a [`ParseError::Json`] from serde_json's error.
    pub(crate) fn json(document: &'static str, err: &serde_json::Error) -> Self {
        ParseError::Json {
            document,
            message: err.to_string(),
            line: err.line(),
            column: err.column(),
        }
    }

    /// Builds a [`ParseError::Invalid`].
    pub(crate) fn invalid(
        document: &'static str,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ParseError::Invalid {
            document,
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Builds a [`ParseError::Missing`].
    pub(crate) fn missing(document: &'static str, field: impl Into<String>) -> Self {
        ParseError::Missing {
            document,
            field: field.into(),
        }
    }

    /// Builds a [`ParseError::Shape`].
    pub(crate) fn shape(
        document: &'static str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        ParseError::Shape {
            document,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// The document kind named in the error.
    pub fn document(&self) -> &'static str {
        match self {
            ParseError::Json { document, .. }
            | ParseError::Xml { document, .. }
            | ParseError::Shape { document, .. }
            | ParseError::Missing { document, .. }
            | ParseError::Invalid { document, .. } => document,
        }
    }

    /// The field path named in the error, if it is about one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            ParseError::Missing { field, .. } | ParseError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Describes a JSON value's kind in an error message ("an array", "the string \"x\"").
pub(crate) fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            if short.len() < s.len() {
                format!("the string \"{short}…\"")
            } else {
                format!("the string \"{short}\"")
            }
        }
        Value::Array(a) => format!("an array of {} item(s)", a.len()),
        Value::Object(o) => {
            let keys: Vec<&str> = o.keys().take(6).map(String::as_str).collect();
            format!("an object with keys [{}]", keys.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_document_field_and_reason() {
        let e = ParseError::invalid(
            "Open311 services (JSON)",
            "services[2].service_code",
            "is an object",
        );
        assert_eq!(
            e.to_string(),
            "Open311 services (JSON): `services[2].service_code`: is an object"
        );
        assert_eq!(e.field(), Some("services[2].service_code"));
        assert_eq!(e.document(), "Open311 services (JSON)");
        let m = ParseError::missing("doc", "a.b");
        assert_eq!(
            m.to_string(),
            "doc: `a.b` is required but is missing or empty"
        );
    }

    #[test]
    fn json_error_keeps_position() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": 001\n}").unwrap_err();
        let e = ParseError::json("doc", &err);
        match e {
            ParseError::Json { line, .. } => assert_eq!(line, 2),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn describe_is_short() {
        assert_eq!(describe(&serde_json::json!(null)), "null");
        assert_eq!(
            describe(&serde_json::json!([1, 2])),
            "an array of 2 item(s)"
        );
        assert!(describe(&serde_json::json!("x".repeat(100))).ends_with("…\""));
    }
}
