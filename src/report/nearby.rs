//! "Already known": before sending, the open reports of the same category within
//! [`NEARBY_RADIUS_M`] of the place (Open311 with the `lat`/`long`/`radius` extension) and the
//! live state of the nearby assets of the matching layer (NGSI-LD): "this streetlight reports
//! itself out of order since 14:05". The resident may follow an existing report instead of
//! sending a new one ([`FollowButton`]).

use leptos::prelude::*;
use quartier_api::geo::LonLat;
use quartier_api::open311::ServiceRequest;

use crate::api::ApiError;
use crate::api::ngsi_ld::{LayerQuery, MapFeature, fetch_layer_page};
use crate::api::open311::fetch_nearby;
use crate::browser;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::layers::{StateClass, classify};
use crate::map::services_list::short_reference;
use crate::map::state_words::state_words;
use crate::navigation::Link;
use crate::route::Route;
use crate::task::Latest;

use super::follow_button::FollowButton;

/// How far a report or an asset counts as "the same place", in metres.
pub const NEARBY_RADIUS_M: f64 = 50.0;

/// An asset near the place that reports a problem itself.
#[derive(Clone, Debug, PartialEq)]
pub struct TroubledAsset {
    pub entity_type: String,
    pub feature: MapFeature,
}

#[derive(Clone, Debug, PartialEq)]
struct Known {
    reports: Vec<ServiceRequest>,
    assets: Vec<TroubledAsset>,
}

/// The layers whose assets this category is about (the town's `reportServices`).
fn layers_for(service_code: &str) -> Vec<(String, Option<String>)> {
    use_config()
        .layers
        .iter()
        .filter(|l| l.report_services.iter().any(|s| s == service_code))
        .map(|l| (l.entity_type.clone(), l.status_attribute.clone()))
        .collect()
}

/// A box of `radius` metres around `at`, `[west, south, east, north]`.
fn around(at: LonLat, radius: f64) -> [f64; 4] {
    let dlat = radius / 111_320.0;
    let dlon = radius / (111_320.0 * at.lat.to_radians().cos().max(0.01));
    [at.lon - dlon, at.lat - dlat, at.lon + dlon, at.lat + dlat]
}

async fn troubled_assets(
    base: String,
    at: LonLat,
    layers: Vec<(String, Option<String>)>,
) -> Vec<TroubledAsset> {
    let mut found = Vec::new();
    for (entity_type, status) in layers {
        let Some(status) = status else { continue };
        let attrs = [status.as_str(), "name"];
        let query = LayerQuery {
            entity_type: &entity_type,
            status_attr: Some(&status),
            attrs: &attrs,
            area: Some(around(at, NEARBY_RADIUS_M)),
        };
        // The live state is a bonus: a broker that fails leaves the report hint alone.
        let Ok(page) = fetch_layer_page(&base, &query, 0, 50, false, None).await else {
            continue;
        };
        found.extend(
            page.features
                .into_iter()
                .filter(|f| {
                    LonLat {
                        lon: f.lon,
                        lat: f.lat,
                    }
                    .distance_m(&at)
                        <= NEARBY_RADIUS_M
                        && classify(&entity_type, f.status.as_ref()) == StateClass::Problem
                })
                .map(|feature| TroubledAsset {
                    entity_type: entity_type.clone(),
                    feature,
                }),
        );
    }
    found
}

#[component]
pub fn NearbyKnown(
    /// The category and the place, once both are known.
    #[prop(into)]
    wanted: Signal<Option<(String, LonLat)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let open311 = config.api.open311.clone();
    let broker = config.api.ngsi_ld.clone();
    let known = Latest::<Result<Known, ApiError>>::new();
    Effect::new(move |_| {
        let Some((code, at)) = wanted.get() else {
            known.clear();
            return;
        };
        let (open311, broker) = (open311.clone(), broker.clone());
        let layers = layers_for(&code);
        known.run(async move {
            let reports = fetch_nearby(&open311, at, NEARBY_RADIUS_M, &code).await?;
            let assets = troubled_assets(broker, at, layers).await;
            Ok(Known { reports, assets })
        });
    });
    move || {
        let Some(Ok(found)) = known.value() else {
            return None;
        };
        if found.reports.is_empty() && found.assets.is_empty() {
            return None;
        }
        let lang = i18n.lang();
        let assets = found
            .assets
            .iter()
            .map(|asset| {
                let layer = use_config().layer_label(&asset.entity_type, lang);
                let state = asset
                    .feature
                    .status
                    .as_ref()
                    .map(|v| state_words(&asset.entity_type, v, None).text(i18n))
                    .unwrap_or_default();
                let name = asset
                    .feature
                    .name
                    .clone()
                    .unwrap_or_else(|| short_reference(&asset.feature.id));
                let text = match asset.feature.observed {
                    Some(at) => i18n.t_with(
                        "report-nearby-asset-since",
                        &[
                            ("layer", layer.into()),
                            ("name", name.into()),
                            ("state", state.into()),
                            ("time", browser::local_date_time(at, lang.code()).into()),
                        ],
                    ),
                    None => i18n.t_with(
                        "report-nearby-asset",
                        &[
                            ("layer", layer.into()),
                            ("name", name.into()),
                            ("state", state.into()),
                        ],
                    ),
                };
                view! { <li>{text}</li> }
            })
            .collect_view();
        let reports = found
            .reports
            .into_iter()
            .map(|report| {
                let id = report.service_request_id.clone();
                let when = report
                    .requested_datetime
                    .as_ref()
                    .map(|t| browser::local_date_time(t.unix_millis(), lang.code()))
                    .unwrap_or_default();
                view! {
                    <li class="report-nearby__report">
                        <p>
                            <strong>{report.service_name.clone().unwrap_or_default()}</strong>
                            " — "
                            {report.description.clone().unwrap_or_default()}
                        </p>
                        <p class="report-nearby__meta">
                            {i18n.t_with("report-nearby-reported", &[("time", when.into()), ("id", id.clone().into())])}
                            " "
                            <Link href=Route::ReportDetail(id.clone()).path()>{i18n.t("report-nearby-open")}</Link>
                        </p>
                        <FollowButton id=id.clone()/>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <section class="report-nearby" aria-labelledby="report-nearby-title">
                <h3 id="report-nearby-title">{i18n.t("report-nearby-title")}</h3>
                <ul class="report-nearby__assets">{assets}</ul>
                <ul class="report-nearby__reports">{reports}</ul>
                <p>{i18n.t("report-nearby-still-send")}</p>
            </section>
        })
    }
}
