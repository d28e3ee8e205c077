//! A subscription compiled once (names compacted, `idPattern` a regex, `q` and `geoQ` parsed
//! by the contract's parsers) and tested against each committed change; and the entity as
//! the notification shows it.

use std::time::Duration;

use quartier_api::{
    datetime::Timestamp,
    ngsi_ld::{
        ErrorType, ProblemDetails,
        query::{Expr, GeoQuery, View, compact, parse_q},
        subscription::{Format, Subscription, SubscriptionStatus},
    },
};
use regex::{Regex, RegexBuilder};
use serde_json::Value;

use crate::live::Change;
use crate::routes::ngsi_ld::{geo, render};

/// One entry of `entities`.
#[derive(Debug)]
struct Selector {
    entity_type: String,
    id: Option<String>,
    pattern: Option<Regex>,
}

/// What a subscription matches and how its notifications look.
#[derive(Debug)]
pub struct Matcher {
    selectors: Vec<Selector>,
    watched: Vec<String>,
    q: Option<Expr>,
    geo: Option<GeoQuery>,
    /// `notification.attributes` (all when `None`).
    attributes: Option<Vec<String>>,
    format: Format,
    /// `endpoint.accept` is JSON-LD: `@context` in the body.
    pub json_ld: bool,
    pub endpoint: String,
    pub throttling: Option<Duration>,
    is_active: bool,
    expires_at_ms: Option<i64>,
}

fn bad_data(detail: impl Into<String>) -> ProblemDetails {
    ProblemDetails::new(ErrorType::BadRequestData, detail)
}

/// `status` at `now_ms`: expired once `expiresAt` has passed, else paused or active.
pub fn status_of(subscription: &Subscription, now_ms: i64) -> SubscriptionStatus {
    let expired = subscription
        .expires_at
        .as_deref()
        .and_then(|at| Timestamp::parse(at).ok())
        .is_some_and(|at| at.unix_millis() <= now_ms);
    if expired {
        SubscriptionStatus::Expired
    } else if subscription.is_active {
        SubscriptionStatus::Active
    } else {
        SubscriptionStatus::Paused
    }
}

impl Matcher {
    /// A validated subscription compiled; 400 BadRequestData for an `idPattern` that is not a
    /// regex (the contract has no regex engine) or an endpoint this platform cannot reach.
    pub fn compile(subscription: &Subscription) -> Result<Matcher, ProblemDetails> {
        subscription.validate()?;
        let endpoint = &subscription.notification.endpoint;
        if endpoint.scheme() != Some("http") {
            return Err(bad_data(
                "this platform sends notifications over plain http only (it has no TLS \
                 client): give an http:// endpoint, e.g. a relay on the subscriber's side",
            ));
        }
        let selectors = subscription
            .entities
            .iter()
            .map(|s| {
                let pattern = s
                    .id_pattern
                    .as_deref()
                    .map(|p| {
                        // At most 1 MiB compiled, as GET entities' idPattern.
                        RegexBuilder::new(p)
                            .size_limit(1 << 20)
                            .build()
                            .map_err(|e| bad_data(format!("invalid idPattern: {e}")))
                    })
                    .transpose()?;
                Ok(Selector {
                    entity_type: compact(s.entity_type.trim()).to_owned(),
                    id: s.id.clone(),
                    pattern,
                })
            })
            .collect::<Result<Vec<_>, ProblemDetails>>()?;
        let names = |names: &[String]| -> Vec<String> {
            names.iter().map(|n| compact(n.trim()).to_owned()).collect()
        };
        let attributes = &subscription.notification.attributes;
        Ok(Matcher {
            selectors,
            watched: names(&subscription.watched_attributes),
            // Both parsed by `validate` already: no error is left here.
            q: subscription.q.as_deref().and_then(|q| parse_q(q).ok()),
            geo: subscription.geo_q.as_ref().and_then(|g| g.parse().ok()),
            attributes: (!attributes.is_empty()).then(|| names(attributes)),
            format: Format::parse(subscription.notification.format.as_deref()).unwrap_or_default(),
            json_ld: endpoint.wants_json_ld(),
            endpoint: endpoint.uri.clone(),
            throttling: subscription.throttling.map(Duration::from_secs_f64),
            is_active: subscription.is_active,
            expires_at_ms: subscription
                .expires_at
                .as_deref()
                .and_then(|at| Timestamp::parse(at).ok())
                .map(|at| at.unix_millis()),
        })
    }

    /// Active and not expired at `now_ms`.
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.is_active && self.expires_at_ms.is_none_or(|at| at > now_ms)
    }

    /// Whether the change is one to notify. A deletion (`{id, type, deletedAt}`) is not: CIM
    /// 009 v1.9 notifies changes of entities that exist.
    pub fn wants(&self, change: &Change) -> bool {
        let entity = &change.entity;
        if quartier_api::ngsi_ld::live::is_deleted(entity) {
            return false;
        }
        let id = entity.get("id").and_then(Value::as_str).unwrap_or_default();
        let selected = self.selectors.is_empty()
            || self.selectors.iter().any(|s| {
                s.entity_type == change.entity_type
                    && s.id.as_deref().is_none_or(|wanted| wanted == id)
                    && s.pattern.as_ref().is_none_or(|p| p.is_match(id))
            });
        // The change carries the entity as now stored, not which attributes the write named:
        // a watched attribute "in the change" is one the changed entity has.
        let watched =
            self.watched.is_empty() || self.watched.iter().any(|a| entity.get(a).is_some());
        selected
            && watched
            && self.q.as_ref().is_none_or(|q| q.matches(entity))
            && self.geo.as_ref().is_none_or(|g| in_geo(g, entity))
    }

    /// The entity in the asked format, with only the asked attributes (a JSON-LD notification
    /// carries the `@context` once, for all).
    pub fn render(&self, entity: &Value) -> Value {
        let view = View {
            key_values: self.format == Format::KeyValues,
            attrs: self.attributes.clone(),
            geoproperty: "location".to_owned(),
            pick: None,
            omit: None,
            join: None,
            join_level: 1,
            geometry_property: None,
            lang: None,
            dataset_ids: None,
            sys_attrs: false,
        };
        let mut shown = render::entity(
            entity.clone(),
            &view,
            render::MediaType::Json,
            &super::notification_context(),
        );
        if self.format == Format::Concise {
            shown = render::concise(shown);
        }
        Value::Object(shown)
    }
}

/// The geo-query on the entity's GeoProperty, a Point (what this platform stores); an entity
/// without one does not match.
fn in_geo(query: &GeoQuery, entity: &Value) -> bool {
    let property = query.geoproperty.as_deref().unwrap_or("location");
    let point = entity
        .get(property)
        .and_then(|p| p.get("value"))
        .filter(|g| g.get("type").and_then(Value::as_str) == Some("Point"))
        .and_then(|g| g.get("coordinates"))
        .and_then(Value::as_array)
        .and_then(|c| Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?)));
    point.is_some_and(|p| geo::matches(query, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quartier_api::ngsi_ld::{live::EventId, subscription::read_subscription};
    use serde_json::Map;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn matcher(body: Value) -> Result<Matcher, ProblemDetails> {
        Matcher::compile(&read_subscription(&body)?)
    }

    fn subscription(extra: Value) -> Value {
        let mut body = json!({
            "type": "Subscription",
            "entities": [{"type": "https://smartdatamodels.org/dataModel.WasteManagement/WasteContainer"}],
            "notification": {"endpoint": {"uri": "http://127.0.0.1:1/n"}},
        });
        for (k, v) in object(extra) {
            body[k] = v;
        }
        body
    }

    fn change(entity: Value) -> Change {
        Change {
            id: EventId {
                epoch: 1,
                sequence: 1,
            },
            entity_type: entity["type"].as_str().unwrap_or_default().to_owned(),
            entity_json: entity.to_string(),
            at: "2026-12-02T10:00:00Z".to_owned(),
            entity,
        }
    }

    fn bin(level: f64) -> Change {
        change(json!({
            "id": "urn:ngsi-ld:WasteContainer:7", "type": "WasteContainer",
            "fillingLevel": {"type": "Property", "value": level},
            "status": {"type": "Property", "value": "ok", "observedAt": "2026-12-02T10:00:00Z"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0.68, 47.39]}},
        }))
    }

    #[test]
    fn types_ids_patterns_watched_attributes_q_and_geo_select_changes() {
        let m = matcher(subscription(json!({}))).expect("compiles");
        assert!(m.wants(&bin(0.5)));
        assert!(!m.wants(&change(json!({"id": "urn:l", "type": "Streetlight"}))));
        let deleted = json!({"id": "urn:ngsi-ld:WasteContainer:7", "type": "WasteContainer",
                             "deletedAt": "2026-12-02T10:00:00Z"});
        assert!(!m.wants(&change(deleted)));
        let m = matcher(subscription(
            json!({"entities": [{"type": "WasteContainer", "idPattern": ":[0-6]$"}]}),
        ))
        .expect("compiles");
        assert!(!m.wants(&bin(0.5)));
        let m =
            matcher(subscription(json!({"watchedAttributes": ["temperature"]}))).expect("compiles");
        assert!(!m.wants(&bin(0.5)));
        let m = matcher(subscription(json!({"q": "fillingLevel>0.9"}))).expect("compiles");
        assert!(m.wants(&bin(0.95)) && !m.wants(&bin(0.5)));
        let near = |m: f64| {
            json!({"geoQ": {"geometry": "Point", "coordinates": [0.68, 47.391],
                            "georel": format!("near;maxDistance=={m}")}})
        };
        assert!(
            matcher(subscription(near(500.0)))
                .expect("compiles")
                .wants(&bin(0.1))
        );
        assert!(
            !matcher(subscription(near(50.0)))
                .expect("compiles")
                .wants(&bin(0.1))
        );
    }

    #[test]
    fn only_plain_http_endpoints_and_real_patterns_compile() {
        let https = subscription(json!({"notification": {"endpoint": {"uri": "https://h/n"}}}));
        let problem = matcher(https).expect_err("refused");
        assert!(problem.detail.unwrap_or_default().contains("plain http"));
        let pattern = subscription(json!({"entities": [{"type": "T", "idPattern": "("}]}));
        assert!(matcher(pattern).is_err());
    }

    #[test]
    fn expiry_and_pause_stop_notifications() {
        let m =
            matcher(subscription(json!({"expiresAt": "2026-12-02T10:00:00Z"}))).expect("compiles");
        let at = Timestamp::parse("2026-12-02T10:00:00Z")
            .expect("date")
            .unix_millis();
        assert!(m.is_live(at - 1) && !m.is_live(at));
        let paused = matcher(subscription(json!({"isActive": false}))).expect("compiles");
        assert!(!paused.is_live(at));
    }

    #[test]
    fn notifications_show_the_asked_format_and_attributes() {
        let m = matcher(subscription(json!({"notification": {
            "endpoint": {"uri": "http://h/n", "accept": "application/ld+json"},
            "attributes": ["fillingLevel"], "format": "keyValues"}})))
        .expect("compiles");
        let shown = m.render(&bin(0.5).entity);
        assert_eq!(shown["fillingLevel"], 0.5);
        assert!(shown.get("status").is_none() && shown.get("@context").is_none());
        let m = matcher(subscription(json!({"notification": {
            "endpoint": {"uri": "http://h/n"}, "format": "concise"}})))
        .expect("compiles");
        let shown = m.render(&bin(0.5).entity);
        assert_eq!(shown["fillingLevel"], 0.5);
        assert_eq!(
            shown["status"],
            json!({"value": "ok", "observedAt": "2026-12-02T10:00:00Z"})
        );
        assert_eq!(shown["location"]["type"], "Point");
    }
}
