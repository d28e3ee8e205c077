//! The services map's shared state, provided by the page to its panels.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::api::ApiError;
use crate::map::cluster::LayerIndex;
use crate::map::leaflet_map::Viewport;

/// Where a layer's loading stands.
#[derive(Clone)]
pub enum LayerLoad {
    Loading {
        loaded: u32,
        total: Option<u32>,
    },
    /// Loaded: the whole layer (`area: None`) or the part inside `area` (very large layers).
    Ready {
        data: Arc<LayerIndex>,
        loaded_at: String,
        area: Option<[f64; 4]>,
    },
    /// Too large to load whole: shown only when zoomed in, area by area.
    ZoomIn {
        total: u32,
    },
    Failed(ApiError),
}

/// A service the resident picked: its layer and its index in that layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Picked {
    pub entity_type: String,
    pub index: usize,
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
    pub viewport: RwSignal<Option<Viewport>>,
    pub picked: RwSignal<Option<Picked>>,
    /// Bumped to retry the layers that failed.
    pub retry: RwSignal<u32>,
}

impl MapContext {
    pub fn new(selected: Vec<String>) -> MapContext {
        MapContext {
            selected: RwSignal::new(selected),
            loads: RwSignal::new(HashMap::new()),
            viewport: RwSignal::new(None),
            picked: RwSignal::new(None),
            retry: RwSignal::new(0),
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

    /// Whether every selected layer is loaded (what `data-ready` announces).
    pub fn all_ready(&self) -> bool {
        let selected = self.selected.get();
        self.loads.with(|loads| {
            selected
                .iter()
                // A layer waiting for the resident to zoom in has drawn all it can.
                .all(|t| {
                    matches!(
                        loads.get(t),
                        Some(LayerLoad::Ready { .. } | LayerLoad::ZoomIn { .. })
                    )
                })
        })
    }
}
