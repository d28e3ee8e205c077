//! NGSI-LD reads for the map: pages of a layer as GeoJSON, one entity's details.
//!
//! Brokers cap `limit` (Stellio 100, Orion-LD 1000): the page size always comes from the town's
//! configuration, and the total from the `NGSILD-Results-Count` header.

use std::cell::RefCell;

use gloo_net::http::Request;
use quartier_api::datetime::Timestamp;
use quartier_api::geo::{BoundingBox, LonLat};
use quartier_api::ngsi_ld::{
    Entity, EntityQuery, GeoQuery, GeoRel, RESULTS_COUNT_HEADER, StatusValue, parse_entity,
    parse_feature_collection,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::{ApiError, Service};

/// One service on the map, as much as the map needs of it.
#[derive(Clone, Debug, PartialEq)]
pub struct MapFeature {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    /// The value of the layer's status attribute, if the entity has one.
    pub status: Option<StatusValue>,
    pub name: Option<String>,
    /// When the state was observed (ms since 1970): the status attribute's `observedAt`, or
    /// the entity's `dateObserved` (Smart Data Models' `*Observed` types).
    pub observed: Option<i64>,
}

/// The attribute that dates an observation in Smart Data Models' `*Observed` types.
pub const DATE_OBSERVED: &str = "dateObserved";

/// A page of a layer, and the layer's total when the broker counted it.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerPage {
    pub features: Vec<MapFeature>,
    pub total: Option<u32>,
}

/// What to ask of a layer: its type, the attributes the map needs, and optionally an area.
#[derive(Clone, Debug)]
pub struct LayerQuery<'a> {
    pub entity_type: &'a str,
    /// The attribute that gives the state (read from each feature).
    pub status_attr: Option<&'a str>,
    /// Only these attributes are asked for.
    pub attrs: &'a [&'a str],
    /// `[west, south, east, north]`: only what lies inside.
    pub area: Option<[f64; 4]>,
}

/// The query of a page of a layer, built with the contract's `EntityQuery` (`limit=0` with
/// `count` asks only for the total).
pub fn layer_query(layer: &LayerQuery<'_>, offset: u32, limit: u32, count: bool) -> EntityQuery {
    EntityQuery {
        entity_type: Some(layer.entity_type.to_string()),
        // An empty page needs no attributes; a page only what the map draws.
        attrs: if limit > 0 {
            layer.attrs.iter().map(|a| a.to_string()).collect()
        } else {
            Vec::new()
        },
        // NGSI-LD geo-query: only what lies in this box (coordinates are [lon, lat]).
        geo: layer.area.and_then(area_query),
        // Normalized, not keyValues: only it keeps each value's `observedAt`, which says how
        // fresh the map is.
        key_values: false,
        limit: Some(limit),
        offset: Some(offset),
        count,
        ..EntityQuery::default()
    }
}

/// `georel=within` a box `[west, south, east, north]`, clamped to the world.
fn area_query([west, south, east, north]: [f64; 4]) -> Option<GeoQuery> {
    let lon = |v: f64| v.clamp(-180.0, 180.0);
    let lat = |v: f64| v.clamp(-85.0, 85.0);
    let bbox = BoundingBox::new(lon(west), lat(south), lon(east), lat(north)).ok()?;
    Some(GeoQuery {
        georel: GeoRel::Within,
        geometry: bbox.to_polygon(),
        geoproperty: None,
    })
}

fn entities_url(base: &str, query: &EntityQuery) -> String {
    format!(
        "{}/entities?{}",
        base.trim_end_matches('/'),
        query.to_query_string()
    )
}

/// The address of the count of a type's services in an area (`[west, south, east, north]`)
/// that match `q`: an empty page with `count=true`, a few hundred bytes whatever the town's
/// size.
pub fn area_count_url(
    base: &str,
    entity_type: &str,
    area: Option<[f64; 4]>,
    q: Option<String>,
) -> String {
    let query = EntityQuery {
        entity_type: Some(entity_type.to_string()),
        geo: area.and_then(area_query),
        q,
        limit: Some(0),
        count: true,
        ..EntityQuery::default()
    };
    entities_url(base, &query)
}

/// The count at an [`area_count_url`] (taken from [`prefetch_counts`] when it started it).
pub async fn fetch_area_count(url: &str) -> Result<u32, ApiError> {
    let response = count_response(url, None).await?;
    if !response.ok() {
        return Err(ApiError::status(Service::Broker, response.status()));
    }
    count_in(&response)
        .ok_or_else(|| ApiError::decode(Service::Broker, "no NGSILD-Results-Count in the answer"))
}

/// How many entities a whole layer holds, without any of them: an empty page with
/// `count=true`, a few hundred bytes (taken from [`prefetch_layer_counts`] when it started
/// it). `None` when the broker does not count, or refuses an empty page (400): the caller then
/// pages until a short page.
pub async fn fetch_layer_count(
    base: &str,
    layer: &LayerQuery<'_>,
    signal: Option<&AbortSignal>,
) -> Result<Option<u32>, ApiError> {
    let response = count_response(&count_url(base, layer.entity_type), signal).await?;
    if response.status() == 400 {
        return Ok(None);
    }
    if !response.ok() {
        return Err(ApiError::status(Service::Broker, response.status()));
    }
    Ok(count_in(&response))
}

/// The answer to a count address: the early one if it was started, else a new request. Its
/// body (`[]`) is read to its end all the same: a response left unread stays open in the
/// browser, and the page never settles.
async fn count_response(
    url: &str,
    signal: Option<&AbortSignal>,
) -> Result<web_sys::Response, ApiError> {
    let promise = match take_early_count(url) {
        Some(promise) => promise,
        None => start_count(url, signal)?,
    };
    let response: web_sys::Response = JsFuture::from(promise)
        .await
        .and_then(|response| response.dyn_into())
        .map_err(|e| ApiError::network(Service::Broker, format!("{e:?}")))?;
    if let Ok(body) = response.text() {
        let _ = JsFuture::from(body).await;
    }
    Ok(response)
}

fn count_in(response: &web_sys::Response) -> Option<u32> {
    response
        .headers()
        .get(RESULTS_COUNT_HEADER)
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok())
}

thread_local! {
    /// Count requests started early (see [`prefetch_layer_counts`]): address, start time (ms),
    /// answer. Each is taken once, by the load it was started for.
    static EARLY_COUNTS: RefCell<Vec<(String, f64, js_sys::Promise)>> = const { RefCell::new(Vec::new()) };
}

/// An early count older than this is not used: the layer may have changed since.
const EARLY_COUNT_MAX_AGE_MS: f64 = 10_000.0;

/// Starts the count requests of the layers the map is about to show, as soon as the
/// configuration is known: they then travel while the app renders instead of after it (about
/// one round trip sooner on a phone). The map's loads take them up.
pub fn prefetch_layer_counts(base: &str, entity_types: &[String]) {
    let urls: Vec<String> = entity_types.iter().map(|t| count_url(base, t)).collect();
    prefetch_counts(&urls);
}

/// Starts count requests (`limit=0&count=true` addresses) now; the first fetch of each address
/// within a few seconds takes the answer instead of asking again.
pub fn prefetch_counts(urls: &[String]) {
    for url in urls {
        if let Ok(promise) = start_count(url, None) {
            // Marks a failure as handled: the load that takes the answer reports it, and one
            // that is never taken must not end up as an "uncaught" error in the console.
            let ignore =
                wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
            let _ = promise.catch(&ignore);
            // One tiny closure per early count; the promise may call it at any time.
            ignore.forget();
            EARLY_COUNTS
                .with_borrow_mut(|early| early.push((url.clone(), js_sys::Date::now(), promise)));
        }
    }
}

fn take_early_count(url: &str) -> Option<js_sys::Promise> {
    EARLY_COUNTS.with_borrow_mut(|early| {
        let now = js_sys::Date::now();
        early.retain(|(_, started, _)| now - started < EARLY_COUNT_MAX_AGE_MS);
        let index = early.iter().position(|(u, _, _)| u == url)?;
        Some(early.swap_remove(index).2)
    })
}

/// The address of a layer's count: an empty page with `count=true`.
fn count_url(base: &str, entity_type: &str) -> String {
    let layer = LayerQuery {
        entity_type,
        status_attr: None,
        attrs: &[],
        area: None,
    };
    entities_url(base, &layer_query(&layer, 0, 0, true))
}

fn start_count(url: &str, signal: Option<&AbortSignal>) -> Result<js_sys::Promise, ApiError> {
    let window =
        web_sys::window().ok_or_else(|| ApiError::network(Service::Broker, "no window"))?;
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new()
        .map_err(|e| ApiError::network(Service::Broker, format!("{e:?}")))?;
    let _ = headers.set("Accept", "application/geo+json");
    init.set_headers(&headers);
    init.set_signal(signal);
    Ok(window.fetch_with_str_and_init(url, &init))
}

/// Asks one page of a layer with only the attributes the map needs; `count` also asks for
/// the layer's total.
pub async fn fetch_layer_page(
    base: &str,
    layer: &LayerQuery<'_>,
    offset: u32,
    limit: u32,
    count: bool,
    signal: Option<&AbortSignal>,
) -> Result<LayerPage, ApiError> {
    let url = entities_url(base, &layer_query(layer, offset, limit, count));
    let response = get_entities(&url, signal).await?;
    if !response.ok() {
        return Err(ApiError::status(Service::Broker, response.status()));
    }
    let total = results_count(&response);
    let link = response.headers().get("Link");
    let body = response
        .text()
        .await
        .map_err(|e| ApiError::network(Service::Broker, e.to_string()))?;
    Ok(LayerPage {
        features: parse_features(&body, link.as_deref(), layer.status_attr)?,
        total,
    })
}

async fn get_entities(
    url: &str,
    signal: Option<&AbortSignal>,
) -> Result<gloo_net::http::Response, ApiError> {
    Request::get(url)
        .header("Accept", "application/geo+json")
        .abort_signal(signal)
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Broker, e.to_string()))
}

fn results_count(response: &gloo_net::http::Response) -> Option<u32> {
    response
        .headers()
        .get(RESULTS_COUNT_HEADER)
        .and_then(|v| v.trim().parse().ok())
}

/// One entity with all its attributes, for the details panel, read by the contract crate
/// (normalized, concise or simplified, whichever the broker sends).
pub async fn fetch_entity(base: &str, id: &str) -> Result<Entity, ApiError> {
    let url = format!(
        "{}/entities/{}",
        base.trim_end_matches('/'),
        js_sys::encode_uri_component(id)
    );
    let (body, link) = get_json(&url).await?;
    parse_entity(&body, link.as_deref())
        .map_err(|e| ApiError::decode(Service::Broker, e.to_string()))
}

/// A GET of NGSI-LD JSON: the body and the `Link` header (the answer's `@context`), or the
/// broker's failure.
async fn get_json(url: &str) -> Result<(String, Option<String>), ApiError> {
    let response = Request::get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Broker, e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::status(Service::Broker, response.status()));
    }
    let link = response.headers().get("Link");
    let body = response
        .text()
        .await
        .map_err(|e| ApiError::network(Service::Broker, e.to_string()))?;
    Ok((body, link))
}

/// Where each of the given services is, in one line ("3 Avenue Jean Jaurès, 37000 …"), for the
/// list: one query by id for the rows shown (`id=a,b,…&attrs=address`), so the layers' pages
/// stay light. Services without an address are left out of the answer.
pub async fn fetch_addresses(
    base: &str,
    entity_type: &str,
    ids: &[String],
) -> Result<Vec<(String, String)>, ApiError> {
    let query = EntityQuery {
        entity_type: Some(entity_type.to_string()),
        ids: ids.to_vec(),
        attrs: vec!["address".to_string()],
        limit: Some(ids.len().max(1) as u32),
        ..EntityQuery::default()
    };
    let (body, link) = get_json(&entities_url(base, &query)).await?;
    let entities = quartier_api::ngsi_ld::parse_entities(&body, link.as_deref())
        .map_err(|e| ApiError::decode(Service::Broker, e.to_string()))?;
    Ok(entities
        .into_iter()
        .filter_map(|entity| {
            let line = entity.postal_address()?.street_line();
            Some((entity.id, line))
        })
        .collect())
}

/// Reads a page with the contract crate (normalized or simplified properties, `@context`
/// anywhere); features without a position are skipped: they cannot be drawn.
pub fn parse_features(
    body: &str,
    link: Option<&str>,
    status_attr: Option<&str>,
) -> Result<Vec<MapFeature>, ApiError> {
    let collection = parse_feature_collection(body, link)
        .map_err(|e| ApiError::decode(Service::Broker, e.to_string()))?;
    Ok(collection
        .features
        .into_iter()
        .filter_map(|feature| {
            let position = feature.position()?;
            Some(map_feature(feature.entity, position, status_attr))
        })
        .collect())
}

/// What the map keeps of an entity drawn at `position` (a page's Feature, a live change).
pub fn map_feature(entity: Entity, position: LonLat, status_attr: Option<&str>) -> MapFeature {
    let observed = status_attr
        .and_then(|attr| entity.attribute(attr))
        .and_then(|attr| attr.observed_at())
        .map(Timestamp::unix_millis)
        .or_else(|| entity.timestamp(DATE_OBSERVED).map(|t| t.unix_millis()));
    MapFeature {
        observed,
        status: status_attr.and_then(|attr| entity.status(attr)),
        name: entity.text("name"),
        id: entity.id,
        lon: position.lon,
        lat: position.lat,
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
                                "status": {"type": "Property", "value": "ok",
                                           "observedAt": "2026-11-28T14:58:53Z"},
                                "name": {"type": "Property", "value": "Lampe 2"}}}
            ]
        });
        let features = parse_features(&body.to_string(), None, Some("status")).unwrap();
        assert_eq!(features.len(), 2);
        assert_eq!(
            features[0].status,
            Some(StatusValue::Text("defectiveLamp".into()))
        );
        assert_eq!((features[0].lon, features[0].lat), (0.68, 47.39));
        assert_eq!(features[1].status, Some(StatusValue::Text("ok".into())));
        assert_eq!(features[1].name.as_deref(), Some("Lampe 2"));
        // Only the normalized form keeps when a value was observed.
        assert_eq!(features[0].observed, None);
        assert_eq!(features[1].observed, Some(1_795_877_933_000));
    }

    #[test]
    fn observed_types_are_dated_by_date_observed() {
        let body = json!({"type": "FeatureCollection", "features": [
            {"id": "urn:ngsi-ld:AirQualityObserved:1", "type": "Feature",
             "geometry": {"type": "Point", "coordinates": [0.68, 47.39]},
             "properties": {"type": "AirQualityObserved",
                            "airQualityLevel": {"type": "Property", "value": "moderate"},
                            "dateObserved": {"type": "Property",
                                             "value": {"@type": "DateTime", "@value": "2026-11-28T17:44:14Z"}}}}
        ]});
        let features = parse_features(&body.to_string(), None, Some("airQualityLevel")).unwrap();
        assert_eq!(features[0].observed, Some(1_795_887_854_000));
    }

    #[test]
    fn a_count_asks_for_no_entity_and_pages_only_for_what_the_map_draws() {
        let layer = LayerQuery {
            entity_type: "Streetlight",
            status_attr: Some("status"),
            attrs: &["status", "name"],
            area: None,
        };
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let count = layer_query(&layer, 0, 0, true).to_query_pairs();
        assert!(count.contains(&pair("limit", "0")));
        assert!(count.contains(&pair("count", "true")));
        assert!(!count.iter().any(|(name, _)| name == "attrs"));

        let page = layer_query(&layer, 2000, 1000, false).to_query_pairs();
        assert!(page.contains(&pair("offset", "2000")));
        // Normalized: `observedAt` survives.
        assert!(!page.iter().any(|(name, _)| name == "options"));
        assert!(page.contains(&pair("attrs", "status,name")));
        assert!(!page.iter().any(|(name, _)| name == "count"));

        let area = LayerQuery {
            area: Some([0.6, 47.3, 0.7, 47.4]),
            ..layer
        };
        let page = layer_query(&area, 0, 100, true).to_query_pairs();
        assert!(page.contains(&pair("georel", "within")));
        assert!(page.contains(&pair("geometry", "Polygon")));
    }

    #[test]
    fn features_without_a_point_are_skipped_not_fatal() {
        let body = json!({"type": "FeatureCollection", "features": [
            {"id": "a", "type": "Feature", "geometry": null, "properties": {"type": "Streetlight"}},
            {"id": "b", "type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": {"type": "Streetlight"}},
            {"id": "c", "type": "Feature", "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}, "properties": {"type": "Streetlight"}}
        ]});
        let features = parse_features(&body.to_string(), None, None).unwrap();
        assert_eq!(
            features.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            vec!["c"]
        );
    }

    #[test]
    fn a_body_that_is_not_geojson_is_a_decode_error() {
        assert!(matches!(
            parse_features("\"x\"", None, None),
            Err(ApiError {
                failure: crate::api::Failure::Decode(_),
                ..
            })
        ));
        assert!(matches!(
            parse_features("{\"a\": 1}", None, None),
            Err(ApiError {
                failure: crate::api::Failure::Decode(_),
                ..
            })
        ));
    }
}
