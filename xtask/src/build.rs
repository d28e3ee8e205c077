//! Builds the app (Trunk, release) and the platform, skipping what is already up to date.

use std::path::Path;
use std::time::SystemTime;

use crate::run::{cmd, root, step};

/// Inputs of the app build: when none is newer than `dist/index.html`, the build is skipped.
const APP_INPUTS: &[&str] = &[
    "src",
    "style",
    "public",
    "index.html",
    "Cargo.toml",
    "Cargo.lock",
    "Trunk.toml",
    "build.rs",
    "package-lock.json",
    "crates/quartier-api/src",
    "crates/quartier-api/Cargo.toml",
    "crates/quartier-split/src",
    ".cargo/config.toml",
];

pub fn app(force: bool) -> Result<(), String> {
    let root = root();
    let built = modified(&root.join("dist/index.html"));
    let newest_input = APP_INPUTS
        .iter()
        .filter_map(|input| newest(&root.join(input)))
        .max();
    if let (false, Some(built), Some(input)) = (force, built, newest_input)
        && built >= input
    {
        println!("==> app is up to date (dist/)");
        return Ok(());
    }
    step(
        "trunk build --release",
        // `split`: each route's code in its own chunk (crates/quartier-split, Trunk's hook).
        cmd("trunk")
            .args([
                "build",
                "--release",
                "--offline=true",
                "--features",
                "split",
            ])
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("NO_COLOR", "true"),
    )
}

/// The platform binary, in the given cargo profile ("release" or "dev").
pub fn platform(profile: &str) -> Result<(), String> {
    step(
        &format!("cargo build -p quartier-platform ({profile})"),
        cmd("cargo").args(["build", "-p", "quartier-platform", "--profile", profile]),
    )
}

pub fn platform_binary(profile: &str) -> std::path::PathBuf {
    let dir = if profile == "dev" { "debug" } else { profile };
    root().join("target").join(dir).join("quartier-platform")
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

/// The newest modification time of a file or of anything under a directory.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .flatten()
        .filter_map(|entry| newest(&entry.path()))
        .max()
}
