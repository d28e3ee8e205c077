//! Previous / Next through a list the platform pages (`offset`, `limit`, `total`), with where
//! the resident is ("11–20 of 365") in a status, so a screen reader hears the new page's range.

use leptos::prelude::*;

use crate::i18n::use_i18n;

/// Shown only when the list has more than one page; `go(offset)` loads the page at `offset`.
#[component]
pub fn Pager(
    /// The first item shown.
    offset: Signal<u64>,
    /// How many items there are, once known.
    total: Signal<Option<u64>>,
    page_size: u32,
    /// The navigation's accessible name (a Fluent key).
    label: &'static str,
    go: Callback<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let size = u64::from(page_size);
    let range = move || {
        total.get().map(|n| {
            let from = offset.get();
            i18n.t_with(
                "records-range",
                &[
                    ("from", (from + 1).into()),
                    ("to", (from + size).min(n).into()),
                    ("total", n.into()),
                ],
            )
        })
    };
    view! {
        <Show when=move || total.get().is_some_and(|n| n > size)>
            <nav class="pager" aria-label=move || i18n.t(label)>
                <button
                    type="button"
                    class="button"
                    disabled=move || offset.get() == 0
                    on:click=move |_| go.run(offset.get_untracked().saturating_sub(size))
                >
                    {i18n.tr("records-previous")}
                </button>
                <p class="pager__where" role="status">{range}</p>
                <button
                    type="button"
                    class="button"
                    disabled=move || total.get().is_none_or(|n| offset.get() + size >= n)
                    on:click=move |_| go.run(offset.get_untracked() + size)
                >
                    {i18n.tr("records-next")}
                </button>
            </nav>
        </Show>
    }
}
