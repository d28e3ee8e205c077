//! NGSI-LD attributes: one clean enum whatever the representation they came in.
//!
//! Normalized (`{"type":"Property","value":…}`), concise (`{"value":…}`, `{"object":…}`, a
//! bare geometry) and keyValues (the bare value) all read into [`Attribute`]. The NGSI-LD
//! 1.6+ kinds map onto the three variants: `LanguageProperty` (its `languageMap`),
//! `VocabProperty` (`vocab`), `ListProperty` (`valueList`) and `JsonProperty` (`json`) become
//! a [`Property`] whose value is that member; `ListRelationship` becomes a [`Relationship`].

use crate::datetime::Timestamp;
use crate::error::{ParseError, describe};
use crate::geo::Geometry;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// One attribute of an entity.
#[derive(Debug, Clone, PartialEq)]
pub enum Attribute {
    /// A value (text, number, boolean, list, structured value).
    Property(Property),
    /// A link to another entity.
    Relationship(Relationship),
    /// A geometry (`location`, `observationSpace`…).
    GeoProperty(GeoProperty),
}

/// What every attribute may carry besides its value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttributeMeta {
    /// When the value was observed.
    pub observed_at: Option<Timestamp>,
    /// Which instance this is, when an attribute has several (`datasetId`).
    pub dataset_id: Option<String>,
    /// Attributes of the attribute (e.g. `reliability`, `providedBy`).
    pub sub_attributes: BTreeMap<String, Attribute>,
}

/// A Property.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The value; a JSON-LD typed literal (`{"@type":"DateTime","@value":"…"}`) is unwrapped
    /// to its `@value`, the type going to `datatype`.
    pub value: Value,
    /// The `@type` of an unwrapped typed literal (e.g. `DateTime`).
    pub datatype: Option<String>,
    /// UN/CEFACT unit code (`GP` = mg/m³, `CEL` = °C…).
    pub unit_code: Option<String>,
    /// Time, instance and sub-attributes.
    pub meta: AttributeMeta,
}

/// A Relationship.
#[derive(Debug, Clone, PartialEq)]
pub struct Relationship {
    /// The target entity ids; at least one (several for a `ListRelationship` or an `object`
    /// given as an array).
    pub objects: Vec<String>,
    /// Time, instance and sub-attributes.
    pub meta: AttributeMeta,
}

/// A GeoProperty.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoProperty {
    /// The geometry (GeoJSON, `[lon, lat]`).
    pub value: Geometry,
    /// Time, instance and sub-attributes.
    pub meta: AttributeMeta,
}

/// The `type` values of NGSI-LD attributes (normalized representation).
pub const ATTRIBUTE_TYPES: [&str; 8] = [
    "Property",
    "Relationship",
    "GeoProperty",
    "LanguageProperty",
    "VocabProperty",
    "ListProperty",
    "ListRelationship",
    "JsonProperty",
];

/// Members of an attribute that are not sub-attributes.
const RESERVED: [&str; 16] = [
    "type",
    "value",
    "object",
    "objectList",
    "objectType",
    "languageMap",
    "vocab",
    "valueList",
    "json",
    "unitCode",
    "observedAt",
    "datasetId",
    "createdAt",
    "modifiedAt",
    "deletedAt",
    "instanceId",
];

/// How to read the members of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Normalized or concise: objects are attribute structures.
    Normalized,
    /// keyValues / simplified: every member is a bare value.
    KeyValues,
}

/// Where a parse happens, for error messages.
pub(crate) struct Site<'a> {
    pub(crate) document: &'static str,
    pub(crate) path: &'a str,
}

impl Site<'_> {
    fn invalid(&self, reason: impl Into<String>) -> ParseError {
        ParseError::invalid(self.document, self.path, reason)
    }
}

/// An attribute with, possibly, further instances of the same name (other `datasetId`s).
pub(crate) struct Instances {
    pub(crate) default: Attribute,
    pub(crate) others: Vec<Attribute>,
}

impl Attribute {
    /// The common metadata.
    pub fn meta(&self) -> &AttributeMeta {
        match self {
            Attribute::Property(p) => &p.meta,
            Attribute::Relationship(r) => &r.meta,
            Attribute::GeoProperty(g) => &g.meta,
        }
    }

    /// When the value was observed, if said.
    pub fn observed_at(&self) -> Option<&Timestamp> {
        self.meta().observed_at.as_ref()
    }

    /// The NGSI-LD type name (`Property`, `Relationship`, `GeoProperty`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Attribute::Property(_) => "Property",
            Attribute::Relationship(_) => "Relationship",
            Attribute::GeoProperty(_) => "GeoProperty",
        }
    }

    /// True when `value` is written as an NGSI-LD attribute structure (normalized form):
    /// what tells a normalized entity from a keyValues one.
    pub(crate) fn is_normalized_structure(value: &Value) -> bool {
        match value {
            Value::Object(o) => o
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| match t {
                    "Relationship" => o.contains_key("object") || o.contains_key("objectList"),
                    other => ATTRIBUTE_TYPES.contains(&other),
                }),
            Value::Array(items) => {
                !items.is_empty() && items.iter().all(Attribute::is_normalized_structure)
            }
            _ => false,
        }
    }

    /// Reads one attribute member.
    pub(crate) fn read(
        site: &Site<'_>,
        value: &Value,
        mode: Mode,
    ) -> Result<Instances, ParseError> {
        if mode == Mode::KeyValues {
            return Ok(single(read_key_value(site, value)?));
        }
        if let Value::Array(items) = value
            && !items.is_empty()
            && items
                .iter()
                .all(|v| Attribute::is_normalized_structure(v) || has_dataset_id(v))
        {
            let mut all = items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let path = format!("{}[{i}]", site.path);
                    read_normalized(
                        &Site {
                            document: site.document,
                            path: &path,
                        },
                        v,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            let default_at = all
                .iter()
                .position(|a| a.meta().dataset_id.is_none())
                .unwrap_or(0);
            let default = all.remove(default_at);
            return Ok(Instances {
                default,
                others: all,
            });
        }
        Ok(single(read_normalized(site, value)?))
    }

    /// The normalized NGSI-LD form.
    pub fn to_normalized(&self) -> Value {
        let mut out = Map::new();
        out.insert("type".into(), json!(self.type_name()));
        match self {
            Attribute::Property(p) => {
                out.insert("value".into(), p.typed_value());
                if let Some(unit) = &p.unit_code {
                    out.insert("unitCode".into(), json!(unit));
                }
            }
            Attribute::Relationship(r) => {
                let object = match r.objects.as_slice() {
                    [one] => json!(one),
                    many => json!(many),
                };
                out.insert("object".into(), object);
            }
            Attribute::GeoProperty(g) => {
                out.insert("value".into(), g.value.to_geojson());
            }
        }
        let meta = self.meta();
        if let Some(t) = &meta.observed_at {
            out.insert("observedAt".into(), json!(t.as_str()));
        }
        if let Some(d) = &meta.dataset_id {
            out.insert("datasetId".into(), json!(d));
        }
        for (name, sub) in &meta.sub_attributes {
            out.insert(name.clone(), sub.to_normalized());
        }
        Value::Object(out)
    }

    /// The keyValues form: the bare value (a relationship's target id, a geometry object).
    pub fn to_key_value(&self) -> Value {
        match self {
            Attribute::Property(p) => p.value.clone(),
            Attribute::Relationship(r) => match r.objects.as_slice() {
                [one] => json!(one),
                many => json!(many),
            },
            Attribute::GeoProperty(g) => g.value.to_geojson(),
        }
    }
}

impl Property {
    /// A plain property with a value and nothing else.
    pub fn new(value: Value) -> Self {
        Property {
            value,
            datatype: None,
            unit_code: None,
            meta: AttributeMeta::default(),
        }
    }

    /// The value, re-wrapped as a typed literal when it came as one.
    fn typed_value(&self) -> Value {
        match &self.datatype {
            Some(t) => json!({"@type": t, "@value": self.value}),
            None => self.value.clone(),
        }
    }
}

impl Relationship {
    /// The first (usually the only) target id.
    pub fn object(&self) -> Option<&str> {
        self.objects.first().map(String::as_str)
    }
}

fn single(default: Attribute) -> Instances {
    Instances {
        default,
        others: Vec::new(),
    }
}

fn has_dataset_id(value: &Value) -> bool {
    value.get("datasetId").is_some()
}

/// `{"@type": T, "@value": V}` → `(V, Some(T))`; anything else unchanged.
fn unwrap_typed_literal(value: &Value) -> (Value, Option<String>) {
    if let Some(obj) = value.as_object()
        && let (Some(v), Some(t)) = (obj.get("@value"), obj.get("@type").and_then(Value::as_str))
    {
        return (v.clone(), Some(t.to_owned()));
    }
    (value.clone(), None)
}

fn read_key_value(site: &Site<'_>, value: &Value) -> Result<Attribute, ParseError> {
    if Geometry::looks_like_geojson(value) {
        let geometry = Geometry::from_geojson(value).map_err(|e| site.invalid(e.0))?;
        return Ok(Attribute::GeoProperty(GeoProperty {
            value: geometry,
            meta: AttributeMeta::default(),
        }));
    }
    let (value, datatype) = unwrap_typed_literal(value);
    Ok(Attribute::Property(Property {
        datatype,
        ..Property::new(value)
    }))
}

fn read_normalized(site: &Site<'_>, value: &Value) -> Result<Attribute, ParseError> {
    let Value::Object(obj) = value else {
        // Concise form: a bare value is a Property.
        return read_key_value(site, value);
    };
    let declared = obj.get("type").and_then(Value::as_str);
    let kind = match declared {
        Some(t) if ATTRIBUTE_TYPES.contains(&t) => t,
        Some(_) if Geometry::looks_like_geojson(value) => return read_key_value(site, value),
        Some(t) if obj.contains_key("value") => {
            return Err(site.invalid(format!(
                "type \"{t}\" is not an NGSI-LD attribute type ({}); this looks like NGSI-v2",
                ATTRIBUTE_TYPES.join(", ")
            )));
        }
        Some(_) => return read_key_value(site, value),
        // Concise forms without `type`.
        None if obj.contains_key("object") || obj.contains_key("objectList") => "Relationship",
        None if obj.contains_key("languageMap") => "LanguageProperty",
        None if obj.contains_key("vocab") => "VocabProperty",
        None if obj.contains_key("valueList") => "ListProperty",
        None if obj.contains_key("json") => "JsonProperty",
        None if obj.contains_key("value") => "Property",
        None => return read_key_value(site, value),
    };
    let meta = read_meta(site, obj)?;
    let member = |name: &str| {
        obj.get(name)
            .ok_or_else(|| ParseError::missing(site.document, format!("{}.{name}", site.path)))
    };
    Ok(match kind {
        "Relationship" | "ListRelationship" => {
            let objects = match obj.get("object") {
                Some(o) => relationship_targets(site, o)?,
                None => relationship_targets(site, member("objectList")?)?,
            };
            Attribute::Relationship(Relationship { objects, meta })
        }
        "GeoProperty" => {
            let geometry = Geometry::from_geojson(member("value")?).map_err(|e| {
                ParseError::invalid(site.document, format!("{}.value", site.path), e.0)
            })?;
            Attribute::GeoProperty(GeoProperty {
                value: geometry,
                meta,
            })
        }
        other => {
            let raw = match other {
                "LanguageProperty" => member("languageMap")?,
                "VocabProperty" => member("vocab")?,
                "ListProperty" => member("valueList")?,
                "JsonProperty" => member("json")?,
                _ => member("value")?,
            };
            let (value, datatype) = unwrap_typed_literal(raw);
            let unit_code = match obj.get("unitCode") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(v) => {
                    return Err(ParseError::invalid(
                        site.document,
                        format!("{}.unitCode", site.path),
                        format!("expected text, got {}", describe(v)),
                    ));
                }
            };
            Attribute::Property(Property {
                value,
                datatype,
                unit_code,
                meta,
            })
        }
    })
}

/// Target ids of a relationship: a string, a list of strings, or `[{"object": id}]`.
fn relationship_targets(site: &Site<'_>, value: &Value) -> Result<Vec<String>, ParseError> {
    let one = |v: &Value| -> Option<String> {
        v.as_str()
            .or_else(|| v.get("object").and_then(Value::as_str))
            .map(str::to_owned)
    };
    let targets: Option<Vec<String>> = match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|s| vec![s]),
    };
    match targets {
        Some(t) if !t.is_empty() && t.iter().all(|s| !s.trim().is_empty()) => Ok(t),
        _ => Err(site.invalid(format!(
            "a Relationship's object must be an entity id or a list of them, got {}",
            describe(value)
        ))),
    }
}

fn read_meta(site: &Site<'_>, obj: &Map<String, Value>) -> Result<AttributeMeta, ParseError> {
    let observed_at = match obj.get("observedAt").and_then(Value::as_str) {
        None => None,
        Some(text) => Some(Timestamp::parse(text).map_err(|e| {
            ParseError::invalid(
                site.document,
                format!("{}.observedAt", site.path),
                e.to_string(),
            )
        })?),
    };
    let dataset_id = obj
        .get("datasetId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut sub_attributes = BTreeMap::new();
    for (name, value) in obj {
        if RESERVED.contains(&name.as_str()) || name.starts_with('@') {
            continue;
        }
        let path = format!("{}.{name}", site.path);
        let sub = read_normalized(
            &Site {
                document: site.document,
                path: &path,
            },
            value,
        )?;
        sub_attributes.insert(name.clone(), sub);
    }
    Ok(AttributeMeta {
        observed_at,
        dataset_id,
        sub_attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: Value, mode: Mode) -> Result<Instances, ParseError> {
        Attribute::read(
            &Site {
                document: "doc",
                path: "attr",
            },
            &value,
            mode,
        )
    }

    fn one(value: Value) -> Attribute {
        read(value, Mode::Normalized).unwrap().default
    }

    #[test]
    fn normalized_property_with_everything() {
        let a = one(json!({
            "type": "Property", "value": 121, "unitCode": "C62",
            "observedAt": "2017-07-29T12:05:02Z",
            "reliability": {"type": "Property", "value": 0.7},
            "providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Camera:C1"}
        }));
        let Attribute::Property(p) = &a else {
            panic!("{a:?}")
        };
        assert_eq!(p.value, json!(121));
        assert_eq!(p.unit_code.as_deref(), Some("C62"));
        assert_eq!(a.observed_at().unwrap().as_str(), "2017-07-29T12:05:02Z");
        assert_eq!(p.meta.sub_attributes.len(), 2);
        let Some(Attribute::Relationship(r)) = p.meta.sub_attributes.get("providedBy") else {
            panic!()
        };
        assert_eq!(r.object(), Some("urn:ngsi-ld:Camera:C1"));
    }

    #[test]
    fn typed_literals_are_unwrapped_and_rewrapped() {
        let raw = json!({"type": "Property", "value": {"@type": "DateTime", "@value": "2016-06-21T15:05:59.408Z"}});
        let a = one(raw.clone());
        let Attribute::Property(p) = &a else { panic!() };
        assert_eq!(p.value, json!("2016-06-21T15:05:59.408Z"));
        assert_eq!(p.datatype.as_deref(), Some("DateTime"));
        assert_eq!(a.to_normalized(), raw);
        assert_eq!(a.to_key_value(), json!("2016-06-21T15:05:59.408Z"));
    }

    #[test]
    fn relationships_single_list_and_object_list() {
        for (raw, expected) in [
            (
                json!({"type": "Relationship", "object": "urn:a"}),
                vec!["urn:a"],
            ),
            (
                json!({"type": "Relationship", "object": ["urn:a", "urn:b"]}),
                vec!["urn:a", "urn:b"],
            ),
            (
                json!({"type": "ListRelationship", "objectList": [{"object": "urn:a"}]}),
                vec!["urn:a"],
            ),
            (json!({"object": "urn:c"}), vec!["urn:c"]),
        ] {
            let Attribute::Relationship(r) = one(raw) else {
                panic!()
            };
            assert_eq!(r.objects, expected);
        }
        assert!(
            read(
                json!({"type": "Relationship", "object": 3}),
                Mode::Normalized
            )
            .is_err()
        );
    }

    #[test]
    fn geo_properties_and_concise_geometry() {
        let g = one(
            json!({"type": "GeoProperty", "value": {"type": "Point", "coordinates": [-8.5, 41.2]}}),
        );
        assert_eq!(g.type_name(), "GeoProperty");
        let concise = one(json!({"type": "Point", "coordinates": [-8.5, 41.2]}));
        assert_eq!(concise, g);
        let err = read(
            json!({"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.0]}}),
            Mode::Normalized,
        )
        .err()
        .unwrap();
        assert_eq!(err.field(), Some("attr.value"));
    }

    #[test]
    fn ngsi_v2_attribute_in_normalized_entity_is_explained() {
        let err = read(json!({"type": "Text", "value": "ok"}), Mode::Normalized)
            .err()
            .unwrap();
        assert!(err.to_string().contains("looks like NGSI-v2"), "{err}");
    }

    #[test]
    fn key_values_take_objects_literally() {
        let a = read(
            json!({"type": "PostalAddress", "streetAddress": "x"}),
            Mode::KeyValues,
        )
        .unwrap()
        .default;
        let Attribute::Property(p) = a else { panic!() };
        assert_eq!(p.value["streetAddress"], "x");
        let loc = read(
            json!({"type": "Point", "coordinates": [1.0, 2.0]}),
            Mode::KeyValues,
        )
        .unwrap();
        assert!(matches!(loc.default, Attribute::GeoProperty(_)));
    }

    #[test]
    fn multi_instance_attributes_keep_the_default_first() {
        let i = read(
            json!([
                {"type": "Property", "value": 1, "datasetId": "urn:ds:a"},
                {"type": "Property", "value": 2}
            ]),
            Mode::Normalized,
        )
        .unwrap();
        let Attribute::Property(p) = &i.default else {
            panic!()
        };
        assert_eq!(p.value, json!(2));
        assert_eq!(i.others.len(), 1);
        assert_eq!(i.others[0].meta().dataset_id.as_deref(), Some("urn:ds:a"));
        let plain_list = one(json!(["underground", "public"]));
        let Attribute::Property(p) = plain_list else {
            panic!()
        };
        assert_eq!(p.value, json!(["underground", "public"]));
    }

    #[test]
    fn language_and_list_properties_become_properties() {
        let Attribute::Property(p) =
            one(json!({"type": "LanguageProperty", "languageMap": {"fr": "Lampadaire"}}))
        else {
            panic!()
        };
        assert_eq!(p.value["fr"], "Lampadaire");
        assert!(read(json!({"type": "Property"}), Mode::Normalized).is_err());
        let bad_time = read(
            json!({"type": "Property", "value": 1, "observedAt": "noon"}),
            Mode::Normalized,
        );
        assert_eq!(bad_time.err().unwrap().field(), Some("attr.observedAt"));
    }
}
