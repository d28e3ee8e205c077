//! The notifier: one task follows the committed changes and queues each matching one for its
//! subscription; each subscription has its own sending task, started at its first change, so
//! an endpoint that is slow or down delays only its own notifications.
//!
//! Per subscription: a bounded queue (the oldest change dropped, and counted, when full),
//! `throttling` (at most one notification per period; what came meanwhile is sent together,
//! the latest state of each entity once), a timeout per attempt, and retries after a
//! connection error, a timeout or a 5xx, with the delays of [`SendPolicy::retry_delays`].
//! Every attempt is counted in the table (`timesSent`, `lastNotification`, `lastSuccess`,
//! `lastFailure`, `notification.status`).

use std::{
    collections::VecDeque,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use quartier_api::ngsi_ld::live::Notification;
use serde_json::Value;
use tokio::{
    sync::{Notify, broadcast},
    time::Instant,
};

use super::{Entry, SendPolicy, Subscriptions, store};
use crate::{auth::AuthState, db::Db, live::Change, routes::ngsi_ld::render};

/// What every sending task shares.
pub struct Shared {
    db: Db,
    policy: SendPolicy,
    auth: Arc<AuthState>,
    /// Plain HTTP/1.1 (no TLS stack in the platform); pools connections per endpoint.
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("policy", &self.policy)
            .finish()
    }
}

impl Shared {
    pub fn new(db: Db, policy: SendPolicy, auth: Arc<AuthState>) -> Shared {
        Shared {
            db,
            policy,
            auth,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// The platform's clock (tests move it), in Unix seconds.
    pub fn now(&self) -> i64 {
        self.auth.clock.now()
    }
}

#[derive(Debug, Default)]
struct Pending {
    changes: VecDeque<Arc<Change>>,
    /// Changes dropped because the queue was full, since the start.
    dropped: u64,
}

/// A subscription's queue, and whether its sending task runs.
#[derive(Debug)]
pub struct Sender {
    pending: Mutex<Pending>,
    /// `notify_one` keeps a permit when the task is not waiting: no wake-up is lost.
    wake: Notify,
    closed: AtomicBool,
    started: AtomicBool,
    shared: Arc<Shared>,
}

impl Sender {
    pub fn new(shared: Arc<Shared>) -> Sender {
        Sender {
            pending: Mutex::default(),
            wake: Notify::new(),
            closed: AtomicBool::new(false),
            started: AtomicBool::new(false),
            shared,
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The changes `old` had not sent that `keep` wants become this one's, and `old` stops;
    /// whether any was kept.
    pub fn take_over(&self, old: &Sender, keep: impl Fn(&Change) -> bool) -> bool {
        old.close();
        let waiting = std::mem::take(&mut old.pending().changes);
        let mut pending = self.pending();
        pending
            .changes
            .extend(waiting.into_iter().filter(|c| keep(c)));
        !pending.changes.is_empty()
    }

    /// The task stops after its current attempt; what waits is dropped.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    fn push(&self, change: Arc<Change>, id: &str) {
        let mut pending = self.pending();
        if pending.changes.len() >= self.shared.policy.queue.max(1) {
            pending.changes.pop_front();
            pending.dropped += 1;
            tracing::warn!(
                subscription = id,
                dropped = pending.dropped,
                "notification queue full: oldest change dropped"
            );
        }
        pending.changes.push_back(change);
        drop(pending);
        self.wake.notify_one();
    }

    /// The next change to send; `None` once closed.
    async fn next(&self) -> Option<Arc<Change>> {
        loop {
            if self.is_closed() {
                return None;
            }
            if let Some(change) = self.pending().changes.pop_front() {
                return Some(change);
            }
            self.wake.notified().await;
        }
    }

    fn drain(&self) -> Vec<Arc<Change>> {
        self.pending().changes.drain(..).collect()
    }
}

/// Follows the committed changes until the platform stops (every sender of the hub dropped).
pub async fn run(subscriptions: Subscriptions, mut changes: broadcast::Receiver<Arc<Change>>) {
    loop {
        match changes.recv().await {
            Ok(change) => dispatch(&subscriptions, &change),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "notifier fell behind the writes: changes not notified"
                );
            }
            Err(broadcast::error::RecvError::Closed) => {
                // The platform stopped: no sending task waits for changes that cannot come.
                for entry in subscriptions.snapshot() {
                    entry.sender.close();
                }
                return;
            }
        }
    }
}

fn dispatch(subscriptions: &Subscriptions, change: &Arc<Change>) {
    let now_ms = subscriptions.now_ms();
    for entry in subscriptions.snapshot() {
        if entry.matcher.is_live(now_ms) && entry.matcher.wants(change) {
            entry.sender.push(Arc::clone(change), &entry.id);
            ensure_running(&entry);
        }
    }
}

/// Starts the subscription's sending task unless it runs (at its first change, so that a
/// subscription never notified costs no task).
pub fn ensure_running(entry: &Arc<Entry>) {
    if !entry.sender.started.swap(true, Ordering::AcqRel) {
        tokio::spawn(deliver(Arc::clone(entry)));
    }
}

/// A subscription's sending task: one notification per change, or with `throttling` one per
/// period holding the latest state of each entity changed meanwhile.
async fn deliver(entry: Arc<Entry>) {
    let sender = &entry.sender;
    let mut last_sent: Option<Instant> = None;
    while let Some(first) = sender.next().await {
        let mut batch = vec![first];
        if let Some(every) = entry.matcher.throttling {
            if let Some(last) = last_sent {
                tokio::time::sleep_until(last + every).await;
                if sender.is_closed() {
                    // Replaced or deleted meanwhile: what still waits went to the successor,
                    // if any (the batch taken here, matched under the old definition, is not).
                    return;
                }
            }
            batch.extend(sender.drain());
            batch = latest_of_each(batch);
        }
        last_sent = Some(Instant::now());
        let data = batch
            .iter()
            .map(|c| entry.matcher.render(&c.entity))
            .collect();
        send(&entry, data).await;
    }
}

/// The last change of each entity, in the order of those last changes.
fn latest_of_each(batch: Vec<Arc<Change>>) -> Vec<Arc<Change>> {
    let id = |c: &Change| c.entity.get("id").cloned().unwrap_or(Value::Null);
    let mut kept: Vec<Arc<Change>> = Vec::with_capacity(batch.len());
    for change in batch {
        kept.retain(|k| id(k) != id(&change));
        kept.push(change);
    }
    kept
}

/// Why an attempt failed, and whether another may succeed.
enum Failure {
    Retry(String),
    Final(String),
}

async fn send(entry: &Entry, data: Vec<Value>) {
    let shared = &entry.sender.shared;
    let notification = Notification {
        id: format!("urn:ngsi-ld:Notification:{}", uuid::Uuid::new_v4()),
        kind: "Notification".to_owned(),
        subscription_id: entry.id.clone(),
        notified_at: crate::auth::clock::rfc3339(shared.now()),
        data,
    };
    let Ok(mut body) = serde_json::to_value(&notification) else {
        return;
    };
    if entry.matcher.json_ld
        && let Some(map) = body.as_object_mut()
    {
        map.insert(
            "@context".into(),
            super::notification_context().answer_context(),
        );
    }
    let bytes = Bytes::from(body.to_string());
    let mut retries = shared.policy.retry_delays.iter();
    loop {
        let outcome = attempt(shared, entry, bytes.clone()).await;
        record(shared, &entry.id, outcome.is_ok()).await;
        let reason = match outcome {
            Ok(()) => return,
            Err(Failure::Final(reason)) => reason,
            Err(Failure::Retry(reason)) => match retries.next() {
                Some(delay) if !entry.sender.is_closed() => {
                    tracing::info!(
                        subscription = entry.id,
                        reason,
                        ?delay,
                        "notification retried"
                    );
                    tokio::time::sleep(*delay).await;
                    continue;
                }
                _ => reason,
            },
        };
        tracing::warn!(
            subscription = entry.id,
            reason,
            "notification not delivered"
        );
        return;
    }
}

async fn attempt(shared: &Shared, entry: &Entry, body: Bytes) -> Result<(), Failure> {
    let uri: Uri = entry
        .matcher
        .endpoint
        .parse()
        .map_err(|e| Failure::Final(format!("endpoint is not a URI: {e}")))?;
    let content_type = if entry.matcher.json_ld {
        "application/ld+json"
    } else {
        "application/json"
    };
    let mut request = Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(Full::new(body))
        .map_err(|e| Failure::Final(e.to_string()))?;
    // A JSON body names its context in `Link` (6.3.5), as the platform's reads do.
    if !entry.matcher.json_ld
        && let Ok(link) =
            HeaderValue::from_str(&render::link_header(&super::notification_context()))
    {
        request.headers_mut().insert(header::LINK, link);
    }
    let timeout = shared.policy.timeout;
    let response = match tokio::time::timeout(timeout, shared.client.request(request)).await {
        Err(_) => return Err(Failure::Retry("timed out".into())),
        Ok(Err(error)) => return Err(Failure::Retry(format!("connection: {error}"))),
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    // Read to the end so that the connection goes back to the pool.
    let _ = tokio::time::timeout(timeout, response.into_body().collect()).await;
    match status {
        s if s.is_success() => Ok(()),
        s if s.is_server_error() => Err(Failure::Retry(format!("endpoint answered {s}"))),
        StatusCode::TOO_MANY_REQUESTS => Err(Failure::Retry("endpoint answered 429".into())),
        s => Err(Failure::Final(format!("endpoint answered {s}"))),
    }
}

async fn record(shared: &Shared, id: &str, delivered: bool) {
    let (id, at) = (id.to_owned(), crate::auth::clock::rfc3339(shared.now()));
    let written = shared
        .db
        .call(move |conn| store::record_attempt(conn, &id, &at, delivered))
        .await;
    if let Err(error) = written {
        tracing::warn!(%error, "notification outcome not recorded");
    }
}
