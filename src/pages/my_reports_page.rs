//! `/my-reports`: the resident's reports with their status: those of their account when signed
//! in, else those sent from this device (their ids are kept on it); and above them, the reports
//! still waiting on this device to be sent, which can be sent now, or deleted if the town
//! refused them.

use leptos::prelude::*;
use quartier_api::open311::ServiceRequest;

use crate::api::ApiError;
use crate::api::open311::fetch_requests;
use crate::api::resident::fetch_my_reports;
use crate::browser;
use crate::components::async_section::AsyncSection;
use crate::components::page_heading::PageHeading;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::pages::report_detail_page::status_text;
use crate::report::outbox::{Queued, csrf, sent_reports, use_outbox};
use crate::route::Route;
use crate::session::{SessionState, use_session};
use crate::task::Latest;

#[component]
pub fn MyReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let session = use_session();
    let outbox = use_outbox();
    let reports = Latest::<Result<Vec<ServiceRequest>, ApiError>>::new();
    let (open311, resident) = (config.api.open311.clone(), config.api.resident.clone());
    let load = move || {
        let (open311, resident) = (open311.clone(), resident.clone());
        let signed_in = matches!(session.state.get_untracked(), SessionState::SignedIn { .. });
        reports.run(async move {
            if signed_in {
                Ok(fetch_my_reports(&resident).await?.items)
            } else {
                let ids: Vec<String> = sent_reports().into_iter().map(|s| s.id).collect();
                let mut found = fetch_requests(&open311, &ids).await?;
                // Newest first, as the device sent them.
                found.sort_by_key(|r| ids.iter().position(|id| *id == r.service_request_id));
                Ok(found)
            }
        });
    };
    let load = StoredValue::new(load);
    // Again once the session is known, and after each background delivery.
    Effect::new(move |_| {
        session.state.track();
        outbox.delivered.track();
        load.with_value(|load| load());
    });
    let state = Signal::derive_local(move || reports.value());
    let waiting = move || outbox.waiting.get();
    view! {
        <div class="my-reports">
            <PageHeading title=i18n.tr("page-my-reports-title")/>
            <p>
                {move || match session.state.get() {
                    SessionState::SignedIn { .. } => i18n.t("my-reports-account"),
                    _ => i18n.t("my-reports-device"),
                }}
            </p>
            <Show when=move || !waiting().is_empty()>
                <section class="my-reports__waiting" aria-labelledby="my-reports-waiting-title">
                    <h2 id="my-reports-waiting-title">{i18n.tr("my-reports-waiting-title")}</h2>
                    <ul class="report-list">
                        <For each=waiting key=|q: &Queued| (q.key.clone(), q.refused.clone()) let:queued>
                            <WaitingReport queued=queued/>
                        </For>
                    </ul>
                    <button type="button" class="button button--primary" on:click=move |_| outbox.send_now(csrf(session))>
                        {i18n.tr("report-send-now")}
                    </button>
                </section>
            </Show>
            <section aria-labelledby="my-reports-sent-title">
                <h2 id="my-reports-sent-title">{i18n.tr("my-reports-sent-title")}</h2>
                <AsyncSection state=state on_retry=Callback::new(move |_| load.with_value(|load| load())) let:found>
                    {if found.is_empty() {
                        view! { <p>{i18n.t("my-reports-none")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="report-list">
                                <For each=move || found.clone() key=|r: &ServiceRequest| r.service_request_id.clone() let:report>
                                    <SentReport report=report/>
                                </For>
                            </ul>
                        }.into_any()
                    }}
                </AsyncSection>
            </section>
            <p><Link href=Route::Report.path() class="button">{i18n.tr("nav-report")}</Link></p>
        </div>
    }
}

#[component]
fn SentReport(report: ServiceRequest) -> impl IntoView {
    let i18n = use_i18n();
    let id = report.service_request_id.clone();
    let when = report.requested_datetime.as_ref().map(|t| t.unix_millis());
    let status = report.status.clone();
    view! {
        <li class="report-list__item">
            <Link href=Route::ReportDetail(id.clone()).path()>
                {report.service_name.clone().unwrap_or_else(|| i18n.t("my-reports-no-category"))}
                " — "
                {move || i18n.t_with("my-reports-number", &[("id", id.clone().into())])}
            </Link>
            <p class="report-list__meta">
                {move || status_text(i18n, &status)}
                {move || when.map(|at| format!(" · {}", browser::local_date_time(at, i18n.lang().code())))}
            </p>
        </li>
    }
}

#[component]
fn WaitingReport(queued: Queued) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = use_outbox();
    let key = queued.key.clone();
    let refused = queued.refused.clone();
    let at = queued.queued_at as i64;
    view! {
        <li class="report-list__item">
            <p>{queued.service_name.clone()}</p>
            <p class="report-list__meta">
                {move || match &refused {
                    None => i18n.t_with("my-reports-waiting", &[("time", browser::local_date_time(at, i18n.lang().code()).into())]),
                    Some(reason) => i18n.t(reason),
                }}
            </p>
            {queued.refused.is_some().then(|| view! {
                <button type="button" class="button" on:click=move |_| {
                    let key = key.clone();
                    leptos::task::spawn_local(async move { outbox.forget(&key).await });
                }>{i18n.tr("my-reports-delete")}</button>
            })}
        </li>
    }
}
