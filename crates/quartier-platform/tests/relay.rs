//! The platform as the relay of a town's own NGSI-LD broker, end to end on loopback: a second
//! platform plays the broker (it has NGSI-LD subscriptions). The relay subscribes to it, the
//! broker notifies the relay over HTTP, and a change written to the broker reaches a map's
//! live stream opened on the relay.

use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use quartier_platform::{
    Settings,
    relay::{self, RelaySettings},
    tokens::TokenAccount,
};
use serde_json::json;

mod support;

const LIGHTING: &str = "lighting-agent-token-0123456789abcdef0123";

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn request(method: &str, url: String, body: Option<String>) -> hyper::Request<Full<Bytes>> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("Authorization", format!("Bearer {LIGHTING}"));
    if body.is_some() {
        request = request.header("Content-Type", "application/ld+json");
    }
    request
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .expect("request")
}

async fn status(client: &HttpClient, request: hyper::Request<Full<Bytes>>) -> u16 {
    let answer = client.request(request).await.expect("answer");
    let status = answer.status().as_u16();
    let _ = answer.into_body().collect().await;
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_at_the_upstream_broker_reaches_a_map_open_on_the_relay() {
    let (broker_dir, relay_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut broker = Settings::new(broker_dir.path().join("data"), broker_dir.path().join("d"));
    broker.ngsi_ld_writers = vec![TokenAccount::new("lighting", LIGHTING, &["Streetlight"])];
    let (broker_at, _broker) = support::serve(broker).await;

    let listener = support::bind().await;
    let relay_at: SocketAddr = listener.local_addr().unwrap();
    let relaying = RelaySettings {
        upstream: format!("http://{broker_at}/ngsi-ld/v1"),
        callback: format!("http://{relay_at}"),
        types: vec!["Streetlight".into()],
        context: None,
        token: Some(LIGHTING.into()),
        key: RelaySettings::new_key(),
    };
    let mut settings = Settings::new(relay_dir.path().join("data"), relay_dir.path().join("d"));
    settings.relay = Some(relaying.clone());
    let (_, _relay) = support::serve_on(listener, settings).await;
    let subscriber = tokio::spawn(relay::run(relaying));

    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    // The relay subscribes at once (the broker is up).
    let subscription = format!(
        "http://{broker_at}/ngsi-ld/v1/subscriptions/{}",
        relay::SUBSCRIPTION_ID.replace(':', "%3A")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while status(&client, request("GET", subscription.clone(), None)).await != 200 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the relay did not subscribe to the broker"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let live = client
        .request(
            hyper::Request::get(format!("http://{relay_at}/api/v1/live?type=Streetlight"))
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .expect("the relay's stream");
    assert_eq!(live.status(), 200);
    let mut stream = live.into_body();
    let lamp = json!([{
        "id": "urn:ngsi-ld:Streetlight:at-the-broker", "type": "Streetlight",
        "status": {"type": "Property", "value": "defectiveLamp"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0.68, 47.39]}},
        "@context": "https://smartdatamodels.org/context.jsonld"
    }]);
    let written = status(
        &client,
        request(
            "POST",
            format!("http://{broker_at}/ngsi-ld/v1/entityOperations/upsert"),
            Some(lamp.to_string()),
        ),
    )
    .await;
    assert!((200..300).contains(&written), "{written}");
    let mut buffer = String::new();
    let entities = support::next_entities(&mut stream, &mut buffer, Duration::from_secs(5)).await;
    assert_eq!(
        entities.len(),
        1,
        "the broker's change did not reach the relay's stream"
    );
    assert_eq!(entities[0]["id"], "urn:ngsi-ld:Streetlight:at-the-broker");
    assert_eq!(entities[0]["status"]["value"], "defectiveLamp");
    subscriber.abort();
}
