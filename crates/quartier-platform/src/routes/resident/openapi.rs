//! `GET /v1/openapi.json`: the OpenAPI 3 document of the resident API. Hand-written JSON next
//! to the routes (a derive-based generator would add a proc-macro build to every compile); the
//! tests below keep it honest: it parses, and it lists exactly [`super::ROUTES`] and the staff
//! API's [`crate::routes::staff::ROUTES`] (the same `/api` area).

use axum::{http::header, response::IntoResponse};

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn document_lists_exactly_the_routes() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                documented.insert((method.clone(), path.clone()));
            }
        }
        let routed: BTreeSet<(String, String)> = super::super::ROUTES
            .iter()
            .chain(crate::routes::staff::ROUTES)
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(documented, routed);
    }

    #[test]
    fn every_reference_resolves() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        let text = DOCUMENT;
        for reference in text.split("\"$ref\": \"").skip(1) {
            let target = reference.split('"').next().expect("ref");
            let pointer = target.trim_start_matches('#');
            assert!(doc.pointer(pointer).is_some(), "dangling {target}");
        }
    }
}
