//! `/legal-notice`: who publishes the service, where the data lives, the resident's rights.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::config::use_config;
use crate::i18n::use_i18n;

#[component]
pub fn LegalNoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let town = use_config().town.name.clone();
    let sections = [
        ("legal-platform-title", "legal-platform"),
        ("legal-privacy-title", "legal-privacy"),
        ("legal-software-title", "legal-software"),
    ];
    view! {
        <article class="prose">
            <PageHeading title=i18n.tr("legal-title")/>
            <h2>{i18n.tr("legal-publisher-title")}</h2>
            <p>{move || i18n.t_with("legal-publisher", &[("town", town.clone().into())])}</p>
            {sections
                .into_iter()
                .map(|(title, text)| {
                    view! {
                        <h2>{i18n.tr(title)}</h2>
                        <p>{i18n.tr(text)}</p>
                    }
                })
                .collect_view()}
        </article>
    }
}
