//! Reports never lost: every report is written to the device's outbox (IndexedDB, photos
//! included) before it is sent, and leaves it only once the town's server has answered with
//! its id. What could not be sent (offline, server down, an answer lost on the way) waits there
//! and is sent again with the same `Idempotency-Key`: when the network comes back, after a
//! growing pause, and whenever the app is opened again. The server keeps one report per key,
//! so a retry after a lost answer never makes a second one.

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Duration;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use web_sys::Blob;

use crate::api::open311::{Outgoing, PostOutcome, post_report};
use crate::browser;
use crate::config::use_config;
use crate::session::{SessionState, use_session};

use super::storage::{self, Record, StorageError};

/// Where a queued report is kept: the prefix and its idempotency key.
const QUEUE_PREFIX: &str = "queue:";
/// How many reports wait, in `localStorage`: read at start without IndexedDB, so the app loads
/// the outbox's code only when there is something to send.
pub const WAITING_COUNT_KEY: &str = "quartier.outbox-waiting";
/// The reports sent from this device (ids), for `/my-reports` when nobody is signed in.
const SENT_KEY: &str = "quartier.reports-sent";
/// This device's follower id for "follow" when nobody is signed in (random, nothing personal).
const DEVICE_KEY: &str = "quartier.device-id";
/// First pause before sending again, doubled after each failure up to the last.
const RETRY_FIRST: Duration = Duration::from_secs(4);
const RETRY_LAST: Duration = Duration::from_secs(60);

/// A report waiting to be sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    /// The `Idempotency-Key`, chosen once when the resident pressed "Send report".
    pub key: String,
    /// The Open311 form, without the `api_key` (added when sent, from the configuration).
    pub pairs: Vec<(String, String)>,
    /// The category's name, to list it while it waits.
    pub service_name: String,
    /// When it was queued (ms since 1970).
    pub queued_at: f64,
    /// Set when the server refused it for good (the Fluent key of the reason): it stays here,
    /// never silently dropped, until the resident deletes it.
    #[serde(default)]
    pub refused: Option<String>,
}

/// A report the server took, remembered on this device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    pub id: String,
    pub service_name: String,
    pub sent_at: f64,
}

thread_local! {
    /// Keys being sent right now: one attempt at a time per report, whoever asks.
    static IN_FLIGHT: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// The outbox as views see it.
#[derive(Clone, Copy)]
pub struct Outbox {
    /// What waits, oldest first.
    pub waiting: RwSignal<Vec<Queued>>,
    /// The last report the background sending delivered (for a polite "sent" message).
    pub delivered: RwSignal<Option<Sent>>,
    retry_pause: StoredValue<Duration>,
    retry_planned: StoredValue<bool>,
    base: StoredValue<String>,
    api_key: StoredValue<Option<String>>,
}

/// The app's one outbox: created on first use, it loads what waits and starts sending.
pub fn use_outbox() -> Outbox {
    if let Some(outbox) = use_context::<Outbox>() {
        return outbox;
    }
    let config = use_config();
    let outbox = Outbox {
        waiting: RwSignal::new(Vec::new()),
        delivered: RwSignal::new(None),
        retry_pause: StoredValue::new(RETRY_FIRST),
        retry_planned: StoredValue::new(false),
        base: StoredValue::new(config.api.open311.clone()),
        api_key: StoredValue::new(config.api.open311_api_key.clone()),
    };
    provide_context(outbox);
    let session = use_session();
    leptos::task::spawn_local(async move {
        outbox.reload().await;
        outbox.flush(csrf(session)).await;
    });
    let online = window_event_listener(leptos::ev::online, move |_| {
        let token = csrf(session);
        leptos::task::spawn_local(async move { outbox.flush(token).await });
    });
    // The outbox lives as long as the view that made it (the app, or a report page).
    on_cleanup(move || online.remove());
    outbox
}

/// The CSRF token of the signed-in resident, if any.
pub fn csrf(session: crate::session::Session) -> Option<String> {
    match session.state.get_untracked() {
        SessionState::SignedIn { csrf_token, .. } => Some(csrf_token),
        _ => None,
    }
}

impl Outbox {
    async fn reload(self) {
        let mut waiting = Vec::new();
        match storage::keys(QUEUE_PREFIX).await {
            Ok(keys) => {
                for key in keys {
                    match storage::get(&key).await {
                        Ok(Some(record)) => match serde_json::from_str::<Queued>(&record.json) {
                            Ok(queued) => waiting.push(queued),
                            Err(error) => leptos::logging::warn!("outbox {key}: {error}"),
                        },
                        Ok(None) => {}
                        Err(error) => leptos::logging::warn!("outbox {key}: {error}"),
                    }
                }
            }
            Err(error) => leptos::logging::warn!("outbox: {error}"),
        }
        waiting.sort_by(|a, b| a.queued_at.total_cmp(&b.queued_at));
        self.set_waiting(waiting);
    }

    fn set_waiting(self, waiting: Vec<Queued>) {
        let pending = waiting.iter().filter(|q| q.refused.is_none()).count();
        browser::local_storage_set(WAITING_COUNT_KEY, &pending.to_string());
        self.waiting.try_set(waiting);
    }

    fn change(self, edit: impl FnOnce(&mut Vec<Queued>)) {
        let Some(mut waiting) = self.waiting.try_get_untracked() else {
            return;
        };
        edit(&mut waiting);
        self.set_waiting(waiting);
    }

    /// Writes a report to the outbox before anything is sent. A device without storage still
    /// sends it (the report is kept in memory only, and the form keeps its draft).
    pub async fn keep(self, queued: &Queued, photos: &[Blob]) -> Result<(), StorageError> {
        let record = Record {
            json: serde_json::to_string(queued).unwrap_or_default(),
            photos: photos.to_vec(),
        };
        let stored = storage::put(&format!("{QUEUE_PREFIX}{}", queued.key), &record).await;
        let queued = queued.clone();
        self.change(|waiting| {
            waiting.retain(|q| q.key != queued.key);
            waiting.push(queued);
        });
        stored
    }

    /// Forgets a queued report (sent, or deleted by the resident).
    pub async fn forget(self, key: &str) {
        if let Err(error) = storage::delete(&format!("{QUEUE_PREFIX}{key}")).await {
            leptos::logging::warn!("outbox: {error}");
        }
        self.change(|waiting| waiting.retain(|q| q.key != key));
    }

    /// Sends one queued report now (its photos come from the outbox unless given); `None`
    /// if it is being sent already.
    pub async fn send(
        self,
        queued: &Queued,
        photos: Option<Vec<Blob>>,
        csrf_token: Option<String>,
        progress: impl Fn(f64, f64) + 'static,
    ) -> Option<PostOutcome> {
        let fresh = IN_FLIGHT.with(|keys| keys.borrow_mut().insert(queued.key.clone()));
        if !fresh {
            return None;
        }
        let outcome = self.attempt(queued, photos, csrf_token, progress).await;
        IN_FLIGHT.with(|keys| keys.borrow_mut().remove(&queued.key));
        Some(outcome)
    }

    async fn attempt(
        self,
        queued: &Queued,
        photos: Option<Vec<Blob>>,
        csrf_token: Option<String>,
        progress: impl Fn(f64, f64) + 'static,
    ) -> PostOutcome {
        let photos = match photos {
            Some(photos) => photos,
            None => storage::get(&format!("{QUEUE_PREFIX}{}", queued.key))
                .await
                .ok()
                .flatten()
                .map(|record| record.photos)
                .unwrap_or_default(),
        };
        let mut pairs = queued.pairs.clone();
        if let Some(key) = self.api_key.try_get_value().flatten() {
            pairs.push(("api_key".into(), key));
        }
        let outgoing = Outgoing {
            pairs: &pairs,
            photos: &photos,
            idempotency_key: &queued.key,
            csrf_token: csrf_token.as_deref(),
        };
        let base = self.base.try_get_value().unwrap_or_default();
        let outcome = post_report(&base, &outgoing, progress).await;
        if let PostOutcome::Created(created) = &outcome {
            if let Some(id) = &created.service_request_id {
                remember_sent(Sent {
                    id: id.clone(),
                    service_name: queued.service_name.clone(),
                    sent_at: js_sys::Date::now(),
                });
            }
            self.forget(&queued.key).await;
            self.retry_pause
                .try_update_value(|pause| *pause = RETRY_FIRST);
        }
        outcome
    }

    /// Sends every report still waiting, one after the other; plans the next attempt if some
    /// are still waiting afterwards.
    pub async fn flush(self, csrf_token: Option<String>) {
        // The view that made this outbox is gone: the app's own outbox (or the next page's)
        // sends what waits.
        if self.waiting.is_disposed() {
            return;
        }
        let waiting: Vec<Queued> = self
            .waiting
            .try_get_untracked()
            .unwrap_or_default()
            .into_iter()
            .filter(|q| q.refused.is_none())
            .collect();
        for queued in waiting {
            let Some(outcome) = self
                .send(&queued, None, csrf_token.clone(), |_, _| {})
                .await
            else {
                continue;
            };
            match outcome {
                PostOutcome::Created(created) => {
                    self.delivered.try_set(Some(Sent {
                        id: created.service_request_id.unwrap_or_default(),
                        service_name: queued.service_name.clone(),
                        sent_at: js_sys::Date::now(),
                    }));
                }
                PostOutcome::Retry(_) => {}
                PostOutcome::Invalid(_) | PostOutcome::Refused(_) => {
                    let reason = match &outcome {
                        PostOutcome::Refused(error) => error.message_key(),
                        _ => "report-queued-invalid",
                    };
                    let mut refused = queued.clone();
                    refused.refused = Some(reason.to_string());
                    let _ = self.keep(&refused, &[]).await;
                }
            }
        }
        self.plan_retry(csrf_token);
    }

    /// With reports still waiting, tries again after a pause that doubles each time.
    pub fn plan_retry(self, csrf_token: Option<String>) {
        if self.waiting.is_disposed() {
            return;
        }
        let still_waiting = self
            .waiting
            .with_untracked(|w| w.iter().any(|q| q.refused.is_none()));
        if !still_waiting || self.retry_planned.get_value() {
            return;
        }
        let pause = self.retry_pause.get_value();
        self.retry_pause.set_value((pause * 2).min(RETRY_LAST));
        self.retry_planned.set_value(true);
        set_timeout(
            move || {
                if self.waiting.is_disposed() {
                    return;
                }
                self.retry_planned.set_value(false);
                leptos::task::spawn_local(async move { self.flush(csrf_token).await });
            },
            pause,
        );
    }

    /// Tries every waiting report again now (the resident's "Send now").
    pub fn send_now(self, csrf_token: Option<String>) {
        self.retry_pause.set_value(RETRY_FIRST);
        leptos::task::spawn_local(async move { self.flush(csrf_token).await });
    }
}

/// Whether reports wait to be sent, without opening IndexedDB.
pub fn has_waiting() -> bool {
    browser::local_storage_get(WAITING_COUNT_KEY)
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n > 0)
}

/// The reports sent from this device, latest first.
pub fn sent_reports() -> Vec<Sent> {
    browser::local_storage_get(SENT_KEY)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn remember_sent(sent: Sent) {
    let mut all = sent_reports();
    all.retain(|s| s.id != sent.id);
    all.insert(0, sent);
    all.truncate(100);
    if let Ok(text) = serde_json::to_string(&all) {
        browser::local_storage_set(SENT_KEY, &text);
    }
}

/// A new random id (an `Idempotency-Key`, this device's follower id).
pub fn random_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            format!(
                "{:x}-{:x}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * 1e16) as u64
            )
        })
}

/// This device's follower id, created on first use.
pub fn device_id() -> String {
    if let Some(id) = browser::local_storage_get(DEVICE_KEY) {
        return id;
    }
    let id = random_id();
    browser::local_storage_set(DEVICE_KEY, &id);
    id
}
