//! `/my-data`: the resident's data and its access log (until its issue lands, it says so).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;
use crate::i18n::use_i18n;

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    view! { <ComingSoon title=i18n.tr("page-my-data-title")/> }
}
