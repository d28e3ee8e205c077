//! "Skip to content": the first focusable element of every page (RGAA 12.7).

use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn SkipLink() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">
            {i18n.tr("skip-to-content")}
        </a>
    }
}
