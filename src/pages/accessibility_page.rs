//! `/accessibility`: the accessibility statement that RGAA requires of French public bodies.

use leptos::prelude::*;

use crate::components::page_heading::PageHeading;
use crate::config::use_config;
use crate::i18n::use_i18n;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let i18n = use_i18n();
    let town = use_config().town.name.clone();
    let sections = [
        ("a11y-status-title", "a11y-status"),
        ("a11y-alternatives-title", "a11y-alternatives"),
        ("a11y-contact-title", "a11y-contact"),
        ("a11y-remedy-title", "a11y-remedy"),
    ];
    view! {
        <article class="prose">
            <PageHeading title=i18n.tr("a11y-title")/>
            <p>{move || i18n.t_with("a11y-commitment", &[("town", town.clone().into())])}</p>
            <p>{i18n.tr("a11y-scope")}</p>
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
