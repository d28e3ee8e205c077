//! `/embed/report`: the report widget for iframes (until the form lands, it says so).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;
use crate::i18n::use_i18n;

#[component]
pub fn EmbedReportPage() -> impl IntoView {
    let i18n = use_i18n();
    view! { <ComingSoon title=i18n.tr("page-embed-report-title")/> }
}
