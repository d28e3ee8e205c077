//! The body of `POST requests.json`, written strictly with the spec's field names.
//!
//! The app builds a [`NewServiceRequest`] and sends [`NewServiceRequest::to_form_pairs`]
//! (or [`NewServiceRequest::to_form_body`]); the platform reads it back with
//! [`NewServiceRequest::from_form_pairs`] and validates it with the same rules
//! (`crate::validation::validate_report`).

use crate::error::ParseError;
use crate::form::{decode_form, encode_form};
use crate::geo::LonLat;
use serde::Serialize;
use std::collections::BTreeMap;

const DOCUMENT: &str = "Open311 POST requests form";

/// A new report, as the resident filled it in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewServiceRequest {
    /// The category (required).
    pub service_code: String,
    /// Latitude (with `long`, or give an address).
    pub lat: Option<f64>,
    /// Longitude (the spec's name is `long`).
    pub long: Option<f64>,
    /// A free-text address, when no position is given.
    pub address_string: Option<String>,
    /// The town's address id, when known.
    pub address_id: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Device id of a kiosk or phone.
    pub device_id: Option<String>,
    /// The resident's account at the town.
    pub account_id: Option<String>,
    /// Contact first name.
    pub first_name: Option<String>,
    /// Contact last name.
    pub last_name: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// What is wrong (≤ 4000 characters).
    pub description: Option<String>,
    /// A photo's URL (after upload).
    pub media_url: Option<String>,
    /// Quartier extension (`asset_id`): the NGSI-LD id of the asset the report is about
    /// (`urn:ngsi-ld:Streetlight:…`), when the resident started from the map.
    pub asset_id: Option<String>,
    /// Answers to the service definition's attributes, by attribute code.
    pub attributes: BTreeMap<String, AttributeAnswer>,
}

/// An answer to one service-definition attribute. Written as JSON text or a list of texts,
/// the shape of the `attributes` extension of `GET requests`
/// ([`super::ServiceRequest::attributes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AttributeAnswer {
    /// `attribute[CODE]=value` (string, number, datetime, text, singlevaluelist).
    Single(String),
    /// `attribute[CODE][]=a&attribute[CODE][]=b` (multivaluelist).
    Multiple(Vec<String>),
}

impl NewServiceRequest {
    /// The position, when both `lat` and `long` are given.
    pub fn position(&self) -> Option<LonLat> {
        Some(LonLat {
            lon: self.long?,
            lat: self.lat?,
        })
    }

    /// Sets `lat` and `long` from a position.
    pub fn set_position(&mut self, position: Option<LonLat>) {
        self.lat = position.map(|p| p.lat);
        self.long = position.map(|p| p.lon);
    }

    /// The form fields, named as the spec names them, in the spec's order. Absent and
    /// blank values are left out; text is trimmed; numbers use the shortest exact form.
    pub fn to_form_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut text = |name: &str, value: Option<&str>| {
            if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
                pairs.push((name.to_owned(), v.to_owned()));
            }
        };
        text("service_code", Some(&self.service_code));
        text("lat", self.lat.map(|n| n.to_string()).as_deref());
        text("long", self.long.map(|n| n.to_string()).as_deref());
        text("address_string", self.address_string.as_deref());
        text("address_id", self.address_id.as_deref());
        text("email", self.email.as_deref());
        text("device_id", self.device_id.as_deref());
        text("account_id", self.account_id.as_deref());
        text("first_name", self.first_name.as_deref());
        text("last_name", self.last_name.as_deref());
        text("phone", self.phone.as_deref());
        text("description", self.description.as_deref());
        text("media_url", self.media_url.as_deref());
        text("asset_id", self.asset_id.as_deref());
        for (code, answer) in &self.attributes {
            match answer {
                AttributeAnswer::Single(v) => text(&format!("attribute[{code}]"), Some(v)),
                AttributeAnswer::Multiple(vs) => {
                    for v in vs {
                        text(&format!("attribute[{code}][]"), Some(v));
                    }
                }
            }
        }
        pairs
    }

    /// The urlencoded body of [`NewServiceRequest::to_form_pairs`].
    pub fn to_form_body(&self) -> String {
        encode_form(&self.to_form_pairs())
    }

    /// Reads the fields of a posted form (server side). Blank values are absent; unknown
    /// fields (`api_key`, `jurisdiction_id`…) are ignored; a field given twice, a malformed
    /// `attribute[…]` name or a `lat`/`long` that is not a number is an error. Missing
    /// required fields are *not* errors here: `validate_report` reports them per field.
    pub fn from_form_pairs<I, K, V>(pairs: I) -> Result<Self, ParseError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut request = NewServiceRequest::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in pairs {
            let (name, value) = (name.as_ref(), value.as_ref().trim());
            if let Some(rest) = name.strip_prefix("attribute[") {
                read_attribute(&mut request.attributes, name, rest, value)?;
                continue;
            }
            let slot = match name {
                "service_code" | "lat" | "long" | "address_string" | "address_id" | "email"
                | "device_id" | "account_id" | "first_name" | "last_name" | "phone"
                | "description" | "media_url" | "asset_id" => name,
                _ => continue,
            };
            if seen.iter().any(|s| s == slot) {
                return Err(ParseError::invalid(DOCUMENT, slot, "given more than once"));
            }
            seen.push(slot.to_owned());
            if value.is_empty() {
                continue;
            }
            let owned = Some(value.to_owned());
            match slot {
                "service_code" => request.service_code = value.to_owned(),
                "lat" => request.lat = Some(number(slot, value)?),
                "long" => request.long = Some(number(slot, value)?),
                "address_string" => request.address_string = owned,
                "address_id" => request.address_id = owned,
                "email" => request.email = owned,
                "device_id" => request.device_id = owned,
                "account_id" => request.account_id = owned,
                "first_name" => request.first_name = owned,
                "last_name" => request.last_name = owned,
                "phone" => request.phone = owned,
                "description" => request.description = owned,
                "asset_id" => request.asset_id = owned,
                _ => request.media_url = owned,
            }
        }
        Ok(request)
    }

    /// Decodes an urlencoded body and reads it with [`NewServiceRequest::from_form_pairs`].
    pub fn from_form_body(body: &str) -> Result<Self, ParseError> {
        NewServiceRequest::from_form_pairs(decode_form(body)?)
    }
}

fn number(field: &str, value: &str) -> Result<f64, ParseError> {
    value
        .parse::<f64>()
        .map_err(|_| ParseError::invalid(DOCUMENT, field, format!("\"{value}\" is not a number")))
}

/// Reads `attribute[CODE]` or `attribute[CODE][]` (`rest` is what follows `attribute[`).
fn read_attribute(
    attributes: &mut BTreeMap<String, AttributeAnswer>,
    name: &str,
    rest: &str,
    value: &str,
) -> Result<(), ParseError> {
    let (code, multiple) = if let Some(code) = rest.strip_suffix("][]") {
        (code, true)
    } else if let Some(code) = rest.strip_suffix(']') {
        (code, false)
    } else {
        return Err(ParseError::invalid(
            DOCUMENT,
            name,
            "expected attribute[CODE] or attribute[CODE][]",
        ));
    };
    if code.is_empty() || code.contains(['[', ']']) {
        return Err(ParseError::invalid(
            DOCUMENT,
            name,
            "the attribute code is empty or malformed",
        ));
    }
    let entry = attributes.remove(code);
    let answer = match (entry, multiple) {
        (None, false) => AttributeAnswer::Single(value.to_owned()),
        (None, true) => AttributeAnswer::Multiple(nonblank(vec![], value)),
        // A repeated `attribute[CODE]` is read as a list: some clients omit the `[]`.
        (Some(AttributeAnswer::Single(first)), _) => {
            AttributeAnswer::Multiple(nonblank(nonblank(vec![], &first), value))
        }
        (Some(AttributeAnswer::Multiple(values)), _) => {
            AttributeAnswer::Multiple(nonblank(values, value))
        }
    };
    attributes.insert(code.to_owned(), answer);
    Ok(())
}

fn nonblank(mut values: Vec<String>, value: &str) -> Vec<String> {
    if !value.is_empty() {
        values.push(value.to_owned());
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewServiceRequest {
        let mut r = NewServiceRequest {
            service_code: "001".into(),
            address_string: Some("1 place de la Mairie".into()),
            address_id: Some("545483".into()),
            email: Some("camille.martin@example.org".into()),
            device_id: Some("kiosk-3".into()),
            account_id: Some("42".into()),
            first_name: Some("Camille".into()),
            last_name: Some("Martin".into()),
            phone: Some("+33 1 23 45 67 89".into()),
            description: Some(" Lampadaire éteint \n".into()),
            media_url: Some("https://example.org/p.jpg".into()),
            asset_id: Some("urn:ngsi-ld:Streetlight:1".into()),
            ..Default::default()
        };
        r.set_position(Some(LonLat {
            lon: 2.3522,
            lat: 48.8566,
        }));
        r.attributes
            .insert("KIND".into(), AttributeAnswer::Single("2".into()));
        r.attributes.insert(
            "WHEN".into(),
            AttributeAnswer::Multiple(vec!["day".into(), "night".into()]),
        );
        r
    }

    #[test]
    fn writes_every_spec_field_name() {
        let pairs = sample().to_form_pairs();
        let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "service_code",
                "lat",
                "long",
                "address_string",
                "address_id",
                "email",
                "device_id",
                "account_id",
                "first_name",
                "last_name",
                "phone",
                "description",
                "media_url",
                "asset_id",
                "attribute[KIND]",
                "attribute[WHEN][]",
                "attribute[WHEN][]"
            ]
        );
        assert_eq!(pairs[1].1, "48.8566");
        assert_eq!(pairs[2].1, "2.3522");
        assert_eq!(pairs[11].1, "Lampadaire éteint");
        assert_eq!(pairs[13].1, "urn:ngsi-ld:Streetlight:1");
        assert_eq!(pairs[16].1, "night");
    }

    #[test]
    fn leaves_out_blank_fields() {
        let r = NewServiceRequest {
            service_code: "001".into(),
            email: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(
            r.to_form_pairs(),
            vec![("service_code".to_owned(), "001".to_owned())]
        );
    }

    #[test]
    fn round_trips_through_the_body() {
        let mut expected = sample();
        expected.description = Some("Lampadaire éteint".into());
        let back = NewServiceRequest::from_form_body(&sample().to_form_body()).unwrap();
        assert_eq!(back, expected);
    }

    #[test]
    fn server_side_tolerances_and_errors() {
        let r = NewServiceRequest::from_form_pairs([
            ("api_key", "k"),
            ("service_code", "7"),
            ("attribute[A]", "x"),
            ("attribute[A]", "y"),
            ("phone", ""),
        ])
        .unwrap();
        assert_eq!(r.service_code, "7");
        assert_eq!(r.phone, None);
        assert_eq!(
            r.attributes.get("A"),
            Some(&AttributeAnswer::Multiple(vec!["x".into(), "y".into()]))
        );
        let twice = NewServiceRequest::from_form_pairs([("lat", "1"), ("lat", "2")]).unwrap_err();
        assert_eq!(twice.field(), Some("lat"));
        let nan = NewServiceRequest::from_form_pairs([("long", "east")]).unwrap_err();
        assert!(
            nan.to_string().contains("\"east\" is not a number"),
            "{nan}"
        );
        assert!(NewServiceRequest::from_form_pairs([("attribute[A", "x")]).is_err());
        assert!(NewServiceRequest::from_form_pairs([("attribute[]", "x")]).is_err());
        let missing = NewServiceRequest::from_form_pairs(Vec::<(String, String)>::new()).unwrap();
        assert_eq!(missing.service_code, "");
        assert_eq!(missing.position(), None);
    }
}
