//! `POST requests`: from the form's name/value pairs to a validated [`NewRequest`], or the list
//! of every problem found, one per entry, as `field: code` with the contract crate's
//! [`FieldErrorCode`]s (`description: too_long`, `attribute[taille]: not_an_option`), which the
//! app already knows how to translate.
//!
//! The rules are the contract crate's (`validate_report`, `validate_report_attributes`), the
//! same the app applies before sending; the platform adds what only it knows: which services
//! exist and the town's exact outline.

use quartier_api::{
    BoundingBox, LonLat,
    open311::{AttributeAnswer, NewServiceRequest},
    validation::{FieldError, FieldErrorCode, validate_report, validate_report_attributes},
};
use serde_json::Value;

use super::catalogue::{self, Service};
use crate::town::TownProfile;

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
    /// The town's postcode, for a report given by a point.
    pub zipcode: Option<String>,
}

/// The fields of the form as received, in order.
#[derive(Debug, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            pairs: pairs.into_iter().collect(),
        }
    }

    pub fn push(&mut self, name: String, value: String) {
        self.pairs.push((name, value));
    }

    /// Every pair, in the order received.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first non-blank value of a field, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .filter(|(field, _)| field == name)
            .map(|(_, value)| value.trim())
            .find(|value| !value.is_empty())
    }

    /// Validates the form against the contract's rules, the service catalogue and the town.
    pub fn validate(&self, town: &TownProfile) -> Result<NewRequest, Vec<String>> {
        let report = NewServiceRequest::from_form_pairs(self.pairs.iter().cloned())
            .map_err(|error| vec![parse_problem(&error)])?;
        let outline: BoundingBox = town.bbox();
        let mut errors = validate_report(&report, &outline);
        let service = catalogue::find(report.service_code.trim());
        match service {
            Some(service) => errors.extend(validate_report_attributes(
                &report,
                &service.contract_definition(),
            )),
            None if !report.service_code.trim().is_empty() => {
                errors.push(FieldError::new("service_code", FieldErrorCode::NotAnOption))
            }
            None => {}
        }
        // The box is what the app checks; the town's own outline is the platform's word.
        if let Some(LonLat { lon, lat }) = report.position()
            && !errors
                .iter()
                .any(|e| ["lat", "long", "location"].contains(&e.field.as_str()))
            && !town.contains(lon, lat)
        {
            errors.push(FieldError::new("location", FieldErrorCode::OutsideTown));
        }
        // `validate_report` checked it (length, `urn:ngsi-ld:`): one problem per field.
        let asset_id = report.asset_id.clone().filter(|id| !id.trim().is_empty());
        let problems: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let lat_long = report.lat.zip(report.long);
        // A point without an address gets the nearest one, as a town's agent would write it,
        // where the platform knows the town's streets.
        let address = match (lat_long, report.address_string) {
            (Some((lat, long)), None) => town.nearest_address(long, lat),
            (_, address) => address,
        };
        match service {
            Some(service) if problems.is_empty() => Ok(NewRequest {
                service,
                lat_long,
                zipcode: lat_long.and(town.postcode()).map(str::to_owned),
                address,
                address_id: report.address_id,
                description: report.description,
                media_url: report.media_url,
                asset_id,
                attributes: answers(report.attributes),
                email: report.email,
                device_id: report.device_id,
                account_id: report.account_id,
                first_name: report.first_name,
                last_name: report.last_name,
                phone: report.phone,
            }),
            _ => Err(problems),
        }
    }
}

/// A form the contract cannot even read (a field twice, `lat=abc`): `field: invalid`.
fn parse_problem(error: &quartier_api::ParseError) -> String {
    match error {
        quartier_api::ParseError::Invalid { field, .. } => format!("{field}: invalid"),
        _ => "form: invalid".to_owned(),
    }
}

/// Answers as stored: a list answer keeps each choice once, in the order given.
fn answers(
    attributes: std::collections::BTreeMap<String, AttributeAnswer>,
) -> serde_json::Map<String, Value> {
    attributes
        .into_iter()
        .map(|(code, answer)| {
            let value = match answer {
                AttributeAnswer::Single(value) => Value::from(value.trim()),
                AttributeAnswer::Multiple(values) => {
                    let mut unique: Vec<Value> = Vec::new();
                    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                        if !unique.iter().any(|known| known == value) {
                            unique.push(Value::from(value));
                        }
                    }
                    Value::Array(unique)
                }
            };
            (code, value)
        })
        .collect()
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
        let (lon, lat) = crate::demo::Town::demo().center();
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
        .validate(&TownProfile::demo())
        .expect("valid");
        assert_eq!(request.service.code, "nid-de-poule");
        assert_eq!(request.asset_id.as_deref(), Some("urn:ngsi-ld:Road:R-1"));
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
    fn every_problem_is_listed_with_contract_codes() {
        let problems = form(&[
            ("lat", "1000"),
            ("description", &"x".repeat(4001)),
            ("email", "06 12 34 56 78"),
            ("asset_id", "BSL-1"),
        ])
        .validate(&TownProfile::demo())
        .expect_err("invalid");
        for expected in [
            "service_code: required",
            "description: too_long",
            "lat: out_of_range",
            "long: required",
            "email: invalid_email",
            "asset_id: invalid_url",
        ] {
            assert!(
                problems.iter().any(|p| p == expected),
                "{expected} in {problems:?}"
            );
        }
        let problems = form(&[("lat", "abc")])
            .validate(&TownProfile::demo())
            .expect_err("unreadable");
        assert_eq!(problems, ["lat: invalid"]);
    }

    #[test]
    fn attributes_are_checked_against_the_definition() {
        let (lat, long) = inside();
        let problems = form(&[
            ("service_code", "nid-de-poule"),
            ("lat", &lat),
            ("long", &long),
            ("description", "trou"),
            ("attribute[usagers][]", "camions"),
            ("attribute[profondeur_cm]", "profond"),
            ("attribute[depuis]", "hier"),
            ("attribute[consigne]", "x"),
            ("attribute[couleur]", "rouge"),
        ])
        .validate(&TownProfile::demo())
        .expect_err("invalid");
        let mut problems = problems;
        problems.sort();
        assert_eq!(
            problems,
            [
                "attribute[consigne]: unknown_field",
                "attribute[couleur]: unknown_field",
                "attribute[depuis]: invalid_datetime",
                "attribute[profondeur_cm]: not_a_number",
                "attribute[taille]: required",
                "attribute[usagers]: not_an_option",
            ]
        );
    }

    #[test]
    fn location_is_required_and_inside_the_town() {
        let problems = form(&[("service_code", "graffiti"), ("description", "tag")])
            .validate(&TownProfile::demo())
            .expect_err("no location");
        assert_eq!(problems, ["location: required"]);
        let problems = form(&[
            ("service_code", "graffiti"),
            ("description", "tag"),
            ("lat", "48.85"),
            ("long", "2.35"),
        ])
        .validate(&TownProfile::demo())
        .expect_err("Paris");
        assert_eq!(problems, ["location: outside_town"]);
        let request = form(&[
            ("service_code", "graffiti"),
            ("description", "tag"),
            ("address_string", "1 rue X"),
        ])
        .validate(&TownProfile::demo())
        .expect("an address is enough");
        assert_eq!(request.address.as_deref(), Some("1 rue X"));
        let problems = form(&[
            ("service_code", "licorne"),
            ("description", "?"),
            ("address_id", "A1"),
        ])
        .validate(&TownProfile::demo())
        .expect_err("unknown service");
        assert_eq!(problems, ["service_code: not_an_option"]);
    }

    #[test]
    fn each_problem_is_listed_once() {
        let (lat, long) = inside();
        for (asset_id, problem) in [
            ("not-a-urn", "asset_id: invalid_url"),
            (
                &*format!("urn:ngsi-ld:{}", "x".repeat(300)),
                "asset_id: too_long",
            ),
        ] {
            let problems = form(&[
                ("service_code", "graffiti"),
                ("lat", &lat),
                ("long", &long),
                ("description", "Un tag"),
                ("asset_id", asset_id),
            ])
            .validate(&TownProfile::demo())
            .expect_err("refused");
            assert_eq!(problems, vec![problem.to_owned()], "{asset_id}");
        }
    }
}
