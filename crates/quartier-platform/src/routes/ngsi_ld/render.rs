//! Entity representations (ETSI GS CIM 009, 4.5): normalized or simplified (keyValues), only
//! the requested attributes, as JSON, JSON-LD or GeoJSON.

use serde_json::{Map, Value, json};

use super::query::View;

/// The NGSI-LD core context.
pub const CORE_CONTEXT: &str = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
/// The Smart Data Models' unified context: it expands every attribute name the demo uses.
pub const DATA_MODELS_CONTEXT: &str = "https://smartdatamodels.org/context.jsonld";

/// The `@context` member of JSON-LD and GeoJSON bodies.
pub fn context() -> Value {
    json!([DATA_MODELS_CONTEXT, CORE_CONTEXT])
}

/// The `Link` header that carries the context of a plain JSON or GeoJSON body (6.3.5).
pub fn link_header() -> String {
    format!(
        "<{DATA_MODELS_CONTEXT}>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\""
    )
}

/// The three representations this platform serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Json,
    JsonLd,
    GeoJson,
}

impl MediaType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::JsonLd => "application/ld+json",
            Self::GeoJson => "application/geo+json",
        }
    }
}

/// The entity as the view asks: `id`, `type`, then the selected attributes, normalized or
/// simplified. For GeoJSON the geoproperty is always kept, since the geometry comes from it.
pub fn entity(stored: Value, view: &View, media: MediaType) -> Map<String, Value> {
    let Value::Object(stored) = stored else {
        return Map::new();
    };
    let mut out = Map::new();
    for (name, attribute) in stored {
        let keep = match name.as_str() {
            "id" | "type" => true,
            "@context" => false,
            _ => view.attrs.as_ref().is_none_or(|attrs| {
                attrs.contains(&name) || (media == MediaType::GeoJson && name == view.geoproperty)
            }),
        };
        if !keep {
            continue;
        }
        let attribute = if view.key_values && name != "id" && name != "type" {
            simplify(attribute)
        } else {
            attribute
        };
        out.insert(name, attribute);
    }
    out
}

/// keyValues: a Property or GeoProperty becomes its `value`, a Relationship its `object`; a
/// multi-attribute (array of instances) keeps its first instance.
fn simplify(attribute: Value) -> Value {
    match attribute {
        Value::Object(mut map) => match map.get("type").and_then(Value::as_str) {
            Some("Relationship") => map.remove("object").unwrap_or(Value::Null),
            Some("LanguageProperty") => map.remove("languageMap").unwrap_or(Value::Null),
            Some(_) if map.contains_key("value") => map.remove("value").unwrap_or(Value::Null),
            _ => Value::Object(map),
        },
        Value::Array(mut instances) if !instances.is_empty() => simplify(instances.swap_remove(0)),
        other => other,
    }
}

/// Concise (4.5.11): each attribute without its `type` (inferred from `value`, `object` or
/// `languageMap`), and a lone `value` bare unless it is a JSON object that is not a GeoJSON
/// geometry (which a reader would take for an attribute).
pub fn concise(entity: Map<String, Value>) -> Map<String, Value> {
    entity
        .into_iter()
        .map(|(name, attribute)| {
            let attribute = match (name.as_str(), attribute) {
                ("id" | "type" | "@context", kept) => kept,
                (_, Value::Object(map)) => concise_attribute(map),
                (_, Value::Array(instances)) => Value::Array(
                    instances
                        .into_iter()
                        .map(|i| match i {
                            Value::Object(map) => concise_attribute(map),
                            other => other,
                        })
                        .collect(),
                ),
                (_, other) => other,
            };
            (name, attribute)
        })
        .collect()
}

fn concise_attribute(mut map: Map<String, Value>) -> Value {
    let geo = map.get("type").and_then(Value::as_str) == Some("GeoProperty");
    map.remove("type");
    let lone = map.len() == 1 && map.contains_key("value");
    match map.remove("value") {
        Some(value) if lone && (!value.is_object() || geo) => value,
        Some(value) => {
            map.insert("value".into(), value);
            Value::Object(map)
        }
        None => Value::Object(map),
    }
}

/// One GeoJSON Feature: `id`, `type: "Feature"`, `geometry` from the geoproperty (null when the
/// entity has none), `properties` with the entity's `type` and attributes.
pub fn feature(entity: Map<String, Value>, view: &View) -> Value {
    let mut properties = entity;
    let id = properties.remove("id").unwrap_or(Value::Null);
    let geometry = properties
        .get(&view.geoproperty)
        .map(|attribute| {
            if view.key_values {
                attribute.clone()
            } else {
                attribute.get("value").cloned().unwrap_or(Value::Null)
            }
        })
        .filter(|g| g.get("type").is_some() && g.get("coordinates").is_some())
        .unwrap_or(Value::Null);
    json!({
        "id": id,
        "type": "Feature",
        "geometry": geometry,
        "properties": Value::Object(properties),
    })
}

/// The body of a query's answer.
pub fn collection(entities: Vec<Value>, view: &View, media: MediaType) -> Value {
    match media {
        MediaType::Json => Value::Array(
            entities
                .into_iter()
                .map(|e| Value::Object(entity(e, view, media)))
                .collect(),
        ),
        MediaType::JsonLd => Value::Array(
            entities
                .into_iter()
                .map(|e| {
                    let mut e = entity(e, view, media);
                    e.insert("@context".into(), context());
                    Value::Object(e)
                })
                .collect(),
        ),
        MediaType::GeoJson => json!({
            "type": "FeatureCollection",
            "features": entities
                .into_iter()
                .map(|e| feature(entity(e, view, media), view))
                .collect::<Vec<_>>(),
            "@context": context(),
        }),
    }
}

/// The body of a single entity's answer.
pub fn single(stored: Value, view: &View, media: MediaType) -> Value {
    let entity = entity(stored, view, media);
    match media {
        MediaType::Json => Value::Object(entity),
        MediaType::JsonLd => {
            let mut entity = entity;
            entity.insert("@context".into(), context());
            Value::Object(entity)
        }
        MediaType::GeoJson => {
            let mut feature = feature(entity, view);
            if let Some(map) = feature.as_object_mut() {
                map.insert("@context".into(), context());
            }
            feature
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Value {
        json!({
            "id": "urn:ngsi-ld:Streetlight:BSL-000001",
            "type": "Streetlight",
            "status": {"type": "Property", "value": "ok", "observedAt": "2026-11-28T11:00:00Z"},
            "refStreetlightGroup": {"type": "Relationship", "object": "urn:ngsi-ld:StreetlightGroup:G1"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0.68, 47.39]}},
        })
    }

    fn view(key_values: bool, attrs: Option<&[&str]>) -> View {
        View {
            key_values,
            attrs: attrs.map(|a| a.iter().map(|s| (*s).to_owned()).collect()),
            geoproperty: "location".into(),
        }
    }

    #[test]
    fn key_values_simplify_every_kind_of_attribute() {
        let e = entity(stored(), &view(true, None), MediaType::Json);
        assert_eq!(e["status"], "ok");
        assert_eq!(e["refStreetlightGroup"], "urn:ngsi-ld:StreetlightGroup:G1");
        assert_eq!(e["location"]["coordinates"][0], 0.68);
        assert_eq!(e["id"], "urn:ngsi-ld:Streetlight:BSL-000001");
    }

    #[test]
    fn attrs_select_attributes_and_geojson_keeps_its_geometry() {
        let e = entity(stored(), &view(false, Some(&["status"])), MediaType::Json);
        let keys: Vec<&str> = e.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert!(e.contains_key("status") && !e.contains_key("location"));
        let f = feature(
            entity(
                stored(),
                &view(false, Some(&["status"])),
                MediaType::GeoJson,
            ),
            &view(false, Some(&["status"])),
        );
        assert_eq!(f["geometry"]["type"], "Point");
        assert_eq!(f["properties"]["type"], "Streetlight");
        assert_eq!(f["properties"]["status"]["value"], "ok");
        assert!(f["properties"].get("refStreetlightGroup").is_none());
    }

    #[test]
    fn an_entity_without_its_geoproperty_has_a_null_geometry() {
        let v = View {
            geoproperty: "observationSpace".into(),
            ..view(false, None)
        };
        let f = feature(entity(stored(), &v, MediaType::GeoJson), &v);
        assert!(f["geometry"].is_null());
    }
}
