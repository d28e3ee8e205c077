//! Support for the end-to-end journeys: starting the real platform and ChromeDriver on free
//! loopback ports, opening a fresh browser session, and the checks every page gets (axe-core,
//! console errors).
//!
//! Run them through `cargo xtask test`, which builds the app and the platform and sets:
//! `QUARTIER_PLATFORM_BIN`, `QUARTIER_DIST`, `QUARTIER_AXE`, `CHROMEDRIVER`, `CHROMIUM`.

pub mod browser;
pub mod http;
pub mod photo;
pub mod processes;

/// The error type of a journey: a message that says what was expected.
pub type Outcome = Result<(), String>;

/// Reads a required environment variable, explaining how to get it.
pub fn env_path(name: &str) -> Result<std::path::PathBuf, String> {
    std::env::var_os(name)
        .map(std::path::PathBuf::from)
        .ok_or_else(|| format!("{name} is not set: run the journeys with `cargo xtask test`"))
}
