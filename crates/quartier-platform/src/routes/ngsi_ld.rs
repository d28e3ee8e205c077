//! NGSI-LD (ETSI GS CIM 009) under `/ngsi-ld/v1/`: the read side the app uses.
//!
//! - `GET entities` — `type`, `id`, `idPattern`, `q`, `attrs`, `georel`/`geometry`/
//!   `coordinates`/`geoproperty`, `limit` (default 20, at most [`Settings::ngsi_ld_max_limit`],
//!   above it 403 TooManyResults), `offset`, `count=true` (`NGSILD-Results-Count`),
//!   `options=keyValues` / `format=simplified`; ordered by id so that paging returns every
//!   entity once.
//! - `GET entities/{id}` — the same representation options; 404 ResourceNotFound.
//! - `GET types` — an EntityTypeList (`details=true`: EntityType objects with attribute names).
//!
//! `Accept`: `application/json` (context in a `Link` header), `application/ld+json` (`@context`
//! in the body), `application/geo+json` (a FeatureCollection, `@context` at collection level as
//! in the ETSI test suite); `*/*` or none gives JSON; anything else 406 NotAcceptable.
//!
//! The server-side types live here for now: the contract crate has no NGSI-LD query types yet.
//! When `quartier-api` gains them, the wire shapes to keep are those in `render.rs`.
//!
//! [`Settings::ngsi_ld_max_limit`]: crate::state::Settings::ngsi_ld_max_limit

mod geo;
mod query;
mod render;
mod store;

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};

use crate::{
    error::{AppError, ErrorFormat, ErrorInfo},
    state::AppState,
};
use query::QueryError;
use render::MediaType;

/// The codes of the two 400 errors, which [`ErrorInfo`] renders as their ETSI types.
pub const INVALID_REQUEST: &str = "invalid_request";
pub const BAD_REQUEST_DATA: &str = "bad_request_data";

/// The maximum `limit` when the settings do not say otherwise (Orion-LD's; Stellio caps at 100).
pub const DEFAULT_MAX_LIMIT: usize = 1000;

/// Paths relative to `/ngsi-ld`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/entities", get(query_entities))
        .route("/v1/entities/{id}", get(retrieve_entity))
        .route("/v1/types", get(retrieve_types))
}

type Pairs = Query<Vec<(String, String)>>;

/// What entity endpoints offer; `types` has no GeoJSON form.
const ENTITY_MEDIA: &[MediaType] = &[MediaType::GeoJson, MediaType::JsonLd, MediaType::Json];

async fn query_entities(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Pairs,
) -> Result<Response, AppError> {
    let Some(media) = negotiate(&headers, ENTITY_MEDIA) else {
        return Ok(not_acceptable(ENTITY_MEDIA));
    };
    if let Some(response) = unknown_context(&headers) {
        return Ok(response);
    }
    let query = match query::parse_entity_query(&pairs, state.settings.ngsi_ld_max_limit) {
        Ok(query) => query,
        Err(error) => return Ok(query_error(error)),
    };
    let (page, query) = state
        .db
        .read(move |conn| Ok((store::run(conn, &query)?, query)))
        .await?;
    let body = render::collection(page.entities, &query.view, media);
    let mut response = respond(media, &body);
    if let Some(total) = page.total {
        response
            .headers_mut()
            .insert("NGSILD-Results-Count", HeaderValue::from(total));
    }
    Ok(response)
}

async fn retrieve_entity(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(pairs): Pairs,
) -> Result<Response, AppError> {
    let Some(media) = negotiate(&headers, ENTITY_MEDIA) else {
        return Ok(not_acceptable(ENTITY_MEDIA));
    };
    if let Some(response) = unknown_context(&headers) {
        return Ok(response);
    }
    // Entity ids are URIs (5.2.4): a scheme, a colon, no spaces.
    let is_uri = id
        .split_once(':')
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty())
        && !id.chars().any(char::is_whitespace);
    if !is_uri {
        return Err(AppError::bad_request(
            BAD_REQUEST_DATA,
            format!("{id:?} is not a URI"),
        ));
    }
    let view = match query::parse_view(&pairs) {
        Ok(view) => view,
        Err(error) => return Ok(query_error(error)),
    };
    let lookup = id.clone();
    let stored = state
        .db
        .read(move |conn| store::by_id(conn, &lookup))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no entity {id}")))?;
    Ok(respond(media, &render::single(stored, &view, media)))
}

async fn retrieve_types(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Pairs,
) -> Result<Response, AppError> {
    let offered = &[MediaType::JsonLd, MediaType::Json];
    let Some(media) = negotiate(&headers, offered) else {
        return Ok(not_acceptable(offered));
    };
    let details = pairs.iter().any(|(k, v)| k == "details" && v == "true");
    let types = state.db.read(|conn| store::types(conn)).await?;
    let mut body = if details {
        Value::Array(
            types
                .into_iter()
                .map(|(name, attributes)| {
                    json!({
                        "id": name,
                        "type": "EntityType",
                        "typeName": name,
                        "attributeNames": attributes,
                    })
                })
                .collect(),
        )
    } else {
        let names: Vec<String> = types.into_iter().map(|(name, _)| name).collect();
        json!({
            "id": format!("urn:ngsi-ld:EntityTypeList:{}", names.join("-")),
            "type": "EntityTypeList",
            "typeList": names,
        })
    };
    if media == MediaType::JsonLd {
        match &mut body {
            Value::Object(map) => {
                map.insert("@context".into(), render::context());
            }
            Value::Array(items) => {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    item.insert("@context".into(), render::context());
                }
            }
            _ => {}
        }
    }
    Ok(respond(media, &body))
}

/// The body with its content type, and the context `Link` unless the body carries `@context`
/// itself.
fn respond(media: MediaType, body: &Value) -> Response {
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    if media == MediaType::Json
        && let Ok(link) = HeaderValue::from_str(&render::link_header())
    {
        headers.insert(header::LINK, link);
    }
    response
}

/// 403 TooManyResults and 406 NotAcceptable are NGSI-LD's own: rendered here as ProblemDetails
/// through the shared [`ErrorInfo`], which maps them to their ETSI error types.
fn problem(status: StatusCode, code: &'static str, detail: String) -> Response {
    ErrorInfo::new(status, code, Some(detail)).render(ErrorFormat::NgsiLd)
}

fn query_error(error: QueryError) -> Response {
    match error {
        QueryError::InvalidRequest(detail) => {
            AppError::bad_request(INVALID_REQUEST, detail).render(ErrorFormat::NgsiLd)
        }
        QueryError::BadRequestData(detail) => {
            AppError::bad_request(BAD_REQUEST_DATA, detail).render(ErrorFormat::NgsiLd)
        }
        QueryError::TooManyResults(detail) => {
            problem(StatusCode::FORBIDDEN, "too_many_results", detail)
        }
    }
}

/// A request `Link` `@context` (6.3.5) that the platform does not know: 503
/// LdContextNotAvailable, since it fetches no context documents. The core context and Smart
/// Data Models' contexts are known: their terms are the short names the entities are stored
/// with, and their full IRIs are compacted to them ([`quartier_api::ngsi_ld::query::compact`]).
fn unknown_context(headers: &HeaderMap) -> Option<Response> {
    let url = headers
        .get_all(header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(quartier_api::ngsi_ld::parse_link_context)?;
    if query::is_known_context(&url) {
        return None;
    }
    Some(problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "ld_context_not_available",
        format!(
            "this platform fetches no @context; {url} is not one it knows (the NGSI-LD core \
             context and Smart Data Models' are)"
        ),
    ))
}

/// The best representation `Accept` allows among `offered` (by q-value, then header order);
/// JSON when there is no `Accept`; `None` when nothing offered is acceptable.
fn negotiate(headers: &HeaderMap, offered: &[MediaType]) -> Option<MediaType> {
    let accept: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if accept.iter().all(|v| v.trim().is_empty()) {
        return Some(MediaType::Json);
    }
    let mut best: Option<(f32, MediaType)> = None;
    for range in accept.iter().flat_map(|v| v.split(',')) {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let media = match essence.as_str() {
            "application/geo+json" => MediaType::GeoJson,
            "application/ld+json" => MediaType::JsonLd,
            "application/json" | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if offered.contains(&media) && best.is_none_or(|(best_q, _)| q > best_q) {
            best = Some((q, media));
        }
    }
    best.map(|(_, media)| media)
}

fn not_acceptable(offered: &[MediaType]) -> Response {
    let offered: Vec<&str> = offered.iter().map(|m| m.content_type()).collect();
    problem(
        StatusCode::NOT_ACCEPTABLE,
        "not_acceptable",
        format!("this resource is available as {}", offered.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("header"),
        );
        negotiate(&headers, ENTITY_MEDIA)
    }

    #[test]
    fn accept_picks_the_best_offered_representation() {
        assert_eq!(
            negotiate(&HeaderMap::new(), &[MediaType::Json]),
            Some(MediaType::Json)
        );
        assert_eq!(accept("application/geo+json"), Some(MediaType::GeoJson));
        assert_eq!(accept("application/ld+json"), Some(MediaType::JsonLd));
        assert_eq!(accept("application/json"), Some(MediaType::Json));
        assert_eq!(accept("*/*"), Some(MediaType::Json));
        assert_eq!(accept("text/html, */*;q=0.1"), Some(MediaType::Json));
        assert_eq!(
            accept("application/json;q=0.5, application/geo+json"),
            Some(MediaType::GeoJson)
        );
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }
}
