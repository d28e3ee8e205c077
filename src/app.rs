//! `<App/>`: loads the town's configuration, provides the app-wide contexts, and routes.

use leptos::prelude::*;
use leptos_router::components::{Route as RoutePath, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api;
use crate::browser;
use crate::components::config_error_screen::ConfigErrorScreen;
use crate::components::page_heading::provide_heading_focus;
use crate::components::site_footer::SiteFooter;
use crate::components::site_header::SiteHeader;
use crate::components::skip_link::SkipLink;
use crate::config::{Config, Theme, provide_config};
use crate::i18n::{I18n, Lang, provide_i18n};
use crate::pages::accessibility_page::AccessibilityPage;
use crate::pages::consents_page::ConsentsPage;
use crate::pages::embed_map_page::EmbedMapPage;
use crate::pages::embed_report_page::EmbedReportPage;
use crate::pages::home_page::HomePage;
use crate::pages::legal_notice_page::LegalNoticePage;
use crate::pages::my_data_page::MyDataPage;
use crate::pages::my_reports_page::MyReportsPage;
use crate::pages::not_found_page::NotFoundPage;
use crate::pages::report_detail_page::ReportDetailPage;
use crate::pages::report_issue_page::ReportIssuePage;
use crate::pages::services_map_page::ServicesMapPage;
use crate::pages::sign_in_page::SignInPage;
use crate::route::Route;
use crate::session::provide_session;

#[component]
pub fn App() -> impl IntoView {
    // Translations come first: even "the configuration is broken" must be said in the
    // resident's language.
    let i18n = provide_i18n(&Lang::ALL, Lang::default());
    let config = LocalResource::new(api::fetch_config);
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
    view! {
        <Router>
            <Layout/>
        </Router>
    }
}

/// Site chrome around the routes; the embedded widgets get none of it.
#[component]
fn Layout() -> impl IntoView {
    provide_heading_focus();
    let location = use_location();
    let chrome = move || !Route::is_embed_path(&location.pathname.get());
    view! {
        <Show when=chrome>
            <SkipLink/>
            <SiteHeader/>
        </Show>
        <main id="main" class="site-main" tabindex="-1">
            <AppRoutes/>
        </main>
        <Show when=chrome>
            <SiteFooter/>
        </Show>
    }
}

/// The route table; paths are those of `Route::path` (checked by a browser test).
#[component]
fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFoundPage>
            <RoutePath path=path!("/") view=HomePage/>
            <RoutePath path=path!("/map") view=ServicesMapPage/>
            <RoutePath path=path!("/report") view=ReportIssuePage/>
            <RoutePath path=path!("/reports/:id") view=ReportDetailPage/>
            <RoutePath path=path!("/my-reports") view=MyReportsPage/>
            <RoutePath path=path!("/sign-in") view=SignInPage/>
            <RoutePath path=path!("/my-data") view=MyDataPage/>
            <RoutePath path=path!("/consents") view=ConsentsPage/>
            <RoutePath path=path!("/embed/map") view=EmbedMapPage/>
            <RoutePath path=path!("/embed/report") view=EmbedReportPage/>
            <RoutePath path=path!("/accessibility") view=AccessibilityPage/>
            <RoutePath path=path!("/legal-notice") view=LegalNoticePage/>
        </Routes>
    }
}

/// The town's colours become CSS custom properties that `style/tokens.css` falls back from.
/// The config validation only lets plain hex colours through.
fn apply_theme(theme: &Theme) {
    browser::set_root_css_property("--color-primary", &theme.primary);
    browser::set_root_css_property("--color-on-primary", &theme.on_primary);
    browser::set_root_css_property("--color-accent", &theme.accent);
}
