//! The live stream (`GET /api/v1/live`) through `oneshot`: a committed write reaches an open
//! stream at once, a reconnecting reader catches up from its last event id, an id of another
//! run or too old asks for a reload, and the number of streams is bounded. A town's own broker's
//! notifications, relayed by the platform, reach the streams the same way.

use std::time::Duration;

mod support;

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
    response::Response,
};
use http_body_util::BodyExt;
use quartier_api::ngsi_ld::live::{ENTITIES_EVENT, EventId, RESET_EVENT, parse_notification};
use quartier_platform::{
    AppState, Settings, build_router, relay::RelaySettings, tokens::TokenAccount,
};
use serde_json::json;
use support::next_event;
use tempfile::TempDir;
use tower::ServiceExt;

const LIGHTING: &str = "lighting-agent-token-0123456789abcdef0123";

struct Platform {
    _dir: TempDir,
    router: Router,
}

fn platform(adjust: impl FnOnce(&mut Settings)) -> Platform {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.ngsi_ld_writers = vec![TokenAccount::new("lighting", LIGHTING, &["Streetlight"])];
    adjust(&mut settings);
    Platform {
        router: build_router(AppState::new(settings).expect("state")),
        _dir: dir,
    }
}

impl Platform {
    async fn open(&self, query: &str, last_event_id: Option<&str>) -> Response {
        let mut request = Request::get(format!("/api/v1/live?{query}"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        self.router
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("response")
    }

    async fn lamp(&self, n: u32, status: &str) {
        let body = json!({
            "id": format!("urn:ngsi-ld:Streetlight:{n}"), "type": "Streetlight",
            "status": {"type": "Property", "value": status},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0.68, 47.39]}},
            "@context": "https://smartdatamodels.org/context.jsonld"
        });
        let answer = self
            .router
            .clone()
            .oneshot(
                Request::post("/ngsi-ld/v1/entityOperations/upsert")
                    .header(header::CONTENT_TYPE, "application/ld+json")
                    .header(header::AUTHORIZATION, format!("Bearer {LIGHTING}"))
                    .body(Body::from(json!([body]).to_string()))
                    .expect("request"),
            )
            .await
            .expect("response");
        assert!(answer.status().is_success(), "{}", answer.status());
    }
}

/// The next `n` changed entities of a stream, across its events (changes that come together
/// share one), within `within`; fewer if they do not come.
async fn next_changes(
    body: &mut Body,
    buffer: &mut String,
    n: usize,
    within: Duration,
) -> Vec<serde_json::Value> {
    let deadline = tokio::time::Instant::now() + within;
    let mut changes = Vec::new();
    while changes.len() < n {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(event) = next_event(body, buffer, left).await else {
            break;
        };
        assert_eq!(event.event, ENTITIES_EVENT, "{event:?}");
        changes.extend(parse_notification(&event.data).expect("notification").data);
    }
    changes
}

#[tokio::test]
async fn a_committed_write_reaches_an_open_stream_at_once_and_other_types_do_not() {
    let p = platform(|_| {});
    let stream = p.open("type=Streetlight", None).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()[header::CONTENT_TYPE], "text/event-stream");
    assert!(
        stream.headers().get(header::CONTENT_ENCODING).is_none(),
        "a compressed stream would hold its events back"
    );
    let mut other = p.open("type=WasteContainer", None).await.into_body();
    let mut body = stream.into_body();
    let mut buffer = String::new();
    let started = tokio::time::Instant::now();
    p.lamp(1, "defectiveLamp").await;
    let event = next_event(&mut body, &mut buffer, Duration::from_secs(1))
        .await
        .expect("an event within 1 s");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(event.event, ENTITIES_EVENT);
    assert!(EventId::parse(&event.id).is_some(), "{event:?}");
    let notification = parse_notification(&event.data).expect("a notification");
    assert_eq!(notification.kind, "Notification");
    assert_eq!(notification.data[0]["id"], "urn:ngsi-ld:Streetlight:1");
    assert_eq!(notification.data[0]["status"]["value"], "defectiveLamp");
    assert_eq!(
        notification.data[0]["location"]["value"]["coordinates"],
        json!([0.68, 47.39])
    );
    assert!(notification.data[0].get("@context").is_none());
    // A stream of waste containers hears nothing of a lamp.
    let mut other_buffer = String::new();
    assert!(
        next_event(&mut other, &mut other_buffer, Duration::from_millis(300))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn a_reconnecting_reader_gets_what_it_missed_and_an_unknown_id_asks_for_a_reload() {
    let p = platform(|_| {});
    let mut first = p.open("type=Streetlight", None).await.into_body();
    let mut buffer = String::new();
    p.lamp(1, "ok").await;
    let seen = next_event(&mut first, &mut buffer, Duration::from_secs(1))
        .await
        .expect("first event");
    drop(first);
    // Two changes while the reader is away.
    p.lamp(2, "ok").await;
    p.lamp(1, "defectiveLamp").await;
    for (how, query, header_id) in [
        ("since", format!("type=Streetlight&since={}", seen.id), None),
        (
            "Last-Event-ID",
            "type=Streetlight".to_owned(),
            Some(seen.id.as_str()),
        ),
    ] {
        let mut body = p.open(&query, header_id).await.into_body();
        let mut buffer = String::new();
        let got: Vec<(String, serde_json::Value)> =
            next_changes(&mut body, &mut buffer, 2, Duration::from_secs(1))
                .await
                .iter()
                .map(|e| {
                    (
                        e["id"].as_str().unwrap_or_default().to_owned(),
                        e["status"]["value"].clone(),
                    )
                })
                .collect();
        assert_eq!(
            got,
            [
                ("urn:ngsi-ld:Streetlight:2".to_owned(), json!("ok")),
                (
                    "urn:ngsi-ld:Streetlight:1".to_owned(),
                    json!("defectiveLamp")
                ),
            ],
            "{how}"
        );
    }
    // An id of another run of the platform (or nonsense): the reader is told to reload.
    for stale in ["1-1", "nonsense"] {
        let mut body = p
            .open(&format!("type=Streetlight&since={stale}"), None)
            .await
            .into_body();
        let mut buffer = String::new();
        let event = next_event(&mut body, &mut buffer, Duration::from_secs(1))
            .await
            .expect("a reset");
        assert_eq!(event.event, RESET_EVENT, "{stale}");
        assert_eq!(event.data, r#"{"types":["Streetlight"]}"#);
    }
}

#[tokio::test]
async fn a_stream_names_its_types_and_the_streams_are_bounded() {
    let p = platform(|s| {
        s.max_live_streams = 3;
        s.max_live_streams_per_client = 2;
    });
    let missing = p.open("", None).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let body = missing
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let problem: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(problem["code"], "invalid_filter", "{problem}");
    // oneshot has no peer address: every request is the same client.
    let a = p.open("type=Streetlight", None).await;
    let b = p.open("type=Streetlight", None).await;
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    let refused = p.open("type=Streetlight", None).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    // A closed stream gives its place back.
    drop(a);
    assert_eq!(
        p.open("type=Streetlight", None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn two_hundred_open_streams_all_get_every_change() {
    let p = platform(|s| s.max_live_streams_per_client = 200);
    let mut streams = Vec::new();
    for _ in 0..200 {
        let response = p.open("type=Streetlight", None).await;
        assert_eq!(response.status(), StatusCode::OK);
        streams.push((response.into_body(), String::new()));
    }
    for n in 0..5 {
        p.lamp(n, "ok").await;
    }
    for (body, buffer) in &mut streams {
        let ids: Vec<serde_json::Value> = next_changes(body, buffer, 5, Duration::from_secs(2))
            .await
            .iter()
            .map(|e| e["id"].clone())
            .collect();
        let sent: Vec<serde_json::Value> = (0..5)
            .map(|n| json!(format!("urn:ngsi-ld:Streetlight:{n}")))
            .collect();
        assert_eq!(ids, sent, "every change on every stream, in order");
    }
}

#[tokio::test]
async fn a_batch_write_comes_as_one_event_that_holds_its_entities_in_order() {
    let p = platform(|_| {});
    let mut body = p.open("type=Streetlight", None).await.into_body();
    let mut buffer = String::new();
    let lamps: Vec<serde_json::Value> = (0..10)
        .map(|n| {
            json!({
                "id": format!("urn:ngsi-ld:Streetlight:{n}"), "type": "Streetlight",
                "status": {"type": "Property", "value": "ok"},
                "@context": "https://smartdatamodels.org/context.jsonld"
            })
        })
        .collect();
    let answer = p
        .router
        .clone()
        .oneshot(
            Request::post("/ngsi-ld/v1/entityOperations/upsert")
                .header(header::CONTENT_TYPE, "application/ld+json")
                .header(header::AUTHORIZATION, format!("Bearer {LIGHTING}"))
                .body(Body::from(json!(lamps).to_string()))
                .expect("request"),
        )
        .await
        .expect("response");
    assert!(answer.status().is_success(), "{}", answer.status());
    let event = next_event(&mut body, &mut buffer, Duration::from_secs(1))
        .await
        .expect("an event");
    let notification = parse_notification(&event.data).expect("notification");
    let ids: Vec<&str> = notification
        .data
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 10, "{ids:?}");
    assert_eq!(ids[9], "urn:ngsi-ld:Streetlight:9");
    // Its id is the last change's: a reader that reconnects with it has missed nothing.
    let mut again = p
        .open(&format!("type=Streetlight&since={}", event.id), None)
        .await
        .into_body();
    let mut again_buffer = String::new();
    assert!(
        next_event(&mut again, &mut again_buffer, Duration::from_millis(300))
            .await
            .is_none()
    );
}

fn relaying(settings: &mut Settings) {
    settings.relay = Some(RelaySettings {
        upstream: "http://127.0.0.1:9/ngsi-ld/v1".into(),
        callback: "http://127.0.0.1:8080".into(),
        types: vec!["Streetlight".into()],
        context: None,
        token: None,
        key: "the-key-of-this-run".into(),
    });
}

impl Platform {
    async fn notify(&self, key: &str, body: &serde_json::Value) -> Response {
        self.router
            .clone()
            .oneshot(
                Request::post(format!("/api/v1/live/upstream?key={key}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .expect("request"),
            )
            .await
            .expect("response")
    }
}

fn upstream_notification() -> serde_json::Value {
    json!({
        "id": "urn:ngsi-ld:Notification:upstream-1",
        "type": "Notification",
        "subscriptionId": "urn:ngsi-ld:Subscription:quartier-live-relay",
        "notifiedAt": "2026-12-02T10:00:00Z",
        "data": [{
            "id": "urn:ngsi-ld:Streetlight:upstream-7", "type": "Streetlight",
            "status": {"type": "Property", "value": "defectiveLamp"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0.68, 47.39]}},
            "modifiedAt": "2026-12-02T10:00:00Z"
        }]
    })
}

#[tokio::test]
async fn an_upstream_brokers_notification_reaches_the_open_streams() {
    let p = platform(relaying);
    let mut body = p.open("type=Streetlight", None).await.into_body();
    let mut buffer = String::new();
    let answer = p
        .notify("the-key-of-this-run", &upstream_notification())
        .await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    let event = next_event(&mut body, &mut buffer, Duration::from_secs(1))
        .await
        .expect("the relayed change within 1 s");
    assert_eq!(event.event, ENTITIES_EVENT);
    let notification = parse_notification(&event.data).expect("a notification");
    assert_eq!(
        notification.data[0]["id"],
        "urn:ngsi-ld:Streetlight:upstream-7"
    );
    assert_eq!(notification.data[0]["status"]["value"], "defectiveLamp");
}

#[tokio::test]
async fn a_notification_without_the_key_or_to_a_platform_that_relays_nothing_is_refused() {
    let p = platform(relaying);
    let mut body = p.open("type=Streetlight", None).await.into_body();
    let mut buffer = String::new();
    let answer = p.notify("a-guess", &upstream_notification()).await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let answer = p
        .notify("the-key-of-this-run", &json!({"data": "no"}))
        .await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(
        next_event(&mut body, &mut buffer, Duration::from_millis(300))
            .await
            .is_none(),
        "a refused notification reached the stream"
    );
    let alone = platform(|_| {});
    let answer = alone
        .notify("the-key-of-this-run", &upstream_notification())
        .await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
}
