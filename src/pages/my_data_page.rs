//! `/my-data`: what the town holds about the resident, who accessed it, and how to take it
//! away (the parts are in `crate::my_data`). Signed-in residents only.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::components::signed_in_only::SignedInOnly;
use crate::i18n::use_i18n;
use crate::my_data::overview::MyDataOverview;

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="my-data">
            <PageHeading title=i18n.tr("page-my-data-title")/>
            <p class="my-data__intro">{i18n.tr("my-data-intro")}</p>
            <SignedInOnly>
                <MyDataOverview/>
            </SignedInOnly>
        </div>
    }
}
