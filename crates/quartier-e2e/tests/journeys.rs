//! End-to-end journeys through the real app served by the real platform, in headless Chromium.
//! Elements are found as a person finds them: by their visible name and role.

use std::path::PathBuf;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use quartier_e2e::browser::{Browser, Viewport};
use quartier_e2e::processes::{ChromeDriver, Platform};
use quartier_e2e::{Outcome, env_path, http};

#[path = "journeys/consents.rs"]
mod consents;
#[path = "journeys/language.rs"]
mod language;
#[path = "journeys/layout.rs"]
mod layout;
#[path = "journeys/map.rs"]
mod map;
#[path = "journeys/my_data.rs"]
mod my_data;
#[path = "journeys/report.rs"]
mod report;
#[path = "journeys/routes.rs"]
mod routes;
#[path = "journeys/shell.rs"]
mod shell;

/// What every journey can use.
pub struct Ctx {
    pub platform: Platform,
    pub driver: ChromeDriver,
    pub chromium: PathBuf,
    pub dist: PathBuf,
    pub platform_bin: PathBuf,
    pub axe: String,
    pub runtime: tokio::runtime::Runtime,
}

impl Ctx {
    fn start() -> Result<Ctx, String> {
        let platform_bin = env_path("QUARTIER_PLATFORM_BIN")?;
        let dist = env_path("QUARTIER_DIST")?;
        let chromium = env_path("CHROMIUM")?;
        let axe_path = env_path("QUARTIER_AXE")?;
        let axe = std::fs::read_to_string(&axe_path)
            .map_err(|e| format!("cannot read axe-core at {}: {e}", axe_path.display()))?;
        let platform = Platform::start(&platform_bin, &dist)?;
        let driver = ChromeDriver::start(&env_path("CHROMEDRIVER")?)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Ctx {
            platform,
            driver,
            chromium,
            dist,
            platform_bin,
            axe,
            runtime,
        })
    }

    /// A fresh browser (empty profile: no remembered language, no session) on `base_url`.
    pub async fn browser_on(&self, base_url: &str) -> Result<Browser, String> {
        Browser::open(&self.driver.url, &self.chromium, base_url).await
    }

    pub async fn browser(&self) -> Result<Browser, String> {
        self.browser_on(&self.platform.base_url).await
    }

    /// Runs a journey in a fresh browser that is closed whatever happens.
    pub async fn with_browser<F>(&self, journey: F) -> Outcome
    where
        F: AsyncFnOnce(&Browser) -> Outcome,
    {
        let browser = self.browser().await?;
        let outcome = journey(&browser).await;
        browser.close().await;
        outcome
    }

    pub fn get(&self, path: &str) -> Result<http::Response, String> {
        http::get(&self.platform.base_url, path)
    }

    /// The first service an NGSI-LD query (`type=…&q=…`) finds, asked of the platform as any
    /// client would: its position (lon, lat) and its entity id.
    pub fn first_service(&self, query: &str) -> Result<(f64, f64, String), String> {
        first_service_on(&self.platform.base_url, query)
    }
}

/// The position and id of the first service that an NGSI-LD `query` finds on the platform at
/// `base_url`, asked like any NGSI-LD client would.
pub fn first_service_on(base_url: &str, query: &str) -> Result<(f64, f64, String), String> {
    let response = http::get_with(
        base_url,
        &format!("/ngsi-ld/v1/entities?{query}&limit=1&options=keyValues"),
        &[("Accept", "application/geo+json")],
    )?;
    let body: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|e| e.to_string())?;
    let at = body
        .pointer("/features/0/geometry/coordinates")
        .and_then(serde_json::Value::as_array)
        .ok_or(format!("no service for {query} in {body}"))?;
    let coordinate = |i: usize| {
        at.get(i)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or_default()
    };
    let id = body
        .pointer("/features/0/id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok((coordinate(0), coordinate(1), id))
}

type Journey = fn(Arc<Ctx>) -> Outcome;

pub use shell::copy_dir;

fn main() {
    let args = Arguments::from_args();
    // One browser at a time: the machine has two cores and Chromium is heavy.
    let args = Arguments {
        test_threads: Some(1),
        ..args
    };
    let ctx = match Ctx::start() {
        Ok(ctx) => Arc::new(ctx),
        Err(message) => {
            eprintln!("end-to-end journeys cannot start: {message}");
            std::process::exit(101);
        }
    };
    let journeys: Vec<(&str, Journey)> = shell::JOURNEYS
        .iter()
        .chain(map::JOURNEYS)
        .chain(layout::JOURNEYS)
        .chain(language::JOURNEYS)
        .chain(routes::JOURNEYS)
        .chain(report::JOURNEYS)
        .chain(consents::JOURNEYS)
        .chain(my_data::JOURNEYS)
        .copied()
        .collect();
    let trials = journeys
        .into_iter()
        .map(|(name, journey)| {
            let ctx = Arc::clone(&ctx);
            Trial::test(name, move || journey(ctx).map_err(Failed::from))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(ctx);
    conclusion.exit();
}

/// Asserts that a page has no axe-core WCAG 2.1 AA violation and no console error.
pub async fn assert_clean_page(ctx: &Ctx, browser: &Browser, label: &str) -> Outcome {
    let violations = browser.axe_violations(&ctx.axe).await?;
    if !violations.is_empty() {
        return Err(format!(
            "{label}: axe-core violations:\n  {}",
            violations.join("\n  ")
        ));
    }
    let errors = browser.console_errors().await?;
    if !errors.is_empty() {
        return Err(format!(
            "{label}: console errors:\n  {}",
            errors.join("\n  ")
        ));
    }
    Ok(())
}

pub fn viewports() -> [Viewport; 2] {
    [Viewport::Phone, Viewport::Kiosk]
}
