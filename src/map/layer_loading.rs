//! The map's loading state machine: each selected layer is loaded once (or, for very large
//! ones, the area in view once zoomed in); what is switched off or left is cancelled; failures
//! are tried again only when the resident asks. Progress goes to its own signal, the data to
//! `loads` once, when a layer is complete.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use crate::api::ngsi_ld::LayerQuery;
use crate::api::{ApiError, Service};
use crate::config::use_config;
use crate::map::cluster::LayerIndex;
use crate::map::drawing::padded_bbox;
use crate::map::loader::{Loaded, Paging, load_layer};
use crate::map::state::{Announcement, LayerCounts, LayerLoad, MapContext, Progress};
use crate::map::view_state::covers;

pub use crate::map::area_counts::AREA_MIN_ZOOM;

/// As a list from afar, a large layer's services within this distance of the centre are
/// loaded (about the area a phone shows at zoom 16).
pub const LIST_RADIUS_M: f64 = 300.0;

/// A box of `radius` metres around the view's centre, `[west, south, east, north]`.
pub fn around_centre(view: &crate::map::leaflet_map::Viewport, radius: f64) -> [f64; 4] {
    const METRES_PER_DEGREE: f64 = 111_320.0;
    let dlat = radius / METRES_PER_DEGREE;
    let dlon = radius / (METRES_PER_DEGREE * view.center_lat.to_radians().cos().max(0.01));
    [
        view.center_lon - dlon,
        view.center_lat - dlat,
        view.center_lon + dlon,
        view.center_lat + dlat,
    ]
}

/// What to load of a layer now: `None` nothing, `Some(None)` the whole layer, `Some(Some(area))`
/// the area in view. `zoomed_area` is the area in view when zoomed in enough for area loads.
pub fn wanted_load(
    current: Option<&LayerLoad>,
    retrying: bool,
    zoomed_area: Option<[f64; 4]>,
) -> Option<Option<[f64; 4]>> {
    match current {
        None => Some(None),
        Some(LayerLoad::Failed(_)) if retrying => Some(None),
        // A very large layer: load the area in view when zoomed in and not yet covered.
        Some(LayerLoad::ByArea { .. }) => zoomed_area.map(Some),
        Some(LayerLoad::Ready {
            area: Some(loaded), ..
        }) => zoomed_area
            .filter(|wanted| !covers(loaded, wanted))
            .map(Some),
        _ => None,
    }
}

type Controllers = StoredValue<HashMap<String, AbortController>, LocalStorage>;

/// Starts following the selection and the view, for as long as the page lives.
pub fn start_loading(ctx: MapContext) {
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
    let controllers: Controllers = StoredValue::new_local(HashMap::new());
    let max_whole = config.api.max_whole_layer;
    let retried = StoredValue::new(0u32);

    Effect::new(move |_| {
        let selected = ctx.selected.get();
        let view = ctx.viewport.get();
        let retry = ctx.retry.get();
        let retrying = retried.get_value() != retry;
        retried.set_value(retry);
        cancel_unselected(ctx, controllers, &selected);
        // Zoomed in: the view. As a list from afar: the services near the centre, which the
        // list shows first (a count per area is nothing to read in a list).
        let listing = ctx.as_list.get();
        let zoomed_area = view.and_then(|v| {
            if v.zoom >= AREA_MIN_ZOOM {
                Some(padded_bbox(&v))
            } else {
                listing.then(|| around_centre(&v, LIST_RADIUS_M))
            }
        });
        for entity_type in selected {
            if controllers.with_value(|running| running.contains_key(&entity_type)) {
                continue;
            }
            let wanted = ctx.loads.with_untracked(|loads| {
                wanted_load(loads.get(&entity_type), retrying, zoomed_area)
            });
            if let Some(area) = wanted {
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

/// Switched off while loading: cancel, and forget the partial load.
fn cancel_unselected(ctx: MapContext, controllers: Controllers, selected: &[String]) {
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
    if cancelled.is_empty() {
        return;
    }
    ctx.loads.update(|loads| {
        for entity_type in &cancelled {
            if matches!(loads.get(entity_type), Some(LayerLoad::Loading)) {
                loads.remove(entity_type);
            }
        }
    });
    ctx.progress.update(|progress| {
        for entity_type in &cancelled {
            progress.remove(entity_type);
        }
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

fn spawn_layer_load(ctx: MapContext, controllers: Controllers, load: LoadSpec) {
    let LoadSpec {
        paging,
        entity_type,
        status_attr,
        area,
        max_whole,
    } = load;
    let Ok(controller) = AbortController::new() else {
        let error = ApiError::network(Service::Broker, "AbortController");
        ctx.loads.update(|loads| {
            loads.insert(entity_type, LayerLoad::Failed(error));
        });
        return;
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
            loads.insert(entity_type.clone(), LayerLoad::Loading);
        });
    }
    spawn_local(async move {
        // Only what the map shows: the state attribute, a name, and the date of observation
        // for the types that carry their freshness there.
        let mut attrs: Vec<&str> = status_attr.iter().map(String::as_str).collect();
        attrs.push("name");
        attrs.push(crate::api::ngsi_ld::DATE_OBSERVED);
        let progress = |loaded, total| {
            if whole {
                ctx.progress.try_update(|progress| {
                    progress.insert(entity_type.clone(), Progress { loaded, total });
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
        finish(ctx, entity_type, area, result);
    });
}

/// Puts a finished load in place and says what happened.
fn finish(
    ctx: MapContext,
    entity_type: String,
    area: Option<[f64; 4]>,
    result: Result<Loaded, ApiError>,
) {
    let (load, announcement) = match result {
        Ok(Loaded::All(features)) => {
            let data = Arc::new(LayerIndex::new(&entity_type, features));
            let count = data.features.len();
            let load = LayerLoad::Ready {
                data,
                loaded_at: js_sys::Date::now(),
                area,
            };
            // An area of a very large layer is announced once, not at every pan.
            let first = ctx.loads.with_untracked(|loads| {
                !matches!(loads.get(&entity_type), Some(LayerLoad::Ready { .. }))
            });
            let said = first.then(|| Announcement::LayerReady {
                entity_type: entity_type.clone(),
                count,
            });
            (load, said)
        }
        Ok(Loaded::TooLarge { total }) => {
            ctx.large.try_update(|large| {
                let known = large
                    .get(&entity_type)
                    .filter(|c| c.total == total)
                    .copied();
                large.insert(
                    entity_type.clone(),
                    known.unwrap_or(LayerCounts {
                        total,
                        by_state: None,
                    }),
                );
            });
            (
                LayerLoad::ByArea { total },
                Some(Announcement::LayerByArea {
                    entity_type: entity_type.clone(),
                    total,
                }),
            )
        }
        Err(error) => (
            LayerLoad::Failed(error),
            Some(Announcement::LayerFailed {
                entity_type: entity_type.clone(),
            }),
        ),
    };
    let too_large = matches!(load, LayerLoad::ByArea { .. });
    ctx.progress.try_update(|progress| {
        progress.remove(&entity_type);
    });
    ctx.loads.try_update(|loads| {
        loads.insert(entity_type, load);
    });
    if let Some(announcement) = announcement {
        ctx.announcement.try_set(Some(announcement));
    }
    if too_large {
        // It may be loadable for the current view already (a deep link zoomed in).
        ctx.viewport.try_update(|_| {});
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(area: Option<[f64; 4]>) -> LayerLoad {
        LayerLoad::Ready {
            data: Arc::new(LayerIndex::new("Streetlight", Vec::new())),
            loaded_at: 0.0,
            area,
        }
    }

    #[test]
    fn a_new_layer_is_loaded_whole_and_a_loaded_one_is_left_alone() {
        assert_eq!(wanted_load(None, false, None), Some(None));
        assert_eq!(wanted_load(Some(&ready(None)), true, None), None);
        assert_eq!(wanted_load(Some(&LayerLoad::Loading), false, None), None);
    }

    #[test]
    fn a_failed_layer_is_tried_again_only_when_asked() {
        let failed = LayerLoad::Failed(ApiError::status(Service::Broker, 503));
        assert_eq!(wanted_load(Some(&failed), false, None), None);
        assert_eq!(wanted_load(Some(&failed), true, None), Some(None));
    }

    #[test]
    fn the_box_around_the_centre_spans_the_radius_each_way() {
        let view = crate::map::leaflet_map::Viewport {
            west: 0.6,
            south: 47.3,
            east: 0.8,
            north: 47.5,
            center_lat: 47.4,
            center_lon: 0.7,
            zoom: 14.0,
        };
        let [w, s, e, n] = around_centre(&view, 300.0);
        let centre = quartier_api::geo::LonLat {
            lon: 0.7,
            lat: 47.4,
        };
        let east = quartier_api::geo::LonLat { lon: e, lat: 47.4 };
        let north = quartier_api::geo::LonLat { lon: 0.7, lat: n };
        assert!((centre.distance_m(&east) - 300.0).abs() < 3.0);
        assert!((centre.distance_m(&north) - 300.0).abs() < 3.0);
        assert!(w < 0.7 && s < 47.4);
    }

    #[test]
    fn a_very_large_layer_loads_the_area_in_view_once_zoomed_in() {
        let zoom_in = LayerLoad::ByArea { total: 120_000 };
        let area = [0.60, 47.30, 0.70, 47.40];
        assert_eq!(wanted_load(Some(&zoom_in), false, None), None);
        assert_eq!(
            wanted_load(Some(&zoom_in), false, Some(area)),
            Some(Some(area))
        );
        // Already covered: nothing; a view outside the loaded area: that view.
        let inside = [0.61, 47.31, 0.69, 47.39];
        assert_eq!(
            wanted_load(Some(&ready(Some(area))), false, Some(inside)),
            None
        );
        let beyond = [0.65, 47.35, 0.75, 47.45];
        assert_eq!(
            wanted_load(Some(&ready(Some(area))), false, Some(beyond)),
            Some(Some(beyond))
        );
    }
}
