//! Any path that matches no route.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::page_heading::PageHeading;
use crate::i18n::use_i18n;
use crate::route::Route;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="not-found">
            <PageHeading title=i18n.tr("not-found-title")/>
            <p>{i18n.tr("not-found-text")}</p>
            <p>
                <A href=Route::Home.path()>{i18n.tr("not-found-home")}</A>
            </p>
        </section>
    }
}
