//! The platform's load test (part of `cargo xtask bench`): anonymous NGSI-LD pages, `idPattern`
//! and long `q` queries, `near` queries and tiles from a growing number of clients at once,
//! while one resident signs in and reads their session and another client posts reports, on
//! loopback and bounded in time. Reports p50 / p99 / max per kind of request, and how many
//! were refused (429 / 503) or failed, per level of load. It measures only.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Anonymous clients at once, one level after the other.
const LEVELS: [usize; 3] = [1, 4, 16];
/// How long each level lasts.
const LEVEL_TIME: Duration = Duration::from_secs(12);
/// The demo's resident and Open311 key (demo mode only).
const RESIDENT: (&str, &str) = ("camille.martin@example.org", "quartier-demo");
const DEMO_API_KEY: &str = "quartier-demo-key";

/// Latencies (ms) and refusals of one kind of request at one level.
#[derive(Default)]
pub(crate) struct Samples {
    pub(crate) ms: Vec<f64>,
    pub(crate) refused: u32,
    pub(crate) failed: u32,
}

type Results = Arc<Mutex<BTreeMap<String, Samples>>>;

/// What a request came to.
pub(crate) enum Outcome {
    Ok,
    Refused,
    Failed,
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

pub(crate) fn outcome(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Ok,
        429 | 503 => Outcome::Refused,
        _ => Outcome::Failed,
    }
}

fn record(results: &Results, kind: &str, started: Instant, outcome: Outcome) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut results = results.lock().unwrap_or_else(|e| e.into_inner());
    let samples = results.entry(kind.to_string()).or_default();
    match outcome {
        Outcome::Ok => samples.ms.push(ms),
        Outcome::Refused => samples.refused += 1,
        Outcome::Failed => samples.failed += 1,
    }
}

/// A GET, read to its end, with an optional header.
pub(crate) fn get(agent: &ureq::Agent, url: &str, header: Option<(&str, &str)>) -> Outcome {
    let mut request = agent.get(url);
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    match request.call() {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let _ = response.body_mut().read_to_vec();
            outcome(status)
        }
        Err(_) => Outcome::Failed,
    }
}

/// The heavy anonymous requests, in turn: what, where, and the `Accept` they send.
fn anonymous_requests(base: &str) -> Vec<(&'static str, String, &'static str)> {
    let ngsi = format!("{base}/ngsi-ld/v1/entities");
    let long_q: Vec<String> = (0..100)
        .map(|i| format!("status%3D%3D%22s{i}%22"))
        .collect();
    vec![
        (
            "NGSI-LD page of 1000 (GeoJSON)",
            format!("{ngsi}?type=Streetlight&limit=1000&options=keyValues"),
            "application/geo+json",
        ),
        (
            "NGSI-LD idPattern",
            format!("{ngsi}?type=Streetlight&idPattern=.*7%24&limit=100"),
            "application/json",
        ),
        (
            "NGSI-LD q of 100 terms",
            format!("{ngsi}?type=Streetlight&q={}&limit=100", long_q.join("%7C")),
            "application/json",
        ),
        (
            "NGSI-LD near 300 m",
            format!(
                "{ngsi}?type=Streetlight&georel=near%3BmaxDistance%3D%3D300&geometry=Point\
                 &coordinates=%5B0.6848%2C47.3941%5D&limit=100"
            ),
            "application/json",
        ),
        (
            "tile",
            format!("{base}/tiles/15/16446/11472.png"),
            "image/png",
        ),
    ]
}

/// A POST, read to its end: its outcome and the cookies it set (`name=value; …`).
fn post(agent: &ureq::Agent, url: &str, content_type: &str, body: &str) -> (Outcome, String) {
    match agent
        .post(url)
        .header("Content-Type", content_type)
        .send(body)
    {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let cookies = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(|v| v.split(';').next())
                .collect::<Vec<_>>()
                .join("; ");
            let _ = response.body_mut().read_to_vec();
            (outcome(status), cookies)
        }
        Err(_) => (Outcome::Failed, String::new()),
    }
}

/// The resident's session cookie after signing in (`None` when refused).
fn sign_in(agent: &ureq::Agent, base: &str) -> (Outcome, Option<String>) {
    let body = format!(
        "{{\"email\":\"{}\",\"password\":\"{}\"}}",
        RESIDENT.0, RESIDENT.1
    );
    let url = format!("{base}/api/v1/session");
    let (outcome, cookie) = post(agent, &url, "application/json", &body);
    (outcome, (!cookie.is_empty()).then_some(cookie))
}

fn post_report(agent: &ureq::Agent, base: &str, n: u32) -> Outcome {
    let body = format!(
        "api_key={DEMO_API_KEY}&service_code=lampadaire-eteint&lat=47.3941&long=0.6848\
         &description=Load+test+report+{n}"
    );
    let url = format!("{base}/open311/v2/requests.json");
    post(agent, &url, "application/x-www-form-urlencoded", &body).0
}

/// One level: `clients` anonymous clients looping, the resident and the reporter beside them.
fn level(base: &str, clients: usize) -> BTreeMap<String, Samples> {
    let results: Results = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for client in 0..clients {
        let (base, results, stop) = (base.to_string(), Arc::clone(&results), Arc::clone(&stop));
        workers.push(thread::spawn(move || {
            let agent = agent();
            let requests = anonymous_requests(&base);
            let mut turn = client;
            while !stop.load(Ordering::Relaxed) {
                let (kind, url, accept) = &requests[turn % requests.len()];
                let started = Instant::now();
                let outcome = get(&agent, url, Some(("Accept", accept)));
                record(&results, kind, started, outcome);
                turn += 1;
            }
        }));
    }
    {
        // A resident: signs in every 4 s (the sign-in limit allows 20 a minute from one
        // address) and reads their session four times a second.
        let (base, results, stop) = (base.to_string(), Arc::clone(&results), Arc::clone(&stop));
        workers.push(thread::spawn(move || {
            let agent = agent();
            let mut cookie = None;
            let mut last_sign_in: Option<Instant> = None;
            while !stop.load(Ordering::Relaxed) {
                if last_sign_in.is_none_or(|t| t.elapsed() >= Duration::from_secs(4)) {
                    let started = Instant::now();
                    let (outcome, new_cookie) = sign_in(&agent, &base);
                    record(&results, "resident sign-in", started, outcome);
                    cookie = new_cookie.or(cookie);
                    last_sign_in = Some(Instant::now());
                }
                let started = Instant::now();
                let session = format!("{base}/api/v1/session");
                let outcome = get(&agent, &session, cookie.as_deref().map(|c| ("Cookie", c)));
                record(&results, "resident GET /api/v1/session", started, outcome);
                thread::sleep(Duration::from_millis(250));
            }
        }));
    }
    {
        // A reporter: a report every 7 s (Open311 allows 10 a minute per client).
        let (base, results, stop) = (base.to_string(), Arc::clone(&results), Arc::clone(&stop));
        workers.push(thread::spawn(move || {
            let agent = agent();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let outcome = post_report(&agent, &base, n);
                record(&results, "report POST (Open311)", started, outcome);
                n += 1;
                let pause = Instant::now();
                while !stop.load(Ordering::Relaxed) && pause.elapsed() < Duration::from_secs(7) {
                    thread::sleep(Duration::from_millis(100));
                }
            }
        }));
    }
    thread::sleep(LEVEL_TIME);
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        let _ = worker.join();
    }
    Arc::try_unwrap(results)
        .ok()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_default()
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Runs every level against the platform at `base` and prints the table.
pub fn run(base: &str) {
    println!(
        "\nLoad test (loopback, {} s per level): p50 / p99 / max in ms, n answered, refused (429/503), failed",
        LEVEL_TIME.as_secs()
    );
    for clients in LEVELS {
        println!("  {clients} anonymous client(s) at once, beside one resident and one reporter:");
        for (kind, samples) in level(base, clients) {
            let mut ms = samples.ms;
            ms.sort_by(f64::total_cmp);
            let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
            println!(
                "    {kind:<34} {:>6} {:>6} {:>6}   n {:>5}   refused {:>4}   failed {:>4}",
                show(percentile(&ms, 50.0)),
                show(percentile(&ms, 99.0)),
                show(ms.last().copied()),
                ms.len(),
                samples.refused,
                samples.failed,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
