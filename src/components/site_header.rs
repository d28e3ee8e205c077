//! The page banner: the town's logo and name (a link home), the navigation, the language menu.

use leptos::prelude::*;

use crate::components::language_menu::LanguageMenu;
use crate::components::main_nav::MainNav;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::navigation::Link;
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
    view! {
        <header class="site-header">
            <div class="site-header__brand">
                <Link href=Route::Home.path() class="site-header__home">
                    {logo}
                    <span class="site-header__names">
                        <span class="site-header__town">{town}</span>
                        <span class="site-header__tagline">{i18n.tr("header-tagline")}</span>
                    </span>
                </Link>
                <LanguageMenu languages=config.offered_languages()/>
            </div>
            <MainNav/>
        </header>
    }
}
