//! NGSI-LD subscriptions (CIM 009 5.8) and their HTTP notifications (5.3.1).
//!
//! Subscriptions are stored in SQLite ([`store`]) and kept in memory, compiled ([`matching`]),
//! in a [`Subscriptions`] registry that the route handlers (`routes/ngsi_ld/subscriptions.rs`)
//! change after each committed change to the table. The [`notifier`] is one task that follows
//! the live hub ([`crate::live::Live::changes`]) and hands each matching change to the
//! subscription's own sender: a bounded queue and a task that POSTs, so a slow endpoint delays
//! no write and no other subscription.

pub mod matching;
pub mod notifier;
pub mod store;

use std::{
    collections::HashMap,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

use quartier_api::ngsi_ld::subscription::{NotificationStatus, Subscription};

use crate::{auth::AuthState, db::Db};
use matching::Matcher;
use notifier::Sender;
use quartier_api::ngsi_ld::write::RequestContext;

/// The context notifications are written under: the Smart Data Models' (the town's data) and
/// the core one, as the platform's answers carried before a client named its own.
pub fn notification_context() -> RequestContext {
    let context = serde_json::json!([
        "https://smartdatamodels.org/context.jsonld",
        quartier_api::ngsi_ld::CORE_CONTEXT
    ]);
    // Both are built in: this cannot fail, and the core context alone would do if it did.
    RequestContext::from_value(&context).unwrap_or_default()
}

/// [`crate::Settings::notification_timeout`] unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// [`crate::Settings::notification_retry_delays`] unless told otherwise: 3 retries.
pub const DEFAULT_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];
/// [`crate::Settings::notification_queue`] unless told otherwise: changes waiting per
/// subscription before the oldest is dropped.
pub const DEFAULT_QUEUE: usize = 1_000;

/// How notifications are sent (from [`crate::Settings`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SendPolicy {
    /// Each attempt's limit, connection and answer included.
    pub timeout: Duration,
    /// The waits before each retry (after a connection error, a timeout or a 5xx).
    pub retry_delays: Vec<Duration>,
    /// Changes waiting per subscription.
    pub queue: usize,
}

/// How the sending went: the read-only members of `notification`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub times_sent: u64,
    pub last_notification: Option<String>,
    pub last_success: Option<String>,
    pub last_failure: Option<String>,
    pub status: Option<NotificationStatus>,
}

/// A stored subscription: as its writer gave it (validated, read-only members empty), with
/// its owner and how the sending went.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    /// The writer's account name; `""` with `--open-writes`.
    pub owner: String,
    pub subscription: Subscription,
    pub stats: Stats,
}

impl Record {
    /// The subscription as `GET` shows it: `status` from `isActive` and `expiresAt` at
    /// `now_ms`, and the sending's members.
    pub fn view(&self, now_ms: i64) -> Subscription {
        let mut shown = self.subscription.clone();
        shown.id = Some(self.id.clone());
        shown.status = Some(matching::status_of(&self.subscription, now_ms));
        let n = &mut shown.notification;
        n.times_sent = Some(self.stats.times_sent);
        n.last_notification
            .clone_from(&self.stats.last_notification);
        n.last_success.clone_from(&self.stats.last_success);
        n.last_failure.clone_from(&self.stats.last_failure);
        n.status = self.stats.status;
        shown
    }
}

/// One subscription in memory: what it matches, and its sender.
#[derive(Debug)]
pub struct Entry {
    pub id: String,
    pub matcher: Matcher,
    pub sender: Sender,
}

/// The subscriptions in memory, cloned into the state. Changed only after the table was.
#[derive(Debug, Clone)]
pub struct Subscriptions {
    entries: Arc<RwLock<HashMap<String, Arc<Entry>>>>,
    shared: Arc<notifier::Shared>,
}

impl Subscriptions {
    /// Every stored subscription compiled (one that no longer compiles is logged and left out).
    pub fn load(
        db: &Db,
        policy: SendPolicy,
        auth: Arc<AuthState>,
    ) -> anyhow::Result<Subscriptions> {
        let records = db.call_blocking(|conn| store::all(conn))?;
        let subscriptions = Subscriptions {
            entries: Arc::default(),
            shared: Arc::new(notifier::Shared::new(db.clone(), policy, auth)),
        };
        for record in records {
            match Matcher::compile(&record.subscription) {
                Ok(matcher) => subscriptions.put(&record.id, matcher),
                Err(problem) => {
                    tracing::warn!(id = record.id, ?problem, "stored subscription left out");
                }
            }
        }
        Ok(subscriptions)
    }

    /// Starts the notifier on the current tokio runtime (none in a blocking context: then
    /// nothing is sent, which only a test without a runtime meets).
    pub fn start(&self, live: &crate::live::Live) {
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(notifier::run(self.clone(), live.changes()));
            }
            Err(_) => tracing::warn!("no tokio runtime: NGSI-LD notifications are not sent"),
        }
    }

    /// Adds or replaces `id`. A replaced sender stops after its current attempt and hands the
    /// changes still waiting to the new one, those the new definition still wants.
    pub fn put(&self, id: &str, matcher: Matcher) {
        let sender = Sender::new(Arc::clone(&self.shared));
        let entry = Arc::new(Entry {
            id: id.to_owned(),
            matcher,
            sender,
        });
        let old = self
            .entries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), Arc::clone(&entry));
        if let Some(old) = old {
            let live = entry.matcher.is_live(self.now_ms());
            let wanted = entry
                .sender
                .take_over(&old.sender, |change| live && entry.matcher.wants(change));
            if wanted {
                notifier::ensure_running(&entry);
            }
        }
    }

    pub fn remove(&self, id: &str) {
        let removed = self
            .entries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        if let Some(entry) = removed {
            entry.sender.close();
        }
    }

    /// The entries now, for one change's matching (the lock is not held while matching).
    fn snapshot(&self) -> Vec<Arc<Entry>> {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    fn now_ms(&self) -> i64 {
        self.shared.now().saturating_mul(1000)
    }
}
