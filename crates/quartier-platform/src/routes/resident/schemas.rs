//! `GET /v1/schemas/export.json`: the JSON Schema (draft 2020-12) of the export, published so
//! that a resident, or whoever they hand their file to, can check and read it (GDPR art. 20
//! asks for a structured, machine-readable format).
//!
//! It is never written by hand: utoipa writes the OpenAPI 3.1 document from the contract's
//! types, OpenAPI 3.1 schemas are JSON Schema 2020-12, so the `Export` component and every
//! component it reaches become one standalone document, the others under `$defs` and each
//! `#/components/schemas/X` rewritten to `#/$defs/X`. A changed contract type changes the
//! OpenAPI document and this schema together.

use std::{collections::BTreeSet, sync::OnceLock};

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::openapi;
use crate::error::AppError;

/// Where the export's schema is served (under the platform's origin).
pub const EXPORT_SCHEMA_PATH: &str = "/api/v1/schemas/export.json";

/// The schema's `$id`: a name, not an address, since every town serves it from its own origin.
pub const EXPORT_SCHEMA_ID: &str = "urn:quartier:resident-api:v1:export";

/// The dialect: JSON Schema draft 2020-12, which OpenAPI 3.1's schemas are.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The media type of a JSON Schema document.
const SCHEMA_TYPE: &str = "application/schema+json";

/// The component of the OpenAPI document that the export is.
const EXPORT_COMPONENT: &str = "Export";

/// Prefixes of a reference to a component, in OpenAPI and in the standalone schema.
const COMPONENT_REF: &str = "#/components/schemas/";
const DEF_REF: &str = "#/$defs/";

/// Schemas change with the platform's version, not by the hour; the ETag lets a client keep
/// its copy across a restart.
const CACHE: &str = "public, max-age=3600";

/// `Link` of an export: the schema that describes it.
pub fn export_link() -> HeaderValue {
    HeaderValue::from_static(r#"</api/v1/schemas/export.json>; rel="describedby""#)
}

#[utoipa::path(get, path = "/v1/schemas/export.json", operation_id = "getExportSchema", tag = "meta",
    responses(
        (status = 200, content_type = "application/schema+json", body = Object,
            description = "The JSON Schema (draft 2020-12) of GET /v1/me/export, derived from \
                the same types as this document.",
            headers(("Cache-Control" = String), ("ETag" = String))),
        (status = 304, description = "If-None-Match named the current ETag."),
    ))]
pub async fn export_schema(request: HeaderMap) -> Result<Response, AppError> {
    let (body, etag) = served()
        .as_ref()
        .map_err(|error| AppError::Internal(anyhow::anyhow!("export schema: {error}")))?;
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static(CACHE)),
        (header::ETAG, etag.clone()),
    ];
    if request
        .get(header::IF_NONE_MATCH)
        .is_some_and(|asked| asked == etag)
    {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(SCHEMA_TYPE))];
    Ok((content_type, cache, body.as_str()).into_response())
}

/// The schema as served and its ETag, made once.
fn served() -> &'static Result<(String, HeaderValue), String> {
    static SERVED: OnceLock<Result<(String, HeaderValue), String>> = OnceLock::new();
    SERVED.get_or_init(|| {
        let schema = export_schema_value()?;
        let body = serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())?;
        let digest = Sha256::digest(body.as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let etag = HeaderValue::from_str(&format!("\"{hex}\"")).map_err(|e| e.to_string())?;
        Ok((body, etag))
    })
}

/// The export's JSON Schema, from the OpenAPI document's components.
pub fn export_schema_value() -> Result<Value, String> {
    let document = serde_json::to_value(openapi::generated()).map_err(|e| e.to_string())?;
    let components = document["components"]["schemas"]
        .as_object()
        .ok_or("the OpenAPI document has no schemas")?;
    let mut schema = standalone(components, EXPORT_COMPONENT)?;
    if let Some(schema) = schema.as_object_mut() {
        schema.insert("$schema".to_owned(), json!(DRAFT_2020_12));
        schema.insert("$id".to_owned(), json!(EXPORT_SCHEMA_ID));
        schema.insert(
            "title".to_owned(),
            json!("Quartier: everything the town holds about a resident (GET /api/v1/me/export)"),
        );
    }
    Ok(schema)
}

/// Component `root` of `components` (OpenAPI's `components.schemas`) as a standalone schema:
/// its own keywords at the top, every component it reaches, directly or not, under `$defs`,
/// references rewritten to point inside the document (to `#` for `root` itself).
pub fn standalone(components: &Map<String, Value>, root: &str) -> Result<Value, String> {
    let reached = reachable(components, root)?;
    let mut schema = rewritten(&components[root], root);
    let defs: Map<String, Value> = reached
        .iter()
        .filter(|name| name.as_str() != root)
        .map(|name| (name.clone(), rewritten(&components[name.as_str()], root)))
        .collect();
    let object = schema
        .as_object_mut()
        .ok_or_else(|| format!("component {root} is not an object schema"))?;
    if !defs.is_empty() {
        object.insert("$defs".to_owned(), Value::Object(defs));
    }
    Ok(schema)
}

/// The names of `root` and every component it references, transitively; a reference to a
/// component that does not exist is an error, not a hole in the schema.
fn reachable(components: &Map<String, Value>, root: &str) -> Result<BTreeSet<String>, String> {
    let mut reached = BTreeSet::new();
    let mut pending = vec![root.to_owned()];
    while let Some(name) = pending.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        let schema = components
            .get(&name)
            .ok_or_else(|| format!("no component {name}"))?;
        each_ref(schema, &mut |target| {
            if let Some(other) = target.strip_prefix(COMPONENT_REF) {
                pending.push(other.to_owned());
            }
        });
    }
    Ok(reached)
}

/// Calls `found` with the target of every `$ref` inside `value`.
fn each_ref(value: &Value, found: &mut impl FnMut(&str)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => found(target),
                    _ => each_ref(child, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| each_ref(item, found)),
        _ => {}
    }
}

/// `value` with each `#/components/schemas/X` reference made `#/$defs/X`, or `#` for `root`.
fn rewritten(value: &Value, root: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    let child = match (key.as_str(), child) {
                        ("$ref", Value::String(target)) => {
                            Value::String(match target.strip_prefix(COMPONENT_REF) {
                                Some(name) if name == root => "#".to_owned(),
                                Some(name) => format!("{DEF_REF}{name}"),
                                None => target.clone(),
                            })
                        }
                        _ => rewritten(child, root),
                    };
                    (key.clone(), child)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| rewritten(v, root)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_becomes_a_standalone_schema() {
        let components = json!({
            "Root": {"type": "object", "properties": {
                "a": {"$ref": "#/components/schemas/A"},
                "again": {"type": "array", "items": {"$ref": "#/components/schemas/Root"}},
            }},
            "A": {"oneOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]},
            "B": {"type": "string"},
            "Unused": {"type": "integer"},
        });
        let schema = standalone(components.as_object().expect("map"), "Root").expect("schema");
        assert_eq!(schema["properties"]["a"]["$ref"], "#/$defs/A");
        assert_eq!(schema["properties"]["again"]["items"]["$ref"], "#");
        assert_eq!(schema["$defs"]["A"]["oneOf"][0]["$ref"], "#/$defs/B");
        let defs: Vec<&String> = schema["$defs"].as_object().expect("defs").keys().collect();
        assert_eq!(defs, ["A", "B"], "what Root reaches, nothing else");
        let dangling = json!({"Root": {"$ref": "#/components/schemas/Gone"}});
        assert!(standalone(dangling.as_object().expect("map"), "Root").is_err());
    }

    #[test]
    fn the_export_schema_is_the_export_component() {
        let schema = export_schema_value().expect("schema");
        assert_eq!(schema["$schema"], DRAFT_2020_12);
        assert_eq!(schema["$id"], EXPORT_SCHEMA_ID);
        let required = schema["required"].as_array().expect("required");
        for field in [
            "exportedAt",
            "controller",
            "categories",
            "accessLog",
            "erasureRequests",
        ] {
            assert!(required.iter().any(|r| r == field), "{field} required");
        }
        let mut refs = Vec::new();
        each_ref(&schema, &mut |target| refs.push(target.to_owned()));
        assert!(!refs.is_empty());
        for target in refs {
            let pointer = target.strip_prefix('#').expect("local");
            assert!(schema.pointer(pointer).is_some(), "dangling {target}");
        }
        assert!(schema["$defs"]["AccessLogEntry"].is_object());
    }
}
