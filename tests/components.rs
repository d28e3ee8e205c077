//! Component tests in headless Chromium (wasm-bindgen-test), asserting on roles, names and
//! attributes. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use quartier::components::config_error_screen::ConfigErrorScreen;
use quartier::components::language_menu::LanguageMenu;
use quartier::components::main_nav::MainNav;
use quartier::components::page_heading::PageHeading;
use quartier::config::{Config, ConfigError, ConfigProblem, ProblemCode, provide_config};
use quartier::i18n::{Lang, provide_i18n};
use quartier::navigation::provide_navigation;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a view in a fresh container. The view lives until the returned handle is dropped
/// (which also removes the window listeners it installed, so tests do not see each other's).
fn mount(view: impl Fn() -> AnyView + 'static) -> (web_sys::HtmlElement, impl Drop) {
    let container: web_sys::HtmlElement =
        document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone(), view);
    (container, handle)
}

fn demo_config() -> Config {
    Config::parse(include_str!("../public/config.json")).unwrap()
}

/// Lets effects and reactive updates run.
async fn tick() {
    gloo_timers_sleep(20).await;
}

async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn texts(container: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let nodes = container.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|n| n.text_content().unwrap_or_default().trim().to_string())
        .collect()
}

#[wasm_bindgen_test]
async fn the_config_error_screen_is_an_alert_listing_each_problem() {
    let (container, _mounted) = mount(|| {
        provide_i18n(&[Lang::Fr, Lang::En], Lang::Fr);
        let error = ConfigError::Invalid(vec![ConfigProblem {
            field: "map.zoom".into(),
            code: ProblemCode::OutOfRange,
        }]);
        view! { <ConfigErrorScreen error=error/> }.into_any()
    });
    tick().await;
    let alert = container.query_selector("[role=alert]").unwrap().unwrap();
    let text = alert.text_content().unwrap();
    assert!(text.contains("Quartier ne peut pas démarrer"), "{text}");
    assert!(text.contains("map.zoom : valeur hors limites"), "{text}");
    assert_eq!(texts(&container, "button"), vec!["Réessayer"]);
    assert_eq!(document().title(), "Quartier ne peut pas démarrer");
}

#[wasm_bindgen_test]
async fn the_language_menu_switches_language_and_marks_the_current_one() {
    let (container, _mounted) = mount(|| {
        provide_i18n(&[Lang::Fr, Lang::En], Lang::Fr);
        provide_config(demo_config());
        provide_navigation();
        view! {
            <LanguageMenu languages=vec![Lang::Fr, Lang::En]/>
            <MainNav/>
        }
        .into_any()
    });
    tick().await;
    let group = container.query_selector("[role=group]").unwrap().unwrap();
    assert_eq!(group.get_attribute("aria-label").as_deref(), Some("Langue"));
    assert!(texts(&container, "nav a").contains(&"Carte".to_string()));

    let english: web_sys::HtmlElement = container
        .query_selector("button[lang=en]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(
        english.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    english.click();
    tick().await;
    assert_eq!(
        english.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        document()
            .document_element()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("en")
    );
    assert_eq!(
        texts(&container, "nav a"),
        vec![
            "Map",
            "Report an issue",
            "My reports",
            "My data",
            "Consents",
            "Sign in"
        ]
    );
    // Leave the next test in French.
    let french: web_sys::HtmlElement = container
        .query_selector("button[lang=fr]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    french.click();
    tick().await;
}

#[wasm_bindgen_test]
async fn in_app_links_navigate_without_a_page_load_and_mark_the_current_page() {
    let runner_page = web_sys::window().unwrap().location().href().unwrap();
    let (container, _mounted) = mount(|| {
        provide_i18n(&[Lang::Fr], Lang::Fr);
        provide_config(demo_config());
        provide_navigation().navigate("/map?layers=Streetlight");
        view! { <MainNav/> }.into_any()
    });
    tick().await;
    let current = |container: &web_sys::HtmlElement| texts(container, "a[aria-current=page]");
    assert_eq!(current(&container), vec!["Carte"]);
    assert_eq!(
        web_sys::window().unwrap().location().search().unwrap(),
        "?layers=Streetlight"
    );

    // A click on a link is handled in the app: were it not, the browser would leave the
    // test page and this test would never finish.
    let consents: web_sys::HtmlElement = container
        .query_selector("a[href='/consents']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    consents.click();
    tick().await;
    assert_eq!(
        web_sys::window().unwrap().location().pathname().unwrap(),
        "/consents"
    );
    assert_eq!(current(&container), vec!["Consentements"]);
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&runner_page))
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_page_heading_titles_the_document() {
    let (container, _mounted) = mount(|| {
        provide_i18n(&[Lang::Fr], Lang::Fr);
        provide_config(demo_config());
        view! { <PageHeading title="Carte des services"/> }.into_any()
    });
    tick().await;
    let h1 = container.query_selector("h1").unwrap().unwrap();
    assert_eq!(h1.get_attribute("tabindex").as_deref(), Some("-1"));
    assert_eq!(
        document().title(),
        "Carte des services – Belleville-sur-Loire – Quartier"
    );
}
