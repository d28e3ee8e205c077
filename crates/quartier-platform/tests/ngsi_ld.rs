//! NGSI-LD as the app and other clients see it, on the demo town, through `oneshot`.

use std::{
    collections::{BTreeSet, HashSet},
    path::PathBuf,
};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
    response::Response,
};
use http_body_util::BodyExt;
use quartier_platform::{AppState, Settings, build_router};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

struct Demo {
    _dir: TempDir,
    router: Router,
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        demo: true,
        ..Settings::new(dir.path().join("data"), dir.path().join("dist"))
    };
    let state = AppState::new(settings).expect("state");
    Demo {
        router: build_router(state),
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl Demo {
    async fn get(&self, uri: &str, accept: Option<&str>) -> Reply {
        let accept: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        self.get_with(uri, &accept).await
    }

    /// A GET with extra headers; its body read as JSON (empty: null).
    async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response: Response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes))
            })
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn geojson(&self, uri: &str) -> Reply {
        self.get(uri, Some("application/geo+json")).await
    }
}

impl Reply {
    fn count(&self) -> usize {
        self.headers["NGSILD-Results-Count"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("number")
    }

    fn features(&self) -> &Vec<Value> {
        self.body["features"].as_array().expect("features")
    }

    fn ids(&self) -> Vec<String> {
        let items = match self.body.get("features") {
            Some(features) => features.as_array().expect("features"),
            None => self.body.as_array().expect("array"),
        };
        items
            .iter()
            .map(|e| e["id"].as_str().expect("id").to_owned())
            .collect()
    }

    fn problem(&self, status: StatusCode, kind: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.body["type"],
            format!("https://uri.etsi.org/ngsi-ld/errors/{kind}"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16());
        let content_type = self.headers[header::CONTENT_TYPE].to_str().expect("ascii");
        assert!(content_type.contains("json"), "{content_type}");
    }
}

const ENTITIES: &str = "/ngsi-ld/v1/entities";

fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn point(feature: &Value) -> (f64, f64) {
    let c = &feature["geometry"]["coordinates"];
    (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"))
}

#[tokio::test]
async fn a_geojson_page_of_streetlights_with_the_total_count() {
    let demo = demo();
    let reply = demo
        .geojson(&format!(
            "{ENTITIES}?type=Streetlight&options=keyValues&limit=1000&offset=0&count=true"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/geo+json",
        "{:?}",
        reply.headers
    );
    assert_eq!(reply.count(), 12_000);
    assert_eq!(reply.body["type"], "FeatureCollection");
    assert!(reply.body["@context"].is_array());
    let features = reply.features();
    assert_eq!(features.len(), 1000);
    for feature in features {
        assert_eq!(feature["type"], "Feature");
        assert!(
            feature["id"]
                .as_str()
                .expect("id")
                .starts_with("urn:ngsi-ld:Streetlight:BSL-")
        );
        assert_eq!(feature["geometry"]["type"], "Point");
        assert_eq!(feature["properties"]["type"], "Streetlight");
        // keyValues: plain values.
        assert!(feature["properties"]["status"].is_string());
        assert!(feature["properties"]["dataProvider"].is_string());
    }
    let ids = reply.ids();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "stable order by id");
}

#[tokio::test]
async fn paging_through_a_layer_returns_every_entity_once() {
    let demo = demo();
    let mut seen = HashSet::new();
    let mut total = None;
    let mut offset = 0;
    loop {
        let reply = demo
            .geojson(&format!(
                "{ENTITIES}?type=WasteContainer&limit=100&offset={offset}&count=true&options=keyValues"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        total.get_or_insert(reply.count());
        let ids = reply.ids();
        if ids.is_empty() {
            break;
        }
        for id in ids {
            assert!(seen.insert(id.clone()), "{id} twice");
        }
        offset += 100;
    }
    assert_eq!(Some(seen.len()), total);
    assert_eq!(seen.len(), 2_500);
}

#[tokio::test]
async fn q_filters_on_equality_and_comparison() {
    let demo = demo();
    let defective = demo
        .geojson(&format!(
            "{ENTITIES}?type=Streetlight&q=status==%22defectiveLamp%22&limit=1000&count=true"
        ))
        .await;
    assert_eq!(defective.status, StatusCode::OK, "{}", defective.body);
    assert!(defective.count() > 50, "{}", defective.count());
    for f in defective.features() {
        assert_eq!(f["properties"]["status"]["value"], "defectiveLamp");
    }
    let all_not_ok = demo
        .geojson(&format!(
            "{ENTITIES}?type=Streetlight&q=status!=%22ok%22&limit=0&count=true"
        ))
        .await;
    assert!(all_not_ok.count() > defective.count());

    let full = demo
        .geojson(&format!(
            "{ENTITIES}?type=WasteContainer&q=fillingLevel%3E0.8&limit=1000&count=true&options=keyValues"
        ))
        .await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert!(full.count() > 50);
    for f in full.features() {
        assert!(f["properties"]["fillingLevel"].as_f64().expect("level") > 0.8);
    }
    let both = demo
        .get(
            &format!(
                "{ENTITIES}?type=WasteContainer&q=fillingLevel%3E=0.5;status==%22ok%22&limit=1000&options=keyValues"
            ),
            None,
        )
        .await;
    for e in both.body.as_array().expect("array") {
        assert!(e["fillingLevel"].as_f64().expect("level") >= 0.5);
        assert_eq!(e["status"], "ok");
    }
    demo.get(
        &format!("{ENTITIES}?type=Streetlight&q=status==defective"),
        None,
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
}

#[tokio::test]
async fn near_returns_only_entities_within_the_distance() {
    let demo = demo();
    let centre = (0.6848, 47.3941);
    let reply = demo
        .geojson(&format!(
            "{ENTITIES}?type=Streetlight&georel=near;maxDistance==200&geometry=Point&coordinates=[{},{}]&limit=1000&count=true",
            centre.0, centre.1
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let inside = reply.features();
    assert!(!inside.is_empty());
    assert_eq!(reply.count(), inside.len());
    for f in inside {
        let d = haversine_m(centre, point(f));
        assert!(d <= 200.0, "{} is {d} m away", f["id"]);
    }
    // Everything within 200 m was returned: compare with a wider query filtered by hand.
    let wide = demo
        .geojson(&format!(
            "{ENTITIES}?type=Streetlight&georel=near;maxDistance==400&geometry=Point&coordinates=[{},{}]&limit=1000",
            centre.0, centre.1
        ))
        .await;
    let expected = wide
        .features()
        .iter()
        .filter(|f| haversine_m(centre, point(f)) <= 200.0)
        .count();
    assert!(wide.features().len() > expected);
    assert_eq!(expected, inside.len());
    let far = demo
        .get(
            &format!(
                "{ENTITIES}?type=AirQualityObserved&georel=near;minDistance==1000&geometry=Point&coordinates=[{},{}]&count=true&limit=100",
                centre.0, centre.1
            ),
            Some("application/geo+json"),
        )
        .await;
    for f in far.features() {
        assert!(haversine_m(centre, point(f)) >= 1000.0);
    }
}

#[tokio::test]
async fn within_a_polygon() {
    let demo = demo();
    let (w, s, e, n) = (0.68, 47.39, 0.69, 47.40);
    let polygon = format!("[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]");
    let reply = demo
        .geojson(&format!(
            "{ENTITIES}?type=WasteContainer&georel=within&geometry=Polygon&coordinates={polygon}&limit=1000&count=true"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.count() > 10);
    for f in reply.features() {
        let (lon, lat) = point(f);
        assert!(
            (w..=e).contains(&lon) && (s..=n).contains(&lat),
            "{lon},{lat}"
        );
    }
    demo.geojson(&format!(
        "{ENTITIES}?type=WasteContainer&georel=within&geometry=Polygon&coordinates=[[[0,0],[1,1]]]"
    ))
    .await
    .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
    demo.geojson(&format!(
        "{ENTITIES}?type=WasteContainer&georel=near;maxDistance==10&geometry=Point"
    ))
    .await
    .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
}

#[tokio::test]
async fn attrs_and_key_values_shape_the_entities() {
    let demo = demo();
    let reply = demo
        .get(
            &format!("{ENTITIES}?type=Streetlight&attrs=status&limit=5"),
            Some("application/json"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.headers[header::LINK]
            .to_str()
            .expect("ascii")
            .contains("rel=\"http://www.w3.org/ns/json-ld#context\"")
    );
    for e in reply.body.as_array().expect("array") {
        let keys: BTreeSet<&str> = e
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, BTreeSet::from(["id", "type", "status"]));
        assert_eq!(e["status"]["type"], "Property");
        assert!(e["status"]["observedAt"].is_string());
    }
    let geo = demo
        .geojson(&format!("{ENTITIES}?type=Streetlight&attrs=status&limit=5"))
        .await;
    for f in geo.features() {
        assert_eq!(f["geometry"]["type"], "Point");
        assert!(f["properties"].get("powerState").is_none());
        assert!(f["properties"]["status"].is_object());
    }
    let simplified = demo
        .get(
            &format!("{ENTITIES}?type=EVChargingStation&format=simplified&limit=3"),
            None,
        )
        .await;
    for e in simplified.body.as_array().expect("array") {
        assert!(e["availableCapacity"].is_u64());
        assert!(e["location"]["coordinates"].is_array());
    }
}

#[tokio::test]
async fn accept_variants_and_not_acceptable() {
    let demo = demo();
    let uri = format!("{ENTITIES}?type=GtfsStop&limit=2");
    let ld = demo.get(&uri, Some("application/ld+json")).await;
    assert_eq!(ld.headers[header::CONTENT_TYPE], "application/ld+json");
    for e in ld.body.as_array().expect("array") {
        assert!(e["@context"].is_array());
    }
    let any = demo.get(&uri, Some("*/*")).await;
    assert_eq!(any.headers[header::CONTENT_TYPE], "application/json");
    assert!(any.body[0].get("@context").is_none());
    let none = demo.get(&uri, None).await;
    assert_eq!(none.headers[header::CONTENT_TYPE], "application/json");
    demo.get(&uri, Some("text/html"))
        .await
        .problem(StatusCode::NOT_ACCEPTABLE, "NotAcceptable");
}

#[tokio::test]
async fn limits_and_missing_criteria_are_refused_as_the_spec_says() {
    let demo = demo();
    demo.get(&format!("{ENTITIES}?type=Streetlight&limit=0"), None)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    let counted = demo
        .get(
            &format!("{ENTITIES}?type=Streetlight&limit=0&count=true"),
            None,
        )
        .await;
    assert_eq!(counted.status, StatusCode::OK);
    assert_eq!(counted.count(), 12_000);
    assert_eq!(counted.body, Value::Array(vec![]));
    demo.get(&format!("{ENTITIES}?type=Streetlight&limit=5000"), None)
        .await
        .problem(StatusCode::FORBIDDEN, "TooManyResults");
    demo.get(&format!("{ENTITIES}?type=Streetlight&limit=ten"), None)
        .await
        .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
    demo.get(&format!("{ENTITIES}?limit=10"), None)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    demo.get(ENTITIES, None)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    let unknown = demo
        .get(&format!("{ENTITIES}?type=Spaceship&count=true"), None)
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.count(), 0);
    // `id` narrows a query but is not one on its own (5.7.2; ETSI 019_03_05).
    demo.get(
        &format!("{ENTITIES}?id=urn:ngsi-ld:GtfsStop:BSL-000002"),
        None,
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    let by_ids = demo
        .get(
            &format!(
                "{ENTITIES}?type=GtfsStop&id=urn:ngsi-ld:GtfsStop:BSL-000002,urn:ngsi-ld:GtfsStop:BSL-000001"
            ),
            None,
        )
        .await;
    assert_eq!(
        by_ids.ids(),
        [
            "urn:ngsi-ld:GtfsStop:BSL-000001",
            "urn:ngsi-ld:GtfsStop:BSL-000002"
        ]
    );
    let pattern = demo
        .get(
            &format!("{ENTITIES}?type=AirQualityObserved&idPattern=BSL-00000[12]$"),
            None,
        )
        .await;
    assert_eq!(pattern.ids().len(), 2);
}

#[tokio::test]
async fn one_entity_by_id_or_resource_not_found() {
    let demo = demo();
    let id = "urn:ngsi-ld:OffStreetParking:BSL-000001";
    let reply = demo.get(&format!("{ENTITIES}/{id}"), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["id"], id);
    assert_eq!(reply.body["type"], "OffStreetParking");
    assert_eq!(reply.body["availableSpotNumber"]["type"], "Property");
    let feature = demo
        .geojson(&format!("{ENTITIES}/{id}?options=keyValues"))
        .await;
    assert_eq!(feature.body["type"], "Feature");
    assert_eq!(feature.body["id"], id);
    assert!(feature.body["properties"]["totalSpotNumber"].is_u64());
    assert!(feature.body["@context"].is_array());
    demo.get(&format!("{ENTITIES}/urn:ngsi-ld:Streetlight:nope"), None)
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    demo.get(&format!("{ENTITIES}/not-a-uri"), None)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    demo.get("/ngsi-ld/v1/nothing-here", None)
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
}

#[tokio::test]
async fn types_lists_every_demo_type() {
    let demo = demo();
    let reply = demo.get("/ngsi-ld/v1/types", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["type"], "EntityTypeList");
    let list: BTreeSet<&str> = reply.body["typeList"]
        .as_array()
        .expect("typeList")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        list,
        BTreeSet::from([
            "AirQualityObserved",
            "BikeHireDockingStation",
            "EVChargingStation",
            "GtfsStop",
            "OffStreetParking",
            "ParkingSpot",
            "Streetlight",
            "WasteContainer",
            "WaterQualityObserved"
        ])
    );
    let details = demo.get("/ngsi-ld/v1/types?details=true", None).await;
    let streetlight = details
        .body
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["typeName"] == "Streetlight")
        .expect("Streetlight");
    assert!(
        streetlight["attributeNames"]
            .as_array()
            .expect("names")
            .contains(&Value::from("powerState"))
    );
    demo.get("/ngsi-ld/v1/types", Some("application/geo+json"))
        .await
        .problem(StatusCode::NOT_ACCEPTABLE, "NotAcceptable");
}

fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("QUARTIER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/fixtures"))
        .join("ngsi-ld/etsi-test-suite");
    dir.is_dir().then_some(dir)
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Our GeoJSON has the shape of the ETSI test suite's expected GeoJSON: the same members at
/// collection, feature and property level, normalized attributes typed, `@context` where they
/// put it.
#[tokio::test]
async fn geojson_has_the_shape_of_the_etsi_fixtures() {
    let Some(dir) = fixtures_dir() else {
        eprintln!(
            "SKIPPED: no ETSI fixtures (set QUARTIER_FIXTURES to the shared fixtures directory)"
        );
        return;
    };
    let demo = demo();
    let collection = demo
        .geojson(&format!("{ENTITIES}?type=OffStreetParking&limit=3"))
        .await;
    let simplified = demo
        .geojson(&format!(
            "{ENTITIES}?type=OffStreetParking&limit=3&options=keyValues"
        ))
        .await;
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("geojson") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let expected: Value = serde_json::from_str(&text).expect("fixture JSON");
        let name = path.display();
        let normalized = !path.to_string_lossy().contains("simplified");
        match expected["type"].as_str() {
            Some("FeatureCollection") => {
                let ours = if normalized { &collection } else { &simplified };
                assert!(
                    keys(&expected).is_subset(&keys(&ours.body)),
                    "{name}: {:?} vs {:?}",
                    keys(&expected),
                    keys(&ours.body)
                );
                let their_feature = &expected["features"][0];
                let our_feature = &ours.body["features"][0];
                assert_eq!(keys(their_feature), keys(our_feature), "{name}");
                assert!(their_feature["properties"]["type"].is_string());
                assert!(our_feature["properties"]["type"].is_string());
                if normalized {
                    for (attr, value) in our_feature["properties"].as_object().expect("properties")
                    {
                        if attr != "type" {
                            assert!(value["type"].is_string(), "{attr}: {value}");
                        }
                    }
                }
                checked += 1;
            }
            Some("Feature") => {
                // The same entity asked the way the fixture was: normalized or simplified, and
                // on a GeoProperty it lacks when their geometry is null.
                let mut uri = format!("{ENTITIES}/urn:ngsi-ld:OffStreetParking:BSL-000001?");
                if !normalized {
                    uri.push_str("options=keyValues&");
                }
                if expected["geometry"].is_null() {
                    uri.push_str("geoproperty=operationSpace");
                }
                let ours = demo.geojson(&uri).await.body;
                assert_eq!(keys(&expected), keys(&ours), "{name}");
                assert_eq!(
                    expected["geometry"].is_null(),
                    ours["geometry"].is_null(),
                    "{name}"
                );
                assert_eq!(
                    expected["properties"]["name"].is_string(),
                    ours["properties"]["name"].is_string(),
                    "{name}: normalized attributes are objects, simplified ones bare values"
                );
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(
        checked >= 3,
        "only {checked} GeoJSON fixtures found in {}",
        dir.display()
    );
}

/// What the app sends (the contract crate's query builder) is what the platform understands, and
/// what the platform answers the contract crate reads: pages, entities and errors.
#[tokio::test]
async fn the_contract_crate_builds_the_queries_and_reads_the_answers() {
    use quartier_api::{
        geo::{Geometry, LonLat},
        ngsi_ld::{self, EntityQuery, GeoQuery, GeoRel},
    };
    let demo = demo();
    let centre = LonLat {
        lon: 0.6848,
        lat: 47.3941,
    };
    for key_values in [false, true] {
        let query = EntityQuery {
            entity_type: Some("Streetlight".into()),
            q: Some(r#"status=="ok""#.into()),
            geo: Some(GeoQuery {
                georel: GeoRel::Near {
                    max_distance_m: Some(300.0),
                    min_distance_m: None,
                },
                geometry: Geometry::Point(centre),
                geoproperty: None,
            }),
            key_values,
            limit: Some(100),
            offset: Some(0),
            count: true,
            ..EntityQuery::default()
        };
        let uri = format!("{ENTITIES}?{}", query.to_query_string());
        let reply = demo.geojson(&uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
        let link = reply
            .headers
            .get(header::LINK)
            .and_then(|v| v.to_str().ok());
        let page = ngsi_ld::parse_feature_collection(&reply.body.to_string(), link)
            .expect("the contract crate reads the page");
        assert_eq!(page.features.len(), reply.count());
        assert!(!page.features.is_empty());
        for feature in &page.features {
            let at = feature.position().expect("a point");
            assert!(haversine_m((centre.lon, centre.lat), (at.lon, at.lat)) <= 300.0);
            assert_eq!(feature.entity.text("status").as_deref(), Some("ok"));
        }
    }
    let list = demo
        .get(
            &format!("{ENTITIES}?type=BikeHireDockingStation&limit=5"),
            None,
        )
        .await;
    let link = list.headers.get(header::LINK).and_then(|v| v.to_str().ok());
    let entities = ngsi_ld::parse_entities(&list.body.to_string(), link).expect("entities parse");
    assert_eq!(entities.len(), 5);
    assert!(
        entities
            .iter()
            .all(|e| e.number("availableBikeNumber").is_some())
    );
    let error = demo
        .get(&format!("{ENTITIES}?type=Streetlight&limit=5000"), None)
        .await;
    let problem = ngsi_ld::parse_problem(&error.body.to_string()).expect("problem parses");
    assert_eq!(problem.error_type.short_name(), "TooManyResults");
    assert_eq!(problem.http_status(), 403);
}

#[tokio::test]
async fn type_selections_combine_with_or_and_and_parentheses_or_are_invalid() {
    let demo = demo();
    let count = |reply: &Reply| {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.headers["NGSILD-Results-Count"]
            .to_str()
            .expect("ascii")
            .parse::<usize>()
            .expect("count")
    };
    let page = |types: &str| format!("{ENTITIES}?type={types}&limit=0&count=true");
    let lights = count(&demo.get(&page("Streetlight"), None).await);
    let bins = count(&demo.get(&page("WasteContainer"), None).await);
    assert!(lights > 0 && bins > 0);
    for either in [
        "Streetlight,WasteContainer",
        "Streetlight|WasteContainer",
        "(Streetlight|WasteContainer)",
    ] {
        assert_eq!(
            count(&demo.get(&page(either), None).await),
            lights + bins,
            "{either}"
        );
    }
    // An entity has one type: both at once is none; the same type twice is that type.
    assert_eq!(
        count(&demo.get(&page("Streetlight;WasteContainer"), None).await),
        0
    );
    assert_eq!(
        count(&demo.get(&page("Streetlight;Streetlight"), None).await),
        lights
    );
    assert_eq!(
        count(
            &demo
                .get(&page("(Streetlight;WasteContainer)|WasteContainer"), None)
                .await
        ),
        bins
    );
    for bad_types in [
        "Streetlight;",
        "(Streetlight",
        "Streetlight)",
        "Streetlight,,WasteContainer",
        "()",
    ] {
        demo.get(&page(bad_types), None)
            .await
            .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
    }
}

#[tokio::test]
async fn syntax_errors_are_invalid_request_and_unacceptable_data_bad_request_data() {
    let demo = demo();
    for syntax in [
        "type=Streetlight&q=status==%22ok",
        "type=Streetlight&q=(status==%22ok%22",
        "type=Streetlight&georel=near&geometry=Point&coordinates=[2,47]",
        "type=Streetlight&georel=within&geometry=Polygon&coordinates=nope",
        "type=Streetlight&count=maybe",
    ] {
        demo.get(&format!("{ENTITIES}?{syntax}"), None)
            .await
            .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
    }
    demo.get(&format!("{ENTITIES}?limit=5"), None)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    // An idPattern that is no regular expression is unacceptable data (ETSI 019_03_02).
    demo.get(&format!("{ENTITIES}?type=Streetlight&idPattern=("), None)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
}

#[tokio::test]
async fn full_iris_and_a_known_link_context_match_what_short_names_match() {
    let demo = demo();
    let short = demo
        .get(
            &format!(
                "{ENTITIES}?type=Streetlight&q=status==%22defectiveLamp%22&attrs=status&limit=50"
            ),
            None,
        )
        .await;
    assert_eq!(short.status, StatusCode::OK);
    assert!(!short.ids().is_empty());
    let link = "<https://smartdatamodels.org/context.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";
    let expanded = demo
        .get_with(
            &format!(
                "{ENTITIES}?type=https://smartdatamodels.org/dataModel.Streetlighting/Streetlight\
             &q=https://uri.etsi.org/ngsi-ld/status==%22defectiveLamp%22\
             &attrs=https://uri.etsi.org/ngsi-ld/status&limit=50"
            ),
            &[("Link", link)],
        )
        .await;
    assert_eq!(expanded.status, StatusCode::OK, "{}", expanded.body);
    assert_eq!(expanded.ids(), short.ids());
    assert_eq!(expanded.body, short.body);

    // A context the platform cannot know (it fetches none): LdContextNotAvailable.
    let unknown = demo
        .get_with(
        &format!("{ENTITIES}?type=Streetlight"),
        &[(
            "Link",
            "<https://example.org/my-context.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"",
        )],
    )
    .await;
    unknown.problem(StatusCode::SERVICE_UNAVAILABLE, "LdContextNotAvailable");
}

#[tokio::test]
async fn errors_are_contract_problem_details_and_405_is_not_operation_not_supported() {
    let demo = demo();
    let response = demo
        .router
        .clone()
        .oneshot(
            // POST creates entities now; PUT is not an NGSI-LD operation on the collection.
            Request::put(ENTITIES)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        quartier_api::ngsi_ld::PROBLEM_CONTENT_TYPE
    );
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let problem = quartier_api::ngsi_ld::ProblemDetails::parse_with_status(&text, 405)
        .expect("contract ProblemDetails");
    assert_ne!(
        problem.error_type,
        quartier_api::ngsi_ld::ErrorType::OperationNotSupported,
        "{text}"
    );
    assert_eq!(problem.status, Some(405));

    let reply = demo
        .get(&format!("{ENTITIES}?type=Streetlight&q=("), None)
        .await;
    let problem =
        quartier_api::ngsi_ld::ProblemDetails::parse_with_status(&reply.body.to_string(), 400)
            .expect("contract ProblemDetails");
    assert_eq!(
        problem.error_type,
        quartier_api::ngsi_ld::ErrorType::InvalidRequest
    );
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        quartier_api::ngsi_ld::PROBLEM_CONTENT_TYPE
    );
}
