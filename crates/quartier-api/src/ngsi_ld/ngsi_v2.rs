//! NGSI-v2 normalized attributes (`{"type":"Text","value":…,"metadata":{…}}`) → the same
//! clean [`Attribute`]s, because many towns still run an NGSI-v2 broker (Orion) and the
//! Smart Data Models publish v2 examples next to the NGSI-LD ones.
//!
//! `geo:json` and `geo:point` become GeoProperties, `Relationship` a Relationship, everything
//! else a Property (`DateTime` keeps that datatype). Metadata `unitCode` becomes the unit
//! code, `timestamp`/`TimeInstant`/`observedAt` the observation time, others sub-properties.

use super::attribute::{Attribute, AttributeMeta, GeoProperty, Property, Relationship, Site};
use crate::datetime::Timestamp;
use crate::error::ParseError;
use crate::geo::{Geometry, LonLat};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// True when every member looks like `{"type": <text>, "value": …[, "metadata": {…}]}`.
pub(crate) fn looks_like_v2(members: &[(&String, &Value)]) -> bool {
    !members.is_empty()
        && members.iter().all(|(_, v)| {
            v.as_object().is_some_and(|o| {
                o.get("type").is_some_and(Value::is_string)
                    && o.contains_key("value")
                    && o.keys()
                        .all(|k| matches!(k.as_str(), "type" | "value" | "metadata"))
            })
        })
}

/// Reads one NGSI-v2 attribute.
pub(crate) fn read(site: &Site<'_>, value: &Value) -> Result<Attribute, ParseError> {
    let obj = value.as_object().cloned().unwrap_or_default();
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let raw = obj.get("value").cloned().unwrap_or(Value::Null);
    let invalid =
        |reason: String| ParseError::invalid(site.document, format!("{}.value", site.path), reason);
    let (meta, unit_code) = read_metadata(site, obj.get("metadata"))?;
    Ok(match kind {
        "geo:json" => Attribute::GeoProperty(GeoProperty {
            value: Geometry::from_geojson(&raw).map_err(|e| invalid(e.0))?,
            meta,
        }),
        "geo:point" => {
            let text = raw.as_str().unwrap_or("");
            let mut parts = text.split(',').map(|p| p.trim().parse::<f64>());
            let point = match (parts.next(), parts.next(), parts.next()) {
                (Some(Ok(lat)), Some(Ok(lon)), None) => {
                    LonLat::new(lon, lat).map_err(|e| invalid(e.0))?
                }
                _ => {
                    return Err(invalid(format!(
                        "geo:point must be \"lat, lon\", got {raw}"
                    )));
                }
            };
            Attribute::GeoProperty(GeoProperty {
                value: Geometry::Point(point),
                meta,
            })
        }
        "Relationship" => {
            let objects: Vec<String> = match &raw {
                Value::String(s) => vec![s.clone()],
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            if objects.is_empty() {
                return Err(invalid(format!(
                    "a Relationship needs an entity id, got {raw}"
                )));
            }
            Attribute::Relationship(Relationship { objects, meta })
        }
        _ => Attribute::Property(Property {
            datatype: (kind == "DateTime").then(|| kind.to_owned()),
            unit_code,
            meta,
            ..Property::new(raw)
        }),
    })
}

fn read_metadata(
    site: &Site<'_>,
    metadata: Option<&Value>,
) -> Result<(AttributeMeta, Option<String>), ParseError> {
    let empty = Map::new();
    let items = metadata.and_then(Value::as_object).unwrap_or(&empty);
    let mut meta = AttributeMeta::default();
    let mut unit_code = None;
    let mut sub_attributes = BTreeMap::new();
    for (name, item) in items {
        let value = item.get("value").cloned().unwrap_or(Value::Null);
        match name.as_str() {
            "unitCode" => unit_code = value.as_str().map(str::to_owned),
            "timestamp" | "TimeInstant" | "observedAt" => {
                let text = value.as_str().unwrap_or("");
                meta.observed_at = Some(Timestamp::parse(text).map_err(|e| {
                    ParseError::invalid(
                        site.document,
                        format!("{}.metadata.{name}", site.path),
                        e.to_string(),
                    )
                })?);
            }
            _ => {
                sub_attributes.insert(name.clone(), Attribute::Property(Property::new(value)));
            }
        }
    }
    meta.sub_attributes = sub_attributes;
    Ok((meta, unit_code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_one(value: Value) -> Result<Attribute, ParseError> {
        read(
            &Site {
                document: "doc",
                path: "a",
            },
            &value,
        )
    }

    #[test]
    fn detects_v2_members() {
        let a = json!({"type": "Text", "value": "ok"});
        let b = json!({"type": "Number", "value": 1, "metadata": {}});
        let (ka, kb) = ("a".to_owned(), "b".to_owned());
        assert!(looks_like_v2(&[(&ka, &a), (&kb, &b)]));
        let c = json!("bare");
        assert!(!looks_like_v2(&[(&ka, &a), (&kb, &c)]));
        assert!(!looks_like_v2(&[]));
    }

    #[test]
    fn maps_types_and_metadata() {
        let geo = read_one(
            json!({"type": "geo:json", "value": {"type": "Point", "coordinates": [-3.16, 40.62]}}),
        )
        .unwrap();
        assert!(matches!(geo, Attribute::GeoProperty(_)));
        let Attribute::GeoProperty(p) =
            read_one(json!({"type": "geo:point", "value": "40.62, -3.16"})).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            p.value,
            Geometry::Point(LonLat {
                lon: -3.16,
                lat: 40.62
            })
        );
        let Attribute::Property(co) = read_one(
            json!({"type": "Number", "value": 500, "metadata": {"unitCode": {"value": "GP"}}}),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(co.unit_code.as_deref(), Some("GP"));
        let status = read_one(json!({"type": "Text", "value": "free", "metadata": {
            "timestamp": {"type": "DateTime", "value": "2018-09-21T12:00:00"},
            "parkingPermit": {"type": "Text", "value": "yes"}
        }}))
        .unwrap();
        assert_eq!(
            status.observed_at().unwrap().as_str(),
            "2018-09-21T12:00:00"
        );
        assert!(status.meta().sub_attributes.contains_key("parkingPermit"));
        let Attribute::Relationship(r) =
            read_one(json!({"type": "Relationship", "value": "urn:x"})).unwrap()
        else {
            panic!()
        };
        assert_eq!(r.object(), Some("urn:x"));
        assert!(read_one(json!({"type": "geo:point", "value": "north"})).is_err());
    }
}
