//! NGSI-LD writes (ETSI GS CIM 009 v1.9) through `oneshot`: entities and attributes created,
//! changed and deleted by IoT agents' tokens, batches, the discovery reads, and what a write
//! does to the reads the map makes.

use std::time::{Duration, Instant};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
    response::Response,
};
use http_body_util::BodyExt;
use quartier_platform::{
    AppState, Settings, build_router,
    rate::{Per, Rate, nonzero},
    tokens::TokenAccount,
};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

const SDM: &str = "https://smartdatamodels.org/context.jsonld";
const CORE: &str = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
const LINK_REL: &str = "rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";
const LIGHTING: &str = "lighting-agent-token-0123456789abcdef0123";
const WASTE: &str = "waste-agent-token-0123456789abcdef0123456";
const DEMO_LIGHTING: &str = "quartier-demo-writer-lighting";

struct Platform {
    _dir: TempDir,
    router: Router,
}

/// A platform without the demo, with a lighting and a waste agent.
fn platform(adjust: impl FnOnce(&mut Settings)) -> Platform {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.ngsi_ld_writers = vec![
        TokenAccount::new("lighting", LIGHTING, &["Streetlight"]),
        TokenAccount::new("waste", WASTE, &["WasteContainer"]),
    ];
    adjust(&mut settings);
    Platform {
        router: build_router(AppState::new(settings).expect("state")),
        _dir: dir,
    }
}

fn demo() -> Platform {
    platform(|s| s.demo = true)
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl Reply {
    fn problem(&self, status: StatusCode, kind: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.body["type"],
            format!("https://uri.etsi.org/ngsi-ld/errors/{kind}"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        assert_eq!(self.headers[header::CONTENT_TYPE], "application/json");
    }

    fn count(&self) -> usize {
        self.headers["NGSILD-Results-Count"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("number")
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
}

impl Platform {
    async fn send(&self, request: Request<Body>) -> Reply {
        let response: Response = self
            .router
            .clone()
            .oneshot(request)
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
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A write with a JSON-LD body (or none) and the token, if any.
    async fn write(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/ld+json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }

    /// A write with a raw body of the given content type and extra headers.
    async fn raw(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(body.into()).expect("request")).await
    }

    async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    async fn geojson(&self, uri: &str) -> Reply {
        self.send(
            Request::get(uri)
                .header(header::ACCEPT, "application/geo+json")
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }
}

fn lamp(id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "type": "Streetlight",
        "status": {"type": "Property", "value": status},
        "powerState": {"type": "Property", "value": "on"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0.6, 47.4]}},
        "@context": [SDM, CORE],
    })
}

fn bin(id: &str) -> Value {
    json!({
        "id": id,
        "type": "WasteContainer",
        "fillingLevel": {"type": "Property", "value": 0.2},
        "@context": [SDM, CORE],
    })
}

#[tokio::test]
async fn create_answers_201_with_location_then_409_and_the_entity_reads_back() {
    let p = platform(|_| {});
    let id = "urn:ngsi-ld:Streetlight:W-1";
    for path in ["/ngsi-ld/v1/entities/", "/ngsi-ld/v1/entities"] {
        let created = p
            .write("POST", path, Some(LIGHTING), Some(lamp(id, "ok")))
            .await;
        if path.ends_with('/') {
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
            assert_eq!(
                created.headers[header::LOCATION],
                "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:W-1"
            );
        } else {
            created.problem(StatusCode::CONFLICT, "AlreadyExists");
        }
    }
    let read = p.get(&format!("/ngsi-ld/v1/entities/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["type"], "Streetlight");
    assert_eq!(read.body["status"]["value"], "ok");
    assert!(read.body.get("@context").is_none());

    let gone = p
        .write(
            "DELETE",
            &format!("/ngsi-ld/v1/entities/{id}"),
            Some(LIGHTING),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    p.get(&format!("/ngsi-ld/v1/entities/{id}"))
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    p.write(
        "DELETE",
        &format!("/ngsi-ld/v1/entities/{id}"),
        Some(LIGHTING),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
}

#[tokio::test]
async fn bad_entities_and_bodies_get_the_spec_s_errors() {
    let p = platform(|_| {});
    let post = "/ngsi-ld/v1/entities/";
    for (body, kind) in [
        (
            json!({"id": "not a uri", "type": "Streetlight", "@context": SDM}),
            "BadRequestData",
        ),
        (
            json!({"id": "Streetlight-1", "type": "Streetlight", "@context": SDM}),
            "BadRequestData",
        ),
        (
            json!({"id": "urn:ngsi-ld:Streetlight:2", "@context": SDM}),
            "BadRequestData",
        ),
        (
            json!({"type": "Streetlight", "@context": SDM}),
            "BadRequestData",
        ),
        (
            json!({"id": "urn:ngsi-ld:Streetlight:3", "type": "Streetlight",
                   "status": {"type": "Property"}, "@context": SDM}),
            "BadRequestData",
        ),
        (
            json!({"id": "urn:ngsi-ld:Streetlight:4", "type": "Streetlight",
                   "refGroup": {"type": "Relationship", "object": "not a uri"}, "@context": SDM}),
            "BadRequestData",
        ),
        (
            json!({"id": "urn:ngsi-ld:Streetlight:5", "type": "Streetlight"}),
            "BadRequestData",
        ),
    ] {
        p.write("POST", post, Some(LIGHTING), Some(body))
            .await
            .problem(StatusCode::BAD_REQUEST, kind);
    }
    let auth = format!("Bearer {LIGHTING}");
    p.raw(
        "POST",
        post,
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        "{not json",
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
    // A JSON body carries no @context; its context comes in a Link header.
    p.raw(
        "POST",
        post,
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        lamp("urn:ngsi-ld:Streetlight:6", "ok").to_string(),
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    p.raw(
        "POST",
        post,
        &[("content-type", "text/plain"), ("authorization", &auth)],
        "hello",
    )
    .await
    .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType");
    // Too large a body: refused before it is read whole.
    let big = format!(
        "{{\"id\":\"urn:a:b\",\"type\":\"Streetlight\",\"x\":\"{}\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let reply = p
        .raw(
            "POST",
            post,
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            big,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert!(
        reply.body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://uri.etsi.org/ngsi-ld/errors/")),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_json_body_takes_its_context_from_the_link_header_and_unknown_contexts_fail_fast() {
    let p = platform(|_| {});
    let auth = format!("Bearer {LIGHTING}");
    let mut entity = lamp("urn:ngsi-ld:Streetlight:L-1", "ok");
    entity.as_object_mut().expect("object").remove("@context");
    let link = format!("<{SDM}>; {LINK_REL}");
    let created = p
        .raw(
            "POST",
            "/ngsi-ld/v1/entities",
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
                ("link", &link),
            ],
            entity.to_string(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let remote = format!("<https://example.org/unknown-context.jsonld>; {LINK_REL}");
    entity["id"] = json!("urn:ngsi-ld:Streetlight:L-2");
    let started = Instant::now();
    p.raw(
        "POST",
        "/ngsi-ld/v1/entities",
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
            ("link", &remote),
        ],
        entity.to_string(),
    )
    .await
    .problem(StatusCode::SERVICE_UNAVAILABLE, "LdContextNotAvailable");
    let mut in_body = lamp("urn:ngsi-ld:Streetlight:L-3", "ok");
    in_body["@context"] = json!(["https://example.org/unknown-context.jsonld", CORE]);
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(LIGHTING),
        Some(in_body),
    )
    .await
    .problem(StatusCode::SERVICE_UNAVAILABLE, "LdContextNotAvailable");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "nothing is fetched: {:?}",
        started.elapsed()
    );
    p.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:L-2")
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
}

#[tokio::test]
async fn full_iris_and_short_names_are_the_same_entity_and_type() {
    let p = platform(|_| {});
    let long = json!({
        "id": "urn:ngsi-ld:Streetlight:IRI-1",
        "type": "https://smartdatamodels.org/dataModel.Streetlighting/Streetlight",
        "https://smartdatamodels.org/dataModel.Streetlighting/status": {"type": "Property", "value": "ok"},
        "@context": CORE,
    });
    let created = p
        .write("POST", "/ngsi-ld/v1/entities", Some(LIGHTING), Some(long))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // The same id under short names is the same entity.
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(LIGHTING),
        Some(lamp("urn:ngsi-ld:Streetlight:IRI-1", "ok")),
    )
    .await
    .problem(StatusCode::CONFLICT, "AlreadyExists");
    let short = p
        .write(
            "POST",
            "/ngsi-ld/v1/entities",
            Some(LIGHTING),
            Some(lamp("urn:ngsi-ld:Streetlight:IRI-2", "ok")),
        )
        .await;
    assert_eq!(short.status, StatusCode::CREATED);
    let by_short = p
        .get("/ngsi-ld/v1/entities?type=Streetlight&q=status==%22ok%22")
        .await;
    assert_eq!(
        by_short.ids(),
        [
            "urn:ngsi-ld:Streetlight:IRI-1",
            "urn:ngsi-ld:Streetlight:IRI-2"
        ]
    );
    let by_iri = p
        .get("/ngsi-ld/v1/entities?type=https%3A%2F%2Fsmartdatamodels.org%2FdataModel.Streetlighting%2FStreetlight")
        .await;
    assert_eq!(by_iri.ids(), by_short.ids());
    let read = p
        .get("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:IRI-1")
        .await;
    assert_eq!(read.body["type"], "Streetlight");
    assert_eq!(read.body["status"]["value"], "ok");
    // An inline context defining its own term for the same IRI.
    let inline = json!({
        "id": "urn:ngsi-ld:Streetlight:IRI-3",
        "type": "Lamp",
        "state": {"value": "ok"},
        "@context": [{"Lamp": "https://smartdatamodels.org/dataModel.Streetlighting/Streetlight",
                      "state": "https://smartdatamodels.org/dataModel.Streetlighting/status"}, CORE],
    });
    let created = p
        .write("POST", "/ngsi-ld/v1/entities", Some(LIGHTING), Some(inline))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let read = p
        .get("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:IRI-3")
        .await;
    assert_eq!(read.body["type"], "Streetlight");
    assert_eq!(
        read.body["status"],
        json!({"type": "Property", "value": "ok"})
    );
}

#[tokio::test]
async fn attributes_are_appended_updated_and_deleted() {
    let p = platform(|_| {});
    let id = "urn:ngsi-ld:Streetlight:A-1";
    let attrs = format!("/ngsi-ld/v1/entities/{id}/attrs");
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(LIGHTING),
        Some(lamp(id, "ok")),
    )
    .await;
    let ctx = json!([SDM, CORE]);

    let appended = p
        .write(
            "POST",
            &attrs,
            Some(LIGHTING),
            Some(json!({"illuminanceLevel": {"type": "Property", "value": 0.8}, "@context": ctx})),
        )
        .await;
    assert_eq!(appended.status, StatusCode::NO_CONTENT, "{}", appended.body);
    let kept = p
        .write(
            "POST",
            &format!("{attrs}?options=noOverwrite"),
            Some(LIGHTING),
            Some(json!({"status": {"type": "Property", "value": "broken"},
                        "lampBrand": "Lumen", "@context": ctx})),
        )
        .await;
    assert_eq!(kept.status, StatusCode::MULTI_STATUS);
    assert_eq!(kept.body["updated"], json!(["lampBrand"]));
    assert_eq!(kept.body["notUpdated"][0]["attributeName"], "status");
    assert!(kept.body["notUpdated"][0]["reason"].is_string());

    let updated = p
        .write(
            "PATCH",
            &attrs,
            Some(LIGHTING),
            Some(
                json!({"status": {"type": "Property", "value": "defectiveLamp"}, "@context": ctx}),
            ),
        )
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT, "{}", updated.body);
    let partly = p
        .write(
            "PATCH",
            &attrs,
            Some(LIGHTING),
            Some(json!({"powerState": "off", "nothingLikeThis": 1, "@context": ctx})),
        )
        .await;
    assert_eq!(partly.status, StatusCode::MULTI_STATUS);
    assert_eq!(partly.body["updated"], json!(["powerState"]));
    assert_eq!(
        partly.body["notUpdated"][0]["attributeName"],
        "nothingLikeThis"
    );

    let patched = p
        .write(
            "PATCH",
            &format!("{attrs}/illuminanceLevel"),
            Some(LIGHTING),
            Some(json!({"value": 0.3, "@context": ctx})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);
    p.write(
        "PATCH",
        &format!("{attrs}/missing"),
        Some(LIGHTING),
        Some(json!({"value": 1, "@context": ctx})),
    )
    .await
    .problem(StatusCode::NOT_FOUND, "ResourceNotFound");

    let read = p.get(&format!("/ngsi-ld/v1/entities/{id}")).await;
    assert_eq!(read.body["status"]["value"], "defectiveLamp");
    assert_eq!(
        read.body["powerState"],
        json!({"type": "Property", "value": "off"})
    );
    assert_eq!(read.body["illuminanceLevel"]["value"], 0.3);
    assert_eq!(read.body["lampBrand"]["value"], "Lumen");

    let removed = p
        .write(
            "DELETE",
            &format!("{attrs}/lampBrand"),
            Some(LIGHTING),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    p.write(
        "DELETE",
        &format!("{attrs}/lampBrand"),
        Some(LIGHTING),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    p.write(
        "PATCH",
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:none/attrs",
        Some(LIGHTING),
        Some(json!({"status": "ok", "@context": ctx})),
    )
    .await
    .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    let read = p.get(&format!("/ngsi-ld/v1/entities/{id}")).await;
    assert!(read.body.get("lampBrand").is_none());
}

#[tokio::test]
async fn anonymous_and_resident_writes_are_refused_and_tokens_keep_to_their_types() {
    let p = demo();
    let post = "/ngsi-ld/v1/entities";
    let anonymous = p
        .write(
            "POST",
            post,
            None,
            Some(lamp("urn:ngsi-ld:Streetlight:X-1", "ok")),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers.contains_key(header::WWW_AUTHENTICATE));
    assert_eq!(anonymous.body["status"], 401);
    assert_eq!(anonymous.body["type"], "about:blank");
    assert!(
        anonymous.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Bearer")),
        "{}",
        anonymous.body
    );
    assert_eq!(anonymous.headers[header::CONTENT_TYPE], "application/json");
    let wrong = p
        .write(
            "POST",
            post,
            Some("not-a-token-of-this-platform-0123456789"),
            Some(lamp("urn:ngsi-ld:Streetlight:X-1", "ok")),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // A signed-in resident is known, and may not write.
    let signed_in = p
        .raw(
            "POST",
            "/api/v1/session",
            &[("content-type", "application/json")],
            json!({"email": "camille.martin@example.org", "password": "quartier-demo"}).to_string(),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let cookie = signed_in.headers[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let resident = p
        .raw(
            "POST",
            post,
            &[("content-type", "application/ld+json"), ("cookie", &cookie)],
            lamp("urn:ngsi-ld:Streetlight:X-1", "ok").to_string(),
        )
        .await;
    assert_eq!(resident.status, StatusCode::FORBIDDEN, "{}", resident.body);
    assert_eq!(resident.body["status"], 403);

    // The demo's waste agent cannot write a Streetlight, new or existing.
    let waste = "quartier-demo-writer-waste";
    let out_of_scope = p
        .write(
            "POST",
            post,
            Some(waste),
            Some(lamp("urn:ngsi-ld:Streetlight:X-1", "ok")),
        )
        .await;
    assert_eq!(out_of_scope.status, StatusCode::FORBIDDEN);
    assert_eq!(out_of_scope.body["type"], "about:blank");
    assert!(
        out_of_scope.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Streetlight")),
        "{}",
        out_of_scope.body
    );
    let demo_lamp = "urn:ngsi-ld:Streetlight:BSL-000001";
    for (method, uri, body) in [
        ("DELETE", format!("/ngsi-ld/v1/entities/{demo_lamp}"), None),
        (
            "PATCH",
            format!("/ngsi-ld/v1/entities/{demo_lamp}/attrs"),
            Some(json!({"status": "defectiveLamp", "@context": SDM})),
        ),
        (
            "PATCH",
            format!("/ngsi-ld/v1/entities/{demo_lamp}/attrs/status"),
            Some(json!({"value": "defectiveLamp", "@context": SDM})),
        ),
        (
            "DELETE",
            format!("/ngsi-ld/v1/entities/{demo_lamp}/attrs/status"),
            None,
        ),
    ] {
        let reply = p.write(method, &uri, Some(waste), body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {uri}");
        let anonymous = p
            .write(
                method,
                &uri,
                None,
                Some(json!({"status": "x", "@context": SDM})),
            )
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
    }
    assert_eq!(
        p.get(&format!("/ngsi-ld/v1/entities/{demo_lamp}"))
            .await
            .status,
        StatusCode::OK
    );
    let bin = p
        .write(
            "POST",
            post,
            Some(waste),
            Some(bin("urn:ngsi-ld:WasteContainer:X-2")),
        )
        .await;
    assert_eq!(bin.status, StatusCode::CREATED, "{}", bin.body);
}

#[tokio::test]
async fn a_write_is_seen_at_once_by_the_reads_the_map_makes() {
    let p = demo();
    let layer = "/ngsi-ld/v1/entities?type=Streetlight&options=keyValues&limit=0&count=true";
    let defective =
        "/ngsi-ld/v1/entities?type=Streetlight&q=status==%22defectiveLamp%22&limit=0&count=true";
    let near = "/ngsi-ld/v1/entities?type=Streetlight&options=keyValues&georel=near;maxDistance==30&geometry=Point&coordinates=[0.60001,47.40001]&count=true";
    let before = (
        p.geojson(layer).await.count(),
        p.geojson(defective).await.count(),
    );
    let id = "urn:ngsi-ld:Streetlight:LIVE-1";
    let created = p
        .write(
            "POST",
            "/ngsi-ld/v1/entities",
            Some(DEMO_LIGHTING),
            Some(lamp(id, "ok")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(p.geojson(layer).await.count(), before.0 + 1);
    let nearby = p.geojson(near).await;
    assert!(nearby.ids().contains(&id.to_owned()), "{:?}", nearby.ids());
    let feature = nearby.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["id"] == id)
        .expect("the new lamp")
        .clone();
    assert_eq!(feature["geometry"]["coordinates"], json!([0.6, 47.4]));
    assert_eq!(feature["properties"]["status"], "ok");

    // A lamp fails: the layer's status filter (through the value index) sees it.
    let failed = p
        .write(
            "PATCH",
            &format!("/ngsi-ld/v1/entities/{id}/attrs/status"),
            Some(DEMO_LIGHTING),
            Some(json!({"value": "defectiveLamp", "@context": SDM})),
        )
        .await;
    assert_eq!(failed.status, StatusCode::NO_CONTENT, "{}", failed.body);
    assert_eq!(p.geojson(defective).await.count(), before.1 + 1);

    // It moves: the R*Tree follows.
    let moved = p
        .write(
            "PATCH",
            &format!("/ngsi-ld/v1/entities/{id}/attrs"),
            Some(DEMO_LIGHTING),
            Some(json!({"location": {"type": "GeoProperty",
                         "value": {"type": "Point", "coordinates": [0.7, 47.5]}}, "@context": SDM})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.body);
    assert!(!p.geojson(near).await.ids().contains(&id.to_owned()));

    let deleted = p
        .write(
            "DELETE",
            &format!("/ngsi-ld/v1/entities/{id}"),
            Some(DEMO_LIGHTING),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(p.geojson(layer).await.count(), before.0);
    assert_eq!(p.geojson(defective).await.count(), before.1);
}

#[tokio::test]
async fn batches_answer_per_entity() {
    let p = platform(|_| {});
    let ops = "/ngsi-ld/v1/entityOperations";
    let all_new = p
        .write(
            "POST",
            &format!("{ops}/create"),
            Some(LIGHTING),
            Some(json!([
                lamp("urn:ngsi-ld:Streetlight:B-1", "ok"),
                lamp("urn:ngsi-ld:Streetlight:B-2", "ok")
            ])),
        )
        .await;
    assert_eq!(all_new.status, StatusCode::CREATED, "{}", all_new.body);
    assert_eq!(
        all_new.body,
        json!(["urn:ngsi-ld:Streetlight:B-1", "urn:ngsi-ld:Streetlight:B-2"])
    );
    let mixed = p
        .write(
            "POST",
            &format!("{ops}/create"),
            Some(LIGHTING),
            Some(json!([
                lamp("urn:ngsi-ld:Streetlight:B-1", "ok"),
                lamp("urn:ngsi-ld:Streetlight:B-3", "ok"),
                {"id": "bad id", "type": "Streetlight", "@context": SDM},
                bin("urn:ngsi-ld:WasteContainer:B-4"),
            ])),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::MULTI_STATUS, "{}", mixed.body);
    assert_eq!(
        mixed.body["success"],
        json!(["urn:ngsi-ld:Streetlight:B-3"])
    );
    let errors = mixed.body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 3, "{}", mixed.body);
    let error_of = |id: &str| {
        errors
            .iter()
            .find(|e| e["entityId"] == id)
            .unwrap_or_else(|| panic!("{id}: {}", mixed.body))["error"]
            .clone()
    };
    assert_eq!(
        error_of("urn:ngsi-ld:Streetlight:B-1")["type"],
        "https://uri.etsi.org/ngsi-ld/errors/AlreadyExists"
    );
    assert_eq!(
        error_of("bad id")["type"],
        "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    );
    assert_eq!(error_of("urn:ngsi-ld:WasteContainer:B-4")["status"], 403);
    p.get("/ngsi-ld/v1/entities/urn:ngsi-ld:WasteContainer:B-4")
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");

    // Upsert: one new (201 with the ids created), then only existing ones (204).
    let upsert = p
        .write(
            "POST",
            &format!("{ops}/upsert"),
            Some(LIGHTING),
            Some(json!([
                lamp("urn:ngsi-ld:Streetlight:B-1", "defectiveLamp"),
                lamp("urn:ngsi-ld:Streetlight:B-5", "ok")
            ])),
        )
        .await;
    assert_eq!(upsert.status, StatusCode::CREATED, "{}", upsert.body);
    assert_eq!(upsert.body, json!(["urn:ngsi-ld:Streetlight:B-5"]));
    let again = p
        .write(
            "POST",
            &format!("{ops}/upsert?options=update"),
            Some(LIGHTING),
            Some(
                json!([{"id": "urn:ngsi-ld:Streetlight:B-5", "type": "Streetlight",
                         "lampBrand": "Lumen", "@context": SDM}]),
            ),
        )
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT, "{}", again.body);
    let b5 = p
        .get("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:B-5")
        .await;
    assert_eq!(b5.body["lampBrand"]["value"], "Lumen");
    assert_eq!(b5.body["status"]["value"], "ok", "update keeps the rest");
    let b1 = p
        .get("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:B-1")
        .await;
    assert_eq!(b1.body["status"]["value"], "defectiveLamp");

    // Update: existing entities only.
    let update = p
        .write(
            "POST",
            &format!("{ops}/update"),
            Some(LIGHTING),
            Some(json!([
                {"id": "urn:ngsi-ld:Streetlight:B-2", "type": "Streetlight", "status": "broken", "@context": SDM},
                {"id": "urn:ngsi-ld:Streetlight:B-9", "type": "Streetlight", "status": "broken", "@context": SDM},
            ])),
        )
        .await;
    assert_eq!(update.status, StatusCode::MULTI_STATUS, "{}", update.body);
    assert_eq!(
        update.body["success"],
        json!(["urn:ngsi-ld:Streetlight:B-2"])
    );
    assert_eq!(
        update.body["errors"][0]["entityId"],
        "urn:ngsi-ld:Streetlight:B-9"
    );
    assert_eq!(
        update.body["errors"][0]["error"]["type"],
        "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"
    );

    // Delete.
    let delete = p
        .write(
            "POST",
            &format!("{ops}/delete"),
            Some(LIGHTING),
            Some(json!([
                "urn:ngsi-ld:Streetlight:B-1",
                "urn:ngsi-ld:Streetlight:B-9"
            ])),
        )
        .await;
    assert_eq!(delete.status, StatusCode::MULTI_STATUS, "{}", delete.body);
    assert_eq!(
        delete.body["success"],
        json!(["urn:ngsi-ld:Streetlight:B-1"])
    );
    let all = p
        .write(
            "POST",
            &format!("{ops}/delete"),
            Some(LIGHTING),
            Some(json!([
                "urn:ngsi-ld:Streetlight:B-2",
                "urn:ngsi-ld:Streetlight:B-3"
            ])),
        )
        .await;
    assert_eq!(all.status, StatusCode::NO_CONTENT, "{}", all.body);
    let left = p.get("/ngsi-ld/v1/entities?type=Streetlight").await;
    assert_eq!(left.ids(), ["urn:ngsi-ld:Streetlight:B-5"]);
    // Batches need a token too.
    let anonymous = p
        .write(
            "POST",
            &format!("{ops}/delete"),
            None,
            Some(json!(["urn:ngsi-ld:Streetlight:B-5"])),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_query_body_is_answered_as_get_entities() {
    let p = platform(|_| {});
    for (i, status) in ["ok", "defectiveLamp", "ok"].iter().enumerate() {
        p.write(
            "POST",
            "/ngsi-ld/v1/entities",
            Some(LIGHTING),
            Some(lamp(&format!("urn:ngsi-ld:Streetlight:Q-{i}"), status)),
        )
        .await;
    }
    let get = p
        .get("/ngsi-ld/v1/entities?type=Streetlight&q=status==%22ok%22&attrs=status&count=true")
        .await;
    let post = p
        .write(
            "POST",
            "/ngsi-ld/v1/entityOperations/query?count=true",
            None,
            Some(
                json!({"type": "Query", "entities": [{"type": "Streetlight"}],
                        "q": "status==\"ok\"", "attrs": ["status"], "@context": [SDM, CORE]}),
            ),
        )
        .await;
    assert_eq!(post.status, StatusCode::OK, "{}", post.body);
    assert_eq!(post.body, get.body);
    assert_eq!(post.count(), 2);
    let geo = p
        .write(
            "POST",
            "/ngsi-ld/v1/entityOperations/query",
            None,
            Some(json!({"type": "Query", "entities": [{"type": "Streetlight", "idPattern": ".*Q-[01]$"}],
                        "geoQ": {"georel": "near;maxDistance==100", "geometry": "Point",
                                 "coordinates": [0.6, 47.4]},
                        "@context": [SDM, CORE]})),
        )
        .await;
    assert_eq!(
        geo.ids(),
        ["urn:ngsi-ld:Streetlight:Q-0", "urn:ngsi-ld:Streetlight:Q-1"]
    );
    p.write(
        "POST",
        "/ngsi-ld/v1/entityOperations/query",
        None,
        Some(json!({"type": "Subscription", "@context": SDM})),
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    p.write(
        "POST",
        "/ngsi-ld/v1/entityOperations/query",
        None,
        Some(json!({"type": "Query", "q": "status==", "@context": SDM})),
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
}

#[tokio::test]
async fn attributes_and_types_are_described() {
    let p = platform(|_| {});
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(LIGHTING),
        Some(lamp("urn:ngsi-ld:Streetlight:D-1", "ok")),
    )
    .await;
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(LIGHTING),
        Some(lamp("urn:ngsi-ld:Streetlight:D-2", "ok")),
    )
    .await;
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(WASTE),
        Some(bin("urn:ngsi-ld:WasteContainer:D-3")),
    )
    .await;
    let list = p.get("/ngsi-ld/v1/attributes").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["type"], "AttributeList");
    assert_eq!(
        list.body["attributeList"],
        json!(["fillingLevel", "location", "powerState", "status"])
    );
    let status = p.get("/ngsi-ld/v1/attributes/status").await;
    assert_eq!(
        status.body,
        json!({"id": "https://uri.etsi.org/ngsi-ld/default-context/status", "type": "Attribute",
               "attributeName": "status",
               "attributeCount": 2, "attributeTypes": ["Property"], "typeNames": ["Streetlight"]})
    );
    let details = p.get("/ngsi-ld/v1/attributes?details=true").await;
    assert_eq!(details.body.as_array().expect("list").len(), 4);
    p.get("/ngsi-ld/v1/attributes/nothing")
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    let lamp_type = p.get("/ngsi-ld/v1/types/Streetlight").await;
    assert_eq!(lamp_type.status, StatusCode::OK, "{}", lamp_type.body);
    assert_eq!(lamp_type.body["type"], "EntityTypeInfo");
    assert_eq!(lamp_type.body["typeName"], "Streetlight");
    assert_eq!(lamp_type.body["entityCount"], 2);
    let names: Vec<&str> = lamp_type.body["attributeDetails"]
        .as_array()
        .expect("details")
        .iter()
        .map(|a| a["attributeName"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["location", "powerState", "status"]);
    assert_eq!(
        lamp_type.body["attributeDetails"][0]["attributeTypes"],
        json!(["GeoProperty"])
    );
    let by_iri = p
        .get("/ngsi-ld/v1/types/https%3A%2F%2Fsmartdatamodels.org%2FdataModel.Streetlighting%2FStreetlight")
        .await;
    assert_eq!(by_iri.body, lamp_type.body);
    p.get("/ngsi-ld/v1/types/Nothing")
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    let ld = p
        .send(
            Request::get("/ngsi-ld/v1/types/Streetlight")
                .header(header::ACCEPT, "application/ld+json")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(ld.body.get("@context").is_some());
}

#[tokio::test]
async fn writes_count_against_their_agent_s_rate_and_others_against_the_client_s() {
    let p = platform(|s| {
        s.anonymous_rate = Rate::new(nonzero(1), Per::Minute).with_burst(nonzero(2));
        s.writer_rate = Rate::new(nonzero(1), Per::Minute).with_burst(nonzero(3));
    });
    // An agent has its own rate, beyond what the client's address may make anonymously.
    for i in 0..3 {
        let reply = p
            .write(
                "POST",
                "/ngsi-ld/v1/entities",
                Some(LIGHTING),
                Some(lamp(&format!("urn:ngsi-ld:Streetlight:R-{i}"), "ok")),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{i}: {}", reply.body);
    }
    let limited = p
        .write(
            "POST",
            "/ngsi-ld/v1/entities",
            Some(LIGHTING),
            Some(lamp("urn:ngsi-ld:Streetlight:R-3", "ok")),
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(limited.body["status"], 429);
    p.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:R-3")
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    // Another agent is not held up by the first.
    let other = p
        .write(
            "POST",
            "/ngsi-ld/v1/entities",
            Some(WASTE),
            Some(bin("urn:ngsi-ld:WasteContainer:R-4")),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED);
    // Without a valid token a write is the client's, counted before anything else is read:
    // the GET above took one of its two, the first anonymous write the other.
    let reply = p
        .write(
            "DELETE",
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:R-0",
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    for token in [None, Some("not-a-token-of-this-platform-0123456789")] {
        let reply = p
            .write(
                "DELETE",
                "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:R-0",
                token,
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{token:?}");
    }
    // The agents' writes are counted on their own rates: the waste agent is answered (out of
    // its scope), not refused for the client's.
    let kept = p
        .write(
            "DELETE",
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:R-0",
            Some(WASTE),
            None,
        )
        .await;
    assert_eq!(
        kept.status,
        StatusCode::FORBIDDEN,
        "out of scope, yet not rate-limited"
    );
}

#[tokio::test]
async fn agents_write_while_anonymous_reads_fill_the_area() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.ngsi_ld_writers = vec![TokenAccount::new("lighting", LIGHTING, &["Streetlight"])];
    settings.anonymous_at_once = 1;
    settings.busy_wait = Duration::from_millis(50);
    let state = AppState::new(settings).expect("state");
    let limits = state.limits.clone();
    let p = Platform {
        router: build_router(state),
        _dir: dir,
    };
    let _held = limits.ngsi_ld.hold().await.expect("place");
    let read = p.get("/ngsi-ld/v1/entities?type=Streetlight").await;
    assert_eq!(read.status, StatusCode::SERVICE_UNAVAILABLE);
    let write = p
        .write(
            "POST",
            "/ngsi-ld/v1/entities",
            Some(LIGHTING),
            Some(lamp("urn:ngsi-ld:Streetlight:F-1", "ok")),
        )
        .await;
    assert_eq!(write.status, StatusCode::CREATED, "{}", write.body);
    let anonymous = p
        .write(
            "DELETE",
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:F-1",
            None,
            None,
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn open_writes_let_anyone_write_and_never_with_the_demo() {
    let p = platform(|s| s.open_writes = true);
    let created = p
        .write(
            "POST",
            "/ngsi-ld/v1/entities/",
            None,
            Some(bin("urn:ngsi-ld:WasteContainer:O-1")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        demo: true,
        open_writes: true,
        ..Settings::new(dir.path().join("data"), dir.path().join("dist"))
    };
    let refused = AppState::new(settings).expect_err("refused");
    assert!(refused.to_string().contains("--open-writes"), "{refused}");
}

/// A context document the platform was started with (`--jsonld-context URL=FILE`), as the
/// ETSI suite's are: served on loopback, never fetched.
const SUITE_CONTEXT: &str = "http://127.0.0.1:18090/suite-compound.jsonld";
const SUITE_TERMS: &str = "http://127.0.0.1:18090/suite.jsonld";

fn with_suite_contexts(settings: &mut Settings) {
    settings.open_writes = true;
    let mut documents = quartier_api::ngsi_ld::ContextDocuments::default();
    documents
        .add(
            SUITE_TERMS,
            r#"{"@context": {"Building": "https://suite.example/context#Building",
                             "name": "https://suite.example/context#name"}}"#,
        )
        .expect("terms");
    documents
        .add(
            SUITE_CONTEXT,
            &json!({"@context": [SUITE_TERMS, CORE]}).to_string(),
        )
        .expect("compound");
    settings.jsonld_contexts = documents;
}

#[tokio::test]
async fn a_known_context_document_expands_on_write_and_compacts_on_read() {
    let p = platform(with_suite_contexts);
    let link = format!("<{SUITE_CONTEXT}>; {LINK_REL}");
    let created = p
        .raw(
            "POST",
            "/ngsi-ld/v1/entities/",
            &[("content-type", "application/json"), ("link", &link)],
            json!({"id": "urn:ngsi-ld:Building:B1", "type": "Building",
                   "name": {"type": "Property", "value": "Eiffel Tower"},
                   "floors": {"type": "Property", "value": 3}})
            .to_string(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // Without a context: full IRIs, and the core context.
    let plain = p
        .raw(
            "GET",
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:B1",
            &[("accept", "application/ld+json")],
            Body::empty(),
        )
        .await;
    assert_eq!(
        plain.body,
        json!({"id": "urn:ngsi-ld:Building:B1", "type": "https://suite.example/context#Building",
               "https://suite.example/context#name": {"type": "Property", "value": "Eiffel Tower"},
               "floors": {"type": "Property", "value": 3},
               "@context": [CORE]})
    );
    // With the context: its terms, and the same context echoed (body or Link).
    let compact = p
        .raw(
            "GET",
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:B1",
            &[("accept", "application/ld+json"), ("link", &link)],
            Body::empty(),
        )
        .await;
    assert_eq!(compact.body["type"], "Building");
    assert_eq!(compact.body["name"]["value"], "Eiffel Tower");
    assert_eq!(compact.body["@context"], SUITE_CONTEXT);
    let as_json = p
        .raw(
            "GET",
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:B1",
            &[("link", &link)],
            Body::empty(),
        )
        .await;
    assert_eq!(as_json.body["type"], "Building");
    assert_eq!(
        as_json.headers[header::LINK].to_str().expect("ascii"),
        format!("<{SUITE_CONTEXT}>; {LINK_REL}")
    );
    // A query by short name under the context and one by full IRI find the same entity.
    let by_term = p
        .raw(
            "GET",
            "/ngsi-ld/v1/entities?type=Building&attrs=name",
            &[("link", &link)],
            Body::empty(),
        )
        .await;
    assert_eq!(by_term.ids(), ["urn:ngsi-ld:Building:B1"]);
    assert!(by_term.body[0].get("floors").is_none(), "{}", by_term.body);
    let by_iri = p
        .get("/ngsi-ld/v1/entities?type=https%3A%2F%2Fsuite.example%2Fcontext%23Building")
        .await;
    assert_eq!(by_iri.ids(), by_term.ids());
    // The short name without the context is another type.
    let other = p.get("/ngsi-ld/v1/entities?type=Building").await;
    assert_eq!(other.ids(), Vec::<String>::new());
    // Discovery: compacted names under the context, full IRIs as ids.
    let types = p
        .raw(
            "GET",
            "/ngsi-ld/v1/types",
            &[("link", &link)],
            Body::empty(),
        )
        .await;
    assert_eq!(types.body["typeList"], json!(["Building"]));
    let plain_types = p.get("/ngsi-ld/v1/types").await;
    assert_eq!(
        plain_types.body["typeList"],
        json!(["https://suite.example/context#Building"])
    );
    let info = p
        .raw(
            "GET",
            "/ngsi-ld/v1/types/Building",
            &[("link", &link)],
            Body::empty(),
        )
        .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    assert_eq!(info.body["id"], "https://suite.example/context#Building");
    assert_eq!(info.body["typeName"], "Building");
    p.get("/ngsi-ld/v1/types/Building")
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    // Any other remote context is still 503, at once.
    let remote = format!("<http://127.0.0.1:18090/unknown.jsonld>; {LINK_REL}");
    p.raw(
        "GET",
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:B1",
        &[("link", &remote)],
        Body::empty(),
    )
    .await
    .problem(StatusCode::SERVICE_UNAVAILABLE, "LdContextNotAvailable");
}

#[tokio::test]
async fn pick_and_omit_shape_entities_and_bad_reads_get_the_spec_s_errors() {
    let p = platform(with_suite_contexts);
    let link = format!("<{SUITE_CONTEXT}>; {LINK_REL}");
    let create = |id: &'static str| {
        json!({"id": id, "type": "Building",
               "name": {"type": "Property", "value": "Eiffel Tower"},
               "floors": {"type": "Property", "value": 3}})
        .to_string()
    };
    for id in ["urn:ngsi-ld:Building:P1", "urn:ngsi-ld:Building:P2"] {
        let created = p
            .raw(
                "POST",
                "/ngsi-ld/v1/entities/",
                &[("content-type", "application/json"), ("link", &link)],
                create(id),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let read = |uri: String| {
        let link = link.clone();
        let p = &p;
        async move { p.raw("GET", &uri, &[("link", &link)], Body::empty()).await }
    };
    let one = "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:P1";
    assert_eq!(
        read(format!("{one}?pick=name")).await.body,
        json!({"name": {"type": "Property", "value": "Eiffel Tower"}})
    );
    assert_eq!(
        read(format!("{one}?pick=id")).await.body,
        json!({"id": "urn:ngsi-ld:Building:P1"})
    );
    assert_eq!(
        read(format!("{one}?omit=type,name")).await.body,
        json!({"id": "urn:ngsi-ld:Building:P1", "floors": {"type": "Property", "value": 3}})
    );
    let listed = read("/ngsi-ld/v1/entities?type=Building&pick=id,floors".into()).await;
    assert_eq!(
        listed.body,
        json!([{"id": "urn:ngsi-ld:Building:P1", "floors": {"type": "Property", "value": 3}},
               {"id": "urn:ngsi-ld:Building:P2", "floors": {"type": "Property", "value": 3}}])
    );
    // Nothing left to show: 404.
    read(format!("{one}?pick=unknown"))
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    read(format!("{one}?attrs=unknown"))
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    for bad in [
        "pick=name&omit=name",
        "pick=name&attrs=name",
        "pick=id;name",
        "pick=id,locatedAt%7Bname",
        "pick=id,,name",
        "pick=id,locatedAt%7B%7D",
    ] {
        read(format!("{one}?{bad}"))
            .await
            .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    }
    // Unknown options and formats are refused before the entity is looked up.
    for bad in [
        "options=invalid",
        "options=keyValues,invalid",
        "format=invalid",
    ] {
        p.get(&format!(
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:none?{bad}"
        ))
        .await
        .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
    }
    for bad in [
        "type=Building&id=notauri",
        "type=Building&idPattern=a**",
        "attrs=id,type",
        "id=urn:ngsi-ld:Building:P1",
        "type=Building&georel=invalid&geometry=Point&coordinates=%5B1,2%5D",
    ] {
        p.get(&format!("/ngsi-ld/v1/entities?{bad}"))
            .await
            .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    }
}

#[tokio::test]
async fn join_shows_linked_entities_inline_or_flat_to_the_join_level() {
    let p = platform(with_suite_contexts);
    let link = format!("<{SUITE_CONTEXT}>; {LINK_REL}");
    for body in [
        json!({"id": "urn:ngsi-ld:Building:J1", "type": "Building",
               "locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"}}),
        json!({"id": "urn:ngsi-ld:City:Paris", "type": "City",
               "label": {"type": "Property", "value": "Paris"},
               "isIn": {"type": "Relationship", "object": "urn:ngsi-ld:Country:France"}}),
        json!({"id": "urn:ngsi-ld:Country:France", "type": "Country"}),
    ] {
        let created = p
            .raw(
                "POST",
                "/ngsi-ld/v1/entities/",
                &[("content-type", "application/json"), ("link", &link)],
                body.to_string(),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let one = "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:J1";
    let inline = p.get(&format!("{one}?join=inline")).await;
    assert_eq!(
        inline.body["locatedAt"]["entity"]["label"]["value"], "Paris",
        "{}",
        inline.body
    );
    assert!(
        inline.body["locatedAt"]["entity"]["isIn"]
            .get("entity")
            .is_none()
    );
    let deep = p
        .get(&format!("{one}?join=inline&joinLevel=2&options=keyValues"))
        .await;
    assert_eq!(
        deep.body["locatedAt"]["isIn"]["id"],
        "urn:ngsi-ld:Country:France"
    );
    let flat = p
        .get(&format!(
            "{one}?join=flat&joinLevel=2&pick=id,locatedAt%7Bid,label%7D"
        ))
        .await;
    assert_eq!(
        flat.body,
        json!([
            {"id": "urn:ngsi-ld:Building:J1",
             "locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"}},
            {"id": "urn:ngsi-ld:City:Paris", "label": {"type": "Property", "value": "Paris"}},
        ])
    );
    let omitted = p
        .get(&format!("{one}?join=inline&omit=type,locatedAt%7Blabel%7D"))
        .await;
    assert!(omitted.body.get("type").is_none());
    assert!(omitted.body["locatedAt"]["entity"].get("label").is_none());
    assert_eq!(omitted.body["locatedAt"]["entity"]["type"], "City");
    let listed = p
        .get("/ngsi-ld/v1/entities?type=Country,City&join=flat")
        .await;
    assert_eq!(
        listed.ids(),
        ["urn:ngsi-ld:City:Paris", "urn:ngsi-ld:Country:France"]
    );
    p.get(&format!("{one}?join=sideways"))
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
}

#[tokio::test]
async fn lang_geometry_property_local_and_query_bodies_read_as_the_spec_says() {
    let p = platform(with_suite_contexts);
    for body in [
        json!({"id": "urn:ngsi-ld:Building:L1", "type": "Building",
               "street": {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"}},
               "locatedIn": {"type": "Relationship", "object": "urn:ngsi-ld:City:Pisa"},
               "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.0, 2.0]}},
               "entrance": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [3.0, 4.0]}}}),
        json!({"id": "urn:ngsi-ld:City:Pisa", "type": "City"}),
    ] {
        let created = p
            .raw(
                "POST",
                "/ngsi-ld/v1/entities/",
                &[("content-type", "application/json")],
                body.to_string(),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let one = "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:L1";
    for lang in ["fr", "fr-CH,fr", "*", "fr-CH,fr;q=0.9,en;q=0.8,*;q=0.5"] {
        let read = p.get(&format!("{one}?lang={lang}")).await;
        assert_eq!(
            read.body["street"],
            json!({"type": "Property", "value": "Grand Place", "lang": "fr"}),
            "{lang}"
        );
    }
    let nl = p.get(&format!("{one}?lang=nl&options=keyValues")).await;
    assert_eq!(nl.body["street"], "Grote Markt");
    let feature = p.geojson(&format!("{one}?geometryProperty=entrance")).await;
    assert_eq!(feature.body["geometry"]["coordinates"], json!([3.0, 4.0]));
    let none = p.geojson(&format!("{one}?geometryProperty=nothing")).await;
    assert!(none.body["geometry"].is_null(), "{}", none.body);
    // A Relationship's object may be given unquoted in q.
    let by_object = p
        .get("/ngsi-ld/v1/entities?type=Building&q=locatedIn==urn:ngsi-ld:City:Pisa")
        .await;
    assert_eq!(by_object.ids(), ["urn:ngsi-ld:Building:L1"]);
    // local=true is a query on its own.
    let local = p.get("/ngsi-ld/v1/entities?local=true").await;
    assert_eq!(local.status, StatusCode::OK, "{}", local.body);
    assert_eq!(local.ids().len(), 2);
    // pick leaves nothing of the city: it is not listed.
    let picked = p.get("/ngsi-ld/v1/entities?local=true&pick=street").await;
    assert_eq!(
        picked.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        picked.body
    );
    // Flat with nothing linked is the entity alone.
    let alone = p
        .get("/ngsi-ld/v1/entities/urn:ngsi-ld:City:Pisa?join=flat")
        .await;
    assert_eq!(alone.body["id"], "urn:ngsi-ld:City:Pisa");
    // A Query body's join is its URL parameter's.
    let joined = p
        .raw(
            "POST",
            "/ngsi-ld/v1/entityOperations/query",
            &[("content-type", "application/json")],
            json!({"type": "Query", "entities": [{"type": "Building"}], "join": "inline"})
                .to_string(),
        )
        .await;
    assert_eq!(
        joined.body[0]["locatedIn"]["entity"]["id"], "urn:ngsi-ld:City:Pisa",
        "{}",
        joined.body
    );
}

#[tokio::test]
async fn dataset_id_keeps_the_instances_of_those_datasets() {
    let p = platform(with_suite_contexts);
    let created = p
        .raw(
            "POST",
            "/ngsi-ld/v1/entities/",
            &[("content-type", "application/json")],
            json!({"id": "urn:ngsi-ld:Building:D1", "type": "Building",
                   "label": [
                       {"type": "Property", "value": "Eiffel Tower"},
                       {"type": "Property", "value": "Tour Eiffel", "datasetId": "urn:ngsi-ld:Dataset:fr"},
                       {"type": "Property", "value": "Eiffelturm", "datasetId": "urn:ngsi-ld:Dataset:de"}]})
            .to_string(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let query = |datasets: &'static str| {
        let uri = format!("/ngsi-ld/v1/entities?type=Building&datasetId={datasets}");
        let p = &p;
        async move { p.get(&uri).await }
    };
    let fr = query("urn:ngsi-ld:Dataset:fr").await;
    assert_eq!(fr.body[0]["label"]["value"], "Tour Eiffel", "{}", fr.body);
    let default = query("@none").await;
    assert_eq!(default.body[0]["label"]["value"], "Eiffel Tower");
    let two = query("urn:ngsi-ld:Dataset:fr,urn:ngsi-ld:Dataset:de").await;
    assert_eq!(two.body[0]["label"].as_array().map(Vec::len), Some(2));
    let none = query("urn:ngsi-ld:Dataset:es").await;
    assert_eq!(
        none.body,
        json!([{"id": "urn:ngsi-ld:Building:D1", "type": "Building"}])
    );
}

#[tokio::test]
async fn sys_attrs_show_when_an_entity_was_created_and_last_modified() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.ngsi_ld_writers = vec![TokenAccount::new("lighting", LIGHTING, &["Streetlight"])];
    let state = AppState::new(settings).expect("state");
    let p = Platform {
        router: build_router(state.clone()),
        _dir: dir,
    };
    let id = "urn:ngsi-ld:Streetlight:S-1";
    let one = format!("/ngsi-ld/v1/entities/{id}");
    let created = p
        .write(
            "POST",
            "/ngsi-ld/v1/entities",
            Some(LIGHTING),
            Some(lamp(id, "ok")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    // Not shown unless asked, in any representation, and never sent to the map.
    let plain = p.get(&one).await;
    assert!(plain.body.get("createdAt").is_none(), "{}", plain.body);
    assert!(plain.body.get("modifiedAt").is_none());
    let layer = p.geojson("/ngsi-ld/v1/entities?type=Streetlight").await;
    assert!(
        layer.body["features"][0]["properties"]
            .get("createdAt")
            .is_none()
    );

    let first = p.get(&format!("{one}?options=sysAttrs")).await;
    let created_at = first.body["createdAt"]
        .as_str()
        .expect("createdAt")
        .to_owned();
    assert_eq!(first.body["modifiedAt"], created_at.as_str());
    assert!(
        created_at.ends_with('Z') && created_at.contains('T'),
        "{created_at}"
    );

    state.auth.clock.advance(Duration::from_secs(3600));
    let patched = p
        .write(
            "PATCH",
            &format!("{one}/attrs"),
            Some(LIGHTING),
            Some(
                json!({"status": {"type": "Property", "value": "defectiveLamp"},
                        "@context": [SDM, CORE]}),
            ),
        )
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);
    let later = p
        .get("/ngsi-ld/v1/entities?type=Streetlight&options=sysAttrs,keyValues")
        .await;
    let entity = &later.body[0];
    assert_eq!(entity["createdAt"], created_at.as_str(), "{}", later.body);
    let modified_at = entity["modifiedAt"].as_str().expect("modifiedAt");
    assert!(
        modified_at > created_at.as_str(),
        "{modified_at} after {created_at}"
    );
    assert_eq!(entity["status"], "defectiveLamp");

    // Asked, but not among `attrs`' attributes; and a client's own createdAt is not stored.
    let picked = p.get(&format!("{one}?options=sysAttrs&attrs=status")).await;
    assert_eq!(picked.body["createdAt"], created_at.as_str());
    assert!(picked.body.get("powerState").is_none());
    p.get(&format!("{one}?attrs=createdAt"))
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
}

#[tokio::test]
async fn order_by_sorts_by_members_and_values_and_pages_follow_it() {
    let p = platform(|_| {});
    // Created in this order: C, A, B; levels 0.5, 0.9, none.
    for (id, level) in [("C", Some(0.5)), ("A", Some(0.9)), ("B", None)] {
        let mut body = bin(&format!("urn:ngsi-ld:WasteContainer:O-{id}"));
        match level {
            Some(level) => body["fillingLevel"]["value"] = json!(level),
            None => {
                body.as_object_mut().expect("object").remove("fillingLevel");
            }
        }
        let created = p
            .write("POST", "/ngsi-ld/v1/entities", Some(WASTE), Some(body))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let ids = |reply: Reply| -> Vec<String> {
        reply
            .ids()
            .into_iter()
            .map(|id| {
                id.trim_start_matches("urn:ngsi-ld:WasteContainer:O-")
                    .to_owned()
            })
            .collect()
    };
    let list = "/ngsi-ld/v1/entities?type=WasteContainer";
    assert_eq!(ids(p.get(list).await), ["A", "B", "C"]);
    assert_eq!(
        ids(p.get(&format!("{list}&orderBy=createdAt")).await),
        ["C", "A", "B"]
    );
    assert_eq!(
        ids(p.get(&format!("{list}&orderBy=id;desc")).await),
        ["C", "B", "A"]
    );
    // Without the attribute, last either way.
    assert_eq!(
        ids(p.get(&format!("{list}&orderBy=fillingLevel")).await),
        ["C", "A", "B"]
    );
    assert_eq!(
        ids(p.get(&format!("{list}&orderBy=fillingLevel;desc")).await),
        ["A", "C", "B"]
    );
    // Pages follow the order, on the path a geo-query or idPattern takes too.
    assert_eq!(
        ids(p
            .get(&format!("{list}&orderBy=createdAt;desc&limit=2&offset=1"))
            .await),
        ["A", "C"]
    );
    assert_eq!(
        ids(p
            .get(&format!(
                "{list}&idPattern=O-&orderBy=createdAt;desc&limit=2&offset=1"
            ))
            .await),
        ["A", "C"]
    );
    p.get(&format!("{list}&orderBy=fillingLevel;sideways"))
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
}

#[tokio::test]
async fn an_entity_of_several_types_is_found_by_each() {
    let p = platform(|s| s.open_writes = true);
    for (id, types) in [
        ("urn:ngsi-ld:Thing:B", json!("Building")),
        ("urn:ngsi-ld:Thing:P", json!("Parking")),
        (
            "urn:ngsi-ld:Thing:BT",
            json!(["Building", "TouristDestination"]),
        ),
    ] {
        let created = p
            .write(
                "POST",
                "/ngsi-ld/v1/entities",
                None,
                Some(json!({"id": id, "type": types, "@context": CORE})),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let found = |selection: &'static str| {
        let p = &p;
        async move {
            let uri = format!("/ngsi-ld/v1/entities?type={selection}");
            let mut ids = p.get(&uri).await.ids();
            ids.sort();
            ids.into_iter()
                .map(|id| id.trim_start_matches("urn:ngsi-ld:Thing:").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("TouristDestination").await, ["BT"]);
    assert_eq!(found("Building").await, ["B", "BT"]);
    assert_eq!(found("(Building;TouristDestination)").await, ["BT"]);
    assert_eq!(found("Parking,TouristDestination").await, ["BT", "P"]);
    assert_eq!(found("(Building;Parking),TouristDestination").await, ["BT"]);
    let types = p.get("/ngsi-ld/v1/types").await;
    let listed = types.body["typeList"].to_string();
    assert!(listed.contains("TouristDestination"), "{}", types.body);

    // Its types changed: it is found by the new ones only.
    let replaced = p
        .write(
            "POST",
            "/ngsi-ld/v1/entityOperations/upsert",
            None,
            Some(
                json!([{"id": "urn:ngsi-ld:Thing:BT", "type": ["Building", "Museum"],
                         "@context": CORE}]),
            ),
        )
        .await;
    assert!(replaced.status.is_success(), "{}", replaced.body);
    assert_eq!(found("Museum").await, ["BT"]);
    assert!(found("TouristDestination").await.is_empty());
    p.write(
        "DELETE",
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Thing:BT",
        None,
        None,
    )
    .await;
    assert!(found("Museum").await.is_empty());
}

#[tokio::test]
async fn scope_q_selects_entities_by_their_scopes() {
    let p = platform(|s| s.open_writes = true);
    for (id, scope) in [
        ("urn:ngsi-ld:Thing:N", json!("/Madrid/Gardens/ParqueNorte")),
        (
            "urn:ngsi-ld:Thing:NC",
            json!([
                "/Madrid/Gardens/ParqueNorte",
                "/CompanyA/OrganizationB/UnitC"
            ]),
        ),
    ] {
        let created = p
            .write(
                "POST",
                "/ngsi-ld/v1/entities",
                None,
                Some(json!({"id": id, "type": "Thing", "scope": scope, "@context": CORE})),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        None,
        Some(json!({"id": "urn:ngsi-ld:Thing:none", "type": "Thing", "@context": CORE})),
    )
    .await;
    for (scope_q, count) in [
        ("/Madrid/%2B/ParqueNorte", 2),
        ("/CompanyA/%23", 1),
        ("/%23", 2),
        (
            "/Madrid/Gardens/ParqueNorte;/CompanyA/OrganizationB/UnitC",
            1,
        ),
        (
            "/Madrid/Gardens/ParqueNorte,/CompanyA/OrganizationB/UnitC",
            2,
        ),
        ("/Elsewhere", 0),
    ] {
        let reply = p
            .get(&format!(
                "/ngsi-ld/v1/entities?type=Thing&count=true&scopeQ={scope_q}"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{scope_q}: {}", reply.body);
        assert_eq!(reply.count(), count, "{scope_q}");
    }
    p.get("/ngsi-ld/v1/entities?type=Thing&scopeQ=Madrid")
        .await
        .problem(StatusCode::BAD_REQUEST, "InvalidRequest");
}

#[tokio::test]
async fn merge_and_replace_change_a_whole_entity() {
    let p = platform(|_| {});
    let id = "urn:ngsi-ld:Streetlight:M-1";
    let one = format!("/ngsi-ld/v1/entities/{id}");
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(LIGHTING),
        Some(lamp(id, "ok")),
    )
    .await;

    // Merge: status merged (its unit kept), a new attribute added, powerState deleted.
    let merged = p
        .write(
            "PATCH",
            &one,
            Some(LIGHTING),
            Some(
                json!({"status": {"type": "Property", "value": "defectiveLamp"},
                        "lampBrand": "Lumen",
                        "powerState": "urn:ngsi-ld:null",
                        "@context": [SDM, CORE]}),
            ),
        )
        .await;
    assert_eq!(merged.status, StatusCode::NO_CONTENT, "{}", merged.body);
    let read = p.get(&one).await;
    assert_eq!(
        read.body["status"]["value"], "defectiveLamp",
        "{}",
        read.body
    );
    assert_eq!(read.body["lampBrand"]["value"], "Lumen");
    assert!(read.body.get("powerState").is_none(), "{}", read.body);
    assert!(read.body.get("location").is_some());
    let empty = p
        .write(
            "PATCH",
            &one,
            Some(LIGHTING),
            Some(json!({"@context": CORE})),
        )
        .await;
    assert_eq!(empty.status, StatusCode::NO_CONTENT, "{}", empty.body);

    // Replace: only the body's attributes are left.
    let replaced = p
        .write(
            "PUT",
            &one,
            Some(LIGHTING),
            Some(json!({"status": {"type": "Property", "value": "ok"}, "@context": [SDM, CORE]})),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::NO_CONTENT, "{}", replaced.body);
    let read = p.get(&one).await;
    assert_eq!(read.body["type"], "Streetlight");
    assert_eq!(read.body["status"]["value"], "ok");
    assert!(read.body.get("lampBrand").is_none() && read.body.get("location").is_none());

    // The spec's errors, and the writer's scope.
    for method in ["PATCH", "PUT"] {
        p.write(
            method,
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:nowhere",
            Some(LIGHTING),
            Some(json!({"status": "ok", "@context": CORE})),
        )
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
        p.write(
            method,
            "/ngsi-ld/v1/entities/",
            Some(LIGHTING),
            Some(json!({"status": "ok", "@context": CORE})),
        )
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
        p.write(
            method,
            "/ngsi-ld/v1/entities/not-a-uri",
            Some(LIGHTING),
            Some(json!({"status": "ok", "@context": CORE})),
        )
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
        let refused = p
            .write(
                method,
                &one,
                Some(WASTE),
                Some(json!({"status": "ok", "@context": CORE})),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let anonymous = p
            .write(
                method,
                &one,
                None,
                Some(json!({"status": "ok", "@context": CORE})),
            )
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
    let moved = p
        .write(
            "PUT",
            &one,
            Some(LIGHTING),
            Some(json!({"type": "WasteContainer", "@context": [SDM, CORE]})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN, "{}", moved.body);
}

#[tokio::test]
async fn an_update_to_the_ngsi_ld_null_deletes_the_attribute() {
    let p = platform(|_| {});
    let id = "urn:ngsi-ld:Streetlight:N-1";
    let one = format!("/ngsi-ld/v1/entities/{id}");
    p.write(
        "POST",
        "/ngsi-ld/v1/entities",
        Some(LIGHTING),
        Some(lamp(id, "ok")),
    )
    .await;
    let updated = p
        .write(
            "PATCH",
            &format!("{one}/attrs"),
            Some(LIGHTING),
            Some(
                json!({"powerState": {"type": "Property", "value": "urn:ngsi-ld:null"},
                        "@context": [SDM, CORE]}),
            ),
        )
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT, "{}", updated.body);
    let partial = p
        .write(
            "PATCH",
            &format!("{one}/attrs/status"),
            Some(LIGHTING),
            Some(json!({"value": "urn:ngsi-ld:null", "@context": [SDM, CORE]})),
        )
        .await;
    assert_eq!(partial.status, StatusCode::NO_CONTENT, "{}", partial.body);
    let read = p.get(&one).await;
    assert!(read.body.get("powerState").is_none(), "{}", read.body);
    assert!(read.body.get("status").is_none(), "{}", read.body);
    assert!(read.body.get("location").is_some());
}
