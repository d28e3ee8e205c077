//! What several route test files share: a platform served on a real loopback port, and a
//! reader of server-sent events for any HTTP body (`oneshot`'s or a real connection's).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Body, Bytes};
use quartier_api::ngsi_ld::live::{ENTITIES_EVENT, parse_notification};
use quartier_platform::{AppState, Settings, build_router};
use serde_json::Value;

/// A platform served on 127.0.0.1:0, as `main` serves it (seeded off the async threads).
pub async fn serve(settings: Settings) -> (SocketAddr, AppState) {
    let listener = bind().await;
    serve_on(listener, settings).await
}

/// A loopback port, for a platform whose settings need its address.
pub async fn bind() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
}

/// A platform served on `listener`.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    settings: Settings,
) -> (SocketAddr, AppState) {
    let state = tokio::task::spawn_blocking(move || AppState::new(settings).expect("state"))
        .await
        .expect("started");
    let address = listener.local_addr().expect("address");
    let app = build_router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, state)
}

/// One SSE event: its name, id and data (comments skipped).
#[derive(Debug, Default)]
pub struct Sse {
    pub event: String,
    pub id: String,
    pub data: String,
}

/// Reads the next event of a stream, within `within`.
pub async fn next_event<B>(body: &mut B, buffer: &mut String, within: Duration) -> Option<Sse>
where
    B: Body<Data = Bytes> + Unpin,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = Sse::default();
            for line in block.lines() {
                if let Some((field, value)) = line.split_once(':') {
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "event" => event.event = value.to_owned(),
                        "id" => event.id = value.to_owned(),
                        "data" => event.data.push_str(value),
                        _ => {}
                    }
                }
            }
            if event.event.is_empty() && event.data.is_empty() {
                continue;
            }
            return Some(event);
        }
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .ok()??;
        if let Ok(bytes) = frame.ok()?.into_data() {
            buffer.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
}

/// The entities of the stream's next `entities` event, within `within` (none if it does not
/// come).
pub async fn next_entities<B>(body: &mut B, buffer: &mut String, within: Duration) -> Vec<Value>
where
    B: Body<Data = Bytes> + Unpin,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(event) = next_event(body, buffer, left).await else {
            return Vec::new();
        };
        if event.event == ENTITIES_EVENT {
            return parse_notification(&event.data).expect("notification").data;
        }
    }
}
