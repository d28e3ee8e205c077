//! A report as the resident fills it in, saved as they type (see [`super::storage`]), and what
//! it becomes on the wire: the contract's [`NewServiceRequest`], checked by the contract's
//! validation (the same rules the platform applies on receipt).

use std::collections::BTreeMap;

use quartier_api::geo::{BoundingBox, LonLat};
use quartier_api::open311::{AttributeAnswer, Datatype, NewServiceRequest, ServiceDefinition};
use quartier_api::validation::{FieldError, validate_report, validate_report_attributes};
use serde::{Deserialize, Serialize};

/// Where the report is, and how the resident gave it (what the form says back to them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacePick {
    pub lat: f64,
    pub lon: f64,
    /// The address chosen from the suggestions, sent as `address_string`.
    #[serde(default)]
    pub address: Option<String>,
    pub source: PlaceSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceSource {
    Map,
    MyLocation,
    Address,
    Asset,
    Photo,
}

/// The asset the report is about, when the resident came from the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetRef {
    /// Its NGSI-LD id (`asset_id` on the wire).
    pub id: String,
    /// Its entity type, to name it ("Streetlights") and find its live state.
    pub entity_type: String,
}

/// Who to answer; every field optional (reports may be anonymous).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub service_code: String,
    /// Answers to the category's questions, by attribute code (one value except for
    /// multi-value lists).
    #[serde(default)]
    pub answers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub place: Option<PlacePick>,
    #[serde(default)]
    pub asset: Option<AssetRef>,
    /// What was typed in the address field, sent as `address_string` when no suggestion was
    /// chosen: GeoReport v2 takes an address without a position, and so does the town.
    #[serde(default)]
    pub typed_address: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact: Contact,
}

impl Draft {
    /// Whether the resident has typed or chosen anything worth keeping.
    pub fn is_blank(&self) -> bool {
        *self == Draft::default()
    }

    /// The report to send. Answers go only to questions the definition asks (a category
    /// changed midway leaves no stray answers); a multi-value list sends `attribute[C][]`.
    pub fn to_request(&self, definition: Option<&ServiceDefinition>) -> NewServiceRequest {
        let text = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_string())
        };
        let mut request = NewServiceRequest {
            service_code: self.service_code.trim().to_string(),
            description: text(&self.description),
            first_name: text(&self.contact.first_name),
            last_name: text(&self.contact.last_name),
            email: text(&self.contact.email),
            phone: text(&self.contact.phone),
            address_string: self
                .place
                .as_ref()
                .and_then(|p| p.address.clone())
                .or_else(|| text(&self.typed_address)),
            asset_id: self.asset.as_ref().map(|a| a.id.clone()),
            ..NewServiceRequest::default()
        };
        request.set_position(self.place.as_ref().map(|p| LonLat {
            lon: p.lon,
            lat: p.lat,
        }));
        if let Some(definition) = definition {
            for attribute in definition.attributes.iter().filter(|a| a.variable) {
                let values: Vec<String> = self
                    .answers
                    .get(&attribute.code)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| text(v))
                    .collect();
                let answer = match (
                    attribute.datatype == Datatype::MultiValueList,
                    values.as_slice(),
                ) {
                    (_, []) => continue,
                    (true, _) => AttributeAnswer::Multiple(values),
                    (false, [first, ..]) => AttributeAnswer::Single(first.clone()),
                };
                request.attributes.insert(attribute.code.clone(), answer);
            }
        }
        request
    }

    /// Every problem the contract finds (a place is a position, or at least an address).
    pub fn problems(
        &self,
        definition: Option<&ServiceDefinition>,
        town: &BoundingBox,
    ) -> Vec<FieldError> {
        let request = self.to_request(definition);
        let mut problems = validate_report(&request, town);
        if let Some(definition) = definition {
            problems.extend(validate_report_attributes(&request, definition));
        }
        problems
    }
}

/// Whether a wire field name is about the report's place.
pub fn is_location(field: &str) -> bool {
    matches!(
        field,
        "lat" | "long" | "location" | "address_string" | "address_id"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quartier_api::open311::json::parse_service_definition;
    use quartier_api::validation::FieldErrorCode;

    fn definition() -> ServiceDefinition {
        parse_service_definition(
            r#"{"service_code":"nid","attributes":[
              {"variable":false,"code":"note","datatype":"string","required":false,"description":"Call 112"},
              {"variable":true,"code":"taille","datatype":"singlevaluelist","required":true,"description":"Size","values":[{"key":"petit","name":"Small"}]},
              {"variable":true,"code":"usagers","datatype":"multivaluelist","required":false,"description":"Who","values":[{"key":"velos","name":"Bikes"},{"key":"pietons","name":"Walkers"}]}
            ]}"#,
        )
        .unwrap()
    }

    fn town() -> BoundingBox {
        BoundingBox::new(0.6, 47.3, 0.8, 47.5).unwrap()
    }

    fn filled() -> Draft {
        Draft {
            service_code: "nid".into(),
            answers: BTreeMap::from([
                ("taille".into(), vec!["petit".into()]),
                ("usagers".into(), vec!["velos".into(), "pietons".into()]),
                ("stale".into(), vec!["x".into()]),
            ]),
            place: Some(PlacePick {
                lat: 47.39,
                lon: 0.68,
                address: Some("1 rue de la Paix".into()),
                source: PlaceSource::Address,
            }),
            asset: None,
            typed_address: String::new(),
            description: "  A hole  ".into(),
            contact: Contact {
                email: "camille@example.org".into(),
                ..Contact::default()
            },
        }
    }

    #[test]
    fn a_filled_draft_becomes_the_spec_form() {
        let request = filled().to_request(Some(&definition()));
        let pairs = request.to_form_pairs();
        let has = |name: &str, value: &str| pairs.iter().any(|(n, v)| n == name && v == value);
        assert!(has("service_code", "nid"));
        assert!(has("lat", "47.39"));
        assert!(has("long", "0.68"));
        assert!(has("address_string", "1 rue de la Paix"));
        assert!(has("description", "A hole"));
        assert!(has("email", "camille@example.org"));
        assert!(has("attribute[taille]", "petit"));
        assert!(has("attribute[usagers][]", "velos"));
        assert!(has("attribute[usagers][]", "pietons"));
        // No answer to a question the category does not ask, nor to information.
        assert!(
            !pairs
                .iter()
                .any(|(n, _)| n.contains("stale") || n.contains("note"))
        );
        assert!(!pairs.iter().any(|(n, _)| n == "first_name"));
        assert!(filled().problems(Some(&definition()), &town()).is_empty());
    }

    #[test]
    fn missing_answers_and_place_are_problems_named_by_field() {
        let draft = Draft {
            service_code: "nid".into(),
            ..Draft::default()
        };
        let fields: Vec<String> = draft
            .problems(Some(&definition()), &town())
            .into_iter()
            .map(|p| format!("{}: {}", p.field, p.code))
            .collect();
        assert!(
            fields.contains(&"description: required".to_string()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"attribute[taille]: required".to_string()),
            "{fields:?}"
        );
        assert!(
            fields
                .iter()
                .any(|f| is_location(f.split(':').next().unwrap())),
            "{fields:?}"
        );
    }

    #[test]
    fn a_place_outside_the_town_is_refused_before_sending() {
        let mut draft = filled();
        draft.place = Some(PlacePick {
            lat: 48.85,
            lon: 2.35,
            address: None,
            source: PlaceSource::Map,
        });
        let problems = draft.problems(Some(&definition()), &town());
        assert!(
            problems
                .iter()
                .any(|p| p.code == FieldErrorCode::OutsideTown),
            "{problems:?}"
        );
    }

    #[test]
    fn a_draft_survives_its_json() {
        let draft = filled();
        let text = serde_json::to_string(&draft).unwrap();
        assert_eq!(serde_json::from_str::<Draft>(&text).unwrap(), draft);
        assert!(Draft::default().is_blank());
        assert!(!draft.is_blank());
    }

    #[test]
    fn a_typed_address_without_a_suggestion_is_sent_as_the_address() {
        let mut draft = filled();
        draft.place = None;
        draft.typed_address = "  12 rue Albert Camus ".into();
        let request = draft.to_request(Some(&definition()));
        assert_eq!(
            request.address_string.as_deref(),
            Some("12 rue Albert Camus")
        );
        assert_eq!(request.lat, None);
        assert!(draft.problems(Some(&definition()), &town()).is_empty());
    }
}
