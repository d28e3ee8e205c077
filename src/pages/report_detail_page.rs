//! `/reports/{id}`: one report (until its issue lands, it says so).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::coming_soon::ComingSoon;
use crate::i18n::use_i18n;

#[component]
pub fn ReportDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let title = Signal::derive(move || {
        let id = params.read().get("id").unwrap_or_default();
        i18n.t_with("page-report-detail-title", &[("id", id.into())])
    });
    view! { <ComingSoon title=title/> }
}
