//! Open311 JSON documents → clean types.
//!
//! Real servers wrap lists differently: a bare array (the spec), `{"services":[…]}`,
//! `{"service_requests":[…]}` / `{"requests":[…]}`, or a single object where a one-item list
//! is expected (`requests/{id}.json`, the POST response). All are accepted. A body that is an
//! Open311 *error list* where data was expected is reported as such, with its first error.

use super::{
    CreatedRequest, Discovery, Open311Error, Service, ServiceDefinition, ServiceRequest,
    TokenLookup,
};
use crate::error::{ParseError, describe};
use crate::json_read::{index, items};
use serde_json::Value;

/// Parses `discovery.json`.
pub fn parse_discovery(body: &str) -> Result<Discovery, ParseError> {
    const DOC: &str = "Open311 discovery (JSON)";
    Discovery::from_value(
        DOC,
        "",
        &single(DOC, &read(DOC, body)?, &["discovery"], "endpoints")?,
    )
}

/// Parses `services.json`: the categories.
pub fn parse_services(body: &str) -> Result<Vec<Service>, ParseError> {
    services_from_value(
        "Open311 services (JSON)",
        &read("Open311 services (JSON)", body)?,
    )
}

/// Parses `services/{code}.json`: one category's attributes.
pub fn parse_service_definition(body: &str) -> Result<ServiceDefinition, ParseError> {
    const DOC: &str = "Open311 service definition (JSON)";
    let value = read(DOC, body)?;
    ServiceDefinition::from_value(
        DOC,
        "",
        &single(DOC, &value, &["service_definition"], "service_code")?,
    )
}

/// Parses `requests.json`: a list of requests (possibly empty).
pub fn parse_service_requests(body: &str) -> Result<Vec<ServiceRequest>, ParseError> {
    const DOC: &str = "Open311 service requests (JSON)";
    requests_from_value(DOC, &read(DOC, body)?)
}

/// Parses `requests/{id}.json`: a list of one request (the first is taken if there are more).
pub fn parse_service_request(body: &str) -> Result<ServiceRequest, ParseError> {
    const DOC: &str = "Open311 service request (JSON)";
    first(
        DOC,
        requests_from_value(DOC, &read(DOC, body)?)?,
        "one service request",
    )
}

/// Parses the response of `POST requests.json`.
pub fn parse_created_request(body: &str) -> Result<CreatedRequest, ParseError> {
    const DOC: &str = "Open311 POST service request response (JSON)";
    created_from_value(DOC, &read(DOC, body)?)
}

/// Parses `tokens/{token}.json`.
pub fn parse_token_lookup(body: &str) -> Result<TokenLookup, ParseError> {
    const DOC: &str = "Open311 request id from token (JSON)";
    token_from_value(DOC, &read(DOC, body)?)
}

/// Parses an error body: `[{"code":…,"description":…}]` (also `{"errors":[…]}` or one object).
pub fn parse_errors(body: &str) -> Result<Vec<Open311Error>, ParseError> {
    const DOC: &str = "Open311 errors (JSON)";
    errors_from_value(DOC, &read(DOC, body)?)
}

fn read(document: &'static str, body: &str) -> Result<Value, ParseError> {
    serde_json::from_str(body).map_err(|e| ParseError::json(document, &e))
}

/// The items of a list document: a bare array, an object wrapping it under one of `wrappers`,
/// or one object carrying one of `identifying_keys` (a list of one).
pub(crate) fn list_items<'a>(
    document: &'static str,
    value: &'a Value,
    wrappers: &[&str],
    item: &str,
    identifying_keys: &[&str],
) -> Result<(Vec<&'a Value>, String), ParseError> {
    let (found, path) = match value {
        Value::Array(_) => (items(value, item), String::new()),
        Value::Object(obj) => match wrappers.iter().find(|w| obj.contains_key(**w)) {
            Some(w) => (
                obj.get(*w).map(|v| items(v, item)).unwrap_or_default(),
                (*w).to_owned(),
            ),
            None if identifying_keys.iter().any(|k| obj.contains_key(*k)) => {
                (vec![value], String::new())
            }
            None if obj.contains_key("errors") || obj.contains_key("error") => {
                return Err(error_list_found(document, value));
            }
            None => {
                return Err(ParseError::shape(
                    document,
                    format!(
                        "a JSON array, or an object with `{}`",
                        wrappers.join("` or `")
                    ),
                    describe(value),
                ));
            }
        },
        _ => {
            return Err(ParseError::shape(
                document,
                "a JSON array or object",
                describe(value),
            ));
        }
    };
    if !found.is_empty() && found.iter().all(|v| is_error_item(v)) {
        return Err(error_list_found(document, value));
    }
    Ok((found, path))
}

fn is_error_item(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("code") && o.contains_key("description") && o.len() == 2)
}

fn error_list_found(document: &'static str, value: &Value) -> ParseError {
    let first = errors_from_value(document, value)
        .ok()
        .and_then(|errors| errors.into_iter().next())
        .map(|e| format!("an Open311 error list (first: {e})"))
        .unwrap_or_else(|| "an Open311 error list".to_owned());
    ParseError::shape(document, "data", first)
}

/// The one object of a single-object document (also accepted: wrapped, or a list of one).
fn single(
    document: &'static str,
    value: &Value,
    wrappers: &[&str],
    identifying_key: &str,
) -> Result<Value, ParseError> {
    let item = wrappers.first().copied().unwrap_or_default();
    let (found, _) = list_items(document, value, wrappers, item, &[identifying_key])?;
    found
        .into_iter()
        .next()
        .cloned()
        .ok_or_else(|| ParseError::shape(document, "one object", "an empty list"))
}

fn first<T>(document: &'static str, list: Vec<T>, what: &str) -> Result<T, ParseError> {
    list.into_iter()
        .next()
        .ok_or_else(|| ParseError::shape(document, what, "an empty list"))
}

pub(crate) fn services_from_value(
    document: &'static str,
    value: &Value,
) -> Result<Vec<Service>, ParseError> {
    let (found, path) = list_items(
        document,
        value,
        &["services", "service"],
        "service",
        &["service_code"],
    )?;
    found
        .into_iter()
        .enumerate()
        .map(|(i, v)| Service::from_value(document, &index(&path_or(&path, "services"), i), v))
        .collect()
}

pub(crate) fn requests_from_value(
    document: &'static str,
    value: &Value,
) -> Result<Vec<ServiceRequest>, ParseError> {
    let (found, path) = list_items(
        document,
        value,
        &["service_requests", "requests", "request"],
        "request",
        &["service_request_id"],
    )?;
    found
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            ServiceRequest::from_value(document, &index(&path_or(&path, "requests"), i), v)
        })
        .collect()
}

pub(crate) fn created_from_value(
    document: &'static str,
    value: &Value,
) -> Result<CreatedRequest, ParseError> {
    let (found, path) = list_items(
        document,
        value,
        &["service_requests", "requests", "request"],
        "request",
        &["service_request_id", "token"],
    )?;
    let item = first(document, found, "one created request")?;
    CreatedRequest::from_value(document, &index(&path_or(&path, "requests"), 0), item)
}

pub(crate) fn token_from_value(
    document: &'static str,
    value: &Value,
) -> Result<TokenLookup, ParseError> {
    let (found, path) = list_items(
        document,
        value,
        &["service_requests", "requests", "request"],
        "request",
        &["token"],
    )?;
    let item = first(document, found, "one token answer")?;
    TokenLookup::from_value(document, &index(&path_or(&path, "requests"), 0), item)
}

pub(crate) fn errors_from_value(
    document: &'static str,
    value: &Value,
) -> Result<Vec<Open311Error>, ParseError> {
    let found = match value {
        Value::Object(obj) if obj.contains_key("errors") => obj
            .get("errors")
            .map(|v| items(v, "error"))
            .unwrap_or_default(),
        Value::Object(obj) if obj.contains_key("error") && !obj.contains_key("code") => obj
            .get("error")
            .map(|v| items(v, "error"))
            .unwrap_or_default(),
        Value::Array(_) | Value::Object(_) => items(value, "error"),
        other => {
            return Err(ParseError::shape(
                document,
                "an error list",
                describe(other),
            ));
        }
    };
    if found.is_empty() {
        return Err(ParseError::shape(
            document,
            "at least one error",
            "an empty list",
        ));
    }
    found
        .into_iter()
        .enumerate()
        .map(|(i, v)| Open311Error::from_value(document, &index("errors", i), v))
        .collect()
}

fn path_or(path: &str, default: &str) -> String {
    if path.is_empty() {
        default.to_owned()
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_and_wrapped_service_lists() {
        let bare = parse_services(r#"[{"service_code":1,"service_name":"A"}]"#).unwrap();
        let wrapped =
            parse_services(r#"{"services":[{"service_code":"1","service_name":"A"}]}"#).unwrap();
        assert_eq!(bare, wrapped);
        assert_eq!(bare[0].service_code, "1");
        assert!(parse_services("[]").unwrap().is_empty());
        assert!(parse_services(r#"{"services":null}"#).unwrap().is_empty());
    }

    #[test]
    fn bare_and_wrapped_request_lists() {
        let item = r#"{"service_request_id":"14-01100669","status":"open"}"#;
        for body in [
            format!("[{item}]"),
            format!(r#"{{"service_requests":[{item}]}}"#),
            format!(r#"{{"requests":[{item}]}}"#),
            item.to_owned(),
        ] {
            let list = parse_service_requests(&body).unwrap();
            assert_eq!(list.len(), 1, "{body}");
            assert_eq!(list[0].service_request_id, "14-01100669");
            assert_eq!(
                parse_service_request(&body).unwrap().service_request_id,
                "14-01100669"
            );
        }
        let err = parse_service_request("[]").unwrap_err();
        assert!(err.to_string().contains("empty list"), "{err}");
    }

    #[test]
    fn error_list_where_data_was_expected() {
        let body = r#"[{"code":403,"description":"Invalid api_key"}]"#;
        let err = parse_services(body).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Open311 services (JSON): expected data, found an Open311 error list (first: 403 Invalid api_key)"
        );
        let errors = parse_errors(body).unwrap();
        assert_eq!(errors[0].http_status(), Some(403));
        let wrapped = parse_errors(r#"{"errors":[{"code":"400","description":"x"}]}"#).unwrap();
        assert_eq!(wrapped[0].code, "400");
        let one = parse_errors(r#"{"code":404,"description":"not found"}"#).unwrap();
        assert_eq!(one.len(), 1);
        assert!(parse_errors("[]").is_err());
    }

    #[test]
    fn single_documents() {
        let created = parse_created_request(r#"[{"token":"t1"}]"#).unwrap();
        assert_eq!(created.token.as_deref(), Some("t1"));
        let created = parse_created_request(r#"{"token":"t2"}"#).unwrap();
        assert_eq!(created.token.as_deref(), Some("t2"));
        let token = parse_token_lookup(r#"[{"service_request_id":638344,"token":12345}]"#).unwrap();
        assert_eq!(token.service_request_id.as_deref(), Some("638344"));
        let def = parse_service_definition(r#"{"service_code":"X","attributes":[]}"#).unwrap();
        assert_eq!(def.service_code, "X");
        let disc = parse_discovery(r#"{"endpoints":[]}"#).unwrap();
        assert!(disc.endpoints.is_empty());
    }

    #[test]
    fn not_json_or_wrong_shape() {
        let err = parse_services(r#"[{"service_code":001}]"#).unwrap_err();
        assert!(matches!(err, ParseError::Json { line: 1, .. }), "{err}");
        let err = parse_services(r#""services""#).unwrap_err();
        assert!(
            err.to_string().contains("expected a JSON array or object"),
            "{err}"
        );
        let err = parse_services(r#"{"items":[]}"#).unwrap_err();
        assert!(err.to_string().contains("`services`"), "{err}");
    }
}
