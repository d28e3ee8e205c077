//! Address search, in the shape of France's Base Adresse Nationale API
//! (`GET {base}/search?q=…&limit=…` → GeoJSON features with `properties.label`), which the
//! reference platform also answers for the demo town's streets.

use gloo_net::http::Request;
use serde_json::Value;

use super::{ApiError, Service};

/// A place found for what the resident typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub label: String,
    pub lat: f64,
    pub lon: f64,
}

pub async fn search_places(base: &str, query: &str, limit: u32) -> Result<Vec<Place>, ApiError> {
    let response = Request::get(&format!("{}/search", base.trim_end_matches('/')))
        .query([("q", query.to_string()), ("limit", limit.to_string())])
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Geocoder, e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::status(Service::Geocoder, response.status()));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|e| ApiError::decode(Service::Geocoder, e.to_string()))?;
    parse_places(&body)
}

/// Reads BAN-style results; features without a label or a point are skipped.
pub fn parse_places(body: &Value) -> Result<Vec<Place>, ApiError> {
    let features = body
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::decode(Service::Geocoder, "expected a FeatureCollection"))?;
    Ok(features
        .iter()
        .filter_map(|f| {
            let coordinates = f.pointer("/geometry/coordinates")?.as_array()?;
            Some(Place {
                label: f.pointer("/properties/label")?.as_str()?.to_string(),
                lon: coordinates.first()?.as_f64()?,
                lat: coordinates.get(1)?.as_f64()?,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ban_results_are_read() {
        let body = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.68, 47.39]},
             "properties": {"label": "12 Rue Victor Hugo 37000 Belleville-sur-Loire", "score": 0.9}},
            {"type": "Feature", "geometry": null, "properties": {"label": "no point"}}
        ]});
        let places = parse_places(&body).unwrap();
        assert_eq!(places.len(), 1);
        assert_eq!(
            places[0].label,
            "12 Rue Victor Hugo 37000 Belleville-sur-Loire"
        );
        assert_eq!((places[0].lat, places[0].lon), (47.39, 0.68));
        assert!(parse_places(&json!([])).is_err());
    }
}
