//! The page banner: the town's logo and name (a link home), the language menu, and the
//! navigation. On a phone the navigation folds behind a "Menu" button (the disclosure pattern)
//! so the page itself, the map above all, starts right under one compact row.

use leptos::prelude::*;

use crate::components::language_menu::LanguageMenu;
use crate::components::main_nav::{self, MainNav};
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::navigation::{Link, use_navigation};
use crate::route::Route;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let town = config.town.name.clone();
    let logo = config.town.logo.clone().map(|src| {
        // The name follows the logo: the image itself says nothing more (alt="").
        view! { <img class="site-header__logo" src=src alt="" width="40" height="40"/> }
    });
    let menu_open = RwSignal::new(false);
    let menu_button = NodeRef::<leptos::html::Button>::new();
    // A link followed from the open menu lands on a new page: the menu folds again.
    let route = use_navigation().route();
    Effect::new(move |_| {
        route.track();
        menu_open.set(false);
    });
    let close_and_return = Callback::new(move |_| {
        menu_open.set(false);
        if let Some(button) = menu_button.get_untracked() {
            let _ = button.focus();
        }
    });
    view! {
        <header class="site-header" class:site-header--menu-open=menu_open>
            <div class="site-header__brand">
                <Link href=Route::Home.path() class="site-header__home">
                    {logo}
                    <span class="site-header__names">
                        <span class="site-header__town">{town}</span>
                        <span class="site-header__tagline">{i18n.tr("header-tagline")}</span>
                    </span>
                </Link>
                <div class="site-header__tools">
                    <LanguageMenu languages=config.offered_languages()/>
                    // Shown by CSS on small screens only; the list is always there for wider ones.
                    <button
                        type="button"
                        class="header-button site-header__menu-button"
                        node_ref=menu_button
                        aria-controls=main_nav::LIST_ID
                        aria-expanded=move || menu_open.get().to_string()
                        on:click=move |_| menu_open.update(|open| *open = !*open)
                    >
                        <span class="site-header__menu-icon" aria-hidden="true"></span>
                        {i18n.tr("nav-menu")}
                    </button>
                </div>
            </div>
            <MainNav on_escape=close_and_return/>
        </header>
    }
}
