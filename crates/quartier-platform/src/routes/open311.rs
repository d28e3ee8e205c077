//! Open311 GeoReport v2 under `/open311/v2/` (wiki.open311.org/GeoReport_v2), in JSON and XML:
//!
//! | route | what |
//! |---|---|
//! | `GET discovery.{json,xml}` | endpoints, formats, contact, how to get a key |
//! | `GET services.{json,xml}` | the town's services, by group |
//! | `GET services/{code}.{json,xml}` | a service definition (its attributes) |
//! | `POST requests.{json,xml}` | a new report: form-urlencoded, or multipart with up to `PHOTOS_MAX` (3) `media` photos |
//! | `GET requests.{json,xml}` | reports, filtered (`service_request_id`, `service_code`, `status`, `start_date`, `end_date`; `lat` + `long` + `radius`: extension, nearest first) and paged (`page`, `page_size`: extension) |
//! | `GET requests/{id}.{json,xml}` | one report, as a one-item list |
//! | `POST requests/{id}/follow.{json,xml}` | follow a report, "+1" (extension, [`follow`]) |
//! | `GET media/{id}` | a photo uploaded with a report (extension) |
//!
//! Extensions beyond the spec:
//!
//! | extension | where | what |
//! |---|---|---|
//! | `asset_id` | form field, request field | the NGSI-LD entity a report is about |
//! | `media` parts | multipart POST | up to `PHOTOS_MAX` photos, re-encoded without metadata (400 `media: too_many` beyond) |
//! | `media_urls` | request field | every photo's URL, in order (a list; `media_url` stays the first, as the spec has it) |
//! | `attributes` | request field | the answers to the service's questions: JSON `{"CODE": "value", "LIST": ["a", "b"]}`, XML `<attributes><attribute><code>CODE</code><value>…</value></attribute>…`, `<values><value>…</value>…</values>` for a list |
//! | `followers` | request field | how many follow it ([`follow`]) |
//! | `lat`/`long`/`radius` | `GET requests` | the nearby search ([`nearby`]) |
//! | `page`/`page_size` | `GET requests` | paging, with an `X-Total-Count` header |
//! | `Idempotency-Key` | POST header | one report however often a client retries |
//!
//! The contract's `quartier_api::open311::ServiceRequest` reads each of these request fields.
//!
//! Errors are the spec's `[{code, description}]` list (or `<errors>` for a `.xml` path), one
//! entry per problem; validation descriptions are `field: code` with the contract crate's field
//! error codes (`description: too_long`, `media: too_many`).
//!
//! POST order: `Idempotency-Key` syntax (400) → an `api_key` given in the query string (403,
//! before the body is read) → CSRF when the cookie names a session (403) → form read (a wrong
//! `api_key` part of a multipart form ends the read, 403; so does a photo beyond `PHOTOS_MAX`,
//! 400) → `api_key` (403) → the client's `Idempotency-Key`, if still live: the same request
//! (form fields and photos, by SHA-256) is replayed as first answered (status, body, format),
//! another request is refused (422) → rate limit (429 + `Retry-After`) → validation (400) →
//! photos, one after the other, each decoded in a slot of a bounded number (400/413, 503 +
//! `Retry-After` when every slot stays busy) → one transaction storing the photos, the report
//! and the key. A created report answers 201. Only successes are remembered: a client that
//! fixes a refused form may retry with the same key. Keys belong to a client (the signed-in
//! resident, else the api_key) and live 24 hours by the platform's clock.
//!
//! Ownership: a request made with a resident's session cookie stores its `resident_id` (the
//! resident API's `GET /api/v1/me/reports` lists them); a [`ReportOwner`] request extension, set
//! by a layer, takes precedence; without either the report is anonymous.
//! [`store::link_resident`] attaches an existing report later. A request whose cookie names a
//! valid session must carry that session's `X-CSRF-Token` (else 403 `X-CSRF-Token:
//! csrf_mismatch`): `SameSite=Strict` does not stop a sibling subdomain's page. Without a cookie
//! (or with one naming no live session) the report is anonymous and needs no token. API keys
//! are compared in constant time.

pub mod catalogue;
mod follow;
mod format;
mod media;
pub mod nearby;
mod rate_limit;
pub mod store;
mod submit;
pub mod time;

use std::time::Duration;

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};

pub use catalogue::SERVICES;
use format::{Format, Node, errors};
use quartier_api::validation::{FieldError, FieldErrorCode, PHOTOS_MAX};
pub use rate_limit::{RateLimiter, Reporter};
use sha2::{Digest, Sha256};
use store::{IdempotencyKey, Placement, Query, Recall, Remembered};
use submit::{Form, NewRequest};

use tokio::sync::Semaphore;

use crate::{
    auth::{self, password::wait_for_slot},
    client::{self, ClientKey},
    error::AppError,
    rate,
    state::{AppState, Settings},
};

/// The API key every client may use in demo mode (the app sends it). Documented in the README.
pub const DEMO_API_KEY: &str = "quartier-demo-key";
/// Environment variable with the accepted API keys outside demo mode, comma-separated.
pub const API_KEYS_VAR: &str = "QUARTIER_OPEN311_API_KEYS";
/// The body limit of `POST requests`: [`PHOTOS_MAX`] photos of [`media::MAX_BYTES`] plus the
/// form around them.
const POST_BODY_LIMIT: usize = PHOTOS_MAX * media::MAX_BYTES + 256 * 1024;
/// Largest and default `page_size`: the spec's cap on one response.
const MAX_PAGE_SIZE: i64 = 1000;
/// Without dates or ids, `GET requests` shows this many days back (the spec's default).
const DEFAULT_DAYS: i64 = 90;
/// Multipart parts accepted in one POST; the form has about twenty fields.
const MAX_PARTS: usize = 200;
/// When the catalogue last changed (`changeset` of the discovery document).
const CHANGESET: &str = "2026-11-28 00:00";

/// Open311's share of [`AppState`].
#[derive(Debug)]
pub struct Open311State {
    /// Report creation, per client.
    pub limiter: RateLimiter,
    /// Follows per client, counted apart from reports.
    pub follow_limiter: RateLimiter,
    /// Accepted `api_key` values.
    pub api_keys: Vec<String>,
    /// Photos being decoded and re-encoded: a bounded number at once (each can take 256 MB).
    pub photo_decodes: Semaphore,
    /// How long a photo waits for a decode slot before the report is answered 503.
    pub busy_wait: Duration,
    /// The services offered.
    pub catalogue: catalogue::Catalogue,
}

impl Open311State {
    /// Whether `sent` is an accepted key. Constant time: every key is compared (by hash, so
    /// lengths do not show either), none stops the loop early.
    pub fn accepts(&self, sent: &str) -> bool {
        self.api_keys.iter().fold(false, |found, key| {
            found | auth::secret_eq(sent.as_bytes(), key.as_bytes())
        })
    }

    /// The demo key in demo mode, plus those of [`API_KEYS_VAR`] and of the settings.
    pub fn new(settings: &Settings) -> Self {
        let mut api_keys: Vec<String> = std::env::var(API_KEYS_VAR)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .map(str::to_owned)
            .collect();
        api_keys.extend(
            settings
                .open311_api_keys
                .iter()
                .filter(|key| !key.is_empty())
                .cloned(),
        );
        if settings.demo {
            api_keys.push(DEMO_API_KEY.to_owned());
        }
        Self {
            limiter: RateLimiter::new(rate_limit::DEFAULT_RATE),
            follow_limiter: RateLimiter::new(rate_limit::DEFAULT_RATE),
            api_keys,
            photo_decodes: Semaphore::new(settings.max_photo_decodes.max(1)),
            busy_wait: settings.busy_wait,
            catalogue: catalogue::Catalogue::new(settings.demo && settings.demo_html_payloads),
        }
    }
}

/// Request extension set by the session layer of the resident API: the signed-in resident who
/// is making this request, who then owns the report it creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOwner(pub i64);

/// The routes, relative to `/open311`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v2/{file}",
            axum::routing::post(create_request)
                .layer(DefaultBodyLimit::max(POST_BODY_LIMIT))
                .get(get_document),
        )
        .route("/v2/services/{file}", get(service_definition))
        .route("/v2/requests/{file}", get(one_request))
        .route(
            "/v2/requests/{id}/{file}",
            axum::routing::post(follow::follow),
        )
        .route("/v2/media/{id}", get(media_file))
}

/// Wraps the area (outside its JSON error layer) so that `.xml` paths get XML errors.
pub fn xml_errors_layer(area: Router<AppState>) -> Router<AppState> {
    area.layer(middleware::from_fn(format::xml_errors))
}

async fn get_document(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (name, format) = Format::split(&file)?;
    match name {
        "discovery" => Ok(discovery(&state, &headers).respond(format, "discovery", StatusCode::OK)),
        "services" => {
            let services = Node::List {
                item: "service",
                items: state
                    .open311
                    .catalogue
                    .services()
                    .iter()
                    .map(|service| service.to_node())
                    .collect(),
            };
            Ok(services.respond(format, "services", StatusCode::OK))
        }
        "requests" => list_requests(&state, query.as_deref(), &headers, format).await,
        _ => Err(AppError::not_found(format!("no resource {file}"))),
    }
}

fn discovery(state: &AppState, headers: &HeaderMap) -> Node {
    let key_service = if state.settings.demo {
        format!("Demo town: use the api_key {DEMO_API_KEY}")
    } else {
        "Ask the town hall for an api_key.".to_owned()
    };
    Node::Record(vec![
        ("changeset", Node::text(CHANGESET)),
        ("contact", Node::text(state.town.contact())),
        ("key_service", Node::text(key_service)),
        (
            "endpoints",
            Node::List {
                item: "endpoint",
                items: vec![Node::Record(vec![
                    (
                        "specification",
                        Node::text("http://wiki.open311.org/GeoReport_v2"),
                    ),
                    ("url", Node::text(base_url(headers))),
                    ("changeset", Node::text(CHANGESET)),
                    (
                        "type",
                        Node::text(if state.settings.demo {
                            "test"
                        } else {
                            "production"
                        }),
                    ),
                    (
                        "formats",
                        Node::List {
                            item: "format",
                            items: vec![Node::text("text/xml"), Node::text("application/json")],
                        },
                    ),
                ])],
            },
        ),
    ])
}

/// `http://host/open311/v2` from the request's `Host`, or the path alone if there is none (or
/// it is not a plain host name, which would let a client inject text into URLs we print).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        });
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"https"));
    match host {
        Some(host) => format!(
            "{}://{host}/open311/v2",
            if https { "https" } else { "http" }
        ),
        None => "/open311/v2".to_owned(),
    }
}

async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let (code, format) = Format::split(&file)?;
    let service = state
        .open311
        .catalogue
        .find(code)
        .ok_or_else(|| AppError::not_found("service_code: unknown"))?;
    Ok(service
        .definition_node()
        .respond(format, "service_definition", StatusCode::OK))
}

async fn one_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (id, format) = Format::split(&file)?;
    let unknown = || AppError::not_found("service_request_id: unknown");
    let id = parse_id(id).ok_or_else(unknown)?;
    let request = state
        .db
        .read(move |conn| store::find(conn, id))
        .await?
        .ok_or_else(unknown)?;
    let list = Node::List {
        item: "request",
        items: vec![request.to_node(&base_url(&headers))],
    };
    Ok(list.respond(format, "service_requests", StatusCode::OK))
}

/// One request as a JSON object (not a list), as the staff API answers it: the same fields as
/// `GET requests/{id}.json`, from the same tree.
pub(crate) fn request_json(request: &store::StoredRequest, headers: &HeaderMap) -> Response {
    request
        .to_node(&base_url(headers))
        .respond(Format::Json, "request", StatusCode::OK)
}

/// Digits only, so that one request has one URL.
pub(crate) fn parse_id(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

async fn list_requests(
    state: &AppState,
    query: Option<&str>,
    headers: &HeaderMap,
    format: Format,
) -> Result<Response, AppError> {
    let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned();
    let query = match parse_query(pairs, state.auth.clock.now()) {
        Ok(query) => query,
        Err(problems) => return Ok(errors(StatusCode::BAD_REQUEST, problems)),
    };
    let (requests, total) = state.db.read(move |conn| store::list(conn, &query)).await?;
    let base = base_url(headers);
    let list = Node::List {
        item: "request",
        items: requests
            .iter()
            .map(|request| request.to_node(&base))
            .collect(),
    };
    let mut response = list.respond(format, "service_requests", StatusCode::OK);
    response
        .headers_mut()
        .insert("x-total-count", HeaderValue::from(total));
    Ok(response)
}

/// The filters of `GET requests`, or every problem with them.
fn parse_query(
    pairs: impl Iterator<Item = (String, String)>,
    now: i64,
) -> Result<Query, Vec<String>> {
    let mut problems = Vec::new();
    let mut query = Query {
        limit: MAX_PAGE_SIZE,
        ..Query::default()
    };
    let mut page = 1;
    let mut near = nearby::NearParams::default();
    let list = |value: &str| -> Vec<String> {
        value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for (name, value) in pairs {
        match name.as_str() {
            "service_request_id" => {
                let ids: Option<Vec<i64>> = list(&value).iter().map(|id| parse_id(id)).collect();
                match ids {
                    Some(ids) if !ids.is_empty() && ids.len() <= 1000 => query.ids = Some(ids),
                    _ => problems.push("service_request_id: not a list of ids".to_owned()),
                }
            }
            "service_code" => query.service_codes = list(&value),
            "status" => {
                let statuses = list(&value);
                if statuses.iter().all(|s| s == "open" || s == "closed") {
                    query.statuses = statuses;
                } else {
                    problems.push("status: not open or closed".to_owned());
                }
            }
            "start_date" | "end_date" => match time::parse(&value) {
                Some(at) if name == "start_date" => query.start = Some(at),
                Some(at) => query.end = Some(at),
                None => problems.push(format!("{name}: not a W3C datetime")),
            },
            "page" => match value.parse::<i64>() {
                Ok(number) if (1..=1_000_000).contains(&number) => page = number,
                _ => problems.push("page: not a page number".to_owned()),
            },
            "page_size" => match value.parse::<i64>() {
                Ok(size) if (1..=MAX_PAGE_SIZE).contains(&size) => query.limit = size,
                _ => problems.push(format!("page_size: not between 1 and {MAX_PAGE_SIZE}")),
            },
            "lat" => near.lat = Some(value),
            "long" => near.long = Some(value),
            "radius" => near.radius = Some(value),
            // jurisdiction_id and unknown parameters: one jurisdiction here, and the spec asks
            // servers to ignore what they do not know.
            _ => {}
        }
    }
    match near.parse() {
        Ok(found) => query.near = found,
        Err(found) => problems.extend(found),
    }
    if let (Some(start), Some(end)) = (query.start, query.end)
        && start > end
    {
        problems.push("start_date: after end_date".to_owned());
    }
    if query.start.is_none() && query.ids.is_none() {
        query.start = Some(query.end.unwrap_or(now) - DEFAULT_DAYS * 86_400);
    }
    query.offset = (page - 1) * query.limit;
    if problems.is_empty() {
        Ok(query)
    } else {
        Err(problems)
    }
}

async fn media_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let unknown = || AppError::not_found("media: unknown");
    let id = parse_id(&id).ok_or_else(unknown)?;
    let (content_type, bytes) = state
        .db
        .read(move |conn| store::media(conn, id))
        .await?
        .ok_or_else(unknown)?;
    let content_type = HeaderValue::from_str(&content_type).map_err(|_| unknown())?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // A stored photo never changes.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A form as received, with its photos in the order sent (at most [`PHOTOS_MAX`]).
struct Received {
    form: Form,
    media: Vec<Bytes>,
}

async fn create_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let (name, format) = Format::split(&file)?;
    if name != "requests" {
        return Err(AppError::not_found(format!("no resource {file}")));
    }
    let idempotency_key = match idempotency_key(request.headers()) {
        Ok(key) => key,
        Err(problem) => return Ok(errors(StatusCode::BAD_REQUEST, vec![problem])),
    };
    let Admitted {
        owner,
        client,
        received,
        api_key,
        ..
    } = match admit_write(&state, request).await? {
        Ok(admitted) => admitted,
        Err(refused) => return Ok(refused),
    };
    let now = state.auth.clock.now();
    let idempotency = idempotency_key.map(|key| IdempotencyKey {
        client: idempotency_client(owner, &api_key),
        key,
        request_hash: request_hash(&received),
    });
    if let Some(key) = idempotency.clone() {
        let recalled = state
            .db
            .call(move |conn| store::recall(conn, &key, now))
            .await?;
        if let Some(recalled) = recalled {
            return Ok(answer(recalled));
        }
    }
    let reporter = match owner {
        Some(resident) => Reporter::Resident(resident),
        None => Reporter::Client(client),
    };
    if let Err(wait) = state.open311.limiter.check(&reporter) {
        return Ok(too_many(wait));
    }
    let new = match received
        .form
        .validate(&state.town, &state.open311.catalogue)
    {
        Ok(new) => new,
        Err(problems) => return Ok(errors(StatusCode::BAD_REQUEST, problems)),
    };
    // One after the other, each taking a decode slot as a lone photo does: a report never
    // holds more than one slot at a time.
    let mut photos = Vec::with_capacity(received.media.len());
    for bytes in received.media {
        match decode(&state.open311, bytes).await? {
            Ok(photo) => photos.push(photo),
            Err(error) => {
                let status = match error {
                    media::MediaError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::BAD_REQUEST,
                };
                return Ok(errors(status, vec![error.to_string()]));
            }
        }
    }
    let saved = state
        .db
        .call(move |conn| save(conn, &new, photos, owner, idempotency.as_ref(), format, now))
        .await?;
    Ok(answer(saved))
}

/// The resident a write is made for: the [`ReportOwner`] extension, else the session of the
/// cookie, whose CSRF token the request must then carry (a 403 response otherwise); `None` for
/// an anonymous client.
/// Takes the request's parts rather than the request: a `&Request` held across an await would
/// make the handler's future !Send.
async fn writer(
    state: &AppState,
    given: Option<ReportOwner>,
    headers: &HeaderMap,
) -> Result<Result<Option<i64>, Response>, AppError> {
    if let Some(ReportOwner(resident)) = given {
        return Ok(Ok(Some(resident)));
    }
    Ok(match auth::resident_for_write(state, headers).await? {
        Ok(resident) => Ok(resident.map(|resident| resident.0)),
        Err(auth::WriteRefusal::CsrfMismatch) => Err(csrf_mismatch()),
    })
}

/// [`media::sanitize`] in the blocking pool, once a decode slot is free (503 if none frees up).
async fn decode(
    open311: &Open311State,
    bytes: Bytes,
) -> Result<Result<(media::Kind, Vec<u8>), media::MediaError>, AppError> {
    let _slot = wait_for_slot(&open311.photo_decodes, open311.busy_wait).await?;
    Ok(tokio::task::spawn_blocking(move || media::sanitize(&bytes)).await?)
}

/// A write that passed the checks every Open311 write makes (a report, a follow).
struct Admitted {
    /// The signed-in resident writing, if any.
    owner: Option<i64>,
    /// The client as every limit counts it.
    client: ClientKey,
    received: Received,
    /// The accepted `api_key`.
    api_key: String,
    headers: HeaderMap,
}

/// The checks of an Open311 write, in their order: an `api_key` in the query string before a
/// byte of the body is read, the session's CSRF token when a cookie names one, the body, then
/// the `api_key` (form or query). `Err` is the refusal to answer.
async fn admit_write(
    state: &AppState,
    request: Request,
) -> Result<Result<Admitted, Response>, AppError> {
    let query_key = query_api_key(request.uri().query());
    if let Some(key) = &query_key
        && !state.open311.accepts(key)
    {
        return Ok(Err(invalid_api_key()));
    }
    let (given, headers) = (
        request.extensions().get::<ReportOwner>().copied(),
        request.headers().clone(),
    );
    let owner = match writer(state, given, &headers).await? {
        Ok(owner) => owner,
        Err(refused) => return Ok(Err(refused)),
    };
    let client = ClientKey::of(
        request.headers(),
        client::peer_of(request.extensions()),
        &state.settings.trusted_proxies,
    );
    let received = match receive(request, state).await {
        Ok(received) => received,
        Err(response) => return Ok(Err(response)),
    };
    let api_key = match (received.form.get("api_key"), query_key) {
        (Some(key), _) if state.open311.accepts(key) => key.to_owned(),
        (None, Some(key)) => key,
        _ => return Ok(Err(invalid_api_key())),
    };
    Ok(Ok(Admitted {
        owner,
        client,
        received,
        api_key,
        headers,
    }))
}

/// `api_key` of the query string, if given there (an extension: the spec puts it in the form).
fn query_api_key(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "api_key")
        .map(|(_, value)| value.into_owned())
}

fn invalid_api_key() -> Response {
    errors(
        StatusCode::FORBIDDEN,
        vec!["api_key: invalid or missing".to_owned()],
    )
}

/// A report sent with a valid session cookie but without the session's CSRF token.
fn csrf_mismatch() -> Response {
    errors(
        StatusCode::FORBIDDEN,
        vec![format!(
            "{}: {}",
            quartier_api::resident::CSRF_HEADER,
            quartier_api::resident::codes::CSRF_MISMATCH
        )],
    )
}

/// The `Idempotency-Key` header: visible ASCII, at most 255 characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, String> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().ok().map(str::trim).filter(|key| {
        !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
    });
    key.map(|key| Some(key.to_owned()))
        .ok_or_else(|| "Idempotency-Key: invalid (1 to 255 visible ASCII characters)".to_owned())
}

/// Whose `Idempotency-Key` this is: the signed-in resident, else the api_key (by its hash: the
/// database does not hold keys). The client's address is never needed here: a POST without an
/// accepted api_key was refused before.
fn idempotency_client(owner: Option<i64>, api_key: &str) -> String {
    match owner {
        Some(resident) => format!("resident:{resident}"),
        None => format!("api_key:{}", hex_sha256(&[api_key.as_bytes()])),
    }
}

/// What makes two POSTs "the same request" for an `Idempotency-Key`: the form's fields in order
/// and the photos in order, not the raw body (a multipart boundary differs from one send to the
/// next). One photo or none hashes as before a report could have several (after the fields, the
/// photo or an empty part), so that a key remembered then still replays. Several photos follow
/// the fields and their count prefixes the hash: it says where the fields end, so two
/// different requests never share a hash.
fn request_hash(received: &Received) -> String {
    let mut parts: Vec<&[u8]> = Vec::new();
    for (name, value) in received.form.pairs() {
        parts.push(name.as_bytes());
        parts.push(value.as_bytes());
    }
    match received.media.as_slice() {
        [] => parts.push(&[]),
        [photo] => parts.push(photo),
        photos => {
            parts.extend(photos.iter().map(|photo| photo.as_ref()));
            return format!("{}-photos:{}", photos.len(), hex_sha256(&parts));
        }
    }
    hex_sha256(&parts)
}

/// Hex SHA-256 of the parts, each prefixed by its length so that no two lists collide.
fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_le_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The response a key stands for: its first response again, or 422 for another request.
fn answer(recalled: Recall) -> Response {
    match recalled {
        Recall::Replay(remembered) => replay(remembered),
        Recall::Mismatch => errors(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["Idempotency-Key: already used with another request".to_owned()],
        ),
    }
}

/// Reads the form, urlencoded or multipart; an unreadable one is answered at once.
async fn receive(request: Request, state: &AppState) -> Result<Received, Response> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, state)
            .await
            .map_err(|rejection| {
                errors(
                    rejection.status(),
                    vec![format!("body: {}", rejection.body_text())],
                )
            })?;
        return receive_multipart(multipart, &state.open311).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(errors(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            vec![
                "content-type: use application/x-www-form-urlencoded or multipart/form-data"
                    .to_owned(),
            ],
        ));
    }
    let body = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            errors(
                rejection.status(),
                vec!["body: too large or unreadable".to_owned()],
            )
        })?;
    Ok(Received {
        form: Form::from_pairs(form_urlencoded::parse(&body).into_owned()),
        media: Vec::new(),
    })
}

/// Reads the parts in order; a wrong `api_key` part ends the read at once, before any later
/// part (a photo) is read, and so does a photo beyond [`PHOTOS_MAX`] (400 `media: too_many`).
async fn receive_multipart(
    mut multipart: Multipart,
    open311: &Open311State,
) -> Result<Received, Response> {
    let malformed = |error: axum::extract::multipart::MultipartError| {
        errors(error.status(), vec![format!("body: {}", error.body_text())])
    };
    let mut form = Form::default();
    let mut media = Vec::new();
    let mut parts = 0;
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(errors(
                StatusCode::BAD_REQUEST,
                vec!["body: too many parts".to_owned()],
            ));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "media" {
            let bytes = field.bytes().await.map_err(malformed)?;
            if bytes.len() > media::MAX_BYTES {
                return Err(errors(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    vec![media::MediaError::TooLarge.to_string()],
                ));
            }
            // An empty file input is sent as an empty part: no photo.
            if bytes.is_empty() {
                continue;
            }
            if media.len() == PHOTOS_MAX {
                return Err(errors(
                    StatusCode::BAD_REQUEST,
                    vec![FieldError::new("media", FieldErrorCode::TooMany).to_string()],
                ));
            }
            media.push(bytes);
        } else {
            let text = field.text().await.map_err(malformed)?;
            if name == "api_key" && !open311.accepts(&text) {
                return Err(invalid_api_key());
            }
            form.push(name, text);
        }
    }
    Ok(Received { form, media })
}

/// Stores the report (and its photos), builds the response and remembers it under the
/// idempotency key, all in one transaction: a retry racing the first attempt finds either
/// nothing (and waits for the lock) or the complete first response.
fn save(
    conn: &mut rusqlite::Connection,
    new: &NewRequest,
    photos: Vec<(media::Kind, Vec<u8>)>,
    owner: Option<i64>,
    idempotency: Option<&IdempotencyKey>,
    format: Format,
    now: i64,
) -> Result<Recall, AppError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if let Some(key) = idempotency
        && let Some(recalled) = store::recall(&tx, key, now)?
    {
        return Ok(recalled);
    }
    let media_ids = photos
        .iter()
        .map(|(kind, bytes)| store::insert_media(&tx, kind.content_type(), bytes, now))
        .collect::<Result<Vec<_>, _>>()?;
    let mut new = new.clone();
    if !media_ids.is_empty() {
        new.media_url = None;
    }
    let placement = Placement {
        requested_at: now,
        zipcode: new.zipcode.clone(),
        media_id: media_ids.first().copied(),
        resident_id: owner,
    };
    let id = store::insert(&tx, &new, &placement)?;
    store::insert_request_media(&tx, id, &media_ids)?;
    let body = Node::List {
        item: "request",
        items: vec![Node::Record(vec![
            ("service_request_id", Node::text(id.to_string())),
            ("service_notice", Node::text(new.service.notice)),
            ("account_id", Node::opt_text(new.account_id.clone())),
        ])],
    };
    let body = body.to_string(format, "service_requests");
    let remembered = Remembered {
        status: StatusCode::CREATED.as_u16(),
        content_type: format.content_type().to_owned(),
        body: body.into_bytes(),
    };
    if let Some(key) = idempotency {
        store::remember(&tx, key, &remembered, id, now)?;
    }
    tx.commit()?;
    Ok(Recall::Replay(remembered))
}

fn replay(remembered: Remembered) -> Response {
    let status = StatusCode::from_u16(remembered.status).unwrap_or(StatusCode::CREATED);
    let content_type = HeaderValue::from_str(&remembered.content_type)
        .unwrap_or(HeaderValue::from_static(format::JSON_TYPE));
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        remembered.body,
    )
        .into_response()
}

fn too_many(wait: Duration) -> Response {
    let seconds = rate::retry_after_seconds(wait);
    let mut response = errors(
        StatusCode::TOO_MANY_REQUESTS,
        vec![format!("requests: too many reports, retry in {seconds} s")],
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> Result<Query, Vec<String>> {
        parse_query(
            form_urlencoded::parse(text.as_bytes()).into_owned(),
            10_000_000,
        )
    }

    #[test]
    fn default_window_is_ninety_days_and_ids_ignore_it() {
        let q = query("").expect("ok");
        assert_eq!(q.start, Some(10_000_000 - 90 * 86_400));
        assert_eq!((q.limit, q.offset), (1000, 0));
        let q = query("service_request_id=3,5&status=open").expect("ok");
        assert_eq!(q.ids, Some(vec![3, 5]));
        assert_eq!(q.start, None);
        let q = query("status=open,closed&page=3&page_size=20&service_code=graffiti").expect("ok");
        assert_eq!((q.limit, q.offset), (20, 40));
        assert_eq!(q.statuses, ["open", "closed"]);
        assert_eq!(q.service_codes, ["graffiti"]);
    }

    #[test]
    fn bad_filters_are_listed() {
        assert_eq!(
            query("status=pending&start_date=yesterday&page=0&page_size=5000&service_request_id=a")
                .expect_err("bad"),
            [
                "status: not open or closed",
                "start_date: not a W3C datetime",
                "page: not a page number",
                "page_size: not between 1 and 1000",
                "service_request_id: not a list of ids",
            ]
        );
        assert_eq!(
            query("start_date=2026-02-01&end_date=2026-01-01").expect_err("bad"),
            ["start_date: after end_date"]
        );
    }

    #[test]
    fn base_url_only_trusts_plain_hosts() {
        let mut headers = HeaderMap::new();
        assert_eq!(base_url(&headers), "/open311/v2");
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(base_url(&headers), "http://127.0.0.1:8080/open311/v2");
        headers.insert(header::HOST, HeaderValue::from_static("evil\"<x>"));
        assert_eq!(base_url(&headers), "/open311/v2");
    }
}
