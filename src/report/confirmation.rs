//! After "Send report": the report's number and a link to follow it, or that it waits on the
//! device and will go by itself (with a way to try now).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::route::Route;
use crate::session::use_session;

use super::outbox::{csrf, use_outbox};

/// How the last "Send report" ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    Created {
        id: Option<String>,
        notice: Option<String>,
    },
    Queued,
}

/// After "Send report": the id and a link to follow the report, or that it waits on the device.
#[component]
pub fn Confirmation(outcome: Sent, on_again: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = use_outbox();
    let session = use_session();
    match outcome {
        Sent::Created { id, notice } => view! {
            <section class="report-confirmation" role="status" aria-labelledby="report-sent-title">
                <h2 id="report-sent-title" tabindex="-1">{i18n.tr("report-sent-title")}</h2>
                {id.clone().map(|id| view! {
                    <p>{move || i18n.t_with("report-sent-id", &[("id", id.clone().into())])}</p>
                })}
                {notice.map(|n| view! { <p class="report-confirmation__notice">{n}</p> })}
                <p class="report-confirmation__actions">
                    {id.map(|id| view! {
                        <Link href=Route::ReportDetail(id).path() class="button button--primary">{i18n.tr("report-sent-follow")}</Link>
                    })}
                    <button type="button" class="button" on:click=move |_| on_again.run(())>{i18n.tr("report-another")}</button>
                </p>
            </section>
        }
        .into_any(),
        Sent::Queued => view! {
            <section class="report-confirmation report-confirmation--queued" role="status" aria-labelledby="report-queued-title">
                <h2 id="report-queued-title" tabindex="-1">{i18n.tr("report-queued-title")}</h2>
                <p>{i18n.tr("report-queued-text")}</p>
                <p class="report-confirmation__actions">
                    <button type="button" class="button button--primary" on:click=move |_| outbox.send_now(csrf(session))>
                        {i18n.tr("report-send-now")}
                    </button>
                    <Link href=Route::MyReports.path() class="button">{i18n.tr("report-see-mine")}</Link>
                    <button type="button" class="button" on:click=move |_| on_again.run(())>{i18n.tr("report-another")}</button>
                </p>
                <p role="status">
                    {move || outbox.delivered.get().map(|sent| i18n.t_with("report-delivered", &[("id", sent.id.into())]))}
                </p>
            </section>
        }
        .into_any(),
    }
}
