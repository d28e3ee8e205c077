//! `POST requests`: from the form's name/value pairs to a validated [`NewRequest`], or the list
//! of every problem found (`field: problem`, machine-usable, one per entry).
//!
//! Written here rather than taken from the contract crate, whose Open311 request types were not
//! there yet; the rules are those of the spec plus the town's (location inside the town).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    catalogue::{self, Attribute, Datatype, Service},
    time,
};
use crate::demo::Town;

pub const MAX_DESCRIPTION: usize = 4000;
/// `string` attributes, names, ids: one line of text.
const MAX_SHORT: usize = 255;
const MAX_URL: usize = 2048;

/// A report ready to be stored.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub service: &'static Service,
    pub lat_long: Option<(f64, f64)>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    pub asset_id: Option<String>,
    /// Attribute code → `"value"` or `["value", …]`.
    pub attributes: serde_json::Map<String, Value>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
}

/// The fields of the form, first value of each plain field, every value of each attribute.
#[derive(Debug, Default)]
pub struct Form {
    fields: BTreeMap<String, String>,
    /// `attribute[CODE]` and `attribute[CODE][]` alike: the definition, not the brackets, says
    /// whether a list is allowed.
    attributes: BTreeMap<String, Vec<String>>,
}

impl Form {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            form.push(name, value);
        }
        form
    }

    pub fn push(&mut self, name: String, value: String) {
        if let Some(rest) = name.strip_prefix("attribute[") {
            let code = rest
                .strip_suffix("][]")
                .or_else(|| rest.strip_suffix(']'))
                .unwrap_or(rest);
            self.attributes
                .entry(code.to_owned())
                .or_default()
                .push(value);
        } else {
            // The first value wins: a repeated plain field is most likely a client bug, and
            // the first is what a naive form library would have sent alone.
            self.fields.entry(name).or_insert(value);
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// Validates the form against the service catalogue and the town.
    pub fn validate(&self, town: &Town) -> Result<NewRequest, Vec<String>> {
        let mut problems = Vec::new();
        let service = match self.get("service_code") {
            None => {
                problems.push("service_code: required".to_owned());
                None
            }
            Some(code) => {
                let found = catalogue::find(code);
                if found.is_none() {
                    problems.push("service_code: unknown".to_owned());
                }
                found
            }
        };

        let lat_long = self.lat_long(town, &mut problems);
        let address = self.short("address_string", MAX_SHORT, &mut problems);
        let address_id = self.short("address_id", MAX_SHORT, &mut problems);
        if lat_long.is_none()
            && address.is_none()
            && address_id.is_none()
            && !problems
                .iter()
                .any(|p| p.starts_with("lat") || p.starts_with("long"))
        {
            problems.push("location: required (lat and long, address_string or address_id)".into());
        }
        let description = self.short("description", MAX_DESCRIPTION, &mut problems);
        let email = self.short("email", MAX_SHORT, &mut problems);
        if email
            .as_deref()
            .is_some_and(|email| !plausible_email(email))
        {
            problems.push("email: invalid".to_owned());
        }
        let media_url = self.short("media_url", MAX_URL, &mut problems);
        if media_url
            .as_deref()
            .is_some_and(|url| !(url.starts_with("https://") || url.starts_with("http://")))
        {
            problems.push("media_url: not an http(s) URL".to_owned());
        }
        let asset_id = self.short("asset_id", MAX_SHORT, &mut problems);
        if asset_id
            .as_deref()
            .is_some_and(|id| !id.starts_with("urn:ngsi-ld:"))
        {
            problems.push("asset_id: not an NGSI-LD URN".to_owned());
        }
        let device_id = self.short("device_id", MAX_SHORT, &mut problems);
        let account_id = self.short("account_id", MAX_SHORT, &mut problems);
        let first_name = self.short("first_name", MAX_SHORT, &mut problems);
        let last_name = self.short("last_name", MAX_SHORT, &mut problems);
        let phone = self.short("phone", 40, &mut problems);
        let attributes = service
            .map(|service| self.attributes(service, &mut problems))
            .unwrap_or_default();
        match service {
            Some(service) if problems.is_empty() => Ok(NewRequest {
                service,
                lat_long,
                address,
                address_id,
                description,
                media_url,
                asset_id,
                attributes,
                email,
                device_id,
                account_id,
                first_name,
                last_name,
                phone,
            }),
            _ => Err(problems),
        }
    }

    /// An optional field, trimmed, at most `max` characters.
    fn short(&self, name: &str, max: usize, problems: &mut Vec<String>) -> Option<String> {
        let value = self.get(name)?;
        if value.chars().count() > max {
            problems.push(format!("{name}: too long (max {max})"));
        }
        Some(value.to_owned())
    }

    fn lat_long(&self, town: &Town, problems: &mut Vec<String>) -> Option<(f64, f64)> {
        let coordinate = |name: &str, limit: f64, problems: &mut Vec<String>| {
            let text = self.get(name)?;
            match text.parse::<f64>() {
                Ok(value) if value.is_finite() && value.abs() <= limit => Some(value),
                _ => {
                    problems.push(format!("{name}: not a number in range"));
                    None
                }
            }
        };
        let lat = coordinate("lat", 90.0, problems);
        let long = coordinate("long", 180.0, problems);
        match (self.get("lat"), self.get("long")) {
            (Some(_), None) => problems.push("long: required with lat".to_owned()),
            (None, Some(_)) => problems.push("lat: required with long".to_owned()),
            _ => {}
        }
        let (lat, long) = (lat?, long?);
        if !town.contains(long, lat) {
            problems.push("lat/long: outside the town".to_owned());
            return None;
        }
        Some((lat, long))
    }

    fn attributes(
        &self,
        service: &Service,
        problems: &mut Vec<String>,
    ) -> serde_json::Map<String, Value> {
        let mut answers = serde_json::Map::new();
        for code in self.attributes.keys() {
            match service.attribute(code) {
                None => problems.push(format!("attribute[{code}]: unknown")),
                Some(attribute) if !attribute.variable => {
                    problems.push(format!("attribute[{code}]: not a question"));
                }
                Some(_) => {}
            }
        }
        for attribute in service.attributes.iter().filter(|a| a.variable) {
            let values: Vec<&str> = self
                .attributes
                .get(attribute.code)
                .map(|values| {
                    values
                        .iter()
                        .map(|value| value.trim())
                        .filter(|value| !value.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            if values.is_empty() {
                if attribute.required {
                    problems.push(format!("attribute[{}]: required", attribute.code));
                }
                continue;
            }
            match check_attribute(attribute, &values) {
                Ok(value) => {
                    answers.insert(attribute.code.to_owned(), value);
                }
                Err(problem) => problems.push(format!("attribute[{}]: {problem}", attribute.code)),
            }
        }
        answers
    }
}

/// One attribute's answer, checked against its datatype.
fn check_attribute(attribute: &Attribute, values: &[&str]) -> Result<Value, &'static str> {
    if attribute.datatype == Datatype::MultiValueList {
        let mut keys: Vec<Value> = Vec::new();
        for value in values {
            if !attribute.values.iter().any(|(key, _)| key == value) {
                return Err("not an allowed value");
            }
            if !keys.iter().any(|known| known == value) {
                keys.push(Value::from(*value));
            }
        }
        return Ok(Value::Array(keys));
    }
    let [value] = values else {
        return Err("one value expected");
    };
    match attribute.datatype {
        Datatype::String if value.chars().count() > MAX_SHORT => Err("too long (max 255)"),
        Datatype::Text if value.chars().count() > MAX_DESCRIPTION => Err("too long (max 4000)"),
        Datatype::Number if !value.parse::<f64>().is_ok_and(f64::is_finite) => Err("not a number"),
        Datatype::Datetime if time::parse(value).is_none() => Err("not a datetime"),
        Datatype::SingleValueList if !attribute.values.iter().any(|(key, _)| key == value) => {
            Err("not an allowed value")
        }
        _ => Ok(Value::from(*value)),
    }
}

/// Enough to catch a field swap (a phone number in `email`); real checking is sending a mail.
fn plausible_email(email: &str) -> bool {
    email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form::from_pairs(
            pairs
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        )
    }

    fn inside() -> (String, String) {
        let (lon, lat) = Town::demo().center();
        (lat.to_string(), lon.to_string())
    }

    #[test]
    fn a_complete_pothole_report_is_accepted_with_every_datatype() {
        let (lat, long) = inside();
        let request = form(&[
            ("service_code", "nid-de-poule"),
            ("lat", &lat),
            ("long", &long),
            ("description", "Gros trou"),
            ("attribute[taille]", "grand"),
            ("attribute[usagers][]", "velos"),
            ("attribute[usagers][]", "pietons"),
            ("attribute[usagers][]", "velos"),
            ("attribute[profondeur_cm]", "12.5"),
            ("attribute[precisions]", "devant l'école"),
            ("attribute[depuis]", "2026-11-20T08:00:00+01:00"),
            ("asset_id", "urn:ngsi-ld:Road:R-1"),
        ])
        .validate(Town::demo())
        .expect("valid");
        assert_eq!(request.service.code, "nid-de-poule");
        assert_eq!(
            Value::Object(request.attributes),
            serde_json::json!({
                "taille": "grand",
                "usagers": ["velos", "pietons"],
                "profondeur_cm": "12.5",
                "precisions": "devant l'école",
                "depuis": "2026-11-20T08:00:00+01:00",
            })
        );
    }

    #[test]
    fn every_problem_is_listed() {
        let problems = form(&[
            ("lat", "1000"),
            ("description", &"x".repeat(MAX_DESCRIPTION + 1)),
            ("email", "06 12 34 56 78"),
        ])
        .validate(Town::demo())
        .expect_err("invalid");
        assert_eq!(
            problems,
            [
                "service_code: required",
                "lat: not a number in range",
                "long: required with lat",
                "description: too long (max 4000)",
                "email: invalid",
            ]
        );
    }

    #[test]
    fn attributes_are_checked_against_the_definition() {
        let (lat, long) = inside();
        let problems = form(&[
            ("service_code", "nid-de-poule"),
            ("lat", &lat),
            ("long", &long),
            ("attribute[usagers][]", "camions"),
            ("attribute[profondeur_cm]", "profond"),
            ("attribute[depuis]", "hier"),
            ("attribute[consigne]", "x"),
            ("attribute[couleur]", "rouge"),
        ])
        .validate(Town::demo())
        .expect_err("invalid");
        assert_eq!(
            problems,
            [
                "attribute[consigne]: not a question",
                "attribute[couleur]: unknown",
                "attribute[taille]: required",
                "attribute[usagers]: not an allowed value",
                "attribute[profondeur_cm]: not a number",
                "attribute[depuis]: not a datetime",
            ]
        );
    }

    #[test]
    fn location_is_required_and_inside_the_town() {
        let problems = form(&[("service_code", "graffiti")])
            .validate(Town::demo())
            .expect_err("no location");
        assert_eq!(
            problems,
            ["location: required (lat and long, address_string or address_id)"]
        );
        let problems = form(&[
            ("service_code", "graffiti"),
            ("lat", "48.85"),
            ("long", "2.35"),
        ])
        .validate(Town::demo())
        .expect_err("Paris");
        assert_eq!(problems, ["lat/long: outside the town"]);
        let request = form(&[("service_code", "graffiti"), ("address_string", "1 rue X")])
            .validate(Town::demo())
            .expect("an address is enough");
        assert_eq!(request.address.as_deref(), Some("1 rue X"));
    }
}
