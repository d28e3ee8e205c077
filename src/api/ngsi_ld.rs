//! NGSI-LD reads for the map: pages of a layer as GeoJSON, one entity's details.
//!
//! Brokers cap `limit` (Stellio 100, Orion-LD 1000): the page size always comes from the town's
//! configuration, and the total from the `NGSILD-Results-Count` header.

use gloo_net::http::Request;
use serde_json::Value;
use web_sys::AbortSignal;

use super::ApiError;

/// One service on the map, as much as the map needs of it.
#[derive(Clone, Debug, PartialEq)]
pub struct MapFeature {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    /// The value of the layer's status attribute, if the entity has one.
    pub status: Option<Value>,
    pub name: Option<String>,
}

/// A page of a layer, and the layer's total when the broker counted it.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerPage {
    pub features: Vec<MapFeature>,
    pub total: Option<u32>,
}

/// Asks one page of entities of `entity_type` with only the attributes the map needs.
pub async fn fetch_layer_page(
    base: &str,
    entity_type: &str,
    status_attr: Option<&str>,
    attrs: &[&str],
    offset: u32,
    limit: u32,
    signal: Option<&AbortSignal>,
) -> Result<LayerPage, ApiError> {
    let mut query = vec![
        ("type", entity_type.to_string()),
        ("options", "keyValues".to_string()),
        ("limit", limit.to_string()),
        ("offset", offset.to_string()),
        ("count", "true".to_string()),
    ];
    if !attrs.is_empty() {
        query.push(("attrs", attrs.join(",")));
    }
    let response = Request::get(&format!("{}/entities", base.trim_end_matches('/')))
        .query(query)
        .header("Accept", "application/geo+json")
        .abort_signal(signal)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::Status {
            status: response.status(),
        });
    }
    let total = response
        .headers()
        .get("NGSILD-Results-Count")
        .and_then(|v| v.trim().parse().ok());
    let body: Value = response
        .json()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    Ok(LayerPage {
        features: parse_features(&body, status_attr)?,
        total,
    })
}

/// One entity with all its attributes, simplified (keyValues), for the details panel.
pub async fn fetch_entity(
    base: &str,
    id: &str,
) -> Result<serde_json::Map<String, Value>, ApiError> {
    let url = format!(
        "{}/entities/{}",
        base.trim_end_matches('/'),
        js_sys::encode_uri_component(id)
    );
    let response = Request::get(&url)
        .query([("options", "keyValues")])
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::Status {
            status: response.status(),
        });
    }
    match response.json::<Value>().await {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::Decode("an entity must be a JSON object".into())),
        Err(e) => Err(ApiError::Decode(e.to_string())),
    }
}

/// Reads a GeoJSON FeatureCollection tolerantly: features without a point geometry are
/// skipped (they cannot be drawn), properties may be simplified or normalized.
pub fn parse_features(
    body: &Value,
    status_attr: Option<&str>,
) -> Result<Vec<MapFeature>, ApiError> {
    let features = match body {
        Value::Object(map) => map
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::Decode("a FeatureCollection needs `features`".into()))?,
        Value::Array(items) => items,
        _ => return Err(ApiError::Decode("expected a FeatureCollection".into())),
    };
    Ok(features
        .iter()
        .filter_map(|feature| {
            let id = feature.get("id")?.as_str()?.to_string();
            let coordinates = feature.pointer("/geometry/coordinates")?.as_array()?;
            if feature.pointer("/geometry/type")?.as_str()? != "Point" {
                return None;
            }
            let lon = coordinates.first()?.as_f64()?;
            let lat = coordinates.get(1)?.as_f64()?;
            let properties = feature.get("properties");
            let value_of = |name: &str| properties.and_then(|p| p.get(name)).map(simplify);
            Some(MapFeature {
                id,
                lon,
                lat,
                status: status_attr.and_then(value_of),
                name: value_of("name").and_then(|v| v.as_str().map(str::to_string)),
            })
        })
        .collect())
}

/// A normalized attribute (`{"type":"Property","value":…}`) becomes its value.
fn simplify(value: &Value) -> Value {
    match value {
        Value::Object(map) if map.contains_key("value") => {
            map.get("value").cloned().unwrap_or(Value::Null)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn simplified_and_normalized_features_read_the_same() {
        let body = json!({
            "type": "FeatureCollection",
            "features": [
                {"id": "urn:ngsi-ld:Streetlight:1", "type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [0.68, 47.39]},
                 "properties": {"type": "Streetlight", "status": "defectiveLamp"}},
                {"id": "urn:ngsi-ld:Streetlight:2", "type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [0.69, 47.40]},
                 "properties": {"type": "Streetlight",
                                "status": {"type": "Property", "value": "ok"},
                                "name": {"type": "Property", "value": "Lampe 2"}}}
            ]
        });
        let features = parse_features(&body, Some("status")).unwrap();
        assert_eq!(features.len(), 2);
        assert_eq!(features[0].status, Some(json!("defectiveLamp")));
        assert_eq!((features[0].lon, features[0].lat), (0.68, 47.39));
        assert_eq!(features[1].status, Some(json!("ok")));
        assert_eq!(features[1].name.as_deref(), Some("Lampe 2"));
    }

    #[test]
    fn features_without_a_point_are_skipped_not_fatal() {
        let body = json!({"type": "FeatureCollection", "features": [
            {"id": "a", "type": "Feature", "geometry": null, "properties": {}},
            {"id": "b", "type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}},
            {"id": "c", "type": "Feature", "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}}
        ]});
        let features = parse_features(&body, None).unwrap();
        assert_eq!(
            features.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            vec!["c"]
        );
    }

    #[test]
    fn a_body_that_is_not_geojson_is_a_decode_error() {
        assert!(matches!(
            parse_features(&json!("x"), None),
            Err(ApiError::Decode(_))
        ));
        assert!(matches!(
            parse_features(&json!({"a": 1}), None),
            Err(ApiError::Decode(_))
        ));
    }
}
