//! NGSI-LD subscriptions (ETSI GS CIM 009 v1.9, 5.2.12 and 5.8): what a subscriber asks to be
//! notified of, and where. A server reads a body with [`read_subscription`] (unknown members
//! ignored, read-only ones such as `status` or `timesSent` dropped when they do not read),
//! checks it with [`Subscription::validate`], and writes it back with only the members it has.
//!
//! `q` and `geoQ` are checked by the query parsers of [`super::query`] (one reading of `q` for
//! `GET entities` and for subscriptions); a server evaluates them with
//! [`super::query::Expr::matches`].

use serde::{Deserialize, Deserializer, Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::{
    ErrorType, ProblemDetails,
    query::{GeoQuery, QueryError, parse_geo, parse_q},
    write::is_uri,
};
use crate::datetime::Timestamp;

/// Where subscriptions are managed, under a broker's base URL.
pub const SUBSCRIPTIONS_PATH: &str = "/ngsi-ld/v1/subscriptions";

/// A Subscription (5.2.12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// A URI; the server names it when the body does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `Subscription`.
    #[serde(rename = "type", default = "subscription_type")]
    pub kind: String,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_name: Option<String>,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which entities: by type, and optionally id or id pattern.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<EntitySelector>,
    /// Notify when one of these attributes is in a change (a name or a list is read).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub watched_attributes: Vec<String>,
    /// An NGSI-LD query (4.9) the entity must satisfy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// A geo-query (4.10) the entity must satisfy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo_q: Option<GeoQ>,
    /// What is sent, and where.
    #[serde(default)]
    pub notification: NotificationParams,
    /// `false`: paused.
    #[serde(default = "yes")]
    pub is_active: bool,
    /// Read-only: what the server makes of `isActive` and `expiresAt`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub status: Option<SubscriptionStatus>,
    /// RFC 3339: no notification after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// At most one notification every this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttling: Option<f64>,
}

fn subscription_type() -> String {
    "Subscription".to_owned()
}

fn yes() -> bool {
    true
}

/// One entry of `entities` (an EntitySelector, 5.2.33).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitySelector {
    /// The entity type (short name or IRI).
    #[serde(rename = "type", default)]
    pub entity_type: String,
    /// This entity only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Entities whose id matches this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_pattern: Option<String>,
}

/// A subscription's geo-query (5.2.13): the members of `GET entities`' geo-query parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeoQ {
    /// `Point`, `Polygon` or `MultiPolygon`.
    #[serde(default)]
    pub geometry: String,
    /// A JSON array, or the same written as text (as a query string gives it).
    #[serde(default)]
    pub coordinates: Value,
    /// `near;maxDistance==M`, `within`, …
    #[serde(default)]
    pub georel: String,
    /// The GeoProperty tested (`location` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geoproperty: Option<String>,
}

impl GeoQ {
    /// The contract's [`GeoQuery`], read by the same parser as `GET entities`' parameters.
    pub fn parse(&self) -> Result<GeoQuery, QueryError> {
        let coordinates = match &self.coordinates {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        parse_geo(
            Some(&self.georel),
            Some(&self.geometry),
            Some(&coordinates),
            self.geoproperty
                .as_deref()
                .map(|p| super::query::compact(p).to_owned()),
        )
        .and_then(|geo| {
            // All three are given, so the parser never answers "no geo-query".
            geo.ok_or_else(|| QueryError::InvalidRequest("geoQ is incomplete".into()))
        })
    }
}

/// `notification` (5.2.14): what a notification holds, where it goes, and (read-only) how the
/// sending went.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationParams {
    /// Only these attributes (all when empty).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub attributes: Vec<String>,
    /// `normalized` (the default), `keyValues` or `concise`; see [`Format::parse`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Where and how to send.
    #[serde(default)]
    pub endpoint: Endpoint,
    /// Read-only: whether the last notification was delivered.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub status: Option<NotificationStatus>,
    /// Read-only: notifications sent (each attempt counts).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub times_sent: Option<u64>,
    /// Read-only (as the two below, RFC 3339): when the last one was sent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub last_notification: Option<String>,
    /// When one was last delivered.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub last_success: Option<String>,
    /// When one last failed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub last_failure: Option<String>,
}

impl NotificationParams {
    /// The members only a server writes, emptied (what a client sent of them means nothing).
    pub fn clear_read_only(&mut self) {
        self.status = None;
        self.times_sent = None;
        self.last_notification = None;
        self.last_success = None;
        self.last_failure = None;
    }
}

/// `endpoint` (5.2.15).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The absolute URI notifications are POSTed to.
    #[serde(default)]
    pub uri: String,
    /// `application/json` (the default) or `application/ld+json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<String>,
}

impl Endpoint {
    /// Whether the notifications ask for JSON-LD (`@context` in the body).
    pub fn wants_json_ld(&self) -> bool {
        self.accept
            .as_deref()
            .is_some_and(|a| a.trim().eq_ignore_ascii_case(super::JSON_LD_MEDIA_TYPE))
    }

    /// `http` or `https` (lower case) for an absolute URI with a host, else `None`.
    pub fn scheme(&self) -> Option<&'static str> {
        let (scheme, rest) = self.uri.split_once("://")?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty()
            || self
                .uri
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return None;
        }
        match scheme.to_ascii_lowercase().as_str() {
            "http" => Some("http"),
            "https" => Some("https"),
            _ => None,
        }
    }
}

/// The representation of the entities in a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The entities as stored (`type`, `value`, metadata).
    #[default]
    Normalized,
    /// Each attribute reduced to its value.
    KeyValues,
    /// Normalized without what can be inferred: no attribute `type`, a lone value bare.
    Concise,
}

impl Format {
    /// `normalized`, `keyValues` (or its alias `simplified`), `concise`; `None` unless given.
    pub fn parse(text: Option<&str>) -> Option<Format> {
        match text {
            None | Some("normalized") => Some(Format::Normalized),
            Some("keyValues" | "simplified") => Some(Format::KeyValues),
            Some("concise") => Some(Format::Concise),
            Some(_) => None,
        }
    }
}

/// A subscription's `status` (5.2.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionStatus {
    /// Notified.
    Active,
    /// `isActive: false`.
    Paused,
    /// `expiresAt` has passed.
    Expired,
}

/// `notification.status` (5.2.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NotificationStatus {
    /// The last notification was delivered.
    Ok,
    /// The last notification failed.
    Failed,
}

/// A value that reads as `T`, or nothing: read-only members a client may echo in any shape.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// A name, or a list of names.
fn one_or_many<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(name)) => vec![name],
        Some(OneOrMany::Many(names)) => names,
    })
}

fn bad_data(detail: impl Into<String>) -> ProblemDetails {
    ProblemDetails::new(ErrorType::BadRequestData, detail)
}

/// Reads a subscription body (not yet validated); 400 BadRequestData when it does not read.
pub fn read_subscription(body: &Value) -> Result<Subscription, ProblemDetails> {
    if !body.is_object() {
        return Err(bad_data("a subscription is a JSON object"));
    }
    serde_json::from_value(body.clone()).map_err(|e| bad_data(format!("invalid subscription: {e}")))
}

impl Subscription {
    /// The spec's BadRequestData checks (5.8.1): a type of `Subscription`, a URI id, entities
    /// or watched attributes, an absolute http(s) endpoint, a known format, a `q` and a `geoQ`
    /// that parse, a date-time `expiresAt`, a positive `throttling`.
    pub fn validate(&self) -> Result<(), ProblemDetails> {
        if self.kind != "Subscription" {
            return Err(bad_data("a subscription has \"type\": \"Subscription\""));
        }
        if let Some(id) = &self.id
            && !is_uri(id)
        {
            return Err(bad_data(format!("{id:?} is not a URI")));
        }
        if self.entities.is_empty() && self.watched_attributes.is_empty() {
            return Err(bad_data(
                "a subscription needs entities or watchedAttributes",
            ));
        }
        for selector in &self.entities {
            if selector.entity_type.trim().is_empty() {
                return Err(bad_data("each of entities has a type"));
            }
            if let Some(id) = &selector.id
                && !is_uri(id)
            {
                return Err(bad_data(format!("entities: {id:?} is not a URI")));
            }
        }
        let names = self
            .watched_attributes
            .iter()
            .chain(&self.notification.attributes);
        if names.into_iter().any(|n| n.trim().is_empty()) {
            return Err(bad_data("an attribute name is empty"));
        }
        if let Some(q) = &self.q {
            parse_q(q).map_err(|e| bad_data(format!("invalid q: {}", detail(e))))?;
        }
        if let Some(geo) = &self.geo_q {
            geo.parse()
                .map_err(|e| bad_data(format!("invalid geoQ: {}", detail(e))))?;
        }
        if self.notification.endpoint.scheme().is_none() {
            return Err(bad_data(
                "notification.endpoint.uri must be an absolute http URI",
            ));
        }
        if Format::parse(self.notification.format.as_deref()).is_none() {
            return Err(bad_data(
                "notification.format is normalized, keyValues or concise",
            ));
        }
        if let Some(at) = &self.expires_at {
            Timestamp::parse(at).map_err(|e| bad_data(format!("expiresAt: {e}")))?;
        }
        if let Some(seconds) = self.throttling
            && !(seconds.is_finite() && seconds > 0.0)
        {
            return Err(bad_data("throttling is a positive number of seconds"));
        }
        Ok(())
    }

    /// The subscription with the members of a fragment (5.8.2: each one given replaces the
    /// stored one), read-only members dropped; `id` and `type` stay. Not yet validated.
    pub fn with_fragment(&self, fragment: &Value) -> Result<Subscription, ProblemDetails> {
        let Value::Object(members) = fragment else {
            return Err(bad_data("a subscription fragment is a JSON object"));
        };
        if let Some(id) = members.get("id")
            && id.as_str() != self.id.as_deref()
        {
            return Err(bad_data("a fragment cannot change the subscription's id"));
        }
        let Ok(Value::Object(mut merged)) = serde_json::to_value(self) else {
            return Err(bad_data("the stored subscription does not serialise"));
        };
        for (name, value) in members {
            if matches!(name.as_str(), "id" | "type" | "@context" | "status") {
                continue;
            }
            if value.is_null() {
                merged.remove(name);
            } else {
                merged.insert(name.clone(), value.clone());
            }
        }
        let mut updated = read_subscription(&Value::Object(merged))?;
        updated.status = None;
        updated.notification.clear_read_only();
        Ok(updated)
    }
}

fn detail(error: QueryError) -> String {
    match error {
        QueryError::InvalidRequest(d)
        | QueryError::BadRequestData(d)
        | QueryError::TooManyResults(d) => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Value {
        json!({
            "id": "urn:ngsi-ld:Subscription:bins",
            "type": "Subscription",
            "entities": [{"type": "WasteContainer"}],
            "watchedAttributes": "fillingLevel",
            "q": "fillingLevel>0.9",
            "geoQ": {"geometry": "Point", "coordinates": [0.68, 47.39], "georel": "near;maxDistance==500"},
            "notification": {
                "attributes": ["fillingLevel"],
                "format": "keyValues",
                "endpoint": {"uri": "http://127.0.0.1:9000/notify", "accept": "application/json"},
                "timesSent": "many",
                "status": "ok"
            },
            "throttling": 5,
            "@context": "https://smartdatamodels.org/context.jsonld"
        })
    }

    fn reason(body: Value) -> String {
        let problem = read_subscription(&body)
            .and_then(|s| s.validate())
            .expect_err("refused");
        assert_eq!(problem.error_type, ErrorType::BadRequestData);
        problem.detail.unwrap_or_default()
    }

    #[test]
    fn a_full_body_reads_validates_and_writes_back_only_its_members() {
        let s = read_subscription(&body()).expect("reads");
        s.validate().expect("valid");
        assert_eq!(s.watched_attributes, ["fillingLevel"]);
        assert_eq!(
            s.notification.times_sent, None,
            "a bad read-only member is dropped"
        );
        assert_eq!(s.notification.status, Some(NotificationStatus::Ok));
        assert!(s.is_active);
        assert_eq!(
            Format::parse(s.notification.format.as_deref()),
            Some(Format::KeyValues)
        );
        let geo = s.geo_q.as_ref().expect("geoQ").parse().expect("parses");
        assert!(matches!(geo.georel, super::super::GeoRel::Near { .. }));
        let written = serde_json::to_value(&s).expect("serialises");
        assert_eq!(written["watchedAttributes"], json!(["fillingLevel"]));
        assert!(written.get("@context").is_none() && written.get("expiresAt").is_none());
        assert_eq!(read_subscription(&written).expect("reads back"), s);
    }

    #[test]
    fn bad_subscriptions_get_bad_request_data_reasons() {
        let with = |f: &dyn Fn(&mut Value)| {
            let mut b = body();
            f(&mut b);
            reason(b)
        };
        assert!(
            with(&|b| {
                b.as_object_mut().map(|o| o.remove("entities"));
                b.as_object_mut().map(|o| o.remove("watchedAttributes"));
            })
            .contains("entities or watchedAttributes")
        );
        assert!(
            with(&|b| b["notification"]["endpoint"]["uri"] = json!("/relative"))
                .contains("absolute")
        );
        assert!(
            with(&|b| b["notification"]["endpoint"]["uri"] = json!("mqtt://broker"))
                .contains("absolute")
        );
        assert!(with(&|b| b["notification"]["format"] = json!("xml")).contains("format"));
        assert!(with(&|b| b["q"] = json!("fillingLevel>>")).contains("invalid q"));
        assert!(with(&|b| b["geoQ"]["georel"] = json!("beside")).contains("invalid geoQ"));
        assert!(with(&|b| b["id"] = json!("not a uri")).contains("URI"));
        assert!(with(&|b| b["type"] = json!("Entity")).contains("Subscription"));
        assert!(with(&|b| b["expiresAt"] = json!("tomorrow")).contains("expiresAt"));
        assert!(with(&|b| b["throttling"] = json!(0)).contains("throttling"));
        assert!(with(&|b| b["entities"] = json!([{"id": "urn:a"}])).contains("type"));
        assert!(reason(json!([1])).contains("object"));
        // https is a valid endpoint for the contract; a server may refuse it for itself.
        let mut https = read_subscription(&body()).expect("reads");
        https.notification.endpoint.uri = "https://example.org/n".into();
        https.validate().expect("valid");
        assert_eq!(https.notification.endpoint.scheme(), Some("https"));
    }

    #[test]
    fn a_fragment_replaces_its_members_and_keeps_the_id() {
        let s = read_subscription(&body()).expect("reads");
        let patched = s
            .with_fragment(&json!({"isActive": false, "q": null, "throttling": 10,
                                   "notification": {"endpoint": {"uri": "http://h/n"}}}))
            .expect("merges");
        assert!(!patched.is_active);
        assert_eq!(patched.q, None);
        assert_eq!(patched.throttling, Some(10.0));
        assert_eq!(patched.notification.endpoint.uri, "http://h/n");
        assert_eq!(patched.notification.status, None);
        assert_eq!(patched.id, s.id);
        assert!(s.with_fragment(&json!({"id": "urn:other"})).is_err());
        assert!(s.with_fragment(&json!([])).is_err());
    }
}
