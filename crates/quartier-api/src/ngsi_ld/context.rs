//! The JSON-LD `@context` of an entity, wherever the broker put it.
//!
//! With `Accept: application/json` (and often with GeoJSON) the context is not in the body
//! but in a `Link` header; in a FeatureCollection it may sit on the collection, on each
//! Feature, or inside each Feature's `properties`. The parsers record which one applied.

use std::{collections::BTreeMap, sync::Arc};

use serde_json::Value;

/// The `rel` of a Link header that carries a JSON-LD context.
pub const JSON_LD_CONTEXT_REL: &str = "http://www.w3.org/ns/json-ld#context";

/// The ETSI NGSI-LD core context (v1.x).
pub const CORE_CONTEXT: &str = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld";

/// The NGSI-LD core context v1.8, which answers carry when a request named no context.
pub const CORE_CONTEXT_V1_8: &str =
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";

/// Whether `url` is a version of the NGSI-LD core context (known built in: its terms are the
/// names entities are stored with, and its `@vocab` is the default context).
pub fn is_core_context(url: &str) -> bool {
    url.strip_prefix("https://uri.etsi.org/ngsi-ld/")
        .is_some_and(|rest| rest.contains("ngsi-ld-core-context") && rest.ends_with(".jsonld"))
}

/// Context documents a server knows under their URL without fetching them (read from files
/// when it starts): what a request's `@context` URL resolves to. Pure: the caller reads the
/// files. Cheap to clone (shared).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextDocuments {
    /// URL → the document's `@context` value.
    by_url: Arc<BTreeMap<String, Value>>,
}

impl ContextDocuments {
    /// Adds the JSON-LD document `text` under `url`; it must be an object with an `@context`.
    pub fn add(&mut self, url: &str, text: &str) -> Result<(), String> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| format!("{url}: not JSON: {e}"))?;
        let context = document
            .get("@context")
            .ok_or_else(|| format!("{url}: a context document is an object with an @context"))?;
        Arc::make_mut(&mut self.by_url).insert(url.to_owned(), context.clone());
        Ok(())
    }

    /// The `@context` value of the document known under `url`.
    pub fn get(&self, url: &str) -> Option<&Value> {
        self.by_url.get(url)
    }

    /// The URLs known, sorted.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.by_url.keys().map(String::as_str)
    }
}

/// One item of an `@context`: a URL, or an inline context object.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextEntry {
    /// A context document's URL.
    Url(String),
    /// An inline context (object), kept as is.
    Inline(Value),
}

/// Where an entity's context was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContextSource {
    /// In the entity itself (or its Feature, or the Feature's `properties`).
    Entity,
    /// On the enclosing FeatureCollection.
    Collection,
    /// In the HTTP `Link` header.
    LinkHeader,
    /// Nowhere: the core context applies.
    #[default]
    None,
}

/// An entity's context and where it came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Context {
    /// The entries, in order (empty when none was given).
    pub entries: Vec<ContextEntry>,
    /// Where they were found.
    pub source: ContextSource,
}

impl Context {
    /// Reads an `@context` value (a URL, an object, or a list of them).
    pub fn from_value(value: &Value, source: ContextSource) -> Self {
        let entry = |v: &Value| match v {
            Value::String(s) => Some(ContextEntry::Url(s.clone())),
            Value::Object(_) => Some(ContextEntry::Inline(v.clone())),
            _ => None,
        };
        let entries = match value {
            Value::Array(items) => items.iter().filter_map(entry).collect(),
            other => entry(other).into_iter().collect(),
        };
        Context { entries, source }
    }

    /// The context given by a `Link` header, if it has one.
    pub fn from_link_header(link: &str) -> Option<Self> {
        parse_link_context(link).map(|url| Context {
            entries: vec![ContextEntry::Url(url)],
            source: ContextSource::LinkHeader,
        })
    }

    /// The URLs among the entries.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|e| match e {
            ContextEntry::Url(u) => Some(u.as_str()),
            ContextEntry::Inline(_) => None,
        })
    }

    /// The `@context` value to write (a string for one URL, else a list); `None` if empty.
    pub fn to_value(&self) -> Option<Value> {
        let item = |e: &ContextEntry| match e {
            ContextEntry::Url(u) => Value::String(u.clone()),
            ContextEntry::Inline(v) => v.clone(),
        };
        match self.entries.as_slice() {
            [] => None,
            [one] => Some(item(one)),
            many => Some(Value::Array(many.iter().map(item).collect())),
        }
    }
}

/// The context URL of a `Link` header value
/// (`<https://…/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`).
/// Several links may be given, comma-separated; the first with the JSON-LD context `rel` wins.
pub fn parse_link_context(link: &str) -> Option<String> {
    let mut rest = link;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let url = after[..close].trim();
        let params_and_more = &after[close + 1..];
        let params_end = params_and_more.find('<').unwrap_or(params_and_more.len());
        let params = &params_and_more[..params_end];
        let has_rel = params.split(';').any(|p| {
            let mut kv = p.splitn(2, '=');
            let key = kv.next().unwrap_or("").trim();
            let value = kv.next().unwrap_or("").trim().trim_matches('"');
            key.eq_ignore_ascii_case("rel")
                && value
                    .split_ascii_whitespace()
                    .any(|r| r == JSON_LD_CONTEXT_REL)
        });
        if has_rel && !url.is_empty() {
            return Some(url.to_owned());
        }
        rest = &params_and_more[params_end..];
    }
    None
}

/// The `Link` header value that announces `context_url` (what a server sends with
/// `application/json` bodies).
pub fn link_header_value(context_url: &str) -> String {
    format!("<{context_url}>; rel=\"{JSON_LD_CONTEXT_REL}\"; type=\"application/ld+json\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn context_documents_are_known_by_url() {
        let mut docs = ContextDocuments::default();
        docs.add(
            "http://127.0.0.1/c.jsonld",
            r#"{"@context": {"a": "https://x/a"}}"#,
        )
        .unwrap();
        assert_eq!(
            docs.get("http://127.0.0.1/c.jsonld"),
            Some(&json!({"a": "https://x/a"}))
        );
        assert!(docs.add("u", "{}").is_err());
        assert!(docs.add("u", "not json").is_err());
        assert!(is_core_context(CORE_CONTEXT_V1_8));
        assert!(is_core_context(CORE_CONTEXT));
        assert!(!is_core_context(
            "https://uri.etsi.org/ngsi-ld/other.jsonld"
        ));
    }

    #[test]
    fn link_header_round_trip() {
        let url = "https://smartdatamodels.org/context.jsonld";
        assert_eq!(
            parse_link_context(&link_header_value(url)).as_deref(),
            Some(url)
        );
    }

    #[test]
    fn picks_the_context_link_among_several() {
        let header = "<https://a.example/next>; rel=\"next\", <https://b.example/ctx.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";
        assert_eq!(
            parse_link_context(header).as_deref(),
            Some("https://b.example/ctx.jsonld")
        );
        assert_eq!(
            parse_link_context("<https://a.example/next>; rel=\"next\""),
            None
        );
        assert_eq!(parse_link_context("garbage"), None);
    }

    #[test]
    fn reads_every_context_shape() {
        let one = Context::from_value(&json!("https://x/c.jsonld"), ContextSource::Entity);
        assert_eq!(one.urls().collect::<Vec<_>>(), ["https://x/c.jsonld"]);
        assert_eq!(one.to_value(), Some(json!("https://x/c.jsonld")));
        let many = Context::from_value(
            &json!(["https://x/c.jsonld", {"a": "b"}]),
            ContextSource::Collection,
        );
        assert_eq!(many.entries.len(), 2);
        assert_eq!(
            many.to_value(),
            Some(json!(["https://x/c.jsonld", {"a": "b"}]))
        );
        assert_eq!(Context::default().to_value(), None);
        let link = Context::from_link_header(&link_header_value(CORE_CONTEXT)).unwrap();
        assert_eq!(link.source, ContextSource::LinkHeader);
    }
}
