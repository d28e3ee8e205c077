//! NGSI-LD subscriptions (`/ngsi-ld/v1/subscriptions`) through `oneshot`, and their HTTP
//! notifications received by a real local HTTP server: who may subscribe, the spec's errors, a
//! writer's subscriptions kept to itself, the notification's content, retries, and the
//! subscriptions that must send nothing (a `q` that does not match, paused, expired).

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, Request, StatusCode, header},
    routing::post,
};
use http_body_util::BodyExt;
use quartier_api::ngsi_ld::live::parse_notification;
use quartier_platform::{
    AppState, Settings, build_router, tokens::TokenAccount, writers::DEMO_WRITERS,
};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

const LIGHTING: &str = "lighting-agent-token-0123456789abcdef0123";
const WASTE: &str = "waste-agent-token-0123456789abcdef012345";
const SUBSCRIPTIONS: &str = "/ngsi-ld/v1/subscriptions";
const LAMP: &str = "urn:ngsi-ld:Streetlight:S-1";

struct Platform {
    _dir: TempDir,
    state: AppState,
    router: Router,
}

fn platform(adjust: impl FnOnce(&mut Settings)) -> Platform {
    platform_in(tempfile::tempdir().expect("tempdir"), adjust)
}

/// A platform on the data of `dir` (a restart when an earlier one used it).
fn platform_in(dir: TempDir, adjust: impl FnOnce(&mut Settings)) -> Platform {
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.ngsi_ld_writers = vec![
        TokenAccount::new("lighting", LIGHTING, &["Streetlight"]),
        TokenAccount::new("waste", WASTE, &["WasteContainer"]),
    ];
    // Retries in milliseconds, so that a test waits for none.
    settings.notification_retry_delays = vec![Duration::from_millis(10); 3];
    settings.notification_timeout = Duration::from_secs(2);
    adjust(&mut settings);
    let state = AppState::new(settings).expect("state");
    Platform {
        router: build_router(state.clone()),
        state,
        _dir: dir,
    }
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn problem(&self, status: StatusCode, kind: &str) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.body["type"],
            format!("https://uri.etsi.org/ngsi-ld/errors/{kind}"),
            "{}",
            self.body
        );
        self.body["detail"].as_str().unwrap_or_default().to_owned()
    }
}

impl Platform {
    async fn send(
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
                // A body with its `@context` is JSON-LD (an entity); a subscription is JSON.
                let content_type = if body.get("@context").is_some() {
                    "application/ld+json"
                } else {
                    "application/json"
                };
                request = request.header(header::CONTENT_TYPE, content_type);
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
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
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn subscribe(&self, token: &str, body: Value) -> Reply {
        self.send("POST", SUBSCRIPTIONS, Some(token), Some(body))
            .await
    }

    async fn subscription(&self, token: &str, id: &str) -> Reply {
        self.send("GET", &format!("{SUBSCRIPTIONS}/{id}"), Some(token), None)
            .await
    }

    /// Creates the lamp (status ok, colour temperature 3000) as the lighting agent.
    async fn lamp(&self) {
        let lamp = json!({
            "id": LAMP, "type": "Streetlight",
            "status": {"type": "Property", "value": "ok"},
            "colorTemperature": {"type": "Property", "value": 3000},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0.68, 47.39]}},
            "@context": "https://smartdatamodels.org/context.jsonld"
        });
        let created = self
            .send("POST", "/ngsi-ld/v1/entities", Some(LIGHTING), Some(lamp))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }

    /// `PATCH …/attrs`: the lamp's status changes.
    async fn set_status(&self, status: &str) {
        let fragment = json!({
            "status": {"type": "Property", "value": status},
            "@context": "https://smartdatamodels.org/context.jsonld"
        });
        let patched = self
            .send(
                "PATCH",
                &format!("/ngsi-ld/v1/entities/{LAMP}/attrs"),
                Some(LIGHTING),
                Some(fragment),
            )
            .await;
        assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);
    }
}

/// A subscription to Streetlights notified at `endpoint`, with `extra` members.
fn lamps(id: &str, endpoint: &str, extra: Value) -> Value {
    let mut body = json!({
        "id": id,
        "type": "Subscription",
        "entities": [{"type": "Streetlight"}],
        "notification": {"endpoint": {"uri": endpoint}},
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

/// What the receiver got on one path.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    content_type: String,
    body: Value,
}

/// A local HTTP server that records what it is sent, answering with the statuses queued
/// (then 200).
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<StatusCode>>>,
}

impl Receiver {
    async fn start() -> (Receiver, SocketAddr) {
        let receiver = Receiver::default();
        let app = Router::new()
            .route("/{path}", post(record))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, addr)
    }

    fn on(&self, path: &str) -> Vec<Received> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// What `path` received, once it holds `n` requests (within 5 s).
    async fn wait_for(&self, path: &str, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let got = self.on(path);
            if got.len() >= n || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn record(
    State(receiver): State<Receiver>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receiver.received.lock().expect("lock").push(Received {
        path,
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    receiver
        .answers
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or(StatusCode::OK)
}

/// Waits until the notifier's HTTP attempts are recorded in the table (they follow the answer).
async fn times_sent(p: &Platform, id: &str, n: u64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let shown = p.subscription(LIGHTING, id).await.body;
        if shown["notification"]["timesSent"] == n || tokio::time::Instant::now() > deadline {
            return shown;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_subscription_is_created_listed_read_updated_and_deleted() {
    let p = platform(|_| {});
    let id = "urn:ngsi-ld:Subscription:lamps";
    let created = p
        .subscribe(
            LIGHTING,
            lamps(
                id,
                "http://127.0.0.1:9/n",
                json!({"subscriptionName": "Broken lamps", "q": "status==\"broken\"",
                       "watchedAttributes": ["status"],
                       "notification": {"endpoint": {"uri": "http://127.0.0.1:9/n"},
                                        "attributes": ["status"], "format": "keyValues",
                                        "timesSent": 99}}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(
        created.headers[header::LOCATION],
        "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:lamps"
    );
    let shown = p.subscription(LIGHTING, id).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["id"], id);
    assert_eq!(shown.body["type"], "Subscription");
    assert_eq!(shown.body["subscriptionName"], "Broken lamps");
    assert_eq!(shown.body["status"], "active");
    assert_eq!(shown.body["isActive"], true);
    assert_eq!(shown.body["q"], "status==\"broken\"");
    assert_eq!(shown.body["notification"]["format"], "keyValues");
    assert_eq!(
        shown.body["notification"]["timesSent"], 0,
        "read-only members are the platform's"
    );

    // Without an id (and through the trailing-slash path), the platform names it.
    let unnamed = p
        .send(
            "POST",
            "/ngsi-ld/v1/subscriptions/",
            Some(LIGHTING),
            Some(
                json!({"type": "Subscription", "watchedAttributes": ["status"],
                        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/m"}}}),
            ),
        )
        .await;
    assert_eq!(unnamed.status, StatusCode::CREATED, "{}", unnamed.body);
    let location = unnamed.headers[header::LOCATION].to_str().expect("ascii");
    assert!(location.starts_with("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:"));

    let list = p
        .send(
            "GET",
            &format!("{SUBSCRIPTIONS}?count=true&limit=1"),
            Some(LIGHTING),
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.headers["NGSILD-Results-Count"], "2");
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    let second = p
        .send(
            "GET",
            &format!("{SUBSCRIPTIONS}?limit=1&offset=1"),
            Some(LIGHTING),
            None,
        )
        .await;
    assert_eq!(second.body.as_array().map(Vec::len), Some(1));
    assert_ne!(second.body[0]["id"], list.body[0]["id"]);

    let patched = p
        .send(
            "PATCH",
            &format!("{SUBSCRIPTIONS}/{id}"),
            Some(LIGHTING),
            Some(json!({"isActive": false, "q": "status==\"off\""})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);
    let shown = p.subscription(LIGHTING, id).await.body;
    assert_eq!(shown["status"], "paused");
    assert_eq!(shown["q"], "status==\"off\"");
    assert_eq!(shown["subscriptionName"], "Broken lamps", "the rest stays");
    // A fragment is validated with the rest: a bad q is refused, nothing changes.
    let bad = p
        .send(
            "PATCH",
            &format!("{SUBSCRIPTIONS}/{id}"),
            Some(LIGHTING),
            Some(json!({"q": "status=="})),
        )
        .await;
    bad.problem(StatusCode::BAD_REQUEST, "BadRequestData");
    assert_eq!(
        p.subscription(LIGHTING, id).await.body["q"],
        "status==\"off\""
    );

    let deleted = p
        .send(
            "DELETE",
            &format!("{SUBSCRIPTIONS}/{id}"),
            Some(LIGHTING),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    p.subscription(LIGHTING, id)
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    p.send(
        "DELETE",
        &format!("{SUBSCRIPTIONS}/{id}"),
        Some(LIGHTING),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
}

#[tokio::test]
async fn names_are_stored_short_and_subscriptions_survive_a_restart() {
    let (receiver, addr) = Receiver::start().await;
    let p = platform(|_| {});
    p.lamp().await;
    let id = "urn:ngsi-ld:Subscription:kept";
    let body = json!({
        "id": id, "type": "Subscription",
        "entities": [{"type": "https://smartdatamodels.org/dataModel.Streetlighting/Streetlight"}],
        "notification": {"endpoint": {"uri": format!("http://{addr}/kept")}},
        "@context": "https://smartdatamodels.org/context.jsonld"
    });
    let created = p.subscribe(LIGHTING, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(
        p.subscription(LIGHTING, id).await.body["entities"][0]["type"],
        "Streetlight"
    );
    let Platform { _dir: dir, .. } = p;
    let p = platform_in(dir, |_| {});
    p.set_status("broken").await;
    let got = receiver.wait_for("kept", 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].body["subscriptionId"], id);
}

#[tokio::test]
async fn only_writers_subscribe_as_only_writers_write() {
    let p = platform(|s| s.demo = true);
    let body = lamps(
        "urn:ngsi-ld:Subscription:a",
        "http://127.0.0.1:9/n",
        json!({}),
    );
    let anonymous = p
        .send("POST", SUBSCRIPTIONS, None, Some(body.clone()))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers.contains_key(header::WWW_AUTHENTICATE));
    let listing = p.send("GET", SUBSCRIPTIONS, None, None).await;
    assert_eq!(listing.status, StatusCode::UNAUTHORIZED);
    // A token the platform does not know is answered as for writes: 401.
    let wrong = p
        .subscribe("not-a-token-of-this-platform-0123456789", body.clone())
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // A signed-in resident is known, and may not subscribe: 403.
    let signed_in = p
        .router
        .clone()
        .oneshot(
            Request::post("/api/v1/session")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"email": "camille.martin@example.org", "password": "quartier-demo"})
                        .to_string(),
                ))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cookie = signed_in.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let resident = p
        .router
        .clone()
        .oneshot(
            Request::post(SUBSCRIPTIONS)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, cookie)
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(resident.status(), StatusCode::FORBIDDEN);

    // Any writer may, whatever entity types it writes.
    let (_, token, _) = DEMO_WRITERS
        .iter()
        .find(|(name, _, _)| *name == "demo-waste")
        .expect("waste agent");
    let waste = p.subscribe(token, body).await;
    assert_eq!(waste.status, StatusCode::CREATED, "{}", waste.body);
}

#[tokio::test]
async fn bad_subscriptions_get_the_spec_s_errors() {
    let p = platform(|_| {});
    let nothing = json!({"type": "Subscription",
                         "notification": {"endpoint": {"uri": "http://127.0.0.1:9/n"}}});
    let detail = p
        .subscribe(LIGHTING, nothing)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    assert!(detail.contains("entities or watchedAttributes"), "{detail}");
    let https = lamps(
        "urn:ngsi-ld:Subscription:s",
        "https://example.org/n",
        json!({}),
    );
    let detail = p
        .subscribe(LIGHTING, https)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    assert!(detail.contains("plain http"), "{detail}");
    let bad_q = lamps(
        "urn:ngsi-ld:Subscription:q",
        "http://127.0.0.1:9/n",
        json!({"q": "status=="}),
    );
    let detail = p
        .subscribe(LIGHTING, bad_q)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
    assert!(detail.contains("invalid q"), "{detail}");
    let relative = lamps("urn:ngsi-ld:Subscription:r", "/notify", json!({}));
    p.subscribe(LIGHTING, relative)
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");

    let id = "urn:ngsi-ld:Subscription:once";
    let body = lamps(id, "http://127.0.0.1:9/n", json!({}));
    assert_eq!(
        p.subscribe(LIGHTING, body.clone()).await.status,
        StatusCode::CREATED
    );
    p.subscribe(LIGHTING, body.clone())
        .await
        .problem(StatusCode::CONFLICT, "AlreadyExists");
    // Ids are global: another writer cannot take it either.
    p.subscribe(WASTE, body)
        .await
        .problem(StatusCode::CONFLICT, "AlreadyExists");

    p.subscription(LIGHTING, "urn:ngsi-ld:Subscription:unknown")
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    p.subscription(LIGHTING, "not-a-uri")
        .await
        .problem(StatusCode::BAD_REQUEST, "BadRequestData");
}

#[tokio::test]
async fn a_writer_sees_and_changes_only_its_own_subscriptions() {
    let p = platform(|_| {});
    let id = "urn:ngsi-ld:Subscription:mine";
    let created = p
        .subscribe(LIGHTING, lamps(id, "http://127.0.0.1:9/n", json!({})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    p.subscription(WASTE, id)
        .await
        .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    let theirs = p.send("GET", SUBSCRIPTIONS, Some(WASTE), None).await;
    assert_eq!(theirs.body, json!([]));
    p.send(
        "PATCH",
        &format!("{SUBSCRIPTIONS}/{id}"),
        Some(WASTE),
        Some(json!({"isActive": false})),
    )
    .await
    .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    p.send(
        "DELETE",
        &format!("{SUBSCRIPTIONS}/{id}"),
        Some(WASTE),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "ResourceNotFound");
    assert_eq!(
        p.subscription(LIGHTING, id).await.body["status"],
        "active",
        "untouched"
    );
}

#[tokio::test]
async fn a_change_is_notified_to_the_endpoint_with_the_asked_attributes_and_format() {
    let (receiver, addr) = Receiver::start().await;
    let p = platform(|_| {});
    p.lamp().await;
    let id = "urn:ngsi-ld:Subscription:status";
    let created = p
        .subscribe(
            LIGHTING,
            lamps(
                id,
                "",
                json!({"watchedAttributes": ["status"], "notification": {
                    "endpoint": {"uri": format!("http://{addr}/plain")},
                    "attributes": ["status"]}}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let ld = "urn:ngsi-ld:Subscription:ld";
    let created = p
        .subscribe(
            LIGHTING,
            lamps(
                ld,
                "",
                json!({"notification": {
                    "endpoint": {"uri": format!("http://{addr}/ld"), "accept": "application/ld+json"},
                    "format": "keyValues"}}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    p.set_status("broken").await;

    let got = receiver.wait_for("plain", 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].content_type, "application/json");
    let notification = parse_notification(&got[0].body.to_string()).expect("a Notification");
    assert!(notification.id.starts_with("urn:ngsi-ld:Notification:"));
    assert_eq!(notification.kind, "Notification");
    assert_eq!(notification.subscription_id, id);
    assert!(!notification.notified_at.is_empty());
    assert_eq!(notification.data.len(), 1);
    let entity = &notification.data[0];
    assert_eq!(entity["id"], LAMP);
    assert_eq!(entity["type"], "Streetlight");
    assert_eq!(entity["status"]["value"], "broken");
    assert!(
        entity.get("colorTemperature").is_none() && entity.get("location").is_none(),
        "only the asked attributes: {entity}"
    );

    let got = receiver.wait_for("ld", 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].content_type, "application/ld+json");
    assert!(got[0].body.get("@context").is_some());
    let entity = &got[0].body["data"][0];
    assert_eq!(entity["status"], "broken", "keyValues: {entity}");
    assert_eq!(entity["colorTemperature"], 3000);
    assert_eq!(got[0].body["subscriptionId"], ld);

    let shown = times_sent(&p, id, 1).await;
    assert_eq!(shown["notification"]["status"], "ok");
    assert!(shown["notification"]["lastSuccess"].is_string());
    assert!(shown["notification"]["lastNotification"].is_string());
}

#[tokio::test]
async fn a_failed_notification_is_retried_and_the_outcomes_are_shown() {
    let (receiver, addr) = Receiver::start().await;
    receiver
        .answers
        .lock()
        .expect("lock")
        .push_back(StatusCode::INTERNAL_SERVER_ERROR);
    let p = platform(|_| {});
    p.lamp().await;
    let id = "urn:ngsi-ld:Subscription:retried";
    let created = p
        .subscribe(
            LIGHTING,
            lamps(id, &format!("http://{addr}/flaky"), json!({})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    p.set_status("broken").await;

    let got = receiver.wait_for("flaky", 2).await;
    assert_eq!(got.len(), 2, "the 500, then the retry: {got:?}");
    assert_eq!(
        got[0].body["id"], got[1].body["id"],
        "the same notification"
    );
    assert_eq!(got[1].body["data"][0]["status"]["value"], "broken");
    let shown = times_sent(&p, id, 2).await;
    let n = &shown["notification"];
    assert_eq!(n["timesSent"], 2, "{shown}");
    assert_eq!(n["status"], "ok");
    assert!(
        n["lastFailure"].is_string() && n["lastSuccess"].is_string(),
        "{n}"
    );
}

#[tokio::test]
async fn an_endpoint_that_stays_down_is_marked_failed_and_writes_go_on() {
    // A port nobody listens on: every attempt is a connection error.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let p = platform(|_| {});
    p.lamp().await;
    let id = "urn:ngsi-ld:Subscription:down";
    let created = p
        .subscribe(
            LIGHTING,
            lamps(id, &format!("http://{closed}/n"), json!({})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    p.set_status("broken").await;
    p.set_status("ok").await;
    // The first change: one attempt and 3 retries; the writes did not wait for them.
    let shown = times_sent(&p, id, 8).await;
    let n = &shown["notification"];
    assert_eq!(n["timesSent"], 8, "{shown}");
    assert_eq!(n["status"], "failed");
    assert!(
        n["lastFailure"].is_string() && n.get("lastSuccess").is_none(),
        "{n}"
    );
}

#[tokio::test]
async fn a_q_that_does_not_match_and_a_paused_or_expired_subscription_send_nothing() {
    let (receiver, addr) = Receiver::start().await;
    let p = platform(|_| {});
    p.lamp().await;
    let endpoint = |path: &str| format!("http://{addr}/{path}");
    for (id, path, extra) in [
        (
            "urn:ngsi-ld:Subscription:q",
            "q",
            json!({"q": "status==\"off\""}),
        ),
        (
            "urn:ngsi-ld:Subscription:paused",
            "paused",
            json!({"isActive": false}),
        ),
        (
            "urn:ngsi-ld:Subscription:expiring",
            "expiring",
            json!({"expiresAt": "2099-01-01T00:00:00Z"}),
        ),
        (
            "urn:ngsi-ld:Subscription:other",
            "other",
            json!({"entities": [{"type": "WasteContainer"}]}),
        ),
        (
            "urn:ngsi-ld:Subscription:control",
            "control",
            json!({"q": "status==\"broken\""}),
        ),
    ] {
        let created = p
            .subscribe(LIGHTING, lamps(id, &endpoint(path), extra))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    // The platform's clock moves past `expiresAt`.
    p.state
        .auth
        .clock
        .advance(Duration::from_secs(100 * 365 * 24 * 3600));
    assert_eq!(
        p.subscription(LIGHTING, "urn:ngsi-ld:Subscription:expiring")
            .await
            .body["status"],
        "expired"
    );

    p.set_status("broken").await;

    // The control subscription is notified; by then the others would have been too.
    assert_eq!(receiver.wait_for("control", 1).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    for path in ["q", "paused", "expiring", "other"] {
        assert!(receiver.on(path).is_empty(), "{path} was notified");
    }
}

#[tokio::test]
async fn throttling_coalesces_the_changes_of_a_period() {
    let (receiver, addr) = Receiver::start().await;
    let p = platform(|_| {});
    p.lamp().await;
    let created = p
        .subscribe(
            LIGHTING,
            lamps(
                "urn:ngsi-ld:Subscription:throttled",
                &format!("http://{addr}/throttled"),
                json!({"throttling": 1}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    p.set_status("broken").await;
    assert_eq!(receiver.wait_for("throttled", 1).await.len(), 1);
    // Within the period: held back, then sent once with the latest state.
    p.set_status("off").await;
    p.set_status("repaired").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.on("throttled").len(), 1, "held back");
    let got = receiver.wait_for("throttled", 2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let data = got[1].body["data"].as_array().expect("data");
    assert_eq!(data.len(), 1, "one entity, once: {data:?}");
    assert_eq!(data[0]["status"]["value"], "repaired");
}
