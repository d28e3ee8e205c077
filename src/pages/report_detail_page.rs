//! `/reports/{id}`: one report as the town's Open311 server tells it: its status, category,
//! place (a small map and the address), photo, the town's notes and expected date, and how
//! many people follow it (and a button to follow it too). Everything from the server is shown
//! as text.

use leptos::prelude::*;
use quartier_api::open311::{RequestStatus, ServiceRequest};

use crate::api::ApiError;
use crate::api::open311::fetch_request;
use crate::browser;
use crate::components::async_section::AsyncSection;
use crate::components::page_heading::PageHeading;
use crate::config::use_config;
use crate::i18n::{I18n, use_i18n};
use crate::map::leaflet_map::{DrawItem, DrawKind, GoTo, LeafletMap, MapSetup};
use crate::navigation::Link;
use crate::report::follow_button::FollowButton;
use crate::route::Route;
use crate::task::Latest;

#[component]
pub fn ReportDetailPage(
    /// The report's Open311 `service_request_id`, decoded from the path.
    id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let base = use_config().api.open311.clone();
    let report = Latest::<Result<ServiceRequest, ApiError>>::new();
    let load = {
        let id = id.clone();
        move || {
            let (base, id) = (base.clone(), id.clone());
            report.run(async move { fetch_request(&base, &id).await });
        }
    };
    load();
    let title = {
        let id = id.clone();
        Signal::derive(move || {
            i18n.t_with("page-report-detail-title", &[("id", id.clone().into())])
        })
    };
    let state = Signal::derive_local(move || report.value());
    view! {
        <div class="report-detail">
            <PageHeading title=title/>
            <AsyncSection state=state on_retry=Callback::new(move |_| load()) let:found>
                <ReportFacts report=found/>
            </AsyncSection>
            <p><Link href=Route::MyReports.path()>{i18n.tr("report-detail-mine")}</Link></p>
        </div>
    }
}

/// The words of a status ("Open", "Closed", or the server's own word).
pub fn status_text(i18n: I18n, status: &RequestStatus) -> String {
    match status {
        RequestStatus::Open => i18n.t("report-status-open"),
        RequestStatus::Closed => i18n.t("report-status-closed"),
        RequestStatus::Other(word) => word.clone(),
    }
}

#[component]
fn ReportFacts(report: ServiceRequest) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let lang = move || i18n.lang().code();
    let date = move |t: &quartier_api::Timestamp| browser::local_date_time(t.unix_millis(), lang());
    let status = report.status.clone();
    let status_class = match status {
        RequestStatus::Closed => "report-status report-status--closed",
        _ => "report-status report-status--open",
    };
    let map = report.position.map(|at| {
        let setup = MapSetup {
            start: GoTo { lat: at.lat, lon: at.lon, zoom: 17 },
            min_zoom: config.map.min_zoom,
            max_zoom: config.map.max_zoom,
            tiles_max_zoom: config.map.tiles.max_zoom,
            tile_url: config.map.tiles.url.clone(),
            attribution: config.map.tiles.attribution.clone(),
        };
        let item = DrawItem { lat: at.lat, lon: at.lon, kind: DrawKind::Point { colour: "#b91c1c" } };
        view! {
            <div class="report-detail__map" role="img" aria-label=move || i18n.t_with("report-detail-map", &[("lat", format!("{:.5}", at.lat).into()), ("lon", format!("{:.5}", at.lon).into())])>
                <LeafletMap
                    setup=setup
                    items=Signal::derive(move || vec![item.clone()])
                    highlight=Signal::derive(move || Some((at.lat, at.lon)))
                    go_to=Signal::derive(|| None)
                    on_view=Callback::new(|_| {})
                    on_pick=Callback::new(|_| {})
                    on_failure=Callback::new(|_: String| {})
                />
            </div>
        }
    });
    let row = |key: &'static str, value: Option<String>| {
        value.filter(|v| !v.trim().is_empty()).map(|value| {
            view! {
                <dt>{i18n.tr(key)}</dt>
                <dd>{value}</dd>
            }
        })
    };
    let followers = RwSignal::new(report.followers);
    let id = report.service_request_id.clone();
    let requested = report.requested_datetime.as_ref().map(date);
    let updated = report.updated_datetime.as_ref().map(date);
    let expected = report.expected_datetime.as_ref().map(date);
    view! {
        <p class=status_class>
            {move || i18n.t_with("report-detail-status", &[("status", status_text(i18n, &status).into())])}
        </p>
        <dl class="report-detail__facts">
            {row("report-detail-category", report.service_name.clone())}
            {row("report-detail-description", report.description.clone())}
            {row("report-detail-address", report.address.clone())}
            {row("report-detail-requested", requested)}
            {row("report-detail-updated", updated)}
            {row("report-detail-expected", expected)}
            {row("report-detail-notes", report.status_notes.clone())}
            {row("report-detail-agency", report.agency_responsible.clone())}
        </dl>
        <p class="report-detail__followers">
            {move || followers.get().map(|count| i18n.t_with("report-detail-followers", &[("count", i64::from(count).into())]))}
        </p>
        {(report.status != RequestStatus::Closed).then(|| view! {
            <FollowButton id=id on_followed=Callback::new(move |fresh: ServiceRequest| followers.set(fresh.followers))/>
        })}
        {map}
        <ul class="report-detail__photos">
            {report.media_urls.iter().enumerate().map(|(i, url)| {
                let n = (i + 1) as i64;
                view! {
                    <li>
                        <img
                            class="report-detail__photo"
                            src=url.clone()
                            alt=move || i18n.t_with("report-detail-photo", &[("n", n.into())])
                        />
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
