//! `cargo xtask bench`: builds release, starts the platform with the demo town at scale 1 (the
//! map alone) and then at scale 10 (everything), and measures in headless Chromium what the
//! budgets of DESIGN.md are about: for each of `/`, `/map`,
//! `/report`, `/my-data` and `/consents`, the first-load bytes and the time until the page is
//! ready (phone and kiosk profiles), and the bytes an in-app navigation from `/map` to each
//! other page adds; Rust clustering against supercluster, query times, memory. The browser half
//! is `bench/run.mjs`, which prints the tables and writes `target/bench/results.json` (scale 10)
//! and `target/bench/results-scale-1.json` (it also
//! says what "ready" means for each page). At scale 10 it also measures the live town: in the
//! browser, a charger's status written through NGSI-LD until an open map's legend shows it
//! (`liveBench` in run.mjs, in `results.json` under `live`); then, after the load test,
//! 1 000 entity writes a second beside the map's reads and 200 live streams
//! (`live_load.rs`, `target/bench/results-live.json`), and a summary of the three live
//! targets. It measures only: no figure makes it fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::build;
use crate::run::{cmd, root, step};
use crate::tools;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The larger demo town: layers ten times the demo's, like a town of 500 000.
const SCALE: u32 = 10;
/// Generating a scaled demo town takes a while on a slow machine.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug, PartialEq)]
pub struct BenchOptions {
    /// Point counts of the clustering benchmark.
    sizes: String,
    runs: u32,
    /// Skip the measurements of the app's pages (no app or platform build): clustering only.
    no_map: bool,
    /// Measure the first loads with bench/run.mjs's own CDP code even when ../shared/qa/audit
    /// exists (the navigations from `/map` are always measured that way).
    no_audit: bool,
    /// Skip the live town: the write seen on an open map and the live load.
    no_live: bool,
}

/// Where the live load writes its figures, under the repository root.
pub const LIVE_RESULTS: &str = "target/bench/results-live.json";

pub fn options(args: &[String]) -> Result<BenchOptions, String> {
    let mut options = BenchOptions {
        sizes: "100000,1000000".into(),
        runs: 3,
        no_map: false,
        no_audit: false,
        no_live: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value"))
                .cloned()
        };
        match arg.as_str() {
            "--sizes" => {
                let sizes = value("--sizes")?;
                if sizes.is_empty()
                    || !sizes
                        .split(',')
                        .all(|s| s.parse::<u32>().is_ok_and(|n| n > 0))
                {
                    return Err("--sizes takes point counts separated by commas".into());
                }
                options.sizes = sizes;
            }
            "--runs" => {
                options.runs = value("--runs")?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--runs must be a positive number")?
            }
            "--no-map" => options.no_map = true,
            "--no-audit" => options.no_audit = true,
            "--no-live" => options.no_live = true,
            other => {
                return Err(format!(
                    "unknown option {other} (try --sizes N,M, --runs N, --no-map, --no-audit, --no-live)"
                ));
            }
        }
    }
    Ok(options)
}

pub fn run(options: BenchOptions) -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    let chromium = tools::which("chromium").ok_or("chromium is not on PATH after installation")?;
    build_bench_wasm()?;

    if options.no_map {
        return measure(
            &options,
            &chromium,
            None,
            root().join("target/bench/results.json"),
        );
    }
    build::app(false)?;
    build::platform("release")?;
    // The demo town at its own size (the first view a resident of a 50 000 town gets) and ten
    // times larger: the map's first view must stay light at both. Every route and the
    // clustering are measured at the larger one, the map alone at scale 1.
    for scale in [1, SCALE] {
        let platform = Platform::start(scale)?;
        let out = if scale == SCALE {
            root().join("target/bench/results.json")
        } else {
            root().join(format!("target/bench/results-scale-{scale}.json"))
        };
        let measured = measure(&options, &chromium, Some((&platform, scale)), out.clone());
        if measured.is_ok() && scale == SCALE {
            crate::load::run(&platform.url);
            if !options.no_live {
                let headline = crate::live_load::run(&platform.url, &root().join(LIVE_RESULTS));
                print_live_summary(&out, headline.as_ref());
            }
        }
        // Stopped before reporting, whatever the measurement gave.
        drop(platform);
        measured?;
    }
    Ok(())
}

/// One run of bench/run.mjs, against `platform` at its scale when given.
fn measure(
    options: &BenchOptions,
    chromium: &str,
    platform: Option<(&Platform, u32)>,
    out: PathBuf,
) -> Result<(), String> {
    let mut node = cmd("node");
    node.arg("bench/run.mjs")
        .arg("--out")
        .arg(&out)
        .args(["--table", "--sizes", &options.sizes])
        .args(["--runs", &options.runs.to_string()])
        .env("CHROMIUM", chromium);
    if let Some((platform, scale)) = platform {
        // run.mjs measures its default routes under this origin (`/map` at `{url}/map`).
        node.args(["--base-url", &platform.url]);
        node.args(["--label", &format!("demo town at --scale {scale}")]);
        if scale != SCALE {
            node.args(["--routes", "/map", "--no-cluster", "--no-live"]);
        }
    }
    if options.no_audit {
        node.arg("--no-audit");
    }
    if options.no_live {
        node.arg("--no-live");
    }
    step("measure (bench/run.mjs, headless Chromium)", &mut node)?;
    println!("\nResults: {}", out.display());
    Ok(())
}

/// quartier-bench-wasm in release for wasm32, then its JS bindings for the bench page.
fn build_bench_wasm() -> Result<(), String> {
    step(
        "cargo build -p quartier-bench-wasm (wasm32, release)",
        cmd("cargo").args([
            "build",
            "-p",
            "quartier-bench-wasm",
            "--target",
            WASM_TARGET,
            "--release",
        ]),
    )?;
    let wasm = root().join("target/wasm32-unknown-unknown/release/quartier_bench_wasm.wasm");
    step(
        "wasm-bindgen --target web -> target/bench/",
        cmd("wasm-bindgen")
            .args(["--target", "web", "--out-dir", "target/bench"])
            .arg(wasm),
    )
}

/// The release platform serving the demo town at scale, from a throw-away data directory.
/// Dropping it stops the server and removes the directory.
struct Platform {
    child: Child,
    url: String,
    data: PathBuf,
}

impl Platform {
    fn start(scale: u32) -> Result<Self, String> {
        let data =
            std::env::temp_dir().join(format!("quartier-bench-{}-{scale}", std::process::id()));
        std::fs::create_dir_all(&data)
            .map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        let log_dir = root().join("target/bench");
        std::fs::create_dir_all(&log_dir)
            .map_err(|e| format!("cannot create {}: {e}", log_dir.display()))?;
        let log = log_dir.join(format!("platform-scale-{scale}.log"));
        let stderr = std::fs::File::create(&log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        println!(
            "==> quartier-platform --demo --scale {scale} (log: {})",
            log.display()
        );
        // Port 0: the platform picks a free port and prints it, so nothing races for one.
        let mut child = Command::new(build::platform_binary("release"))
            .current_dir(root())
            .args(["--demo", "--scale", &scale.to_string(), "--port", "0"])
            .args(crate::live_load::PLATFORM_ARGS)
            .arg("--dist")
            .arg(root().join("dist"))
            .arg("--data")
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start the platform: {e}"))?;
        let stdout = child.stdout.take();
        let mut platform = Self {
            child,
            url: String::new(),
            data,
        };
        // The `Platform` exists from here on, so an early return below still stops the child.
        let stdout = stdout.ok_or("the platform's output is not readable")?;
        let (sender, receiver) = std::sync::mpsc::channel();
        // A thread reads the output so that a silent platform cannot hang the bench; it ends
        // when the platform closes stdout.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = listening_url(&line) {
                    let _ = sender.send(url);
                }
            }
        });
        platform.url = receiver
            .recv_timeout(STARTUP_TIMEOUT)
            .map_err(|_| format!("the platform did not start; see {}", log.display()))?;
        wait_healthy(&platform.url, STARTUP_TIMEOUT)?;
        println!("==> platform ready at {}", platform.url);
        Ok(platform)
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        // SIGTERM first: the platform finishes in-flight requests and closes SQLite cleanly.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// The three live-town targets, measured: the browser's figure from run.mjs's `results`
/// (its `live` entry), the load's from `headline`.
fn print_live_summary(results: &std::path::Path, headline: Option<&crate::live_load::Headline>) {
    let results: Option<serde_json::Value> = std::fs::read_to_string(results)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    println!();
    for line in live_summary(results.as_ref(), headline) {
        println!("{line}");
    }
}

fn live_summary(
    results: Option<&serde_json::Value>,
    headline: Option<&crate::live_load::Headline>,
) -> Vec<String> {
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} ms"));
    let rate = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}/s"));
    let live = results.and_then(|r| r.get("live")).filter(|l| !l.is_null());
    let figure = |key: &str| live.and_then(|l| l.get(key)?.as_f64());
    let mut lines = vec!["Live town summary (measured only; targets in brackets)".to_string()];
    lines.push(match live {
        Some(live) => format!(
            "  sensor write -> seen on an open map, p95 [<= 1000 ms]: {} (p50 {}, max {}; seen {} of {} writes; {})",
            ms(figure("p95_ms")),
            ms(figure("p50_ms")),
            ms(figure("max_ms")),
            figure("seen").unwrap_or(0.0),
            figure("writes").unwrap_or(0.0),
            live.get("profile")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("-"),
        ),
        None => "  sensor write -> seen on an open map: not measured (see the warnings above)"
            .to_string(),
    });
    let Some(h) = headline else {
        lines.push("  live load: not measured (see above)".to_string());
        return lines;
    };
    lines.push(format!(
        "  {} entity writes/s as batches of 10 [1000/s]: {} taken, write p99 {}; the map's reads beside them p99 [<= 50 ms] {} (max {}, {} refused)",
        h.paced_to,
        rate(h.writes_per_second),
        ms(h.write_p99),
        ms(h.read_p99),
        ms(h.read_max),
        h.read_refused,
    ));
    lines.push(format!(
        "  single PATCHes, unpaced: {}",
        rate(h.patches_per_second)
    ));
    lines.push(format!(
        "  {} live streams [200, every update delivered]: {} opened; of the {} changes taken, delivered per stream min {} / median {}; delivery p95 {}",
        h.streams_wanted,
        h.streams_opened,
        h.sent,
        h.min_delivered,
        h.median_delivered,
        ms(h.delivery_p95),
    ));
    lines.push(format!(
        "    with them open, the {} writes/s took {}, the map's reads p99 {}",
        h.paced_to,
        rate(h.streamed_writes_per_second),
        ms(h.streamed_read_p99),
    ));
    lines
}

/// `http://127.0.0.1:P` from the platform's "… listening on http://127.0.0.1:P" line.
fn listening_url(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on ")?;
    let url = rest.trim();
    url.starts_with("http://").then(|| url.to_string())
}

fn wait_healthy(url: &str, timeout: Duration) -> Result<(), String> {
    let address = url.trim_start_matches("http://");
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if health_status(address) == Some(200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(format!("{url}/healthz did not answer 200 in {timeout:?}"))
}

/// The status code of `GET /healthz`, with std only (xtask has no dependencies).
fn health_status(address: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).ok()?;
    status_code(&String::from_utf8_lossy(&head[..n]))
}

fn status_code(response: &str) -> Option<u16> {
    response.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<BenchOptions, String> {
        options(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_are_the_issue_s_sizes() {
        let options = parse(&[]).unwrap();
        assert_eq!(options.sizes, "100000,1000000");
        assert_eq!(options.runs, 3);
        assert!(!options.no_map && !options.no_audit && !options.no_live);
    }

    #[test]
    fn options_are_parsed_and_bad_ones_explained() {
        let options = parse(&[
            "--sizes",
            "1000,5000",
            "--runs",
            "1",
            "--no-map",
            "--no-live",
        ])
        .unwrap();
        assert_eq!((options.sizes.as_str(), options.runs), ("1000,5000", 1));
        assert!(options.no_map && options.no_live);
        assert!(parse(&["--sizes", "10,x"]).unwrap_err().contains("commas"));
        assert!(parse(&["--runs", "0"]).unwrap_err().contains("positive"));
        assert!(parse(&["--runs"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--bogus"]).unwrap_err().contains("unknown option"));
    }

    #[test]
    fn the_live_summary_names_each_target_and_what_was_not_measured() {
        let results = serde_json::json!({"live": {
            "p50_ms": 210.0, "p95_ms": 240.0, "max_ms": 410.0, "seen": 20, "writes": 20,
            "profile": "phone viewport, no CPU or network throttling",
        }});
        let headline = crate::live_load::Headline {
            paced_to: 1000,
            writes_per_second: Some(999.6),
            write_p99: Some(36.0),
            read_p99: Some(20.4),
            read_max: Some(31.3),
            read_refused: 0,
            patches_per_second: Some(658.0),
            streams_wanted: 200,
            streams_opened: 200,
            sent: 10_000,
            min_delivered: 10_000,
            median_delivered: 10_000,
            delivery_p95: Some(634.0),
            streamed_writes_per_second: Some(301.0),
            streamed_read_p99: Some(423.7),
        };
        let lines = live_summary(Some(&results), Some(&headline)).join("\n");
        assert!(lines.contains("p95 [<= 1000 ms]: 240 ms (p50 210 ms, max 410 ms; seen 20 of 20"));
        assert!(lines.contains(
            "1000/s taken, write p99 36 ms; the map's reads beside them p99 [<= 50 ms] 20 ms"
        ));
        assert!(
            lines
                .contains("200 opened; of the 10000 changes taken, delivered per stream min 10000")
        );
        assert!(lines.contains("the 1000 writes/s took 301/s"));
        let lines = live_summary(Some(&serde_json::json!({"live": null})), None).join("\n");
        assert!(lines.contains("seen on an open map: not measured"));
        assert!(lines.contains("live load: not measured"));
    }

    #[test]
    fn the_listening_line_and_status_are_read() {
        assert_eq!(
            listening_url("Quartier platform listening on http://127.0.0.1:41234").as_deref(),
            Some("http://127.0.0.1:41234")
        );
        assert_eq!(listening_url("something else"), None);
        assert_eq!(status_code("HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(status_code("garbage"), None);
    }
}
