//! Component tests in headless Chromium (wasm-bindgen-test), asserting on roles, names and
//! attributes. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use quartier::api::ngsi_ld::MapFeature;
use quartier::components::config_error_screen::ConfigErrorScreen;
use quartier::components::language_menu::LanguageMenu;
use quartier::components::main_nav::MainNav;
use quartier::components::page_heading::PageHeading;
use quartier::config::{Config, ConfigError, ConfigProblem, ProblemCode, provide_config};
use quartier::i18n::{I18n, Lang, provide_i18n};
use quartier::map::cluster::LayerIndex;
use quartier::map::leaflet_map::Viewport;
use quartier::map::services_list::ServicesList;
use quartier::map::state::{LayerLoad, MapContext};
use quartier::navigation::provide_navigation;
use quartier_api::ngsi_ld::StatusValue;
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
    assert!(
        text.contains("map.zoom\u{202f}: valeur hors limites"),
        "{text}"
    );
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

#[wasm_bindgen_test]
async fn the_config_error_screen_speaks_english_when_english_is_chosen() {
    let invalid = ConfigError::Invalid(vec![ConfigProblem {
        field: "map.zoom".into(),
        code: ProblemCode::OutOfRange,
    }]);
    let unreachable = ConfigError::Unreachable("x".into());
    let cases = [
        (
            invalid,
            "The town's configuration file has invalid values:",
            "/config.json has one invalid value",
        ),
        (
            unreachable,
            "The town's configuration file could not be loaded. Check your connection and try again.",
            "/config.json could not be fetched: x",
        ),
    ];
    for (error, summary, details) in cases {
        let (container, mounted) = mount(move || {
            provide_i18n(&[Lang::En], Lang::En);
            view! { <ConfigErrorScreen error=error.clone()/> }.into_any()
        });
        tick().await;
        assert_eq!(texts(&container, "h1"), vec!["Quartier cannot start"]);
        assert_eq!(texts(&container, "[role=alert] > p"), vec![summary]);
        assert_eq!(
            texts(&container, "details > summary"),
            vec!["Technical details"]
        );
        assert_eq!(texts(&container, "details pre"), vec![details]);
        assert_eq!(texts(&container, "button"), vec!["Try again"]);
        assert_eq!(document().title(), "Quartier cannot start");
        let everything = container.text_content().unwrap_or_default();
        for french in ["démarrer", "n'a pas pu", "contient", "Détails", "Réessayer"] {
            assert!(!everything.contains(french), "French left in: {everything}");
        }
        drop(mounted);
        container.remove();
    }
}

/// What a row of the services list shows.
#[derive(Debug, PartialEq)]
struct ListedService {
    id: String,
    name: String,
    state: String,
    distance: String,
}

fn listed_services(container: &web_sys::HtmlElement) -> Vec<ListedService> {
    let rows = container
        .query_selector_all("li.services-list__item")
        .unwrap();
    let text = |row: &web_sys::Element, selector: &str| {
        row.query_selector(selector)
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .map(|node| {
            let row: web_sys::Element = node.unchecked_into();
            ListedService {
                id: row.get_attribute("data-id").unwrap_or_default(),
                name: text(&row, ".services-list__name"),
                state: text(&row, ".state-badge"),
                distance: text(&row, ".services-list__distance"),
            }
        })
        .collect()
}

fn streetlight(reference: &str, lon: f64, lat: f64, status: &str) -> MapFeature {
    MapFeature {
        id: format!("urn:ngsi-ld:Streetlight:{reference}"),
        lon,
        lat,
        status: Some(StatusValue::Text(status.into())),
        name: None,
        observed: None,
    }
}

/// A view of central Belleville-sur-Loire centred on `(lat, lon)`.
fn view_centred_on(lat: f64, lon: f64) -> Viewport {
    Viewport {
        west: 0.67,
        south: 47.38,
        east: 0.70,
        north: 47.41,
        center_lat: lat,
        center_lon: lon,
        zoom: 15.0,
    }
}

/// Whole metres from `(lat, lon)` to a feature, as the list rounds them.
fn metres(from: (f64, f64), feature: &MapFeature) -> u64 {
    let centre = quartier_api::geo::LonLat {
        lat: from.0,
        lon: from.1,
    };
    centre
        .distance_m(&quartier_api::geo::LonLat {
            lat: feature.lat,
            lon: feature.lon,
        })
        .round() as u64
}

#[wasm_bindgen_test]
async fn the_services_list_follows_the_language_and_the_map_centre() {
    let handles: Rc<Cell<Option<(MapContext, I18n)>>> = Rc::default();
    let (container, _mounted) = mount({
        let handles = Rc::clone(&handles);
        move || {
            let i18n = provide_i18n(&[Lang::En], Lang::En);
            provide_config(demo_config());
            let ctx = MapContext::new(vec!["Streetlight".into()]);
            handles.set(Some((ctx, i18n)));
            view! { <ServicesList ctx=ctx/> }.into_any()
        }
    });
    let (ctx, i18n) = handles.get().unwrap();
    let features = vec![
        streetlight("BSL-000001", 0.681, 47.390, "ok"),
        MapFeature {
            name: Some("Lanterne du pont".into()),
            ..streetlight("BSL-000002", 0.680, 47.392, "defectiveLamp")
        },
        streetlight("BSL-000003", 0.690, 47.400, "ok"),
        // Outside the view: never listed.
        streetlight("BSL-000099", 0.800, 47.390, "ok"),
    ];
    let [one, two, three] = [&features[0], &features[1], &features[2]].map(|f| f.id.clone());
    let first_centre = (47.390, 0.680);
    let second_centre = (47.400, 0.690);
    let distance_from = |centre: (f64, f64), i: usize| metres(centre, &features[i]);
    let d1: Vec<u64> = (0..3).map(|i| distance_from(first_centre, i)).collect();
    let d2: Vec<u64> = (0..3).map(|i| distance_from(second_centre, i)).collect();
    // The two centres order the rows differently, and every distance changes.
    assert!(d1[0] < d1[1] && d1[1] < d1[2], "{d1:?}");
    assert!(d2[2] < d2[1] && d2[1] < d2[0], "{d2:?}");
    assert!(d1.iter().zip(&d2).all(|(a, b)| a != b), "{d1:?} {d2:?}");

    ctx.loads.update(|loads| {
        loads.insert(
            "Streetlight".into(),
            LayerLoad::Ready {
                data: Arc::new(LayerIndex::new("Streetlight", features.clone())),
                loaded_at: 0.0,
                area: None,
            },
        );
    });
    ctx.viewport
        .set(Some(view_centred_on(first_centre.0, first_centre.1)));
    tick().await;

    let row = |id: &str, name: &str, state: &str, distance: String| ListedService {
        id: id.to_string(),
        name: name.to_string(),
        state: state.to_string(),
        distance,
    };
    assert_eq!(
        listed_services(&container),
        vec![
            row(&one, "BSL-000001", "Working", format!("{} m away", d1[0])),
            row(
                &two,
                "Lanterne du pont, BSL-000002",
                "Out of order or full",
                format!("{} m away", d1[1])
            ),
            row(&three, "BSL-000003", "Working", format!("{} m away", d1[2])),
        ]
    );

    // The same rows (kept, keyed by entity id) now speak French.
    i18n.set_lang(Lang::Fr);
    tick().await;
    assert_eq!(
        listed_services(&container),
        vec![
            row(&one, "BSL-000001", "En service", format!("à {} m", d1[0])),
            row(
                &two,
                "Lanterne du pont, BSL-000002",
                "En panne ou saturé",
                format!("à {} m", d1[1])
            ),
            row(&three, "BSL-000003", "En service", format!("à {} m", d1[2])),
        ]
    );
    assert_eq!(
        texts(&container, ".services-list__details"),
        vec![
            "Détails\u{202f}: BSL-000001",
            "Détails\u{202f}: Lanterne du pont, BSL-000002",
            "Détails\u{202f}: BSL-000003",
        ]
    );
    // Grouped under the layer's name, which follows the language too.
    assert_eq!(
        texts(&container, ".services-list__group-title"),
        vec!["Éclairage public"]
    );

    // The map moves: the distances are from the new centre, and the nearest comes first.
    ctx.viewport
        .set(Some(view_centred_on(second_centre.0, second_centre.1)));
    tick().await;
    assert_eq!(
        listed_services(&container),
        vec![
            row(&three, "BSL-000003", "En service", format!("à {} m", d2[2])),
            row(
                &two,
                "Lanterne du pont, BSL-000002",
                "En panne ou saturé",
                format!("à {} m", d2[1])
            ),
            row(&one, "BSL-000001", "En service", format!("à {} m", d2[0])),
        ]
    );
    // Leave the next test in French (set_lang remembered it), as it found the page.
}

#[wasm_bindgen_test]
async fn the_list_says_a_full_container_in_words_in_each_language() {
    let handles: Rc<Cell<Option<(MapContext, I18n)>>> = Rc::default();
    let (container, _mounted) = mount({
        let handles = Rc::clone(&handles);
        move || {
            let i18n = provide_i18n(&[Lang::En, Lang::Fr], Lang::En);
            provide_config(demo_config());
            let ctx = MapContext::new(vec!["WasteContainer".into()]);
            handles.set(Some((ctx, i18n)));
            view! { <ServicesList ctx=ctx/> }.into_any()
        }
    });
    let (ctx, i18n) = handles.get().unwrap();
    i18n.set_lang(Lang::En);
    let full = MapFeature {
        id: "urn:ngsi-ld:WasteContainer:WC-000001".into(),
        lon: 0.681,
        lat: 47.390,
        status: Some(StatusValue::Number(0.99)),
        name: None,
        observed: None,
    };
    ctx.loads.update(|loads| {
        loads.insert(
            "WasteContainer".into(),
            LayerLoad::Ready {
                data: Arc::new(LayerIndex::new("WasteContainer", vec![full])),
                loaded_at: 0.0,
                area: None,
            },
        );
    });
    ctx.viewport.set(Some(view_centred_on(47.390, 0.680)));
    tick().await;
    assert_eq!(
        texts(&container, ".services-list__reading"),
        vec!["99 % full"]
    );
    i18n.set_lang(Lang::Fr);
    tick().await;
    assert_eq!(
        texts(&container, ".services-list__reading"),
        vec!["plein à 99 %"]
    );
}

/// `days` daily readings from `(year, month, 1)`, `litres` each (the month's length respected).
fn daily_readings(
    year: i32,
    month: u8,
    days: u32,
    litres: i64,
) -> Vec<quartier_api::resident::WaterReading> {
    use quartier::my_data::water_usage::days_in_month;
    let (mut y, mut m, mut d) = (year, month, 1);
    (0..days)
        .map(|_| {
            let reading = quartier_api::resident::WaterReading {
                date: format!("{y:04}-{m:02}-{d:02}"),
                meter_id: "WM-1".into(),
                index_litres: 0,
                consumption_litres: if m == 7 { litres * 2 } else { litres },
            };
            d += 1;
            if d > days_in_month(y, m) {
                d = 1;
                (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            }
            reading
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_water_chart_is_an_image_with_its_summary_and_a_table_in_each_language() {
    use quartier::my_data::water_chart::WaterChart;
    use quartier::my_data::water_usage::monthly;
    // December 2025 to November 2026, July twice as thirsty.
    let usage = monthly(&daily_readings(2025, 12, 365, 300));
    let i18n = Rc::new(Cell::new(None::<I18n>));
    let handle = Rc::clone(&i18n);
    let (container, _mounted) = mount(move || {
        handle.set(Some(provide_i18n(&[Lang::Fr, Lang::En], Lang::Fr)));
        view! { <WaterChart usage=usage.clone()/> }.into_any()
    });
    tick().await;
    let svg = container.query_selector("svg").unwrap().unwrap();
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    let labelled = svg.get_attribute("aria-labelledby").unwrap();
    for id in labelled.split(' ') {
        assert!(
            svg.query_selector(&format!("#{id}")).unwrap().is_some(),
            "{id}"
        );
    }
    assert_eq!(svg.query_selector_all("rect").unwrap().length(), 12);
    assert_eq!(
        svg.query_selector_all(".water-chart__bar--highest")
            .unwrap()
            .length(),
        1
    );
    // 334 days at 300 L and July's 31 at 600 L: 118.8 m³, highest in July (18.6 m³).
    let summary = texts(&container, ".water-chart__summary");
    assert_eq!(
        summary,
        vec!["119 m³ sur 12 mois, le plus en juillet 2026 (18,6 m³)."]
    );
    let rows = texts(&container, "tbody tr td");
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[7], "18,6", "July 2026 is the eighth month");
    assert_eq!(rows[0], "9,3");
    i18n.get().unwrap().set_lang(Lang::En);
    tick().await;
    assert_eq!(
        texts(&container, ".water-chart__summary"),
        vec!["119 m³ over 12 months, highest in July 2026 (18.6 m³)."]
    );
    assert_eq!(texts(&container, "tbody tr td")[7], "18.6");
    assert_eq!(
        texts(&container, "caption"),
        vec!["Water used per month (m³)"]
    );
    i18n.get().unwrap().set_lang(Lang::Fr);
    tick().await;
}
