//! The services map: Leaflet is driven only from `leaflet_map.rs`; the loading state machine
//! (`layer_loading.rs`), clustering, drawing and view state are pure where they can be and
//! tested natively.

pub mod announcer;
pub mod area_counts;
pub mod cluster;
pub mod drawing;
pub mod layer_loading;
pub mod layer_panel;
pub mod layers;
pub mod leaflet_map;
pub mod live;
pub mod loader;
pub mod place_search;
pub mod service_details;
pub mod services_list;
pub mod state;
pub mod state_words;
pub mod view_state;
