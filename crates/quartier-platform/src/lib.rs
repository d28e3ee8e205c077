//! Quartier's reference platform: the NGSI-LD, Open311 and resident APIs over SQLite, the map
//! tiles, and the built app, behind one router that tests drive with `oneshot`.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod auth;
pub mod client;
pub mod db;
pub mod demo;
pub mod error;
pub mod faults;
pub mod limits;
pub mod live;
pub mod rate;
pub mod relay;
pub mod routes;
pub mod security;
pub mod simulate;
pub mod staff;
pub mod state;
pub mod static_files;
pub mod subscriptions;
pub mod tokens;
pub mod town;
pub mod writers;

use std::time::Duration;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{Extensions, HeaderMap, StatusCode, Version, header},
    middleware,
};
use tower_http::{
    compression::{CompressionLayer, Predicate, predicate::SizeAbove},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

pub use error::AppError;
pub use state::{AppState, Settings};

/// Largest request body an extractor accepts. A route that takes photos raises it for itself with
/// its own `DefaultBodyLimit` layer.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The last resort for what no API area's deadline covers (static files): a request that takes
/// longer is answered 408 and dropped. API requests have their own, shorter deadline
/// ([`Settings::request_deadline`]) answered in their own error format.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole platform. Layers, from the outside in: security headers (so they are on every
/// response, errors included), tracing, timeout, compression, body limit, then the routes.
pub fn build_router(state: AppState) -> Router {
    routes::router(&state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new().compress_when(SizeAbove::new(256).and(compressible)))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::map_response_with_state(
            state.clone(),
            security::apply_headers,
        ))
        .with_state(state)
}

/// An allow-list rather than tower-http's default deny-list: text, JSON and wasm are what the
/// app downloads, and already-compressed formats (PNG tiles, fonts) gain nothing.
fn compressible(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    // A live stream is never compressed: the compressor would hold its events back.
    (essence.starts_with("text/") && essence != "text/event-stream")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/wasm"
                | "application/javascript"
                | "application/xml"
                | "image/svg+xml"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_type(content_type: &'static str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        compressible(
            StatusCode::OK,
            Version::HTTP_11,
            &headers,
            &Extensions::new(),
        )
    }

    #[test]
    fn compresses_what_the_app_downloads_and_skips_images() {
        for yes in [
            "application/wasm",
            "text/javascript",
            "text/css",
            "text/html; charset=utf-8",
            "application/json",
            "application/geo+json",
            "application/problem+json",
            "application/manifest+json",
            "image/svg+xml",
        ] {
            assert!(with_type(yes), "{yes}");
        }
        for no in ["image/png", "font/woff2", "application/octet-stream"] {
            assert!(!with_type(no), "{no}");
        }
        assert!(!compressible(
            StatusCode::OK,
            Version::HTTP_11,
            &HeaderMap::new(),
            &Extensions::new()
        ));
    }
}
