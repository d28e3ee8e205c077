//! The services map's shared state, provided by the page to its panels.
//!
//! Loaded data and loading progress live in separate signals: a page of one layer arriving
//! updates its progress bar only, never the drawing, the list or the other layers.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::api::ApiError;
use quartier_api::tile::Tile;

use crate::map::cluster::LayerIndex;
use crate::map::leaflet_map::Viewport;
use crate::map::live::LiveStatus;
use crate::map::place_search::PlaceStatus;

/// Where a layer's loading stands.
#[derive(Clone)]
pub enum LayerLoad {
    /// Pages are on their way (how many: [`MapContext::progress`]).
    Loading,
    /// Loaded: the whole layer (`area: None`) or the part inside `area` (very large layers).
    Ready {
        data: Arc<LayerIndex>,
        /// When it was loaded (ms since 1970), shown in the resident's language.
        loaded_at: f64,
        area: Option<[f64; 4]>,
    },
    /// Too large to load whole: counted per area at low zoom ([`MapContext::cells`]), loaded
    /// area by area once zoomed in.
    ByArea {
        total: u32,
    },
    Failed(ApiError),
}

impl PartialEq for LayerLoad {
    /// Two loads are the same when they hold the same data (by pointer: a layer of 100 000
    /// services is never compared item by item).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (LayerLoad::Loading, LayerLoad::Loading) => true,
            (
                LayerLoad::Ready {
                    data: a,
                    loaded_at: at_a,
                    area: area_a,
                },
                LayerLoad::Ready {
                    data: b,
                    loaded_at: at_b,
                    area: area_b,
                },
            ) => Arc::ptr_eq(a, b) && at_a == at_b && area_a == area_b,
            (LayerLoad::ByArea { total: a }, LayerLoad::ByArea { total: b }) => a == b,
            (LayerLoad::Failed(a), LayerLoad::Failed(b)) => a == b,
            _ => false,
        }
    }
}

/// How far a whole layer's loading has come.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    pub loaded: u32,
    pub total: Option<u32>,
}

/// A whole large layer's size, and its services per state once counted (indexed by
/// `StateClass as usize`; `None` until the counts are in).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerCounts {
    pub total: u32,
    pub by_state: Option<[u32; 4]>,
}

/// One area's count of a large layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CellCount {
    /// Asked, not answered yet.
    Asked,
    Counted {
        total: u32,
        problems: u32,
        warnings: u32,
    },
}

/// A service the resident picked: its layer and its entity id (stable across reloads of the
/// layer, unlike a position in it).
#[derive(Clone, Debug, PartialEq)]
pub struct Picked {
    pub entity_type: String,
    pub id: String,
}

/// What the map's one polite live region says; its words are derived when it is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Announcement {
    LayerReady {
        entity_type: String,
        count: usize,
    },
    LayerFailed {
        entity_type: String,
    },
    LayerByArea {
        entity_type: String,
        total: u32,
    },
    Place(PlaceStatus),
    /// The service the resident follows changed state (`state_key`: its Fluent key).
    FollowedChanged {
        entity_type: String,
        id: String,
        name: Option<String>,
        state_key: &'static str,
    },
}

/// Now, in ms since 1970 (0 natively, where no clock is needed).
fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    return 0.0;
}

fn ready_in(loads: &HashMap<String, LayerLoad>, entity_type: &str) -> Option<Arc<LayerIndex>> {
    match loads.get(entity_type) {
        Some(LayerLoad::Ready { data, .. }) => Some(Arc::clone(data)),
        _ => None,
    }
}

#[derive(Clone, Copy)]
pub struct MapContext {
    /// Entity types shown, in the configuration's order.
    pub selected: RwSignal<Vec<String>>,
    pub loads: RwSignal<HashMap<String, LayerLoad>>,
    /// Pages loaded so far of each layer being loaded whole.
    pub progress: RwSignal<HashMap<String, Progress>>,
    pub viewport: RwSignal<Option<Viewport>>,
    pub picked: RwSignal<Option<Picked>>,
    /// Bumped to retry the layers that failed.
    pub retry: RwSignal<u32>,
    /// Whether the resident asked for the list instead of the map (a large layer then loads
    /// what is near the centre even from afar).
    pub as_list: RwSignal<bool>,
    /// The layers too large to load whole, with their counts by state (for the legend).
    pub large: RwSignal<HashMap<String, LayerCounts>>,
    /// Counts of a large layer per area (a fixed grid of tiles), kept while the page lives so
    /// panning back asks nothing.
    pub cells: RwSignal<HashMap<(String, Tile), CellCount>>,
    pub announcement: RwSignal<Option<Announcement>>,
    /// The service whose changes the resident asked to hear (its entity id).
    pub followed: RwSignal<Option<String>>,
    /// The live stream's state (`map/live.rs`).
    pub live: RwSignal<LiveStatus>,
    /// Now (ms since 1970), each second: what "updated N s ago" counts from.
    pub clock: RwSignal<f64>,
}

impl MapContext {
    pub fn new(selected: Vec<String>) -> MapContext {
        MapContext {
            selected: RwSignal::new(selected),
            loads: RwSignal::new(HashMap::new()),
            progress: RwSignal::new(HashMap::new()),
            viewport: RwSignal::new(None),
            picked: RwSignal::new(None),
            retry: RwSignal::new(0),
            as_list: RwSignal::new(false),
            large: RwSignal::new(HashMap::new()),
            cells: RwSignal::new(HashMap::new()),
            announcement: RwSignal::new(None),
            followed: RwSignal::new(None),
            live: RwSignal::new(LiveStatus::Connecting),
            clock: RwSignal::new(now()),
        }
    }

    /// The loaded data of a layer, if it is ready.
    pub fn ready(&self, entity_type: &str) -> Option<Arc<LayerIndex>> {
        self.loads.with(|loads| ready_in(loads, entity_type))
    }

    /// The same, without subscribing (event handlers).
    pub fn ready_untracked(&self, entity_type: &str) -> Option<Arc<LayerIndex>> {
        self.loads
            .with_untracked(|loads| ready_in(loads, entity_type))
    }

    /// One layer's load, as a memo: its readers re-run only when that layer changes.
    pub fn load_of(&self, entity_type: String) -> Memo<Option<LayerLoad>> {
        let loads = self.loads;
        Memo::new(move |_| loads.with(|loads| loads.get(&entity_type).cloned()))
    }

    /// One layer's progress, as a memo.
    pub fn progress_of(&self, entity_type: String) -> Memo<Progress> {
        let progress = self.progress;
        Memo::new(move |_| progress.with(|p| p.get(&entity_type).copied().unwrap_or_default()))
    }

    /// Whether every selected layer has drawn what the view asks (what `data-ready`
    /// announces): loaded whole or for the area, or, for a large layer at low zoom, every
    /// area in view counted.
    pub fn all_ready(&self) -> bool {
        let selected = self.selected.get();
        let view = self.viewport.get();
        let counting = view.filter(|v| v.zoom < crate::map::area_counts::AREA_MIN_ZOOM);
        selected.iter().all(|t| {
            let large = self
                .large
                .with(|large| large.get(t).map(|c| c.by_state.is_some()));
            if let (Some(states_counted), Some(view)) = (large, counting) {
                return states_counted
                    && self.cells.with(|cells| {
                        crate::map::area_counts::cells_in_view(&view)
                            .into_iter()
                            .all(|tile| {
                                matches!(
                                    cells.get(&(t.clone(), tile)),
                                    Some(CellCount::Counted { .. })
                                )
                            })
                    });
            }
            self.loads.with(|loads| {
                matches!(
                    loads.get(t),
                    Some(LayerLoad::Ready { .. } | LayerLoad::ByArea { .. })
                )
            })
        })
    }
}
