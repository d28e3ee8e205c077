//! The main navigation. `<Link>` marks the current page with `aria-current="page"`. On a phone
//! the list is folded behind the header's menu button (`.site-header--menu-open` unfolds it);
//! Escape inside the unfolded list folds it and gives focus back to that button.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::route::Route;
use crate::session::{SessionState, use_session};

/// The list's id, which the header's menu button controls.
pub const LIST_ID: &str = "main-nav-list";

#[component]
pub fn MainNav(
    /// Escape pressed inside the navigation (the header folds its menu).
    #[prop(optional)]
    on_escape: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let links = [
        (Route::Map, "nav-map"),
        (Route::Report, "nav-report"),
        (Route::MyReports, "nav-my-reports"),
        (Route::MyData, "nav-my-data"),
        (Route::Consents, "nav-consents"),
    ];
    let session = use_session();
    let account = move || match session.state.get() {
        SessionState::SignedIn { .. } => view! {
            <button type="button" class="main-nav__button" on:click=move |_| session.sign_out()>
                {i18n.tr("sign-out")}
            </button>
        }
        .into_any(),
        _ => view! { <Link href=Route::SignIn.path()>{i18n.tr("nav-sign-in")}</Link> }.into_any(),
    };
    view! {
        <nav
            class="main-nav"
            aria-label=i18n.tr("nav-label")
            on:keydown=move |ev| {
                if ev.key() == "Escape"
                    && let Some(on_escape) = on_escape
                {
                    on_escape.run(());
                }
            }
        >
            <ul class="main-nav__list" id=LIST_ID>
                {links
                    .into_iter()
                    .map(|(route, key)| {
                        view! {
                            <li class="main-nav__item">
                                <Link href=route.path()>{i18n.tr(key)}</Link>
                            </li>
                        }
                    })
                    .collect_view()}
                <li class="main-nav__item">{account}</li>
            </ul>
        </nav>
    }
}
