//! `/map`: the town's connected services with their live state, on a Leaflet map or as a list,
//! layers chosen by checkbox, the view kept in the address so it can be linked and restored.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::lazy_view::LazyView;
use crate::components::page_heading::PageHeading;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::announcer::MapAnnouncer;
use crate::map::area_counts::start_area_counts;
use crate::map::drawing::{LayerLook, Target, draw_items, highlight, nearest};
use crate::map::layer_loading::start_loading;
use crate::map::layer_panel::LayerPanel;
use crate::map::leaflet_map::{GoTo, LeafletMap, MapSetup, Viewport};
use crate::map::live::start_live;
use crate::map::place_search::PlaceSearch;
use crate::map::state::{Announcement, MapContext};
use crate::map::view_state::MapView;
use crate::navigation::use_navigation;
use crate::route_code;

/// How close (in screen pixels) a click must be to a service to pick it.
const PICK_TOLERANCE_PX: f64 = 16.0;
/// With the keyboard, Enter picks what is under the centre cross, a little more generously.
const CENTRE_TOLERANCE_PX: f64 = 28.0;

/// The layers panel's id (the button controls it) and its heading's (focus goes there).
const LAYERS_ID: &str = "map-layers";
const LAYERS_TITLE_ID: &str = "map-layers-title";

#[component]
pub fn ServicesMapPage() -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let location = use_navigation().location_untracked();
    let start = MapView::from_query(&config, |name| location.query_param(name));
    let ctx = MapContext::new(start.layers.clone());
    ctx.as_list.set(start.as_list);
    let as_list = ctx.as_list;
    let go_to = RwSignal::new(None::<GoTo>);
    let map_failed = RwSignal::new(None::<String>);

    start_loading(ctx);
    start_area_counts(ctx);
    start_live(ctx);
    keep_address_in_sync(ctx);

    let items = {
        let config = config.clone();
        Memo::new(move |_| {
            draw_items(ctx, i18n, |entity_type| LayerLook {
                ring: config
                    .layer(entity_type)
                    .map(|l| l.color.clone())
                    .unwrap_or_default(),
                label: config.layer_label(entity_type, i18n.lang()),
            })
        })
    };
    let ringed = Memo::new(move |_| highlight(ctx));
    let ready = move || {
        (ctx.all_ready()
            && (ctx.viewport.with(Option::is_some) || map_failed.with(Option::is_some)))
        .to_string()
    };
    let pick_at =
        move |(lat, lon): (f64, f64), tolerance: f64| match nearest(ctx, (lat, lon), tolerance) {
            Some(Target::Feature(picked)) => ctx.picked.set(Some(picked)),
            Some(Target::Cluster { lat, lon, zoom }) => go_to.set(Some(GoTo { lat, lon, zoom })),
            None => {}
        };
    let on_map_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // Only on the map itself: Enter on the zoom buttons must stay a click.
        let on_map = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.class_name().contains("leaflet-container"));
        if on_map
            && ev.key() == "Enter"
            && let Some(view) = ctx.viewport.get_untracked()
        {
            ev.prevent_default();
            pick_at((view.center_lat, view.center_lon), CENTRE_TOLERANCE_PX);
        }
    };
    let (min_zoom, max_zoom) = (config.map.min_zoom, config.map.max_zoom);
    let zoom_by = move |delta: i8| {
        if let Some(view) = ctx.viewport.get_untracked() {
            let zoom = (view.zoom.round() as i16 + i16::from(delta))
                .clamp(i16::from(min_zoom), i16::from(max_zoom)) as u8;
            go_to.set(Some(GoTo {
                lat: view.center_lat,
                lon: view.center_lon,
                zoom,
            }));
        }
    };
    let setup = MapSetup {
        start: GoTo {
            lat: start.lat,
            lon: start.lon,
            zoom: start.zoom,
        },
        min_zoom: config.map.min_zoom,
        max_zoom: config.map.max_zoom,
        tiles_max_zoom: config.map.tiles.max_zoom,
        tile_url: config.map.tiles.url.clone(),
        attribution: config.map.tiles.attribution.clone(),
    };
    let show_list = move || as_list.get() || map_failed.with(Option::is_some);

    // The layers panel: beside the map on a wide screen (always shown there, by CSS), over it
    // on a phone or a portrait kiosk, opened by its button. Opening moves focus into it; Escape
    // or its close button folds it and gives focus back to the button.
    let layers_open = RwSignal::new(false);
    let layers_button = NodeRef::<leptos::html::Button>::new();
    let open_layers = move |_| {
        let open = !layers_open.get_untracked();
        layers_open.set(open);
        if open {
            crate::browser::focus_by_id_soon(LAYERS_TITLE_ID);
        }
    };
    let close_layers = move || {
        if layers_open.get_untracked() {
            layers_open.set(false);
            if let Some(button) = layers_button.get_untracked() {
                let _ = button.focus();
            }
        }
    };

    view! {
        <div
            class="services-map-page"
            class:services-map-page--layers-open=layers_open
            class:services-map-page--list=show_list
        >
            // The map is the page: its title is for screen readers and the document title.
            <PageHeading title=i18n.tr("page-map-title") visually_hidden=true/>
            <MapAnnouncer ctx=ctx/>
            <div class="services-map-page__search">
                <PlaceSearch
                    on_place=Callback::new(move |(lat, lon): (f64, f64)| {
                        go_to.set(Some(GoTo { lat, lon, zoom: max_zoom.min(17) }));
                    })
                    on_status=Callback::new(move |status| {
                        ctx.announcement.set(Some(Announcement::Place(status)));
                    })
                />
            </div>
            <div class="services-map-page__toolbar">
                <button
                    type="button"
                    class="button services-map-page__layers-button"
                    node_ref=layers_button
                    aria-controls=LAYERS_ID
                    aria-expanded=move || layers_open.get().to_string()
                    on:click=open_layers
                >
                    <span class="services-map-page__layers-icon" aria-hidden="true"></span>
                    {i18n.tr("map-layers-button")}
                </button>
                <button
                    type="button"
                    class="button"
                    aria-controls="services-map services-list"
                    on:click=move |_| as_list.update(|l| *l = !*l)
                    disabled=move || map_failed.with(Option::is_some)
                >
                    {move || if as_list.get() { i18n.t("map-show-map") } else { i18n.t("map-show-list") }}
                </button>
            </div>
            {move || map_failed.get().map(|_| view! {
                <p class="services-map-page__notice" role="alert">{i18n.t("map-failed")}</p>
            })}
            <section
                id=LAYERS_ID
                class="services-map-page__layers"
                aria-labelledby=LAYERS_TITLE_ID
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        close_layers();
                    }
                }
            >
                <div class="services-map-page__layers-head">
                    <h2 id=LAYERS_TITLE_ID class="services-map-page__layers-title" tabindex="-1">
                        {i18n.tr("map-layers")}
                    </h2>
                    <button
                        type="button"
                        class="button services-map-page__layers-close"
                        on:click=move |_| close_layers()
                    >
                        {i18n.tr("map-layers-close")}
                    </button>
                </div>
                <LayerPanel ctx=ctx/>
            </section>
            <div class="services-map-page__main">
                <div
                    id="services-map"
                    class="services-map"
                    class:services-map--behind=show_list
                    role="region"
                    aria-label=i18n.tr("map-region")
                    aria-describedby="services-map-help"
                    aria-hidden=move || show_list().then_some("true")
                    inert=show_list
                    data-ready=ready
                    data-drawn=move || items.with(Vec::len).to_string()
                    on:keydown=on_map_keydown
                >
                    <p id="services-map-help" class="visually-hidden">{i18n.tr("map-keyboard-help")}</p>
                    <div class="services-map__zoom">
                        <button type="button" class="button services-map__zoom-button" on:click=move |_| zoom_by(1)>
                            <span aria-hidden="true">"+"</span>
                            <span class="visually-hidden">{i18n.tr("map-zoom-in")}</span>
                        </button>
                        <button type="button" class="button services-map__zoom-button" on:click=move |_| zoom_by(-1)>
                            <span aria-hidden="true">"−"</span>
                            <span class="visually-hidden">{i18n.tr("map-zoom-out")}</span>
                        </button>
                    </div>
                    <LeafletMap
                        setup=setup
                        items=items
                        highlight=ringed
                        go_to=go_to
                        on_view=Callback::new(move |view: Viewport| ctx.viewport.set(Some(view)))
                        on_pick=Callback::new(move |at| pick_at(at, PICK_TOLERANCE_PX))
                        on_failure=Callback::new(move |message: String| {
                            leptos::logging::error!("{message}");
                            map_failed.set(Some(message));
                        })
                    />
                    <div class="services-map__crosshair" aria-hidden="true"></div>
                </div>
                <Show when=show_list>
                    <div id="services-list" class="services-map-page__list">
                        <LazyView load=move || route_code::map_list(ctx)/>
                    </div>
                </Show>
            </div>
            {move || {
                // Only a new pick redraws the panel, not the loads it reads.
                ctx.picked
                    .get()
                    .map(|picked| untrack(|| view! {
                        <div class="services-map-page__details">
                            <LazyView load=move || route_code::map_details(ctx, picked.clone())/>
                        </div>
                    }))
            }}
        </div>
    }
}

/// Writes the view into the address (without a navigation) so that a reload or a shared link
/// restores it; the language chosen, if the address gives one, stays in it.
fn keep_address_in_sync(ctx: MapContext) {
    let navigation = use_navigation();
    Effect::new(move |_| {
        let Some(view) = ctx.viewport.get() else {
            return;
        };
        let state = MapView {
            layers: ctx.selected.get(),
            lat: view.center_lat,
            lon: view.center_lon,
            zoom: view.zoom.round().clamp(0.0, 30.0) as u8,
            as_list: ctx.as_list.get(),
        };
        navigation.replace_query(&state.to_query());
    });
}
