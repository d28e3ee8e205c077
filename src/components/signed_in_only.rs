//! A personal page's gate: its content only for a signed-in resident. Signed out (or once the
//! session ended), the resident is taken to `/sign-in`, which brings them back here after
//! signing in (`next` holds this page's path, never personal data). While the session is not
//! known yet it is asked again, through the shared wait (loading, failed with Try again).

use leptos::prelude::*;
use quartier_api::resident::SessionInfo;

use crate::api::ApiError;
use crate::api::resident::fetch_session;
use crate::components::async_section::FailedNotice;
use crate::i18n::use_i18n;
use crate::navigation::{Location, use_navigation};
use crate::route::Route;
use crate::session::{SessionState, use_session};
use crate::task::Latest;

/// The sign-in address that comes back to `location` (its `lang` is kept by the navigation).
pub fn sign_in_then(location: &Location) -> String {
    let query: String = web_sys::UrlSearchParams::new_with_str(&location.query)
        .map(|params| {
            params.delete(crate::navigation::LANG_PARAM);
            String::from(params.to_string())
        })
        .unwrap_or_default();
    let back = if query.is_empty() {
        location.path.clone()
    } else {
        format!("{}?{query}", location.path)
    };
    format!(
        "{}?next={}",
        Route::SignIn.path(),
        js_sys::encode_uri_component(&back)
    )
}

#[component]
pub fn SignedInOnly(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigation = use_navigation();
    let check = Latest::<Result<SessionInfo, ApiError>>::new();
    let ask = move || {
        let base = session.base();
        check.run(async move { fetch_session(&base).await });
    };
    Effect::new(move |_| {
        if session.state.get() == SessionState::Unknown && check.value().is_none() {
            ask();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(info)) = check.value() {
            session.set(info);
        }
    });
    Effect::new(move |_| {
        if session.state.get() == SessionState::SignedOut {
            navigation.redirect(&sign_in_then(&Location::current()));
        }
    });
    move || {
        match session.state.get() {
        SessionState::SignedIn { .. } => children().into_any(),
        SessionState::SignedOut => view! {
            <p class="async-section__loading" role="status">{i18n.t("signed-in-only-redirect")}</p>
        }
        .into_any(),
        SessionState::Unknown => match check.value() {
            Some(Err(error)) => view! {
                <FailedNotice error=error on_retry=Callback::new(move |_| ask())/>
            }
            .into_any(),
            _ => view! {
                <p class="async-section__loading" role="status">{i18n.t("signed-in-only-checking")}</p>
            }
            .into_any(),
        },
    }
    }
}

/// Watches a personal page's read: once it answers 401 (the session ended meanwhile), the gate
/// takes the resident to sign in again, which brings them back here.
pub fn sign_in_again_on_401<T: Clone + 'static>(read: Latest<Result<T, ApiError>>) {
    let session = use_session();
    Effect::new(move |_| {
        if let Some(Err(error)) = read.value()
            && error.http_status() == Some(401)
        {
            session.state.set(SessionState::SignedOut);
        }
    });
}
