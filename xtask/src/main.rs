//! The project's own commands: `cargo xtask demo [--port P] [--scale N]`, `cargo xtask test`,
//! `cargo xtask bench`.
//! Plain std, no dependencies: it must build fast on a fresh machine, before anything else.

mod bench;
mod build;
mod demo;
mod run;
mod test;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  demo [--port P] [--scale N]   build what is missing, then serve the app and the platform
                                with the demo town on http://127.0.0.1:P (default 8080)
  test                          every test layer: fmt, clippy (native + wasm), unit tests,
                                browser component tests, release build, platform route
                                tests, end-to-end journeys
  bench [--sizes N,M] [--runs N] [--no-map] [--no-audit]
                                release build, platform with the demo town at scale 10,
                                then in headless Chromium: first-load bytes and ready time
                                of /, /map, /report, /my-data, /consents (phone, kiosk), the
                                bytes a navigation from /map adds, Rust clustering vs
                                supercluster (100k, 1M),
                                queries, memory; prints a table, writes
                                target/bench/results.json (measures only, never fails on
                                a figure)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::options(&args[1..]).and_then(demo::run),
        Some("test") => test::run(),
        Some("bench") => bench::options(&args[1..]).and_then(bench::run),
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
