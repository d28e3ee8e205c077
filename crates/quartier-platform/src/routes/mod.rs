//! The URL space: one module per area, each API nested under its prefix with its error format.
//!
//! To add an API (`ngsi_ld.rs`, `open311.rs`, `resident.rs`): give it `pub fn router() ->
//! Router<AppState>` with paths relative to its prefix (e.g. `/v1/entities` for NGSI-LD), and nest
//! `formatted(api_area(router), format, deadline)` below (`limited` for an anonymous area, which
//! also bounds its requests in flight). Its handlers return `Result<_, AppError>`; the area's
//! layer renders errors in the API's own shape, its deadline's and its limit's included.

pub mod geocode;
pub mod health;
pub mod ngsi_ld;
pub mod open311;
pub mod resident;
pub mod staff;
pub mod tiles;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{DefaultBodyLimit, OriginalUri},
    middleware,
    routing::{get, post},
};

use crate::{
    error::{AppError, ErrorFormat, format_layer},
    faults::{self, Faults},
    limits::{self, AreaLimit},
    state::AppState,
    static_files,
};

/// Path prefixes that belong to the platform, never to the app's client-side router.
const AREAS: &[(&str, ErrorFormat)] = &[
    ("/ngsi-ld", ErrorFormat::NgsiLd),
    ("/open311", ErrorFormat::Open311),
    ("/api", ErrorFormat::Resident),
    ("/tiles", ErrorFormat::Plain),
    ("/geocode", ErrorFormat::Resident),
    ("/healthz", ErrorFormat::Plain),
];

/// Every area has the request deadline of `state`'s settings; the anonymous ones (NGSI-LD,
/// tiles, geocoder) a bound on their requests in flight.
pub fn router(state: &AppState) -> Router<AppState> {
    let deadline = state.settings.request_deadline;
    let limits = &state.limits;
    // The fault mode covers the APIs an app calls; never health checks, tiles or the app.
    let faults = state.faults.as_ref();
    Router::new()
        .route("/healthz", get(health::healthz))
        .merge(limited(
            tiles::router(),
            ErrorFormat::Plain,
            deadline,
            &limits.tiles,
            None,
        ))
        .nest(
            "/ngsi-ld",
            limited(
                api_area(ngsi_ld::router()),
                ErrorFormat::NgsiLd,
                deadline,
                &limits.ngsi_ld,
                faults,
            ),
        )
        .nest(
            "/open311",
            open311::xml_errors_layer(formatted(
                api_area(open311::router()),
                ErrorFormat::Open311,
                state.settings.upload_deadline,
                faults,
            )),
        )
        // Outside the API's deadline: a stream lasts as long as the map stays open.
        .route(
            quartier_api::ngsi_ld::live::LIVE_PATH,
            get(crate::live::stream).layer(middleware::map_response_with_state(
                ErrorFormat::Resident,
                format_layer,
            )),
        )
        // The upstream broker's notifications, when the platform relays one (`relay.rs`).
        .route(
            crate::relay::UPSTREAM_PATH,
            post(crate::relay::receive)
                .layer(DefaultBodyLimit::max(
                    crate::routes::ngsi_ld::write::WRITE_BODY_LIMIT,
                ))
                .layer(middleware::map_response_with_state(
                    ErrorFormat::NgsiLd,
                    format_layer,
                )),
        )
        .nest(
            "/api",
            formatted(
                api_area(resident::router().merge(staff::router())),
                ErrorFormat::Resident,
                deadline,
                faults,
            ),
        )
        .nest(
            "/geocode",
            limited(
                api_area(geocode::router()),
                ErrorFormat::Resident,
                deadline,
                &limits.geocoder,
                None,
            ),
        )
        .fallback(static_files::serve)
}

/// An API's routes with a 404 for the rest of its prefix.
fn api_area(routes: Router<AppState>) -> Router<AppState> {
    routes.fallback(no_route)
}

/// Routes under a deadline, with their area's error format on every error (the deadline's
/// included: the format layer is outside it), and the fault mode when it is on, between the two
/// (its 500 and 503 come out in the area's format; its delay does not eat the deadline).
fn formatted(
    routes: Router<AppState>,
    format: ErrorFormat,
    deadline: Duration,
    faults: Option<&Arc<Faults>>,
) -> Router<AppState> {
    let routes = routes.layer(middleware::from_fn_with_state(deadline, limits::deadline));
    let routes = match faults {
        Some(faults) => routes.layer(middleware::from_fn_with_state(
            Arc::clone(faults),
            faults::inject,
        )),
        None => routes,
    };
    routes.layer(middleware::map_response_with_state(format, format_layer))
}

/// [`formatted`], and at most `limit`'s number of requests in flight (waiting for a place counts
/// in the deadline).
fn limited(
    routes: Router<AppState>,
    format: ErrorFormat,
    deadline: Duration,
    limit: &AreaLimit,
    faults: Option<&Arc<Faults>>,
) -> Router<AppState> {
    formatted(
        routes.layer(middleware::from_fn_with_state(limit.clone(), limits::limit)),
        format,
        deadline,
        faults,
    )
}

async fn no_route(OriginalUri(uri): OriginalUri) -> AppError {
    // OriginalUri: inside a nested router `Uri` has lost the area's prefix.
    AppError::not_found(format!("no resource at {}", uri.path()))
}

/// The API area a path belongs to, if any: such paths never fall back to the app's index.html.
pub fn area_of(path: &str) -> Option<ErrorFormat> {
    AREAS.iter().find_map(|(prefix, format)| {
        let rest = path.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some(*format)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_match_whole_segments() {
        assert_eq!(area_of("/ngsi-ld/v1/entities"), Some(ErrorFormat::NgsiLd));
        assert_eq!(area_of("/open311"), Some(ErrorFormat::Open311));
        assert_eq!(area_of("/api/v1/me"), Some(ErrorFormat::Resident));
        assert_eq!(area_of("/healthz/x"), Some(ErrorFormat::Plain));
        assert_eq!(area_of("/apiary"), None);
        assert_eq!(area_of("/map"), None);
        assert_eq!(area_of("/"), None);
    }
}
