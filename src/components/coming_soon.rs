//! The honest placeholder of an area whose feature has not landed yet: it says so and shows no
//! invented data.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::route::Route;

#[component]
pub fn ComingSoon(
    /// The area's title.
    #[prop(into)]
    title: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="coming-soon">
            <PageHeading title=title/>
            <p class="coming-soon__text">{i18n.tr("coming-soon")}</p>
            <p>
                <Link href=Route::Home.path()>{i18n.tr("coming-soon-back")}</Link>
            </p>
        </section>
    }
}
