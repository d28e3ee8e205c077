//! Open311 GeoReport v2: the town's categories, their questions, reports and their follow-up.
//!
//! Reading goes through the contract crate's tolerant parsers (ids and codes as text, bare or
//! wrapped lists). Writing is strict: the spec's form fields, urlencoded when there is no photo
//! so that any GeoReport v2 server takes it; with photos, `multipart/form-data` with `media`
//! parts (an extension), sent through `XMLHttpRequest` because only it reports upload progress.
//! Every POST carries an `Idempotency-Key`: a retry after a lost answer is the same report.

use futures::channel::oneshot;
use gloo_net::http::Request;
use quartier_api::geo::LonLat;
use quartier_api::open311::{
    CreatedRequest, FORM_CONTENT_TYPE, Service as Category, ServiceDefinition, ServiceRequest, json,
};
use quartier_api::validation::{FieldError, FieldErrorCode};
use quartier_api::{ParseError, form::encode_form};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::{ApiError, Service};

/// The header that makes a POST safe to repeat.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

fn url(base: &str, path: &str) -> String {
    format!("{}/{path}", base.trim_end_matches('/'))
}

fn decode(error: ParseError) -> ApiError {
    ApiError::decode(Service::Reports, error.to_string())
}

async fn get_text(url: &str) -> Result<String, ApiError> {
    let response = Request::get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Reports, e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::status(Service::Reports, response.status()));
    }
    response
        .text()
        .await
        .map_err(|e| ApiError::network(Service::Reports, e.to_string()))
}

/// The town's categories (`services.json`).
pub async fn fetch_services(base: &str) -> Result<Vec<Category>, ApiError> {
    json::parse_services(&get_text(&url(base, "services.json")).await?).map_err(decode)
}

/// The questions of one category (`services/{code}.json`).
pub async fn fetch_definition(base: &str, code: &str) -> Result<ServiceDefinition, ApiError> {
    let path = format!("services/{}.json", js_sys::encode_uri_component(code));
    json::parse_service_definition(&get_text(&url(base, &path)).await?).map_err(decode)
}

/// One report (`requests/{id}.json`, a one-item list).
pub async fn fetch_request(base: &str, id: &str) -> Result<ServiceRequest, ApiError> {
    let path = format!("requests/{}.json", js_sys::encode_uri_component(id));
    json::parse_service_request(&get_text(&url(base, &path)).await?).map_err(decode)
}

/// Several reports by id (`service_request_id=a,b,c`), for the reports made on this device.
pub async fn fetch_requests(base: &str, ids: &[String]) -> Result<Vec<ServiceRequest>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = encode_form(&[("service_request_id".to_string(), ids.join(","))]);
    let text = get_text(&format!("{}?{query}", url(base, "requests.json"))).await?;
    json::parse_service_requests(&text).map_err(decode)
}

/// Open reports of `service_code` within `radius_m` of `at`, nearest first. `lat`/`long`/
/// `radius` is an extension (FixMyStreet has the same): a server without it answers its
/// latest reports, so the distance is checked here again.
pub async fn fetch_nearby(
    base: &str,
    at: LonLat,
    radius_m: f64,
    service_code: &str,
) -> Result<Vec<ServiceRequest>, ApiError> {
    let query = encode_form(&[
        ("service_code".to_string(), service_code.to_string()),
        ("status".to_string(), "open".to_string()),
        ("lat".to_string(), at.lat.to_string()),
        ("long".to_string(), at.lon.to_string()),
        ("radius".to_string(), radius_m.round().to_string()),
    ]);
    let text = get_text(&format!("{}?{query}", url(base, "requests.json"))).await?;
    let requests = json::parse_service_requests(&text).map_err(decode)?;
    Ok(nearest_within(requests, at, radius_m, service_code))
}

/// The open requests of `service_code` within `radius_m` of `at`, nearest first.
pub fn nearest_within(
    requests: Vec<ServiceRequest>,
    at: LonLat,
    radius_m: f64,
    service_code: &str,
) -> Vec<ServiceRequest> {
    let mut near: Vec<(f64, ServiceRequest)> = requests
        .into_iter()
        .filter(|r| r.service_code.as_deref() == Some(service_code))
        .filter(|r| r.status == quartier_api::open311::RequestStatus::Open)
        .filter_map(|r| {
            let distance = r.position?.distance_m(&at);
            (distance <= radius_m).then_some((distance, r))
        })
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    near.into_iter().map(|(_, r)| r).collect()
}

/// How a POST ended, as the form and the queue must treat it.
#[derive(Clone, Debug, PartialEq)]
pub enum PostOutcome {
    /// The server took it.
    Created(CreatedRequest),
    /// The server refused some fields: the resident must change them.
    Invalid(Vec<FieldError>),
    /// Refused for good (wrong key, forbidden…): sending again will not help.
    Refused(ApiError),
    /// No usable answer (network, overload, server error, unreadable body): send again later
    /// with the same `Idempotency-Key`.
    Retry(ApiError),
}

/// Reads the answer to a POST (`status` 0: no answer at all).
pub fn read_post_answer(status: u16, body: &str) -> PostOutcome {
    match status {
        200 | 201 => match json::parse_created_request(body) {
            Ok(created) => PostOutcome::Created(created),
            // A body cut short: the report may be stored; the same key will replay it.
            Err(error) => PostOutcome::Retry(decode(error)),
        },
        0 => PostOutcome::Retry(ApiError::network(Service::Reports, "no answer")),
        400 => {
            let fields: Vec<FieldError> = json::parse_errors(body)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| FieldError::from_open311_description(&e.description))
                .collect();
            if fields.is_empty() {
                PostOutcome::Refused(ApiError::status(Service::Reports, 400))
            } else {
                PostOutcome::Invalid(fields)
            }
        }
        413 => PostOutcome::Invalid(vec![FieldError::new("media", FieldErrorCode::TooLong)]),
        408 | 425 | 429 | 500..=599 => {
            PostOutcome::Retry(ApiError::status(Service::Reports, status))
        }
        _ => PostOutcome::Refused(ApiError::status(Service::Reports, status)),
    }
}

/// What a POST sends: the form fields (the `api_key` included) and the photos.
pub struct Outgoing<'a> {
    pub pairs: &'a [(String, String)],
    pub photos: &'a [web_sys::Blob],
    pub idempotency_key: &'a str,
    /// The session's CSRF token, when a resident is signed in (the platform ties the report
    /// to them and refuses a cookie without its token).
    pub csrf_token: Option<&'a str>,
}

/// Posts a report; `progress(sent, total)` follows the upload.
pub async fn post_report(
    base: &str,
    outgoing: &Outgoing<'_>,
    progress: impl Fn(f64, f64) + 'static,
) -> PostOutcome {
    match send(base, outgoing, progress).await {
        Ok((status, body)) => read_post_answer(status, &body),
        Err(detail) => PostOutcome::Retry(ApiError::network(Service::Reports, detail)),
    }
}

async fn send(
    base: &str,
    outgoing: &Outgoing<'_>,
    progress: impl Fn(f64, f64) + 'static,
) -> Result<(u16, String), String> {
    let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let xhr = web_sys::XmlHttpRequest::new().map_err(js)?;
    xhr.open("POST", &url(base, "requests.json")).map_err(js)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(js)?;
    xhr.set_request_header(IDEMPOTENCY_HEADER, outgoing.idempotency_key)
        .map_err(js)?;
    if let Some(token) = outgoing.csrf_token {
        xhr.set_request_header(quartier_api::resident::CSRF_HEADER, token)
            .map_err(js)?;
    }
    let (done, answer) = oneshot::channel::<()>();
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let finish = {
        let done = done.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(done) = done.borrow_mut().take() {
                let _ = done.send(());
            }
        })
    };
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() {
                progress(event.loaded(), event.total());
            }
        });
    xhr.set_onloadend(Some(finish.as_ref().unchecked_ref()));
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    if outgoing.photos.is_empty() {
        xhr.set_request_header("Content-Type", FORM_CONTENT_TYPE)
            .map_err(js)?;
        xhr.send_with_opt_str(Some(&encode_form(outgoing.pairs)))
            .map_err(js)?;
    } else {
        let form = web_sys::FormData::new().map_err(js)?;
        for (name, value) in outgoing.pairs {
            form.append_with_str(name, value).map_err(js)?;
        }
        for (i, photo) in outgoing.photos.iter().enumerate() {
            form.append_with_blob_and_filename("media", photo, &format!("photo-{}.jpg", i + 1))
                .map_err(js)?;
        }
        xhr.send_with_opt_form_data(Some(&form)).map_err(js)?;
    }
    // `loadend` comes after success, error, abort and timeout alike.
    let _ = answer.await;
    drop((finish, on_progress));
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    Ok((status, body))
}

/// Follows a report ("tell me when it's fixed"): the platform counts each follower once
/// and answers with the report. `pairs` carry the `api_key`, and `follower` (this device's id)
/// when nobody is signed in.
pub async fn follow(
    base: &str,
    id: &str,
    pairs: &[(String, String)],
    csrf_token: Option<&str>,
) -> Result<ServiceRequest, ApiError> {
    let path = format!("requests/{}/follow.json", js_sys::encode_uri_component(id));
    let mut request = Request::post(&url(base, &path))
        .header("Accept", "application/json")
        .header("Content-Type", FORM_CONTENT_TYPE);
    if let Some(token) = csrf_token {
        request = request.header(quartier_api::resident::CSRF_HEADER, token);
    }
    let response = request
        .body(encode_form(pairs))
        .map_err(|e| ApiError::network(Service::Reports, e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::network(Service::Reports, e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::status(Service::Reports, response.status()));
    }
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::network(Service::Reports, e.to_string()))?;
    json::parse_service_request(&text).map_err(decode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_report_gives_its_id() {
        let outcome = read_post_answer(
            201,
            r#"[{"service_request_id":"42","service_notice":"Merci"}]"#,
        );
        let PostOutcome::Created(created) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(created.service_request_id.as_deref(), Some("42"));
    }

    #[test]
    fn field_errors_come_back_as_field_errors() {
        let body = r#"[{"code":400,"description":"description: required"},{"code":400,"description":"lat: outside_town"}]"#;
        assert_eq!(
            read_post_answer(400, body),
            PostOutcome::Invalid(vec![
                FieldError::new("description", FieldErrorCode::Required),
                FieldError::new("lat", FieldErrorCode::OutsideTown),
            ])
        );
    }

    #[test]
    fn a_lost_or_cut_answer_is_sent_again_and_a_refusal_is_not() {
        assert!(matches!(read_post_answer(0, ""), PostOutcome::Retry(_)));
        assert!(matches!(read_post_answer(503, ""), PostOutcome::Retry(_)));
        assert!(matches!(
            read_post_answer(500, "oops"),
            PostOutcome::Retry(_)
        ));
        assert!(matches!(read_post_answer(429, ""), PostOutcome::Retry(_)));
        assert!(matches!(
            read_post_answer(201, r#"[{"service_request_id":"4"#),
            PostOutcome::Retry(_)
        ));
        assert!(matches!(
            read_post_answer(403, "[]"),
            PostOutcome::Refused(_)
        ));
        assert!(matches!(
            read_post_answer(400, r#"[{"code":400,"description":"Bad things"}]"#),
            PostOutcome::Refused(_)
        ));
    }

    #[test]
    fn only_open_reports_of_the_category_within_the_radius_are_kept_nearest_first() {
        let at = LonLat {
            lon: 0.6848,
            lat: 47.3941,
        };
        let report = |id: &str, code: &str, status: &str, dlat: f64| {
            json::parse_service_request(&format!(
                r#"[{{"service_request_id":"{id}","service_code":"{code}","status":"{status}","lat":{},"long":0.6848}}]"#,
                47.3941 + dlat
            ))
            .unwrap()
        };
        let kept = nearest_within(
            vec![
                report("far", "a", "open", 0.001),
                report("near", "a", "open", 0.0002),
                report("nearest", "a", "open", 0.0001),
                report("closed", "a", "closed", 0.0001),
                report("other", "b", "open", 0.0001),
            ],
            at,
            50.0,
            "a",
        );
        let ids: Vec<_> = kept.iter().map(|r| r.service_request_id.as_str()).collect();
        assert_eq!(ids, ["nearest", "near"]);
    }
}
