//! `quartier-platform`: serves the app, the APIs and the tiles until Ctrl-C or SIGTERM.

use std::{io::IsTerminal, path::PathBuf};

use anyhow::Context;
use clap::Parser;
use quartier_platform::{
    AppState, Settings, build_router, client,
    client::TrustedProxies,
    faults::{self, FaultKind, FaultSettings},
    live,
    rate::Rate,
    simulate,
    state::{DEFAULT_ANONYMOUS_RATE, DEFAULT_WRITER_RATE},
};
use tracing_subscriber::EnvFilter;

/// Quartier's reference platform: NGSI-LD, Open311, the resident API and the built app.
#[derive(Debug, Parser)]
#[command(version)]
struct Options {
    /// Port to listen on (0 picks a free one; the listening line gives it).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind; loopback by default, so nothing is exposed by accident.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Directory of the SQLite database (`quartier.db`), created if missing.
    #[arg(long, default_value = ".quartier/data")]
    data: PathBuf,
    /// Directory of the built app (Trunk's output).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Serve the demo town (demo residents and generated data).
    #[arg(long)]
    demo: bool,
    /// The town served: a JSON file with its name, postcode, outline and contacts (see the
    /// README). Without it and without `--demo`, an unnamed town that accepts any position.
    #[arg(long)]
    town: Option<PathBuf>,
    /// Size multiplier of the demo town.
    #[arg(long, default_value_t = 1)]
    scale: u32,
    /// Largest NGSI-LD page (`limit`); larger requests get 403 TooManyResults.
    #[arg(long, default_value_t = quartier_platform::routes::ngsi_ld::DEFAULT_MAX_LIMIT)]
    ngsi_ld_max_limit: usize,
    /// Mark the session cookie `Secure` with the `__Host-` prefix even without
    /// `X-Forwarded-Proto: https` (behind a TLS proxy that does not send it).
    #[arg(long)]
    secure_cookies: bool,
    /// Staff accounts of the staff API (`PATCH /api/v1/staff/requests/{id}`): one per line,
    /// `name:token` (scope open311:update) or `name:token:scope,scope`; tokens of 32 characters
    /// or more, hashed as they are read.
    #[arg(long, value_name = "FILE")]
    staff_token_file: Option<PathBuf>,
    /// NGSI-LD writers (the town's IoT agents): one per line, `name:token:Type,Type` (entity
    /// types, or `*` for all); tokens of 32 characters or more, hashed as they are read.
    #[arg(long, value_name = "FILE")]
    ngsi_ld_writers: Option<PathBuf>,
    /// Requests each NGSI-LD writer (IoT agent) may make: `N/s`, `N/min` or `N/h`; its writes
    /// count here, not against its address's anonymous rate.
    #[arg(long, value_name = "N/s", default_value_t = DEFAULT_WRITER_RATE)]
    writer_rate: Rate,
    /// How many of those requests may come at once before the rate applies.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_WRITER_RATE.burst)]
    writer_burst: std::num::NonZeroU32,
    /// Live streams (`GET /api/v1/live`) open at once; past it, 503 + `Retry-After`.
    #[arg(long, value_name = "N", default_value_t = live::DEFAULT_MAX_STREAMS)]
    max_live_streams: usize,
    /// Live streams one client (an address, an IPv6 /64) may have open at once.
    #[arg(long, value_name = "N", default_value_t = live::DEFAULT_MAX_STREAMS_PER_CLIENT)]
    max_live_streams_per_client: usize,
    /// A town's own NGSI-LD broker (Orion-LD, Stellio, Scorpio), `http://broker:1026/ngsi-ld/v1`:
    /// the platform subscribes to it and relays its changes to the open maps' live streams.
    /// Plain http (no TLS stack in the platform). Needs --relay-callback.
    #[arg(long, value_name = "URL", requires = "relay_callback")]
    relay_upstream: Option<String>,
    /// Where the upstream broker reaches this platform, `http://quartier.internal:8080`.
    #[arg(long, value_name = "URL", requires = "relay_upstream")]
    relay_callback: Option<String>,
    /// The entity types relayed, comma-separated; the layers of `DIST/config.json` by default.
    #[arg(
        long,
        value_name = "TYPES",
        value_delimiter = ',',
        requires = "relay_upstream"
    )]
    relay_types: Vec<String>,
    /// The `@context` URL of the town's data at the broker (sent in a `Link` header).
    #[arg(long, value_name = "URL", requires = "relay_upstream")]
    relay_context: Option<String>,
    /// Conformance runs only: anyone may write NGSI-LD entities. Refused with --demo or a
    /// --host that is not loopback.
    #[arg(long)]
    open_writes: bool,
    /// Fault mode, for end-to-end tests only: this share (0 to 1) of API requests is delayed
    /// (1-3 s), answered 500 or 503, loses its answer after the handler ran, or gets a truncated
    /// body with 200. Off by default; loud in the log when on.
    #[arg(long, value_name = "SHARE", value_parser = faults::parse_share)]
    faults: Option<f64>,
    /// Seed of the fault mode's choices (a random one, logged, when omitted).
    #[arg(long, value_name = "N", requires = "faults")]
    faults_seed: Option<u64>,
    /// The fault kinds drawn from, comma-separated: delay, 500, 503, drop, malformed (all by
    /// default).
    #[arg(long, value_name = "KINDS", value_delimiter = ',', requires = "faults")]
    fault_kinds: Vec<faults::FaultKind>,
    /// Test aid (demo only): one more Open311 service whose name and description are HTML
    /// (`<script>alert(1)</script><b>x</b>`), for the app's "shown as text" end-to-end test.
    #[arg(long, hide = true, requires = "demo")]
    demo_html_payloads: bool,
    /// A reverse proxy whose `X-Forwarded-For` names the client, as a CIDR range or an
    /// address; repeat for several. Loopback (127.0.0.0/8, ::1) unless given.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = client::parse_range)]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// Requests one client (an IPv4 address, an IPv6 /64) may make in each anonymous area
    /// (NGSI-LD, tiles, geocoder): `N/s`, `N/min` or `N/h`.
    #[arg(long, value_name = "N/s", default_value_t = DEFAULT_ANONYMOUS_RATE)]
    anonymous_rate: Rate,
    /// How many of those requests may come at once before the rate applies.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ANONYMOUS_RATE.burst)]
    anonymous_burst: std::num::NonZeroU32,
    /// Demo only: play the demo town's IoT agents (lamps fail and are repaired, bins fill and
    /// are emptied, parking, bikes and air follow the hour) through the NGSI-LD write API with
    /// the demo tokens.
    #[arg(long)]
    simulate: bool,
    /// Milliseconds between the simulator's ticks.
    #[arg(long, value_name = "MS", default_value_t = simulate::DEFAULT_INTERVAL.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1..), requires = "simulate")]
    simulate_interval: u64,
    /// Seed of the simulator's choices (a fixed one unless given).
    #[arg(long, value_name = "N", default_value_t = simulate::DEFAULT_SEED, requires = "simulate")]
    simulate_seed: u64,
    /// A JSON-LD context document known under a URL without fetching it: `URL=FILE`, read
    /// once at start; repeat for several. A request naming any other context URL (beside the
    /// built-in NGSI-LD core and Smart Data Models contexts) is 503 LdContextNotAvailable.
    #[arg(long = "jsonld-context", value_name = "URL=FILE", value_parser = parse_context_arg)]
    jsonld_contexts: Vec<(String, PathBuf)>,
}

/// `URL=FILE` of `--jsonld-context`.
fn parse_context_arg(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((url, file)) if !url.is_empty() && !file.is_empty() => {
            Ok((url.to_owned(), PathBuf::from(file)))
        }
        _ => Err(format!("expected URL=FILE, not {text:?}")),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        // stdout carries only the listening line, which scripts wait for.
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    if options.demo {
        tracing::info!(scale = options.scale, "demo mode");
    }
    quartier_platform::writers::check_open_writes(
        options.open_writes,
        options.demo,
        &options.host,
    )?;
    simulate::check_simulate(options.simulate, options.demo)?;
    let town = options
        .town
        .as_deref()
        .map(quartier_platform::town::TownConfig::load)
        .transpose()?;
    let staff_accounts = options
        .staff_token_file
        .as_deref()
        .map(quartier_platform::staff::load_token_file)
        .transpose()?
        .unwrap_or_default();
    let ngsi_ld_writers = options
        .ngsi_ld_writers
        .as_deref()
        .map(quartier_platform::writers::load_writer_file)
        .transpose()?
        .unwrap_or_default();
    let mut jsonld_contexts = quartier_api::ngsi_ld::ContextDocuments::default();
    for (url, file) in &options.jsonld_contexts {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the context {}", file.display()))?;
        jsonld_contexts
            .add(url, &text)
            .map_err(anyhow::Error::msg)?;
        tracing::info!(%url, file = %file.display(), "JSON-LD context known");
    }
    let faults = options.faults.map(|share| FaultSettings {
        kinds: if options.fault_kinds.is_empty() {
            FaultKind::ALL.to_vec()
        } else {
            options.fault_kinds.clone()
        },
        ..FaultSettings::new(share, options.faults_seed.unwrap_or_else(rand::random))
    });
    let relay = match (
        options.relay_upstream.clone(),
        options.relay_callback.clone(),
    ) {
        (Some(upstream), Some(callback)) => Some(relay_settings(&options, upstream, callback)?),
        _ => None,
    };
    let settings = Settings {
        relay,
        town,
        staff_accounts,
        ngsi_ld_writers,
        open_writes: options.open_writes,
        writer_rate: options.writer_rate.with_burst(options.writer_burst),
        max_live_streams: options.max_live_streams,
        max_live_streams_per_client: options.max_live_streams_per_client,
        faults,
        demo_html_payloads: options.demo_html_payloads,
        demo: options.demo,
        scale: options.scale,
        ngsi_ld_max_limit: options.ngsi_ld_max_limit,
        secure_cookies: options.secure_cookies,
        jsonld_contexts,
        anonymous_rate: options.anonymous_rate.with_burst(options.anonymous_burst),
        trusted_proxies: if options.trusted_proxies.is_empty() {
            TrustedProxies::loopback()
        } else {
            TrustedProxies::new(options.trusted_proxies)
        },
        ..Settings::new(options.data, options.dist)
    };
    let state = AppState::new(settings).context("cannot start the platform")?;
    if let Some(relay) = state.settings.relay.clone() {
        tokio::spawn(quartier_platform::relay::run(relay));
    }
    tracing::info!(database = %state.db.path().display(), dist = %state.settings.dist_dir.display(), "ready");

    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", options.host, options.port))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    println!("Quartier platform listening on http://{address}");

    // Started once the listener is bound: its first reads are then answered, not refused.
    let simulator = options.simulate.then(|| {
        simulate::spawn(simulate::Config {
            interval: std::time::Duration::from_millis(options.simulate_interval),
            seed: options.simulate_seed,
            ..simulate::Config::new(address, &state.settings)
        })
    });
    // Connect info gives the peer address to every per-client limit.
    axum::serve(
        listener,
        build_router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Stopped first, so that it does not write to a server that is draining.
        if let Some(simulator) = &simulator {
            simulator.abort();
        }
    })
    .await
    .context("server error")?;
    tracing::info!("stopped");
    Ok(())
}

/// The relay's settings: the types of the app's layers unless given, the broker's token from
/// `QUARTIER_RELAY_TOKEN` (a secret stays out of the process list), a new key.
fn relay_settings(
    options: &Options,
    upstream: String,
    callback: String,
) -> anyhow::Result<quartier_platform::relay::RelaySettings> {
    let types = if options.relay_types.is_empty() {
        let config = options.dist.join("config.json");
        let text = std::fs::read_to_string(&config).with_context(|| {
            format!("--relay-upstream reads the layers of {}", config.display())
        })?;
        quartier_platform::relay::layer_types(&text)
    } else {
        options.relay_types.clone()
    };
    if types.is_empty() {
        anyhow::bail!(
            "--relay-upstream: no entity type to follow (--relay-types, or layers in config.json)"
        );
    }
    for url in [&upstream, &callback] {
        if !url.starts_with("http://") {
            anyhow::bail!("--relay-upstream and --relay-callback are http:// addresses: {url}");
        }
    }
    Ok(quartier_platform::relay::RelaySettings {
        upstream,
        callback,
        types,
        context: options.relay_context.clone(),
        token: std::env::var("QUARTIER_RELAY_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
        key: quartier_platform::relay::RelaySettings::new_key(),
    })
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish and SQLite closes cleanly.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
