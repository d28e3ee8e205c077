//! The platform's changes as they happen: every NGSI-LD write publishes the entities it changed
//! here once its transaction has committed, and `GET /api/v1/live` streams them to the open maps
//! as server-sent events (names and types: `quartier_api::ngsi_ld::live`).
//!
//! A write never waits for a reader: changes go into a broadcast channel (a reader too slow to
//! keep up is told to reload, never waited for) and a bounded list of recent changes from which
//! a reconnecting reader catches up.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use quartier_api::ngsi_ld::live::{
    ENTITIES_EVENT, EventId, LIVE_SUBSCRIPTION, RESET_EVENT, Reset, SINCE_PARAM, TYPE_PARAM,
};
use quartier_api::resident::codes;
use serde_json::{Map, Value, json};
use tokio::sync::broadcast;

use crate::client::ClientKey;
use crate::error::AppError;
use crate::state::AppState;

/// Changes kept for readers that reconnect (a few minutes of a busy town).
const RECENT: usize = 10_000;
/// Changes a reader may fall behind before it is told to reload.
const CHANNEL: usize = 4_096;
/// Most changes in one event (what a reader missed, or what came at once).
const EVENT_CHANGES: usize = 100;
/// A comment this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Streams open at once, in all and per client, unless configured.
pub const DEFAULT_MAX_STREAMS: usize = 1_000;
/// Per client: a town hall's kiosks, or a mobile network's residents, may share one address.
pub const DEFAULT_MAX_STREAMS_PER_CLIENT: usize = 64;

/// What a write committed: `(id, type, attributes as stored)`, none for a deleted entity.
pub type Committed = Vec<(String, String, Option<Map<String, Value>>)>;

/// One committed change: the entity as stored now, or `{id, type, deletedAt}`.
#[derive(Debug)]
pub struct Change {
    pub id: EventId,
    pub entity_type: String,
    pub entity: Value,
    /// The entity as JSON, written once when it is committed, never once per open stream
    /// (200 maps open cost one serialisation, not 200).
    pub entity_json: String,
    /// When it was committed (RFC 3339): the notification's `notifiedAt`.
    pub at: String,
}

struct Recent {
    next: u64,
    changes: VecDeque<Arc<Change>>,
}

/// Cloned into every handler through [`AppState`].
#[derive(Debug, Clone)]
pub struct Live {
    inner: Arc<Inner>,
}

struct Inner {
    /// Names this run of the platform: ids of another run are not comparable.
    epoch: u64,
    recent: Mutex<Recent>,
    sender: broadcast::Sender<Arc<Change>>,
    max_streams: usize,
    max_per_client: usize,
    open: Mutex<HashMap<ClientKey, usize>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("epoch", &self.epoch).finish()
    }
}

/// A place among the open streams, given back when the stream ends.
struct Place {
    inner: Arc<Inner>,
    client: ClientKey,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self
            .inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// What a reader gets first: the changes it missed, or a reset.
enum CatchUp {
    Missed(Vec<Arc<Change>>),
    Reset,
}

impl Live {
    pub fn new(epoch: u64, max_streams: usize, max_per_client: usize) -> Live {
        let (sender, _) = broadcast::channel(CHANNEL);
        Live {
            inner: Arc::new(Inner {
                epoch,
                recent: Mutex::new(Recent {
                    next: 1,
                    changes: VecDeque::with_capacity(RECENT),
                }),
                sender,
                max_streams,
                max_per_client,
                open: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Publishes committed changes: `(id, type, attributes as stored)`, none when deleted.
    pub fn publish(&self, changes: Committed, at: &str) {
        let mut recent = self
            .inner
            .recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (id, entity_type, stored) in changes {
            let entity = match stored {
                Some(mut data) => {
                    data.remove("@context");
                    Value::Object(data)
                }
                None => json!({"id": id, "type": entity_type, "deletedAt": at}),
            };
            let id = EventId {
                epoch: self.inner.epoch,
                sequence: recent.next,
            };
            // A `Value` always serialises.
            let entity_json = serde_json::to_string(&entity).unwrap_or_default();
            let change = Arc::new(Change {
                id,
                entity_type,
                entity,
                entity_json,
                at: at.to_owned(),
            });
            recent.next += 1;
            if recent.changes.len() == RECENT {
                recent.changes.pop_front();
            }
            recent.changes.push_back(Arc::clone(&change));
            // No reader is not an error: nobody has the map open.
            let _ = self.inner.sender.send(change);
        }
    }

    /// Every change committed from now on (the notifier's feed; a receiver too slow to keep up
    /// is told how many it missed).
    pub fn changes(&self) -> broadcast::Receiver<Arc<Change>> {
        self.inner.sender.subscribe()
    }

    /// A receiver of what follows, and what came after `since` (under one lock: no gap).
    fn follow(&self, since: Option<EventId>) -> (CatchUp, broadcast::Receiver<Arc<Change>>) {
        let recent = self
            .inner
            .recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let receiver = self.inner.sender.subscribe();
        let catch_up = match since {
            None => CatchUp::Missed(Vec::new()),
            Some(id) if id.epoch != self.inner.epoch || id.sequence >= recent.next => {
                CatchUp::Reset
            }
            Some(id) => {
                let oldest = recent
                    .changes
                    .front()
                    .map_or(recent.next, |c| c.id.sequence);
                if id.sequence + 1 < oldest {
                    CatchUp::Reset
                } else {
                    CatchUp::Missed(
                        recent
                            .changes
                            .iter()
                            .filter(|c| c.id.sequence > id.sequence)
                            .cloned()
                            .collect(),
                    )
                }
            }
        };
        (catch_up, receiver)
    }

    /// A place for one more stream of `client`, counted before anything else is done.
    fn place(&self, client: ClientKey) -> Option<Place> {
        let mut open = self
            .inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let total: usize = open.values().sum();
        let mine = open.get(&client).copied().unwrap_or(0);
        if total >= self.inner.max_streams || mine >= self.inner.max_per_client {
            return None;
        }
        open.insert(client, mine + 1);
        Some(Place {
            inner: Arc::clone(&self.inner),
            client,
        })
    }
}

/// The entity types asked for: `type=A,B`, at least one.
fn wanted_types(query: &HashMap<String, String>) -> Result<Vec<String>, AppError> {
    let types: Vec<String> = query
        .get(TYPE_PARAM)
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if types.is_empty() {
        return Err(AppError::bad_request(
            codes::INVALID_FILTER,
            "type: name at least one entity type (type=Streetlight,WasteContainer)",
        ));
    }
    Ok(types)
}

/// One event for changes that came together (a batch write, or what a reader missed): a
/// Notification whose `data` holds them in order, its id the last one's, so a reader that
/// reconnects asks for what followed. Written from each change's JSON, not serialised again.
fn event_of(changes: &[Arc<Change>]) -> Option<Event> {
    let last = changes.last()?;
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let mut data = String::with_capacity(
        160 + changes
            .iter()
            .map(|c| c.entity_json.len() + 1)
            .sum::<usize>(),
    );
    data.push_str(&format!(
        "{{\"id\":{},\"type\":\"Notification\",\"subscriptionId\":{},\"notifiedAt\":{},\"data\":[",
        quoted(&format!("urn:ngsi-ld:Notification:{}", last.id)),
        quoted(LIVE_SUBSCRIPTION),
        quoted(&last.at),
    ));
    for (i, change) in changes.iter().enumerate() {
        if i > 0 {
            data.push(',');
        }
        data.push_str(&change.entity_json);
    }
    data.push_str("]}");
    Some(
        Event::default()
            .event(ENTITIES_EVENT)
            .id(last.id.to_string())
            .data(data),
    )
}

fn reset_of(types: &[String]) -> Event {
    Event::default()
        .event(RESET_EVENT)
        .json_data(Reset {
            types: types.to_vec(),
        })
        .unwrap_or_else(|_| Event::default().comment("reset"))
}

/// `GET /api/v1/live?type=A,B[&since=ID]`: the changes of those types as they are committed.
pub async fn stream(
    State(state): State<AppState>,
    client: ClientKey,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    // Counted first: a client opening streams in a loop costs nothing more.
    let place = state
        .live
        .place(client)
        .ok_or(AppError::Overloaded { retry_after: 5 })?;
    let types = wanted_types(&query)?;
    let since = query
        .get(SINCE_PARAM)
        .map(String::as_str)
        .or_else(|| headers.get("last-event-id").and_then(|v| v.to_str().ok()))
        .map(|text| {
            EventId::parse(text).unwrap_or(EventId {
                epoch: 0,
                sequence: 0,
            })
        });
    let (catch_up, receiver) = state.live.follow(since);
    let first: Vec<Event> = match catch_up {
        CatchUp::Reset => vec![reset_of(&types)],
        CatchUp::Missed(missed) => {
            let missed: Vec<Arc<Change>> = missed
                .into_iter()
                .filter(|c| types.contains(&c.entity_type))
                .collect();
            missed.chunks(EVENT_CHANGES).filter_map(event_of).collect()
        }
    };
    let follow = stream::unfold(
        (receiver, types, place),
        move |(mut receiver, types, place)| async move {
            loop {
                let first = match receiver.recv().await {
                    Ok(change) => change,
                    // Fell behind: what it missed is gone from the channel.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((reset_of(&types), (receiver, types, place)));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                // What is already there goes in the same event: a batch write of 10 entities is
                // one event per stream, not 10.
                let mut changes = vec![first];
                let mut lagged = false;
                while changes.len() < EVENT_CHANGES {
                    match receiver.try_recv() {
                        Ok(change) => changes.push(change),
                        Err(broadcast::error::TryRecvError::Lagged(_)) => {
                            lagged = true;
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if lagged {
                    return Some((reset_of(&types), (receiver, types, place)));
                }
                changes.retain(|c| types.contains(&c.entity_type));
                if let Some(event) = event_of(&changes) {
                    return Some((event, (receiver, types, place)));
                }
            }
        },
    );
    let events = stream::iter(first).chain(follow).map(Ok::<_, Infallible>);
    Ok(sse(events).into_response())
}

fn sse(
    events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> impl IntoResponse {
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}
