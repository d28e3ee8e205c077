//! `/map`: the town's connected services with their live state, on a Leaflet map or as a list,
//! layers chosen by checkbox, the view kept in the address so it can be linked and restored.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::api::ngsi_ld::LayerQuery;
use crate::components::page_heading::PageHeading;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::cluster::{Drawn, LayerIndex, pixel_distance};
use crate::map::layer_panel::LayerPanel;
use crate::map::leaflet_map::{DrawItem, DrawKind, GoTo, LeafletMap, MapSetup, Viewport};
use crate::map::loader::{Loaded, Paging, load_layer};
use crate::map::place_search::PlaceSearch;
use crate::map::service_details::ServiceDetails;
use crate::map::services_list::ServicesList;
use crate::map::state::{LayerLoad, MapContext, Picked};
use crate::map::view_state::{MapView, covers};
use crate::navigation::use_navigation;

/// How close (in screen pixels) a click must be to a service to pick it.
const PICK_TOLERANCE_PX: f64 = 16.0;
/// With the keyboard, Enter picks what is under the centre cross, a little more generously.
const CENTRE_TOLERANCE_PX: f64 = 28.0;

#[component]
pub fn ServicesMapPage() -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let location = use_navigation().location_untracked();
    let start = MapView::from_query(&config, |name| location.query_param(name));
    let ctx = MapContext::new(start.layers.clone());
    let as_list = RwSignal::new(start.as_list);
    let go_to = RwSignal::new(None::<GoTo>);
    let map_failed = RwSignal::new(None::<String>);

    start_loading(ctx);
    keep_address_in_sync(ctx, as_list);

    let items = Memo::new(move |_| draw_items(ctx));
    let ready = move || {
        (ctx.all_ready()
            && (ctx.viewport.with(Option::is_some) || map_failed.with(Option::is_some)))
        .to_string()
    };
    let pick_at = move |(lat, lon): (f64, f64), tolerance: f64| {
        let Some(view) = ctx.viewport.get_untracked() else {
            return;
        };
        match nearest(ctx, (lat, lon), view.zoom, tolerance) {
            Some(Target::Feature(picked)) => ctx.picked.set(Some(picked)),
            Some(Target::Cluster { lat, lon, zoom }) => go_to.set(Some(GoTo { lat, lon, zoom })),
            None => {}
        }
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
        tile_url: config.map.tiles.url.clone(),
        attribution: config.map.tiles.attribution.clone(),
    };
    let show_list = move || as_list.get() || map_failed.with(Option::is_some);

    view! {
        <div class="services-map-page">
            <PageHeading title=i18n.tr("page-map-title")/>
            <PlaceSearch on_place=Callback::new(move |(lat, lon): (f64, f64)| {
                go_to.set(Some(GoTo { lat, lon, zoom: max_zoom.min(17) }));
            })/>
            <div class="services-map-page__toolbar">
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
            <div class="services-map-page__body">
                <LayerPanel ctx=ctx/>
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
                        <div id="services-list">
                            <ServicesList ctx=ctx/>
                        </div>
                    </Show>
                </div>
                {move || {
                    // Only a new pick redraws the panel, not the loads it reads.
                    ctx.picked
                        .get()
                        .map(|picked| untrack(|| view! { <ServiceDetails ctx=ctx picked=picked/> }))
                }}
            </div>
        </div>
    }
}

/// From this zoom on, a very large layer is loaded for the area in view.
const AREA_MIN_ZOOM: f64 = 16.0;

/// Loads each selected layer once (or, for very large ones, the area in view), cancels what is
/// switched off or left, retries failures on demand.
fn start_loading(ctx: MapContext) {
    let config = use_config();
    let paging = Paging {
        base: config.api.ngsi_ld.clone(),
        page_size: config.api.ngsi_ld_page_size,
        parallel: config.api.ngsi_ld_parallel_requests,
    };
    let status_attrs: HashMap<String, Option<String>> = config
        .layers
        .iter()
        .map(|l| (l.entity_type.clone(), l.status_attribute.clone()))
        .collect();
    let controllers: StoredValue<HashMap<String, AbortController>, LocalStorage> =
        StoredValue::new_local(HashMap::new());
    let max_whole = config.api.max_whole_layer;
    let retried = StoredValue::new(0u32);

    Effect::new(move |_| {
        let selected = ctx.selected.get();
        let view = ctx.viewport.get();
        // Failed layers are tried again only when the resident asks (never in a loop).
        let retry = ctx.retry.get();
        let retrying = retried.get_value() != retry;
        retried.set_value(retry);
        // Switched off while loading: cancel, and forget the partial load.
        let mut cancelled = Vec::new();
        controllers.update_value(|running| {
            running.retain(|entity_type, controller| {
                let keep = selected.contains(entity_type);
                if !keep {
                    controller.abort();
                    cancelled.push(entity_type.clone());
                }
                keep
            })
        });
        if !cancelled.is_empty() {
            ctx.loads.update(|loads| {
                for entity_type in &cancelled {
                    if matches!(loads.get(entity_type), Some(LayerLoad::Loading { .. })) {
                        loads.remove(entity_type);
                    }
                }
            });
        }
        let zoomed_area = view
            .filter(|v| v.zoom >= AREA_MIN_ZOOM)
            .map(|v| padded_bbox(&v));
        for entity_type in selected {
            let running = controllers.with_value(|running| running.contains_key(&entity_type));
            if running {
                continue;
            }
            let area = ctx
                .loads
                .with_untracked(|loads| match loads.get(&entity_type) {
                    None => Some(None),
                    Some(LayerLoad::Failed(_)) if retrying => Some(None),
                    // A very large layer: load the area in view when zoomed in and not yet covered.
                    Some(LayerLoad::ZoomIn { .. }) => zoomed_area.map(Some),
                    Some(LayerLoad::Ready {
                        area: Some(loaded), ..
                    }) => zoomed_area
                        .filter(|wanted| !covers(loaded, wanted))
                        .map(Some),
                    _ => None,
                });
            if let Some(area) = area {
                let status_attr = status_attrs.get(&entity_type).cloned().flatten();
                let load = LoadSpec {
                    paging: paging.clone(),
                    entity_type,
                    status_attr,
                    area,
                    max_whole,
                };
                spawn_layer_load(ctx, controllers, load);
            }
        }
    });

    on_cleanup(move || {
        controllers.try_update_value(|running| {
            for controller in running.values() {
                controller.abort();
            }
            running.clear();
        });
    });
}

/// One load to start: which layer, which area (`None`: the whole layer), from where.
struct LoadSpec {
    paging: Paging,
    entity_type: String,
    status_attr: Option<String>,
    area: Option<[f64; 4]>,
    max_whole: u32,
}

fn spawn_layer_load(
    ctx: MapContext,
    controllers: StoredValue<HashMap<String, AbortController>, LocalStorage>,
    load: LoadSpec,
) {
    let LoadSpec {
        paging,
        entity_type,
        status_attr,
        area,
        max_whole,
    } = load;
    let controller = match AbortController::new() {
        Ok(controller) => controller,
        Err(_) => {
            ctx.loads.update(|loads| {
                loads.insert(
                    entity_type.clone(),
                    LayerLoad::Failed(crate::api::ApiError::Network("AbortController".into())),
                );
            });
            return;
        }
    };
    let signal = controller.signal();
    controllers.update_value(|running| {
        running.insert(entity_type.clone(), controller);
    });
    // A whole layer shows its progress; an area of a very large one keeps the current area
    // drawn until the next one is there.
    let whole = area.is_none();
    let nothing_drawn = ctx
        .loads
        .with_untracked(|loads| !matches!(loads.get(&entity_type), Some(LayerLoad::Ready { .. })));
    if whole || nothing_drawn {
        ctx.loads.update(|loads| {
            loads.insert(
                entity_type.clone(),
                LayerLoad::Loading {
                    loaded: 0,
                    total: None,
                },
            );
        });
    }
    spawn_local(async move {
        // Only what the map shows: the state attribute and a name when there is one.
        let mut attrs: Vec<&str> = status_attr.iter().map(String::as_str).collect();
        attrs.push("name");
        let progress = |loaded, total| {
            if whole {
                ctx.loads.try_update(|loads| {
                    loads.insert(entity_type.clone(), LayerLoad::Loading { loaded, total });
                });
            }
        };
        let query = LayerQuery {
            entity_type: &entity_type,
            status_attr: status_attr.as_deref(),
            attrs: &attrs,
            area,
        };
        let result = load_layer(&paging, &query, max_whole, &signal, progress).await;
        if signal.aborted() {
            return;
        }
        controllers.try_update_value(|running| {
            running.remove(&entity_type);
        });
        let load = match result {
            Ok(Loaded::All(features)) => LayerLoad::Ready {
                data: Arc::new(LayerIndex::new(&entity_type, features)),
                loaded_at: clock_time(),
                area,
            },
            Ok(Loaded::TooLarge { total }) => LayerLoad::ZoomIn { total },
            Err(error) => LayerLoad::Failed(error),
        };
        let too_large = matches!(load, LayerLoad::ZoomIn { .. });
        ctx.loads.try_update(|loads| {
            loads.insert(entity_type, load);
        });
        if too_large {
            // It may be loadable for the current view already (a deep link zoomed in).
            ctx.viewport.try_update(|_| {});
        }
    });
}

/// Writes the view into the address (without a navigation) so that a reload or a shared link
/// restores it.
fn keep_address_in_sync(ctx: MapContext, as_list: RwSignal<bool>) {
    Effect::new(move |_| {
        let Some(view) = ctx.viewport.get() else {
            return;
        };
        let state = MapView {
            layers: ctx.selected.get(),
            lat: view.center_lat,
            lon: view.center_lon,
            zoom: view.zoom.round().clamp(0.0, 30.0) as u8,
            as_list: as_list.get(),
        };
        crate::browser::replace_query(&state.to_query());
    });
}

/// What the map draws: for each shown layer, clusters and single services in the view.
fn draw_items(ctx: MapContext) -> Vec<DrawItem> {
    let Some(view) = ctx.viewport.get() else {
        return Vec::new();
    };
    let picked = ctx.picked.get();
    let bbox = padded_bbox(&view);
    let zoom = view.zoom.floor().clamp(0.0, 30.0) as u8;
    let mut items = Vec::new();
    for entity_type in ctx.selected.get() {
        let Some(layer) = ctx.ready(&entity_type) else {
            continue;
        };
        for drawn in layer.drawn(bbox, zoom) {
            items.push(match drawn {
                Drawn::Feature(index) => {
                    let feature = &layer.features[index];
                    let selected = picked
                        .as_ref()
                        .is_some_and(|p| p.entity_type == entity_type && p.index == index);
                    DrawItem {
                        lat: feature.lat,
                        lon: feature.lon,
                        kind: DrawKind::Point {
                            colour: layer.states[index].marker_colour(),
                            selected,
                        },
                    }
                }
                Drawn::Cluster {
                    lat,
                    lon,
                    count,
                    worst,
                    ..
                } => DrawItem {
                    lat,
                    lon,
                    kind: DrawKind::Cluster {
                        count,
                        css: worst.css(),
                    },
                },
            });
        }
    }
    items
}

/// The view plus a margin, so that panning a little shows what was just outside.
fn padded_bbox(view: &Viewport) -> [f64; 4] {
    let dx = (view.east - view.west) * 0.2;
    let dy = (view.north - view.south) * 0.2;
    [
        view.west - dx,
        view.south - dy,
        view.east + dx,
        view.north + dy,
    ]
}

enum Target {
    Feature(Picked),
    Cluster { lat: f64, lon: f64, zoom: u8 },
}

/// The drawn item nearest to a position, within a tolerance in screen pixels.
fn nearest(ctx: MapContext, at: (f64, f64), zoom: f64, tolerance: f64) -> Option<Target> {
    let view = ctx.viewport.get_untracked()?;
    let bbox = padded_bbox(&view);
    let whole_zoom = zoom.floor().clamp(0.0, 30.0) as u8;
    let mut best: Option<(f64, Target)> = None;
    for entity_type in ctx.selected.get_untracked() {
        let Some(layer) = ctx.ready_untracked(&entity_type) else {
            continue;
        };
        for drawn in layer.drawn(bbox, whole_zoom) {
            let (position, target) = match drawn {
                Drawn::Feature(index) => {
                    let f = &layer.features[index];
                    (
                        (f.lat, f.lon),
                        Target::Feature(Picked {
                            entity_type: entity_type.clone(),
                            index,
                        }),
                    )
                }
                Drawn::Cluster {
                    lat, lon, zoom_to, ..
                } => (
                    (lat, lon),
                    Target::Cluster {
                        lat,
                        lon,
                        zoom: zoom_to,
                    },
                ),
            };
            let distance = pixel_distance(at, position, zoom);
            if distance <= tolerance && best.as_ref().is_none_or(|(d, _)| distance < *d) {
                best = Some((distance, target));
            }
        }
    }
    best.map(|(_, target)| target)
}

/// "14:05": when a layer was loaded (its freshness as the resident sees it).
fn clock_time() -> String {
    let now = js_sys::Date::new_0();
    format!("{:02}:{:02}", now.get_hours(), now.get_minutes())
}
