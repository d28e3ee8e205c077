//! The platform as the relay of a town's own NGSI-LD broker (Orion-LD, Stellio, Scorpio): when
//! the town's `config.json` points the app at that broker, the maps still follow the platform's
//! live stream. The platform subscribes to the broker (an NGSI-LD Subscription, CIM 009 5.8)
//! for the layers' entity types, receives its HTTP notifications at [`UPSTREAM_PATH`], and fans
//! them out to the open maps through the same hub as its own writes: the same app code either
//! way.
//!
//! The broker reaches the platform at `callback` (`--relay-callback`), with a key made at start
//! in the notification address: a notification without it is refused. The subscription is
//! created again when the broker lost it (a broker restarted without its database).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use quartier_api::ngsi_ld::live::{is_deleted, parse_notification};
use quartier_api::ngsi_ld::write::{self, BodyType, RequestContext};
use quartier_api::ngsi_ld::{ErrorType, ProblemDetails, parse_link_context};
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::live::Committed;
use crate::state::AppState;

/// Where the upstream broker sends its notifications.
pub const UPSTREAM_PATH: &str = "/api/v1/live/upstream";
/// The id of the platform's subscription at the broker (one per platform).
pub const SUBSCRIPTION_ID: &str = "urn:ngsi-ld:Subscription:quartier-live-relay";
/// How often the subscription is checked (and made again if the broker lost it).
const CHECK_EVERY: Duration = Duration::from_secs(60);
/// The longest wait between two attempts to subscribe.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Each request to the broker gives up after this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// `--relay-upstream` and what goes with it.
#[derive(Clone, PartialEq)]
pub struct RelaySettings {
    /// The broker's NGSI-LD API, `http://broker:1026/ngsi-ld/v1`.
    pub upstream: String,
    /// Where the broker reaches this platform, `http://quartier.internal:8080`.
    pub callback: String,
    /// The entity types followed (the layers of the app's `config.json` unless given).
    pub types: Vec<String>,
    /// The `@context` of the town's data at the broker (sent as a `Link` header), so that
    /// short type names mean what they mean there; none: the core context.
    pub context: Option<String>,
    /// A bearer token for the broker, if it wants one.
    pub token: Option<String>,
    /// Proves that a notification comes from the broker this platform subscribed to.
    pub key: String,
}

/// Without its secrets: settings may be logged.
impl std::fmt::Debug for RelaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelaySettings")
            .field("upstream", &self.upstream)
            .field("callback", &self.callback)
            .field("types", &self.types)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl RelaySettings {
    /// A new key for this run: 32 random bytes, hex.
    pub fn new_key() -> String {
        let bytes: [u8; 32] = rand::random();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The notification address given to the broker.
    fn endpoint(&self) -> String {
        format!(
            "{}{UPSTREAM_PATH}?key={}",
            self.callback.trim_end_matches('/'),
            self.key
        )
    }

    /// The Subscription sent to the broker (`application/json`, its context in `Link`).
    pub fn subscription(&self) -> Value {
        json!({
            "id": SUBSCRIPTION_ID,
            "type": "Subscription",
            "description": "Quartier: the town's changes, relayed to the residents' open maps",
            "entities": self.types.iter().map(|t| json!({"type": t})).collect::<Vec<_>>(),
            "notification": {
                "format": "normalized",
                "endpoint": {"uri": self.endpoint(), "accept": "application/json"},
            },
        })
    }
}

/// The entity types of the layers of the app's `config.json` in `dist`, in its order.
pub fn layer_types(config_json: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct Config {
        #[serde(default)]
        layers: Vec<Layer>,
    }
    #[derive(Deserialize)]
    struct Layer {
        #[serde(rename = "type")]
        entity_type: String,
    }
    serde_json::from_str::<Config>(config_json)
        .map(|c| c.layers.into_iter().map(|l| l.entity_type).collect())
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub struct KeyQuery {
    #[serde(default)]
    key: String,
}

fn problem(status: StatusCode, kind: ErrorType, detail: &str) -> AppError {
    AppError::Ngsi(ProblemDetails {
        status: Some(status.as_u16()),
        ..ProblemDetails::new(kind, detail)
    })
}

/// `POST /api/v1/live/upstream?key=…`: a notification of the upstream broker, published to the
/// open maps. 204; 404 when the platform relays no broker; 401 without the right key; 400 for
/// a body that is no Notification (nothing of it is published).
pub async fn receive(
    State(state): State<AppState>,
    Query(query): Query<KeyQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(relay) = state.settings.relay.as_ref() else {
        return Err(problem(
            StatusCode::NOT_FOUND,
            ErrorType::ResourceNotFound,
            "this platform relays no upstream broker",
        ));
    };
    if !bool::from(query.key.as_bytes().ct_eq(relay.key.as_bytes())) {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            ErrorType::Other("about:blank".into()),
            "a notification carries the key of the subscription's address",
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        problem(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequest,
            "the body is not UTF-8",
        )
    })?;
    let notification = parse_notification(text).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            ErrorType::BadRequestData,
            &e.to_string(),
        )
    })?;
    let link = headers
        .get_all(header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(parse_link_context);
    let at = crate::auth::clock::rfc3339(state.auth.clock.now());
    let changes = committed(&notification.data, link.as_deref()).map_err(AppError::Ngsi)?;
    state.live.publish(changes, &at);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The notified entities as the hub takes them: short names under the broker's context, a
/// deleted one (`deletedAt`) without attributes. One that cannot be read fails them all: the
/// broker sees the error in its subscription's status.
fn committed(data: &[Value], link: Option<&str>) -> Result<Committed, ProblemDetails> {
    data.iter()
        .map(|item| {
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
            if is_deleted(item) {
                let (Some(id), Some(entity_type)) = (text("id"), text("type")) else {
                    return Err(ProblemDetails::new(
                        ErrorType::BadRequestData,
                        "a deleted entity names its id and type",
                    ));
                };
                return Ok((id, entity_type, None));
            }
            // A JSON-LD notification carries the context in each entity (or not at all).
            let inline = item.get("@context");
            let kind = if inline.is_some() {
                BodyType::JsonLd
            } else {
                BodyType::Json
            };
            let context = RequestContext::of_request(kind, inline, link)?;
            let mut item = item.clone();
            if let Some(object) = item.as_object_mut() {
                // Kept by the broker, not by the entity's state.
                for system in ["createdAt", "modifiedAt"] {
                    object.remove(system);
                }
            }
            let entity = write::new_entity(&item, &context)?;
            Ok((entity.id, entity.entity_type, Some(entity.data)))
        })
        .collect()
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// What the broker answered.
struct Answer {
    status: u16,
}

async fn send(
    client: &HttpClient,
    relay: &RelaySettings,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Answer, String> {
    let mut request = hyper::Request::builder().method(method).uri(url);
    if let Some(token) = &relay.token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(context) = &relay.context {
        request = request.header(
            header::LINK,
            format!(
                "<{context}>; rel=\"{}\"; type=\"application/ld+json\"",
                quartier_api::ngsi_ld::JSON_LD_CONTEXT_REL
            ),
        );
    }
    let bytes = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    let request = request.body(Full::new(bytes)).map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(REQUEST_TIMEOUT, client.request(request))
        .await
        .map_err(|_| "no answer in time".to_owned())?
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    // Read to the end, so the connection can be used again.
    let _ = response.into_body().collect().await;
    Ok(Answer { status })
}

/// Makes sure the broker holds the subscription: created, or replaced when it exists (its
/// address holds this run's key). `Ok(false)` when the broker refused it.
async fn subscribe(client: &HttpClient, relay: &RelaySettings) -> Result<bool, String> {
    let base = relay.upstream.trim_end_matches('/');
    let subscription = relay.subscription();
    let created = send(
        client,
        relay,
        "POST",
        &format!("{base}/subscriptions"),
        Some(&subscription),
    )
    .await?;
    match created.status {
        201 => Ok(true),
        // Left by an earlier run: its address has an old key.
        409 => {
            let mut fragment = subscription;
            if let Some(object) = fragment.as_object_mut() {
                object.remove("id");
                object.remove("type");
            }
            let id = percent_encode(SUBSCRIPTION_ID);
            let updated = send(
                client,
                relay,
                "PATCH",
                &format!("{base}/subscriptions/{id}"),
                Some(&fragment),
            )
            .await?;
            Ok((200..300).contains(&updated.status))
        }
        status => {
            tracing::warn!(
                status,
                "the upstream broker refused the relay's subscription"
            );
            Ok(false)
        }
    }
}

/// Whether the broker still holds the subscription (`Err`: it could not be asked).
async fn still_subscribed(client: &HttpClient, relay: &RelaySettings) -> Result<bool, String> {
    let base = relay.upstream.trim_end_matches('/');
    let id = percent_encode(SUBSCRIPTION_ID);
    let answer = send(
        client,
        relay,
        "GET",
        &format!("{base}/subscriptions/{id}"),
        None,
    )
    .await?;
    Ok(answer.status != 404)
}

fn percent_encode(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Keeps the platform subscribed to the upstream broker for as long as it runs: tries until
/// the broker takes the subscription (1 s, doubling, at most a minute apart), then checks it
/// every minute. Never ends, never panics; every failure is logged.
pub async fn run(relay: RelaySettings) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut backoff = Duration::from_secs(1);
    loop {
        match subscribe(&client, &relay).await {
            Ok(true) => {
                tracing::info!(upstream = %relay.upstream, types = ?relay.types, "relaying the upstream broker's changes");
                backoff = Duration::from_secs(1);
                loop {
                    tokio::time::sleep(CHECK_EVERY).await;
                    match still_subscribed(&client, &relay).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!("the upstream broker lost the relay's subscription");
                            break;
                        }
                        Err(error) => tracing::warn!(%error, "cannot reach the upstream broker"),
                    }
                }
            }
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "cannot reach the upstream broker"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay() -> RelaySettings {
        RelaySettings {
            upstream: "http://broker:1026/ngsi-ld/v1".into(),
            callback: "http://quartier:8080/".into(),
            types: vec!["Streetlight".into(), "WasteContainer".into()],
            context: None,
            token: None,
            key: "k3y".into(),
        }
    }

    #[test]
    fn the_subscription_names_the_layers_and_the_address_with_its_key() {
        let s = relay().subscription();
        assert_eq!(s["id"], SUBSCRIPTION_ID);
        assert_eq!(s["entities"][1]["type"], "WasteContainer");
        assert_eq!(
            s["notification"]["endpoint"]["uri"],
            "http://quartier:8080/api/v1/live/upstream?key=k3y"
        );
    }

    #[test]
    fn the_layers_are_read_from_the_apps_config() {
        let config =
            r##"{"layers": [{"type": "Streetlight", "color": "#b45309"}, {"type": "GtfsStop"}]}"##;
        assert_eq!(layer_types(config), vec!["Streetlight", "GtfsStop"]);
        assert!(layer_types("not json").is_empty());
    }

    #[test]
    fn keys_are_long_and_differ() {
        let (a, b) = (RelaySettings::new_key(), RelaySettings::new_key());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn notified_entities_become_changes_and_a_deletion_has_no_attributes() {
        let data = vec![
            json!({"id": "urn:ngsi-ld:Streetlight:1", "type": "Streetlight",
                   "status": {"type": "Property", "value": "defectiveLamp"},
                   "modifiedAt": "2026-12-02T10:00:00Z"}),
            json!({"id": "urn:ngsi-ld:Streetlight:2", "type": "Streetlight",
                   "deletedAt": "2026-12-02T10:00:00Z"}),
        ];
        let changes = committed(&data, None).unwrap();
        assert_eq!(changes.len(), 2);
        let (id, entity_type, stored) = &changes[0];
        assert_eq!(
            (id.as_str(), entity_type.as_str()),
            ("urn:ngsi-ld:Streetlight:1", "Streetlight")
        );
        let stored = stored.as_ref().unwrap();
        assert_eq!(stored["status"]["value"], "defectiveLamp");
        assert!(stored.get("modifiedAt").is_none());
        assert!(changes[1].2.is_none());
    }

    #[test]
    fn an_entity_without_a_type_fails_the_notification() {
        let data = vec![json!({"id": "urn:ngsi-ld:Streetlight:1"})];
        assert!(committed(&data, None).is_err());
    }
}
