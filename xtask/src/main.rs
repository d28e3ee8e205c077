//! The project's own commands: `cargo xtask demo [--port P] [--scale N] [--no-simulate]`,
//! `cargo xtask test`, `cargo xtask bench`.
//! Plain std, no dependencies: it must build fast on a fresh machine, before anything else.

mod bench;
mod build;
mod demo;
mod live_load;
mod load;
mod run;
mod test;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  demo [--port P] [--scale N] [--no-simulate]
                                build what is missing, then serve the app and the platform
                                with the demo town on http://127.0.0.1:P (default 8080),
                                its sensors simulated (lamps fail, bins fill, parking, bikes
                                and air follow the hour) unless --no-simulate
  test                          every test layer: fmt, clippy (native + wasm), unit tests,
                                browser component tests, release build, platform route
                                tests, end-to-end journeys
  bench [--sizes N,M] [--runs N] [--no-map] [--no-audit] [--no-live]
                                release build; the demo town at scale 1 (the map) then at
                                scale 10, in headless Chromium: first-load bytes and ready
                                time of /, /map, /report, /my-data, /consents (phone,
                                kiosk), the bytes a navigation from /map adds, panning at
                                zoom 16, Rust clustering vs supercluster (100k, 1M),
                                queries, memory; a sensor write seen on an open map;
                                then the platform's load test and the live town's
                                (1 000 writes/s, 200 live streams); prints
                                tables, writes target/bench/results*.json (measures only,
                                never fails on a figure)
  load URL                      the bench's load test alone, against a demo platform
                                already running at URL
  live-load URL                 the bench's live-town load alone (writes at 1 000/s beside
                                the map's reads, 200 live streams), against a demo platform
                                started with --writer-rate 100000/s --writer-burst 100000
                                --max-live-streams-per-client 1000; writes
                                target/bench/results-live.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::options(&args[1..]).and_then(demo::run),
        Some("test") => test::run(),
        Some("bench") => bench::options(&args[1..]).and_then(bench::run),
        Some("load") => match args.get(1) {
            Some(url) => {
                load::run(url.trim_end_matches('/'));
                Ok(())
            }
            None => Err(format!("load needs the platform's URL\n\n{USAGE}")),
        },
        Some("live-load") => match args.get(1) {
            Some(url) => {
                let out = run::root().join(bench::LIVE_RESULTS);
                live_load::run(url.trim_end_matches('/'), &out);
                Ok(())
            }
            None => Err(format!("live-load needs the platform's URL\n\n{USAGE}")),
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
