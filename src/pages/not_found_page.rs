//! Any path that matches no route.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::route::Route;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="not-found">
            <PageHeading title=i18n.tr("not-found-title")/>
            <p>{i18n.tr("not-found-text")}</p>
            <p>
                <Link href=Route::Home.path()>{i18n.tr("not-found-home")}</Link>
            </p>
        </section>
    }
}
