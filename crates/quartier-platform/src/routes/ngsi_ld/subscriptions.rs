//! `/ngsi-ld/v1/subscriptions` (CIM 009 v1.9, 5.8 and 6.10–6.11): create, list, retrieve,
//! update and delete subscriptions. A notification makes the platform POST to a URL of the
//! subscriber's choosing, so only writers manage subscriptions (the [`Writer`] extractor: 401
//! without a token, 403 for a resident), each only its own; `--open-writes` lets anyone.
//!
//! The contract reads and validates the body ([`quartier_api::ngsi_ld::subscription`]); the
//! table is changed first, then the notifier's registry ([`crate::subscriptions`]).

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use quartier_api::ngsi_ld::{
    ErrorType, ProblemDetails,
    query::QueryError,
    subscription::{Subscription, SubscriptionStatus, read_subscription},
    write::RequestContext,
};
use serde_json::Value;

use super::{
    negotiate, not_acceptable, query_error,
    render::MediaType,
    respond, with_context,
    write::{self, Body, Writer, check_id},
};
use crate::{
    error::AppError,
    state::AppState,
    subscriptions::{
        matching::{self, Matcher},
        store,
    },
};

/// Where a subscription is read (`Location`).
const BASE: &str = "/ngsi-ld/v1/subscriptions/";
/// What a subscription is shown as (`Accept`).
const OFFERED: &[MediaType] = &[MediaType::JsonLd, MediaType::Json];
/// A list's page size unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 20;

fn now_ms(state: &AppState) -> i64 {
    state.auth.clock.now().saturating_mul(1000)
}

fn not_found(id: &str) -> AppError {
    AppError::Ngsi(ProblemDetails::new(
        ErrorType::ResourceNotFound,
        format!("no subscription {id}"),
    ))
}

/// The body read, validated and compiled, read-only members dropped, and its entity types and
/// attribute names the short names entities are stored with (as the request's context says).
fn checked(
    mut subscription: Subscription,
    context: &RequestContext,
) -> Result<(Subscription, Matcher), AppError> {
    for selector in &mut subscription.entities {
        selector.entity_type = context.term(selector.entity_type.trim());
    }
    for name in subscription
        .watched_attributes
        .iter_mut()
        .chain(&mut subscription.notification.attributes)
    {
        *name = context.term(name.trim());
    }
    if let Some(geo) = &mut subscription.geo_q
        && let Some(property) = &mut geo.geoproperty
    {
        *property = context.term(property.trim());
    }
    subscription.status = None;
    subscription.notification.clear_read_only();
    let matcher = Matcher::compile(&subscription).map_err(AppError::Ngsi)?;
    Ok((subscription, matcher))
}

/// `POST subscriptions` (6.10.3.1): 201 with `Location`; 409 AlreadyExists.
pub async fn create(
    writer: Writer,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let body = Body::read(&state, &headers, &bytes)?;
    let context = body.context()?;
    let read = read_subscription(&body.value).map_err(AppError::Ngsi)?;
    let (mut subscription, matcher) = checked(read, &context)?;
    // 5.8.1: a new subscription expires in the future.
    if matching::status_of(&subscription, now_ms(&state)) == SubscriptionStatus::Expired {
        return Err(AppError::Ngsi(ProblemDetails::new(
            ErrorType::BadRequestData,
            "expiresAt is in the past",
        )));
    }
    let id = subscription
        .id
        .take()
        .unwrap_or_else(|| format!("urn:ngsi-ld:Subscription:{}", uuid::Uuid::new_v4()));
    let owner = writer.owner().to_owned();
    let now = write::now(&state);
    let (stored_id, stored) = (id.clone(), subscription.clone());
    let created = state
        .db
        .call(move |conn| store::insert(conn, &stored_id, &owner, &stored, &now))
        .await?;
    if !created {
        return Err(AppError::Ngsi(ProblemDetails::new(
            ErrorType::AlreadyExists,
            format!("{id} exists already"),
        )));
    }
    state.subscriptions.put(&id, matcher);
    let mut response = StatusCode::CREATED.into_response();
    if let Ok(value) = HeaderValue::from_str(&write::location_under(BASE, &id)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// A natural number of the query string; 400 BadRequestData otherwise.
fn natural(pairs: &[(String, String)], name: &str, default: usize) -> Result<usize, QueryError> {
    match pairs.iter().rev().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, text)) => text.parse().map_err(|_| {
            QueryError::BadRequestData(format!(
                "{name} must be a non-negative integer, not {text:?}"
            ))
        }),
    }
}

/// `GET subscriptions` (6.10.3.2): this writer's, by id; `limit`, `offset`, `count=true`.
pub async fn list(
    writer: Writer,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Some(media) = negotiate(&headers, OFFERED) else {
        return Ok(not_acceptable(OFFERED));
    };
    let paging = natural(&pairs, "limit", DEFAULT_LIMIT)
        .and_then(|limit| Ok((limit, natural(&pairs, "offset", 0)?)));
    let (limit, offset) = match paging {
        Ok(paging) => paging,
        Err(error) => return Ok(query_error(error)),
    };
    let max = state.settings.ngsi_ld_max_limit;
    if limit > max {
        return Ok(query_error(QueryError::TooManyResults(format!(
            "limit {limit} is above this platform's maximum of {max}: page with offset"
        ))));
    }
    let count = pairs.iter().any(|(k, v)| k == "count" && v == "true");
    let owner = writer.owner().to_owned();
    let (records, total) = state
        .db
        .read(move |conn| store::page(conn, &owner, limit, offset))
        .await?;
    let now = now_ms(&state);
    let shown: Vec<Value> = records
        .iter()
        .map(|r| serde_json::to_value(r.view(now)).unwrap_or(Value::Null))
        .collect();
    // Subscriptions are named in the core context's terms.
    let context = RequestContext::default();
    let mut response = respond(
        media,
        &with_context(media, Value::Array(shown), &context),
        &context,
    );
    if count {
        response
            .headers_mut()
            .insert("NGSILD-Results-Count", HeaderValue::from(total));
    }
    Ok(response)
}

/// `GET subscriptions/{id}` (6.11.3.1): 404 ResourceNotFound, also for another writer's.
pub async fn retrieve(
    writer: Writer,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(media) = negotiate(&headers, OFFERED) else {
        return Ok(not_acceptable(OFFERED));
    };
    check_id(&id)?;
    let owner = writer.owner().to_owned();
    let lookup = id.clone();
    let record = state
        .db
        .read(move |conn| store::get(conn, &lookup, &owner))
        .await?
        .ok_or_else(|| not_found(&id))?;
    let shown = serde_json::to_value(record.view(now_ms(&state))).unwrap_or(Value::Null);
    let context = RequestContext::default();
    Ok(respond(
        media,
        &with_context(media, shown, &context),
        &context,
    ))
}

/// `PATCH subscriptions/{id}` (6.11.3.2): the fragment's members replace the stored ones, and
/// the result is validated again; 204.
pub async fn update(
    writer: Writer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let body = Body::read(&state, &headers, &bytes)?;
    let context = body.context()?;
    let owner = writer.owner().to_owned();
    let (lookup, reader) = (id.clone(), owner.clone());
    let record = state
        .db
        .call(move |conn| store::get(conn, &lookup, &reader))
        .await?
        .ok_or_else(|| not_found(&id))?;
    let mut current = record.subscription;
    current.id = Some(id.clone());
    let merged = current.with_fragment(&body.value).map_err(AppError::Ngsi)?;
    let (mut subscription, matcher) = checked(merged, &context)?;
    subscription.id = None;
    let stored_id = id.clone();
    let replaced = state
        .db
        .call(move |conn| store::replace(conn, &stored_id, &owner, &subscription))
        .await?;
    if !replaced {
        // Deleted between the two calls.
        return Err(not_found(&id));
    }
    state.subscriptions.put(&id, matcher);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE subscriptions/{id}` (6.11.3.3): 204; 404.
pub async fn delete(
    writer: Writer,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let owner = writer.owner().to_owned();
    let lookup = id.clone();
    let deleted = state
        .db
        .call(move |conn| store::delete(conn, &lookup, &owner))
        .await?;
    if !deleted {
        return Err(not_found(&id));
    }
    state.subscriptions.remove(&id);
    Ok(StatusCode::NO_CONTENT.into_response())
}
