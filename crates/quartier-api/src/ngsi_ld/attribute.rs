//! NGSI-LD attributes: one clean enum whatever the representation they came in.
//!
//! Each attribute is recognised on its own, because CIM 009 lets a broker mix forms in one
//! entity and a wholly concise entity has no normalized member to go by:
//! - normalized: `{"type": <one of ATTRIBUTE_TYPES>, …}`;
//! - concise: an object without `type` whose member says what it is: `value` (a Property, or
//!   a GeoProperty when the value is a geometry), `object`/`objectList` (a Relationship),
//!   `languageMap`, `vocab`, `valueList` or `json`; sub-attributes (`observedAt`, `unitCode`,
//!   `datasetId`, `reliability`…) sit beside it. A bare GeoJSON geometry is a GeoProperty;
//! - simplified (keyValues): the bare value. Brokers keep the member for the kinds whose
//!   value could pass for a structured value (`{"languageMap": …}`, `{"vocab": …}`,
//!   `{"json": …}`), which is the concise form again; a multi-attribute is
//!   `{"dataset": {"@none": v, "<datasetId>": v}}`;
//! - several instances of one attribute (`datasetId`): an array of attribute structures.
//!
//! `LanguageProperty`, `VocabularyProperty` (`VocabProperty` before v1.8), `ListProperty` and
//! `JsonProperty` become a [`Property`] of that [`PropertyKind`] whose value is that member;
//! `ListRelationship` becomes a [`Relationship`].

use crate::datetime::{Timestamp, typed_literal};
use crate::error::{ParseError, describe};
use crate::geo::Geometry;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// One attribute of an entity.
#[derive(Debug, Clone, PartialEq)]
pub enum Attribute {
    /// A value (text, number, boolean, list, structured value, texts by language, vocabulary).
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
    /// Which instance this is, when an attribute has several (`datasetId`); `None` for the
    /// default instance (no `datasetId`, or `@none` in the simplified form).
    pub dataset_id: Option<String>,
    /// Attributes of the attribute (e.g. `reliability`, `providedBy`).
    pub sub_attributes: BTreeMap<String, Attribute>,
}

/// A Property, or one of its NGSI-LD 1.6+ kinds (see [`PropertyKind`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The value (the kind's member: `value`, `languageMap`, `vocab`, `valueList`, `json`); a
    /// JSON-LD typed literal (`{"@type":"DateTime","@value":"…"}`, or `type` for `@type`) is
    /// unwrapped to its `@value`, the type going to `datatype`.
    pub value: Value,
    /// The `@type` of an unwrapped typed literal (e.g. `DateTime`).
    pub datatype: Option<String>,
    /// UN/CEFACT unit code (`GP` = mg/m³, `CEL` = °C…).
    pub unit_code: Option<String>,
    /// Which kind of Property it was given as.
    pub kind: PropertyKind,
    /// The language of a text value, when a broker answering with the `lang` option turned a
    /// LanguageProperty into a Property (`{"type":"Property","value":"…","lang":"fr"}`).
    pub lang: Option<String>,
    /// Time, instance and sub-attributes.
    pub meta: AttributeMeta,
}

/// The kinds of NGSI-LD Property, each keeping its value in its own member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PropertyKind {
    /// `Property` (`value`).
    #[default]
    Property,
    /// `LanguageProperty` (`languageMap`): texts by language tag, `@none` for no language.
    Language,
    /// `VocabularyProperty`, `VocabProperty` before v1.8 (`vocab`): a term of the
    /// `@context` (or its IRI when the broker could not compact it), or a list of them.
    Vocabulary,
    /// `ListProperty` (`valueList`): an ordered list.
    List,
    /// `JsonProperty` (`json`): JSON not to be read as JSON-LD.
    Json,
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
pub const ATTRIBUTE_TYPES: [&str; 9] = [
    "Property",
    "Relationship",
    "GeoProperty",
    "LanguageProperty",
    "VocabularyProperty",
    "VocabProperty",
    "ListProperty",
    "ListRelationship",
    "JsonProperty",
];

/// Each Property type name, its kind and the member holding its value; the first name of a
/// kind is the one written.
const PROPERTY_KINDS: [(&str, PropertyKind, &str); 6] = [
    ("Property", PropertyKind::Property, "value"),
    ("LanguageProperty", PropertyKind::Language, "languageMap"),
    ("VocabularyProperty", PropertyKind::Vocabulary, "vocab"),
    ("VocabProperty", PropertyKind::Vocabulary, "vocab"),
    ("ListProperty", PropertyKind::List, "valueList"),
    ("JsonProperty", PropertyKind::Json, "json"),
];

/// Members that, in an object without `type`, make it a concise attribute, with the type each
/// stands for. `value` comes last: the others are more specific.
const CONCISE_MEMBERS: [(&str, &str); 7] = [
    ("object", "Relationship"),
    ("objectList", "ListRelationship"),
    ("languageMap", "LanguageProperty"),
    ("vocab", "VocabularyProperty"),
    ("valueList", "ListProperty"),
    ("json", "JsonProperty"),
    ("value", "Property"),
];

/// Members of an attribute that are not sub-attributes (the `previous…` ones come in
/// notifications with `showChanges`).
const RESERVED: &[&str] = &[
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
    "lang",
    "observedAt",
    "datasetId",
    "createdAt",
    "modifiedAt",
    "deletedAt",
    "instanceId",
    "previousValue",
    "previousObject",
    "previousObjectList",
    "previousLanguageMap",
    "previousVocab",
    "previousValueList",
    "previousJson",
];

/// The `datasetId` key of the default instance in a simplified multi-attribute, and the
/// language tag of a text in no particular language.
const NONE: &str = "@none";

/// What an object with an unknown `type` and a `value` is, which depends on the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The entity has normalized attributes: such an object is an NGSI-v2 attribute written
    /// by mistake, an error worth explaining.
    Normalized,
    /// The entity has none (concise or keyValues): such an object is a structured value.
    Simplified,
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

    /// The same document at another path (a member or an item of this one).
    fn at<'p>(&self, path: &'p str) -> Site<'p> {
        Site {
            document: self.document,
            path,
        }
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

    fn meta_mut(&mut self) -> &mut AttributeMeta {
        match self {
            Attribute::Property(p) => &mut p.meta,
            Attribute::Relationship(r) => &mut r.meta,
            Attribute::GeoProperty(g) => &mut g.meta,
        }
    }

    /// When the value was observed, if said.
    pub fn observed_at(&self) -> Option<&Timestamp> {
        self.meta().observed_at.as_ref()
    }

    /// The NGSI-LD type name (`Property`, `LanguageProperty`…, `Relationship`, `GeoProperty`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Attribute::Property(p) => p.kind.type_name(),
            Attribute::Relationship(_) => "Relationship",
            Attribute::GeoProperty(_) => "GeoProperty",
        }
    }

    /// True when `value` is written as a typed NGSI-LD attribute structure (normalized form):
    /// what tells a normalized entity from the others.
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

    /// True when `value` can only be a concise attribute: `{"value"|"object"|"objectList": …}`
    /// without `type`, or instances of one. (`languageMap`, `vocab` and `json` objects are
    /// also the simplified form, so they tell nothing about the entity.)
    pub(crate) fn is_concise_structure(value: &Value) -> bool {
        match value {
            Value::Object(o) => {
                !o.contains_key("type")
                    && ["value", "object", "objectList"]
                        .iter()
                        .any(|m| o.contains_key(*m))
            }
            Value::Array(items) => is_instance_list(items),
            _ => false,
        }
    }

    /// Reads one attribute member: its instances when it has several, else the one.
    pub(crate) fn read(
        site: &Site<'_>,
        value: &Value,
        mode: Mode,
    ) -> Result<Instances, ParseError> {
        let all = match value {
            Value::Array(items) if is_instance_list(items) => {
                read_instance_list(site, items, mode)?
            }
            other => match dataset_map(other) {
                Some(datasets) => read_datasets(site, datasets)?,
                None => vec![read_one(site, value, mode)?],
            },
        };
        instances(all).ok_or_else(|| site.invalid("an attribute needs at least one instance"))
    }

    /// The normalized NGSI-LD form.
    pub fn to_normalized(&self) -> Value {
        let mut out = Map::new();
        out.insert("type".into(), json!(self.type_name()));
        match self {
            Attribute::Property(p) => {
                out.insert(p.kind.member().into(), p.typed_value());
                if let Some(unit) = &p.unit_code {
                    out.insert("unitCode".into(), json!(unit));
                }
                if let Some(lang) = &p.lang {
                    out.insert("lang".into(), json!(lang));
                }
            }
            Attribute::Relationship(r) => {
                out.insert("object".into(), r.object_value());
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

    /// The keyValues form: the bare value (a relationship's target id, a geometry object);
    /// the kinds whose value could pass for a structured value keep their member
    /// (`{"languageMap": …}`), as brokers write them.
    pub fn to_key_value(&self) -> Value {
        match self {
            Attribute::Property(p) if p.kind == PropertyKind::Property => p.value.clone(),
            Attribute::Property(p) => {
                let mut out = Map::new();
                out.insert(p.kind.member().into(), p.value.clone());
                Value::Object(out)
            }
            Attribute::Relationship(r) => r.object_value(),
            Attribute::GeoProperty(g) => g.value.to_geojson(),
        }
    }

    /// The keyValues form of an attribute and its other instances: with some,
    /// `{"dataset": {"@none": default, "<datasetId>": …}}`.
    pub(crate) fn to_key_value_instances(&self, others: &[Attribute]) -> Value {
        if others.is_empty() {
            return self.to_key_value();
        }
        let mut datasets = Map::new();
        for instance in std::iter::once(self).chain(others) {
            let key = instance.meta().dataset_id.as_deref().unwrap_or(NONE);
            datasets.insert(key.to_owned(), instance.to_key_value());
        }
        json!({ "dataset": datasets })
    }
}

impl PropertyKind {
    /// The NGSI-LD type name written for this kind (`VocabularyProperty`, the v1.8 spelling).
    pub fn type_name(self) -> &'static str {
        PROPERTY_KINDS
            .iter()
            .find(|(_, k, _)| *k == self)
            .map_or("Property", |(name, _, _)| name)
    }

    /// The member holding the value (`value`, `languageMap`, `vocab`, `valueList`, `json`).
    pub fn member(self) -> &'static str {
        PROPERTY_KINDS
            .iter()
            .find(|(_, k, _)| *k == self)
            .map_or("value", |(_, _, member)| member)
    }

    fn from_type_name(name: &str) -> Option<Self> {
        PROPERTY_KINDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, k, _)| *k)
    }
}

impl Property {
    /// A plain property with a value and nothing else.
    pub fn new(value: Value) -> Self {
        Property {
            value,
            datatype: None,
            unit_code: None,
            kind: PropertyKind::Property,
            lang: None,
            meta: AttributeMeta::default(),
        }
    }

    /// The texts by language tag of a LanguageProperty; also of a plain Property whose value
    /// is an object of texts keyed by language tags, because the keyValues form of a
    /// LanguageProperty may be the bare languageMap.
    pub fn language_map(&self) -> Option<&Map<String, Value>> {
        let map = self.value.as_object()?;
        match self.kind {
            PropertyKind::Language => Some(map),
            PropertyKind::Property if looks_like_language_map(map) => Some(map),
            _ => None,
        }
    }

    /// The text in the first preferred language that has one (the exact tag, else the same
    /// primary language: `fr` ↔ `fr-CA`), else the `@none` text, else any: the fallback the
    /// `lang` option of brokers follows. A text value is given as is, whatever its language.
    pub fn text_in(&self, preferred: &[&str]) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => pick_language(self.language_map()?, preferred),
        }
    }

    /// The value as a date (a text or a typed literal), if it is one.
    pub fn timestamp(&self) -> Option<Timestamp> {
        Timestamp::from_value(&self.value).ok()
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

    /// `object` as written: the id, or the list of ids.
    fn object_value(&self) -> Value {
        match self.objects.as_slice() {
            [one] => json!(one),
            many => json!(many),
        }
    }
}

/// The default instance (no `datasetId`; the first one when all have one) and the others.
fn instances(mut all: Vec<Attribute>) -> Option<Instances> {
    let at = all
        .iter()
        .position(|a| a.meta().dataset_id.is_none())
        .unwrap_or(0);
    if at >= all.len() {
        return None;
    }
    let default = all.remove(at);
    Some(Instances {
        default,
        others: all,
    })
}

/// True when `items` are instances of one attribute: each an attribute structure, and
/// either all typed or some with a `datasetId` (a keyValues list of objects has neither).
fn is_instance_list(items: &[Value]) -> bool {
    let structure = |v: &Value| {
        Attribute::is_normalized_structure(v) || v.as_object().and_then(concise_kind).is_some()
    };
    !items.is_empty()
        && items.iter().all(structure)
        && (items.iter().all(Attribute::is_normalized_structure)
            || items.iter().any(|v| v.get("datasetId").is_some()))
}

fn read_instance_list(
    site: &Site<'_>,
    items: &[Value],
    mode: Mode,
) -> Result<Vec<Attribute>, ParseError> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| read_one(&site.at(&format!("{}[{i}]", site.path)), v, mode))
        .collect()
}

/// `{"dataset": {…}}` and nothing else: the simplified form of a multi-attribute.
fn dataset_map(value: &Value) -> Option<&Map<String, Value>> {
    let obj = value.as_object().filter(|o| o.len() == 1)?;
    obj.get("dataset")?.as_object().filter(|d| !d.is_empty())
}

/// Each simplified value of a `dataset` map, with its key as `datasetId` (`@none`: none).
fn read_datasets(
    site: &Site<'_>,
    datasets: &Map<String, Value>,
) -> Result<Vec<Attribute>, ParseError> {
    datasets
        .iter()
        .map(|(id, value)| {
            let path = format!("{}.dataset[{id}]", site.path);
            let mut attr = read_one(&site.at(&path), value, Mode::Simplified)?;
            attr.meta_mut().dataset_id = (id != NONE).then(|| id.clone());
            Ok(attr)
        })
        .collect()
}

/// Reads one attribute instance, in whichever form it is written.
fn read_one(site: &Site<'_>, value: &Value, mode: Mode) -> Result<Attribute, ParseError> {
    let Value::Object(obj) = value else {
        return read_bare(site, value);
    };
    match structure_kind(site, value, obj, mode)? {
        Some(kind) => read_structure(site, obj, kind, mode),
        None => read_bare(site, value),
    }
}

/// The attribute type `obj` is a structure of, or `None` when it is a bare value.
fn structure_kind(
    site: &Site<'_>,
    value: &Value,
    obj: &Map<String, Value>,
    mode: Mode,
) -> Result<Option<&'static str>, ParseError> {
    let Some(declared) = obj.get("type").and_then(Value::as_str) else {
        return Ok(concise_kind(obj));
    };
    if let Some(kind) = ATTRIBUTE_TYPES.iter().find(|t| **t == declared) {
        // Outside normalized entities, `{"type":"Relationship"}` without a target is a value.
        let typed = mode == Mode::Normalized || Attribute::is_normalized_structure(value);
        return Ok(typed.then_some(*kind));
    }
    if mode == Mode::Normalized && obj.contains_key("value") && !Geometry::looks_like_geojson(value)
    {
        return Err(site.invalid(format!(
            "type \"{declared}\" is not an NGSI-LD attribute type ({}); this looks like NGSI-v2",
            ATTRIBUTE_TYPES.join(", ")
        )));
    }
    // A geometry, a typed literal, a structured value such as a PostalAddress.
    Ok(None)
}

/// The concise attribute type of an object without `type`, from the member it has.
fn concise_kind(obj: &Map<String, Value>) -> Option<&'static str> {
    if obj.contains_key("type") {
        return None;
    }
    let (_, kind) = CONCISE_MEMBERS.iter().find(|(m, _)| obj.contains_key(*m))?;
    // A concise GeoProperty with sub-attributes keeps its geometry in `value`.
    if *kind == "Property" && obj.get("value").is_some_and(Geometry::looks_like_geojson) {
        return Some("GeoProperty");
    }
    Some(kind)
}

/// `{"@type": T, "@value": V}` (or `type` for `@type`) → `(V, Some(T))`; else unchanged.
fn unwrap_typed_literal(value: &Value) -> (Value, Option<String>) {
    match typed_literal(value) {
        Some((v, Some(t))) => (v.clone(), Some(t.to_owned())),
        _ => (value.clone(), None),
    }
}

/// A bare value: a geometry is a GeoProperty, anything else a Property.
fn read_bare(site: &Site<'_>, value: &Value) -> Result<Attribute, ParseError> {
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

/// An attribute structure (normalized or concise) of a known type.
fn read_structure(
    site: &Site<'_>,
    obj: &Map<String, Value>,
    kind: &str,
    mode: Mode,
) -> Result<Attribute, ParseError> {
    let meta = read_meta(site, obj, mode)?;
    Ok(match kind {
        "Relationship" | "ListRelationship" => {
            let objects = match obj.get("object") {
                Some(o) => relationship_targets(site, o)?,
                None => relationship_targets(site, member(site, obj, "objectList")?)?,
            };
            Attribute::Relationship(Relationship { objects, meta })
        }
        "GeoProperty" => {
            let geometry = Geometry::from_geojson(member(site, obj, "value")?).map_err(|e| {
                ParseError::invalid(site.document, format!("{}.value", site.path), e.0)
            })?;
            Attribute::GeoProperty(GeoProperty {
                value: geometry,
                meta,
            })
        }
        other => {
            let kind = PropertyKind::from_type_name(other).unwrap_or_default();
            let (value, datatype) = unwrap_typed_literal(member(site, obj, kind.member())?);
            Attribute::Property(Property {
                value,
                datatype,
                unit_code: text_member(site, obj, "unitCode")?,
                kind,
                lang: text_member(site, obj, "lang")?,
                meta,
            })
        }
    })
}

fn member<'v>(
    site: &Site<'_>,
    obj: &'v Map<String, Value>,
    name: &str,
) -> Result<&'v Value, ParseError> {
    obj.get(name)
        .ok_or_else(|| ParseError::missing(site.document, format!("{}.{name}", site.path)))
}

/// An optional text member (`unitCode`, `lang`); `null` counts as absent.
fn text_member(
    site: &Site<'_>,
    obj: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>, ParseError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(ParseError::invalid(
            site.document,
            format!("{}.{name}", site.path),
            format!("expected text, got {}", describe(v)),
        )),
    }
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

fn read_meta(
    site: &Site<'_>,
    obj: &Map<String, Value>,
    mode: Mode,
) -> Result<AttributeMeta, ParseError> {
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
        .filter(|d| *d != NONE)
        .map(str::to_owned);
    let mut sub_attributes = BTreeMap::new();
    for (name, value) in obj {
        if RESERVED.contains(&name.as_str()) || name.starts_with('@') {
            continue;
        }
        let path = format!("{}.{name}", site.path);
        sub_attributes.insert(name.clone(), read_one(&site.at(&path), value, mode)?);
    }
    Ok(AttributeMeta {
        observed_at,
        dataset_id,
        sub_attributes,
    })
}

/// True for a non-empty object of texts keyed by language tags (`fr`, `en-GB`, `@none`).
fn looks_like_language_map(map: &Map<String, Value>) -> bool {
    !map.is_empty()
        && map
            .iter()
            .all(|(tag, text)| is_language_tag(tag) && language_text(text).is_some())
}

/// A BCP 47 tag, loosely: a 2–3 letter language, then `-` subtags of 1–8 letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    tag == NONE
        || ((2..=3).contains(&primary.len())
            && primary.bytes().all(|b| b.is_ascii_alphabetic())
            && parts.all(|p| {
                (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
            }))
}

/// A languageMap entry's text: a text, or the first of several (JSON-LD allows a list).
fn language_text(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        Value::Array(items) => items.first().and_then(Value::as_str),
        _ => None,
    }
}

/// The text for the first preferred tag found (exact, else same primary language), else the
/// `@none` text, else the first text.
fn pick_language<'m>(map: &'m Map<String, Value>, preferred: &[&str]) -> Option<&'m str> {
    let primary = |tag: &str| tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    let wanted = preferred.iter().find_map(|want| {
        let exact = map.iter().find(|(tag, _)| tag.eq_ignore_ascii_case(want));
        exact
            .or_else(|| map.iter().find(|(tag, _)| primary(tag) == primary(want)))
            .and_then(|(_, text)| language_text(text))
    });
    wanted
        .or_else(|| map.get(NONE).and_then(language_text))
        .or_else(|| map.values().find_map(language_text))
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
            Mode::Simplified,
        )
        .unwrap()
        .default;
        let Attribute::Property(p) = a else { panic!() };
        assert_eq!(p.value["streetAddress"], "x");
        let loc = read(
            json!({"type": "Point", "coordinates": [1.0, 2.0]}),
            Mode::Simplified,
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

    fn property(value: Value) -> Property {
        match one(value) {
            Attribute::Property(p) => p,
            other => panic!("expected a Property, got {other:?}"),
        }
    }

    /// After CIM 009's concise OffStreetParking example: sub-attributes beside `value`, themselves
    /// concise (`0.7`, `{"object": …}`).
    #[test]
    fn concise_property_with_concise_sub_attributes() {
        let p = property(json!({
            "value": 121, "observedAt": "2017-07-29T12:05:02Z",
            "reliability": 0.7,
            "providedBy": {"object": "urn:ngsi-ld:Camera:C1"}
        }));
        assert_eq!(p.value, json!(121));
        assert_eq!(p.kind, PropertyKind::Property);
        assert_eq!(
            p.meta.observed_at.as_ref().map(Timestamp::as_str),
            Some("2017-07-29T12:05:02Z")
        );
        let Some(Attribute::Property(reliability)) = p.meta.sub_attributes.get("reliability")
        else {
            panic!("reliability")
        };
        assert_eq!(reliability.value, json!(0.7));
        let Some(Attribute::Relationship(camera)) = p.meta.sub_attributes.get("providedBy") else {
            panic!("providedBy")
        };
        assert_eq!(camera.object(), Some("urn:ngsi-ld:Camera:C1"));
    }

    #[test]
    fn concise_members_say_the_kind_in_either_mode() {
        for mode in [Mode::Normalized, Mode::Simplified] {
            let kind = |value: Value| match read(value, mode).unwrap().default {
                Attribute::Property(p) => p.kind.type_name(),
                other => other.type_name(),
            };
            assert_eq!(kind(json!({"value": "good"})), "Property");
            assert_eq!(kind(json!({"object": "urn:a"})), "Relationship");
            assert_eq!(kind(json!({"objectList": ["urn:a"]})), "Relationship");
            assert_eq!(
                kind(json!({"languageMap": {"fr": "x"}})),
                "LanguageProperty"
            );
            assert_eq!(kind(json!({"vocab": "commercial"})), "VocabularyProperty");
            assert_eq!(kind(json!({"valueList": [1, 2]})), "ListProperty");
            assert_eq!(kind(json!({"json": {"a": 1}})), "JsonProperty");
            assert_eq!(
                kind(json!({"type": "Point", "coordinates": [-8.5, 41.2]})),
                "GeoProperty"
            );
            let geo = json!({"value": {"type": "Point", "coordinates": [-8.5, 41.2]},
                             "observedAt": "2017-07-29T12:05:02Z"});
            assert_eq!(
                kind(geo),
                "GeoProperty",
                "concise GeoProperty with a sub-attribute"
            );
            assert_eq!(
                kind(json!({"streetAddress": "x"})),
                "Property",
                "a bare value"
            );
        }
    }

    #[test]
    fn unit_code_and_lang_are_kept_not_sub_attributes() {
        let p =
            property(json!({"value": 12, "unitCode": "CEL", "observedAt": "2026-11-28T08:00:00Z"}));
        assert_eq!(p.unit_code.as_deref(), Some("CEL"));
        assert!(p.meta.sub_attributes.is_empty());
        // What a broker answers for a LanguageProperty with `lang=nl`.
        let raw = json!({"type": "Property", "value": "Grote Markt", "lang": "nl"});
        let p = property(raw.clone());
        assert_eq!(
            (p.value.as_str(), p.lang.as_deref()),
            (Some("Grote Markt"), Some("nl"))
        );
        assert!(p.meta.sub_attributes.is_empty());
        assert_eq!(Attribute::Property(p).to_normalized(), raw);
        let bad = read(json!({"value": 1, "unitCode": 7}), Mode::Simplified);
        assert_eq!(bad.err().unwrap().field(), Some("attr.unitCode"));
    }

    #[test]
    fn vocabulary_property_in_both_spellings() {
        for raw in [
            json!({"type": "VocabularyProperty", "vocab": "commercial"}),
            json!({"type": "VocabProperty", "vocab": "commercial"}),
            json!({"vocab": "commercial"}),
        ] {
            let p = property(raw);
            assert_eq!(p.kind, PropertyKind::Vocabulary);
            assert_eq!(p.value, json!("commercial"));
            assert_eq!(p.text_in(&[]), Some("commercial"));
            let a = Attribute::Property(p);
            assert_eq!(
                a.to_normalized(),
                json!({"type": "VocabularyProperty", "vocab": "commercial"})
            );
            assert_eq!(a.to_key_value(), json!({"vocab": "commercial"}));
        }
    }

    #[test]
    fn language_maps_pick_the_preferred_language() {
        let p = property(json!({"type": "LanguageProperty",
            "languageMap": {"fr": "Grand Place", "nl": "Grote Markt", "en-GB": "Grand Square"}}));
        assert_eq!(p.kind, PropertyKind::Language);
        assert_eq!(p.text_in(&["nl", "fr"]), Some("Grote Markt"));
        assert_eq!(
            p.text_in(&["de", "FR"]),
            Some("Grand Place"),
            "next preference, any case"
        );
        assert_eq!(
            p.text_in(&["en"]),
            Some("Grand Square"),
            "same primary language"
        );
        assert_eq!(p.text_in(&["fr-BE"]), Some("Grand Place"));
        let with_none =
            property(json!({"languageMap": {"@none": "Grand-Place", "fr": "Grand Place"}}));
        assert_eq!(
            with_none.text_in(&["de"]),
            Some("Grand-Place"),
            "@none before any"
        );
        let one = property(json!({"languageMap": {"nl": ["Grote Markt", "Markt"]}}));
        assert_eq!(
            one.text_in(&["de"]),
            Some("Grote Markt"),
            "any, first of a list"
        );
        // keyValues may give the bare map: read as a value, still found by language.
        let bare = read(
            json!({"fr": "Grand Place", "nl": "Grote Markt"}),
            Mode::Simplified,
        )
        .unwrap()
        .default;
        let Attribute::Property(bare) = bare else {
            panic!()
        };
        assert_eq!(bare.kind, PropertyKind::Property);
        assert_eq!(bare.text_in(&["nl"]), Some("Grote Markt"));
        let address = property(json!({"streetAddress": "Rue X", "postalCode": "41000"}));
        assert_eq!(address.language_map(), None, "not language tags");
        assert_eq!(address.text_in(&["fr"]), None);
        assert_eq!(
            Attribute::Property(with_none).to_key_value(),
            json!({"languageMap": {"@none": "Grand-Place", "fr": "Grand Place"}})
        );
    }

    #[test]
    fn date_time_literals_in_both_spellings() {
        for value in [
            json!({"@type": "DateTime", "@value": "2018-08-07T12:00:00Z"}),
            json!({"type": "DateTime", "@value": "2018-08-07T12:00:00Z"}),
        ] {
            for raw in [
                json!({"type": "Property", "value": value}),
                json!({"value": value}),
                value.clone(),
            ] {
                let p = property(raw);
                assert_eq!(p.value, json!("2018-08-07T12:00:00Z"));
                assert_eq!(p.datatype.as_deref(), Some("DateTime"));
                assert_eq!(
                    p.timestamp().map(|t| t.unix_millis()),
                    Some(1_533_643_200_000)
                );
            }
        }
        assert!(
            property(json!("2018-08-07T12:00:00Z"))
                .timestamp()
                .is_some()
        );
        assert_eq!(property(json!("soon")).timestamp(), None);
    }

    /// After CIM 009's multi-attribute example: a Vehicle's speed from two sources, each instance
    /// with its `datasetId`, the default one without.
    #[test]
    fn multi_attributes_normalized_concise_and_simplified() {
        let speedometer = "urn:ngsi-ld:Property:speedometerA4567-speed";
        let gps = "urn:ngsi-ld:Property:gpsBxyz123-speed";
        let normalized = json!([
            {"type": "Property", "value": 55, "datasetId": speedometer},
            {"type": "Property", "value": 54.5, "datasetId": gps},
            {"type": "Property", "value": 54}
        ]);
        let concise = json!([
            {"value": 55, "datasetId": speedometer},
            {"value": 54.5, "datasetId": gps},
            {"value": 54}
        ]);
        let simplified = json!({"dataset": {"@none": 54, speedometer: 55, gps: 54.5}});
        for (raw, mode) in [
            (normalized, Mode::Normalized),
            (concise, Mode::Simplified),
            (simplified, Mode::Simplified),
        ] {
            let i = read(raw.clone(), mode).unwrap();
            let Attribute::Property(p) = &i.default else {
                panic!()
            };
            assert_eq!(
                (p.value.clone(), p.meta.dataset_id.clone()),
                (json!(54), None),
                "{raw}"
            );
            let mut others: Vec<(Option<&str>, &Value)> = i
                .others
                .iter()
                .map(|a| match a {
                    Attribute::Property(p) => (p.meta.dataset_id.as_deref(), &p.value),
                    other => panic!("{other:?}"),
                })
                .collect();
            others.sort_by_key(|(d, _)| *d);
            assert_eq!(
                others,
                [(Some(gps), &json!(54.5)), (Some(speedometer), &json!(55))]
            );
            let back = i.default.to_key_value_instances(&i.others);
            assert_eq!(back["dataset"]["@none"], json!(54));
            assert_eq!(back["dataset"][gps], json!(54.5));
        }
        let no_default = read(
            json!([{"value": 1, "datasetId": "urn:a"}]),
            Mode::Simplified,
        )
        .unwrap();
        assert_eq!(
            no_default.default.meta().dataset_id.as_deref(),
            Some("urn:a"),
            "kept"
        );
        let objects = one(json!([{"name": "a"}, {"name": "b"}]));
        assert!(
            matches!(objects, Attribute::Property(p) if p.value.is_array()),
            "a plain list"
        );
    }

    #[test]
    fn simplified_mode_takes_v2_lookalikes_and_bare_types_as_values() {
        for raw in [
            json!({"type": "Text", "value": "ok"}),
            json!({"type": "Relationship"}),
            json!({"type": "PostalAddress", "streetAddress": "x"}),
        ] {
            let p = match read(raw.clone(), Mode::Simplified).unwrap().default {
                Attribute::Property(p) => p,
                other => panic!("{other:?}"),
            };
            assert_eq!(p.value, raw);
        }
        assert!(read(json!({"type": "Relationship"}), Mode::Normalized).is_err());
    }
}
