//! What keeps one kind of request from stalling the others: a deadline on every API request
//! (its database calls included, see [`crate::db`]), and a bound on the anonymous areas' requests
//! in flight (NGSI-LD, tiles, geocoder).
//!
//! Both answer through [`AppError`], so the area's format layer renders them in that API's own
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

use crate::{
    db,
    error::{AppError, RETRY_AFTER_SECONDS},
};

/// Requests of one anonymous area that may be served at once; the next ones wait up to `wait`
/// for a place, then get 503 with `Retry-After`.
#[derive(Debug, Clone)]
pub struct AreaLimit {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl AreaLimit {
    pub fn new(at_once: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(at_once.max(1))),
            wait,
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

/// Middleware: holds one of the area's places while the request is served.
pub async fn limit(State(limit): State<AreaLimit>, request: Request, next: Next) -> Response {
    match limit.hold().await {
        Some(_permit) => next.run(request).await,
        None => AppError::Overloaded {
            retry_after: RETRY_AFTER_SECONDS,
        }
        .into_response(),
    }
}
