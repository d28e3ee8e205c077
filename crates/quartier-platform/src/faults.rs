//! Fault mode (`--faults 0.3`): for that share of API requests (`/open311`, `/api`, `/ngsi-ld`;
//! never `/healthz`, tiles or the app's files) the platform misbehaves as real networks and
//! servers do, so that an end-to-end test can prove the app loses and duplicates nothing (10
//! reports submitted end as exactly 10: a POST retried after a lost answer is replayed through
//! its `Idempotency-Key`).
//!
//! Each faulted request gets one [`FaultKind`]: a delay before it runs, a 500 or a 503 with
//! `Retry-After` instead of running it, or, after it has run (the write is done), a dropped
//! connection or a truncated body answered 200. The choice comes from a seeded ChaCha8
//! (`--faults-seed`), so a run can be replayed. Off by default; on, it says so loudly at start and
//! once per faulted request.

use std::{fmt, str::FromStr, sync::Mutex, time::Duration};

use axum::{
    body::{Body, Bytes},
    extract::{OriginalUri, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// One way of misbehaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Waits 1 to 3 s, then answers normally.
    Delay,
    /// 500 without running the handler.
    ServerError,
    /// 503 + `Retry-After: 1` without running the handler.
    Unavailable,
    /// Runs the handler, then drops the connection instead of answering.
    DropAfterWrite,
    /// Runs the handler, then answers 200 with the first half of its body.
    Malformed,
}

impl FaultKind {
    pub const ALL: [Self; 5] = [
        Self::Delay,
        Self::ServerError,
        Self::Unavailable,
        Self::DropAfterWrite,
        Self::Malformed,
    ];

    /// The name `--fault-kinds` takes and the log shows.
    pub fn name(self) -> &'static str {
        match self {
            Self::Delay => "delay",
            Self::ServerError => "500",
            Self::Unavailable => "503",
            Self::DropAfterWrite => "drop",
            Self::Malformed => "malformed",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name() == text.trim())
            .ok_or_else(|| format!("{text}: not one of delay, 500, 503, drop, malformed"))
    }
}

/// How the fault mode was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSettings {
    /// The share of API requests faulted, 0 to 1.
    pub share: f64,
    /// Seed of the choices: the same seed and the same requests give the same faults.
    pub seed: u64,
    /// The kinds drawn from, evenly (all of them unless told).
    pub kinds: Vec<FaultKind>,
}

impl FaultSettings {
    /// Every kind, at `share`, from `seed`.
    pub fn new(share: f64, seed: u64) -> Self {
        Self {
            share,
            seed,
            kinds: FaultKind::ALL.to_vec(),
        }
    }
}

/// `--faults`: a share between 0 and 1.
pub fn parse_share(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("{text}: a share between 0 and 1, e.g. 0.3")),
    }
}

/// The running fault mode: its settings and its generator.
#[derive(Debug)]
pub struct Faults {
    settings: FaultSettings,
    rng: Mutex<ChaCha8Rng>,
}

impl Faults {
    /// Warns that the mode is on: nobody should mistake a faulty platform for a broken one.
    pub fn new(settings: FaultSettings) -> anyhow::Result<Self> {
        if !(0.0..=1.0).contains(&settings.share) {
            anyhow::bail!("the fault share {} is not between 0 and 1", settings.share);
        }
        let kinds: Vec<&str> = settings.kinds.iter().map(|kind| kind.name()).collect();
        tracing::warn!(
            share = settings.share,
            seed = settings.seed,
            kinds = kinds.join(","),
            "FAULT MODE ON: {:.0} % of API requests (/open311, /api, /ngsi-ld) will be delayed, \
             fail, lose their answer or get a truncated one. Never run this for real residents.",
            settings.share * 100.0
        );
        Ok(Self {
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(settings.seed)),
            settings,
        })
    }

    /// The fault for the next request, if it gets one, with the delay of a [`FaultKind::Delay`].
    fn pick(&self) -> Option<(FaultKind, Duration)> {
        // A poisoned lock only means another request panicked mid-draw: the generator is fine.
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.settings.kinds.is_empty() || !rng.random_bool(self.settings.share) {
            return None;
        }
        let kind = self.settings.kinds[rng.random_range(0..self.settings.kinds.len())];
        let delay = Duration::from_millis(rng.random_range(1_000..=3_000));
        Some((kind, delay))
    }
}

/// Largest body read back to be truncated: API answers are far smaller.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Middleware of the API areas, inside their error-format layer (so a 500 or 503 made here is
/// in the area's format) and outside their deadline (a delay does not eat into it).
pub async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let Some((kind, delay)) = faults.pick() else {
        return next.run(request).await;
    };
    // Inside a nested area `uri` has lost the area's prefix; the original has it.
    let path = request.extensions().get::<OriginalUri>().map_or_else(
        || request.uri().path().to_owned(),
        |uri| uri.path().to_owned(),
    );
    tracing::warn!(fault = kind.name(), method = %request.method(), path, "FAULT injected");
    match kind {
        FaultKind::Delay => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        FaultKind::ServerError => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        FaultKind::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, HeaderValue::from_static("1"))],
        )
            .into_response(),
        FaultKind::DropAfterWrite => {
            let (mut parts, _) = next.run(request).await.into_parts();
            // Hyper closes the connection when a body fails: the client gets no answer.
            parts.headers.remove(header::CONTENT_LENGTH);
            let failing = futures_util::stream::iter([Err::<Bytes, _>(std::io::Error::other(
                "fault mode: connection dropped after the handler ran",
            ))]);
            Response::from_parts(parts, Body::from_stream(failing))
        }
        FaultKind::Malformed => {
            let (mut parts, body) = next.run(request).await.into_parts();
            let bytes = axum::body::to_bytes(body, MAX_BODY)
                .await
                .unwrap_or_default();
            // Half of a JSON (or XML) document never parses; an empty one becomes a lone `{`.
            let truncated = if bytes.is_empty() {
                Bytes::from_static(b"{")
            } else {
                bytes.slice(..bytes.len() / 2)
            };
            parts.status = StatusCode::OK;
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(truncated))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(faults: &Faults, n: usize) -> Vec<Option<FaultKind>> {
        (0..n)
            .map(|_| faults.pick().map(|(kind, _)| kind))
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let faults = |seed| Faults::new(FaultSettings::new(0.3, seed)).expect("valid");
        let (a, b, c) = (faults(7), faults(7), faults(8));
        let (a, b, c) = (draws(&a, 500), draws(&b, 500), draws(&c, 500));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let faulted = a.iter().filter(|d| d.is_some()).count();
        assert!((100..200).contains(&faulted), "about 30 %: {faulted}");
        for kind in FaultKind::ALL {
            assert!(a.contains(&Some(kind)), "{kind}");
        }
    }

    #[test]
    fn shares_and_kinds_are_read_and_bounded() {
        assert_eq!(parse_share("0.3"), Ok(0.3));
        assert_eq!(parse_share("1"), Ok(1.0));
        assert!(parse_share("1.5").is_err() && parse_share("-0.1").is_err());
        assert!(parse_share("NaN").is_err() && parse_share("lots").is_err());
        assert_eq!("drop".parse(), Ok(FaultKind::DropAfterWrite));
        assert_eq!("503".parse(), Ok(FaultKind::Unavailable));
        assert!("explode".parse::<FaultKind>().is_err());
        assert!(Faults::new(FaultSettings::new(f64::NAN, 1)).is_err());
        assert!(Faults::new(FaultSettings::new(1.1, 1)).is_err());
        let never = Faults::new(FaultSettings::new(0.0, 1)).expect("valid");
        assert!(draws(&never, 100).iter().all(Option::is_none));
        let always = Faults::new(FaultSettings {
            kinds: vec![FaultKind::Malformed],
            ..FaultSettings::new(1.0, 1)
        })
        .expect("valid");
        assert!(
            draws(&always, 100)
                .iter()
                .all(|d| *d == Some(FaultKind::Malformed))
        );
        let (_, delay) = always.pick().expect("a fault");
        assert!((1..=3).contains(&delay.as_secs()));
    }
}
