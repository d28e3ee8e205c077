//! Low-level requests with gloo-net.

use gloo_net::http::Request;

use crate::config::{CONFIG_PATH, Config, ConfigError};

/// Fetches and validates the town's `config.json`. A plain request, so that it takes the
/// response `index.html` preloads while the wasm downloads; freshness comes from the server's
/// `Cache-Control: no-cache` on that file (a town that edits it must not wait for caches).
pub async fn fetch_config() -> Result<Config, ConfigError> {
    let response = Request::get(CONFIG_PATH)
        .send()
        .await
        .map_err(|e| ConfigError::Unreachable(e.to_string()))?;
    if !response.ok() {
        return Err(ConfigError::Status(response.status()));
    }
    let text = response
        .text()
        .await
        .map_err(|e| ConfigError::Unreachable(e.to_string()))?;
    Config::parse(&text)
}
