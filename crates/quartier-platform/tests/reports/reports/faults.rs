//! The fault mode (`--faults`): seeded, API areas only, and a POST whose answer was lost is
//! replayed on retry (its `Idempotency-Key`), never duplicated.

use std::time::{Duration, Instant};

use quartier_platform::faults::{FaultKind, FaultSettings};

use super::support::*;

fn faulty(share: f64, seed: u64, kinds: &[FaultKind]) -> Platform {
    platform_with(|settings| {
        settings.faults = Some(FaultSettings {
            kinds: kinds.to_vec(),
            ..FaultSettings::new(share, seed)
        });
    })
}

/// The same platform (same database) answering without faults: the network is back.
fn calm(platform: &Platform) -> Router {
    build_router(AppState {
        faults: None,
        ..platform.state.clone()
    })
}

/// What a client gets: the status, or `None` when the answer never came whole.
async fn attempt(router: &Router, request: Request<Body>) -> (StatusCode, Option<Vec<u8>>) {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = response.into_body().collect().await.ok();
    (status, body.map(|body| body.to_bytes().to_vec()))
}

fn keyed_report(key: &str) -> Request<Body> {
    let (lat, long) = centre();
    let fields = report_at("lampadaire-eteint", lat, long);
    form_request(
        "/open311/v2/requests.json",
        &pairs(&fields),
        &[("idempotency-key", key)],
    )
}

async fn last_id(platform: &Platform) -> i64 {
    platform
        .state
        .db
        .call(|conn| Ok(conn.query_row("SELECT MAX(id) FROM open311_requests", [], |r| r.get(0))?))
        .await
        .expect("id")
}

#[tokio::test]
async fn a_report_whose_answer_was_lost_is_replayed_on_retry_never_duplicated() {
    let platform = faulty(1.0, 1, &[FaultKind::DropAfterWrite]);
    let before = platform.report_count().await;

    let (_, body) = attempt(&platform.router, keyed_report("report-1")).await;
    assert!(body.is_none(), "the connection dropped: no answer");
    assert_eq!(
        platform.report_count().await,
        before + 1,
        "the write happened"
    );
    let stored = last_id(&platform).await;

    // The app retries with the same key: still faulted, still one report.
    let (_, body) = attempt(&platform.router, keyed_report("report-1")).await;
    assert!(body.is_none());
    assert_eq!(platform.report_count().await, before + 1);

    // A truncated answer, then the network is back: the first answer, replayed.
    let truncating = build_router(AppState {
        faults: faulty(1.0, 1, &[FaultKind::Malformed]).state.faults.clone(),
        ..platform.state.clone()
    });
    let (status, body) = attempt(&truncating, keyed_report("report-1")).await;
    assert_eq!(status, StatusCode::OK);
    let body = body.expect("a body");
    assert!(
        serde_json::from_slice::<Value>(&body).is_err(),
        "truncated JSON"
    );
    assert_eq!(platform.report_count().await, before + 1);

    let replayed = send_to(&calm(&platform), keyed_report("report-1")).await;
    assert_eq!(replayed.status, StatusCode::CREATED, "{}", replayed.text());
    assert_eq!(
        replayed.json()[0]["service_request_id"],
        stored.to_string(),
        "the report stored by the first attempt"
    );
    assert_eq!(
        platform.report_count().await,
        before + 1,
        "exactly one report"
    );

    // A new key is a new report.
    let other = send_to(&calm(&platform), keyed_report("report-2")).await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_eq!(platform.report_count().await, before + 2);
}

#[tokio::test]
async fn faults_follow_the_seed_and_spare_health_and_files() {
    let kinds = [
        FaultKind::ServerError,
        FaultKind::Unavailable,
        FaultKind::Malformed,
    ];
    let statuses = |platform: Platform, with_health: bool| async move {
        let mut seen = Vec::new();
        for _ in 0..30 {
            if with_health {
                // Never faulted, and never drawing from the generator.
                let health = platform.get("/healthz").await;
                assert_eq!(health.status, StatusCode::OK);
                // The app's files and the tiles answer as they do without faults.
                for path in ["/map", "/tiles/14/8223/5853.png"] {
                    let faulted = platform.get(path).await;
                    let without = send_to(
                        &calm(&platform),
                        Request::get(path).body(Body::empty()).expect("request"),
                    )
                    .await;
                    assert_eq!(faulted.status, without.status, "{path}");
                    assert_eq!(faulted.body, without.body, "{path}");
                }
            }
            let reply = platform.get("/open311/v2/services.json").await;
            let parses = serde_json::from_slice::<Value>(&reply.body).is_ok();
            seen.push((reply.status, parses));
        }
        seen
    };
    let first = statuses(faulty(0.5, 42, &kinds), true).await;
    let again = statuses(faulty(0.5, 42, &kinds), false).await;
    let other = statuses(faulty(0.5, 43, &kinds), false).await;
    assert_eq!(first, again, "the same seed, the same faults");
    assert_ne!(first, other);
    for expected in [
        (StatusCode::OK, true),
        (StatusCode::OK, false),
        (StatusCode::INTERNAL_SERVER_ERROR, true),
        (StatusCode::SERVICE_UNAVAILABLE, true),
    ] {
        assert!(first.contains(&expected), "{expected:?} in {first:?}");
    }
}

#[tokio::test]
async fn faulted_errors_are_in_each_areas_format() {
    let unavailable = faulty(1.0, 1, &[FaultKind::Unavailable]);
    let open311 = unavailable.get("/open311/v2/services.json").await;
    assert_eq!(open311.errors(StatusCode::SERVICE_UNAVAILABLE).len(), 1);
    assert_eq!(open311.headers[header::RETRY_AFTER], "1");
    let xml = unavailable.get("/open311/v2/services.xml").await;
    assert!(xml.text().contains("<errors>"), "{}", xml.text());
    let ngsi = unavailable.get("/ngsi-ld/v1/types").await;
    assert_eq!(ngsi.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        ngsi.json()["type"]
            .as_str()
            .expect("type")
            .contains("ngsi-ld")
    );

    let broken = faulty(1.0, 1, &[FaultKind::ServerError]);
    let api = broken.get("/api/v1/consent-purposes").await;
    assert_eq!(api.problem(StatusCode::INTERNAL_SERVER_ERROR), "internal");
    let geocode = broken.get("/geocode/search?q=rue").await;
    assert!(!geocode.status.is_server_error(), "the geocoder is spared");
}

#[tokio::test]
async fn a_delay_then_the_real_answer() {
    let slow = faulty(1.0, 1, &[FaultKind::Delay]);
    let started = Instant::now();
    let reply = slow.get("/open311/v2/services.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.json().as_array().is_some_and(|list| !list.is_empty()));
    let waited = started.elapsed();
    assert!(
        (Duration::from_secs(1)..Duration::from_secs(4)).contains(&waited),
        "{waited:?}"
    );
}

#[test]
fn fault_mode_is_off_by_default() {
    assert_eq!(Settings::new("data", "dist").faults, None);
}
