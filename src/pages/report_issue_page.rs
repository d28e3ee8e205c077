//! `/report`: report an issue (its issue builds the form; until then it says so).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;
use crate::i18n::use_i18n;

#[component]
pub fn ReportIssuePage() -> impl IntoView {
    let i18n = use_i18n();
    view! { <ComingSoon title=i18n.tr("page-report-title")/> }
}
