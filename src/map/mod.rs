//! The services map: Leaflet is driven only from `leaflet_map.rs`; everything else here is pure
//! (states, clustering, view state) and tested natively.

pub mod cluster;
pub mod layer_panel;
pub mod layers;
pub mod leaflet_map;
pub mod loader;
pub mod place_search;
pub mod service_details;
pub mod services_list;
pub mod state;
pub mod view_state;
