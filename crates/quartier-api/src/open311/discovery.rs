//! `GET discovery.json`: where a town's Open311 endpoints are and what they speak.

use crate::error::ParseError;
use crate::json_read::{Fields, index, scalar_text};
use serde::Serialize;
use serde_json::Value;

/// The discovery document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discovery {
    /// When the document last changed (free text in practice: `2011-02-03 14:18`).
    pub changeset: Option<String>,
    /// How to reach the people behind the API.
    pub contact: Option<String>,
    /// Where to ask for an API key.
    pub key_service: Option<String>,
    /// The endpoints on offer.
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint of the discovery document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The spec it implements, e.g. `http://wiki.open311.org/GeoReport_v2`.
    pub specification: String,
    /// Its base URL.
    pub url: String,
    /// When it last changed.
    pub changeset: Option<String>,
    /// `production` or `test`.
    #[serde(rename = "type")]
    pub endpoint_type: Option<String>,
    /// The media types it serves (`text/xml`, `application/json`).
    pub formats: Vec<String>,
}

impl Discovery {
    pub(crate) fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
    ) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        let endpoints_path = f.at("endpoints");
        let endpoints = f
            .list("endpoints", "endpoint")
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let e = Fields::new(document, index(&endpoints_path, i), v)?;
                Ok(Endpoint {
                    specification: e.required_text("specification")?,
                    url: e.required_text("url")?,
                    changeset: e.text("changeset")?,
                    endpoint_type: e.text("type")?,
                    formats: e
                        .list("formats", "format")
                        .into_iter()
                        .filter_map(scalar_text)
                        .filter(|s| !s.is_empty())
                        .collect(),
                })
            })
            .collect::<Result<_, ParseError>>()?;
        Ok(Discovery {
            changeset: f.text("changeset")?,
            contact: f.text("contact")?,
            key_service: f.text("key_service")?,
            endpoints,
        })
    }

    /// The GeoReport v2 endpoint serving `format` (e.g. `application/json`), production
    /// first, then test.
    pub fn georeport_v2_endpoint(&self, format: &str) -> Option<&Endpoint> {
        let candidates = || {
            self.endpoints.iter().filter(|e| {
                e.specification.ends_with("GeoReport_v2") && e.formats.iter().any(|f| f == format)
            })
        };
        candidates()
            .find(|e| e.endpoint_type.as_deref() == Some("production"))
            .or_else(|| candidates().next())
    }
}

super::deserialize_via_value!(Discovery, "Open311 discovery");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_a_json_v2_endpoint() {
        let v = json!({
            "changeset": "2011-02-03 14:18",
            "endpoints": [
                {"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://a/v2",
                 "type": "production", "formats": ["text/xml"]},
                {"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://a/test/v2",
                 "type": "test", "formats": ["text/xml", "application/json"]}
            ]
        });
        let d = Discovery::from_value("doc", "", &v).unwrap();
        assert_eq!(d.endpoints.len(), 2);
        assert_eq!(
            d.georeport_v2_endpoint("application/json").unwrap().url,
            "http://a/test/v2"
        );
        assert_eq!(
            d.georeport_v2_endpoint("text/xml").unwrap().url,
            "http://a/v2"
        );
        assert!(d.georeport_v2_endpoint("text/csv").is_none());
    }

    #[test]
    fn endpoint_needs_a_url() {
        let v = json!({"endpoints": [{"specification": "s"}]});
        let err = Discovery::from_value("doc", "", &v).unwrap_err();
        assert_eq!(err.field(), Some("endpoints[0].url"));
    }
}
