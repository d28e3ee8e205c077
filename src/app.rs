//! `<App/>`: loads the town's configuration, provides the app-wide contexts, and routes.

use leptos::prelude::*;

use crate::api;
use crate::browser;
use crate::components::config_error_screen::ConfigErrorScreen;
use crate::components::lazy_view::LazyView;
use crate::components::page_heading::provide_heading_focus;
use crate::components::site_footer::SiteFooter;
use crate::components::site_header::SiteHeader;
use crate::components::skip_link::SkipLink;
use crate::config::{Config, Theme, provide_config};
use crate::i18n::{I18n, Lang, provide_i18n};
use crate::map::view_state::MapView;
use crate::navigation::{Location, provide_navigation, use_navigation};
use crate::pages::home_page::HomePage;
use crate::pages::not_found_page::NotFoundPage;
use crate::route::Route;
use crate::route_code;
use crate::session::provide_session;
use crate::task;

#[component]
pub fn App() -> impl IntoView {
    // Translations come first: even "the configuration is broken" must be said in the
    // resident's language.
    let i18n = provide_i18n(&Lang::ALL, Lang::default());
    route_code::preload(Route::from_path(&Location::current().path).as_ref());
    let config = task::load(async {
        let config = api::fetch_config().await;
        if let Ok(config) = &config {
            prefetch_map_data(config);
        }
        config
    });
    // No <Suspense> here: it would fall back to "loading" (and remount the whole app) each
    // time any resource below it reloads. The configuration is read once.
    move || match config.get() {
        None => view! { <p class="app-loading" role="status">{i18n.tr("loading")}</p> }.into_any(),
        // untrack: nothing the shell reads while it is built may remount it.
        Some(Ok(config)) => untrack(move || view! { <Shell config=config i18n=i18n/> }.into_any()),
        Some(Err(error)) => view! { <ConfigErrorScreen error=error/> }.into_any(),
    }
}

/// Everything that needs a valid configuration.
#[component]
pub fn Shell(config: Config, i18n: I18n) -> impl IntoView {
    apply_theme(&config.theme);
    i18n.adopt_town_languages(&config.offered_languages(), config.default_lang());
    provide_config(config);
    provide_session();
    provide_navigation();
    view! { <Layout/> }
}

/// Site chrome around the routes; the embedded widgets get none of it.
#[component]
fn Layout() -> impl IntoView {
    provide_heading_focus();
    // Reports left waiting by an earlier visit go as soon as the app is open again, whatever
    // the page (the outbox's code is fetched only then).
    if crate::report::outbox::has_waiting() {
        leptos::task::spawn_local_scoped(async {
            if let Err(error) = route_code::start_outbox().await {
                leptos::logging::warn!("outbox: {error}");
            }
        });
    }
    let route = use_navigation().route();
    let chrome = move || !route.get().is_some_and(|r| r.is_embed());
    // The map's pages are the screen: header and map fill exactly one viewport (the footer
    // follows below it), laid out by CSS from this one class.
    let full_screen = move || {
        route
            .get()
            .is_some_and(|r| matches!(r, Route::Map | Route::EmbedMap))
    };
    view! {
        <div class="app-frame" class:app-frame--full-screen=full_screen>
            <Show when=chrome>
                <SkipLink/>
                <SiteHeader/>
            </Show>
            <main id="main" class="site-main" tabindex="-1">
                <AppRoutes/>
            </main>
        </div>
        <Show when=chrome>
            <SiteFooter/>
        </Show>
    }
}

/// The page at the current path (paths are spelled by `Route::path`, checked by a browser
/// test). Rebuilt only when the route changes, not when a page rewrites its query string.
#[component]
fn AppRoutes() -> impl IntoView {
    let route = use_navigation().route();
    move || match route.get() {
        Some(Route::Home) => view! { <HomePage/> }.into_any(),
        // The other pages' code is fetched when first opened (`route_code`).
        Some(route) => view! {
            <LazyView load=move || route_code::page(route.clone())/>
        }
        .into_any(),
        None => view! { <NotFoundPage/> }.into_any(),
    }
}

/// On the map's address, asks the size of the layers it will show right away, before the app
/// renders (the map page then finds the answers on their way).
fn prefetch_map_data(config: &Config) {
    let here = Location::current();
    if Route::from_path(&here.path) == Some(Route::Map) {
        let view = MapView::from_query(config, |name| here.query_param(name));
        api::ngsi_ld::prefetch_layer_counts(&config.api.ngsi_ld, &view.layers);
        // And the counts per area of the first view, in case the layers are large (the map
        // is about the window's size: a few areas more than needed at worst).
        let layers: Vec<(String, Option<String>)> = view
            .layers
            .iter()
            .map(|t| {
                let attr = config.layer(t).and_then(|l| l.status_attribute.clone());
                (t.clone(), attr)
            })
            .collect();
        let (width, height) = browser::window_size();
        crate::map::area_counts::prefetch_first_view(
            &config.api.ngsi_ld,
            &layers,
            (view.lat, view.lon, f64::from(view.zoom)),
            (width, height),
        );
    }
}

/// The town's colours become CSS custom properties that `style/tokens.css` falls back from.
/// The config validation only lets plain hex colours through.
fn apply_theme(theme: &Theme) {
    browser::set_root_css_property("--color-primary", &theme.primary);
    browser::set_root_css_property("--color-on-primary", &theme.on_primary);
    browser::set_root_css_property("--color-accent", &theme.accent);
}
