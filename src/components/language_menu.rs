//! The language switch: one button per language the town offers, each written in its own
//! language (and marked with `lang`) so everyone can find theirs.

use leptos::prelude::*;

use crate::i18n::{Lang, use_i18n};

#[component]
pub fn LanguageMenu(
    /// The languages to offer, in the town's order.
    #[prop(into)]
    languages: Vec<Lang>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="language-menu" role="group" aria-label=i18n.tr("lang-menu-label")>
            {languages
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            class="header-button language-menu__option"
                            lang=lang.code()
                            aria-pressed=move || (i18n.lang() == lang).to_string()
                            on:click=move |_| i18n.set_lang(lang)
                        >
                            {lang.endonym()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
