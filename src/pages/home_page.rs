//! `/`: what Quartier offers, with a way into each area. The link texts differ from the
//! navigation's so that every link on the page has a distinct name.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::route::Route;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let town = use_config().town.name.clone();
    let title = Signal::derive(move || i18n.t_with("home-title", &[("town", town.clone().into())]));
    let areas = [
        (
            Route::Map,
            "home-map-title",
            "home-map-text",
            "home-map-link",
        ),
        (
            Route::Report,
            "home-report-title",
            "home-report-text",
            "home-report-link",
        ),
        (
            Route::MyReports,
            "home-my-reports-title",
            "home-my-reports-text",
            "home-my-reports-link",
        ),
        (
            Route::MyData,
            "home-my-data-title",
            "home-my-data-text",
            "home-my-data-link",
        ),
        (
            Route::Consents,
            "home-consents-title",
            "home-consents-text",
            "home-consents-link",
        ),
    ];
    view! {
        <div class="home">
            <PageHeading title=title/>
            <p class="home__intro">{i18n.tr("home-intro")}</p>
            <section aria-labelledby="home-areas">
                <h2 id="home-areas">{i18n.tr("home-areas-title")}</h2>
                <ul class="home__areas">
                    {areas
                        .into_iter()
                        .map(|(route, title, text, link)| {
                            view! {
                                <li class="area-card">
                                    <h3 class="area-card__title">{i18n.tr(title)}</h3>
                                    <p class="area-card__text">{i18n.tr(text)}</p>
                                    <Link href=route.path() class="area-card__link">
                                        {i18n.tr(link)}
                                    </Link>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        </div>
    }
}
