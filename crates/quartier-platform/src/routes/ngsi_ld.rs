//! NGSI-LD (ETSI GS CIM 009) under `/ngsi-ld/v1/`: the reads the app uses, the writes of the
//! town's IoT agents ([`write`]), and discovery.
//!
//! - `GET entities` (and `entities/`) — `type`, `id`, `idPattern`, `q`, `attrs`,
//!   `georel`/`geometry`/`coordinates`/`geoproperty`, `limit` (default 20, at most
//!   [`Settings::ngsi_ld_max_limit`], above it 403 TooManyResults), `offset`, `count=true`
//!   (`NGSILD-Results-Count`), `options=keyValues` / `format=simplified`; ordered by id so that
//!   paging returns every entity once. `POST entityOperations/query` takes the same as a body.
//! - `GET entities/{id}` — the same representation options; 404 ResourceNotFound.
//! - `GET types` — an EntityTypeList (`details=true`: EntityType objects with attribute names);
//!   `GET types/{type}` an EntityTypeInfo; `GET attributes` an AttributeList (`details=true`:
//!   Attribute objects), `GET attributes/{attr}` an Attribute.
//! - Writes: see [`write`]; subscriptions and their notifications: see [`subscriptions`].
//!
//! `Accept`: `application/json` (context in a `Link` header), `application/ld+json` (`@context`
//! in the body), `application/geo+json` (a FeatureCollection, `@context` at collection level as
//! in the ETSI test suite); `*/*` or none gives JSON; anything else 406 NotAcceptable.
//!
//! The wire types and errors are the contract's (`quartier_api::ngsi_ld`); `render.rs` writes
//! entities as stored.
//!
//! [`Settings::ngsi_ld_max_limit`]: crate::state::Settings::ngsi_ld_max_limit

pub(crate) mod geo;
mod query;
pub(crate) mod render;
mod store;
pub mod subscriptions;
pub mod write;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use quartier_api::ngsi_ld::{
    ErrorType, ProblemDetails,
    discovery::{AttributeInfo, AttributeList, EntityType, EntityTypeInfo, EntityTypeList},
    write::{BodyType, RequestContext},
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
    let entities = || get(query_entities).post(write::create_entity);
    let attrs = || post(write::append_attributes).patch(write::update_attributes);
    let subscription_list = || get(subscriptions::list).post(subscriptions::create);
    Router::new()
        .route("/v1/entities", entities())
        .route(
            "/v1/entities/",
            entities()
                .patch(write::no_entity_id)
                .put(write::no_entity_id),
        )
        .route(
            "/v1/entities/{id}",
            get(retrieve_entity)
                .delete(write::delete_entity)
                .patch(write::merge_entity)
                .put(write::replace_entity),
        )
        .route("/v1/entities/{id}/attrs", attrs())
        .route("/v1/entities/{id}/attrs/", attrs())
        .route(
            "/v1/entities/{id}/attrs/{attr}",
            patch(write::update_attribute).delete(write::delete_attribute),
        )
        .route("/v1/entityOperations/create", post(write::batch_create))
        .route("/v1/entityOperations/upsert", post(write::batch_upsert))
        .route("/v1/entityOperations/update", post(write::batch_update))
        .route("/v1/entityOperations/delete", post(write::batch_delete))
        .route("/v1/entityOperations/query", post(query_by_body))
        .route("/v1/subscriptions", subscription_list())
        .route("/v1/subscriptions/", subscription_list())
        .route(
            "/v1/subscriptions/{id}",
            get(subscriptions::retrieve)
                .patch(subscriptions::update)
                .delete(subscriptions::delete),
        )
        .route("/v1/types", get(retrieve_types))
        .route("/v1/types/", get(retrieve_types))
        .route("/v1/types/{type}", get(retrieve_type))
        .route("/v1/attributes", get(retrieve_attributes))
        .route("/v1/attributes/", get(retrieve_attributes))
        .route("/v1/attributes/{attr}", get(retrieve_attribute))
        .layer(DefaultBodyLimit::max(write::WRITE_BODY_LIMIT))
}

type Pairs = Query<Vec<(String, String)>>;

/// What entity endpoints offer; `types` has no GeoJSON form.
const ENTITY_MEDIA: &[MediaType] = &[MediaType::GeoJson, MediaType::JsonLd, MediaType::Json];

async fn query_entities(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Pairs,
) -> Result<Response, AppError> {
    if negotiate(&headers, ENTITY_MEDIA).is_none() {
        return Ok(not_acceptable(ENTITY_MEDIA));
    }
    let context = link_request_context(&state, &headers)?;
    answer_query(&state, &headers, &pairs, &context).await
}

/// `GET entities` and `POST entityOperations/query`: the query's page in the negotiated form.
async fn answer_query(
    state: &AppState,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<Response, AppError> {
    let Some(media) = negotiate(headers, ENTITY_MEDIA) else {
        return Ok(not_acceptable(ENTITY_MEDIA));
    };
    let query = match query::parse_entity_query(pairs, state.settings.ngsi_ld_max_limit) {
        Ok(query) => query.in_context(context),
        Err(error) => return Ok(query_error(error)),
    };
    let (page, linked, query) = state
        .db
        .read(move |conn| {
            let page = store::run(conn, &query)?;
            let linked = store::linked(conn, &page.entities, &query.view)?;
            Ok((page, linked, query))
        })
        .await?;
    let body = render::collection(page.entities, &query.view, media, context, &linked);
    let mut response = respond(media, &body, context);
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
    let context = link_request_context(&state, &headers)?;
    // Entity ids are URIs (5.2.4).
    write::check_id(&id)?;
    let view = match query::parse_view(&pairs) {
        Ok(view) => view.in_context(&context),
        Err(error) => return Ok(query_error(error)),
    };
    let lookup = id.clone();
    let for_links = view.clone();
    let (stored, linked) = state
        .db
        .read(move |conn| {
            let Some(stored) = store::by_id(conn, &lookup)? else {
                return Ok((None, render::Linked::new()));
            };
            let linked = store::linked(conn, std::slice::from_ref(&stored), &for_links)?;
            Ok((Some(stored), linked))
        })
        .await?;
    let stored = stored.ok_or_else(|| AppError::not_found(format!("no entity {id}")))?;
    if nothing_left(&stored, &view) {
        return Err(AppError::not_found(format!(
            "entity {id} has none of the members asked for"
        )));
    }
    Ok(respond(
        media,
        &render::single(stored, &view, media, &context, &linked),
        &context,
    ))
}

/// Whether `attrs`, `pick` or `omit` leave the entity nothing to show: 404 (5.7.1): `attrs`
/// when it has none of them, `pick`/`omit` when no member is left.
fn nothing_left(stored: &Value, view: &query::View) -> bool {
    let Some(members) = stored.as_object() else {
        return false;
    };
    let shown = |wanted: &dyn Fn(&str) -> bool| {
        members
            .keys()
            .filter(|k| {
                !matches!(
                    k.as_str(),
                    "@context" | store::CREATED_AT | store::MODIFIED_AT
                )
            })
            .any(|k| wanted(k) && view.shows(k))
    };
    (view.attrs.is_some() && !shown(&|k| k != "id" && k != "type"))
        || ((view.pick.is_some() || view.omit.is_some()) && !shown(&|_| true))
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
    let context = link_request_context(&state, &headers)?;
    let details = pairs.iter().any(|(k, v)| k == "details" && v == "true");
    let types = state.db.read(|conn| store::types(conn)).await?;
    let body = if details {
        json!(
            types
                .into_iter()
                .map(|(name, attributes)| EntityType {
                    id: RequestContext::expand_name(&name),
                    kind: "EntityType".into(),
                    type_name: context.compact_name(&name),
                    attribute_names: attributes.iter().map(|a| context.compact_name(a)).collect(),
                })
                .collect::<Vec<_>>()
        )
    } else {
        json!(EntityTypeList::new(
            types
                .into_iter()
                .map(|(name, _)| context.compact_name(&name))
                .collect()
        ))
    };
    Ok(respond(
        media,
        &with_context(media, body, &context),
        &context,
    ))
}

/// `POST entityOperations/query` (6.23): a Query body (`entities`: `type`, `id`,
/// `idPattern`; `attrs`; `q`; `geoQ`) answered as `GET entities` with the same parameters
/// would be; `limit`, `offset`, `count` and `options` stay in the URL.
async fn query_by_body(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(url_pairs): Pairs,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let bad = |detail: &str| AppError::Ngsi(ProblemDetails::new(ErrorType::BadRequestData, detail));
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let kind = BodyType::of(content_type).ok_or_else(|| {
        AppError::Ngsi(quartier_api::ngsi_ld::write::unsupported_media_type(
            content_type,
        ))
    })?;
    let body = quartier_api::ngsi_ld::write::parse_body(&bytes).map_err(AppError::Ngsi)?;
    let link = headers
        .get_all(header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(quartier_api::ngsi_ld::parse_link_context);
    let context = RequestContext::of_request_in(
        kind,
        body.get("@context"),
        link.as_deref(),
        &state.settings.jsonld_contexts,
    )
    .map_err(AppError::Ngsi)?;
    if body.get("type").and_then(Value::as_str) != Some("Query") {
        return Err(bad("a query body has \"type\": \"Query\""));
    }
    let mut pairs: Vec<(String, String)> = url_pairs
        .into_iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "limit"
                    | "offset"
                    | "count"
                    | "options"
                    | "format"
                    | "join"
                    | "joinLevel"
                    | "pick"
                    | "omit"
                    | "local"
                    | "geometryProperty"
            )
        })
        .collect();
    let text = |v: &Value| v.as_str().map(str::to_owned);
    if let Some(entities) = body.get("entities") {
        let entities = entities
            .as_array()
            .ok_or_else(|| bad("entities is a list"))?;
        let types: Vec<String> = entities
            .iter()
            .filter_map(|e| e.get("type").and_then(text))
            .map(|t| context.term(&t))
            .collect();
        let ids: Vec<String> = entities
            .iter()
            .filter_map(|e| e.get("id").and_then(text))
            .collect();
        if !types.is_empty() {
            pairs.push(("type".into(), types.join(",")));
        }
        if !ids.is_empty() {
            pairs.push(("id".into(), ids.join(",")));
        }
        if let Some(pattern) = entities
            .iter()
            .find_map(|e| e.get("idPattern").and_then(text))
        {
            pairs.push(("idPattern".into(), pattern));
        }
    }
    if let Some(attrs) = body.get("attrs") {
        let names: Vec<String> = match attrs {
            Value::Array(items) => items.iter().filter_map(text).collect(),
            Value::String(list) => list.split(',').map(str::to_owned).collect(),
            _ => return Err(bad("attrs is a list of names")),
        };
        let names: Vec<String> = names.iter().map(|n| context.term(n.trim())).collect();
        pairs.push(("attrs".into(), names.join(",")));
    }
    // The Query's representation members (5.2.23), as their URL parameters.
    for member in ["join", "joinLevel", "geometryProperty", "lang", "datasetId"] {
        match body.get(member) {
            Some(Value::String(v)) => pairs.push((member.into(), v.clone())),
            Some(Value::Number(n)) => pairs.push((member.into(), n.to_string())),
            Some(_) => return Err(bad(&format!("{member} is a text"))),
            None => {}
        }
    }
    if let Some(q) = body.get("q") {
        pairs.push(("q".into(), text(q).ok_or_else(|| bad("q is a text"))?));
    }
    if let Some(geo) = body.get("geoQ") {
        for member in ["georel", "geometry", "geoproperty"] {
            if let Some(value) = geo.get(member).and_then(text) {
                pairs.push((member.into(), value));
            }
        }
        match geo.get("coordinates") {
            Some(Value::String(c)) => pairs.push(("coordinates".into(), c.clone())),
            Some(other) => pairs.push(("coordinates".into(), other.to_string())),
            None => {}
        }
    }
    answer_query(&state, &headers, &pairs, &context).await
}

/// The context of a read's `Link` header (6.3.5): the names it gives are read, and the answer
/// written, under it. A context URL that is neither built in nor among the documents the
/// platform was started with (`--jsonld-context`) is 503 LdContextNotAvailable
/// ([`quartier_api::ngsi_ld::write::context_not_available`]): no context is ever fetched.
fn link_request_context(state: &AppState, headers: &HeaderMap) -> Result<RequestContext, AppError> {
    let link = headers
        .get_all(header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(quartier_api::ngsi_ld::parse_link_context);
    RequestContext::of_request_in(
        BodyType::Json,
        None,
        link.as_deref(),
        &state.settings.jsonld_contexts,
    )
    .map_err(AppError::Ngsi)
}

/// What discovery tells of an attribute: `count` and `types` (its attribute types), `names`
/// (the entity types that have it), as each answer asks.
#[derive(Clone, Copy)]
struct Shown {
    count: bool,
    types: bool,
    names: bool,
}

fn attribute_info(
    use_: store::AttributeUse,
    shown: Shown,
    context: &RequestContext,
) -> AttributeInfo {
    AttributeInfo {
        id: RequestContext::expand_name(&use_.name),
        kind: "Attribute".into(),
        attribute_name: context.compact_name(&use_.name),
        attribute_count: shown.count.then_some(use_.count),
        attribute_types: shown.types.then_some(use_.attribute_types),
        type_names: shown.names.then(|| {
            use_.type_names
                .iter()
                .map(|t| context.compact_name(t))
                .collect()
        }),
    }
}

/// `GET attributes` (6.27): an AttributeList, or (`details=true`) an Attribute each.
async fn retrieve_attributes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Pairs,
) -> Result<Response, AppError> {
    let offered = &[MediaType::JsonLd, MediaType::Json];
    let Some(media) = negotiate(&headers, offered) else {
        return Ok(not_acceptable(offered));
    };
    let context = link_request_context(&state, &headers)?;
    let details = pairs.iter().any(|(k, v)| k == "details" && v == "true");
    let uses = state.db.read(|conn| store::attributes(conn, None)).await?;
    let body = if details {
        let shown = Shown {
            count: false,
            types: false,
            names: true,
        };
        json!(
            uses.into_iter()
                .map(|u| attribute_info(u, shown, &context))
                .collect::<Vec<_>>()
        )
    } else {
        json!(AttributeList::new(
            uses.into_iter()
                .map(|u| context.compact_name(&u.name))
                .collect()
        ))
    };
    Ok(respond(
        media,
        &with_context(media, body, &context),
        &context,
    ))
}

/// `GET attributes/{attr}` (6.28): an Attribute; 404 when no entity has it.
async fn retrieve_attribute(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(attr): Path<String>,
) -> Result<Response, AppError> {
    let offered = &[MediaType::JsonLd, MediaType::Json];
    let Some(media) = negotiate(&headers, offered) else {
        return Ok(not_acceptable(offered));
    };
    let context = link_request_context(&state, &headers)?;
    let name = context.term(&attr);
    let uses = state.db.read(|conn| store::attributes(conn, None)).await?;
    let found = uses
        .into_iter()
        .find(|u| u.name == name)
        .ok_or_else(|| AppError::not_found(format!("no entity has an attribute {attr}")))?;
    let shown = Shown {
        count: true,
        types: true,
        names: true,
    };
    let body = json!(attribute_info(found, shown, &context));
    Ok(respond(
        media,
        &with_context(media, body, &context),
        &context,
    ))
}

/// `GET types/{type}` (6.26): an EntityTypeInfo; 404 when no entity is of that type.
async fn retrieve_type(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let offered = &[MediaType::JsonLd, MediaType::Json];
    let Some(media) = negotiate(&headers, offered) else {
        return Ok(not_acceptable(offered));
    };
    let context = link_request_context(&state, &headers)?;
    let type_name = context.term(&name);
    let lookup = type_name.clone();
    let (count, uses) = state
        .db
        .read(move |conn| {
            Ok((
                store::count_of_type(conn, &lookup)?,
                store::attributes(conn, Some(&lookup))?,
            ))
        })
        .await?;
    if count == 0 {
        return Err(AppError::not_found(format!("no entity of type {name}")));
    }
    let shown = Shown {
        count: false,
        types: true,
        names: false,
    };
    let body = json!(EntityTypeInfo {
        id: RequestContext::expand_name(&type_name),
        kind: "EntityTypeInfo".into(),
        type_name: context.compact_name(&type_name),
        entity_count: count,
        attribute_details: uses
            .into_iter()
            .map(|u| attribute_info(u, shown, &context))
            .collect(),
    });
    Ok(respond(
        media,
        &with_context(media, body, &context),
        &context,
    ))
}

/// A JSON-LD answer carries its `@context`: the request's.
fn with_context(media: MediaType, mut body: Value, context: &RequestContext) -> Value {
    if media == MediaType::JsonLd {
        match &mut body {
            Value::Object(map) => {
                map.insert("@context".into(), context.answer_context());
            }
            Value::Array(items) => {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    item.insert("@context".into(), context.answer_context());
                }
            }
            _ => {}
        }
    }
    body
}

/// The body with its content type, and the context `Link` unless the body carries `@context`
/// itself.
fn respond(media: MediaType, body: &Value, context: &RequestContext) -> Response {
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    if media == MediaType::Json
        && let Ok(link) = HeaderValue::from_str(&render::link_header(context))
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
