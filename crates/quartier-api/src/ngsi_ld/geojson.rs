//! NGSI-LD entities as GeoJSON (`Accept: application/geo+json`), the map's main input.
//!
//! A Feature is `{"id", "type":"Feature", "geometry", "properties":{"type": <entity type>,
//! …attributes}}`; `geometry` is the GeoJSON of the chosen GeoProperty (`location` by
//! default) or `null` when the entity has none. `@context` may be on the collection, on the
//! Feature, inside `properties`, or absent (then the `Link` header, or the core context).

use super::context::{Context, ContextSource};
use super::entity::Entity;
use crate::error::{ParseError, describe};
use crate::geo::{Geometry, LonLat};
use serde_json::{Map, Value, json};

/// One entity with the geometry the broker chose for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The entity (from `id` and `properties`).
    pub entity: Entity,
    /// The Feature's `geometry`; `None` for `"geometry": null`.
    pub geometry: Option<Geometry>,
}

/// A list of features, as `GET /ngsi-ld/v1/entities` answers with GeoJSON.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureCollection {
    /// The features, in order.
    pub features: Vec<Feature>,
    /// The collection-level `@context`, if any.
    pub context: Context,
}

impl Feature {
    /// The Feature a broker would send for `entity`, taking the geometry from the named
    /// GeoProperty (`geometryProperty`, `location` by default); `None` when it is absent.
    pub fn from_entity(entity: Entity, geometry_property: &str) -> Self {
        let geometry = entity
            .geo_property(geometry_property)
            .map(|g| g.value.clone());
        Feature { entity, geometry }
    }

    /// Where to draw it: the geometry's representative point, else the entity's `location`.
    pub fn position(&self) -> Option<LonLat> {
        self.geometry
            .as_ref()
            .or_else(|| self.entity.location())
            .and_then(Geometry::representative_point)
    }

    /// Reads a Feature object; `fallback` is the context when the Feature has none.
    pub fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
        fallback: &Context,
    ) -> Result<Self, ParseError> {
        let at = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        let Value::Object(obj) = value else {
            return Err(ParseError::shape(
                document,
                "a GeoJSON Feature object",
                describe(value),
            ));
        };
        match obj.get("type").and_then(Value::as_str) {
            Some("Feature") => {}
            other => {
                return Err(ParseError::invalid(
                    document,
                    at("type"),
                    format!(
                        "expected \"Feature\", got {}",
                        other.map_or("nothing".into(), |t| format!("\"{t}\""))
                    ),
                ));
            }
        }
        let properties = match obj.get("properties") {
            Some(Value::Object(p)) => p.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(other) => {
                return Err(ParseError::invalid(
                    document,
                    at("properties"),
                    format!("expected an object, got {}", describe(other)),
                ));
            }
        };
        let context = match obj.get("@context") {
            Some(c) => Context::from_value(c, ContextSource::Entity),
            None => fallback.clone(),
        };
        let geometry = match obj.get("geometry") {
            None | Some(Value::Null) => None,
            Some(g) => Some(Geometry::from_geojson(g).map_err(|e| {
                let id = obj.get("id").and_then(Value::as_str).unwrap_or("?");
                ParseError::invalid(document, at("geometry"), format!("{e} (feature {id})"))
            })?),
        };
        let entity = Entity::from_members(
            document,
            &at("properties"),
            obj.get("id"),
            &properties,
            &context,
        )
        .map_err(|e| match e {
            // The id lives outside `properties`: name it where it is.
            ParseError::Missing { document, field } if field.ends_with("properties.id") => {
                ParseError::Missing {
                    document,
                    field: at("id"),
                }
            }
            other => other,
        })?;
        Ok(Feature { entity, geometry })
    }

    /// The GeoJSON Feature, with normalized or keyValues `properties`.
    pub fn to_geojson(&self, key_values: bool) -> Value {
        let properties = if key_values {
            self.entity
                .members(super::attribute::Attribute::to_key_value_instances)
        } else {
            self.entity
                .members(super::attribute::Attribute::to_normalized_instances)
        };
        let mut out = Map::new();
        out.insert("id".into(), json!(self.entity.id));
        out.insert("type".into(), json!("Feature"));
        out.insert(
            "geometry".into(),
            self.geometry
                .as_ref()
                .map_or(Value::Null, Geometry::to_geojson),
        );
        out.insert("properties".into(), Value::Object(properties));
        if self.entity.context.source == ContextSource::Entity
            && let Some(c) = self.entity.context.to_value()
        {
            out.insert("@context".into(), c);
        }
        Value::Object(out)
    }
}

impl FeatureCollection {
    /// Reads a FeatureCollection object; `link` is the context from the `Link` header, if
    /// any, used for features that carry none and when the collection has none.
    pub fn from_value(
        document: &'static str,
        value: &Value,
        link: Option<&Context>,
    ) -> Result<Self, ParseError> {
        let Value::Object(obj) = value else {
            return Err(ParseError::shape(
                document,
                "a GeoJSON FeatureCollection object",
                describe(value),
            ));
        };
        if obj.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
            return Err(ParseError::invalid(
                document,
                "type",
                format!(
                    "expected \"FeatureCollection\", got {}",
                    describe(obj.get("type").unwrap_or(&Value::Null))
                ),
            ));
        }
        let context = match obj.get("@context") {
            Some(c) => Context::from_value(c, ContextSource::Collection),
            None => link.cloned().unwrap_or_default(),
        };
        let features = match obj.get("features") {
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(ParseError::invalid(
                    document,
                    "features",
                    format!("expected an array, got {}", describe(other)),
                ));
            }
            None => return Err(ParseError::missing(document, "features")),
        };
        let features = features
            .iter()
            .enumerate()
            .map(|(i, f)| Feature::from_value(document, &format!("features[{i}]"), f, &context))
            .collect::<Result<_, _>>()?;
        Ok(FeatureCollection { features, context })
    }

    /// The entities, without their Feature geometry.
    pub fn entities(&self) -> impl Iterator<Item = &Entity> {
        self.features.iter().map(|f| &f.entity)
    }

    /// The GeoJSON FeatureCollection, with `@context` at collection level when the collection
    /// has its own (source [`ContextSource::Collection`]); a context that came from the `Link`
    /// header goes back in the `Link` header, not in the body.
    pub fn to_geojson(&self, key_values: bool) -> Value {
        let mut out = Map::new();
        out.insert("type".into(), json!("FeatureCollection"));
        out.insert(
            "features".into(),
            Value::Array(
                self.features
                    .iter()
                    .map(|f| f.to_geojson(key_values))
                    .collect(),
            ),
        );
        if self.context.source == ContextSource::Collection
            && let Some(c) = self.context.to_value()
        {
            out.insert("@context".into(), c);
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngsi_ld::context::{ContextEntry, link_header_value};

    fn feature(geometry: Value) -> Value {
        json!({
            "id": "urn:ngsi-ld:Vehicle:1", "type": "Feature", "geometry": geometry,
            "properties": {"type": "Vehicle", "brandName": {"type": "Property", "value": "Mercedes"}}
        })
    }

    #[test]
    fn geometry_null_is_none() {
        let f = Feature::from_value("doc", "", &feature(Value::Null), &Context::default()).unwrap();
        assert_eq!(f.geometry, None);
        assert_eq!(f.position(), None);
        assert_eq!(f.entity.text("brandName").as_deref(), Some("Mercedes"));
        assert_eq!(f.to_geojson(false)["geometry"], Value::Null);
    }

    #[test]
    fn geoproperty_in_geometry_is_rejected_clearly() {
        let bad = feature(
            json!({"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.0, 2.0]}}),
        );
        let err = Feature::from_value("NGSI-LD GeoJSON Feature", "", &bad, &Context::default())
            .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.field(), Some("geometry"));
        assert!(
            text.contains("\"GeoProperty\" is not a GeoJSON geometry type"),
            "{text}"
        );
        assert!(text.contains("urn:ngsi-ld:Vehicle:1"), "{text}");
    }

    #[test]
    fn context_placements() {
        let link = Context::from_link_header(&link_header_value("https://x/ctx.jsonld")).unwrap();
        let mut with_props_ctx = feature(json!({"type": "Point", "coordinates": [1.0, 2.0]}));
        with_props_ctx["properties"]["@context"] = json!("https://y/ctx.jsonld");
        let plain = feature(json!({"type": "Point", "coordinates": [1.0, 2.0]}));
        let body =
            json!({"type": "FeatureCollection", "features": [plain.clone(), with_props_ctx]});
        let fc = FeatureCollection::from_value("doc", &body, Some(&link)).unwrap();
        assert_eq!(
            fc.features[0].entity.context.source,
            ContextSource::LinkHeader
        );
        assert_eq!(fc.features[1].entity.context.source, ContextSource::Entity);
        assert_eq!(
            fc.features[1].entity.context.entries,
            [ContextEntry::Url("https://y/ctx.jsonld".into())]
        );
        let at_collection = json!({"type": "FeatureCollection", "features": [plain], "@context": "https://z/c.jsonld"});
        let fc = FeatureCollection::from_value("doc", &at_collection, Some(&link)).unwrap();
        assert_eq!(fc.context.source, ContextSource::Collection);
        assert_eq!(
            fc.features[0].entity.context.source,
            ContextSource::Collection
        );
        assert_eq!(
            fc.to_geojson(false)["@context"],
            json!("https://z/c.jsonld")
        );
    }

    #[test]
    fn writes_key_values_features_the_app_reads_back() {
        let f = Feature::from_value(
            "doc",
            "",
            &json!({"id": "urn:ngsi-ld:Streetlight:1", "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
                    "properties": {"type": "Streetlight", "status": "ok",
                                   "location": {"type": "Point", "coordinates": [2.35, 48.85]}}}),
            &Context::default(),
        )
        .unwrap();
        let fc = FeatureCollection {
            features: vec![f.clone()],
            context: Context::default(),
        };
        let written = fc.to_geojson(true);
        assert_eq!(written["features"][0]["properties"]["status"], json!("ok"));
        let back = FeatureCollection::from_value("doc", &written, None).unwrap();
        assert_eq!(back.features[0], f);
        assert_eq!(
            back.features[0].position(),
            Some(LonLat {
                lon: 2.35,
                lat: 48.85
            })
        );
        let from_entity = Feature::from_entity(f.entity.clone(), "observationSpace");
        assert_eq!(from_entity.geometry, None);
        assert_eq!(
            from_entity.position(),
            Some(LonLat {
                lon: 2.35,
                lat: 48.85
            })
        );
    }

    #[test]
    fn shape_errors() {
        assert!(
            FeatureCollection::from_value("doc", &json!({"type": "FeatureCollection"}), None)
                .is_err()
        );
        assert!(FeatureCollection::from_value("doc", &json!({"type": "Feature"}), None).is_err());
        let no_id = json!({"type": "Feature", "geometry": null, "properties": {"type": "T"}});
        let err =
            Feature::from_value("doc", "features[0]", &no_id, &Context::default()).unwrap_err();
        assert_eq!(err.field(), Some("features[0].id"));
    }
}
