//! Per-client rates on the anonymous areas (NGSI-LD, tiles, geocoder): a client over its rate
//! gets 429 with `Retry-After` in its API's own error format; clients are told apart by their
//! address (IPv6 by /64), through `X-Forwarded-For` only from a trusted proxy.

use std::net::SocketAddr;

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
    response::Response,
};
use http_body_util::BodyExt;
use quartier_platform::{
    AppState, Settings, build_router,
    client::{TrustedProxies, parse_range},
    rate::{Per, Rate, nonzero},
};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

const ENTITIES: &str = "/ngsi-ld/v1/entities?type=Streetlight&limit=0&count=true";
/// Requests a client may make at once in the tests' platform.
const BURST: u32 = 3;

struct App {
    _dir: TempDir,
    router: Router,
}

/// A platform (no demo: nothing to seed) whose anonymous areas allow [`BURST`] requests per
/// client, then one a minute.
fn app(adjust: impl FnOnce(&mut Settings)) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.anonymous_rate = Rate::new(nonzero(1), Per::Minute).with_burst(nonzero(BURST));
    adjust(&mut settings);
    App {
        router: build_router(AppState::new(settings).expect("state")),
        _dir: dir,
    }
}

impl App {
    /// A GET from the TCP peer `peer`, with `X-Forwarded-For: forwarded` if given.
    async fn get_from(&self, uri: &str, peer: &str, forwarded: Option<&str>) -> Response {
        let mut request = Request::get(uri);
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        let mut request = request.body(Body::empty()).expect("request");
        let peer: SocketAddr = peer.parse().expect("socket address");
        request.extensions_mut().insert(ConnectInfo(peer));
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible")
    }

    /// Whether [`BURST`] + 1 requests from `peer` (each with its own `X-Forwarded-For` when
    /// `forwarded` gives one) end with a 429.
    async fn limited_after_burst(
        &self,
        peer: &str,
        forwarded: impl Fn(u32) -> Option<String>,
    ) -> bool {
        let mut last = StatusCode::OK;
        for i in 0..=BURST {
            last = self
                .get_from(ENTITIES, peer, forwarded(i).as_deref())
                .await
                .status();
        }
        last == StatusCode::TOO_MANY_REQUESTS
    }
}

async fn json_of(response: Response) -> Value {
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// `Retry-After` in whole seconds.
fn retry_after(response: &Response) -> u64 {
    response.headers()[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn a_burst_over_the_rate_is_429_with_retry_after_in_each_areas_format() {
    let app = app(|_| {});
    let peer = "192.0.2.10:5000";
    for _ in 0..BURST {
        assert_eq!(
            app.get_from(ENTITIES, peer, None).await.status(),
            StatusCode::OK
        );
    }
    let refused = app.get_from(ENTITIES, peer, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry_after(&refused)), "one a minute");
    assert_eq!(refused.headers()[header::CONTENT_TYPE], "application/json");
    let problem = json_of(refused).await;
    assert_eq!(problem["status"], 429, "NGSI-LD ProblemDetails: {problem}");
    assert!(problem["type"].is_string() && problem["title"].is_string());

    // Each area has its own bucket: the geocoder and the tiles still have their burst.
    for _ in 0..BURST {
        let answered = app.get_from("/geocode/search?q=rue", peer, None).await;
        assert_ne!(answered.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let refused = app.get_from("/geocode/search?q=rue", peer, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
    assert_eq!(
        refused.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem = json_of(refused).await;
    assert_eq!(problem["code"], "too_many_requests", "{problem}");
    assert_eq!(problem["status"], 429);

    for _ in 0..BURST {
        let tile = app.get_from("/tiles/1/0/0.png", peer, None).await;
        assert_eq!(tile.status(), StatusCode::OK);
    }
    let refused = app.get_from("/tiles/1/0/0.png", peer, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);

    // Another client is not held back, and the non-anonymous areas have no such rate.
    let other = app.get_from(ENTITIES, "192.0.2.11:5000", None).await;
    assert_eq!(other.status(), StatusCode::OK);
    for _ in 0..=BURST {
        let session = app.get_from("/api/v1/session", peer, None).await;
        assert_eq!(session.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64() {
    let app = app(|_| {});
    for i in 0..BURST {
        let peer = format!("[2001:db8:1:2::{}]:5000", i + 1);
        assert_eq!(
            app.get_from(ENTITIES, &peer, None).await.status(),
            StatusCode::OK
        );
    }
    let same_64 = app
        .get_from(ENTITIES, "[2001:db8:1:2:ffff:ffff:ffff:ffff]:5000", None)
        .await;
    assert_eq!(same_64.status(), StatusCode::TOO_MANY_REQUESTS);
    let next_64 = app.get_from(ENTITIES, "[2001:db8:1:3::1]:5000", None).await;
    assert_eq!(next_64.status(), StatusCode::OK);
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    // Loopback is trusted by default: behind a local proxy, each forwarded client has its
    // own bucket, and one forwarded client its one.
    let local = app(|_| {});
    let each_its_own = |i| Some(format!("198.51.100.{}", i + 1));
    assert!(
        !local
            .limited_after_burst("127.0.0.1:5000", each_its_own)
            .await
    );
    let one = |_| Some("198.51.100.200".to_owned());
    assert!(local.limited_after_burst("127.0.0.1:5000", one).await);

    // From any other peer the header is the client's own say, and is ignored.
    assert!(
        local
            .limited_after_burst("192.0.2.20:5000", each_its_own)
            .await
    );

    // A configured proxy is trusted, and loopback no longer is.
    let proxied = app(|s| {
        s.trusted_proxies = TrustedProxies::new(vec![parse_range("192.0.2.0/28").expect("cidr")]);
    });
    assert!(
        !proxied
            .limited_after_burst("192.0.2.5:5000", each_its_own)
            .await
    );
    assert!(
        proxied
            .limited_after_burst("127.0.0.1:5000", each_its_own)
            .await
    );
}

#[tokio::test]
async fn the_default_rate_lets_a_map_start_from_one_client() {
    // A map's first view at --scale 10 on a large screen: a count per area, layer and state
    // (some 500 by the grid's reckoning), and its tiles, all from one browser on loopback.
    let app = app(|s| s.anonymous_rate = Settings::new("", "").anonymous_rate);
    for i in 0..800 {
        let response = app.get_from(ENTITIES, "127.0.0.1:5000", None).await;
        assert_eq!(response.status(), StatusCode::OK, "request {i}");
    }
    for i in 0..100 {
        let response = app
            .get_from("/tiles/1/0/0.png", "127.0.0.1:5000", None)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "tile {i}");
    }
}
