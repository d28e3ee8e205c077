//! Low-level requests with gloo-net.

use gloo_net::http::Request;

use crate::config::{CONFIG_PATH, Config, ConfigError};

/// Fetches and validates the town's `config.json`. `no-cache`: a town that changes its
/// configuration must not wait for caches to expire.
pub async fn fetch_config() -> Result<Config, ConfigError> {
    let response = Request::get(CONFIG_PATH)
        .cache(web_sys::RequestCache::NoCache)
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
