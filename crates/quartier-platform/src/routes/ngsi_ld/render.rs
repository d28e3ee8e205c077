//! Entity representations (ETSI GS CIM 009, 4.5): normalized or simplified (keyValues), only
//! the requested attributes, as JSON, JSON-LD or GeoJSON.

use quartier_api::ngsi_ld::{link_header_value, write::RequestContext};
use std::collections::{HashMap, HashSet};

use quartier_api::ngsi_ld::query::Join;
use serde_json::{Map, Value, json};

use super::{query::View, store};

/// The `Link` header that carries the context of a plain JSON or GeoJSON body (6.3.5): the
/// request's, or the core context.
pub fn link_header(context: &RequestContext) -> String {
    link_header_value(&context.answer_link())
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
/// simplified, named under the request's context. For GeoJSON the geoproperty is always kept,
/// since the geometry comes from it.
pub fn entity(
    stored: Value,
    view: &View,
    media: MediaType,
    context: &RequestContext,
) -> Map<String, Value> {
    let Value::Object(stored) = stored else {
        return Map::new();
    };
    let mut out = Map::new();
    for (name, attribute) in stored {
        let keep = match name.as_str() {
            "@context" => false,
            // Read from the store's columns beside each entity: shown only when asked (4.8).
            store::CREATED_AT | store::MODIFIED_AT => view.sys_attrs,
            _ => view.shows(&name) || (media == MediaType::GeoJson && name == view.geoproperty),
        };
        if !keep {
            continue;
        }
        if name == store::CREATED_AT || name == store::MODIFIED_AT {
            out.insert(name, attribute);
            continue;
        }
        let attribute = if name == "id" || name == "type" {
            attribute
        } else {
            match view.instances(attribute) {
                Some(kept) => kept,
                None => continue,
            }
        };
        let (name, attribute) = match name.as_str() {
            "id" => (name, attribute),
            "type" => (name, context.compact_type(attribute)),
            _ => (
                context.compact_name(&name),
                context.compact_attribute(view.in_language(attribute)),
            ),
        };
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
pub fn feature(entity: Map<String, Value>, view: &View, context: &RequestContext) -> Value {
    let mut properties = entity;
    let id = properties.remove("id").unwrap_or(Value::Null);
    let geometry = properties
        .get(&context.compact_name(view.geometry_property()))
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

/// Linked entities (`join`), as stored, by id.
pub type Linked = HashMap<String, Value>;

/// The relationships of a stored entity that the view shows, by stored name, with their
/// targets.
pub fn relationships(stored: &Value, view: &View) -> Vec<(String, Vec<String>)> {
    let Some(members) = stored.as_object() else {
        return Vec::new();
    };
    members
        .iter()
        .filter(|(name, _)| view.shows(name))
        .filter_map(|(name, attribute)| {
            if attribute.get("type").and_then(Value::as_str) != Some("Relationship") {
                return None;
            }
            let targets: Vec<String> = match attribute.get("object")? {
                Value::String(one) => vec![one.clone()],
                Value::Array(many) => many
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
                _ => return None,
            };
            Some((name.clone(), targets))
        })
        .collect()
}

/// [`entity`], with `join=inline`: each shown Relationship carries the entity it links to
/// (its `entity` member; in keyValues, the entity instead of its id), to `joinLevel`.
fn inline(
    stored: Value,
    view: &View,
    media: MediaType,
    context: &RequestContext,
    linked: &Linked,
) -> Map<String, Value> {
    let links = if view.join == Some(Join::Inline) && view.join_level > 0 {
        relationships(&stored, view)
    } else {
        Vec::new()
    };
    let mut out = entity(stored, view, media, context);
    for (name, targets) in links {
        let [target] = targets.as_slice() else {
            continue;
        };
        let Some(target) = linked.get(target) else {
            continue;
        };
        let shown = inline(target.clone(), &view.linked(&name), media, context, linked);
        let key = context.compact_name(&name);
        if view.key_values {
            out.insert(key, Value::Object(shown));
        } else if let Some(Value::Object(relationship)) = out.get_mut(&key) {
            relationship.insert("entity".into(), Value::Object(shown));
        }
    }
    out
}

/// `join=flat`: the entities, then those they link to (to `joinLevel`), each once.
fn flat(
    roots: Vec<Value>,
    view: &View,
    media: MediaType,
    context: &RequestContext,
    linked: &Linked,
) -> Vec<Map<String, Value>> {
    fn walk(
        stored: &Value,
        view: &View,
        media: MediaType,
        context: &RequestContext,
        linked: &Linked,
        seen: &mut HashSet<String>,
        out: &mut Vec<Map<String, Value>>,
    ) {
        if view.join_level == 0 {
            return;
        }
        for (name, targets) in relationships(stored, view) {
            let nested = view.linked(&name);
            for target in targets {
                if let Some(found) = linked.get(&target)
                    && seen.insert(target)
                {
                    out.push(entity(found.clone(), &nested, media, context));
                    walk(found, &nested, media, context, linked, seen, out);
                }
            }
        }
    }
    let mut seen: HashSet<String> = roots
        .iter()
        .filter_map(|e| e.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let mut out = Vec::new();
    let mut linked_out = Vec::new();
    for root in roots {
        walk(
            &root,
            view,
            media,
            context,
            linked,
            &mut seen,
            &mut linked_out,
        );
        out.push(entity(root, view, media, context));
    }
    out.extend(linked_out);
    out
}

/// The entities of an answer, as JSON objects (`@context` on each for JSON-LD).
fn entities_of(
    entities: Vec<Value>,
    view: &View,
    media: MediaType,
    context: &RequestContext,
    linked: &Linked,
) -> Vec<Value> {
    let shown: Vec<Map<String, Value>> = if view.join == Some(Join::Flat) {
        flat(entities, view, media, context, linked)
    } else {
        entities
            .into_iter()
            .map(|e| inline(e, view, media, context, linked))
            .collect()
    };
    let projected = view.pick.is_some() || view.omit.is_some();
    shown
        .into_iter()
        // An entity `pick`/`omit` leaves nothing of is not in the answer (4.21).
        .filter(|e| !(projected && e.is_empty()))
        .map(|mut e| {
            if media == MediaType::JsonLd {
                e.insert("@context".into(), context.answer_context());
            }
            Value::Object(e)
        })
        .collect()
}

/// The body of a query's answer.
pub fn collection(
    entities: Vec<Value>,
    view: &View,
    media: MediaType,
    context: &RequestContext,
    linked: &Linked,
) -> Value {
    match media {
        MediaType::Json | MediaType::JsonLd => {
            Value::Array(entities_of(entities, view, media, context, linked))
        }
        MediaType::GeoJson => json!({
            "type": "FeatureCollection",
            "features": entities
                .into_iter()
                .map(|e| feature(inline(e, view, media, context, linked), view, context))
                .collect::<Vec<_>>(),
            "@context": context.answer_context(),
        }),
    }
}

/// The body of a single entity's answer (with `join=flat`, a list: it, then those it links to).
pub fn single(
    stored: Value,
    view: &View,
    media: MediaType,
    context: &RequestContext,
    linked: &Linked,
) -> Value {
    match media {
        MediaType::Json | MediaType::JsonLd => {
            let mut shown = entities_of(vec![stored], view, media, context, linked);
            // Flat with nothing linked is the entity alone (ETSI 018_14_02).
            if view.join == Some(Join::Flat) && shown.len() > 1 {
                Value::Array(shown)
            } else {
                shown.pop().unwrap_or(Value::Null)
            }
        }
        MediaType::GeoJson => {
            let mut feature = feature(inline(stored, view, media, context, linked), view, context);
            if let Some(map) = feature.as_object_mut() {
                map.insert("@context".into(), context.answer_context());
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

    fn none() -> RequestContext {
        RequestContext::default()
    }

    fn view(key_values: bool, attrs: Option<&[&str]>) -> View {
        View {
            key_values,
            attrs: attrs.map(|a| a.iter().map(|s| (*s).to_owned()).collect()),
            geoproperty: "location".into(),
            pick: None,
            omit: None,
            join: None,
            join_level: 1,
            geometry_property: None,
            lang: None,
            dataset_ids: None,
            sys_attrs: false,
        }
    }

    #[test]
    fn key_values_simplify_every_kind_of_attribute() {
        let e = entity(stored(), &view(true, None), MediaType::Json, &none());
        assert_eq!(e["status"], "ok");
        assert_eq!(e["refStreetlightGroup"], "urn:ngsi-ld:StreetlightGroup:G1");
        assert_eq!(e["location"]["coordinates"][0], 0.68);
        assert_eq!(e["id"], "urn:ngsi-ld:Streetlight:BSL-000001");
    }

    #[test]
    fn attrs_select_attributes_and_geojson_keeps_its_geometry() {
        let e = entity(
            stored(),
            &view(false, Some(&["status"])),
            MediaType::Json,
            &none(),
        );
        let keys: Vec<&str> = e.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert!(e.contains_key("status") && !e.contains_key("location"));
        let f = feature(
            entity(
                stored(),
                &view(false, Some(&["status"])),
                MediaType::GeoJson,
                &none(),
            ),
            &view(false, Some(&["status"])),
            &none(),
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
        let f = feature(
            entity(stored(), &v, MediaType::GeoJson, &none()),
            &v,
            &none(),
        );
        assert!(f["geometry"].is_null());
    }
}
