//! What every handler shares: settings, the database, the CSP in force, prerendered bytes.

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use axum::body::Bytes;

use crate::{
    auth::{AuthState, PasswordChecks, SessionPolicy, password},
    client::TrustedProxies,
    db::{self, Db},
    demo::{Town, assets, open311_seed, residents_seed},
    faults::{FaultSettings, Faults},
    limits::{AreaLimit, Limits},
    live::{self, Live},
    rate::{self, Per, Rate},
    routes::{
        self,
        open311::Open311State,
        resident::catalogue::{self, Consents, Purpose},
        tiles,
    },
    security::CspCache,
    staff::{StaffAccount, StaffAccounts},
    subscriptions::{self, SendPolicy, Subscriptions},
    tokens::TokenAccount,
    town::{TownConfig, TownProfile},
    writers::Writers,
};

/// [`Settings::request_deadline`] unless told otherwise.
pub const DEFAULT_REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// [`Settings::upload_deadline`] unless told otherwise: under [`crate::REQUEST_TIMEOUT`], so that
/// Open311's own deadline answers (in its format) before the last-resort 408.
pub const DEFAULT_UPLOAD_DEADLINE: Duration = Duration::from_secs(25);

/// [`Settings::anonymous_rate`] unless told otherwise: far above what a person's map asks for
/// (its first view sends a count per area, layer and state: a few hundred at once, some 500 by
/// the grid's reckoning on a large screen at `--scale 10`; panning a few dozen more), so only a
/// client looping on the API ever meets it.
pub const DEFAULT_ANONYMOUS_RATE: Rate =
    Rate::new(rate::nonzero(100), Per::Second).with_burst(rate::nonzero(1000));

/// [`Settings::writer_rate`] unless told otherwise: each IoT agent's writes, far above what a
/// silo's agent sends (the target for the whole platform is 1 000 writes a second).
pub const DEFAULT_WRITER_RATE: Rate =
    Rate::new(rate::nonzero(1000), Per::Second).with_burst(rate::nonzero(2000));

/// How the platform was started (from the command line in `main.rs`, by hand in tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Holds `quartier.db`; created if missing.
    pub data_dir: PathBuf,
    /// The built app (Trunk's `dist/`). May be missing: the API still works.
    pub dist_dir: PathBuf,
    /// Serve the demo town (demo residents, generated data).
    pub demo: bool,
    /// Size multiplier of the generated demo town.
    pub scale: u32,
    /// Largest NGSI-LD `limit` accepted; above it, 403 TooManyResults.
    pub ngsi_ld_max_limit: usize,
    /// Always mark the session cookie `Secure` with the `__Host-` prefix (set when a TLS proxy
    /// does not send `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// Argon2 password checks (19 MiB and a core each) that may run at once.
    pub max_password_checks: usize,
    /// Open311 photos that may be decoded and re-encoded at once.
    pub max_photo_decodes: usize,
    /// How long a request waits for one of those slots (or for a place in an anonymous area)
    /// before it is answered 503 + `Retry-After`.
    pub busy_wait: Duration,
    /// How long an API request may take, database calls included; past it the request's query is
    /// interrupted and the answer is 503 + `Retry-After` in the API's own error format.
    pub request_deadline: Duration,
    /// The same for Open311, whose reports may carry a photo over a slow phone network: the
    /// upload counts in it.
    pub upload_deadline: Duration,
    /// Read-only SQLite connections beside the writer (the anonymous areas read through them).
    pub db_readers: usize,
    /// Requests in flight at once in each anonymous area (NGSI-LD, tiles, geocoder).
    pub anonymous_at_once: usize,
    /// Requests one client may make in each anonymous area; past it, 429 + `Retry-After`.
    pub anonymous_rate: Rate,
    /// Peers whose `X-Forwarded-For` names the client (every per-client limit reads it so).
    pub trusted_proxies: TrustedProxies,
    /// The purposes the town asks consent for, each at its current version.
    pub consent_purposes: Vec<Purpose>,
    /// The town (`--town FILE`); without it, the demo town with `demo`, else an unnamed town.
    pub town: Option<TownConfig>,
    /// Open311 API keys besides those of `QUARTIER_OPEN311_API_KEYS` (and the demo key).
    pub open311_api_keys: Vec<String>,
    /// Staff accounts of the staff API (`--staff-token-file`), besides the demo one in demo mode.
    pub staff_accounts: Vec<StaffAccount>,
    /// NGSI-LD writers (`--ngsi-ld-writers`), besides the demo's in demo mode.
    pub ngsi_ld_writers: Vec<TokenAccount>,
    /// Requests each NGSI-LD writer (by its token) may make; past it, 429 + `Retry-After`.
    /// Counted instead of the client's anonymous rate.
    pub writer_rate: Rate,
    /// `--open-writes`: anonymous NGSI-LD writes, for conformance runs on loopback (refused
    /// with `demo`; `main` also refuses it on a non-loopback host).
    pub open_writes: bool,
    /// The fault mode (`--faults`): off unless set.
    pub faults: Option<FaultSettings>,
    /// Live streams (`GET /api/v1/live`) open at once, in all and per client; past either,
    /// 503 + `Retry-After`.
    pub max_live_streams: usize,
    pub max_live_streams_per_client: usize,
    /// A town's own NGSI-LD broker whose changes the live streams relay (`--relay-upstream`).
    pub relay: Option<crate::relay::RelaySettings>,
    /// Each attempt to send an NGSI-LD notification, connection and answer included.
    pub notification_timeout: Duration,
    /// The waits before each retry of a notification (after a connection error, a timeout or a
    /// 5xx): as many retries as delays.
    pub notification_retry_delays: Vec<Duration>,
    /// Changes waiting per subscription before the oldest is dropped.
    pub notification_queue: usize,
    /// Test aid (`--demo-html-payloads`, demo mode only): Open311 offers one more service whose
    /// name and description are HTML, to prove that clients show it as text.
    pub demo_html_payloads: bool,
    /// JSON-LD context documents known by URL (`--jsonld-context URL=FILE`), beside the
    /// built-in NGSI-LD core and Smart Data Models contexts; any other context URL is 503
    /// LdContextNotAvailable, never a fetch.
    pub jsonld_contexts: quartier_api::ngsi_ld::ContextDocuments,
}

impl Settings {
    /// Production defaults for the given directories: no demo, scale 1.
    pub fn new(data_dir: impl Into<PathBuf>, dist_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            dist_dir: dist_dir.into(),
            demo: false,
            scale: 1,
            ngsi_ld_max_limit: routes::ngsi_ld::DEFAULT_MAX_LIMIT,
            secure_cookies: false,
            max_password_checks: password::default_slots(),
            max_photo_decodes: password::default_slots(),
            busy_wait: password::DEFAULT_BUSY_WAIT,
            request_deadline: DEFAULT_REQUEST_DEADLINE,
            upload_deadline: DEFAULT_UPLOAD_DEADLINE,
            db_readers: db::default_readers(),
            // One reader fewer than the pool, so Open311's anonymous reads always find one.
            anonymous_at_once: db::default_readers().saturating_sub(1).max(1),
            anonymous_rate: DEFAULT_ANONYMOUS_RATE,
            trusted_proxies: TrustedProxies::loopback(),
            consent_purposes: catalogue::PURPOSES.to_vec(),
            town: None,
            open311_api_keys: Vec::new(),
            staff_accounts: Vec::new(),
            ngsi_ld_writers: Vec::new(),
            writer_rate: DEFAULT_WRITER_RATE,
            open_writes: false,
            faults: None,
            max_live_streams: live::DEFAULT_MAX_STREAMS,
            max_live_streams_per_client: live::DEFAULT_MAX_STREAMS_PER_CLIENT,
            relay: None,
            notification_timeout: subscriptions::DEFAULT_TIMEOUT,
            notification_retry_delays: subscriptions::DEFAULT_RETRY_DELAYS.to_vec(),
            notification_queue: subscriptions::DEFAULT_QUEUE,
            demo_html_payloads: false,
            jsonld_contexts: quartier_api::ngsi_ld::ContextDocuments::default(),
        }
    }
}

/// Cloned into every handler: each field is a cheap handle.
#[derive(Debug, Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub csp: Arc<CspCache>,
    /// The placeholder map tile, rendered once.
    pub placeholder_tile: Bytes,
    /// The fault mode, when on (wraps the API areas).
    pub faults: Option<Arc<Faults>>,
    /// Staff accounts of the staff API, by token hash.
    pub staff: Arc<StaffAccounts>,
    /// Who may write NGSI-LD entities.
    pub writers: Arc<Writers>,
    /// Resident sessions: clock, timeouts, sign-in rate limits.
    pub auth: Arc<AuthState>,
    /// Open311: API keys and the report rate limit.
    pub open311: Arc<Open311State>,
    /// Requests in flight in the anonymous areas.
    pub limits: Limits,
    /// The town served.
    pub town: Arc<TownProfile>,
    /// What consents are asked for, and by whom.
    pub consents: Arc<Consents>,
    /// The committed NGSI-LD changes, for the live streams and the notifier.
    pub live: Live,
    /// NGSI-LD subscriptions, compiled; their notifier follows `live`.
    pub subscriptions: Subscriptions,
}

impl AppState {
    /// Opens and migrates the database, renders the placeholder tile and computes the CSP from
    /// the app in `dist_dir`. Blocking; call it once at start.
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        if settings.open_writes && settings.demo {
            anyhow::bail!("--open-writes cannot be used with --demo");
        }
        let db = Db::open_with(&settings.data_dir, settings.db_readers)?;
        let placeholder_tile =
            tiles::render_placeholder().context("cannot render the placeholder map tile")?;
        let csp = CspCache::load(&settings.dist_dir);
        let auth = AuthState::new(
            SessionPolicy {
                secure_cookies: settings.secure_cookies,
                ..SessionPolicy::default()
            },
            PasswordChecks::new(settings.max_password_checks, settings.busy_wait),
        );
        if settings.demo {
            // The same clock as every handler's (tests move it).
            let now = auth.clock.now();
            let inserted = db
                .call_blocking(|conn| assets::seed(conn, Town::demo(), settings.scale, now))
                .context("cannot seed the demo town's services")?;
            tracing::info!(inserted, scale = settings.scale, "demo NGSI-LD entities");
            db.call_blocking(|conn| residents_seed::seed(conn, auth.clock.now()))
                .context("cannot seed the demo residents")?;
            db.call_blocking(|conn| open311_seed::seed(conn, auth.clock.now()))
                .context("cannot seed the demo Open311 reports")?;
        }

        let town = match (&settings.town, settings.demo) {
            (Some(config), _) => TownProfile::configured(config.clone()),
            (None, true) => TownProfile::demo(),
            (None, false) => TownProfile::unnamed(),
        };
        let consents = Consents {
            purposes: settings.consent_purposes.clone(),
            controller: town.controller(),
        };
        let open311 = Arc::new(Open311State::new(&settings));
        let staff = Arc::new(StaffAccounts::new(&settings.staff_accounts, settings.demo));
        let writers = Arc::new(Writers::new(
            &settings.ngsi_ld_writers,
            settings.demo,
            settings.open_writes,
        ));
        let faults = settings
            .faults
            .clone()
            .map(Faults::new)
            .transpose()?
            .map(Arc::new);
        let area = || {
            AreaLimit::new(
                settings.anonymous_at_once,
                settings.busy_wait,
                settings.anonymous_rate,
                settings.trusted_proxies.clone(),
            )
        };
        // The run's epoch: event ids of an earlier run never match this one's.
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let live = Live::new(
            epoch,
            settings.max_live_streams,
            settings.max_live_streams_per_client,
        );
        let auth = Arc::new(auth);
        let subscriptions = Subscriptions::load(
            &db,
            SendPolicy {
                timeout: settings.notification_timeout,
                retry_delays: settings.notification_retry_delays.clone(),
                queue: settings.notification_queue,
            },
            Arc::clone(&auth),
        )
        .context("cannot load the NGSI-LD subscriptions")?;
        subscriptions.start(&live);
        let limits = Limits {
            ngsi_ld: area().with_writers(Arc::clone(&writers), settings.writer_rate),
            tiles: area(),
            geocoder: area(),
        };
        Ok(Self {
            settings: Arc::new(settings),
            db,
            csp: Arc::new(csp),
            placeholder_tile,
            faults,
            staff,
            writers,
            auth,
            open311,
            limits,
            town: Arc::new(town),
            consents: Arc::new(consents),
            live,
            subscriptions,
        })
    }
}
