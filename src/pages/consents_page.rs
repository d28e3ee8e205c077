//! `/consents`: consents, purpose by purpose (until its issue lands, it says so).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;
use crate::i18n::use_i18n;

#[component]
pub fn ConsentsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! { <ComingSoon title=i18n.tr("page-consents-title")/> }
}
