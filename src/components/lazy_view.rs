//! A view whose code is fetched when it is first shown (a route, or a heavy part of a page
//! such as the map's list): "Loading…" while it comes, then the view, or the translated reason
//! and Try again if it cannot come (the network is down) — never a blank space, never a panic.

use std::future::Future;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::api::ApiError;
use crate::components::async_section::FailedNotice;
use crate::i18n::use_i18n;

#[component]
pub fn LazyView<F, Fut>(
    /// Fetches the code and builds the view (see `route_code`).
    load: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<AnyView, ApiError>> + 'static,
{
    let i18n = use_i18n();
    let attempt = RwSignal::new(0u32);
    move || {
        attempt.track();
        let waiting = RwSignal::new(true);
        let fetching = load();
        // The chunk's download is a browser future: it stays on this thread.
        let view = SendWrapper::new(async move {
            let view = fetching.await;
            waiting.set(false);
            view.unwrap_or_else(|error| {
                view! {
                    <FailedNotice
                        error=error
                        on_retry=Callback::new(move |_| attempt.update(|n| *n += 1))
                    />
                }
                .into_any()
            })
        });
        view! {
            <Show when=move || waiting.get()>
                <p class="async-section__loading" role="status">{i18n.tr("loading")}</p>
            </Show>
            {Suspend::new(view)}
        }
    }
}
