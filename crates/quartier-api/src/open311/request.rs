//! `GET requests.json` and `GET requests/{id}.json`: reports and their follow-up.

use super::AttributeAnswer;
use crate::datetime::Timestamp;
use crate::error::{ParseError, describe};
use crate::geo::LonLat;
use crate::json_read::{Fields, index, items, scalar_text};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One service request (a report), as a server describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRequest {
    /// The id, always text (`"638344"`, `"14-01100669"`).
    pub service_request_id: String,
    /// `open`, `closed`, or a server-specific status.
    pub status: RequestStatus,
    /// Explanation of the status.
    pub status_notes: Option<String>,
    /// The category's name.
    pub service_name: Option<String>,
    /// The category's code (text: `"006"`, `"CSROWR-12"`, `"4ffa9cad…"`).
    pub service_code: Option<String>,
    /// What the resident wrote.
    pub description: Option<String>,
    /// Who handles it.
    pub agency_responsible: Option<String>,
    /// Information given back when the request was made.
    pub service_notice: Option<String>,
    /// When it was made.
    pub requested_datetime: Option<Timestamp>,
    /// Last change (`<updated_datetime/>` gives `None`).
    pub updated_datetime: Option<Timestamp>,
    /// When the town expects to deal with it.
    pub expected_datetime: Option<Timestamp>,
    /// Human-readable address.
    pub address: Option<String>,
    /// The town's address id (text).
    pub address_id: Option<String>,
    /// Postal code (text: keeps leading zeros).
    pub zipcode: Option<String>,
    /// Where it is; read from `lat` and `long` in any order, as numbers or strings.
    #[serde(flatten, serialize_with = "lat_long")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::LatLong))]
    pub position: Option<LonLat>,
    /// A photo or page about the request (trailing spaces removed); the first of
    /// [`ServiceRequest::media_urls`] on a server with that extension.
    pub media_url: Option<String>,
    /// Quartier extension (`media_urls`): every photo of the request, in order. From a server
    /// without the extension, `[media_url]` when it gives one, else empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media_urls: Vec<String>,
    /// Quartier extension (`asset_id`): the NGSI-LD id of the asset the report is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    /// Quartier extension (`followers`): how many residents or devices follow the request
    /// ("+1, tell me when it's fixed"), its reporter not counted. `None` from a server without
    /// the extension, which is not the same as nobody.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<u32>,
    /// Quartier extension (`attributes`): the answers to the service definition's questions,
    /// by attribute code. JSON `{"CODE": "value", "LIST": ["a", "b"]}`; XML
    /// `<attributes><attribute><code>CODE</code><value>…</value></attribute>…` with
    /// `<values><value>a</value>…</values>` for a list. Numbers are read as text; blank answers
    /// are left out; empty from a server without the extension.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeAnswer>,
}

/// The status of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestStatus {
    /// Being handled.
    Open,
    /// Done (fixed, duplicate, refused… `status_notes` says which).
    Closed,
    /// A status outside the spec, kept as written (lower-cased).
    Other(String),
}

impl RequestStatus {
    /// Reads a status, case-insensitively.
    pub fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "open" => RequestStatus::Open,
            "closed" => RequestStatus::Closed,
            other => RequestStatus::Other(other.to_owned()),
        }
    }

    /// The status as the spec spells it.
    pub fn as_str(&self) -> &str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Closed => "closed",
            RequestStatus::Other(s) => s,
        }
    }
}

impl Serialize for RequestStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl ServiceRequest {
    /// Reads one request. Requires `status` and at least the id (a request known only by a
    /// token is a [`super::TokenLookup`], not a request).
    pub(crate) fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
    ) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        let media_url = f.text("media_url")?;
        let mut media_urls = read_media_urls(&f)?;
        if media_urls.is_empty() {
            media_urls.extend(media_url.clone());
        }
        Ok(ServiceRequest {
            service_request_id: f.required_text("service_request_id")?,
            status: RequestStatus::from_name(&f.required_text("status")?),
            status_notes: f.text("status_notes")?,
            service_name: f.text("service_name")?,
            service_code: f.text("service_code")?,
            description: f.text("description")?,
            agency_responsible: f.text("agency_responsible")?,
            service_notice: f.text("service_notice")?,
            requested_datetime: f.timestamp("requested_datetime")?,
            updated_datetime: f.timestamp("updated_datetime")?,
            expected_datetime: f.timestamp("expected_datetime")?,
            address: f.text("address")?,
            address_id: f.text("address_id")?,
            zipcode: f.text("zipcode")?,
            position: read_position(&f)?,
            media_url,
            media_urls,
            asset_id: f.text("asset_id")?,
            followers: f.unsigned("followers")?,
            attributes: read_attributes(&f)?,
        })
    }
}

/// `media_urls`: a JSON list of texts, or XML's `<media_urls><media_url>…</media_url>…`; blank
/// items are left out.
fn read_media_urls(f: &Fields<'_>) -> Result<Vec<String>, ParseError> {
    let path = f.at("media_urls");
    let mut urls = Vec::new();
    for (i, item) in f.list("media_urls", "media_url").into_iter().enumerate() {
        match scalar_text(item) {
            Some(url) if url.is_empty() => {}
            Some(url) => urls.push(url),
            None => return Err(not_text(f.document, index(&path, i), item)),
        }
    }
    Ok(urls)
}

/// `attributes` in either shape (see [`ServiceRequest::attributes`]).
fn read_attributes(f: &Fields<'_>) -> Result<BTreeMap<String, AttributeAnswer>, ParseError> {
    let path = f.at("attributes");
    let mut answers = BTreeMap::new();
    let Some(value) = f.raw("attributes") else {
        return Ok(answers);
    };
    let Some(object) = value.as_object() else {
        return Err(ParseError::invalid(
            f.document,
            path,
            format!("expected an object of answers, got {}", describe(value)),
        ));
    };
    if let Some(entries) = xml_entries(object) {
        for (i, entry) in entries.into_iter().enumerate() {
            let entry = Fields::new(f.document, index(&format!("{path}.attribute"), i), entry)?;
            let code = entry.required_text("code")?;
            let answer = match entry.raw("values") {
                Some(values) => texts(f.document, &entry.at("values"), items(values, "value"))?
                    .map(AttributeAnswer::Multiple),
                None => entry.text("value")?.map(AttributeAnswer::Single),
            };
            answers.extend(answer.map(|answer| (code, answer)));
        }
        return Ok(answers);
    }
    for (code, value) in object {
        let at = format!("{path}.{code}");
        let answer = match value {
            Value::Array(values) => {
                texts(f.document, &at, values.iter().collect())?.map(AttributeAnswer::Multiple)
            }
            value => match scalar_text(value) {
                Some(text) => Some(text)
                    .filter(|text| !text.is_empty())
                    .map(AttributeAnswer::Single),
                None => return Err(not_text(f.document, at, value)),
            },
        };
        answers.extend(answer.map(|answer| (code.trim().to_owned(), answer)));
    }
    Ok(answers)
}

/// The `<attribute>` elements of XML's shape, which the XML reader gives as
/// `{"attribute": {…}}` or `{"attribute": [{…}, …]}`; `None` for JSON's shape (an attribute
/// code `attribute` answered with text or a list of texts stays an answer).
fn xml_entries(object: &Map<String, Value>) -> Option<Vec<&Value>> {
    if object.len() != 1 {
        return None;
    }
    match object.get("attribute")? {
        entry @ Value::Object(_) => Some(vec![entry]),
        Value::Array(list) if list.iter().all(Value::is_object) => Some(list.iter().collect()),
        _ => None,
    }
}

/// The non-blank texts of a list answer; `None` when none is left.
fn texts(
    document: &'static str,
    path: &str,
    values: Vec<&Value>,
) -> Result<Option<Vec<String>>, ParseError> {
    let mut found = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        match scalar_text(value) {
            Some(text) if text.is_empty() => {}
            Some(text) => found.push(text),
            None => return Err(not_text(document, index(path, i), value)),
        }
    }
    Ok(Some(found).filter(|found| !found.is_empty()))
}

fn not_text(document: &'static str, path: String, value: &Value) -> ParseError {
    ParseError::invalid(
        document,
        path,
        format!("expected text, got {}", describe(value)),
    )
}

/// Reads `lat` + `long` (either order, numbers or numeric strings). One without the other,
/// or a value out of range, is an error; both absent is `None`.
pub(crate) fn read_position(f: &Fields<'_>) -> Result<Option<LonLat>, ParseError> {
    match (f.number("lat")?, f.number("long")?) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => LonLat::new(lon, lat)
            .map(Some)
            .map_err(|e| ParseError::invalid(f.document, f.at("lat"), e.to_string())),
        (Some(_), None) => Err(ParseError::missing(f.document, f.at("long"))),
        (None, Some(_)) => Err(ParseError::missing(f.document, f.at("lat"))),
    }
}

fn lat_long<S: Serializer>(position: &Option<LonLat>, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry("lat", &position.map(|p| p.lat))?;
    map.serialize_entry("long", &position.map(|p| p.lon))?;
    map.end()
}

super::deserialize_via_value!(ServiceRequest, "Open311 service request");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chicago_style_json() {
        let v = json!({
            "service_request_id": "14-01100669", "status": "open",
            "service_code": "4ffa9cad6018277d4000007b",
            "requested_datetime": "2014-07-12T10:58:43-05:00",
            "lat": 41.858724777757864, "long": -87.66475146237676
        });
        let r = ServiceRequest::from_value("doc", "", &v).unwrap();
        assert_eq!(r.service_request_id, "14-01100669");
        assert_eq!(r.status, RequestStatus::Open);
        let p = r.position.unwrap();
        assert_eq!((p.lon, p.lat), (-87.66475146237676, 41.858724777757864));
        assert_eq!(r.updated_datetime, None);
    }

    #[test]
    fn numbers_as_strings_and_empty_fields() {
        let v = json!({
            "service_request_id": 638344, "status": "Closed", "description": "",
            "long": "-122.4651145", "lat": "37.762221815", "zipcode": "02134",
            "media_url": "http://x/638344.jpg ", "updated_datetime": null
        });
        let r = ServiceRequest::from_value("doc", "", &v).unwrap();
        assert_eq!(r.service_request_id, "638344");
        assert_eq!(r.status, RequestStatus::Closed);
        assert_eq!(r.description, None);
        assert_eq!(r.zipcode.as_deref(), Some("02134"));
        assert_eq!(r.media_url.as_deref(), Some("http://x/638344.jpg"));
        assert_eq!(r.position.unwrap().lat, 37.762221815);
    }

    #[test]
    fn half_a_position_or_a_bad_date_is_an_error() {
        let v = json!({"service_request_id": "1", "status": "open", "lat": 1.0});
        assert_eq!(
            ServiceRequest::from_value("doc", "r", &v)
                .unwrap_err()
                .field(),
            Some("r.long")
        );
        let v = json!({"service_request_id": "1", "status": "open", "requested_datetime": "soon"});
        let err = ServiceRequest::from_value("doc", "r", &v).unwrap_err();
        assert_eq!(err.field(), Some("r.requested_datetime"));
        let v = json!({"service_request_id": "1", "status": "open", "lat": 200.0, "long": 1.0});
        assert!(ServiceRequest::from_value("doc", "r", &v).is_err());
    }

    #[test]
    fn writes_lat_long_as_numbers_and_round_trips() {
        let v = json!({
            "service_request_id": "638344", "status": "closed", "service_code": "006",
            "requested_datetime": "2010-04-14T06:37:38-08:00", "lat": 37.76, "long": -122.46
        });
        let r = ServiceRequest::from_value("doc", "", &v).unwrap();
        let out = serde_json::to_value(&r).unwrap();
        assert_eq!(out["lat"], json!(37.76));
        assert_eq!(out["long"], json!(-122.46));
        assert_eq!(out["service_code"], json!("006"));
        assert_eq!(
            out["requested_datetime"],
            json!("2010-04-14T06:37:38-08:00")
        );
        let back: ServiceRequest = serde_json::from_value(out).unwrap();
        assert_eq!(back, r);
        assert!(
            !serde_json::to_string(&r).unwrap().contains("followers"),
            "a server without the extension is not made to claim it"
        );
    }

    #[test]
    fn reads_the_quartier_extensions() {
        let v = json!({
            "service_request_id": "7", "status": "open", "followers": 3,
            "asset_id": "urn:ngsi-ld:Streetlight:BSL-000123"
        });
        let r = ServiceRequest::from_value("doc", "", &v).unwrap();
        assert_eq!(r.followers, Some(3));
        assert_eq!(
            r.asset_id.as_deref(),
            Some("urn:ngsi-ld:Streetlight:BSL-000123")
        );
        assert_eq!(serde_json::to_value(&r).unwrap()["followers"], json!(3));
        let text = json!({"service_request_id": "7", "status": "open", "followers": "12"});
        assert_eq!(
            ServiceRequest::from_value("doc", "", &text)
                .unwrap()
                .followers,
            Some(12)
        );
        let none = json!({"service_request_id": "7", "status": "open"});
        assert_eq!(
            ServiceRequest::from_value("doc", "", &none)
                .unwrap()
                .followers,
            None
        );
        let bad = json!({"service_request_id": "7", "status": "open", "followers": -1});
        let err = ServiceRequest::from_value("doc", "r", &bad).unwrap_err();
        assert_eq!(err.field(), Some("r.followers"));
    }

    #[test]
    fn reads_every_photo_and_the_answers() {
        let v = json!({
            "service_request_id": "7", "status": "open", "media_url": "/m/1",
            "media_urls": ["/m/1", " /m/2 ", ""],
            "attributes": {
                "taille": "petit", "usagers": ["velos", " pietons", ""], "profondeur_cm": 12.5,
                "vide": "", "rien": null, "aucun": [], "attribute": "un code comme un autre"
            }
        });
        let r = ServiceRequest::from_value("doc", "", &v).unwrap();
        assert_eq!(r.media_urls, ["/m/1", "/m/2"]);
        let single = |text: &str| AttributeAnswer::Single(text.to_owned());
        let expected = BTreeMap::from([
            ("attribute".to_owned(), single("un code comme un autre")),
            ("profondeur_cm".to_owned(), single("12.5")),
            ("taille".to_owned(), single("petit")),
            (
                "usagers".to_owned(),
                AttributeAnswer::Multiple(vec!["velos".to_owned(), "pietons".to_owned()]),
            ),
        ]);
        assert_eq!(r.attributes, expected);
        let out = serde_json::to_value(&r).unwrap();
        assert_eq!(out["media_urls"], json!(["/m/1", "/m/2"]));
        assert_eq!(
            out["attributes"],
            json!({
                "attribute": "un code comme un autre", "profondeur_cm": "12.5",
                "taille": "petit", "usagers": ["velos", "pietons"]
            })
        );
        let back: ServiceRequest = serde_json::from_value(out).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn without_the_extensions_media_url_is_the_only_photo() {
        let v = json!({"service_request_id": "7", "status": "open", "media_url": "http://x/1.jpg"});
        let r = ServiceRequest::from_value("doc", "", &v).unwrap();
        assert_eq!(r.media_urls, ["http://x/1.jpg"]);
        assert!(r.attributes.is_empty());
        let out = serde_json::to_value(&r).unwrap();
        assert!(out.get("attributes").is_none(), "{out}");
        let none = json!({"service_request_id": "7", "status": "open", "attributes": null});
        let r = ServiceRequest::from_value("doc", "", &none).unwrap();
        assert!(r.media_urls.is_empty() && r.attributes.is_empty());
        assert!(
            serde_json::to_value(&r)
                .unwrap()
                .get("media_urls")
                .is_none()
        );
    }

    #[test]
    fn malformed_photos_or_answers_are_errors_at_their_path() {
        for (field, value, path) in [
            ("attributes", json!("taille=petit"), "r.attributes"),
            (
                "attributes",
                json!({"taille": {"a": 1}}),
                "r.attributes.taille",
            ),
            (
                "attributes",
                json!({"usagers": ["velos", []]}),
                "r.attributes.usagers[1]",
            ),
            (
                "media_urls",
                json!(["/m/1", {"url": "/m/2"}]),
                "r.media_urls[1]",
            ),
            ("media_urls", json!([["/m/1"]]), "r.media_urls[0]"),
        ] {
            let mut v = json!({"service_request_id": "7", "status": "open"});
            v[field] = value;
            let err = ServiceRequest::from_value("doc", "r", &v).unwrap_err();
            assert_eq!(err.field(), Some(path), "{err}");
        }
    }
}
