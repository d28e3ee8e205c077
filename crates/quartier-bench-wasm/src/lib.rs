//! The browser side of `cargo xtask bench`: quartier-cluster behind a small wasm-bindgen API
//! that `bench/cluster.mjs` calls. Timing is done in JavaScript around each call, exactly as
//! for supercluster, so both implementations are measured the same way (the copy of the
//! coordinates into wasm memory included).

use quartier_cluster::{ClusterIndex, Item, Options};
use wasm_bindgen::prelude::wasm_bindgen;

/// An index built from flat `[lon0, lat0, lon1, lat1, …]` coordinates.
#[wasm_bindgen]
pub struct BenchIndex {
    index: ClusterIndex,
    /// Reused by every query, as the map does between redraws.
    items: Vec<Item>,
}

#[wasm_bindgen]
impl BenchIndex {
    /// Builds the index (supercluster's option names; `severities[i]` belongs to point `i`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        coords: &[f64],
        severities: &[u8],
        radius: f64,
        extent: f64,
        min_zoom: u8,
        max_zoom: u8,
        min_points: u32,
    ) -> BenchIndex {
        let options = Options {
            radius,
            extent,
            min_zoom,
            max_zoom,
            min_points,
        };
        BenchIndex {
            index: ClusterIndex::from_lon_lat(coords, severities, options),
            // A phone viewport rarely shows more; growing it mid-benchmark would be timed.
            items: Vec::with_capacity(8192),
        }
    }

    /// How many points were indexed.
    pub fn len(&self) -> u32 {
        self.index.len() as u32
    }

    /// Whether no point was indexed.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Runs a viewport query and returns how many items it gave. The items stay in wasm, as in
    /// the app, whose map code is Rust too.
    pub fn query(&mut self, west: f64, south: f64, east: f64, north: f64, zoom: u8) -> u32 {
        self.index
            .clusters_into([west, south, east, north], zoom, &mut self.items);
        self.items.len() as u32
    }

    /// Points covered by the last query's items (clusters count their points), to compare the
    /// two implementations' answers.
    #[wasm_bindgen(js_name = lastPointTotal)]
    pub fn last_point_total(&self) -> f64 {
        point_total(&self.items)
    }

    /// Clusters (not single points) among the last query's items.
    #[wasm_bindgen(js_name = lastClusterCount)]
    pub fn last_cluster_count(&self) -> u32 {
        self.items
            .iter()
            .filter(|item| matches!(item, Item::Cluster { .. }))
            .count() as u32
    }

    /// The highest severity among the last query's items.
    #[wasm_bindgen(js_name = lastWorst)]
    pub fn last_worst(&self) -> u8 {
        self.items
            .iter()
            .map(|item| match item {
                Item::Cluster { worst, .. } => *worst,
                Item::Point { .. } => 0,
            })
            .max()
            .unwrap_or(0)
    }

    /// See `ClusterIndex::expansion_zoom`.
    #[wasm_bindgen(js_name = expansionZoom)]
    pub fn expansion_zoom(&self, cluster_id: u32) -> u8 {
        self.index.expansion_zoom(cluster_id)
    }
}

/// Bytes of the module's linear memory (it only grows: after a build, this is the peak).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65_536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

fn point_total(items: &[Item]) -> f64 {
    items
        .iter()
        .map(|item| match item {
            Item::Point { .. } => 1.0,
            Item::Cluster { count, .. } => f64::from(*count),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_world_query_covers_every_point() {
        let coords = [2.35, 48.85, 2.3501, 48.8501, 5.37, 43.3, f64::NAN, 0.0];
        let mut index = BenchIndex::new(&coords, &[0, 2, 0, 0], 60.0, 256.0, 0, 16, 2);
        assert_eq!(index.len(), 3);
        assert_eq!(index.query(-180.0, -90.0, 180.0, 90.0, 5), 2);
        assert_eq!(index.last_point_total(), 3.0);
        assert_eq!(index.last_cluster_count(), 1);
        assert_eq!(index.last_worst(), 2);
        assert_eq!(index.query(-180.0, -90.0, 180.0, 90.0, 17), 3);
    }
}
