//! A fresh headless Chromium session per journey, with the checks every page gets.

use std::path::Path;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Screen sizes of the devices Quartier runs on.
#[derive(Clone, Copy, Debug)]
pub enum Viewport {
    /// Lighthouse's Moto G Power.
    Phone,
    /// A portrait town-hall kiosk.
    Kiosk,
    Desktop,
}

impl Viewport {
    fn size(self) -> (u32, u32) {
        match self {
            Viewport::Phone => (412, 823),
            Viewport::Kiosk => (1080, 1920),
            Viewport::Desktop => (1350, 940),
        }
    }
}

pub struct Browser {
    pub client: Client,
    base_url: String,
    profile_dir: std::path::PathBuf,
}

impl Browser {
    pub async fn open(
        driver_url: &str,
        chromium: &Path,
        base_url: &str,
    ) -> Result<Browser, String> {
        let profile_dir = std::env::temp_dir().join(format!(
            "quartier-e2e-chromium-{}-{}",
            std::process::id(),
            crate::processes::free_port()?
        ));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--no-first-run",
                    format!("--user-data-dir={}", profile_dir.display()),
                    "--window-size=1350,940"
                ]
            }),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(driver_url)
            .await
            .map_err(|e| format!("cannot open a browser session: {e}"))?;
        Ok(Browser {
            client,
            base_url: base_url.to_string(),
            profile_dir,
        })
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }

    pub async fn viewport(&self, viewport: Viewport) -> Result<(), String> {
        let (width, height) = viewport.size();
        self.client
            .set_window_size(width, height)
            .await
            .map_err(|e| format!("cannot resize the window: {e}"))
    }

    /// Loads a path of the app and waits until the app has rendered its `<h1>`.
    pub async fn open_page(&self, path: &str) -> Result<(), String> {
        self.client
            .goto(&format!("{}{path}", self.base_url))
            .await
            .map_err(|e| format!("cannot load {path}: {e}"))?;
        self.wait_for("h1").await.map(|_| ())
    }

    /// Waits (up to 20 s) for an element matching a CSS selector.
    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element, String> {
        self.wait_for_within(css, 20).await
    }

    /// Waits up to `seconds` for an element matching a CSS selector.
    pub async fn wait_for_within(
        &self,
        css: &str,
        seconds: u64,
    ) -> Result<fantoccini::elements::Element, String> {
        self.client
            .wait()
            .at_most(Duration::from_secs(seconds))
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("`{css}` never appeared within {seconds} s: {e}"))
    }

    /// Presses a key on the focused element (WebDriver key codes, e.g. `\u{E007}` = Enter).
    pub async fn press(&self, key: &str) -> Result<(), String> {
        self.client
            .active_element()
            .await
            .map_err(|e| e.to_string())?
            .send_keys(key)
            .await
            .map_err(|e| e.to_string())
    }

    /// Waits (up to 20 s) for an element matching an XPath.
    pub async fn wait_for_xpath(
        &self,
        xpath: &str,
    ) -> Result<fantoccini::elements::Element, String> {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::XPath(xpath))
            .await
            .map_err(|e| format!("`{xpath}` never appeared: {e}"))
    }

    /// Waits (up to 20 s) until a script returns `true`; `what` says what was awaited.
    pub async fn wait_until(&self, script: &str, what: &str) -> Result<(), String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.eval(script).await?;
            if value == Value::Bool(true) {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!("{what} never happened within 20 s (last: {value})"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs a script and returns its value.
    pub async fn eval(&self, script: &str) -> Result<Value, String> {
        self.client
            .execute(script, vec![])
            .await
            .map_err(|e| format!("script failed: {e}"))
    }

    /// Runs a script that returns a list of strings.
    pub async fn eval_strings(&self, script: &str) -> Result<Vec<String>, String> {
        Ok(strings(&self.eval(script).await?))
    }

    pub async fn text_of(&self, css: &str) -> Result<String, String> {
        self.wait_for(css)
            .await?
            .text()
            .await
            .map_err(|e| e.to_string())
    }

    /// Runs axe-core (WCAG 2.1 A and AA rules only) on the current page and returns each
    /// violation as "rule-id (impact): targets".
    pub async fn axe_violations(&self, axe_source: &str) -> Result<Vec<String>, String> {
        // WebDriver scripts are not subject to the page's CSP, so axe can be injected as is.
        self.client
            .execute(&format!("{axe_source}\n;return typeof axe;"), vec![])
            .await
            .map_err(|e| format!("cannot inject axe-core: {e}"))?;
        let result = self
            .client
            .execute_async(
                r#"
                const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                  .then(r => done(r.violations.map(v =>
                      `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)))
                  .catch(e => done(['axe failed: ' + e]));
                "#,
                vec![],
            )
            .await
            .map_err(|e| format!("axe did not finish: {e}"))?;
        Ok(strings(&result))
    }

    /// Cuts the page's network (`true`) or gives it back (`false`), as a phone losing its signal
    /// (Chrome DevTools' network emulation, through ChromeDriver).
    pub async fn set_offline(&self, offline: bool) -> Result<(), String> {
        // The emulation applies only while the Network domain is enabled.
        self.client
            .issue_cmd(Cdp {
                cmd: "Network.enable",
                params: json!({}),
            })
            .await
            .map_err(|e| format!("cannot enable the network domain: {e}"))?;
        self.client
            .issue_cmd(Cdp {
                cmd: "Network.emulateNetworkConditions",
                params: json!({
                    "offline": offline,
                    "latency": 0,
                    "downloadThroughput": -1,
                    "uploadThroughput": -1
                }),
            })
            .await
            .map(|_| ())
            .map_err(|e| format!("cannot change the network conditions: {e}"))
    }

    /// The browser console's errors since the last call (CSP violations, failed loads, panics).
    pub async fn console_errors(&self) -> Result<Vec<String>, String> {
        let logs = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .map_err(|e| format!("cannot read the console: {e}"))?;
        Ok(logs
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// ChromeDriver's log endpoint (not in the W3C standard, so fantoccini has no method for it).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// The strings of a JSON array (nothing for anything else).
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A Chrome DevTools Protocol command, through ChromeDriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
}
