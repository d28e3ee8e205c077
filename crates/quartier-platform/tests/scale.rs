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

/// p50 and p99 (the max of so few samples) of `times`.
fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement under load, run by hand"]
async fn residents_answer_while_anonymous_heavy_queries_run() {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    };

    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        demo: true,
        ..Settings::new(dir.path().join("data"), dir.path().join("dist"))
    };
    let router = build_router(AppState::new(settings).expect("state"));
    let heavy_q = (0..100)
        .map(|i| format!("status==%22s{i}%22"))
        .collect::<Vec<_>>()
        .join("%7C");
    let heavy = [
        "/ngsi-ld/v1/entities?idPattern=.*BSL.*&type=Streetlight&count=true&limit=1000".to_owned(),
        format!("/ngsi-ld/v1/entities?type=Streetlight&q={heavy_q}&count=true&limit=1000"),
    ];
    let sign_in = || {
        Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"email":"camille.martin@example.org","password":"quartier-demo"}"#,
            ))
            .expect("request")
    };
    let mut idle = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let response = router.clone().oneshot(sign_in()).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        idle.push(started.elapsed());
    }
    let (p50, max) = percentiles(idle);
    println!("sign-in without load: p50 {p50:?}, max {max:?}");
    let stop = Arc::new(AtomicBool::new(false));
    let (answered, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut load = Vec::new();
    for client in 0..16 {
        let (router, stop) = (router.clone(), Arc::clone(&stop));
        let (answered, refused) = (Arc::clone(&answered), Arc::clone(&refused));
        let uri = heavy[client % heavy.len()].clone();
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let response = router
                    .clone()
                    .oneshot(Request::get(&uri).body(Body::empty()).expect("request"))
                    .await
                    .expect("response");
                if response.status().is_success() {
                    answered.fetch_add(1, Ordering::Relaxed);
                } else {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
                let _ = response.into_body().collect().await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (mut sign_ins, mut sessions) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let started = Instant::now();
        let response = router.clone().oneshot(sign_in()).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("pair")
            .to_owned();
        let _ = response.into_body().collect().await;
        sign_ins.push(started.elapsed());
        let started = Instant::now();
        let response = router
            .clone()
            .oneshot(
                Request::get("/api/v1/session")
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let _ = response.into_body().collect().await;
        sessions.push(started.elapsed());
    }
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.expect("joined");
    }
    let (p50, max) = percentiles(sign_ins);
    println!("sign-in under load: p50 {p50:?}, max {max:?}");
    let (p50, max) = percentiles(sessions);
    println!("GET /api/v1/session under load: p50 {p50:?}, max {max:?}");
    println!(
        "heavy anonymous queries meanwhile: {} answered, {} refused (503)",
        answered.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed)
    );
}
