//! Timings over the demo town at `--scale 10` (about 120 000 streetlights): ignored by default
//! because seeding takes a while; run with
//! `cargo test -p quartier-platform --test scale -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use quartier_platform::{AppState, Settings, build_router};
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "seeds the demo at scale 10; a measurement, run by hand"]
async fn one_attribute_q_at_scale_10() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        demo: true,
        scale: 10,
        ..Settings::new(dir.path().join("data"), dir.path().join("dist"))
    };
    let started = Instant::now();
    let state = AppState::new(settings).expect("state");
    println!("seeded scale 10 in {:?}", started.elapsed());
    let router = build_router(state);
    for uri in [
        "/ngsi-ld/v1/entities?type=Streetlight&limit=1&count=true",
        "/ngsi-ld/v1/entities?type=Streetlight&q=status==%22defectiveLamp%22&limit=100&count=true",
        "/ngsi-ld/v1/entities?type=Streetlight&q=status==%22defectiveLamp%22,%22columnIssue%22&limit=100&count=true",
        "/ngsi-ld/v1/entities?type=WasteContainer&q=fillingLevel%3E0.9&limit=100&count=true",
        "/ngsi-ld/v1/entities?type=Streetlight&limit=1000",
    ] {
        let mut times = Vec::new();
        let mut count = String::new();
        for _ in 0..7 {
            let started = Instant::now();
            let response = router
                .clone()
                .oneshot(
                    Request::get(uri)
                        .header(header::ACCEPT, "application/geo+json")
                        .body(Body::empty())
                        .expect("request"),
                )
                .await
                .expect("response");
            assert_eq!(response.status(), StatusCode::OK, "{uri}");
            count = response
                .headers()
                .get("NGSILD-Results-Count")
                .map(|v| v.to_str().unwrap_or_default().to_owned())
                .unwrap_or_default();
            let _ = response.into_body().collect().await.expect("body");
            times.push(started.elapsed());
        }
        times.sort();
        let median: Duration = times[times.len() / 2];
        println!(
            "{uri}: median {median:?}, max {:?}, count {count}",
            times[times.len() - 1]
        );
    }
}
