//! `GET /geocode/search?q=…&limit=…`: address search over the demo town's streets, answering in
//! the shape of France's Base Adresse Nationale API (a GeoJSON FeatureCollection whose features
//! carry `properties.label`), so the app's geocoder client is the same for the demo and for a
//! real town pointed at `https://api-adresse.data.gouv.fr`.

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::get,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{demo::town::Town, error::AppError, state::AppState};

/// More results are not useful to someone choosing a place.
const MAX_LIMIT: usize = 20;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    limit: Option<String>,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Value>, AppError> {
    // Only the demo town has streets here; a real town uses its own geocoder.
    if !state.settings.demo {
        return Err(AppError::not_found("this platform has no geocoder"));
    }
    let text = query.q.unwrap_or_default();
    if text.trim().len() < 2 {
        return Err(AppError::bad_request(
            "query_too_short",
            "q must have at least 2 characters",
        ));
    }
    let limit = match query.limit.as_deref() {
        None => 5,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| AppError::bad_request("invalid_limit", "limit must be 1 to 20"))?,
    };
    let features: Vec<Value> = Town::demo()
        .search_streets(&text, limit)
        .into_iter()
        .map(|address| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [address.lon, address.lat] },
                "properties": {
                    "label": address.label,
                    "name": format!("{} {}", address.number, address.street),
                    "housenumber": address.number.to_string(),
                    "street": address.street,
                    "district": address.district,
                    "type": "housenumber",
                }
            })
        })
        .collect();
    Ok(Json(json!({
        "type": "FeatureCollection",
        "query": text,
        "features": features,
    })))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use crate::{build_router, state::AppState, state::Settings};

    async fn get(demo: bool, uri: &str) -> (u16, serde_json::Value) {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
        settings.demo = demo;
        let app = build_router(AppState::new(settings).unwrap());
        let response = app
            .oneshot(axum::http::Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn streets_are_found_in_the_shape_of_the_ban_api() {
        let town = crate::demo::town::Town::demo();
        let street = town.streets()[0].name.clone();
        let encoded: String = street
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        let (status, body) = get(true, &format!("/geocode/search?q={encoded}")).await;
        assert_eq!(status, 200, "{body}");
        let first = &body["features"][0];
        let label = first["properties"]["label"].as_str().unwrap_or_default();
        let normalize = crate::demo::town::normalize;
        assert!(
            normalize(label).contains(&normalize(&street)),
            "{label} / {street}"
        );
        let lon = first["geometry"]["coordinates"][0].as_f64().unwrap();
        let lat = first["geometry"]["coordinates"][1].as_f64().unwrap();
        assert!(town.contains(lon, lat));
    }

    #[tokio::test]
    async fn bad_queries_are_refused_and_only_the_demo_has_a_geocoder() {
        assert_eq!(get(true, "/geocode/search?q=a").await.0, 400);
        assert_eq!(get(true, "/geocode/search?q=rue&limit=500").await.0, 400);
        assert_eq!(get(false, "/geocode/search?q=rue").await.0, 404);
    }
}
