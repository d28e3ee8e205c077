//! Every wait on the network looks the same: "loading…" (a polite status), then the content,
//! or the reason it failed in the resident's language with a Try again button (DESIGN: every
//! failure offers a way forward). Pages and panels take this component as it is.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::use_i18n;

#[component]
pub fn AsyncSection<T, F, V>(
    /// `None` while waiting, then the answer.
    #[prop(into)]
    state: Signal<Option<Result<T, ApiError>>, LocalStorage>,
    /// Starts the wait again (the Try again button).
    on_retry: Callback<()>,
    /// Draws the answer once it is there (`let:answer` in a view).
    children: F,
    /// The Fluent key of the waiting text ("Loading…" by default).
    #[prop(optional)]
    loading_key: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let loading_key = loading_key.unwrap_or("loading");
    move || match state.get() {
        None => view! {
            <p class="async-section__loading" role="status">{i18n.tr(loading_key)}</p>
        }
        .into_any(),
        Some(Ok(value)) => children(value).into_any(),
        Some(Err(error)) => view! { <FailedNotice error=error on_retry=on_retry/> }.into_any(),
    }
}

/// Why a wait failed, and the way forward: an alert with the translated reason and a
/// Try again button.
#[component]
pub fn FailedNotice(error: ApiError, on_retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let key = error.message_key();
    view! {
        <div class="async-section__error" role="alert">
            <p>{i18n.tr(key)}</p>
            <button type="button" class="button" on:click=move |_| on_retry.run(())>
                {i18n.tr("retry")}
            </button>
        </div>
    }
}
