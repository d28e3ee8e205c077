//! `--simulate` (demo mode only): the demo town's IoT agents, played by a task of the platform
//! so that the maps move as a real town's would. Lamps fail and are repaired, bins fill by day
//! and are emptied on their district's round, car parks, parking spaces, charging points and
//! bike stations follow the commutes, air quality follows the traffic ([`model`]).
//!
//! It goes through the front door only: the public NGSI-LD API on the platform's own listening
//! address, with each silo's demo token ([`DEMO_WRITERS`]), exactly as an external agent would,
//! so every write is authenticated, scoped, rate-limited, stored and streamed ([`crate::live`])
//! like theirs. At start it reads what it simulates (`GET entities`, paged, keyValues), then
//! each tick sends one batch (`entityOperations/update`) per silo that has something to say.
//!
//! Time is the wall clock, made local with a fixed +1 h ([`model::PARIS_OFFSET_SECS`]);
//! randomness comes from a seed. A failed request is logged and sent again on the next tick;
//! nothing here stops the server.

mod fleet;
mod http;
pub mod model;

use std::{collections::BTreeMap, net::SocketAddr, time::Duration};

use anyhow::Context;
use hyper::StatusCode;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use tokio::{task::JoinHandle, time::MissedTickBehavior};

use crate::{rate::Rate, routes::ngsi_ld::write::MAX_BATCH, writers::DEMO_WRITERS};
use fleet::{Change, Fleet, READS};
use http::Api;

/// `--simulate-interval` unless told otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);
/// `--simulate-seed` unless told otherwise: the same town's life on every run.
pub const DEFAULT_SEED: u64 = 0x5155_4152_5449_4552;
/// The context the fragments are written in: it gives every attribute the demo's short name.
const CONTEXT: &str = "https://smartdatamodels.org/context.jsonld";
/// How often the log gets a summary at info (each tick is at debug).
const SUMMARY_EVERY: Duration = Duration::from_secs(60);
/// Each agent sends at most a quarter of its allowed rate: the platform's limit is for
/// misbehaving agents, and the simulator must never be one.
const RATE_SHARE: u32 = 4;

/// How the simulator runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The platform's listening address (an unspecified one is reached on loopback).
    pub address: SocketAddr,
    /// Time between ticks.
    pub interval: Duration,
    pub seed: u64,
    /// Page size of the first reads: the platform's `--ngsi-ld-max-limit`, at most 1000.
    pub page_limit: usize,
    /// Each agent's allowed rate (`--writer-rate`): the ticks are spaced to stay well under it.
    pub writer_rate: Rate,
}

impl Config {
    /// The defaults for a platform listening on `address` with `settings`.
    pub fn new(address: SocketAddr, settings: &crate::Settings) -> Self {
        Self {
            address,
            interval: DEFAULT_INTERVAL,
            seed: DEFAULT_SEED,
            page_limit: settings.ngsi_ld_max_limit.clamp(1, 1000),
            writer_rate: settings.writer_rate,
        }
    }
}

/// `--simulate` plays the demo's agents with the demo's tokens: refused without `--demo`.
pub fn check_simulate(simulate: bool, demo: bool) -> anyhow::Result<()> {
    if simulate && !demo {
        anyhow::bail!("--simulate needs --demo: it plays the demo town's IoT agents");
    }
    Ok(())
}

/// Starts the simulator; call it once the listener is bound. Abort the handle to stop it.
pub fn spawn(config: Config) -> JoinHandle<()> {
    tokio::spawn(run(config))
}

/// The time between two requests of one agent that keeps it under a quarter of `rate`.
fn gap(rate: Rate) -> Duration {
    rate.per.duration() * RATE_SHARE / rate.requests.get()
}

/// The interval, raised if needed so that an agent (one batch a tick) stays under a quarter
/// of `rate`'s average.
fn paced(interval: Duration, rate: Rate) -> Duration {
    interval.max(gap(rate)).max(Duration::from_millis(10))
}

/// The demo token of the agent that writes `entity_type`.
fn token_of(entity_type: &str) -> Option<&'static str> {
    DEMO_WRITERS
        .iter()
        .find(|(_, _, types)| types.contains(&entity_type))
        .map(|(_, token, _)| *token)
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// What the agents have still to send, by token: a failed batch waits here for the next tick.
#[derive(Debug, Default)]
struct Outbox {
    pending: BTreeMap<&'static str, Vec<Value>>,
}

impl Outbox {
    fn add(&mut self, changes: Vec<Change>) {
        for Change {
            entity_type,
            mut fragment,
        } in changes
        {
            let Some(token) = token_of(entity_type) else {
                continue;
            };
            fragment["@context"] = Value::from(CONTEXT);
            let queue = self.pending.entry(token).or_default();
            queue.push(fragment);
            // A platform down for long: the newest reports matter, the oldest are stale.
            if queue.len() > MAX_BATCH {
                queue.drain(..queue.len() - MAX_BATCH);
            }
        }
    }
}

/// The counts of a summary.
#[derive(Debug, Default)]
struct Totals {
    requests: usize,
    failed: usize,
    events: fleet::Events,
}

async fn run(config: Config) {
    let api = Api::new(config.address);
    let interval = paced(config.interval, config.writer_rate);
    if interval > config.interval {
        tracing::warn!(
            asked_ms = config.interval.as_millis() as u64,
            interval_ms = interval.as_millis() as u64,
            "simulator: interval raised to stay well under --writer-rate"
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut reading = Reading::default();
    let mut fleet: Option<Fleet> = None;
    let mut outbox = Outbox::default();
    let mut totals = Totals::default();
    let mut summary = tokio::time::Instant::now();
    loop {
        ticker.tick().await;
        let Some(town) = fleet.as_mut() else {
            match reading
                .resume(&api, config.page_limit, gap(config.writer_rate))
                .await
            {
                Ok(()) => {
                    let entities = std::mem::take(&mut reading.entities);
                    let town = Fleet::new(&entities, unix_now(), &mut rng);
                    if town.is_empty() {
                        tracing::warn!("simulator: the town has no device to play");
                    }
                    tracing::info!(
                        devices = town.len(),
                        interval_ms = interval.as_millis() as u64,
                        seed = config.seed,
                        "simulator: playing the demo town's IoT agents through the NGSI-LD API"
                    );
                    fleet = Some(town);
                }
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "simulator: cannot read the town yet; trying again"
                    );
                }
            }
            continue;
        };
        outbox.add(town.tick(unix_now(), &mut rng));
        let (requests, failed) = flush(&api, &mut outbox).await;
        let events = town.take_events();
        tracing::debug!(changes = events.changes, requests, failed, "simulator tick");
        totals.requests += requests;
        totals.failed += failed;
        totals.events.changes += events.changes;
        totals.events.lamps_failed += events.lamps_failed;
        totals.events.lamps_repaired += events.lamps_repaired;
        totals.events.bins_emptied += events.bins_emptied;
        if summary.elapsed() >= SUMMARY_EVERY {
            let Totals {
                requests,
                failed,
                events,
            } = std::mem::take(&mut totals);
            tracing::info!(
                changes = events.changes,
                lamps_failed = events.lamps_failed,
                lamps_repaired = events.lamps_repaired,
                bins_emptied = events.bins_emptied,
                requests,
                failed,
                "simulator: the last minute"
            );
            summary = tokio::time::Instant::now();
        }
    }
}

/// The first read of every simulated entity, simplified, page by page with its silo's token
/// (so the reads count against that agent's rate, never against the anonymous rate the
/// loopback's browsers share). Resumable: a failed page is asked again on the next tick, not
/// the whole town.
#[derive(Debug, Default)]
struct Reading {
    /// Index in [`READS`] of the type being read.
    kind: usize,
    offset: usize,
    entities: Vec<Value>,
}

impl Reading {
    /// Reads on from where it stopped, `gap` between requests; `Ok` once every type is read.
    async fn resume(&mut self, api: &Api, page_limit: usize, gap: Duration) -> anyhow::Result<()> {
        while let Some((entity_type, attrs)) = READS.get(self.kind) {
            let token = token_of(entity_type).context("no demo agent writes this type")?;
            let path = format!(
                "/ngsi-ld/v1/entities?type={entity_type}&attrs={attrs}&options=keyValues\
                 &limit={page_limit}&offset={}",
                self.offset
            );
            let Value::Array(page) = api.get_json(&path, token).await? else {
                anyhow::bail!("GET {path}: not an array");
            };
            if page.len() == page_limit {
                self.offset += page.len();
            } else {
                self.kind += 1;
                self.offset = 0;
            }
            self.entities.extend(page);
            tokio::time::sleep(gap).await;
        }
        Ok(())
    }
}

/// Sends each agent's batch; what failed stays for the next tick. Returns the requests made
/// and how many failed.
async fn flush(api: &Api, outbox: &mut Outbox) -> (usize, usize) {
    let (mut requests, mut failed) = (0, 0);
    for (token, queue) in &mut outbox.pending {
        if queue.is_empty() {
            continue;
        }
        requests += 1;
        let batch = Value::Array(std::mem::take(queue));
        match api
            .post_json_ld("/ngsi-ld/v1/entityOperations/update", token, &batch)
            .await
        {
            Ok(reply) if reply.status.is_success() && reply.status != StatusCode::MULTI_STATUS => {}
            Ok(reply) if reply.status == StatusCode::MULTI_STATUS => {
                // Some entities refused (deleted since the start, say): sending them again
                // would fail again.
                tracing::warn!(
                    body = http::excerpt(&reply.body),
                    "simulator: some changes were refused"
                );
            }
            outcome => {
                failed += 1;
                let error = match outcome {
                    Ok(reply) => format!("{} {}", reply.status, http::excerpt(&reply.body)),
                    Err(error) => format!("{error:#}"),
                };
                tracing::warn!(
                    error,
                    "simulator: a batch failed; sending it again next tick"
                );
                if let Value::Array(mut items) = batch {
                    // Newer changes of the same entities came in meanwhile: they go last.
                    items.append(queue);
                    *queue = items;
                }
            }
        }
    }
    (requests, failed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rate::{Per, nonzero};

    #[test]
    fn simulate_needs_the_demo() {
        assert!(check_simulate(false, false).is_ok());
        assert!(check_simulate(true, true).is_ok());
        let refused = check_simulate(true, false).unwrap_err().to_string();
        assert!(refused.contains("--demo"), "{refused}");
    }

    #[test]
    fn ticks_stay_well_under_the_writer_rate() {
        let fast = Rate::new(nonzero(1000), Per::Second);
        assert_eq!(paced(DEFAULT_INTERVAL, fast), DEFAULT_INTERVAL);
        let slow = Rate::new(nonzero(60), Per::Minute);
        assert_eq!(paced(DEFAULT_INTERVAL, slow), Duration::from_secs(4));
    }

    #[test]
    fn every_simulated_type_has_its_silos_token() {
        for (entity_type, _) in READS {
            assert!(token_of(entity_type).is_some(), "{entity_type}");
        }
        assert_eq!(
            token_of("Streetlight"),
            Some("quartier-demo-writer-lighting")
        );
        assert_eq!(token_of("OffStreetParking"), token_of("ParkingSpot"));
    }

    #[test]
    fn the_outbox_groups_by_silo_and_keeps_the_newest() {
        let mut outbox = Outbox::default();
        let change = |entity_type: &'static str, n: usize| Change {
            entity_type,
            fragment: json!({"id": format!("urn:ngsi-ld:{entity_type}:{n}"), "type": entity_type}),
        };
        outbox.add(vec![change("Streetlight", 1), change("WasteContainer", 2)]);
        outbox.add(
            (0..MAX_BATCH + 5)
                .map(|n| change("Streetlight", n))
                .collect(),
        );
        let lighting = &outbox.pending["quartier-demo-writer-lighting"];
        assert_eq!(lighting.len(), MAX_BATCH);
        assert_eq!(
            lighting[MAX_BATCH - 1]["id"],
            format!("urn:ngsi-ld:Streetlight:{}", MAX_BATCH + 4)
        );
        assert_eq!(lighting[0]["@context"], CONTEXT);
        assert_eq!(outbox.pending["quartier-demo-writer-waste"].len(), 1);
    }

    /// A server that answers 503 to the first batch and 204 to the next ones, and records
    /// each batch's token and size.
    async fn flaky_server() -> (
        SocketAddr,
        std::sync::Arc<std::sync::Mutex<Vec<(String, usize)>>>,
    ) {
        use axum::{Json, http::HeaderMap, routing::post};
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = std::sync::Arc::clone(&seen);
        let app = axum::Router::new().route(
            "/ngsi-ld/v1/entityOperations/update",
            post(move |headers: HeaderMap, Json(batch): Json<Vec<Value>>| {
                let record = std::sync::Arc::clone(&record);
                async move {
                    let token = headers["authorization"].to_str().unwrap().to_owned();
                    let mut seen = record.lock().unwrap();
                    seen.push((token, batch.len()));
                    if seen.len() == 1 {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::NO_CONTENT
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (address, seen)
    }

    fn bin(n: usize) -> Change {
        Change {
            entity_type: "WasteContainer",
            fragment: json!({"id": format!("urn:ngsi-ld:WasteContainer:{n}"),
                             "type": "WasteContainer"}),
        }
    }

    #[tokio::test]
    async fn a_failed_batch_is_sent_again_on_the_next_tick() {
        let (address, seen) = flaky_server().await;
        let api = Api::new(address);
        let mut outbox = Outbox::default();
        outbox.add(vec![bin(1)]);
        assert_eq!(flush(&api, &mut outbox).await, (1, 1));
        assert_eq!(outbox.pending["quartier-demo-writer-waste"].len(), 1);
        outbox.add(vec![bin(2)]);
        assert_eq!(flush(&api, &mut outbox).await, (1, 0));
        assert!(outbox.pending["quartier-demo-writer-waste"].is_empty());
        let token = "Bearer quartier-demo-writer-waste".to_owned();
        assert_eq!(*seen.lock().unwrap(), [(token.clone(), 1), (token, 2)]);
    }

    #[tokio::test]
    async fn a_platform_that_does_not_answer_is_an_error_not_a_panic() {
        // A port just freed: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let api = Api::new(address);
        let mut outbox = Outbox::default();
        outbox.add(vec![bin(1)]);
        assert_eq!(flush(&api, &mut outbox).await, (1, 1));
        assert_eq!(outbox.pending["quartier-demo-writer-waste"].len(), 1);
        let mut reading = Reading::default();
        let read = reading.resume(&api, 10, Duration::ZERO).await;
        assert!(read.is_err());
        assert_eq!((reading.kind, reading.offset), (0, 0));
    }
}
