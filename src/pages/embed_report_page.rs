//! `/embed/report`: the report form as a widget for a town's website (in an iframe), without
//! the site's header and footer (`Route::is_embed`). Its heading stays for screen readers.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::i18n::use_i18n;
use crate::report::form::ReportForm;

#[component]
pub fn EmbedReportPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="report-page report-page--embed">
            <PageHeading title=i18n.tr("page-report-title")/>
            <ReportForm/>
        </div>
    }
}
