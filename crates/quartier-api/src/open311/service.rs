//! `GET services.json` / `services.xml`: the categories a resident can report under.

use crate::error::ParseError;
use crate::json_read::Fields;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// One Open311 service (a report category).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    /// Unique code; always text (`"001"` keeps its zeros; a number `1` becomes `"1"`).
    pub service_code: String,
    /// Human-readable name, as the town wrote it.
    pub service_name: String,
    /// Longer explanation (trimmed; `None` when empty).
    pub description: Option<String>,
    /// True when `services/{code}` has a definition with extra attributes to ask for.
    pub metadata: bool,
    /// How requests are handled (`realtime`, `batch`, `blackbox`); `None` when not given.
    #[serde(rename = "type")]
    pub service_type: Option<ServiceType>,
    /// Keywords, split on commas, trimmed (`<keywords/>` gives an empty list).
    #[serde(serialize_with = "join_keywords")]
    pub keywords: Vec<String>,
    /// Group label, used to gather categories in the form.
    pub group: Option<String>,
}

/// How the server handles requests for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceType {
    /// A `service_request_id` comes back at once.
    Realtime,
    /// A `token` comes back; the id comes later through `tokens/{token}`.
    Batch,
    /// Nothing can be followed after posting.
    Blackbox,
    /// Anything else, kept as written (lower-cased).
    Other(String),
}

impl ServiceType {
    /// Reads a type name, case-insensitively.
    pub fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "realtime" => ServiceType::Realtime,
            "batch" => ServiceType::Batch,
            "blackbox" => ServiceType::Blackbox,
            other => ServiceType::Other(other.to_owned()),
        }
    }

    /// The name as the spec spells it.
    pub fn as_str(&self) -> &str {
        match self {
            ServiceType::Realtime => "realtime",
            ServiceType::Batch => "batch",
            ServiceType::Blackbox => "blackbox",
            ServiceType::Other(s) => s,
        }
    }
}

impl Serialize for ServiceType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Service {
    /// Reads one service from a JSON object (or the same shape built from XML).
    pub(crate) fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
    ) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        let keywords = match f.raw("keywords") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(crate::json_read::scalar_text)
                .filter(|k| !k.is_empty())
                .collect(),
            _ => split_keywords(f.text("keywords")?.as_deref().unwrap_or("")),
        };
        Ok(Service {
            service_code: f.required_text("service_code")?,
            service_name: f.required_text("service_name")?,
            description: f.text("description")?,
            metadata: f.boolean("metadata")?.unwrap_or(false),
            service_type: f.text("type")?.map(|t| ServiceType::from_name(&t)),
            keywords,
            group: f.text("group")?,
        })
    }
}

fn split_keywords(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

fn join_keywords<S: Serializer>(keywords: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    if keywords.is_empty() {
        serializer.serialize_none()
    } else {
        serializer.serialize_str(&keywords.join(", "))
    }
}

super::deserialize_via_value!(Service, "Open311 service");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_or_number_codes() {
        let s = Service::from_value("doc", "s", &json!({"service_code": 1, "service_name": "A"}))
            .unwrap();
        assert_eq!(s.service_code, "1");
        let s = Service::from_value(
            "doc",
            "s",
            &json!({"service_code": "001", "service_name": "A"}),
        )
        .unwrap();
        assert_eq!(s.service_code, "001");
        let s = Service::from_value(
            "doc",
            "s",
            &json!({"service_code": "CSROWR-12", "service_name": "Pot hole"}),
        )
        .unwrap();
        assert_eq!(s.service_code, "CSROWR-12");
        assert!(!s.metadata);
        assert_eq!(s.service_type, None);
    }

    #[test]
    fn keywords_and_trimming() {
        let s = Service::from_value(
            "doc",
            "",
            &json!({
                "service_code": "002", "service_name": " Plate ", "description": "Moved.\n",
                "metadata": "true", "type": "Realtime", "keywords": "lorem, ipsum,dolor",
                "group": ""
            }),
        )
        .unwrap();
        assert_eq!(s.service_name, "Plate");
        assert_eq!(s.description.as_deref(), Some("Moved."));
        assert!(s.metadata);
        assert_eq!(s.service_type, Some(ServiceType::Realtime));
        assert_eq!(s.keywords, ["lorem", "ipsum", "dolor"]);
        assert_eq!(s.group, None);
        let from_array = Service::from_value(
            "doc",
            "",
            &json!({"service_code": "1", "service_name": "n", "keywords": ["a", " b "]}),
        )
        .unwrap();
        assert_eq!(from_array.keywords, ["a", "b"]);
    }

    #[test]
    fn missing_code_names_the_field() {
        let err = Service::from_value(
            "Open311 services (JSON)",
            "services[4]",
            &json!({"service_name": "x"}),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Open311 services (JSON): `services[4].service_code` is required but is missing or empty"
        );
    }

    #[test]
    fn writes_the_spec_shape() {
        let s = Service {
            service_code: "001".into(),
            service_name: "Cans".into(),
            description: None,
            metadata: true,
            service_type: Some(ServiceType::Realtime),
            keywords: vec!["a".into(), "b".into()],
            group: Some("sanitation".into()),
        };
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"service_code":"001","service_name":"Cans","description":null,"metadata":true,
                   "type":"realtime","keywords":"a, b","group":"sanitation"})
        );
        let back: Service = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}
