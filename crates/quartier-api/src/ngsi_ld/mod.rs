//! NGSI-LD (ETSI GS CIM 009): the town's connected services, as entities.
//!
//! Every entry point takes the body and, optionally, the response's `Link` header (where
//! brokers put the `@context` of `application/json` bodies). Entities are read whatever the
//! representation (normalized, concise, keyValues/simplified, NGSI-v2 normalized; each
//! attribute recognised on its own, multi-attributes included) into one [`Entity`] with
//! [`Attribute`]s; GeoJSON Features keep their geometry (`null` allowed).
//! A Feature whose `geometry` is not GeoJSON (an NGSI-LD `GeoProperty` wrapper, as four
//! Smart Data Models examples have) is rejected with an error saying so.

mod address;
mod attribute;
mod context;
pub mod discovery;
mod entity;
mod geojson;
pub mod live;
mod ngsi_v2;
mod problem;
pub mod query;
pub mod subscription;
pub mod write;

pub use address::PostalAddress;
pub use attribute::{
    ATTRIBUTE_TYPES, Attribute, AttributeMeta, GeoProperty, Property, PropertyKind, Relationship,
};
pub use context::{
    CORE_CONTEXT, CORE_CONTEXT_V1_8, Context, ContextDocuments, ContextEntry, ContextSource,
    JSON_LD_CONTEXT_REL, is_core_context, link_header_value, parse_link_context,
};
pub use entity::{Entity, Representation, StatusValue};
pub use geojson::{Feature, FeatureCollection};
pub use problem::{ERROR_TYPE_PREFIX, ErrorType, PROBLEM_CONTENT_TYPE, ProblemDetails};
pub use query::{EntityQuery, GeoQuery, GeoRel, RESULTS_COUNT_HEADER, SAFE_PAGE_SIZE};

use crate::error::{ParseError, describe};
use serde_json::Value;

/// `Accept` value for GeoJSON answers.
pub const GEOJSON_MEDIA_TYPE: &str = "application/geo+json";
/// Media type of JSON-LD bodies (with `@context` inside).
pub const JSON_LD_MEDIA_TYPE: &str = "application/ld+json";

fn read(document: &'static str, body: &str) -> Result<Value, ParseError> {
    serde_json::from_str(body).map_err(|e| ParseError::json(document, &e))
}

fn link_context(link: Option<&str>) -> Context {
    link.and_then(Context::from_link_header).unwrap_or_default()
}

fn is_type(value: &Value, name: &str) -> bool {
    value.get("type").and_then(Value::as_str) == Some(name)
}

/// Parses one entity (`GET /entities/{id}`): any representation, or a GeoJSON Feature.
pub fn parse_entity(body: &str, link: Option<&str>) -> Result<Entity, ParseError> {
    const DOC: &str = "NGSI-LD entity";
    let value = read(DOC, body)?;
    let context = link_context(link);
    if is_type(&value, "Feature") {
        return Feature::from_value(DOC, "", &value, &context).map(|f| f.entity);
    }
    Entity::from_value(DOC, "", &value, &context)
}

/// Parses a list of entities (`GET /entities` as JSON): a JSON array of entities, or a
/// FeatureCollection (geometries dropped; each entity keeps its attributes).
pub fn parse_entities(body: &str, link: Option<&str>) -> Result<Vec<Entity>, ParseError> {
    const DOC: &str = "NGSI-LD entity list";
    let value = read(DOC, body)?;
    let link_ctx = link.and_then(Context::from_link_header);
    let context = link_ctx.clone().unwrap_or_default();
    match &value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| Entity::from_value(DOC, &format!("[{i}]"), v, &context))
            .collect(),
        v if is_type(v, "FeatureCollection") => {
            FeatureCollection::from_value(DOC, v, link_ctx.as_ref())
                .map(|fc| fc.features.into_iter().map(|f| f.entity).collect())
        }
        other => Err(ParseError::shape(
            DOC,
            "a JSON array of entities or a GeoJSON FeatureCollection",
            describe(other),
        )),
    }
}

/// Parses one GeoJSON Feature (`GET /entities/{id}` with `Accept: application/geo+json`).
pub fn parse_feature(body: &str, link: Option<&str>) -> Result<Feature, ParseError> {
    const DOC: &str = "NGSI-LD GeoJSON Feature";
    Feature::from_value(DOC, "", &read(DOC, body)?, &link_context(link))
}

/// Parses a GeoJSON FeatureCollection (`GET /entities?…` with
/// `Accept: application/geo+json`): the map's layers.
pub fn parse_feature_collection(
    body: &str,
    link: Option<&str>,
) -> Result<FeatureCollection, ParseError> {
    const DOC: &str = "NGSI-LD GeoJSON FeatureCollection";
    let context = link.and_then(Context::from_link_header);
    FeatureCollection::from_value(DOC, &read(DOC, body)?, context.as_ref())
}

/// Parses an NGSI-LD error body.
pub fn parse_problem(body: &str) -> Result<ProblemDetails, ParseError> {
    ProblemDetails::parse(body)
}

/// Parses an NGSI-LD error body answered with HTTP `status` (see
/// [`ProblemDetails::parse_with_status`]): what a client should call.
pub fn parse_problem_with_status(body: &str, status: u16) -> Result<ProblemDetails, ParseError> {
    ProblemDetails::parse_with_status(body, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "<https://example.org/ctx.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";

    #[test]
    fn entity_with_link_header_context() {
        let e = parse_entity(
            r#"{"id":"urn:a","type":"Streetlight","status":"ok"}"#,
            Some(LINK),
        )
        .unwrap();
        assert_eq!(e.context.source, ContextSource::LinkHeader);
        assert_eq!(
            e.context.urls().collect::<Vec<_>>(),
            ["https://example.org/ctx.jsonld"]
        );
        let no_link = parse_entity(r#"{"id":"urn:a","type":"Streetlight"}"#, None).unwrap();
        assert_eq!(no_link.context.source, ContextSource::None);
    }

    #[test]
    fn entities_from_array_or_collection() {
        let list = parse_entities(
            r#"[{"id":"urn:a","type":"T"},{"id":"urn:b","type":"T"}]"#,
            None,
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        let fc = r#"{"type":"FeatureCollection","features":[{"id":"urn:a","type":"Feature","geometry":null,"properties":{"type":"T"}}]}"#;
        let from_fc = parse_entities(fc, Some(LINK)).unwrap();
        assert_eq!(from_fc[0].id, "urn:a");
        assert_eq!(from_fc[0].context.source, ContextSource::LinkHeader);
        assert!(parse_entities(r#"{"id":"urn:a"}"#, None).is_err());
        let err = parse_entities(r#"[{"id":"urn:a","type":"T"},{"type":"T"}]"#, None).unwrap_err();
        assert_eq!(err.field(), Some("[1].id"));
    }

    #[test]
    fn feature_entry_points() {
        let f = parse_feature(
            r#"{"id":"urn:a","type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"type":"T"}}"#,
            None,
        )
        .unwrap();
        assert!(f.geometry.is_some());
        let e = parse_entity(
            r#"{"id":"urn:a","type":"Feature","geometry":null,"properties":{"type":"T","n":1}}"#,
            None,
        )
        .unwrap();
        assert_eq!(e.number("n"), Some(1.0));
        let fc =
            parse_feature_collection(r#"{"type":"FeatureCollection","features":[]}"#, Some(LINK))
                .unwrap();
        assert_eq!(fc.context.source, ContextSource::LinkHeader);
        assert!(parse_feature_collection("[]", None).is_err());
        assert!(parse_problem(r#"{"type":"InternalError"}"#).is_ok());
    }
}
