//! NGSI-LD writes (ETSI GS CIM 009 v1.9, 6.4–6.7 and 6.14–6.18): entities created, changed and
//! deleted one by one or in batches, by an IoT agent's token ([`Writer`]).
//!
//! The contract ([`quartier_api::ngsi_ld::write`]) reads and checks every body and gives the
//! errors; this module authenticates, runs the change on the writer connection and answers.
//! Writes go through the NGSI-LD area's layers like reads: the client's rate is counted and a
//! place taken before the body is even read. The stored row's triggers keep the R*Tree and
//! the value index in step, so a written entity is in the next query's answer.

use axum::{
    Json,
    body::Bytes,
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use quartier_api::ngsi_ld::{
    ContextDocuments, ErrorType, ProblemDetails, parse_link_context,
    write::{
        self, BatchEntityError, BatchOperationResult, BodyType, NewEntity, NotUpdatedDetails,
        RequestContext, UpdateResult,
    },
};
use rusqlite::Connection;
use serde_json::{Map, Value};

use super::store::{self, Stored};
use crate::{
    auth::{self, Lookup},
    error::AppError,
    state::AppState,
    tokens::{TokenAccount, bearer_token},
    writers,
};

/// Largest write body: far above one entity; a batch of [`MAX_BATCH`] small entities fits.
pub const WRITE_BODY_LIMIT: usize = 1024 * 1024;
/// Most entities in one batch operation.
pub const MAX_BATCH: usize = 1000;

/// Who is writing: an IoT agent, or anyone on a platform started with `--open-writes`. First
/// among a handler's extractors, so that nothing else is read for a caller who may not write.
#[derive(Debug, Clone)]
pub enum Writer {
    Open,
    Agent(TokenAccount),
}

impl Writer {
    /// Whose subscriptions these are: the agent's account name, `""` with `--open-writes`.
    pub(super) fn owner(&self) -> &str {
        match self {
            Self::Open => "",
            Self::Agent(account) => &account.name,
        }
    }

    /// 403 unless this writer may write entities of `entity_type`.
    fn require(&self, entity_type: &str) -> Result<(), AppError> {
        self.problem_unless_allowed(entity_type)
            .map_or(Ok(()), |problem| Err(AppError::Ngsi(problem)))
    }

    fn problem_unless_allowed(&self, entity_type: &str) -> Option<ProblemDetails> {
        match self {
            Self::Open => None,
            Self::Agent(account) if writers::may_write(account, entity_type) => None,
            Self::Agent(account) => {
                tracing::info!(writer = %account.name, entity_type, "write refused: out of scope");
                Some(refusal(
                    StatusCode::FORBIDDEN,
                    format!("this token may not write {entity_type} entities"),
                ))
            }
        }
    }
}

/// A 401 or 403: NGSI-LD has no error type for them, so `about:blank` (RFC 7807) with the
/// status and a detail.
fn refusal(status: StatusCode, detail: impl Into<String>) -> ProblemDetails {
    ProblemDetails {
        status: Some(status.as_u16()),
        title: status.canonical_reason().map(str::to_owned),
        ..ProblemDetails::new(ErrorType::Other("about:blank".into()), detail)
    }
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if state.writers.open {
            return Ok(Self::Open);
        }
        if let Some(token) = bearer_token(&parts.headers) {
            return state
                .writers
                .find(token)
                .cloned()
                .map(Self::Agent)
                .ok_or_else(unauthenticated);
        }
        // A resident is known but may not write; anyone else is not known.
        match auth::lookup(state, &parts.headers).await {
            Ok(Lookup::Valid(_)) => Err(AppError::Ngsi(refusal(
                StatusCode::FORBIDDEN,
                "residents do not write NGSI-LD entities; IoT agents do, with their token",
            ))
            .into_response()),
            Ok(_) => Err(unauthenticated()),
            Err(error) => Err(error.into_response()),
        }
    }
}

fn unauthenticated() -> Response {
    let mut response = AppError::Ngsi(refusal(
        StatusCode::UNAUTHORIZED,
        "a write needs `Authorization: Bearer <token>` of an IoT agent",
    ))
    .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"quartier-ngsi-ld\""),
    );
    response
}

/// A write body: its type, the `Link` context, the JSON.
pub(super) struct Body {
    kind: BodyType,
    link: Option<String>,
    pub(super) value: Value,
    /// The context documents the platform knows (`--jsonld-context`).
    documents: ContextDocuments,
}

impl Body {
    /// 415 for a body neither JSON nor JSON-LD, 400 InvalidRequest for one that is not JSON.
    pub(super) fn read(
        state: &AppState,
        headers: &HeaderMap,
        bytes: &[u8],
    ) -> Result<Self, AppError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let kind = BodyType::of(content_type)
            .ok_or_else(|| AppError::Ngsi(write::unsupported_media_type(content_type)))?;
        let value = write::parse_body(bytes).map_err(AppError::Ngsi)?;
        Ok(Self {
            kind,
            link: link_context(headers),
            value,
            documents: state.settings.jsonld_contexts.clone(),
        })
    }

    /// The context of one object of the body (the body itself, or one entity of a batch).
    pub(super) fn context_of(&self, object: &Value) -> Result<RequestContext, ProblemDetails> {
        RequestContext::of_request_in(
            self.kind,
            object.get("@context"),
            self.link.as_deref(),
            &self.documents,
        )
    }

    /// The context of the whole body (a single entity, fragment or subscription).
    pub(super) fn context(&self) -> Result<RequestContext, AppError> {
        self.context_of(&self.value).map_err(AppError::Ngsi)
    }

    /// A body that names an entity other than the address's: 400 BadRequestData.
    fn check_names(&self, id: &str) -> Result<(), AppError> {
        match self.value.get("id").and_then(Value::as_str) {
            Some(other) if other != id => Err(AppError::Ngsi(ProblemDetails::new(
                ErrorType::BadRequestData,
                format!("the body is entity {other}, not {id}"),
            ))),
            _ => Ok(()),
        }
    }

    fn object(&self) -> Result<&Map<String, Value>, AppError> {
        self.value.as_object().ok_or_else(|| {
            AppError::Ngsi(ProblemDetails::new(
                ErrorType::BadRequestData,
                "the body is a JSON object",
            ))
        })
    }
}

/// The context of a request without a body (`DELETE …/attrs/{attr}`): its `Link` header.
fn header_context(state: &AppState, headers: &HeaderMap) -> Result<RequestContext, AppError> {
    RequestContext::of_request_in(
        BodyType::Json,
        None,
        link_context(headers).as_deref(),
        &state.settings.jsonld_contexts,
    )
    .map_err(AppError::Ngsi)
}

fn link_context(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(parse_link_context)
}

pub(super) fn now(state: &AppState) -> String {
    crate::auth::clock::rfc3339(state.auth.clock.now())
}

fn not_found(id: &str) -> ProblemDetails {
    ProblemDetails::new(ErrorType::ResourceNotFound, format!("no entity {id}"))
}

/// 400 BadRequestData unless `id` is a URI (5.2.4).
pub(super) fn check_id(id: &str) -> Result<(), AppError> {
    if write::is_uri(id) {
        Ok(())
    } else {
        Err(AppError::Ngsi(ProblemDetails::new(
            ErrorType::BadRequestData,
            format!("{id:?} is not a URI"),
        )))
    }
}

fn options(pairs: &[(String, String)]) -> Vec<&str> {
    pairs
        .iter()
        .filter(|(k, _)| k == "options")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect()
}

/// Where an entity is read (`Location`).
fn location(id: &str) -> String {
    location_under("/ngsi-ld/v1/entities/", id)
}

/// `base` then the id, percent-encoded where a path needs it.
pub(super) fn location_under(base: &str, id: &str) -> String {
    let mut path = String::from(base);
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&byte) {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

/// What a write changed, as now stored, for the live stream.
type Changed = crate::live::Committed;

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn multi_status(body: impl serde::Serialize) -> Response {
    (StatusCode::MULTI_STATUS, Json(body)).into_response()
}

/// `POST entities` (6.4.3.1): 201 with `Location`; 409 AlreadyExists.
pub async fn create_entity(
    writer: Writer,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let body = Body::read(&state, &headers, &bytes)?;
    let context = body.context()?;
    let entity = write::new_entity(&body.value, &context).map_err(AppError::Ngsi)?;
    writer.require(&entity.entity_type)?;
    let now = now(&state);
    let id = entity.id.clone();
    let change = (
        entity.id.clone(),
        entity.entity_type.clone(),
        Some(entity.data.clone()),
    );
    let at = now.clone();
    let created = state
        .db
        .call(move |conn| store::insert(conn, &entity, &now))
        .await?;
    if !created {
        return Err(AppError::Ngsi(already_exists(&id)));
    }
    state.live.publish(vec![change], &at);
    let mut response = StatusCode::CREATED.into_response();
    if let Ok(value) = HeaderValue::from_str(&location(&id)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// The stored entity `id`, if this writer may change it: 404 ResourceNotFound, 403.
fn writable(conn: &Connection, writer: &Writer, id: &str) -> Result<Stored, AppError> {
    let stored = store::for_update(conn, id)?.ok_or_else(|| AppError::Ngsi(not_found(id)))?;
    writer.require(&stored.entity_type)?;
    Ok(stored)
}

/// `DELETE entities/{id}` (6.5.3.2): 204; 404.
pub async fn delete_entity(
    writer: Writer,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let changed = state
        .db
        .call(move |conn| {
            let stored = writable(conn, &writer, &id)?;
            store::delete(conn, stored.pk)?;
            Ok(vec![(id, stored.entity_type, None)])
        })
        .await?;
    state.live.publish(changed, &now(&state));
    Ok(no_content())
}

/// `PATCH` or `PUT entities/` without an id: 400 BadRequestData, as the spec's merge and
/// replace say (not 405, which would tell the client the method is not known here).
pub async fn no_entity_id() -> AppError {
    AppError::Ngsi(ProblemDetails::new(
        ErrorType::BadRequestData,
        "the address names no entity: entities/{id}",
    ))
}

/// `PATCH entities/{id}` (Merge Entity, 5.6.17): each attribute of the fragment is merged into
/// the stored one (its members replace theirs) or added; one given `urn:ngsi-ld:null` is
/// deleted. 204, also for an empty fragment; 404; 400.
pub async fn merge_entity(
    writer: Writer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let body = Body::read(&state, &headers, &bytes)?;
    let context = body.context()?;
    body.check_names(&id)?;
    let attributes =
        write::fragment_attributes(body.object()?, &context).map_err(AppError::Ngsi)?;
    let now = now(&state);
    let at = now.clone();
    let changed = state
        .db
        .call(move |conn| {
            let mut stored = writable(conn, &writer, &id)?;
            if attributes.is_empty() {
                return Ok(Changed::new());
            }
            for (name, attribute) in attributes {
                if write::is_null_attribute(&attribute) {
                    stored.data.remove(&name);
                    continue;
                }
                let merged = match stored.data.get(&name) {
                    // A fragment that does not fit the stored attribute replaces it.
                    Some(current) => write::merge_attribute(&name, current, &attribute, &context)
                        .unwrap_or(attribute),
                    None => attribute,
                };
                stored.data.insert(name, merged);
            }
            store::replace(conn, stored.pk, &stored.entity_type, &stored.data, &now)?;
            Ok(vec![(id, stored.entity_type, Some(stored.data))])
        })
        .await?;
    state.live.publish(changed, &at);
    Ok(no_content())
}

/// `PUT entities/{id}` (Replace Entity, 5.6.18): the entity's attributes (and its type, when
/// the body gives one) become the body's. 204; 404; 400.
pub async fn replace_entity(
    writer: Writer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let body = Body::read(&state, &headers, &bytes)?;
    let context = body.context()?;
    body.check_names(&id)?;
    let mut whole = body.object()?.clone();
    whole.insert("id".into(), Value::String(id.clone()));
    let now = now(&state);
    let at = now.clone();
    let changed = state
        .db
        .call(move |conn| {
            let stored = writable(conn, &writer, &id)?;
            if !whole.contains_key("type") {
                whole.insert("type".into(), Value::String(stored.entity_type.clone()));
            }
            let entity =
                write::new_entity(&Value::Object(whole), &context).map_err(AppError::Ngsi)?;
            writer.require(&entity.entity_type)?;
            store::replace(conn, stored.pk, &entity.entity_type, &entity.data, &now)?;
            let mut changed = Changed::new();
            if entity.entity_type != stored.entity_type {
                // A map showing the old type's layer forgets it.
                changed.push((id.clone(), stored.entity_type, None));
            }
            changed.push((id, entity.entity_type, Some(entity.data)));
            Ok(changed)
        })
        .await?;
    state.live.publish(changed, &at);
    Ok(no_content())
}

/// How the attributes of a fragment go into an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merge {
    /// Append (6.6.3.1): every attribute, existing ones replaced.
    Append,
    /// Append with `options=noOverwrite`: existing ones left alone.
    AppendNew,
    /// Update (6.6.3.2): existing ones only.
    Update,
}

/// Puts `attributes` into `data` as `merge` says; what was not put, and why.
fn merge_into(
    data: &mut Map<String, Value>,
    attributes: Vec<(String, Value)>,
    merge: Merge,
) -> UpdateResult {
    let mut result = UpdateResult::default();
    for (name, attribute) in attributes {
        let exists = data.contains_key(&name);
        let refused = match merge {
            Merge::AppendNew if exists => Some("the attribute exists and noOverwrite was asked"),
            Merge::Update if !exists => Some("the entity has no such attribute"),
            _ => None,
        };
        match refused {
            Some(reason) => result.not_updated.push(NotUpdatedDetails {
                attribute_name: name,
                reason: reason.to_owned(),
            }),
            // `urn:ngsi-ld:null` deletes the attribute (4.5.0.2).
            None if write::is_null_attribute(&attribute) => {
                data.remove(&name);
                result.updated.push(name);
            }
            None => {
                data.insert(name.clone(), attribute);
                result.updated.push(name);
            }
        }
    }
    result
}

async fn change_attributes(
    writer: Writer,
    state: AppState,
    id: String,
    headers: HeaderMap,
    bytes: Bytes,
    merge: Merge,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let body = Body::read(&state, &headers, &bytes)?;
    let context = body.context()?;
    let attributes =
        write::fragment_attributes(body.object()?, &context).map_err(AppError::Ngsi)?;
    if attributes.is_empty() {
        return Err(AppError::Ngsi(ProblemDetails::new(
            ErrorType::BadRequestData,
            "the body names no attribute",
        )));
    }
    let now = now(&state);
    let at = now.clone();
    let (result, changed) = state
        .db
        .call(move |conn| {
            let mut stored = writable(conn, &writer, &id)?;
            let result = merge_into(&mut stored.data, attributes, merge);
            let mut changed = Changed::new();
            if !result.updated.is_empty() {
                store::replace(conn, stored.pk, &stored.entity_type, &stored.data, &now)?;
                changed.push((id, stored.entity_type, Some(stored.data)));
            }
            Ok((result, changed))
        })
        .await?;
    state.live.publish(changed, &at);
    Ok(if result.not_updated.is_empty() {
        no_content()
    } else {
        multi_status(result)
    })
}

/// `POST entities/{id}/attrs` (6.6.3.1): 204, or 207 with `options=noOverwrite` when some
/// attributes existed.
pub async fn append_attributes(
    writer: Writer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let merge = if options(&pairs).contains(&"noOverwrite") {
        Merge::AppendNew
    } else {
        Merge::Append
    };
    change_attributes(writer, state, id, headers, bytes, merge).await
}

/// `PATCH entities/{id}/attrs` (6.6.3.2): 204, or 207 when some attributes did not exist.
pub async fn update_attributes(
    writer: Writer,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    change_attributes(writer, state, id, headers, bytes, Merge::Update).await
}

/// `PATCH entities/{id}/attrs/{attr}` (6.7.3.1): 204; 404 when the entity or the attribute is
/// missing.
pub async fn update_attribute(
    writer: Writer,
    State(state): State<AppState>,
    Path((id, attr)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let body = Body::read(&state, &headers, &bytes)?;
    let context = body.context()?;
    let name = context.term(&attr);
    let now = now(&state);
    let at = now.clone();
    let changed = state
        .db
        .call(move |conn| {
            let mut stored = writable(conn, &writer, &id)?;
            let current = stored
                .data
                .get(&name)
                .ok_or_else(|| no_attribute(&id, &attr))?;
            let merged = write::merge_attribute(&attr, current, &body.value, &context)
                .map_err(AppError::Ngsi)?;
            // `urn:ngsi-ld:null` deletes the attribute (4.5.0.2).
            if write::is_null_attribute(&merged) {
                stored.data.remove(&name);
            } else {
                stored.data.insert(name, merged);
            }
            store::replace(conn, stored.pk, &stored.entity_type, &stored.data, &now)?;
            Ok(vec![(id, stored.entity_type, Some(stored.data))])
        })
        .await?;
    state.live.publish(changed, &at);
    Ok(no_content())
}

/// `DELETE entities/{id}/attrs/{attr}` (6.7.3.2): 204; 404.
pub async fn delete_attribute(
    writer: Writer,
    State(state): State<AppState>,
    Path((id, attr)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    check_id(&id)?;
    let name = header_context(&state, &headers)?.term(&attr);
    let now = now(&state);
    let at = now.clone();
    let changed = state
        .db
        .call(move |conn| {
            let mut stored = writable(conn, &writer, &id)?;
            if stored.data.remove(&name).is_none() {
                return Err(no_attribute(&id, &attr));
            }
            store::replace(conn, stored.pk, &stored.entity_type, &stored.data, &now)?;
            Ok(vec![(id, stored.entity_type, Some(stored.data))])
        })
        .await?;
    state.live.publish(changed, &at);
    Ok(no_content())
}

fn no_attribute(id: &str, attr: &str) -> AppError {
    AppError::Ngsi(ProblemDetails::new(
        ErrorType::ResourceNotFound,
        format!("{id} has no attribute {attr}"),
    ))
}

/// The batch operations (6.14–6.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    Create,
    Upsert,
    Update,
    Delete,
}

/// `POST entityOperations/{create,upsert,update,delete}`: every entity on its own, in one
/// transaction. 201 (create, and upsert when it created some: the ids created) or 204 when
/// all succeeded; 207 with a BatchOperationResult otherwise.
pub async fn batch(
    operation: Batch,
    writer: Writer,
    state: AppState,
    pairs: Vec<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let body = Body::read(&state, &headers, &bytes)?;
    let Value::Array(items) = &body.value else {
        return Err(AppError::Ngsi(ProblemDetails::new(
            ErrorType::BadRequestData,
            "a batch is a JSON array",
        )));
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(AppError::Ngsi(ProblemDetails::new(
            ErrorType::BadRequestData,
            format!("a batch has 1 to {MAX_BATCH} entities"),
        )));
    }
    let options = options(&pairs);
    let replace = !options.contains(&"update");
    let no_overwrite = options.contains(&"noOverwrite");
    // Everything that needs no database first: each entity read and checked.
    let mut result = BatchOperationResult::default();
    let mut jobs: Vec<Job> = Vec::new();
    for item in items {
        let id_of = || {
            item.get("id")
                .or_else(|| item.as_str().map(|_| item))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match prepare(operation, &body, item, &writer) {
            Ok(job) => jobs.push(job),
            Err(error) => result.errors.push(BatchEntityError {
                entity_id: id_of(),
                error,
            }),
        }
    }
    let now = now(&state);
    let at = now.clone();
    let (done, created, changed) = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut done = Vec::new();
            let mut created = Vec::new();
            let mut changed = Changed::new();
            for job in jobs {
                let id = job.id().to_owned();
                let how = (replace, no_overwrite);
                match run(&tx, &writer, operation, job, how, &now, &mut changed)? {
                    Ok(made) => {
                        if made {
                            created.push(id.clone());
                        }
                        done.push(Ok(id));
                    }
                    Err(error) => done.push(Err(BatchEntityError {
                        entity_id: id,
                        error,
                    })),
                }
            }
            tx.commit()?;
            Ok((done, created, changed))
        })
        .await?;
    state.live.publish(changed, &at);
    for outcome in done {
        match outcome {
            Ok(id) => result.success.push(id),
            Err(error) => result.errors.push(error),
        }
    }
    if !result.errors.is_empty() {
        return Ok(multi_status(result));
    }
    Ok(match operation {
        Batch::Create => (StatusCode::CREATED, Json(result.success)).into_response(),
        Batch::Upsert if !created.is_empty() => {
            (StatusCode::CREATED, Json(created)).into_response()
        }
        _ => no_content(),
    })
}

/// One entity of a batch, read and checked.
enum Job {
    Put(NewEntity),
    Delete(String),
}

impl Job {
    fn id(&self) -> &str {
        match self {
            Self::Put(entity) => &entity.id,
            Self::Delete(id) => id,
        }
    }
}

fn prepare(
    operation: Batch,
    body: &Body,
    item: &Value,
    writer: &Writer,
) -> Result<Job, ProblemDetails> {
    if operation == Batch::Delete {
        return match item.as_str() {
            Some(id) if write::is_uri(id) => Ok(Job::Delete(id.to_owned())),
            _ => Err(ProblemDetails::new(
                ErrorType::BadRequestData,
                format!("{item} is not an entity id (a URI)"),
            )),
        };
    }
    let context = body.context_of(item)?;
    let entity = write::new_entity(item, &context)?;
    if let Some(problem) = writer.problem_unless_allowed(&entity.entity_type) {
        return Err(problem);
    }
    Ok(Job::Put(entity))
}

/// One entity's change: `Ok(true)` when it was created; what it changed goes into `changed`.
/// `how`: whether an upsert replaces the entity, and whether an append keeps what exists.
fn run(
    conn: &Connection,
    writer: &Writer,
    operation: Batch,
    job: Job,
    (replace, no_overwrite): (bool, bool),
    now: &str,
    changed: &mut Changed,
) -> Result<Result<bool, ProblemDetails>, AppError> {
    let id = job.id().to_owned();
    let stored = store::for_update(conn, &id)?;
    if let Some(stored) = &stored
        && let Some(problem) = writer.problem_unless_allowed(&stored.entity_type)
    {
        return Ok(Err(problem));
    }
    match (job, stored) {
        (Job::Delete(_), None) | (Job::Put(_), None) if operation == Batch::Update => {
            Ok(Err(not_found(&id)))
        }
        (Job::Delete(_), None) => Ok(Err(not_found(&id))),
        (Job::Delete(_), Some(stored)) => {
            store::delete(conn, stored.pk)?;
            changed.push((id, stored.entity_type, None));
            Ok(Ok(false))
        }
        (Job::Put(entity), None) => Ok(if store::insert(conn, &entity, now)? {
            changed.push((id, entity.entity_type, Some(entity.data)));
            Ok(true)
        } else {
            Err(already_exists(&id))
        }),
        (Job::Put(_), Some(_)) if operation == Batch::Create => Ok(Err(already_exists(&id))),
        (Job::Put(entity), Some(stored)) if operation == Batch::Upsert && replace => {
            store::replace(conn, stored.pk, &entity.entity_type, &entity.data, now)?;
            changed.push((id, entity.entity_type, Some(entity.data)));
            Ok(Ok(false))
        }
        (Job::Put(entity), Some(mut stored)) => {
            // Upsert with `options=update`, and update: the entity's attributes appended.
            let attributes: Vec<(String, Value)> = entity
                .data
                .into_iter()
                .filter(|(k, _)| k != "id" && k != "type" && k != "scope")
                .collect();
            let merge = if no_overwrite {
                Merge::AppendNew
            } else {
                Merge::Append
            };
            merge_into(&mut stored.data, attributes, merge);
            store::replace(conn, stored.pk, &stored.entity_type, &stored.data, now)?;
            changed.push((id, stored.entity_type, Some(stored.data)));
            Ok(Ok(false))
        }
    }
}

fn already_exists(id: &str) -> ProblemDetails {
    ProblemDetails::new(ErrorType::AlreadyExists, format!("{id} exists already"))
}

type Pairs = Query<Vec<(String, String)>>;

/// `POST entityOperations/create` (6.14).
pub async fn batch_create(
    writer: Writer,
    State(state): State<AppState>,
    Query(pairs): Pairs,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    batch(Batch::Create, writer, state, pairs, headers, bytes).await
}

/// `POST entityOperations/upsert` (6.15): `options=replace` (the default) or `update`.
pub async fn batch_upsert(
    writer: Writer,
    State(state): State<AppState>,
    Query(pairs): Pairs,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    batch(Batch::Upsert, writer, state, pairs, headers, bytes).await
}

/// `POST entityOperations/update` (6.16): `options=noOverwrite` keeps existing attributes.
pub async fn batch_update(
    writer: Writer,
    State(state): State<AppState>,
    Query(pairs): Pairs,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    batch(Batch::Update, writer, state, pairs, headers, bytes).await
}

/// `POST entityOperations/delete` (6.17): a list of ids.
pub async fn batch_delete(
    writer: Writer,
    State(state): State<AppState>,
    Query(pairs): Pairs,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    batch(Batch::Delete, writer, state, pairs, headers, bytes).await
}
