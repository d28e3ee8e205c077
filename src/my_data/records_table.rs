//! A category's records as a resident reads them: the profile as a list of facts, readings and
//! uses as tables with their units, reports with a link to each, consents with their state.
//! Records of a category the app does not know are shown field by field, as text (never as
//! HTML), so that nothing the town holds is hidden.

use leptos::prelude::*;
use quartier_api::open311::ServiceRequest;
use quartier_api::resident::{ConsentRecord, ConsentState, Profile, WasteBadgeUse, WaterReading};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::words::waste_stream_words;
use crate::browser;
use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::pages::report_detail_page::status_text;
use crate::route::Route;

/// The records, or `None` when one of them does not have the category's shape.
fn typed<T: DeserializeOwned>(items: &[Value]) -> Option<Vec<T>> {
    items
        .iter()
        .map(|item| serde_json::from_value(item.clone()).ok())
        .collect()
}

#[component]
pub fn RecordsTable(
    /// The category's code.
    category: String,
    /// One page of its records.
    items: Vec<Value>,
) -> impl IntoView {
    let i18n = use_i18n();
    if items.is_empty() {
        return view! { <p class="my-data__none">{i18n.tr("my-data-no-records")}</p> }.into_any();
    }
    match category.as_str() {
        "identity" => {
            typed::<Profile>(&items).map(|p| view! { <ProfileFacts profiles=p/> }.into_any())
        }
        "water-meter-readings" => {
            typed::<WaterReading>(&items).map(|r| view! { <WaterReadings readings=r/> }.into_any())
        }
        "waste-badge-uses" => {
            typed::<WasteBadgeUse>(&items).map(|u| view! { <WasteUses uses=u/> }.into_any())
        }
        "issue-reports" => {
            typed::<ServiceRequest>(&items).map(|r| view! { <Reports reports=r/> }.into_any())
        }
        "consents" => {
            typed::<ConsentRecord>(&items).map(|r| view! { <Consents records=r/> }.into_any())
        }
        _ => None,
    }
    .unwrap_or_else(|| view! { <AnyRecords items=items/> }.into_any())
}

#[component]
fn ProfileFacts(profiles: Vec<Profile>) -> impl IntoView {
    let i18n = use_i18n();
    profiles
        .into_iter()
        .map(|p| {
            let since = p.resident_since.as_ref().map(|t| t.as_str().to_string());
            let lang_code = p.preferred_language.clone();
            view! {
                <dl class="facts">
                    <dt>{i18n.tr("profile-name")}</dt>
                    <dd>{p.name.full.clone()}</dd>
                    <dt>{i18n.tr("profile-email")}</dt>
                    <dd>{p.email.clone()}</dd>
                    <dt>{i18n.tr("profile-phone")}</dt>
                    <dd>{p.phone.clone().unwrap_or_else(|| i18n.t("profile-not-given"))}</dd>
                    <dt>{i18n.tr("profile-address")}</dt>
                    <dd>{p.address.as_ref().map(|a| a.label.clone()).unwrap_or_else(|| i18n.t("profile-not-given"))}</dd>
                    <dt>{i18n.tr("profile-since")}</dt>
                    <dd>{move || since.as_deref().map(|d| browser::local_day(&d[..d.len().min(10)], i18n.lang().code())).unwrap_or_default()}</dd>
                    <dt>{i18n.tr("profile-language")}</dt>
                    <dd>{lang_code.unwrap_or_default()}</dd>
                </dl>
            }
        })
        .collect_view()
}

#[component]
fn WaterReadings(readings: Vec<WaterReading>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang().code();
    view! {
        <table class="data-table">
            <caption class="visually-hidden">{i18n.tr("data-category-title-water-meter-readings")}</caption>
            <thead>
                <tr>
                    <th scope="col">{i18n.tr("records-date")}</th>
                    <th scope="col">{i18n.tr("records-meter")}</th>
                    <th scope="col">{i18n.tr("records-index")}</th>
                    <th scope="col">{i18n.tr("records-used-litres")}</th>
                </tr>
            </thead>
            <tbody>
                {readings.into_iter().map(|r| {
                    let date = r.date.clone();
                    view! {
                        <tr>
                            <th scope="row">{move || browser::local_day(&date, lang())}</th>
                            <td>{r.meter_id.clone()}</td>
                            <td class="data-table__number">{move || browser::local_number(r.index_litres as f64 / 1000.0, lang(), 3)}</td>
                            <td class="data-table__number">{move || browser::local_number(r.consumption_litres as f64, lang(), 0)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn WasteUses(uses: Vec<WasteBadgeUse>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang().code();
    view! {
        <table class="data-table">
            <caption class="visually-hidden">{i18n.tr("data-category-title-waste-badge-uses")}</caption>
            <thead>
                <tr>
                    <th scope="col">{i18n.tr("records-when")}</th>
                    <th scope="col">{i18n.tr("records-waste-stream")}</th>
                    <th scope="col">{i18n.tr("records-container")}</th>
                    <th scope="col">{i18n.tr("records-weight")}</th>
                </tr>
            </thead>
            <tbody>
                {uses.into_iter().map(|u| {
                    let at = u.timestamp.unix_millis();
                    let stream = u.waste_stream.clone();
                    let container = u.container_id.rsplit(':').next().unwrap_or_default().to_string();
                    view! {
                        <tr>
                            <th scope="row">{move || browser::local_date_time(at, lang())}</th>
                            <td>{move || waste_stream_words(i18n, &stream)}</td>
                            <td>{container}</td>
                            <td class="data-table__number">{move || u.weight_kg.map(|kg| browser::local_number(kg, lang(), 1)).unwrap_or_else(|| i18n.t("records-not-weighed"))}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Reports(reports: Vec<ServiceRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang().code();
    view! {
        <ul class="report-list">
            {reports.into_iter().map(|r| {
                let id = r.service_request_id.clone();
                let when = r.requested_datetime.as_ref().map(|t| t.unix_millis());
                let status = r.status.clone();
                view! {
                    <li class="report-list__item">
                        <Link href=Route::ReportDetail(id.clone()).path()>
                            {r.service_name.clone().unwrap_or_else(|| i18n.t("my-reports-no-category"))}
                            " — "
                            {move || i18n.t_with("my-reports-number", &[("id", id.clone().into())])}
                        </Link>
                        <p class="report-list__meta">
                            {move || status_text(i18n, &status)}
                            {move || when.map(|at| format!(" · {}", browser::local_date_time(at, lang())))}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Consents(records: Vec<ConsentRecord>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang().code();
    view! {
        <table class="data-table">
            <caption class="visually-hidden">{i18n.tr("data-category-title-consents")}</caption>
            <thead>
                <tr>
                    <th scope="col">{i18n.tr("records-purpose")}</th>
                    <th scope="col">{i18n.tr("records-state")}</th>
                    <th scope="col">{i18n.tr("records-events")}</th>
                </tr>
            </thead>
            <tbody>
                {records.into_iter().map(|r| {
                    let purpose = r.processing.purpose.clone().unwrap_or_else(|| r.processing.purpose_id.clone());
                    let state = r.state.clone();
                    let latest = r.latest_event().map(|e| e.timestamp.unix_millis());
                    let count = r.events.len();
                    view! {
                        <tr>
                            <th scope="row">{purpose}</th>
                            <td>{move || {
                                let key = match state {
                                    ConsentState::Given => "records-consent-given",
                                    ConsentState::Withdrawn => "records-consent-withdrawn",
                                    ConsentState::Refused => "records-consent-refused",
                                    _ => "records-consent-none",
                                };
                                i18n.t_with(key, &[("time", latest.map(|at| browser::local_date_time(at, lang())).unwrap_or_default().into())])
                            }}</td>
                            <td class="data-table__number">{count}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p><Link href=Route::Consents.path()>{i18n.tr("records-consents-link")}</Link></p>
    }
}

/// Records of a category this version of the app does not know: each field as `name: value`.
#[component]
fn AnyRecords(items: Vec<Value>) -> impl IntoView {
    view! {
        <ul class="my-data__records">
            {items.into_iter().map(|item| {
                let text = match &item {
                    Value::Object(fields) => fields
                        .iter()
                        .map(|(name, value)| match value {
                            Value::String(s) => format!("{name}: {s}"),
                            other => format!("{name}: {other}"),
                        })
                        .collect::<Vec<_>>()
                        .join(" · "),
                    other => other.to_string(),
                };
                view! { <li>{text}</li> }
            }).collect_view()}
        </ul>
    }
}
