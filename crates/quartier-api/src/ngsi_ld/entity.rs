//! An NGSI-LD entity: id, type and attributes, whatever representation it was read from.

use super::attribute::{
    Attribute, GeoProperty, Instances, Mode, Property, PropertyKind, Relationship, Site,
};
use super::context::{Context, ContextSource};
use super::ngsi_v2;
use crate::datetime::Timestamp;
use crate::error::{ParseError, describe};
use crate::geo::Geometry;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Members of an entity that are not attributes.
const CORE_MEMBERS: [&str; 8] = [
    "id",
    "type",
    "@context",
    "scope",
    "createdAt",
    "modifiedAt",
    "deletedAt",
    "expiresAt",
];

/// The representation an entity was read from. Attributes are recognised one by one
/// whatever this says; it tells what the entity as a whole looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Representation {
    /// At least one `{"type":"Property","value":…}`-like attribute (others may be concise).
    #[default]
    Normalized,
    /// No typed attribute, and at least one that only the concise form writes
    /// (`{"value":…}`, `{"object":…}`, instances with `datasetId`).
    Concise,
    /// keyValues / simplified: bare values (and the `{"languageMap":…}`, `{"vocab":…}`,
    /// `{"dataset":…}` wrappers of the simplified form).
    KeyValues,
    /// NGSI-v2 normalized (`{"type":"Text","value":…}`), from an Orion v2 broker or a
    /// Smart Data Models v2 example.
    NgsiV2,
}

/// One entity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entity {
    /// The id, kept as given: NGSI-LD ids are URIs (`urn:ngsi-ld:Streetlight:…`), but NGSI-v2
    /// ids such as `porto-ParkingLot-23889` are accepted too.
    pub id: String,
    /// The type as given (`Streetlight`, or an expanded IRI when no context compacted it);
    /// see [`Entity::type_name`]. The first one when several are given.
    pub entity_type: String,
    /// Further types of a multi-typed entity.
    pub other_types: Vec<String>,
    /// The attributes by name (the default instance when an attribute has several; see
    /// [`Entity::instances`]).
    pub attributes: BTreeMap<String, Attribute>,
    /// Non-default instances (other `datasetId`s) of multi-instance attributes.
    pub other_instances: BTreeMap<String, Vec<Attribute>>,
    /// `scope` values.
    pub scope: Vec<String>,
    /// When the broker created the entity, if it says.
    pub created_at: Option<Timestamp>,
    /// When the broker last changed the entity, if it says.
    pub modified_at: Option<Timestamp>,
    /// The JSON-LD context and where it was found.
    pub context: Context,
    /// What the entity was read from.
    pub representation: Representation,
}

/// A status read for display: text, number or flag.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusValue {
    /// e.g. `"ok"`, `"free"`, `"working"`.
    Text(String),
    /// e.g. a filling level `0.4`.
    Number(f64),
    /// e.g. `almostFull: true`.
    Flag(bool),
}

impl Entity {
    /// Reads an entity object (normalized, concise, keyValues or NGSI-v2; detected).
    /// `fallback` is the context to record when the entity has no `@context` of its own.
    pub fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
        fallback: &Context,
    ) -> Result<Self, ParseError> {
        let Value::Object(obj) = value else {
            return Err(ParseError::shape(
                document,
                "an entity object",
                describe(value),
            ));
        };
        let id = obj.get("id");
        Entity::from_members(document, path, id, obj, fallback)
    }

    /// Reads an entity from its members; `id` is given apart because a GeoJSON Feature
    /// keeps it outside `properties`.
    pub(crate) fn from_members(
        document: &'static str,
        path: &str,
        id: Option<&Value>,
        members: &Map<String, Value>,
        fallback: &Context,
    ) -> Result<Self, ParseError> {
        let at = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        let id = match id {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            None | Some(Value::Null) => return Err(ParseError::missing(document, at("id"))),
            Some(other) => {
                return Err(ParseError::invalid(
                    document,
                    at("id"),
                    format!("an entity id must be text, got {}", describe(other)),
                ));
            }
        };
        let (entity_type, other_types) = read_types(document, &at("type"), members.get("type"))?;
        let context = match members.get("@context") {
            Some(c) => Context::from_value(c, ContextSource::Entity),
            None => fallback.clone(),
        };
        let attribute_members: Vec<(&String, &Value)> = members
            .iter()
            .filter(|(k, _)| !CORE_MEMBERS.contains(&k.as_str()))
            .collect();
        let representation = detect(&attribute_members);
        let mode = match representation {
            Representation::Normalized => Mode::Normalized,
            _ => Mode::Simplified,
        };
        let mut attributes = BTreeMap::new();
        let mut other_instances = BTreeMap::new();
        for (name, value) in attribute_members {
            let attr_path = at(name);
            let site = Site {
                document,
                path: &attr_path,
            };
            let Instances { default, others } = match representation {
                Representation::NgsiV2 => Instances {
                    default: ngsi_v2::read(&site, value)?,
                    others: Vec::new(),
                },
                _ => Attribute::read(&site, value, mode)?,
            };
            attributes.insert(name.clone(), default);
            if !others.is_empty() {
                other_instances.insert(name.clone(), others);
            }
        }
        let timestamp = |name: &str| -> Result<Option<Timestamp>, ParseError> {
            match members.get(name).and_then(Value::as_str) {
                None => Ok(None),
                Some(t) => Timestamp::parse(t)
                    .map(Some)
                    .map_err(|e| ParseError::invalid(document, at(name), e.to_string())),
            }
        };
        let scope = match members.get("scope") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        Ok(Entity {
            id,
            entity_type,
            other_types,
            attributes,
            other_instances,
            scope,
            created_at: timestamp("createdAt")?,
            modified_at: timestamp("modifiedAt")?,
            context,
            representation,
        })
    }

    /// The type's short name: the part after the last `#` or `/` of an expanded IRI
    /// (`https://ngsi-ld-test-suite/context#Building` → `Building`).
    pub fn type_name(&self) -> &str {
        local_name(&self.entity_type)
    }

    /// The attribute with this name; when absent, one whose expanded IRI ends with
    /// `#name` or `/name` (a broker that could not compact it).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attribute_entry(name).map(|(_, a)| a)
    }

    /// The attribute's name as given (maybe an expanded IRI) and its default instance.
    fn attribute_entry(&self, name: &str) -> Option<(&String, &Attribute)> {
        self.attributes.get_key_value(name).or_else(|| {
            self.attributes
                .iter()
                .find(|(k, _)| k.len() > name.len() && local_name(k) == name)
        })
    }

    /// Every instance of the attribute, the default one (no `datasetId`) first: one for a
    /// plain attribute, several for a multi-attribute, none when absent.
    pub fn instances(&self, name: &str) -> Vec<&Attribute> {
        let Some((key, default)) = self.attribute_entry(name) else {
            return Vec::new();
        };
        let mut all = vec![default];
        all.extend(self.other_instances.get(key).into_iter().flatten());
        all
    }

    /// The instance of the attribute with this `datasetId`; `None` asks for the default one.
    pub fn instance(&self, name: &str, dataset_id: Option<&str>) -> Option<&Attribute> {
        self.instances(name)
            .into_iter()
            .find(|a| a.meta().dataset_id.as_deref() == dataset_id)
    }

    /// The Property with this name.
    pub fn property(&self, name: &str) -> Option<&Property> {
        match self.attribute(name)? {
            Attribute::Property(p) => Some(p),
            _ => None,
        }
    }

    /// The Relationship with this name.
    pub fn relationship(&self, name: &str) -> Option<&Relationship> {
        match self.attribute(name)? {
            Attribute::Relationship(r) => Some(r),
            _ => None,
        }
    }

    /// The GeoProperty with this name.
    pub fn geo_property(&self, name: &str) -> Option<&GeoProperty> {
        match self.attribute(name)? {
            Attribute::GeoProperty(g) => Some(g),
            _ => None,
        }
    }

    /// The `location` geometry (the default geometry of NGSI-LD).
    pub fn location(&self) -> Option<&Geometry> {
        self.geo_property("location").map(|g| &g.value)
    }

    /// An attribute as display text: a text value as is, a number or boolean written out,
    /// a relationship's target id, a LanguageProperty's `@none` text (else any of its texts).
    /// `None` for absent, null, lists and other objects.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.status(name)? {
            StatusValue::Text(t) => Some(t),
            StatusValue::Number(n) => Some(n.to_string()),
            StatusValue::Flag(b) => Some(b.to_string()),
        }
    }

    /// An attribute as text in the first of the `preferred` languages that has it (`fr`
    /// also finds `fr-FR`), else its `@none` text, else any (see [`Property::text_in`]);
    /// an attribute that is not multilingual reads as [`Entity::text`] gives it.
    pub fn text_in(&self, name: &str, preferred: &[&str]) -> Option<String> {
        self.property(name)
            .and_then(|p| p.text_in(preferred))
            .map(str::to_owned)
            .or_else(|| self.text(name))
    }

    /// An attribute's value as a date: a text, `{"@type":"DateTime","@value":…}` or
    /// `{"type":"DateTime","@value":…}` (e.g. `dateObserved`). Not its `observedAt`, which
    /// [`Attribute::observed_at`] gives.
    pub fn timestamp(&self, name: &str) -> Option<Timestamp> {
        self.property(name)?.timestamp()
    }

    /// An attribute as a number: a number value, or a text holding one (`"0.4"`).
    pub fn number(&self, name: &str) -> Option<f64> {
        match self.status(name)? {
            StatusValue::Number(n) => Some(n),
            StatusValue::Text(t) => t.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            StatusValue::Flag(_) => None,
        }
    }

    /// The attribute the town's config names as a layer's status, as text, number or flag.
    pub fn status(&self, name: &str) -> Option<StatusValue> {
        match self.attribute(name)? {
            Attribute::Property(p) => property_status(p),
            Attribute::Relationship(r) => r.object().map(|o| StatusValue::Text(o.to_owned())),
            Attribute::GeoProperty(_) => None,
        }
    }

    /// The normalized NGSI-LD form, with `@context` when the entity carries one of its own.
    pub fn to_normalized(&self) -> Value {
        self.write(Attribute::to_normalized_instances)
    }

    /// The keyValues form (a multi-attribute as `{"dataset": …}`), with `@context` as above.
    pub fn to_key_values(&self) -> Value {
        self.write(Attribute::to_key_value_instances)
    }

    fn write(&self, attr: impl Fn(&Attribute, &[Attribute]) -> Value) -> Value {
        let mut out = self.members(attr);
        out.insert("id".into(), json!(self.id));
        if self.context.source == ContextSource::Entity
            && let Some(c) = self.context.to_value()
        {
            out.insert("@context".into(), c);
        }
        Value::Object(out)
    }

    /// `type`, the attributes and the core members, without `id` and `@context` (the
    /// `properties` of a GeoJSON Feature).
    pub(crate) fn members(
        &self,
        attr: impl Fn(&Attribute, &[Attribute]) -> Value,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        let types = if self.other_types.is_empty() {
            json!(self.entity_type)
        } else {
            let mut all = vec![self.entity_type.clone()];
            all.extend(self.other_types.iter().cloned());
            json!(all)
        };
        out.insert("type".into(), types);
        if !self.scope.is_empty() {
            out.insert("scope".into(), json!(self.scope));
        }
        if let Some(t) = &self.created_at {
            out.insert("createdAt".into(), json!(t.as_str()));
        }
        if let Some(t) = &self.modified_at {
            out.insert("modifiedAt".into(), json!(t.as_str()));
        }
        let none: Vec<Attribute> = Vec::new();
        for (name, value) in &self.attributes {
            let others = self.other_instances.get(name).unwrap_or(&none);
            out.insert(name.clone(), attr(value, others));
        }
        out
    }
}

impl Attribute {
    /// Normalized form of an attribute and its other instances (a list when there are some).
    pub(crate) fn to_normalized_instances(&self, others: &[Attribute]) -> Value {
        if others.is_empty() {
            self.to_normalized()
        } else {
            let mut all = vec![self.to_normalized()];
            all.extend(others.iter().map(Attribute::to_normalized));
            Value::Array(all)
        }
    }
}

/// Written in the normalized form (strict: what a broker sends).
impl Serialize for Entity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_normalized().serialize(serializer)
    }
}

/// Read in any representation (see [`Entity::from_value`]).
impl<'de> Deserialize<'de> for Entity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Entity::from_value("NGSI-LD entity", "", &value, &Context::default())
            .map_err(serde::de::Error::custom)
    }
}

fn detect(members: &[(&String, &Value)]) -> Representation {
    let any = |test: fn(&Value) -> bool| members.iter().any(|(_, v)| test(v));
    if any(Attribute::is_normalized_structure) {
        Representation::Normalized
    } else if ngsi_v2::looks_like_v2(members) {
        Representation::NgsiV2
    } else if any(Attribute::is_concise_structure) {
        Representation::Concise
    } else {
        Representation::KeyValues
    }
}

/// A Property as a status: its text, number or flag; a LanguageProperty's default text; a
/// VocabularyProperty given as a one-term list (as brokers are sent it) as that term.
fn property_status(p: &Property) -> Option<StatusValue> {
    if p.language_map().is_some() {
        return p.text_in(&[]).map(|t| StatusValue::Text(t.to_owned()));
    }
    match &p.value {
        Value::String(s) => Some(StatusValue::Text(s.clone())),
        Value::Number(n) => n.as_f64().map(StatusValue::Number),
        Value::Bool(b) => Some(StatusValue::Flag(*b)),
        Value::Array(terms) if p.kind == PropertyKind::Vocabulary && terms.len() == 1 => {
            terms[0].as_str().map(|t| StatusValue::Text(t.to_owned()))
        }
        _ => None,
    }
}

fn read_types(
    document: &'static str,
    path: &str,
    value: Option<&Value>,
) -> Result<(String, Vec<String>), ParseError> {
    let types: Vec<String> = match value {
        Some(Value::String(s)) => vec![s.trim().to_owned()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_owned())
            .collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(other) => {
            return Err(ParseError::invalid(
                document,
                path,
                format!("an entity type must be text, got {}", describe(other)),
            ));
        }
    };
    let mut types = types.into_iter().filter(|t| !t.is_empty());
    match types.next() {
        Some(first) => Ok((first, types.collect())),
        None => Err(ParseError::missing(document, path)),
    }
}

/// The part of an IRI after its last `#` or `/`.
fn local_name(iri: &str) -> &str {
    iri.rsplit(['#', '/']).next().unwrap_or(iri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: Value) -> Entity {
        Entity::from_value("doc", "", &value, &Context::default()).unwrap()
    }

    #[test]
    fn normalized_entity() {
        let e = parse(json!({
            "id": "urn:ngsi-ld:Streetlight:1", "type": "Streetlight",
            "status": {"type": "Property", "value": "ok"},
            "powerState": {"type": "Property", "value": "off"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [-3.16, 40.62]}},
            "refStreetlightGroup": {"type": "Relationship", "object": "urn:ngsi-ld:StreetlightGroup:G345"},
            "@context": ["https://example.org/context.jsonld"]
        }));
        assert_eq!(e.representation, Representation::Normalized);
        assert_eq!(e.text("status").as_deref(), Some("ok"));
        assert_eq!(
            e.text("refStreetlightGroup").as_deref(),
            Some("urn:ngsi-ld:StreetlightGroup:G345")
        );
        assert_eq!(
            e.location()
                .and_then(Geometry::representative_point)
                .map(|p| p.lon),
            Some(-3.16)
        );
        assert_eq!(e.context.source, ContextSource::Entity);
        let back = parse(e.to_normalized());
        assert_eq!(back, e);
    }

    #[test]
    fn key_values_entity() {
        let e = parse(json!({
            "id": "urn:ngsi-ld:WasteContainer:1", "type": "WasteContainer",
            "fillingLevel": "0.4", "almostFull": false,
            "location": {"type": "Point", "coordinates": [-8.76, 42.60]},
            "binLoggedTime": {"@type": "DateTime", "@value": "2021-03-01T15:51:02+05:30"}
        }));
        assert_eq!(e.representation, Representation::KeyValues);
        assert_eq!(e.number("fillingLevel"), Some(0.4));
        assert_eq!(e.status("almostFull"), Some(StatusValue::Flag(false)));
        assert!(e.location().is_some());
        assert_eq!(
            e.property("binLoggedTime").unwrap().datatype.as_deref(),
            Some("DateTime")
        );
        assert_eq!(e.context, Context::default());
        let kv = e.to_key_values();
        assert_eq!(kv["fillingLevel"], json!("0.4"));
        assert_eq!(kv["location"]["type"], json!("Point"));
    }

    #[test]
    fn v2_entity_and_expanded_names() {
        let e = parse(json!({
            "id": "porto-ParkingLot-23889", "type": "OffStreetParking",
            "availableSpotNumber": {"type": "Number", "value": 132},
            "location": {"type": "geo:json", "value": {"type": "Point", "coordinates": [-8.6, 41.15]}}
        }));
        assert_eq!(e.representation, Representation::NgsiV2);
        assert_eq!(e.id, "porto-ParkingLot-23889");
        assert_eq!(e.number("availableSpotNumber"), Some(132.0));
        let x = parse(json!({
            "id": "urn:ngsi-ld:Building:1", "type": "https://ngsi-ld-test-suite/context#Building",
            "https://ngsi-ld-test-suite/context#name": "Eiffel Tower"
        }));
        assert_eq!(x.type_name(), "Building");
        assert_eq!(x.text("name").as_deref(), Some("Eiffel Tower"));
    }

    #[test]
    fn ids_and_types_are_required() {
        let err =
            Entity::from_value("doc", "e", &json!({"type": "T"}), &Context::default()).unwrap_err();
        assert_eq!(err.field(), Some("e.id"));
        let err = Entity::from_value(
            "doc",
            "",
            &json!({"id": 5, "type": "T"}),
            &Context::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("must be text"), "{err}");
        let err = Entity::from_value("doc", "", &json!({"id": "urn:x"}), &Context::default())
            .unwrap_err();
        assert_eq!(err.field(), Some("type"));
        assert!(Entity::from_value("doc", "", &json!([]), &Context::default()).is_err());
    }

    #[test]
    fn multi_typed_and_serde() {
        let e = parse(
            json!({"id": "urn:x", "type": ["A", "B"], "scope": "/town", "createdAt": "2024-01-01T00:00:00Z"}),
        );
        assert_eq!(e.entity_type, "A");
        assert_eq!(e.other_types, ["B"]);
        assert_eq!(e.scope, ["/town"]);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], json!(["A", "B"]));
        let back: Entity = serde_json::from_value(v).unwrap();
        assert_eq!(back.entity_type, "A");
    }

    /// After CIM 009's OffStreetParking example, in its three representations: the same values
    /// whichever one a broker answers with, read attribute by attribute.
    #[test]
    fn wholly_concise_entity_reads_like_the_normalized_one() {
        let normalized = parse(json!({
            "id": "urn:ngsi-ld:OffStreetParking:Downtown1", "type": "OffStreetParking",
            "name": {"type": "Property", "value": "Downtown One"},
            "availableSpotNumber": {
                "type": "Property", "value": 121, "observedAt": "2017-07-29T12:05:02Z",
                "reliability": {"type": "Property", "value": 0.7},
                "providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Camera:C1"}
            },
            "totalSpotNumber": {"type": "Property", "value": 200},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [-8.5, 41.2]}}
        }));
        let concise = parse(json!({
            "id": "urn:ngsi-ld:OffStreetParking:Downtown1", "type": "OffStreetParking",
            "name": "Downtown One",
            "availableSpotNumber": {
                "value": 121, "observedAt": "2017-07-29T12:05:02Z",
                "reliability": 0.7,
                "providedBy": {"object": "urn:ngsi-ld:Camera:C1"}
            },
            "totalSpotNumber": 200,
            "location": {"type": "Point", "coordinates": [-8.5, 41.2]}
        }));
        let simplified = parse(json!({
            "id": "urn:ngsi-ld:OffStreetParking:Downtown1", "type": "OffStreetParking",
            "name": "Downtown One", "availableSpotNumber": 121, "totalSpotNumber": 200,
            "location": {"type": "Point", "coordinates": [-8.5, 41.2]}
        }));
        assert_eq!(normalized.representation, Representation::Normalized);
        assert_eq!(concise.representation, Representation::Concise);
        assert_eq!(simplified.representation, Representation::KeyValues);
        assert_eq!(concise.attributes, normalized.attributes);
        for e in [&normalized, &concise, &simplified] {
            assert_eq!(e.text("name").as_deref(), Some("Downtown One"));
            assert_eq!(e.number("availableSpotNumber"), Some(121.0));
            assert_eq!(e.number("totalSpotNumber"), Some(200.0));
            assert!(e.location().is_some());
        }
        let spots = concise.attribute("availableSpotNumber").unwrap();
        assert_eq!(
            spots.observed_at().map(Timestamp::as_str),
            Some("2017-07-29T12:05:02Z")
        );
        assert!(matches!(
            spots.meta().sub_attributes.get("providedBy"),
            Some(Attribute::Relationship(_))
        ));
    }

    #[test]
    fn key_values_objects_stay_values_beside_concise_attributes() {
        let e = parse(json!({
            "id": "urn:ngsi-ld:Streetlight:1", "type": "Streetlight",
            "address": {"streetAddress": "Rue de la Mairie", "addressLocality": "Blois"},
            "postal": {"type": "PostalAddress", "streetAddress": "Rue X", "value": "kept"},
            "temperature": {"value": 12, "unitCode": "CEL", "observedAt": "2026-11-28T08:00:00Z"}
        }));
        assert_eq!(e.representation, Representation::Concise);
        let address = e.property("address").unwrap();
        assert_eq!(address.value["addressLocality"], "Blois");
        assert_eq!(e.text("address"), None, "an object is not text");
        assert_eq!(e.property("postal").unwrap().value["value"], "kept");
        let t = e.property("temperature").unwrap();
        assert_eq!(
            (t.value.clone(), t.unit_code.as_deref()),
            (json!(12), Some("CEL"))
        );
        assert!(e.attribute("temperature").unwrap().observed_at().is_some());
    }

    /// After the spec's LanguageProperty example (a Brussels street in French and Dutch) in every
    /// form a broker sends it: normalized, concise, simplified (with or without the
    /// `languageMap` member), and after the `lang` option.
    #[test]
    fn language_property_in_every_form() {
        let map = json!({"fr": "Grand Place", "nl": "Grote Markt"});
        let forms = [
            json!({"type": "LanguageProperty", "languageMap": map}),
            json!({"languageMap": map}),
            map.clone(),
        ];
        for street in forms {
            let e = parse(
                json!({"id": "urn:ngsi-ld:Building:store001", "type": "Building",
                                 "street": street}),
            );
            assert_eq!(
                e.text_in("street", &["nl"]).as_deref(),
                Some("Grote Markt"),
                "{street}"
            );
            assert_eq!(
                e.text_in("street", &["de", "fr"]).as_deref(),
                Some("Grand Place")
            );
            assert!(e.text("street").is_some(), "some text without a preference");
        }
        for picked in [
            json!({"type": "Property", "value": "Grote Markt", "lang": "nl"}),
            json!("Grote Markt"),
        ] {
            let e = parse(json!({"id": "urn:x", "type": "Building", "street": picked}));
            assert_eq!(e.text_in("street", &["fr"]).as_deref(), Some("Grote Markt"));
        }
        let none = parse(json!({"id": "urn:x", "type": "Building",
            "name": {"type": "LanguageProperty", "languageMap": {"@none": "The Big Red Barn", "en": "Big Red Barn"}}}));
        assert_eq!(
            none.text("name").as_deref(),
            Some("The Big Red Barn"),
            "@none first"
        );
        assert_eq!(
            none.text_in("name", &["en"]).as_deref(),
            Some("Big Red Barn")
        );
        assert_eq!(
            none.status("name"),
            Some(StatusValue::Text("The Big Red Barn".into()))
        );
        assert_eq!(none.text_in("absent", &["en"]), None);
    }

    #[test]
    fn vocabulary_values_read_as_status() {
        for category in [
            json!({"type": "VocabularyProperty", "vocab": "farm"}),
            json!({"type": "VocabProperty", "vocab": "farm"}),
            json!({"type": "VocabularyProperty", "vocab": ["farm"]}),
            json!({"vocab": "farm"}),
        ] {
            let e = parse(json!({"id": "urn:x", "type": "Building", "category": category}));
            assert_eq!(e.status("category"), Some(StatusValue::Text("farm".into())));
            assert_eq!(e.text("category").as_deref(), Some("farm"));
        }
    }

    #[test]
    fn dates_from_any_representation() {
        let date = "2016-03-15T11:00:00Z";
        for observed in [
            json!(date),
            json!({"@type": "DateTime", "@value": date}),
            json!({"type": "DateTime", "@value": date}),
            json!({"type": "Property", "value": {"@type": "DateTime", "@value": date}}),
            json!({"type": "Property", "value": {"type": "DateTime", "@value": date}}),
            json!({"value": {"type": "DateTime", "@value": date}}),
        ] {
            let e = parse(json!({"id": "urn:x", "type": "AirQualityObserved",
                                 "dateObserved": observed}));
            let t = e
                .timestamp("dateObserved")
                .unwrap_or_else(|| panic!("{observed}"));
            assert_eq!(t.as_str(), date);
        }
        let e = parse(json!({"id": "urn:x", "type": "T", "note": "tomorrow"}));
        assert_eq!(e.timestamp("note"), None);
        assert_eq!(e.timestamp("absent"), None);
    }

    #[test]
    fn multi_attribute_instances_default_first() {
        let (a, b) = ("urn:ngsi-ld:Dataset:a", "urn:ngsi-ld:Dataset:b");
        for speed in [
            json!([{"type": "Property", "value": 55, "datasetId": a},
                   {"type": "Property", "value": 54}]),
            json!([{"value": 55, "datasetId": a}, {"value": 54}]),
            json!({"dataset": {a: 55, "@none": 54}}),
        ] {
            let e = parse(json!({"id": "urn:ngsi-ld:Vehicle:A4567", "type": "Vehicle",
                                 "speed": speed, "brand": "Mercedes"}));
            assert_eq!(e.number("speed"), Some(54.0), "the default instance");
            let all: Vec<Option<&str>> = e
                .instances("speed")
                .iter()
                .map(|i| i.meta().dataset_id.as_deref())
                .collect();
            assert_eq!(all, [None, Some(a)]);
            let from_a = e.instance("speed", Some(a)).unwrap();
            assert_eq!(from_a.to_key_value(), json!(55));
            assert!(e.instance("speed", Some(b)).is_none());
            let kv = e.to_key_values();
            assert_eq!(kv["speed"], json!({"dataset": {"@none": 54, a: 55}}));
            assert_eq!(parse(kv).other_instances, e.other_instances, "round trip");
        }
        assert_eq!(
            parse(json!({"id": "urn:x", "type": "T"}))
                .instances("speed")
                .len(),
            0
        );
    }
}
