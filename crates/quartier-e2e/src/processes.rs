//! The platform and ChromeDriver as child processes, stopped when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http;

/// A free loopback port (bound then released; a race is possible but harmless in tests).
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// A child process killed on drop.
pub struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The reference platform serving the built app with the demo town.
pub struct Platform {
    pub base_url: String,
    binary: PathBuf,
    dist: PathBuf,
    port: u16,
    data_dir: PathBuf,
    /// Flags beyond the demo's (`--faults 0.3`).
    extra_args: Vec<String>,
    child: Option<Guard>,
}

impl Platform {
    pub fn start(binary: &Path, dist: &Path) -> Result<Platform, String> {
        Platform::start_with(binary, dist, &[])
    }

    /// A platform of its own with more flags, on its own port and data.
    pub fn start_with(binary: &Path, dist: &Path, extra_args: &[&str]) -> Result<Platform, String> {
        let port = free_port()?;
        let data_dir =
            std::env::temp_dir().join(format!("quartier-e2e-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data_dir).map_err(|e| e.to_string())?;
        let mut platform = Platform {
            base_url: format!("http://127.0.0.1:{port}"),
            binary: binary.to_path_buf(),
            dist: dist.to_path_buf(),
            port,
            data_dir,
            extra_args: extra_args.iter().map(|a| a.to_string()).collect(),
            child: None,
        };
        platform.restart()?;
        Ok(platform)
    }

    /// Stops the platform (the page then meets a network failure).
    pub fn stop(&mut self) {
        self.child = None;
    }

    /// Starts (again) on the same port and data: what a resident sees as "the server is back".
    pub fn restart(&mut self) -> Result<(), String> {
        self.child = None;
        let child = Command::new(&self.binary)
            .args(["--demo", "--port", &self.port.to_string()])
            .arg("--dist")
            .arg(&self.dist)
            .arg("--data")
            .arg(&self.data_dir)
            .args(&self.extra_args)
            // Warnings and errors only: the journeys' output stays readable.
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.binary.display()))?;
        let mut guard = Guard(child);
        // A platform that refuses its flags exits at once: say so now, not after the timeout.
        let mut exited = None;
        let answered = wait_until(Duration::from_secs(180), || {
            exited = guard.0.try_wait().ok().flatten();
            exited.is_some() || http::get(&self.base_url, "/healthz").is_ok_and(|r| r.status == 200)
        });
        if let Some(status) = exited {
            return Err(format!(
                "the platform exited ({status}) before answering /healthz (flags: {:?})",
                self.extra_args
            ));
        }
        self.child = Some(guard);
        answered.map_err(|_| "the platform did not answer /healthz within 180 s".to_string())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        self.child = None;
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// ChromeDriver, which starts one Chromium per session.
pub struct ChromeDriver {
    pub url: String,
    _child: Guard,
}

impl ChromeDriver {
    pub fn start(binary: &Path) -> Result<ChromeDriver, String> {
        let port = free_port()?;
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let driver = ChromeDriver {
            url: format!("http://127.0.0.1:{port}"),
            _child: Guard(child),
        };
        wait_until(Duration::from_secs(30), || {
            http::get(&driver.url, "/status").is_ok_and(|r| r.status == 200)
        })
        .map_err(|_| "chromedriver did not start within 30 s".to_string())?;
        Ok(driver)
    }
}

fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<(), ()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(())
}
