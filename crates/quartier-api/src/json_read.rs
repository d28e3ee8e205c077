//! Tolerant field readers over a `serde_json::Value` object, with field paths in errors.
//!
//! Open311 JSON and Open311 XML (turned into the same `Value` shape by `open311::xml`) go
//! through these readers, so every tolerance lives in one place: ids and codes given as
//! strings or numbers, numbers and booleans given as strings, surrounding whitespace,
//! empty or null elements read as absent, one element where a list is expected.

use crate::datetime::Timestamp;
use crate::error::{ParseError, describe};
use serde_json::{Map, Value};

/// Reads the fields of one JSON object, naming `path.field` in every error.
pub(crate) struct Fields<'a> {
    pub(crate) document: &'static str,
    pub(crate) path: String,
    pub(crate) obj: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// `value` must be an object.
    pub(crate) fn new(
        document: &'static str,
        path: impl Into<String>,
        value: &'a Value,
    ) -> Result<Self, ParseError> {
        let path = path.into();
        match value.as_object() {
            Some(obj) => Ok(Fields {
                document,
                path,
                obj,
            }),
            None => Err(ParseError::shape(
                document,
                format!("an object at `{}`", display_path(&path)),
                describe(value),
            )),
        }
    }

    /// The path of one of this object's fields.
    pub(crate) fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value, with `null` read as absent.
    pub(crate) fn raw(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// Text from a string, number or boolean; trimmed; empty read as absent.
    pub(crate) fn text(&self, key: &str) -> Result<Option<String>, ParseError> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => scalar_text(v)
                .map(|s| Some(s).filter(|s| !s.is_empty()))
                .ok_or_else(|| {
                    ParseError::invalid(
                        self.document,
                        self.at(key),
                        format!("expected text, got {}", describe(v)),
                    )
                }),
        }
    }

    /// Like [`Fields::text`] but absent or empty is an error.
    pub(crate) fn required_text(&self, key: &str) -> Result<String, ParseError> {
        self.text(key)?
            .ok_or_else(|| ParseError::missing(self.document, self.at(key)))
    }

    /// A number, or a string holding one.
    pub(crate) fn number(&self, key: &str) -> Result<Option<f64>, ParseError> {
        let Some(text) = self.text(key)? else {
            return Ok(None);
        };
        match self.raw(key).and_then(Value::as_f64) {
            Some(n) => Ok(Some(n)),
            None => text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    ParseError::invalid(
                        self.document,
                        self.at(key),
                        format!("\"{text}\" is not a number"),
                    )
                }),
        }
    }

    /// A non-negative integer, or a string holding one.
    pub(crate) fn unsigned(&self, key: &str) -> Result<Option<u32>, ParseError> {
        let Some(n) = self.number(key)? else {
            return Ok(None);
        };
        if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) {
            // The range was checked just above, so the cast is exact.
            Ok(Some(n as u32))
        } else {
            Err(ParseError::invalid(
                self.document,
                self.at(key),
                format!("{n} is not a whole non-negative number"),
            ))
        }
    }

    /// A boolean, or `"true"`/`"false"`/`"1"`/`"0"`/`"yes"`/`"no"` in any case.
    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, ParseError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => {
                let Some(text) = scalar_text(v) else {
                    return Err(ParseError::invalid(
                        self.document,
                        self.at(key),
                        format!("expected true or false, got {}", describe(v)),
                    ));
                };
                match text.to_ascii_lowercase().as_str() {
                    "" => Ok(None),
                    "true" | "1" | "yes" => Ok(Some(true)),
                    "false" | "0" | "no" => Ok(Some(false)),
                    _ => Err(ParseError::invalid(
                        self.document,
                        self.at(key),
                        format!("\"{text}\" is not true or false"),
                    )),
                }
            }
        }
    }

    /// An RFC 3339 timestamp (see [`Timestamp::parse`]); empty read as absent.
    pub(crate) fn timestamp(&self, key: &str) -> Result<Option<Timestamp>, ParseError> {
        match self.text(key)? {
            None => Ok(None),
            Some(t) => Timestamp::parse(&t)
                .map(Some)
                .map_err(|e| ParseError::invalid(self.document, self.at(key), e.to_string())),
        }
    }

    /// The items of a list field. Accepts a JSON array, one object where a list is expected,
    /// and the XML shape `{"<item>": one-or-many}` (`<values><value>…</value></values>`).
    pub(crate) fn list(&self, key: &str, item: &str) -> Vec<&'a Value> {
        match self.raw(key) {
            None => Vec::new(),
            Some(v) => items(v, item),
        }
    }
}

/// The items of a list value: an array's elements; `{"<item>": x}` unwraps to `x`'s items;
/// any other single value is a one-item list; `null` is empty.
pub(crate) fn items<'a>(value: &'a Value, item: &str) -> Vec<&'a Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().filter(|v| !v.is_null()).collect(),
        Value::Object(o) if o.len() == 1 && o.contains_key(item) => match o.get(item) {
            Some(inner) => items(inner, item),
            None => Vec::new(),
        },
        other => vec![other],
    }
}

/// A scalar as trimmed text (numbers in their shortest JSON form); `None` for arrays/objects.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// Joins a path and an index: `services` + 2 → `services[2]`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "the top level"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_accepts_numbers_and_trims() {
        let v = json!({"a": 1, "b": " 001 ", "c": "", "d": null, "e": [1], "f": true});
        let f = Fields::new("doc", "x", &v).unwrap();
        assert_eq!(f.text("a").unwrap().as_deref(), Some("1"));
        assert_eq!(f.text("b").unwrap().as_deref(), Some("001"));
        assert_eq!(f.text("c").unwrap(), None);
        assert_eq!(f.text("d").unwrap(), None);
        assert_eq!(f.text("zz").unwrap(), None);
        assert_eq!(f.text("f").unwrap().as_deref(), Some("true"));
        let err = f.text("e").unwrap_err();
        assert_eq!(err.field(), Some("x.e"));
        assert_eq!(f.required_text("c").unwrap_err().field(), Some("x.c"));
    }

    #[test]
    fn numbers_and_booleans_from_strings() {
        let v = json!({"lat": "37.76", "n": 4, "bad": "north", "t": "TRUE", "z": "0", "o": "1"});
        let f = Fields::new("doc", "", &v).unwrap();
        assert_eq!(f.number("lat").unwrap(), Some(37.76));
        assert_eq!(f.number("n").unwrap(), Some(4.0));
        assert!(f.number("bad").is_err());
        assert_eq!(f.boolean("t").unwrap(), Some(true));
        assert_eq!(f.boolean("z").unwrap(), Some(false));
        assert_eq!(f.unsigned("o").unwrap(), Some(1));
        assert!(f.boolean("bad").is_err());
        assert_eq!(f.at("lat"), "lat");
    }

    #[test]
    fn lists_accept_every_wrapping() {
        let v = json!({
            "arr": [{"k": 1}, null, {"k": 2}],
            "one": {"k": 1},
            "xml": {"value": [{"k": 1}, {"k": 2}]},
            "xml1": {"value": {"k": 1}},
            "empty": null
        });
        let f = Fields::new("doc", "", &v).unwrap();
        assert_eq!(f.list("arr", "value").len(), 2);
        assert_eq!(f.list("one", "value").len(), 1);
        assert_eq!(f.list("xml", "value").len(), 2);
        assert_eq!(f.list("xml1", "value").len(), 1);
        assert!(f.list("empty", "value").is_empty());
        assert!(f.list("absent", "value").is_empty());
    }

    #[test]
    fn non_object_is_a_shape_error() {
        let err = Fields::new("doc", "", &json!([1])).err().unwrap();
        assert!(
            err.to_string().contains("an object at `the top level`"),
            "{err}"
        );
    }
}
