//! `cargo xtask test`: every layer, cheapest first, the end-to-end journeys last so that the
//! final line is the summary of a real test runner.

use crate::build;
use crate::run::{cmd, root, step};
use crate::tools;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn run() -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    let chromedriver =
        tools::which("chromedriver").ok_or("chromedriver is not on PATH after installation")?;
    let chromium = tools::which("chromium").ok_or("chromium is not on PATH after installation")?;

    step(
        "cargo fmt --check",
        cmd("cargo").args(["fmt", "--all", "--", "--check"]),
    )?;
    step(
        "clippy (native)",
        cmd("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "clippy (wasm32)",
        cmd("cargo").args([
            "clippy",
            "-p",
            "quartier",
            "-p",
            "quartier-api",
            "-p",
            "quartier-cluster",
            "-p",
            "quartier-bench-wasm",
            "--target",
            WASM_TARGET,
            // The route split points as the release build compiles them.
            "--features",
            "quartier/split",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "unit, contract and platform route tests (native)",
        cmd("cargo").args(["test", "--workspace", "--exclude", "quartier-e2e"]),
    )?;
    // `--tests`: a doctest run would end the output on "0 passed".
    step(
        "component tests (wasm-bindgen-test, headless Chromium)",
        cmd("cargo")
            .args(["test", "-p", "quartier", "--target", WASM_TARGET, "--tests"])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", &chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;
    build::app(true)?;
    build::platform("dev")?;
    step(
        "end-to-end journeys (WebDriver, real platform, real app)",
        cmd("cargo")
            .args(["test", "-p", "quartier-e2e", "--tests"])
            .env("QUARTIER_PLATFORM_BIN", build::platform_binary("dev"))
            .env("QUARTIER_DIST", root().join("dist"))
            .env(
                "QUARTIER_AXE",
                root().join("node_modules/axe-core/axe.min.js"),
            )
            .env("CHROMEDRIVER", &chromedriver)
            .env("CHROMIUM", &chromium),
    )
}
