//! `/reports/{id}`: one report (until its issue lands, it says so).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;
use crate::i18n::use_i18n;

#[component]
pub fn ReportDetailPage(
    /// The report's Open311 `service_request_id`, decoded from the path.
    id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = Signal::derive(move || {
        i18n.t_with("page-report-detail-title", &[("id", id.clone().into())])
    });
    view! { <ComingSoon title=title/> }
}
