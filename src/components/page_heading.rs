//! The `<h1>` of a page: sets the document title, and takes keyboard focus after an in-app
//! navigation so that screen-reader users hear where they arrived (not on the first load, where
//! the browser's own announcement is enough).

use leptos::html::H1;
use leptos::prelude::*;

use crate::browser;
use crate::config::use_config;
use crate::i18n::use_i18n;

/// Remembers whether the first page has been shown yet.
#[derive(Clone, Copy)]
pub struct HeadingFocus {
    first_page_shown: StoredValue<bool>,
}

/// Provided once by the layout; without it, headings never steal focus.
pub fn provide_heading_focus() {
    provide_context(HeadingFocus {
        first_page_shown: StoredValue::new(false),
    });
}

#[component]
pub fn PageHeading(
    /// The page's title, shown in the `<h1>` and in the document title.
    #[prop(into)]
    title: Signal<String>,
    /// Hides the heading visually (embedded widgets) while keeping it for screen readers.
    #[prop(optional)]
    visually_hidden: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let town = use_config().town.name.clone();
    Effect::new(move |_| {
        let document_title = i18n.t_with(
            "document-title",
            &[("page", title.get().into()), ("town", town.clone().into())],
        );
        browser::set_document_title(&document_title);
    });

    let heading = NodeRef::<H1>::new();
    Effect::new(move |_| {
        let Some(element) = heading.get() else {
            return;
        };
        let Some(focus) = use_context::<HeadingFocus>() else {
            return;
        };
        if focus.first_page_shown.get_value() {
            browser::focus(&element);
        } else {
            focus.first_page_shown.set_value(true);
        }
    });

    view! {
        <h1
            node_ref=heading
            tabindex="-1"
            class="page-heading"
            class:visually-hidden=visually_hidden
        >
            {move || title.get()}
        </h1>
    }
}
