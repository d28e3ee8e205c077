//! Installs what a fresh machine lacks, from the registries only (crates.io, npm, Debian), at
//! the versions pinned in TOOLCHAIN.md. Each check is quick when the tool is already there.

use crate::run::{cmd, output, root, step};

pub const TRUNK_VERSION: &str = "0.21.14";
/// Must equal the `wasm-bindgen = "=…"` pin in the root Cargo.toml (a test checks it).
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What the build of the app needs: the wasm target, trunk, wasm-bindgen-cli, npm packages.
pub fn ensure_build_tools() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", TRUNK_VERSION, &["--locked", "trunk"])?;
    // Without --locked: its lockfile pins a webpki-roots that the registry does not serve.
    ensure_cargo_tool("wasm-bindgen", WASM_BINDGEN_VERSION, &["wasm-bindgen-cli"])?;
    ensure_npm_packages()?;
    // Trunk runs cargo with --offline: every crate must be in the local registry first.
    step("cargo fetch", cmd("cargo").arg("fetch"))
}

/// What the browser tests need on top: Debian's Chromium and ChromeDriver.
pub fn ensure_browser() -> Result<(), String> {
    if which("chromium").is_some() && which("chromedriver").is_some() {
        return Ok(());
    }
    let is_root = output(cmd("id").arg("-u")).as_deref() == Some("0");
    if !is_root {
        return Err("Chromium and ChromeDriver are missing: run \
             `sudo apt-get install -y chromium chromium-driver` and try again"
            .into());
    }
    step("apt-get update", cmd("apt-get").arg("update"))?;
    step(
        "apt-get install chromium chromium-driver",
        cmd("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// The absolute path of a program on the tool `PATH`.
pub fn which(program: &str) -> Option<String> {
    output(cmd("sh").args(["-c", &format!("command -v {program}")])).filter(|path| !path.is_empty())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed =
        output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    step(
        "rustup target add wasm32",
        cmd("rustup").args(["target", "add", WASM_TARGET]),
    )
}

fn ensure_cargo_tool(binary: &str, version: &str, install_args: &[&str]) -> Result<(), String> {
    let current = output(cmd(binary).arg("--version")).unwrap_or_default();
    if current.split_whitespace().nth(1) == Some(version) {
        return Ok(());
    }
    println!(
        "{binary} {version} is missing (found: {current:?}); compiling it once (a few minutes)"
    );
    step(
        &format!("cargo install {binary} {version}"),
        cmd("cargo")
            .arg("install")
            .args(install_args)
            .args(["--version", version]),
    )
}

fn ensure_npm_packages() -> Result<(), String> {
    let root = root();
    let lock = root.join("package-lock.json");
    let marker = root.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&marker)) {
        (Ok(lock), Ok(marker)) => match (lock.modified(), marker.modified()) {
            (Ok(lock), Ok(marker)) => marker >= lock,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    step("npm ci", cmd("npm").args(["ci", "--no-audit", "--no-fund"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_version_matches_the_crate_pin() {
        let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={WASM_BINDGEN_VERSION}\"")),
            "Cargo.toml must pin wasm-bindgen to ={WASM_BINDGEN_VERSION}, the CLI xtask installs"
        );
        let trunk = std::fs::read_to_string(root().join("Trunk.toml")).unwrap();
        assert!(trunk.contains(&format!("wasm_bindgen = \"{WASM_BINDGEN_VERSION}\"")));
    }
}
