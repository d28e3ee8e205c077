//! `GET /api/v1/me/access-log`: who read the resident's data, when, why, which category,
//! narrowed by period, service and kind of reader ([`AccessLogQuery`]).
//!
//! The query's parameters are read here, for both sides: the app checks what a resident typed
//! and builds the URL with [`AccessLogQuery::pairs`], the platform reads the same query with
//! [`AccessLogQuery::filter`] and answers `400 invalid_filter` naming the parameter, so a
//! filter the app accepts is one the platform counts the same way.

use crate::datetime::{Period, PeriodError, Timestamp};
use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};

use super::my_data::Page;

/// One read of the resident's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccessLogEntry {
    /// Entry id (numbers are read as text).
    #[serde(deserialize_with = "super::id_text")]
    pub id: String,
    /// When.
    pub timestamp: Timestamp,
    /// Who, broadly: the resident, a town agent, or an automated service.
    pub actor_type: ActorType,
    /// Who exactly (an agent's pseudonym or a service's code; `self`).
    pub agent: String,
    /// The reader's role code.
    #[serde(default)]
    pub role: String,
    /// Code of the service through which it was read.
    #[serde(default)]
    pub service: String,
    /// Why: a purpose code (`right-of-access`, `water-billing-and-leak-detection`).
    pub purpose: String,
    /// Which data category.
    pub category: String,
}

text_enum! {
    /// The kind of reader.
    pub enum ActorType {
        /// The resident themself.
        SelfAccess = "self",
        /// A person working for the town.
        Agent = "agent",
        /// An automated service.
        Service = "service",
    }
}

/// The answer of `GET /api/v1/me/access-log`: a page of the entries that pass the filters,
/// newest first, and the services found in the resident's whole log (to offer as a filter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessLogPage {
    /// The entries of this page, with `total`, `offset` and `limit` (one [`Page`]'s fields).
    #[serde(flatten)]
    pub page: Page<AccessLogEntry>,
    /// Every service code of the resident's whole log, filters ignored, sorted, each once.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub services: Vec<String>,
}

impl AccessLogPage {
    /// The offset of the next page, if there is one.
    pub fn next_offset(&self) -> Option<u64> {
        self.page.next_offset()
    }
}

/// The filters of `GET /api/v1/me/access-log`, as the query sends them (`?from=&to=&service=
/// &actorType=`, beside `offset` and `limit`). Kept as text so that a wrong value is named,
/// not lost in a generic query error. A blank parameter is no filter (an emptied form field).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogQuery {
    /// Entries at or after this: an RFC 3339 date (`2026-11-01`, from its first instant) or
    /// date-time (`2026-11-01T08:00:00+01:00`). Dates are UTC days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Entries up to this: a date (that whole UTC day included) or a date-time (that instant
    /// included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Only this service code (exact match; see `services` in the answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Only this kind of reader: `self`, `agent` or `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_type: Option<String>,
}

/// The checked filters of an [`AccessLogQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessLogFilter {
    /// When (open sides are unbounded).
    pub period: Period,
    /// Which service, exactly.
    pub service: Option<String>,
    /// Which kind of reader (never [`ActorType::Other`]).
    pub actor_type: Option<ActorType>,
}

/// A query parameter that is not a filter: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {reason}")]
pub struct FilterError {
    /// The parameter's wire name (`from`, `to`, `actorType`).
    pub parameter: &'static str,
    /// What is wrong with it, for developers.
    pub reason: String,
}

impl AccessLogQuery {
    /// Checks every filter: dates parse, `from` is not after `to`, `actorType` is known.
    pub fn filter(&self) -> Result<AccessLogFilter, FilterError> {
        let period = Period::parse(self.from.as_deref(), self.to.as_deref()).map_err(|error| {
            let (parameter, reason) = match error {
                PeriodError::From(e) => ("from", e.to_string()),
                PeriodError::To(e) => ("to", e.to_string()),
                PeriodError::Reversed => (
                    "from",
                    format!(
                        "{:?} is after to {:?}",
                        self.from.as_deref().unwrap_or_default().trim(),
                        self.to.as_deref().unwrap_or_default().trim()
                    ),
                ),
            };
            FilterError { parameter, reason }
        })?;
        let actor_type = match non_blank(&self.actor_type).map(ActorType::from_text) {
            Some(ActorType::Other(other)) => {
                return Err(FilterError {
                    parameter: "actorType",
                    reason: format!("\"{other}\" is not one of self, agent, service"),
                });
            }
            known => known,
        };
        Ok(AccessLogFilter {
            period,
            service: non_blank(&self.service).map(str::to_owned),
            actor_type,
        })
    }

    /// The non-blank filters as query pairs under their wire names, for the app's URL.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("service", &self.service),
            ("actorType", &self.actor_type),
        ]
        .into_iter()
        .filter_map(|(name, value)| non_blank(value).map(|v| (name, v)))
        .collect()
    }
}

impl AccessLogFilter {
    /// Whether `entry` passes every filter: what the platform counts, said once in Rust.
    pub fn matches(&self, entry: &AccessLogEntry) -> bool {
        self.period.contains(entry.timestamp.unix_millis())
            && self.service.as_ref().is_none_or(|s| *s == entry.service)
            && self
                .actor_type
                .as_ref()
                .is_none_or(|a| *a == entry.actor_type)
    }
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_writes_entries() {
        let page: AccessLogPage = serde_json::from_value(json!({
            "total": 1, "offset": 0, "limit": 50,
            "items": [{"id": 7, "timestamp": "2026-11-28T09:00:00Z", "actorType": "agent",
                       "agent": "agent-042", "role": "water-billing-clerk", "service": "water-utility",
                       "purpose": "water-billing-and-leak-detection", "category": "water-meter-readings"}],
            "services": ["quartier-resident-api", "water-utility"]
        }))
        .unwrap();
        let e = &page.page.items[0];
        assert_eq!(e.id, "7");
        assert_eq!(e.actor_type, ActorType::Agent);
        assert_eq!(page.services, ["quartier-resident-api", "water-utility"]);
        assert_eq!(page.next_offset(), None);
        let v = serde_json::to_value(e).unwrap();
        assert_eq!(v["actorType"], "agent");
        assert_eq!(ActorType::from_text("self"), ActorType::SelfAccess);
        let older: AccessLogPage =
            serde_json::from_value(json!({"total": 3, "items": [v]})).unwrap();
        assert!(
            older.services.is_empty(),
            "a server without services still reads"
        );
        assert_eq!(older.next_offset(), Some(1));
    }

    fn query(from: &str, to: &str, service: &str, actor_type: &str) -> AccessLogQuery {
        let some = |s: &str| Some(s.to_owned());
        AccessLogQuery {
            from: some(from),
            to: some(to),
            service: some(service),
            actor_type: some(actor_type),
        }
    }

    #[test]
    fn filters_are_checked_and_name_the_bad_parameter() {
        let f = query("2026-11-01", "2026-11-30", "water-utility", "agent")
            .filter()
            .unwrap();
        assert_eq!(f.service.as_deref(), Some("water-utility"));
        assert_eq!(f.actor_type, Some(ActorType::Agent));
        assert!(f.period.start_millis.is_some() && f.period.end_millis.is_some());
        assert_eq!(
            query(" ", "", "", "").filter().unwrap(),
            AccessLogFilter::default(),
            "blank is no filter"
        );
        for (q, parameter) in [
            (query("2026-11-31", "", "", ""), "from"),
            (query("", "soon", "", ""), "to"),
            (query("2026-12-01", "2026-11-01", "", ""), "from"),
            (query("", "", "", "robot"), "actorType"),
        ] {
            let error = q.filter().unwrap_err();
            assert_eq!(error.parameter, parameter, "{q:?}");
            assert!(error.to_string().starts_with(parameter), "{error}");
        }
    }

    #[test]
    fn filters_match_entries_and_make_the_query() {
        let entry = |at: &str, service: &str, actor: &str| AccessLogEntry {
            id: "1".into(),
            timestamp: Timestamp::parse(at).unwrap(),
            actor_type: ActorType::from_text(actor),
            agent: "a".into(),
            role: "r".into(),
            service: service.into(),
            purpose: "p".into(),
            category: "c".into(),
        };
        let f = query("2026-11-01", "2026-11-01", "water-utility", "")
            .filter()
            .unwrap();
        assert!(f.matches(&entry("2026-11-01T23:59:59Z", "water-utility", "agent")));
        assert!(f.matches(&entry("2026-11-01T00:00:00Z", "water-utility", "service")));
        assert!(!f.matches(&entry("2026-11-02T00:00:00Z", "water-utility", "agent")));
        assert!(!f.matches(&entry("2026-11-01T12:00:00Z", "waste-service", "agent")));
        let by_actor = query("", "", "", "self").filter().unwrap();
        assert!(by_actor.matches(&entry("2020-01-01", "quartier-resident-api", "self")));
        assert!(!by_actor.matches(&entry("2020-01-01", "water-utility", "service")));

        let q = query("2026-11-01", "", " ", "agent");
        assert_eq!(q.pairs(), [("from", "2026-11-01"), ("actorType", "agent")]);
        let wire = serde_json::to_value(&q).unwrap();
        assert_eq!(wire["actorType"], "agent", "camelCase on the wire");
        let back: AccessLogQuery = serde_json::from_value(json!({"actorType": "self"})).unwrap();
        assert_eq!(back.actor_type.as_deref(), Some("self"));
    }
}
