//! The live town under load (part of `cargo xtask bench`, after the load test), on loopback,
//! against a demo platform started with [`PLATFORM_ARGS`]:
//!
//! 1. **Writes beside the map's reads.** The waste silo's IoT agent (its demo token) changes
//!    WasteContainer `fillingLevel`s at a paced [`WRITES_PER_SECOND`] entity changes a second
//!    for [`PHASE`], as `POST entityOperations/update` batches of [`BATCH`] sent
//!    `WRITES_PER_SECOND / BATCH` times a second, while readers make the map's reads (layer
//!    pages of 100 in an area and whole, as GeoJSON; an area's count of one state) at a paced
//!    [`READS_PER_SECOND`] (under the anonymous rate of one address, so that what is measured
//!    is their latency, not the rate limit). The same reads alone come first, as the baseline;
//!    then single `PATCH …/attrs` as fast as [`PATCH_THREADS`] threads send them, reads beside.
//! 2. **Live streams.** [`STREAMS`] `GET /api/v1/live?type=WasteContainer` streams open at once
//!    (raw TCP readers, one thread each), then a known set of [`SMALL_SET`] writes at a tenth of
//!    the rate, then the writes of 1; each stream counts the changes it received. Every write
//!    carries its own number in the value it writes (`fillingLevel` = n / [`NUMBER_SCALE`]), so
//!    a reader knows which write a change is and how long after its send it came.
//!
//! Client and platform share the machine's cores: the figures include that contention. It
//! measures only: no figure makes it fail.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::load::{Outcome, Samples, agent, get, outcome, percentile};

/// How `bench.rs` starts the platform so that this fits: a writer rate far above the paced
/// writes (the unpaced single PATCHes would meet the default one), and room for every stream
/// from one address (the default is 64 per client).
pub const PLATFORM_ARGS: [&str; 6] = [
    "--writer-rate",
    "100000/s",
    "--writer-burst",
    "100000",
    "--max-live-streams-per-client",
    "1000",
];
/// The demo's waste silo writes the containers.
const TOKEN: &str = "quartier-demo-writer-waste";
const TYPE: &str = "WasteContainer";
const WRITES_PER_SECOND: u32 = 1_000;
const BATCH: usize = 10;
const PHASE: Duration = Duration::from_secs(10);
const BASELINE: Duration = Duration::from_secs(5);
const PATCH_PHASE: Duration = Duration::from_secs(5);
const PATCH_THREADS: usize = 8;
/// Batches in flight at once at most (a late batch goes at once: none is skipped).
const WRITER_THREADS: usize = 8;
const READS_PER_SECOND: u32 = 80;
const READER_THREADS: usize = 4;
const STREAMS: usize = 200;
/// The known set of writes sent to the streams first, at a tenth of the full rate.
const SMALL_SET: usize = 1_000;
/// `fillingLevel` = write number / this: distinct and in 0..1 for every write of a run.
const NUMBER_SCALE: f64 = 1e6;
const MAX_WRITES: usize = 900_000;
/// Containers written, from the first page of the layer.
const CONTAINERS: usize = 1_000;
/// After the last write, streams are read until none has received anything for this long.
const DRAIN_QUIET: Duration = Duration::from_secs(2);
const DRAIN_MAX: Duration = Duration::from_secs(20);

/// Every write's number, send instant and whether the platform took it.
struct Ledger {
    t0: Instant,
    /// Nanoseconds after `t0`, plus one (0: not sent).
    sent: Vec<AtomicU64>,
    accepted: Vec<AtomicBool>,
    next: AtomicUsize,
}

impl Ledger {
    fn new() -> Self {
        Self {
            t0: Instant::now(),
            sent: (0..MAX_WRITES).map(|_| AtomicU64::new(0)).collect(),
            accepted: (0..MAX_WRITES).map(|_| AtomicBool::new(false)).collect(),
            // 0 is never a write: a level of 0 is no write's.
            next: AtomicUsize::new(1),
        }
    }

    /// `count` fresh numbers, none once the ledger is full.
    fn numbers(&self, count: usize) -> Option<std::ops::Range<usize>> {
        let first = self.next.fetch_add(count, Ordering::Relaxed);
        (first + count <= MAX_WRITES).then_some(first..first + count)
    }

    fn now_ns(&self) -> u64 {
        self.t0.elapsed().as_nanos() as u64
    }

    fn mark_sent(&self, numbers: std::ops::Range<usize>) {
        let at = self.now_ns() + 1;
        for n in numbers {
            self.sent[n].store(at, Ordering::Relaxed);
        }
    }

    fn mark_accepted(&self, numbers: std::ops::Range<usize>) {
        for n in numbers {
            self.accepted[n].store(true, Ordering::Relaxed);
        }
    }

    fn sent_at(&self, n: usize) -> Option<u64> {
        let at = self.sent.get(n)?.load(Ordering::Relaxed);
        (at > 0).then(|| at - 1)
    }

    fn accepted_in(&self, numbers: std::ops::Range<usize>) -> usize {
        numbers
            .filter(|&n| self.accepted[n].load(Ordering::Relaxed))
            .count()
    }

    /// The numbers given so far are below this.
    fn end(&self) -> usize {
        self.next.load(Ordering::Relaxed).min(MAX_WRITES)
    }
}

fn level_of(n: usize) -> f64 {
    n as f64 / NUMBER_SCALE
}

fn number_of(level: f64) -> Option<usize> {
    let n = (level * NUMBER_SCALE).round();
    (n >= 1.0 && n < MAX_WRITES as f64).then_some(n as usize)
}

fn batch_body(ids: &[String], numbers: std::ops::Range<usize>) -> String {
    let entities: Vec<Value> = numbers
        .map(|n| {
            json!({
                "id": ids[n % ids.len()],
                "type": TYPE,
                "fillingLevel": {"type": "Property", "value": level_of(n)},
            })
        })
        .collect();
    Value::Array(entities).to_string()
}

/// A write with the silo's token, read to its end: its outcome (204 is the only success).
fn write(agent: &ureq::Agent, method: &str, url: &str, body: &str) -> Outcome {
    let request = match method {
        "PATCH" => agent.patch(url),
        _ => agent.post(url),
    };
    match request
        .header("Content-Type", "application/json")
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .send(body)
    {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let _ = response.body_mut().read_to_vec();
            match status {
                204 => Outcome::Ok,
                other => outcome(other.max(300)),
            }
        }
        Err(_) => Outcome::Failed,
    }
}

/// The ids of the first [`CONTAINERS`] containers.
fn container_ids(base: &str) -> Result<Vec<String>, String> {
    let url = format!(
        "{base}/ngsi-ld/v1/entities?type={TYPE}&attrs=fillingLevel&options=keyValues&limit={CONTAINERS}"
    );
    let mut response = agent()
        .get(&url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let entities: Value = serde_json::from_str(&body).map_err(|e| format!("GET {url}: {e}"))?;
    let ids: Vec<String> = entities
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("id")?.as_str().map(str::to_owned))
        .collect();
    if ids.len() < BATCH {
        return Err(format!("GET {url} gave {} containers", ids.len()));
    }
    Ok(ids)
}

/// The map's reads at zoom 16 in the town centre (a large layer is read by area), in turn.
fn map_reads(base: &str) -> Vec<(&'static str, String, &'static str)> {
    let ngsi = format!("{base}/ngsi-ld/v1/entities");
    let (w, s, e, n) = (0.6803, 47.3911, 0.6893, 47.3971);
    let polygon = format!("[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]");
    let area = format!(
        "georel=within&geometry=Polygon&coordinates={}",
        encode(&polygon)
    );
    vec![
        (
            "layer page of 100 in an area (GeoJSON)",
            format!("{ngsi}?type={TYPE}&attrs=fillingLevel,status&{area}&limit=100&offset=0"),
            "application/geo+json",
        ),
        (
            "area count of one state",
            format!(
                "{ngsi}?type={TYPE}&{area}&q={}&limit=0&count=true",
                encode("status==\"lidOpen\",\"dropped\",\"burning\"")
            ),
            "application/json",
        ),
        (
            "whole-layer page of 100 (GeoJSON)",
            format!("{ngsi}?type=EVChargingStation&attrs=status&limit=100&offset=0"),
            "application/geo+json",
        ),
    ]
}

/// Percent-encodes what a query value may not hold as it is.
fn encode(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' => c.to_string(),
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

/// Runs `job(k)` from `threads` threads, job `k` due `k / per_second` after the start, until
/// `length` has passed; a late job goes at once (none is skipped), so the rate achieved says
/// whether the platform kept up.
fn paced(threads: usize, per_second: f64, length: Duration, job: &(dyn Fn(u64) + Sync)) {
    let start = Instant::now();
    let next = AtomicU64::new(0);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let due = Duration::from_secs_f64(k as f64 / per_second);
                    if due >= length {
                        break;
                    }
                    if let Some(wait) = due.checked_sub(start.elapsed()) {
                        thread::sleep(wait);
                    }
                    job(k);
                }
            });
        }
    });
}

type Tally = Mutex<BTreeMap<&'static str, Samples>>;

fn record(tally: &Tally, kind: &'static str, started: Instant, outcome: Outcome) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
    let samples = tally.entry(kind).or_default();
    match outcome {
        Outcome::Ok => samples.ms.push(ms),
        Outcome::Refused => samples.refused += 1,
        Outcome::Failed => samples.failed += 1,
    }
}

/// Latencies and outcomes of one kind of request, summed up.
#[derive(Debug, Clone, Default)]
struct Figures {
    n: usize,
    p50: Option<f64>,
    p99: Option<f64>,
    max: Option<f64>,
    refused: u32,
    failed: u32,
}

impl Figures {
    fn of(samples: Samples) -> Self {
        let mut ms = samples.ms;
        ms.sort_by(f64::total_cmp);
        Self {
            n: ms.len(),
            p50: percentile(&ms, 50.0),
            p99: percentile(&ms, 99.0),
            max: ms.last().copied(),
            refused: samples.refused,
            failed: samples.failed,
        }
    }

    fn json(&self) -> Value {
        json!({
            "n": self.n, "p50_ms": self.p50, "p99_ms": self.p99, "max_ms": self.max,
            "refused": self.refused, "failed": self.failed,
        })
    }

    fn print(&self, label: &str) {
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
        println!(
            "    {label:<40} {:>7} {:>7} {:>7}   n {:>6}   refused {:>4}   failed {:>4}",
            show(self.p50),
            show(self.p99),
            show(self.max),
            self.n,
            self.refused,
            self.failed,
        );
    }
}

/// One agent shared by a phase's threads, with a connection kept for each of them.
fn pooled_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_idle_connections(64)
        .max_idle_connections_per_host(64)
        .build()
        .into()
}

/// How the writes of a phase are sent.
#[derive(Clone, Copy)]
enum Writes {
    None,
    /// Batches of [`BATCH`] entities, paced to this many entity changes a second.
    Batches(u32),
    /// Single PATCHes, as fast as [`PATCH_THREADS`] threads send them.
    Patches,
}

/// One phase: what its writes achieved and what the reads beside them took.
struct Phase {
    name: String,
    /// What the phase's writes were paced to (entity changes a second), if they were.
    paced_to: Option<u32>,
    /// Entity changes the platform took, per second of the phase.
    writes_per_second: Option<f64>,
    /// Write requests (batches or PATCHes) answered 204, per second.
    requests_per_second: Option<f64>,
    /// From the first write's due time to the last answer: past the phase's length when the
    /// platform fell behind (the reads stop at the length).
    write_seconds: f64,
    write_requests: Option<Figures>,
    reads: Vec<(&'static str, Figures)>,
    all_reads: Figures,
    /// The write numbers the phase gave out.
    numbers: std::ops::Range<usize>,
}

impl Phase {
    fn json(&self) -> Value {
        let reads: serde_json::Map<String, Value> = self
            .reads
            .iter()
            .map(|(kind, figures)| (kind.to_string(), figures.json()))
            .collect();
        json!({
            "phase": self.name,
            "paced_to_entity_writes_per_second": self.paced_to,
            "entity_writes_per_second": self.writes_per_second,
            "write_requests_per_second": self.requests_per_second,
            "write_seconds": self.write_seconds,
            "write_requests": self.write_requests.as_ref().map(Figures::json),
            "reads": reads,
            "all_reads": self.all_reads.json(),
        })
    }

    fn print(&self) {
        println!("  {}:", self.name);
        if let (Some(entities), Some(requests)) = (self.writes_per_second, self.requests_per_second)
        {
            let paced = self
                .paced_to
                .map_or(String::new(), |p| format!(" (paced to {p})"));
            println!(
                "    entity writes taken: {entities:.0}/s{paced}, in {requests:.0} requests/s, over {:.1} s",
                self.write_seconds
            );
        }
        if let Some(writes) = &self.write_requests {
            writes.print("write requests");
        }
        for (kind, figures) in &self.reads {
            figures.print(kind);
        }
        self.all_reads.print("all the map's reads");
    }
}

/// Runs the reads (always) and the writes of one phase for `length`.
fn phase(
    base: &str,
    ids: &[String],
    ledger: &Ledger,
    name: String,
    writes: Writes,
    length: Duration,
) -> Phase {
    let reads = map_reads(base);
    let read_tally = Tally::default();
    let all_reads = Tally::default();
    let write_tally = Tally::default();
    let accepted_requests = AtomicU64::new(0);
    let first = ledger.end();
    let (readers, writers) = (pooled_agent(), pooled_agent());
    let batch_url = format!("{base}/ngsi-ld/v1/entityOperations/update");
    let start = Instant::now();
    let mut write_time = Duration::ZERO;
    thread::scope(|scope| {
        scope.spawn(|| {
            paced(READER_THREADS, f64::from(READS_PER_SECOND), length, &|k| {
                let (kind, url, accept) = &reads[k as usize % reads.len()];
                let started = Instant::now();
                let result = get(&readers, url, Some(("Accept", accept)));
                // Every read's latency in one list too; its refusals are counted by kind.
                if matches!(result, Outcome::Ok) {
                    record(&all_reads, "all", started, Outcome::Ok);
                }
                record(&read_tally, kind, started, result);
            })
        });
        let send =
            |kind: &'static str, method: &str, url: &str, numbers: std::ops::Range<usize>| {
                let body = if method == "PATCH" {
                    json!({"fillingLevel": {"type": "Property", "value": level_of(numbers.start)}})
                        .to_string()
                } else {
                    batch_body(ids, numbers.clone())
                };
                let started = Instant::now();
                ledger.mark_sent(numbers.clone());
                let result = write(&writers, method, url, &body);
                if matches!(result, Outcome::Ok) {
                    ledger.mark_accepted(numbers);
                    accepted_requests.fetch_add(1, Ordering::Relaxed);
                }
                record(&write_tally, kind, started, result);
            };
        match writes {
            Writes::None => {}
            Writes::Batches(per_second) => {
                let batches = f64::from(per_second) / BATCH as f64;
                paced(WRITER_THREADS, batches, length, &|_| {
                    if let Some(numbers) = ledger.numbers(BATCH) {
                        send("batch", "POST", &batch_url, numbers);
                    }
                });
                write_time = start.elapsed();
            }
            Writes::Patches => {
                thread::scope(|patchers| {
                    for _ in 0..PATCH_THREADS {
                        patchers.spawn(|| {
                            while start.elapsed() < length {
                                let Some(numbers) = ledger.numbers(1) else {
                                    break;
                                };
                                let id = &ids[numbers.start % ids.len()];
                                let url =
                                    format!("{base}/ngsi-ld/v1/entities/{}/attrs", encode(id));
                                send("PATCH", "PATCH", &url, numbers);
                            }
                        });
                    }
                });
                write_time = start.elapsed();
            }
        }
    });
    let numbers = first..ledger.end();
    let into = |tally: Tally| tally.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut read_samples = into(read_tally);
    let mut write_samples = into(write_tally);
    let write_requests = write_samples
        .values_mut()
        .next()
        .map(|s| Figures::of(std::mem::take(s)));
    let seconds = write_time.as_secs_f64().max(f64::EPSILON);
    let wrote = !matches!(writes, Writes::None);
    Phase {
        name,
        paced_to: match writes {
            Writes::Batches(per_second) => Some(per_second),
            _ => None,
        },
        writes_per_second: wrote.then(|| ledger.accepted_in(numbers.clone()) as f64 / seconds),
        requests_per_second: wrote
            .then(|| accepted_requests.load(Ordering::Relaxed) as f64 / seconds),
        write_requests,
        write_seconds: write_time.as_secs_f64(),
        reads: reads
            .iter()
            .map(|(kind, _, _)| {
                (
                    *kind,
                    Figures::of(read_samples.remove(kind).unwrap_or_default()),
                )
            })
            .collect(),
        all_reads: Figures::of(into(all_reads).remove("all").unwrap_or_default()),
        numbers,
    }
}

/// The body of a `Transfer-Encoding: chunked` answer, as it comes.
struct Chunked<R> {
    inner: R,
    left: usize,
    done: bool,
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.left == 0 {
            if self.done {
                return Ok(0);
            }
            let mut line = String::new();
            if self.inner.read_line(&mut line)? == 0 {
                self.done = true;
                return Ok(0);
            }
            // The empty line is the CRLF that ends the chunk before.
            let size = line.split(';').next().unwrap_or_default().trim();
            if size.is_empty() {
                continue;
            }
            self.left = usize::from_str_radix(size, 16).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, format!("chunk size {size:?}"))
            })?;
            self.done = self.left == 0;
        }
        let wanted = buf.len().min(self.left);
        let n = self.inner.read(&mut buf[..wanted])?;
        if n == 0 {
            self.done = true;
        }
        self.left -= n;
        Ok(n)
    }
}

/// The `fillingLevel` of each entity of an `entities` event's Notification (`None` for one
/// whose value is no number), or `None` when the data is no Notification. A scan of the
/// platform's compact JSON rather than a parse: 200 readers share the cores with the platform,
/// and what they spend is taken from what is measured. An entity without a `fillingLevel` is
/// not seen (every demo container has one).
fn levels_in(data: &str) -> Option<Vec<Option<f64>>> {
    if !data.contains("\"data\":[") {
        return None;
    }
    let number = |c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E');
    Some(
        data.split("\"fillingLevel\":")
            .skip(1)
            .map(|attribute| {
                let (_, rest) = attribute.split_once("\"value\":")?;
                let end = rest.find(|c: char| !number(c)).unwrap_or(rest.len());
                rest[..end].parse().ok()
            })
            .collect(),
    )
}

/// What one stream received.
#[derive(Default)]
struct Received {
    /// Each change of this run's writes: its write number and the ms from its send.
    got: Vec<(usize, f64)>,
    /// Changes of no write of this run, and `data` that was no Notification.
    unknown: u64,
    resets: u32,
}

/// An open stream: its socket, to close it, and the thread that reads it.
struct OpenStream {
    socket: TcpStream,
    reader: thread::JoinHandle<Received>,
}

/// Opens one stream; its socket and the reader of its body once the platform answered 200.
fn open_stream(address: &str) -> Result<(TcpStream, Box<dyn BufRead + Send>), String> {
    let mut socket = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    // A safety net only: the platform sends a comment every 15 s on a quiet stream.
    let _ = socket.set_read_timeout(Some(Duration::from_secs(60)));
    write!(
        socket,
        "GET /api/v1/live?type={TYPE} HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut reader = BufReader::new(socket.try_clone().map_err(|e| e.to_string())?);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    let status = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut chunked = false;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err(format!("answered {status} and closed"));
        }
        if line.trim().is_empty() {
            break;
        }
        let header = line.to_ascii_lowercase();
        chunked |= header.starts_with("transfer-encoding:") && header.contains("chunked");
    }
    if status != "200" {
        return Err(format!("answered {status}"));
    }
    let body: Box<dyn BufRead + Send> = if chunked {
        Box::new(BufReader::new(Chunked {
            inner: reader,
            left: 0,
            done: false,
        }))
    } else {
        Box::new(reader)
    };
    Ok((socket, body))
}

/// Reads a stream's events until it closes; `activity` gets the instant of each receipt.
fn read_stream(body: Box<dyn BufRead + Send>, ledger: &Ledger, activity: &AtomicU64) -> Received {
    let mut received = Received::default();
    let mut event = String::new();
    for line in body.lines() {
        let Ok(line) = line else { break };
        if let Some(name) = line.strip_prefix("event:") {
            event = name.trim().to_owned();
        } else if let Some(data) = line.strip_prefix("data:") {
            let at = ledger.now_ns();
            activity.store(at, Ordering::Relaxed);
            if event == "reset" {
                received.resets += 1;
                continue;
            }
            let Some(levels) = levels_in(data.trim()) else {
                received.unknown += 1;
                continue;
            };
            for level in levels {
                let number = level.and_then(number_of);
                match number.and_then(|n| Some((n, ledger.sent_at(n)?))) {
                    Some((n, sent)) => received.got.push((n, at.saturating_sub(sent) as f64 / 1e6)),
                    None => received.unknown += 1,
                }
            }
        } else if line.is_empty() {
            event.clear();
        }
    }
    received
}

/// Waits until no stream has received anything for [`DRAIN_QUIET`] ([`DRAIN_MAX`] at most).
fn drain(ledger: &Ledger, activity: &AtomicU64) {
    let start = Instant::now();
    while start.elapsed() < DRAIN_MAX {
        let last = Duration::from_nanos(activity.load(Ordering::Relaxed));
        if ledger.t0.elapsed().saturating_sub(last) >= DRAIN_QUIET {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// What the streams received of one phase's writes.
struct Delivery {
    phase: String,
    streams: usize,
    /// Entity changes the platform took (answered 204).
    sent: usize,
    /// Distinct changes received per stream, fewest, median, most.
    min: usize,
    median: usize,
    max: usize,
    /// Streams that received every change sent.
    complete: usize,
    latency: Figures,
    latency_p95: Option<f64>,
}

impl Delivery {
    fn of(phase: &Phase, ledger: &Ledger, received: &[Received]) -> Self {
        let range = phase.numbers.clone();
        let sent = ledger.accepted_in(range.clone());
        let mut counts = Vec::new();
        let mut latencies = Vec::new();
        for stream in received {
            let mut numbers: Vec<usize> = Vec::new();
            for &(n, ms) in &stream.got {
                if range.contains(&n) {
                    numbers.push(n);
                    latencies.push(ms);
                }
            }
            numbers.sort_unstable();
            numbers.dedup();
            counts.push(numbers.len());
        }
        counts.sort_unstable();
        latencies.sort_by(f64::total_cmp);
        let latency_p95 = percentile(&latencies, 95.0);
        Self {
            phase: phase.name.clone(),
            streams: received.len(),
            sent,
            min: counts.first().copied().unwrap_or(0),
            median: counts.get(counts.len() / 2).copied().unwrap_or(0),
            max: counts.last().copied().unwrap_or(0),
            complete: counts.iter().filter(|&&c| c >= sent).count(),
            latency: Figures::of(Samples {
                ms: latencies,
                ..Samples::default()
            }),
            latency_p95,
        }
    }

    fn json(&self) -> Value {
        json!({
            "phase": self.phase,
            "streams_read": self.streams,
            "entity_changes_sent": self.sent,
            "delivered_per_stream": {"min": self.min, "median": self.median, "max": self.max},
            "streams_with_every_change": self.complete,
            "delivery_latency_ms": {
                "p50": self.latency.p50, "p95": self.latency_p95, "p99": self.latency.p99,
                "max": self.latency.max, "n": self.latency.n,
            },
        })
    }

    fn print(&self) {
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} ms"));
        println!(
            "  {}: {} changes sent; delivered per stream min {} / median {} / max {}; {} of {} streams got every one",
            self.phase, self.sent, self.min, self.median, self.max, self.complete, self.streams
        );
        println!(
            "    delivery latency (send to receipt) p50 {} / p95 {} / p99 {} / max {}",
            show(self.latency.p50),
            show(self.latency_p95),
            show(self.latency.p99),
            show(self.latency.max)
        );
    }
}

/// The figures `cargo xtask bench` puts in its summary.
pub struct Headline {
    pub paced_to: u32,
    pub writes_per_second: Option<f64>,
    pub write_p99: Option<f64>,
    pub read_p99: Option<f64>,
    pub read_max: Option<f64>,
    pub read_refused: u32,
    pub patches_per_second: Option<f64>,
    pub streams_wanted: usize,
    pub streams_opened: usize,
    pub sent: usize,
    pub min_delivered: usize,
    pub median_delivered: usize,
    pub delivery_p95: Option<f64>,
    /// The full rate's writes and the reads beside them, with the streams open.
    pub streamed_writes_per_second: Option<f64>,
    pub streamed_read_p99: Option<f64>,
}

/// Runs every phase against the demo platform at `base`, prints the tables and writes them to
/// `out` as JSON; `None` when the containers could not even be read.
pub fn run(base: &str, out: &std::path::Path) -> Option<Headline> {
    println!(
        "\nLive town under load (loopback; the platform and these clients share the machine's cores)"
    );
    let ids = match container_ids(base) {
        Ok(ids) => ids,
        Err(error) => {
            println!("  not measured: {error}");
            return None;
        }
    };
    println!(
        "  writes: {TYPE} fillingLevel by {TOKEN}, over {} containers; reads: the map's, paced to {READS_PER_SECOND}/s from one address",
        ids.len()
    );
    println!("  p50 / p99 / max in ms, n answered, refused (429/503), failed");
    let ledger = Arc::new(Ledger::new());
    let full = format!("batches of {BATCH} paced to {WRITES_PER_SECOND} entity writes/s");
    let mut phases = vec![
        phase(
            base,
            &ids,
            &ledger,
            "reads alone".into(),
            Writes::None,
            BASELINE,
        ),
        phase(
            base,
            &ids,
            &ledger,
            full.clone(),
            Writes::Batches(WRITES_PER_SECOND),
            PHASE,
        ),
        phase(
            base,
            &ids,
            &ledger,
            format!("single PATCHes from {PATCH_THREADS} threads, unpaced"),
            Writes::Patches,
            PATCH_PHASE,
        ),
    ];
    for p in &phases {
        p.print();
    }

    // The streams.
    let address = base.trim_start_matches("http://").to_owned();
    let activity = Arc::new(AtomicU64::new(0));
    let mut open = Vec::new();
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..STREAMS {
        match open_stream(&address) {
            Ok((socket, body)) => {
                let (ledger, activity) = (Arc::clone(&ledger), Arc::clone(&activity));
                let reader = thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn(move || read_stream(body, &ledger, &activity));
                match reader {
                    Ok(reader) => open.push(OpenStream { socket, reader }),
                    Err(error) => *refusals.entry(format!("no thread: {error}")).or_default() += 1,
                }
            }
            Err(error) => *refusals.entry(error).or_default() += 1,
        }
    }
    let opened = open.len();
    println!(
        "\n  {STREAMS} live streams GET /api/v1/live?type={TYPE} from one address: {opened} opened{}",
        refusals
            .iter()
            .map(|(why, n)| format!(", {n} {why}"))
            .collect::<String>()
    );
    thread::sleep(Duration::from_millis(500));
    let small = format!(
        "{SMALL_SET} writes in batches of {BATCH} at {} entity writes/s",
        SMALL_SET as u64 / PHASE.as_secs()
    );
    let streamed = [
        (
            small,
            Writes::Batches((SMALL_SET as u64 / PHASE.as_secs()) as u32),
        ),
        (full, Writes::Batches(WRITES_PER_SECOND)),
    ];
    let mut streamed_phases = Vec::new();
    for (name, writes) in streamed {
        let p = phase(
            base,
            &ids,
            &ledger,
            format!("{opened} streams open, {name}"),
            writes,
            PHASE,
        );
        drain(&ledger, &activity);
        streamed_phases.push(p);
    }
    for stream in &open {
        let _ = stream.socket.shutdown(Shutdown::Both);
    }
    let received: Vec<Received> = open
        .into_iter()
        .filter_map(|s| s.reader.join().ok())
        .collect();
    let deliveries: Vec<Delivery> = streamed_phases
        .iter()
        .map(|p| Delivery::of(p, &ledger, &received))
        .collect();
    let resets: u32 = received.iter().map(|r| r.resets).sum();
    let unknown: u64 = received.iter().map(|r| r.unknown).sum();
    for (p, d) in streamed_phases.iter().zip(&deliveries) {
        p.print();
        d.print();
    }
    println!("  resets received (a stream that fell behind): {resets}; unknown changes: {unknown}");

    let full_phase = &phases[1];
    let full_delivery = deliveries.last();
    let headline = Headline {
        paced_to: WRITES_PER_SECOND,
        writes_per_second: full_phase.writes_per_second,
        write_p99: full_phase.write_requests.as_ref().and_then(|f| f.p99),
        read_p99: full_phase.all_reads.p99,
        read_max: full_phase.all_reads.max,
        read_refused: full_phase.reads.iter().map(|(_, f)| f.refused).sum(),
        patches_per_second: phases[2].requests_per_second,
        streams_wanted: STREAMS,
        streams_opened: opened,
        sent: full_delivery.map_or(0, |d| d.sent),
        min_delivered: full_delivery.map_or(0, |d| d.min),
        median_delivered: full_delivery.map_or(0, |d| d.median),
        delivery_p95: full_delivery.and_then(|d| d.latency_p95),
        streamed_writes_per_second: streamed_phases.last().and_then(|p| p.writes_per_second),
        streamed_read_p99: streamed_phases.last().and_then(|p| p.all_reads.p99),
    };
    phases.extend(streamed_phases);
    let results = json!({
        "base_url": base,
        "entity_type": TYPE,
        "containers_written": ids.len(),
        "reads_per_second": READS_PER_SECOND,
        "phases": phases.iter().map(Phase::json).collect::<Vec<_>>(),
        "streams": {
            "wanted": STREAMS,
            "opened": opened,
            "not_opened": refusals,
            "resets": resets,
            "unknown_changes": unknown,
            "deliveries": deliveries.iter().map(Delivery::json).collect::<Vec<_>>(),
        },
    });
    if let Some(dir) = out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::write(out, format!("{results:#}\n")) {
        Ok(()) => println!("  results: {}", out.display()),
        Err(error) => println!("  cannot write {}: {error}", out.display()),
    }
    Some(headline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_number_survives_the_level_it_is_written_as() {
        for n in [1, 7, 999, 123_456, MAX_WRITES - 1] {
            let level = level_of(n);
            assert!((0.0..1.0).contains(&level));
            let text = json!(level).to_string();
            assert_eq!(number_of(text.parse().unwrap()), Some(n));
        }
        // The demo's own levels (hundredths) are no write of a run that wrote fewer.
        assert_eq!(number_of(0.0), None);
        assert_eq!(number_of(1.0), None);
    }

    #[test]
    fn a_chunked_body_is_read_whole() {
        let wire = b"5\r\nevent\r\n1a;ext=1\r\n: entities\ndata: {\"a\":1}\n\n\r\n0\r\n\r\n";
        let mut body = String::new();
        Chunked {
            inner: &wire[..],
            left: 0,
            done: false,
        }
        .read_to_string(&mut body)
        .unwrap();
        assert_eq!(body, "event: entities\ndata: {\"a\":1}\n\n");
    }

    #[test]
    fn a_notification_s_levels_are_read() {
        let data = r#"{"data":[{"fillingLevel":{"observedAt":"2026-12-02T10:00:00Z","type":"Property","value":4.2e-5},"id":"a","type":"WasteContainer"},{"fillingLevel":{"type":"Property","value":0.5}}],"id":"urn:ngsi-ld:Notification:1-2","type":"Notification"}"#;
        assert_eq!(levels_in(data), Some(vec![Some(0.000042), Some(0.5)]));
        let text = json!({"data": [{"fillingLevel": {"value": level_of(123)}}]}).to_string();
        assert_eq!(levels_in(&text), Some(vec![Some(level_of(123))]));
        assert_eq!(levels_in("{\"types\":[]}"), None);
    }

    #[test]
    fn a_batch_names_one_container_per_write() {
        let ids: Vec<String> = (0..20).map(|i| format!("urn:c:{i}")).collect();
        let body: Value = serde_json::from_str(&batch_body(&ids, 5..15)).unwrap();
        let body = body.as_array().unwrap();
        assert_eq!(body.len(), 10);
        assert_eq!(body[0]["id"], "urn:c:5");
        assert_eq!(body[0]["fillingLevel"]["value"], 0.000005);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("[0.5,\"a\"]"), "%5B0.5%2C%22a%22%5D");
        assert_eq!(encode("urn:ngsi-ld:X:1"), "urn%3Angsi-ld%3AX%3A1");
    }
}
