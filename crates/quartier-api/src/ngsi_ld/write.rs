//! NGSI-LD writes (ETSI GS CIM 009 v1.9, 5.6 and 5.7): what a client sends to create or change
//! entities, checked and brought to the one form a store keeps, and the wire shapes of the
//! answers (UpdateResult, BatchOperationResult). Pure: no I/O.
//!
//! - The request's `@context` ([`RequestContext`]): in the body for `application/ld+json`,
//!   in a `Link` header for `application/json`. The NGSI-LD core context and Smart Data
//!   Models' contexts are known without fetching them ([`super::query::is_known_context`]);
//!   inline context objects are read for their term definitions; any other context URL is
//!   503 LdContextNotAvailable at once (nothing is ever fetched).
//! - Terms (the entity type, attribute and sub-attribute names) are expanded under that
//!   context and compacted back to the short names of the known vocabularies
//!   ([`super::query::compact`]), so `Streetlight` under the Smart Data Models context and
//!   `https://smartdatamodels.org/dataModel.Streetlighting/Streetlight` are one type; a term
//!   of another vocabulary is kept as its full IRI.
//! - Attributes in the normalized or the concise form ([`normalize_attribute`]) become the
//!   normalized form, `type` included; system attributes (`createdAt`, `modifiedAt`) sent by
//!   the client are dropped, as the broker sets them.
//!
//! Every refusal is a [`ProblemDetails`] of the spec's error type, ready to answer with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::context::{CORE_CONTEXT_V1_8, ContextDocuments, is_core_context};
use super::problem::{ErrorType, ProblemDetails};
use super::query::{compact, is_known_context};
use crate::datetime::Timestamp;

/// Members of an entity that are not attributes.
const ENTITY_CORE: &[&str] = &["id", "type", "@context", "scope"];
/// Members the broker sets itself: ignored when a client sends them.
const SYSTEM: &[&str] = &["createdAt", "modifiedAt", "deletedAt"];
/// Members of an attribute that are not sub-attributes.
const ATTRIBUTE_CORE: &[&str] = &[
    "type",
    "value",
    "object",
    "objectType",
    "languageMap",
    "vocab",
    "valueList",
    "objectList",
    "json",
    "observedAt",
    "unitCode",
    "datasetId",
    "lang",
    "instanceId",
];
const GEOMETRY_TYPES: &[&str] = &[
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
];

/// How a write's body was sent (`Content-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyType {
    /// `application/json`: the context, if any, in a `Link` header.
    Json,
    /// `application/ld+json`: the context in the body's `@context`.
    JsonLd,
}

impl BodyType {
    /// The body type of a `Content-Type` value (parameters ignored); `None` (415
    /// UnsupportedMediaType) for any other, or none.
    pub fn of(content_type: Option<&str>) -> Option<Self> {
        let essence = content_type?
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => Some(Self::Json),
            "application/ld+json" => Some(Self::JsonLd),
            _ => None,
        }
    }
}

/// 415 for a body that is neither JSON nor JSON-LD.
pub fn unsupported_media_type(content_type: Option<&str>) -> ProblemDetails {
    ProblemDetails::new(
        ErrorType::UnsupportedMediaType,
        format!(
            "a body is application/json or application/ld+json, not {}",
            content_type.unwrap_or("untyped")
        ),
    )
}

fn bad_data(detail: impl Into<String>) -> ProblemDetails {
    ProblemDetails::new(ErrorType::BadRequestData, detail)
}

fn invalid(detail: impl Into<String>) -> ProblemDetails {
    ProblemDetails::new(ErrorType::InvalidRequest, detail)
}

/// The 503 for a context this platform does not know (it fetches none).
pub fn context_not_available(url: &str) -> ProblemDetails {
    ProblemDetails::new(
        ErrorType::LdContextNotAvailable,
        format!(
            "this platform fetches no @context; {url} is not one it knows (the NGSI-LD core \
             context, Smart Data Models' and the documents it was started with are)"
        ),
    )
}

/// How deep context documents may include others (`@context` URLs inside a document).
const MAX_CONTEXT_DEPTH: usize = 8;
/// Where terms without a definition expand (the core context's `@vocab`).
const DEFAULT_VOCAB: &str = "https://uri.etsi.org/ngsi-ld/default-context/";

/// A request's `@context`: the terms it defines beyond the built-in vocabularies', and the
/// context as sent, which the answer carries back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestContext {
    /// Term → IRI (or compact IRI) from inline context objects and known documents, later
    /// ones winning.
    terms: BTreeMap<String, String>,
    /// Stored name → the term that compacts it (the shortest, then the first in order).
    reverse: BTreeMap<String, String>,
    /// The `@context` as the request gave it (a `Link` URL as a text); `None` when it gave none.
    sent: Option<Value>,
}

impl RequestContext {
    /// [`Self::of_request_in`] with no context documents beyond the built-in ones.
    pub fn of_request(
        body_type: BodyType,
        body_context: Option<&Value>,
        link_context: Option<&str>,
    ) -> Result<Self, ProblemDetails> {
        Self::of_request_in(
            body_type,
            body_context,
            link_context,
            &ContextDocuments::default(),
        )
    }

    /// The context of a request: `@context` of a JSON-LD body (required there), or the `Link`
    /// header of a JSON one (a JSON body may not carry `@context`, 6.3.5). Context URLs are
    /// the built-in ones or `documents`; any other is 503 LdContextNotAvailable.
    pub fn of_request_in(
        body_type: BodyType,
        body_context: Option<&Value>,
        link_context: Option<&str>,
        documents: &ContextDocuments,
    ) -> Result<Self, ProblemDetails> {
        match (body_type, body_context) {
            (BodyType::JsonLd, None) => {
                Err(bad_data("an application/ld+json body carries its @context"))
            }
            (BodyType::JsonLd, Some(context)) => Self::from_value_in(context, documents),
            (BodyType::Json, Some(_)) => Err(bad_data(
                "an application/json body carries no @context: send it in a Link header, or \
                 send application/ld+json",
            )),
            (BodyType::Json, None) => match link_context {
                Some(url) => Self::from_value_in(&Value::String(url.to_owned()), documents),
                None => Ok(Self::default()),
            },
        }
    }

    /// [`Self::from_value_in`] with the built-in contexts only.
    pub fn from_value(context: &Value) -> Result<Self, ProblemDetails> {
        Self::from_value_in(context, &ContextDocuments::default())
    }

    /// Reads an `@context` value: URLs (built in, or among `documents`) and inline objects.
    pub fn from_value_in(
        context: &Value,
        documents: &ContextDocuments,
    ) -> Result<Self, ProblemDetails> {
        let mut out = Self::default();
        out.read(context, documents, 0)?;
        out.sent = Some(context.clone());
        let terms: Vec<String> = out.terms.keys().cloned().collect();
        for term in terms {
            let stored = out.term(&term);
            if stored == term {
                continue;
            }
            let better = out
                .reverse
                .get(&stored)
                .is_none_or(|current| term.len() < current.len());
            if better {
                out.reverse.insert(stored, term);
            }
        }
        Ok(out)
    }

    fn read(
        &mut self,
        context: &Value,
        documents: &ContextDocuments,
        depth: usize,
    ) -> Result<(), ProblemDetails> {
        if depth > MAX_CONTEXT_DEPTH {
            return Err(bad_data("@context documents include each other too deeply"));
        }
        let items: Vec<&Value> = match context {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        for item in items {
            match item {
                Value::String(url) if is_core_context(url) => {}
                Value::String(url) => match documents.get(url) {
                    Some(document) => self.read(document, documents, depth + 1)?,
                    None if is_known_context(url) => {}
                    None => return Err(context_not_available(url)),
                },
                Value::Object(definitions) => {
                    for (term, definition) in definitions {
                        let iri = match definition {
                            Value::String(iri) => iri.as_str(),
                            Value::Object(d) => match d.get("@id").and_then(Value::as_str) {
                                Some(iri) => iri,
                                None => continue,
                            },
                            _ => continue,
                        };
                        if !term.starts_with('@') {
                            self.terms.insert(term.clone(), iri.to_owned());
                        }
                    }
                }
                Value::Null => {}
                other => {
                    return Err(bad_data(format!(
                        "an @context item is a URL or an object, not {other}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The name a term is stored under: expanded by the context's definitions (a compact IRI
    /// `prefix:suffix` through its prefix), then compacted to a known vocabulary's short name.
    pub fn term(&self, term: &str) -> String {
        let expanded = match self.terms.get(term) {
            Some(iri) => self.expand_compact_iri(iri),
            None => self.expand_compact_iri(term),
        };
        compact(&expanded).to_owned()
    }

    /// The name a stored name is shown under in an answer to this request: the term the
    /// context defines for it; a short name the context gives another meaning as its full IRI
    /// (in the default vocabulary); any other as stored.
    pub fn compact_name(&self, stored: &str) -> String {
        if let Some(term) = self.reverse.get(stored) {
            return term.clone();
        }
        if !stored.contains(':') && self.terms.contains_key(stored) && self.term(stored) != stored {
            return format!("{DEFAULT_VOCAB}{stored}");
        }
        stored.to_owned()
    }

    /// An entity type as stored (a name or a list of names) shown under this context.
    pub fn compact_type(&self, stored: Value) -> Value {
        match stored {
            Value::String(name) => Value::String(self.compact_name(&name)),
            Value::Array(names) => {
                Value::Array(names.into_iter().map(|n| self.compact_type(n)).collect())
            }
            other => other,
        }
    }

    /// A stored (normalized) attribute shown under this context: its sub-attributes named by
    /// [`Self::compact_name`], recursively; values are left as they are.
    pub fn compact_attribute(&self, stored: Value) -> Value {
        if !self.defines_terms() {
            return stored;
        }
        match stored {
            Value::Array(instances) => Value::Array(
                instances
                    .into_iter()
                    .map(|i| self.compact_attribute(i))
                    .collect(),
            ),
            Value::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(member, value)| {
                        if ATTRIBUTE_CORE.contains(&member.as_str())
                            || SYSTEM.contains(&member.as_str())
                        {
                            (member, value)
                        } else {
                            (self.compact_name(&member), self.compact_attribute(value))
                        }
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// The full IRI of a stored name: a short name is the default vocabulary's (the core
    /// context's `@vocab`), a full IRI is itself. What discovery answers give as `id`.
    pub fn expand_name(stored: &str) -> String {
        if stored.contains(':') {
            stored.to_owned()
        } else {
            format!("{DEFAULT_VOCAB}{stored}")
        }
    }

    /// Whether the context defines terms of its own (answers then need compacting).
    pub fn defines_terms(&self) -> bool {
        !self.terms.is_empty()
    }

    /// The `@context` an answer carries: the request's, as sent, or the core context.
    pub fn answer_context(&self) -> Value {
        match &self.sent {
            Some(sent) => sent.clone(),
            None => Value::Array(vec![Value::String(CORE_CONTEXT_V1_8.to_owned())]),
        }
    }

    /// The context URL of an answer's `Link` header: the request's (its first URL), or the core
    /// context.
    pub fn answer_link(&self) -> String {
        let first_url = match &self.sent {
            Some(Value::String(url)) => Some(url.clone()),
            Some(Value::Array(items)) => items.iter().find_map(|i| i.as_str().map(str::to_owned)),
            _ => None,
        };
        first_url.unwrap_or_else(|| CORE_CONTEXT_V1_8.to_owned())
    }

    fn expand_compact_iri(&self, text: &str) -> String {
        match text.split_once(':') {
            Some((prefix, suffix)) if !suffix.starts_with("//") => match self.terms.get(prefix) {
                Some(base) => format!("{base}{suffix}"),
                None => text.to_owned(),
            },
            _ => text.to_owned(),
        }
    }
}

/// Whether `id` is a URI (5.2.4): a scheme (a letter, then letters, digits, `+`, `-`, `.`), a
/// colon, something after it, and no whitespace.
pub fn is_uri(id: &str) -> bool {
    let Some((scheme, rest)) = id.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !id.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An attribute name as 4.6.2 allows it: not empty, none of `<>"'=;()` nor whitespace.
fn check_name(name: &str) -> Result<(), ProblemDetails> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"'=;()".contains(c))
    {
        return Err(bad_data(format!("{name:?} is not a valid attribute name")));
    }
    Ok(())
}

/// An entity to create or upsert: its id, its type (stored name) and the normalized entity
/// (`id`, `type`, attributes; no `@context`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntity {
    /// The entity's URI.
    pub id: String,
    /// Its type, as stored (a short name of a known vocabulary, or a full IRI).
    pub entity_type: String,
    /// The normalized entity.
    pub data: Map<String, Value>,
}

impl NewEntity {
    /// The `[lon, lat]` of the entity's `location` when it is a Point (what geo-queries use).
    pub fn point(&self) -> Option<(f64, f64)> {
        point_of(&self.data)
    }
}

/// The `[lon, lat]` of a normalized entity's `location` Point.
pub fn point_of(entity: &Map<String, Value>) -> Option<(f64, f64)> {
    let location = match entity.get("location")? {
        Value::Array(instances) => instances.first()?,
        one => one,
    };
    let value = location.get("value")?;
    if value.get("type").and_then(Value::as_str) != Some("Point") {
        return None;
    }
    let coordinates = value.get("coordinates")?.as_array()?;
    Some((
        coordinates.first()?.as_f64()?,
        coordinates.get(1)?.as_f64()?,
    ))
}

/// Reads an entity to create (5.6.1): an object with a URI `id` and a `type`, and its
/// attributes. `context` is the request's ([`RequestContext::of_request`]); the entity's own
/// `@context` member has been read into it already.
pub fn new_entity(body: &Value, context: &RequestContext) -> Result<NewEntity, ProblemDetails> {
    let Value::Object(members) = body else {
        // Not an entity at all (`[]`, a number): the request, not its data, is wrong (as the
        // ETSI suite checks).
        return Err(invalid("an entity is a JSON object"));
    };
    let id = match members.get("id").or_else(|| members.get("@id")) {
        Some(Value::String(id)) if is_uri(id) => id.clone(),
        Some(Value::String(id)) => return Err(bad_data(format!("{id:?} is not a URI"))),
        Some(_) => return Err(bad_data("an entity id is a URI (text)")),
        None => return Err(bad_data("an entity needs an id")),
    };
    let types: Vec<String> = match members.get("type").or_else(|| members.get("@type")) {
        Some(Value::String(t)) => vec![type_name(t, context)?],
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|t| match t {
                Value::String(t) => type_name(t, context),
                _ => Err(bad_data("an entity type is a name")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad_data("an entity type is a name")),
        None => return Err(bad_data("an entity needs a type")),
    };
    let mut data = Map::new();
    data.insert("id".into(), Value::String(id.clone()));
    data.insert(
        "type".into(),
        match types.as_slice() {
            [one] => Value::String(one.clone()),
            many => Value::Array(many.iter().cloned().map(Value::String).collect()),
        },
    );
    if let Some(scope) = members.get("scope") {
        data.insert("scope".into(), scope.clone());
    }
    for (name, attribute) in fragment_attributes(members, context)? {
        data.insert(name, attribute);
    }
    Ok(NewEntity {
        id,
        entity_type: types.into_iter().next().unwrap_or_default(),
        data,
    })
}

/// The attributes of an entity or an entity fragment (append, update: 5.6.3, 5.6.2), by
/// stored name, normalized. `id`, `type`, `scope` and system attributes are not attributes.
pub fn fragment_attributes(
    members: &Map<String, Value>,
    context: &RequestContext,
) -> Result<Vec<(String, Value)>, ProblemDetails> {
    let mut out: Vec<(String, Value)> = Vec::new();
    for (name, value) in members {
        if ENTITY_CORE.contains(&name.as_str())
            || SYSTEM.contains(&name.as_str())
            || name == "@id"
            || name == "@type"
        {
            continue;
        }
        check_name(name)?;
        let stored = context.term(name);
        if out.iter().any(|(n, _)| *n == stored) {
            return Err(bad_data(format!("{name} is given twice")));
        }
        let attribute = normalize_attribute(name, value, context)?;
        out.push((stored, attribute));
    }
    Ok(out)
}

/// An attribute in the normalized form: a typed object (or an array of them, one per
/// `datasetId`), its sub-attributes normalized and named as stored. The concise form is read
/// by its members (`value` a Property, or a GeoProperty when the value is a geometry;
/// `object` a Relationship; `languageMap`, `vocab`, `valueList`, `objectList`, `json`), a bare
/// text, number, boolean or list as a Property, a bare geometry as a GeoProperty.
pub fn normalize_attribute(
    name: &str,
    value: &Value,
    context: &RequestContext,
) -> Result<Value, ProblemDetails> {
    match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => items
            .iter()
            .map(|instance| normalize_instance(name, instance, context))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => normalize_instance(name, other, context),
    }
}

fn normalize_instance(
    name: &str,
    value: &Value,
    context: &RequestContext,
) -> Result<Value, ProblemDetails> {
    let members = match value {
        Value::Null => return Err(bad_data(format!("{name}: an attribute has a value"))),
        Value::Object(members) if is_geometry(value) => {
            let mut m = Map::new();
            m.insert("type".into(), "GeoProperty".into());
            m.insert("value".into(), Value::Object(members.clone()));
            return Ok(Value::Object(m));
        }
        Value::Object(members) => members,
        scalar_or_list => {
            let mut m = Map::new();
            m.insert("type".into(), "Property".into());
            m.insert("value".into(), scalar_or_list.clone());
            return Ok(Value::Object(m));
        }
    };
    let kind = match members.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => {
            return Err(bad_data(format!(
                "{name}: an attribute type is a name, not {other}"
            )));
        }
        None => concise_kind(name, members)?.to_owned(),
    };
    let required = match kind.as_str() {
        "Property" | "GeoProperty" => "value",
        "Relationship" => "object",
        "LanguageProperty" => "languageMap",
        "VocabularyProperty" | "VocabProperty" => "vocab",
        "ListProperty" => "valueList",
        "ListRelationship" => "objectList",
        "JsonProperty" => "json",
        other => {
            return Err(bad_data(format!(
                "{name}: {other:?} is not an NGSI-LD attribute type"
            )));
        }
    };
    let main = match members.get(required) {
        None | Some(Value::Null) => {
            return Err(bad_data(format!("{name}: a {kind} needs its {required}")));
        }
        Some(main) => main,
    };
    match kind.as_str() {
        "GeoProperty" if !is_geometry(main) => {
            return Err(bad_data(format!(
                "{name}: a GeoProperty's value is a GeoJSON geometry"
            )));
        }
        "Relationship" => {
            let targets: Vec<&Value> = match main {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            if !targets.iter().all(|t| t.as_str().is_some_and(is_uri)) {
                return Err(bad_data(format!(
                    "{name}: a Relationship's object is a URI"
                )));
            }
        }
        "LanguageProperty" if !main.is_object() => {
            return Err(bad_data(format!(
                "{name}: a languageMap is an object of texts by language"
            )));
        }
        _ => {}
    }
    let mut out = Map::new();
    out.insert("type".into(), Value::String(kind));
    for (member, value) in members {
        if member == "type" || SYSTEM.contains(&member.as_str()) {
            continue;
        }
        if ATTRIBUTE_CORE.contains(&member.as_str()) {
            if member == "observedAt" {
                match value.as_str().map(Timestamp::parse) {
                    Some(Ok(_)) => {}
                    _ => {
                        return Err(bad_data(format!(
                            "{name}: observedAt is a date and time (ISO 8601)"
                        )));
                    }
                }
            }
            out.insert(member.clone(), value.clone());
            continue;
        }
        if member == "@context" {
            continue;
        }
        check_name(member)?;
        let sub = normalize_attribute(member, value, context)?;
        out.insert(context.term(member), sub);
    }
    Ok(Value::Object(out))
}

/// The type of a concise attribute, from the member it carries.
fn concise_kind(name: &str, members: &Map<String, Value>) -> Result<&'static str, ProblemDetails> {
    if let Some(value) = members.get("value") {
        return Ok(if is_geometry(value) {
            "GeoProperty"
        } else {
            "Property"
        });
    }
    for (member, kind) in [
        ("object", "Relationship"),
        ("languageMap", "LanguageProperty"),
        ("vocab", "VocabularyProperty"),
        ("valueList", "ListProperty"),
        ("objectList", "ListRelationship"),
        ("json", "JsonProperty"),
    ] {
        if members.contains_key(member) {
            return Ok(kind);
        }
    }
    Err(bad_data(format!(
        "{name}: an attribute without a type carries a value, an object, a languageMap, a \
         vocab, a valueList, an objectList or a json member"
    )))
}

fn is_geometry(value: &Value) -> bool {
    value
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| GEOMETRY_TYPES.contains(&t))
        && value.get("coordinates").is_some_and(Value::is_array)
}

/// An entity type's stored name: not empty, and not a member or keyword of JSON-LD (`"type":
/// "type"`, which the core context makes `@type`).
fn type_name(text: &str, context: &RequestContext) -> Result<String, ProblemDetails> {
    let term = context.term(text);
    if text.is_empty() || matches!(text, "id" | "type") || term.starts_with('@') {
        return Err(bad_data(format!("{text:?} is not an entity type")));
    }
    Ok(term)
}

/// The value that, in a merge, deletes the attribute it is given to (4.5.0.2: `urn:ngsi-ld:null`).
pub const NGSI_LD_NULL: &str = "urn:ngsi-ld:null";

/// Whether a normalized attribute (or each of its instances) is the null of a merge: a value, an
/// object or a language map of `urn:ngsi-ld:null` only.
pub fn is_null_attribute(attribute: &Value) -> bool {
    let null = |v: Option<&Value>| v.and_then(Value::as_str) == Some(NGSI_LD_NULL);
    match attribute {
        Value::Object(map) => {
            null(map.get("value"))
                || null(map.get("object"))
                || map
                    .get("languageMap")
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty() && m.values().all(|v| null(Some(v))))
        }
        Value::Array(instances) => !instances.is_empty() && instances.iter().all(is_null_attribute),
        _ => false,
    }
}

/// A partial attribute update (5.6.4): the fragment's members replace the stored attribute's,
/// and the result is checked again as a whole.
pub fn merge_attribute(
    name: &str,
    stored: &Value,
    fragment: &Value,
    context: &RequestContext,
) -> Result<Value, ProblemDetails> {
    let Value::Object(fragment) = fragment else {
        return Err(bad_data(format!(
            "{name}: an attribute fragment is an object"
        )));
    };
    let mut merged = match stored {
        Value::Object(map) => map.clone(),
        Value::Array(instances) => match instances.first() {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    for (member, value) in fragment {
        if member == "@context" {
            continue;
        }
        if ATTRIBUTE_CORE.contains(&member.as_str()) {
            merged.insert(member.clone(), value.clone());
        } else {
            merged.insert(context.term(member), value.clone());
        }
    }
    // A value of another kind replaces the main member: the type follows what was sent.
    if !fragment.contains_key("type") {
        let replaced = [
            "value",
            "object",
            "languageMap",
            "vocab",
            "valueList",
            "objectList",
            "json",
        ]
        .into_iter()
        .find(|m| fragment.contains_key(*m));
        if let Some(main) = replaced {
            let kind = concise_kind(
                name,
                &Map::from_iter([(main.to_owned(), fragment[main].clone())]),
            )?;
            let current = merged
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let compatible = kind == current
                || (kind == "Property" && current == "GeoProperty" && is_geometry(&fragment[main]))
                || (kind == "GeoProperty" && current == "Property");
            if !compatible {
                merged.insert("type".into(), Value::String(kind.to_owned()));
            }
        }
    }
    normalize_instance(name, &Value::Object(merged), context)
}

/// Why an attribute was not updated (5.2.19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotUpdatedDetails {
    /// The attribute, as the client named it.
    pub attribute_name: String,
    /// Why.
    pub reason: String,
}

/// The answer of an append or update that did not change every attribute (5.2.18; 207).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateResult {
    /// The attributes changed.
    pub updated: Vec<String>,
    /// Those that were not, and why.
    pub not_updated: Vec<NotUpdatedDetails>,
}

/// One entity a batch operation failed on (5.2.17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchEntityError {
    /// The entity's id (as sent; empty when the entity had none).
    pub entity_id: String,
    /// Why.
    pub error: ProblemDetails,
}

/// The answer of a batch operation that did not succeed for every entity (5.2.16; 207).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BatchOperationResult {
    /// The ids of the entities it succeeded on.
    pub success: Vec<String>,
    /// The others.
    pub errors: Vec<BatchEntityError>,
}

/// A JSON body as a value: 400 InvalidRequest when it is not JSON.
pub fn parse_body(bytes: &[u8]) -> Result<Value, ProblemDetails> {
    serde_json::from_slice(bytes).map_err(|e| invalid(format!("the body is not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SDM: &str = "https://smartdatamodels.org/context.jsonld";

    fn known() -> RequestContext {
        RequestContext::from_value(&json!([SDM, super::super::CORE_CONTEXT])).unwrap()
    }

    #[test]
    fn the_request_context_comes_from_the_body_or_the_link_header() {
        let ctx = RequestContext::of_request(BodyType::JsonLd, Some(&json!(SDM)), None);
        assert!(ctx.is_ok());
        let missing = RequestContext::of_request(BodyType::JsonLd, None, None).unwrap_err();
        assert_eq!(missing.error_type, ErrorType::BadRequestData);
        let in_json = RequestContext::of_request(BodyType::Json, Some(&json!(SDM)), None);
        assert_eq!(in_json.unwrap_err().error_type, ErrorType::BadRequestData);
        assert!(RequestContext::of_request(BodyType::Json, None, Some(SDM)).is_ok());
        let remote = RequestContext::of_request(
            BodyType::Json,
            None,
            Some("https://example.org/ctx.jsonld"),
        )
        .unwrap_err();
        assert_eq!(remote.error_type, ErrorType::LdContextNotAvailable);
        assert_eq!(remote.http_status(), 503);
        assert_eq!(
            BodyType::of(Some("application/ld+json; charset=utf-8")),
            Some(BodyType::JsonLd)
        );
        assert_eq!(BodyType::of(Some("text/plain")), None);
        assert_eq!(BodyType::of(None), None);
    }

    #[test]
    fn full_iris_and_short_names_are_stored_alike() {
        let ctx = known();
        let short = new_entity(
            &json!({"id": "urn:ngsi-ld:Streetlight:x", "type": "Streetlight",
                    "status": {"type": "Property", "value": "ok"}}),
            &ctx,
        )
        .unwrap();
        let long = new_entity(
            &json!({"id": "urn:ngsi-ld:Streetlight:x",
                    "type": "https://smartdatamodels.org/dataModel.Streetlighting/Streetlight",
                    "https://smartdatamodels.org/dataModel.Streetlighting/status":
                        {"type": "Property", "value": "ok"}}),
            &RequestContext::default(),
        )
        .unwrap();
        assert_eq!(short, long);
        let inline = RequestContext::from_value(&json!([
            {"sdm": "https://smartdatamodels.org/dataModel.Streetlighting/", "Lamp": "sdm:Streetlight",
             "ex": "https://example.org/terms/"},
        ]))
        .unwrap();
        assert_eq!(inline.term("Lamp"), "Streetlight");
        assert_eq!(inline.term("ex:speed"), "https://example.org/terms/speed");
        assert_eq!(inline.term("status"), "status");
    }

    #[test]
    fn concise_attributes_become_normalized() {
        let ctx = known();
        let e = new_entity(
            &json!({"id": "urn:a:1", "type": "T",
                    "name": "Lamp 1", "n": 5, "on": true,
                    "status": {"value": "ok", "observedAt": "2026-11-28T10:00:00Z"},
                    "ref": {"object": "urn:b:2"},
                    "location": {"type": "Point", "coordinates": [0.5, 47.0]},
                    "where": {"value": {"type": "Point", "coordinates": [1, 2]}},
                    "label": {"languageMap": {"fr": "lampe"}},
                    "createdAt": "2026-01-01T00:00:00Z"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(
            e.data["name"],
            json!({"type": "Property", "value": "Lamp 1"})
        );
        assert_eq!(e.data["status"]["type"], "Property");
        assert_eq!(
            e.data["ref"],
            json!({"type": "Relationship", "object": "urn:b:2"})
        );
        assert_eq!(e.data["location"]["type"], "GeoProperty");
        assert_eq!(e.data["where"]["type"], "GeoProperty");
        assert_eq!(e.data["label"]["type"], "LanguageProperty");
        assert!(!e.data.contains_key("createdAt"));
        assert_eq!(e.point(), Some((0.5, 47.0)));
    }

    #[test]
    fn bad_entities_are_refused_with_the_spec_s_errors() {
        let ctx = known();
        for body in [
            json!({"type": "T"}),
            json!({"id": "not a uri", "type": "T"}),
            json!({"id": "nocolon", "type": "T"}),
            json!({"id": "urn:a:1"}),
            json!({"id": "urn:a:1", "type": 5}),
            json!({"id": "urn:a:1", "type": "T", "a": null}),
            json!({"id": "urn:a:1", "type": "T", "a": {"type": "Property"}}),
            json!({"id": "urn:a:1", "type": "T", "a": {"type": "Weird", "value": 1}}),
            json!({"id": "urn:a:1", "type": "T", "a": {"type": "Relationship", "object": "x y"}}),
            json!({"id": "urn:a:1", "type": "T", "a": {"type": "GeoProperty", "value": 1}}),
            json!({"id": "urn:a:1", "type": "T", "a b": 1}),
            json!({"id": "urn:a:1", "type": "T", "a": {"x": 1}}),
            json!({"id": "urn:a:1", "type": "T", "a": {"value": 1, "observedAt": "yesterday"}}),
            json!({"id": "urn:a:1", "type": "type"}),
            json!({"id": "urn:a:1", "type": ["T", ""]}),
        ] {
            let error = new_entity(&body, &ctx).expect_err(&body.to_string());
            assert_eq!(error.error_type, ErrorType::BadRequestData, "{body}");
        }
        // Not an entity at all: the request is wrong.
        let error = new_entity(&json!([]), &ctx).expect_err("[]");
        assert_eq!(error.error_type, ErrorType::InvalidRequest);
    }

    #[test]
    fn a_partial_update_merges_into_the_stored_attribute() {
        let ctx = known();
        let stored =
            json!({"type": "Property", "value": "ok", "observedAt": "2026-11-28T10:00:00Z"});
        let merged = merge_attribute("status", &stored, &json!({"value": "broken"}), &ctx).unwrap();
        assert_eq!(
            merged,
            json!({"type": "Property", "value": "broken", "observedAt": "2026-11-28T10:00:00Z"})
        );
        assert!(merge_attribute("status", &stored, &json!({"value": null}), &ctx).is_err());
        let rel = merge_attribute("status", &stored, &json!({"object": "urn:x:1"}), &ctx).unwrap();
        assert_eq!(rel["type"], "Relationship");
    }

    #[test]
    fn results_have_the_spec_s_member_names() {
        let result = UpdateResult {
            updated: vec!["a".into()],
            not_updated: vec![NotUpdatedDetails {
                attribute_name: "b".into(),
                reason: "exists".into(),
            }],
        };
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            json!({"updated": ["a"], "notUpdated": [{"attributeName": "b", "reason": "exists"}]})
        );
        let batch = BatchOperationResult {
            success: vec!["urn:a:1".into()],
            errors: vec![BatchEntityError {
                entity_id: "urn:a:2".into(),
                error: ProblemDetails::new(ErrorType::AlreadyExists, "urn:a:2 exists"),
            }],
        };
        let v = serde_json::to_value(&batch).unwrap();
        assert_eq!(v["errors"][0]["entityId"], "urn:a:2");
        assert_eq!(
            v["errors"][0]["error"]["type"],
            "https://uri.etsi.org/ngsi-ld/errors/AlreadyExists"
        );
    }

    #[test]
    fn ids_are_uris() {
        for ok in [
            "urn:ngsi-ld:Streetlight:1",
            "https://example.org/x",
            "urn:a",
        ] {
            assert!(is_uri(ok), "{ok}");
        }
        for bad in ["", "x", ":x", "urn:", "urn:a b", "1a:b", "ur n:x"] {
            assert!(!is_uri(bad), "{bad}");
        }
    }
}
