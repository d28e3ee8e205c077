//! What keeps one kind of request from stalling the others: a deadline on every API request
//! (its database calls included, see [`crate::db`]), and on the anonymous areas (NGSI-LD, tiles,
//! geocoder) a rate per client (429) and a bound on their requests in flight (503). NGSI-LD
//! writers with a valid token are counted per agent instead, and take no anonymous place.
//!
//! All answer through [`AppError`], so the area's format layer renders them in that API's own
//! error shape (NGSI-LD ProblemDetails, Open311's error array, the resident API's
//! ProblemDetails), with `Retry-After`.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Instant,
};

use quartier_api::resident::codes;

use crate::{
    client::{self, ClientKey, TrustedProxies},
    db,
    error::{AppError, RETRY_AFTER_SECONDS},
    rate::{self, KeyedRate, Rate},
    tokens::bearer_token,
    writers::Writers,
};

/// One anonymous area's limits: each client's rate (past it, 429 with `Retry-After`), then the
/// requests that may be served at once (the next ones wait up to `wait` for a place, then get
/// 503 with `Retry-After`).
#[derive(Debug, Clone)]
pub struct AreaLimit {
    slots: Arc<Semaphore>,
    wait: Duration,
    rate: Arc<KeyedRate<ClientKey>>,
    trusted: Arc<TrustedProxies>,
    /// NGSI-LD only: the IoT agents, counted on their own rate.
    writers: Option<WriterLimit>,
}

/// The rate of each IoT agent ([`crate::writers`]): a request with a valid writer token is
/// counted against its agent's rate instead of its client's, and takes none of the places the
/// anonymous reads share (writes queue on the one writer connection, under the deadline).
#[derive(Debug, Clone)]
struct WriterLimit {
    writers: Arc<Writers>,
    rate: Arc<KeyedRate<String>>,
}

impl AreaLimit {
    pub fn new(at_once: usize, wait: Duration, rate: Rate, trusted: TrustedProxies) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(at_once.max(1))),
            wait,
            rate: Arc::new(KeyedRate::new(rate)),
            trusted: Arc::new(trusted),
            writers: None,
        }
    }

    /// The same, with `writers` each counted on `rate` (the NGSI-LD area).
    pub fn with_writers(self, writers: Arc<Writers>, rate: Rate) -> Self {
        Self {
            writers: Some(WriterLimit {
                writers,
                rate: Arc::new(KeyedRate::new(rate)),
            }),
            ..self
        }
    }

    /// Takes one place as a request would (waiting as long as one does), `None` if none freed:
    /// what the middleware does, and how a test fills the area.
    pub async fn hold(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(self.wait, Arc::clone(&self.slots).acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// The anonymous areas' limits, one each, so tiles cannot starve NGSI-LD of places or the reverse.
#[derive(Debug, Clone)]
pub struct Limits {
    pub ngsi_ld: AreaLimit,
    pub tiles: AreaLimit,
    pub geocoder: AreaLimit,
}

/// Middleware: gives the request `deadline` from now for everything, database calls included;
/// past it the request is dropped (its query interrupted) and answered 503 + `Retry-After`.
pub async fn deadline(State(budget): State<Duration>, request: Request, next: Next) -> Response {
    let deadline = Instant::now() + budget;
    match tokio::time::timeout_at(deadline, db::with_deadline(deadline, next.run(request))).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout.into_response(),
    }
}

/// Middleware: counts the request against its client's rate, then holds one of the area's
/// places while it is served. The rate comes first so that a client over it is refused at once
/// and never takes a place that others wait for.
pub async fn limit(State(limit): State<AreaLimit>, request: Request, next: Next) -> Response {
    if let Some(writers) = &limit.writers
        && let Some(agent) =
            bearer_token(request.headers()).and_then(|token| writers.writers.find(token))
    {
        return match writers.rate.check(&agent.name) {
            Ok(()) => next.run(request).await,
            Err(wait) => too_many(wait),
        };
    }
    let client = ClientKey::of(
        request.headers(),
        client::peer_of(request.extensions()),
        &limit.trusted,
    );
    if let Err(wait) = limit.rate.check(&client) {
        return too_many(wait);
    }
    match limit.hold().await {
        Some(_permit) => next.run(request).await,
        None => AppError::Overloaded {
            retry_after: RETRY_AFTER_SECONDS,
        }
        .into_response(),
    }
}

fn too_many(wait: Duration) -> Response {
    AppError::TooManyRequests {
        code: codes::TOO_MANY_REQUESTS,
        retry_after: rate::retry_after_seconds(wait),
    }
    .into_response()
}
