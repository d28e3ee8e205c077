//! The footer: the accessibility status (RGAA requires it on every page), the legal notice, and
//! a clear label when the town is a demonstration.

use leptos::prelude::*;

use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::navigation::Link;
use crate::route::Route;

#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let demo = config.town.demo;
    // Kiosks show no external links: a public terminal must not wander off to the open web.
    let website = config
        .town
        .website
        .clone()
        .filter(|_| !config.kiosk.enabled)
        .map(|href| {
            view! {
                <li>
                    <a href=href rel="noopener">{i18n.tr("footer-town-website")}</a>
                </li>
            }
        });
    view! {
        <footer class="site-footer">
            {demo.then(|| view! { <p class="site-footer__demo">{i18n.tr("footer-demo")}</p> })}
            <nav aria-label=i18n.tr("footer-label")>
                <ul class="site-footer__links">
                    <li>
                        <Link href=Route::Accessibility.path()>{i18n.tr("footer-accessibility")}</Link>
                    </li>
                    <li>
                        <Link href=Route::LegalNotice.path()>{i18n.tr("footer-legal")}</Link>
                    </li>
                    {website}
                </ul>
            </nav>
        </footer>
    }
}
