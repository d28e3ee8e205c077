//! The demo sensor simulator (`--simulate`) against a real demo platform served on an
//! ephemeral loopback port: within seconds its writes change entities as the public API reads
//! them, and they reach the live stream, which only the NGSI-LD write handlers (behind the
//! writer tokens) publish to.

use std::{
    collections::HashMap,
    net::SocketAddr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use quartier_platform::{
    AppState, Settings,
    demo::{Town, assets},
    simulate,
};
use serde_json::Value;

mod support;

/// Everything the simulator plays.
const TYPES: &str = "Streetlight,WasteContainer,ParkingSpot,OffStreetParking,EVChargingStation,\
                     BikeHireDockingStation,AirQualityObserved";

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

/// A demo platform served on 127.0.0.1:0.
async fn serve(dir: &tempfile::TempDir) -> (SocketAddr, AppState) {
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.demo = true;
    support::serve(settings).await
}

async fn get(client: &HttpClient, address: SocketAddr, path: &str) -> hyper::Response<Incoming> {
    let uri = format!("http://{address}{path}").parse().expect("uri");
    client.get(uri).await.expect("answer")
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_changes_the_town_through_the_write_api_within_seconds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (address, state) = serve(&dir).await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    // What the demo seeded (the levels depend on the seed only, not on the time).
    let seeded: HashMap<String, f64> = assets::generate(Town::demo(), 1, 0)
        .into_iter()
        .filter(|e| e.kind == "WasteContainer")
        .map(|e| {
            let level = e.data["fillingLevel"]["value"].as_f64().expect("level");
            (e.id, level)
        })
        .collect();
    let live = get(&client, address, &format!("/api/v1/live?type={TYPES}")).await;
    assert_eq!(live.status(), 200);
    let mut stream = live.into_body();
    let started = unix_now() - 1;

    let simulator = simulate::spawn(simulate::Config {
        interval: Duration::from_millis(50),
        ..simulate::Config::new(address, &state.settings)
    });

    // Bins report some three times a second in the whole town: wait for one whose level
    // moved from the seed's, and a few changes in all.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut buffer = String::new();
    let mut by_type: HashMap<String, usize> = HashMap::new();
    let mut moved_bin = None;
    while moved_bin.is_none() || by_type.values().sum::<usize>() < 3 {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let entities = support::next_entities(&mut stream, &mut buffer, left).await;
        assert!(
            !entities.is_empty(),
            "the live stream got no change from the simulator in time: {by_type:?}"
        );
        for entity in entities {
            let entity_type = entity["type"].as_str().expect("type").to_owned();
            if entity_type == "WasteContainer" {
                let id = entity["id"].as_str().expect("id");
                let level = entity["fillingLevel"]["value"].as_f64().expect("level");
                assert!((0.0..=1.0).contains(&level), "{level}");
                if seeded.get(id).is_some_and(|seed| *seed != level) {
                    moved_bin = Some(id.to_owned());
                }
            }
            *by_type.entry(entity_type).or_default() += 1;
        }
    }
    simulator.abort();

    // The public API reads the bin as the simulator's sensor reported it: observed now, not
    // at the seed's time (an hour or two ago).
    let id = moved_bin.expect("a bin moved");
    let answer = get(&client, address, &format!("/ngsi-ld/v1/entities/{id}")).await;
    assert_eq!(answer.status(), 200);
    let bin: Value =
        serde_json::from_slice(&answer.into_body().collect().await.expect("body").to_bytes())
            .expect("json");
    let observed = bin["fillingLevel"]["observedAt"]
        .as_str()
        .expect("observedAt");
    assert!(
        observed >= quartier_platform::auth::clock::rfc3339(started).as_str(),
        "{observed} is the seed's, not the simulator's: {bin}"
    );
    assert_ne!(
        bin["fillingLevel"]["value"].as_f64(),
        seeded.get(&id).copied()
    );
}
