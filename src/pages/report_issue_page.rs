//! `/report`: report an issue to the town.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::i18n::use_i18n;
use crate::report::form::ReportForm;

#[component]
pub fn ReportIssuePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="report-page">
            <PageHeading title=i18n.tr("page-report-title")/>
            <ReportForm/>
        </div>
    }
}
