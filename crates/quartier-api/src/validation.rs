//! Shared validation: the app checks before sending, the platform checks again on receipt,
//! with the same rules. Results are [`FieldError`]s with stable machine codes that the app
//! translates; there is no sentence in any language here.

use crate::datetime::Timestamp;
use crate::geo::{BoundingBox, LonLat};
use crate::open311::{AttributeAnswer, Datatype, NewServiceRequest, ServiceDefinition};
use crate::resident::{MAX_REASON_CHARS, NewErasureRequest, SignInRequest};
use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};

/// Longest report description (GeoReport v2 limit), in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 4000;
/// Longest email (RFC 5321 path limit), in characters.
pub const EMAIL_MAX_CHARS: usize = 254;
/// Longest password accepted (bounds the hashing work), in characters.
pub const PASSWORD_MAX_CHARS: usize = 1024;
/// Longest first or last name, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// Longest phone number, in characters.
pub const PHONE_MAX_CHARS: usize = 40;
/// Longest free-text address, in characters.
pub const ADDRESS_MAX_CHARS: usize = 500;
/// Longest code or id (service code, address id, device id, account id), in characters.
pub const CODE_MAX_CHARS: usize = 100;
/// Longest media URL, in characters.
pub const URL_MAX_CHARS: usize = 2048;
/// Longest asset id (an NGSI-LD URN), in characters.
pub const ASSET_ID_MAX_CHARS: usize = 256;
/// Longest answer to a text attribute, in characters.
pub const ATTRIBUTE_MAX_CHARS: usize = 4000;
/// Largest photo accepted with a report, in bytes (the app re-encodes photos far below it).
pub const PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most photos sent with one report.
pub const PHOTOS_MAX: usize = 3;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field, named as on the wire: `description`, `lat`, `location`, `attribute[CODE]`,
    /// `email`, `password`.
    pub field: String,
    /// What is wrong.
    pub code: FieldErrorCode,
}

impl FieldError {
    /// A new field error.
    pub fn new(field: impl Into<String>, code: FieldErrorCode) -> Self {
        FieldError {
            field: field.into(),
            code,
        }
    }

    /// Reads back the `description` of an Open311 error that [`FieldError`]'s `Display`
    /// wrote (`description: too_long`); `None` for any other description, such as a foreign
    /// server's sentence.
    pub fn from_open311_description(description: &str) -> Option<Self> {
        let (field, code) = description.split_once(": ")?;
        let valid_field = !field.is_empty()
            && field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_[]-".contains(c));
        match FieldErrorCode::from_text(code) {
            FieldErrorCode::Other(_) => None,
            code if valid_field => Some(FieldError::new(field, code)),
            _ => None,
        }
    }
}

/// `field: code`, the `description` of the Open311 error that reports it.
impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.code)
    }
}

text_enum! {
    /// Stable machine codes of field errors (snake_case on the wire).
    pub enum FieldErrorCode {
        /// Missing or blank.
        Required = "required",
        /// Longer than allowed.
        TooLong = "too_long",
        /// Not an email address.
        InvalidEmail = "invalid_email",
        /// Not a number.
        NotANumber = "not_a_number",
        /// NaN or infinite.
        NotFinite = "not_finite",
        /// A latitude/longitude outside the WGS 84 ranges.
        OutOfRange = "out_of_range",
        /// A position outside the town.
        OutsideTown = "outside_town",
        /// Not one of the listed choices.
        NotAnOption = "not_an_option",
        /// Not an RFC 3339 date-time.
        InvalidDatetime = "invalid_datetime",
        /// Not an http(s) URL or a same-site path.
        InvalidUrl = "invalid_url",
        /// A field the form does not have (an attribute the service does not define).
        UnknownField = "unknown_field",
        /// More items than allowed (`media`: more than [`PHOTOS_MAX`] photos).
        TooMany = "too_many",
    }
}

/// Checks a report before sending (app) and on receipt (platform): service code, description
/// (required, ≤ 4000 characters), a location (lat/long inside `town`, or an address), the
/// optional contact fields, and the `asset_id` extension (an `urn:ngsi-ld:` id).
pub fn validate_report(report: &NewServiceRequest, town: &BoundingBox) -> Vec<FieldError> {
    let mut errors = Vec::new();
    required_text(
        &mut errors,
        "service_code",
        Some(&report.service_code),
        CODE_MAX_CHARS,
    );
    required_text(
        &mut errors,
        "description",
        report.description.as_deref(),
        DESCRIPTION_MAX_CHARS,
    );
    check_location(&mut errors, report, town);
    if let Some(email) = nonblank(report.email.as_deref()) {
        check_email(&mut errors, "email", email);
    }
    optional_text(
        &mut errors,
        "first_name",
        report.first_name.as_deref(),
        NAME_MAX_CHARS,
    );
    optional_text(
        &mut errors,
        "last_name",
        report.last_name.as_deref(),
        NAME_MAX_CHARS,
    );
    optional_text(
        &mut errors,
        "phone",
        report.phone.as_deref(),
        PHONE_MAX_CHARS,
    );
    optional_text(
        &mut errors,
        "address_string",
        report.address_string.as_deref(),
        ADDRESS_MAX_CHARS,
    );
    optional_text(
        &mut errors,
        "address_id",
        report.address_id.as_deref(),
        CODE_MAX_CHARS,
    );
    optional_text(
        &mut errors,
        "device_id",
        report.device_id.as_deref(),
        CODE_MAX_CHARS,
    );
    optional_text(
        &mut errors,
        "account_id",
        report.account_id.as_deref(),
        CODE_MAX_CHARS,
    );
    if let Some(url) = nonblank(report.media_url.as_deref()) {
        if chars(url) > URL_MAX_CHARS {
            errors.push(FieldError::new("media_url", FieldErrorCode::TooLong));
        } else if !is_acceptable_url(url) {
            errors.push(FieldError::new("media_url", FieldErrorCode::InvalidUrl));
        }
    }
    if let Some(asset) = nonblank(report.asset_id.as_deref()) {
        if chars(asset) > ASSET_ID_MAX_CHARS {
            errors.push(FieldError::new("asset_id", FieldErrorCode::TooLong));
        } else if !asset.starts_with("urn:ngsi-ld:") {
            errors.push(FieldError::new("asset_id", FieldErrorCode::InvalidUrl));
        }
    }
    errors
}

/// Checks a report's attribute answers against the service definition: required answers,
/// numbers, date-times, list choices, lengths; answers to undefined attributes are flagged.
pub fn validate_report_attributes(
    report: &NewServiceRequest,
    definition: &ServiceDefinition,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for attribute in definition.attributes.iter().filter(|a| a.variable) {
        let field = format!("attribute[{}]", attribute.code);
        let values: Vec<&str> = match report.attributes.get(&attribute.code) {
            None => Vec::new(),
            Some(AttributeAnswer::Single(v)) => vec![v.as_str()],
            Some(AttributeAnswer::Multiple(vs)) => vs.iter().map(String::as_str).collect(),
        }
        .into_iter()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
        if values.is_empty() {
            if attribute.required {
                errors.push(FieldError::new(field, FieldErrorCode::Required));
            }
            continue;
        }
        let code = match &attribute.datatype {
            Datatype::Number => values
                .iter()
                .any(|v| !v.parse::<f64>().is_ok_and(f64::is_finite))
                .then_some(FieldErrorCode::NotANumber),
            Datatype::Datetime => values
                .iter()
                .any(|v| Timestamp::parse(v).is_err())
                .then_some(FieldErrorCode::InvalidDatetime),
            Datatype::SingleValueList => (values.len() > 1 || attribute.value(values[0]).is_none())
                .then_some(FieldErrorCode::NotAnOption),
            Datatype::MultiValueList => values
                .iter()
                .any(|v| attribute.value(v).is_none())
                .then_some(FieldErrorCode::NotAnOption),
            Datatype::String | Datatype::Text | Datatype::Other(_) => values
                .iter()
                .any(|v| chars(v) > ATTRIBUTE_MAX_CHARS)
                .then_some(FieldErrorCode::TooLong),
        };
        if let Some(code) = code {
            errors.push(FieldError::new(field, code));
        }
    }
    for code in report.attributes.keys() {
        if definition.attribute(code).is_none_or(|a| !a.variable) {
            errors.push(FieldError::new(
                format!("attribute[{code}]"),
                FieldErrorCode::UnknownField,
            ));
        }
    }
    errors
}

/// Checks a sign-in form: email required and plausible, password required; both bounded.
pub fn validate_sign_in(request: &SignInRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match nonblank(Some(&request.email)) {
        None => errors.push(FieldError::new("email", FieldErrorCode::Required)),
        Some(email) => check_email(&mut errors, "email", email),
    }
    if request.password.is_empty() {
        errors.push(FieldError::new("password", FieldErrorCode::Required));
    } else if chars(&request.password) > PASSWORD_MAX_CHARS {
        errors.push(FieldError::new("password", FieldErrorCode::TooLong));
    }
    errors
}

/// Checks an erasure request: the reason is optional but bounded; category ids are not blank.
pub fn validate_erasure_request(request: &NewErasureRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    optional_text(
        &mut errors,
        "reason",
        request.reason.as_deref(),
        MAX_REASON_CHARS,
    );
    if request.categories.iter().any(|c| c.trim().is_empty()) {
        errors.push(FieldError::new("categories", FieldErrorCode::Required));
    }
    errors
}

/// A loose email check: one `@`, something before it, a dotted domain after it, no spaces.
/// Deliverability is the server's business; this only catches typos.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn check_location(errors: &mut Vec<FieldError>, report: &NewServiceRequest, town: &BoundingBox) {
    let coordinate =
        |errors: &mut Vec<FieldError>, field: &str, value: Option<f64>, max: f64| match value {
            None => false,
            Some(v) if !v.is_finite() => {
                errors.push(FieldError::new(field, FieldErrorCode::NotFinite));
                false
            }
            Some(v) if v.abs() > max => {
                errors.push(FieldError::new(field, FieldErrorCode::OutOfRange));
                false
            }
            Some(_) => true,
        };
    let has_address = nonblank(report.address_string.as_deref()).is_some()
        || nonblank(report.address_id.as_deref()).is_some();
    match (report.lat, report.long) {
        (None, None) if !has_address => {
            errors.push(FieldError::new("location", FieldErrorCode::Required));
        }
        (None, None) => {}
        (lat, long) => {
            let lat_ok = coordinate(errors, "lat", lat, 90.0);
            let long_ok = coordinate(errors, "long", long, 180.0);
            if lat.is_none() {
                errors.push(FieldError::new("lat", FieldErrorCode::Required));
            }
            if long.is_none() {
                errors.push(FieldError::new("long", FieldErrorCode::Required));
            }
            if let (true, true, Some(lat), Some(lon)) = (lat_ok, long_ok, lat, long)
                && !town.contains(LonLat { lon, lat })
            {
                errors.push(FieldError::new("location", FieldErrorCode::OutsideTown));
            }
        }
    }
}

fn check_email(errors: &mut Vec<FieldError>, field: &str, email: &str) {
    if chars(email) > EMAIL_MAX_CHARS {
        errors.push(FieldError::new(field, FieldErrorCode::TooLong));
    } else if !is_plausible_email(email) {
        errors.push(FieldError::new(field, FieldErrorCode::InvalidEmail));
    }
}

fn required_text(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    match nonblank(value) {
        None => errors.push(FieldError::new(field, FieldErrorCode::Required)),
        Some(v) if chars(v) > max => errors.push(FieldError::new(field, FieldErrorCode::TooLong)),
        Some(_) => {}
    }
}

fn optional_text(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    if nonblank(value).is_some_and(|v| chars(v) > max) {
        errors.push(FieldError::new(field, FieldErrorCode::TooLong));
    }
}

fn nonblank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Length in characters (Unicode scalar values), as a resident counts them, not bytes.
fn chars(text: &str) -> usize {
    text.chars().count()
}

fn is_acceptable_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://")
        || lower.starts_with("http://")
        || (url.starts_with('/') && !url.starts_with("//")))
        && !url.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open311::{AttributeValue, ServiceAttribute};

    fn town() -> BoundingBox {
        BoundingBox::new(1.20, 47.30, 1.45, 47.45).unwrap()
    }

    fn valid_report() -> NewServiceRequest {
        NewServiceRequest {
            service_code: "streetlight".into(),
            lat: Some(47.39),
            long: Some(1.33),
            description: Some("Lampadaire éteint devant le n°3".into()),
            ..Default::default()
        }
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn a_good_report_passes() {
        assert!(validate_report(&valid_report(), &town()).is_empty());
        let by_address = NewServiceRequest {
            lat: None,
            long: None,
            address_string: Some("3 rue des Tilleuls".into()),
            ..valid_report()
        };
        assert!(validate_report(&by_address, &town()).is_empty());
    }

    #[test]
    fn required_fields() {
        let empty = NewServiceRequest {
            description: Some("   ".into()),
            ..Default::default()
        };
        assert_eq!(
            codes(&validate_report(&empty, &town())),
            [
                ("service_code", "required"),
                ("description", "required"),
                ("location", "required")
            ]
        );
    }

    #[test]
    fn description_limit_counts_characters() {
        let at_limit = NewServiceRequest {
            description: Some("é".repeat(DESCRIPTION_MAX_CHARS)),
            ..valid_report()
        };
        assert!(validate_report(&at_limit, &town()).is_empty());
        let over = NewServiceRequest {
            description: Some("é".repeat(DESCRIPTION_MAX_CHARS + 1)),
            ..valid_report()
        };
        assert_eq!(
            codes(&validate_report(&over, &town())),
            [("description", "too_long")]
        );
    }

    #[test]
    fn coordinates() {
        let check = |lat, long| {
            codes(&validate_report(
                &NewServiceRequest {
                    lat,
                    long,
                    ..valid_report()
                },
                &town(),
            ))
            .into_iter()
            .map(|(f, c)| format!("{f}:{c}"))
            .collect::<Vec<_>>()
        };
        assert_eq!(check(Some(f64::NAN), Some(1.33)), ["lat:not_finite"]);
        assert_eq!(check(Some(47.39), Some(f64::INFINITY)), ["long:not_finite"]);
        assert_eq!(check(Some(95.0), Some(1.33)), ["lat:out_of_range"]);
        assert_eq!(check(Some(48.85), Some(2.35)), ["location:outside_town"]);
        assert_eq!(check(Some(47.39), None), ["long:required"]);
        assert!(
            check(Some(47.30), Some(1.20)).is_empty(),
            "the edge is inside"
        );
    }

    #[test]
    fn contact_fields() {
        let r = NewServiceRequest {
            email: Some("camille.martin@example".into()),
            phone: Some("0".repeat(PHONE_MAX_CHARS + 1)),
            media_url: Some("javascript:alert(1)".into()),
            ..valid_report()
        };
        assert_eq!(
            codes(&validate_report(&r, &town())),
            [
                ("email", "invalid_email"),
                ("phone", "too_long"),
                ("media_url", "invalid_url")
            ]
        );
        let ok = NewServiceRequest {
            email: Some("camille.martin@example.org".into()),
            media_url: Some("/open311/v2/media/3".into()),
            asset_id: Some("urn:ngsi-ld:Streetlight:belleville:0001".into()),
            ..valid_report()
        };
        assert!(validate_report(&ok, &town()).is_empty());
    }

    #[test]
    fn emails() {
        for good in [
            "a@b.fr",
            "camille.martin@example.org",
            "x+tag@sub.example.co.uk",
        ] {
            assert!(is_plausible_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@", "@b.fr", "a@b", "a@@b.fr", "a b@c.fr", "a@.b.fr", "a@b.fr.", "a@b..fr",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn sign_in() {
        let ok = SignInRequest {
            email: "camille.martin@example.org".into(),
            password: "quartier-demo".into(),
        };
        assert!(validate_sign_in(&ok).is_empty());
        assert_eq!(
            codes(&validate_sign_in(&SignInRequest::default())),
            [("email", "required"), ("password", "required")]
        );
        let bad = SignInRequest {
            email: "camille".into(),
            password: "x".repeat(PASSWORD_MAX_CHARS + 1),
        };
        assert_eq!(
            codes(&validate_sign_in(&bad)),
            [("email", "invalid_email"), ("password", "too_long")]
        );
    }

    fn definition() -> ServiceDefinition {
        let attr =
            |code: &str, datatype: Datatype, required: bool, values: &[&str]| ServiceAttribute {
                variable: true,
                code: code.into(),
                datatype,
                required,
                datatype_description: None,
                order: None,
                description: None,
                values: values
                    .iter()
                    .map(|k| AttributeValue {
                        key: (*k).into(),
                        name: k.to_uppercase(),
                    })
                    .collect(),
            };
        let mut note = attr("NOTE", Datatype::Text, false, &[]);
        note.variable = false;
        ServiceDefinition {
            service_code: "streetlight".into(),
            attributes: vec![
                attr("POLE", Datatype::String, true, &[]),
                attr("HEIGHT", Datatype::Number, false, &[]),
                attr("SINCE", Datatype::Datetime, false, &[]),
                attr(
                    "KIND",
                    Datatype::SingleValueList,
                    true,
                    &["out", "blinking"],
                ),
                attr("WHEN", Datatype::MultiValueList, false, &["day", "night"]),
                note,
            ],
        }
    }

    #[test]
    fn attributes_against_the_definition() {
        let mut r = valid_report();
        r.attributes
            .insert("POLE".into(), AttributeAnswer::Single("A-12".into()));
        r.attributes
            .insert("KIND".into(), AttributeAnswer::Single("out".into()));
        r.attributes.insert(
            "WHEN".into(),
            AttributeAnswer::Multiple(vec!["day".into(), "night".into()]),
        );
        r.attributes
            .insert("HEIGHT".into(), AttributeAnswer::Single("8.5".into()));
        r.attributes.insert(
            "SINCE".into(),
            AttributeAnswer::Single("2026-11-27T18:00:00+01:00".into()),
        );
        assert!(validate_report_attributes(&r, &definition()).is_empty());

        let mut bad = valid_report();
        bad.attributes
            .insert("KIND".into(), AttributeAnswer::Single("broken".into()));
        bad.attributes.insert(
            "WHEN".into(),
            AttributeAnswer::Multiple(vec!["day".into(), "dusk".into()]),
        );
        bad.attributes
            .insert("HEIGHT".into(), AttributeAnswer::Single("tall".into()));
        bad.attributes
            .insert("SINCE".into(), AttributeAnswer::Single("yesterday".into()));
        bad.attributes
            .insert("NOTE".into(), AttributeAnswer::Single("x".into()));
        bad.attributes
            .insert("COLOUR".into(), AttributeAnswer::Single("red".into()));
        assert_eq!(
            codes(&validate_report_attributes(&bad, &definition())),
            [
                ("attribute[POLE]", "required"),
                ("attribute[HEIGHT]", "not_a_number"),
                ("attribute[SINCE]", "invalid_datetime"),
                ("attribute[KIND]", "not_an_option"),
                ("attribute[WHEN]", "not_an_option"),
                ("attribute[COLOUR]", "unknown_field"),
                ("attribute[NOTE]", "unknown_field"),
            ]
        );
    }

    #[test]
    fn erasure_and_serde() {
        let long = NewErasureRequest {
            categories: vec![],
            reason: Some("x".repeat(MAX_REASON_CHARS + 1)),
        };
        assert_eq!(
            codes(&validate_erasure_request(&long)),
            [("reason", "too_long")]
        );
        assert!(validate_erasure_request(&NewErasureRequest::default()).is_empty());
        let e = FieldError::new("lat", FieldErrorCode::OutsideTown);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"field":"lat","code":"outside_town"}"#
        );
    }

    #[test]
    fn field_errors_survive_an_open311_description() {
        let error = FieldError::new("attribute[taille]", FieldErrorCode::NotAnOption);
        let text = error.to_string();
        assert_eq!(text, "attribute[taille]: not_an_option");
        assert_eq!(FieldError::from_open311_description(&text), Some(error));
        assert_eq!(
            FieldError::from_open311_description("Invalid api_key"),
            None
        );
        assert_eq!(
            FieldError::from_open311_description("lat: lost at sea"),
            None
        );
        assert_eq!(FieldError::from_open311_description("a b: required"), None);
    }
}
