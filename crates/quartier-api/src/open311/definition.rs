//! `GET services/{code}.json`: the extra questions a category asks (its attributes).

use crate::error::ParseError;
use crate::json_read::{Fields, index};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// The definition of one service: which attributes a report must or may carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceDefinition {
    /// The service these attributes belong to.
    pub service_code: String,
    /// The questions, in document order (see [`ServiceDefinition::ordered_attributes`]).
    pub attributes: Vec<ServiceAttribute>,
}

/// One question of a service definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceAttribute {
    /// False for a read-only note shown to the resident (no answer is sent).
    pub variable: bool,
    /// The code used in `attribute[CODE]` when posting.
    pub code: String,
    /// Which kind of answer is expected.
    pub datatype: Datatype,
    /// Whether an answer is mandatory.
    pub required: bool,
    /// Extra guidance on the expected format.
    pub datatype_description: Option<String>,
    /// Display order (smaller first).
    pub order: Option<u32>,
    /// The question itself.
    pub description: Option<String>,
    /// The choices of a single- or multi-value list (empty for other datatypes).
    pub values: Vec<AttributeValue>,
}

/// One choice of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeValue {
    /// What is sent back (`"123"`; numbers are read as text).
    pub key: String,
    /// What the resident sees.
    pub name: String,
}

/// The datatypes of GeoReport v2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Datatype {
    /// A short line of text.
    String,
    /// A number.
    Number,
    /// An RFC 3339 date-time.
    Datetime,
    /// Free text, possibly long.
    Text,
    /// Exactly one of `values`.
    SingleValueList,
    /// Any number of `values` (posted as `attribute[CODE][]`).
    MultiValueList,
    /// A datatype outside the spec, kept as written; treat it as `string`.
    Other(String),
}

impl Datatype {
    /// Reads a datatype name, case-insensitively.
    pub fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "string" => Datatype::String,
            "number" => Datatype::Number,
            "datetime" => Datatype::Datetime,
            "text" => Datatype::Text,
            "singlevaluelist" => Datatype::SingleValueList,
            "multivaluelist" => Datatype::MultiValueList,
            other => Datatype::Other(other.to_owned()),
        }
    }

    /// The name as the spec spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
            Datatype::Other(s) => s,
        }
    }

    /// True for the two list datatypes, whose answers must be among `values`.
    pub fn is_list(&self) -> bool {
        matches!(self, Datatype::SingleValueList | Datatype::MultiValueList)
    }
}

impl Serialize for Datatype {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl ServiceDefinition {
    /// Reads a definition. Accepts the spec's `attributes` list (JSON array or XML
    /// `<attributes><attribute>…`) and also `<attribute>` elements placed directly under the
    /// root without the `<attributes>` wrapper (San Francisco's `DMV66` example).
    pub(crate) fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
    ) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        let (items, list_path) = if f.raw("attributes").is_some() {
            (f.list("attributes", "attribute"), f.at("attributes"))
        } else {
            (f.list("attribute", "attribute"), f.at("attribute"))
        };
        let attributes = items
            .into_iter()
            .enumerate()
            .map(|(i, v)| ServiceAttribute::from_value(document, &index(&list_path, i), v))
            .collect::<Result<_, _>>()?;
        Ok(ServiceDefinition {
            service_code: f.required_text("service_code")?,
            attributes,
        })
    }

    /// The attributes sorted by `order` (those without an order last, document order kept).
    pub fn ordered_attributes(&self) -> Vec<&ServiceAttribute> {
        let mut sorted: Vec<&ServiceAttribute> = self.attributes.iter().collect();
        sorted.sort_by_key(|a| a.order.unwrap_or(u32::MAX));
        sorted
    }

    /// The attribute with this code.
    pub fn attribute(&self, code: &str) -> Option<&ServiceAttribute> {
        self.attributes.iter().find(|a| a.code == code)
    }
}

impl ServiceAttribute {
    fn from_value(document: &'static str, path: &str, value: &Value) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        let values_path = f.at("values");
        let values = f
            .list("values", "value")
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let vf = Fields::new(document, index(&values_path, i), v)?;
                Ok(AttributeValue {
                    key: vf.required_text("key")?,
                    name: vf.text("name")?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, ParseError>>()?;
        let datatype = Datatype::from_name(&f.required_text("datatype")?);
        Ok(ServiceAttribute {
            variable: f.boolean("variable")?.unwrap_or(true),
            code: f.required_text("code")?,
            datatype,
            required: f.boolean("required")?.unwrap_or(false),
            datatype_description: f.text("datatype_description")?,
            order: f.unsigned("order")?,
            description: f.text("description")?,
            values,
        })
    }

    /// The choice with this key.
    pub fn value(&self, key: &str) -> Option<&AttributeValue> {
        self.values.iter().find(|v| v.key == key)
    }
}

super::deserialize_via_value!(ServiceDefinition, "Open311 service definition");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn every_datatype() -> Value {
        json!({
            "service_code": "LIGHT",
            "attributes": [
                {"code": "NOTE", "variable": false, "datatype": "text", "order": 9, "description": "Read me"},
                {"code": "POLE", "datatype": "string", "required": true, "order": 1, "description": "Pole number"},
                {"code": "HEIGHT", "datatype": "number", "order": "2"},
                {"code": "SINCE", "datatype": "datetime", "order": 3},
                {"code": "KIND", "datatype": "singlevaluelist", "order": 4,
                 "values": [{"key": 1, "name": "Out"}, {"key": "2", "name": "Blinking"}]},
                {"code": "WHEN", "datatype": "MultiValueList",
                 "values": [{"key": "day", "name": "Day"}, {"key": "night", "name": "Night"}]},
                {"code": "ODD", "datatype": "boolean"}
            ]
        })
    }

    #[test]
    fn reads_every_datatype_and_values() {
        let d = ServiceDefinition::from_value("doc", "", &every_datatype()).unwrap();
        let kinds: Vec<&str> = d.attributes.iter().map(|a| a.datatype.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "text",
                "string",
                "number",
                "datetime",
                "singlevaluelist",
                "multivaluelist",
                "boolean"
            ]
        );
        let kind = d.attribute("KIND").unwrap();
        assert_eq!(kind.values.len(), 2);
        assert_eq!(kind.value("1").unwrap().name, "Out");
        assert!(kind.datatype.is_list());
        assert!(!d.attribute("NOTE").unwrap().variable);
        assert!(d.attribute("POLE").unwrap().required);
        assert_eq!(d.attribute("HEIGHT").unwrap().order, Some(2));
        let order: Vec<&str> = d
            .ordered_attributes()
            .iter()
            .map(|a| a.code.as_str())
            .collect();
        assert_eq!(
            order,
            ["POLE", "HEIGHT", "SINCE", "KIND", "NOTE", "WHEN", "ODD"]
        );
    }

    #[test]
    fn attribute_without_wrapper() {
        let v = json!({"service_code": "DMV66", "attribute": {"code": "A", "datatype": "string"}});
        let d = ServiceDefinition::from_value("doc", "", &v).unwrap();
        assert_eq!(d.attributes.len(), 1);
        assert_eq!(d.attributes[0].code, "A");
    }

    #[test]
    fn missing_datatype_is_explained() {
        let v = json!({"service_code": "X", "attributes": [{"code": "A"}]});
        let err = ServiceDefinition::from_value("doc", "", &v).unwrap_err();
        assert_eq!(err.field(), Some("attributes[0].datatype"));
    }

    #[test]
    fn serialises_strictly() {
        let d = ServiceDefinition::from_value("doc", "", &every_datatype()).unwrap();
        let out = serde_json::to_value(&d).unwrap();
        assert_eq!(
            out["attributes"][4]["values"][0],
            json!({"key": "1", "name": "Out"})
        );
        assert_eq!(out["attributes"][5]["datatype"], "multivaluelist");
        let back: ServiceDefinition = serde_json::from_value(out).unwrap();
        assert_eq!(back, d);
    }
}
