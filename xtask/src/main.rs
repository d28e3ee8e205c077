//! The project's own commands: `cargo xtask demo [--port P] [--scale N]`, `cargo xtask test`.
//! Plain std, no dependencies: it must build fast on a fresh machine, before anything else.

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
                                tests, end-to-end journeys";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::options(&args[1..]).and_then(demo::run),
        Some("test") => test::run(),
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
