//! A layer's services, indexed for drawing: the Rust clustering of `quartier-cluster` over the
//! features, with each feature's state so that a cluster shows the worst state inside it.
//! Pure, tested natively.

use std::collections::HashMap;

use quartier_cluster::{ClusterIndex, Item, Options, Point};

use crate::api::ngsi_ld::MapFeature;
use crate::map::layers::{StateClass, classify};

/// One loaded layer, ready to draw and to list.
pub struct LayerIndex {
    pub entity_type: String,
    pub features: Vec<MapFeature>,
    pub states: Vec<StateClass>,
    /// The most recent observation among the features (ms since 1970): how fresh the layer is.
    pub newest_observation: Option<i64>,
    index: ClusterIndex,
    /// Entity id → position in `features`: a pick names an entity, not a position.
    by_id: HashMap<String, usize>,
}

/// What to draw for a layer in a view.
#[derive(Clone, Debug, PartialEq)]
pub enum Drawn {
    Feature(usize),
    Cluster {
        lat: f64,
        lon: f64,
        count: u32,
        worst: StateClass,
        /// How many services it holds in each state, indexed by `StateClass as usize`.
        by_state: [u32; 4],
        zoom_to: u8,
    },
}

impl LayerIndex {
    pub fn new(entity_type: &str, features: Vec<MapFeature>) -> LayerIndex {
        let states: Vec<StateClass> = features
            .iter()
            .map(|f| classify(entity_type, f.status.as_ref()))
            .collect();
        let points: Vec<Point> = features
            .iter()
            .zip(&states)
            .map(|(f, state)| Point {
                lon: f.lon,
                lat: f.lat,
                severity: *state as u8,
            })
            .collect();
        let index = ClusterIndex::new(&points, Options::default());
        let by_id = features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect();
        LayerIndex {
            by_id,
            entity_type: entity_type.to_string(),
            newest_observation: features.iter().filter_map(|f| f.observed).max(),
            features,
            states,
            index,
        }
    }

    /// Where an entity is in `features`.
    pub fn position_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Counts of each state, for the legend.
    pub fn count(&self, state: StateClass) -> usize {
        self.states.iter().filter(|s| **s == state).count()
    }

    /// Clusters and single services inside `[west, south, east, north]` at `zoom`.
    pub fn drawn(&self, bbox: [f64; 4], zoom: u8) -> Vec<Drawn> {
        self.index
            .clusters(bbox, zoom)
            .into_iter()
            .map(|item| match item {
                Item::Point { index } => Drawn::Feature(index as usize),
                Item::Cluster {
                    id,
                    lon,
                    lat,
                    count,
                    worst,
                    by_severity,
                } => Drawn::Cluster {
                    by_state: by_severity,
                    lat,
                    lon,
                    count,
                    worst: StateClass::from_severity(worst),
                    zoom_to: self.index.expansion_zoom(id),
                },
            })
            .collect()
    }
}

/// Distance in screen pixels between two positions at a zoom level (Web Mercator, 256-px
/// tiles): how close a click must be to a service to pick it.
pub fn pixel_distance(a: (f64, f64), b: (f64, f64), zoom: f64) -> f64 {
    let scale = 256.0 * 2f64.powf(zoom);
    let (ax, ay) = mercator(a);
    let (bx, by) = mercator(b);
    ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt() * scale
}

/// (lat, lon) → [0, 1]² Web Mercator.
fn mercator((lat, lon): (f64, f64)) -> (f64, f64) {
    let x = lon / 360.0 + 0.5;
    let sin = lat.to_radians().sin().clamp(-0.9999, 0.9999);
    let y = 0.5 - 0.25 * ((1.0 + sin) / (1.0 - sin)).ln() / std::f64::consts::PI;
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quartier_api::ngsi_ld::StatusValue;

    #[test]
    fn a_layer_is_as_fresh_as_its_newest_observation() {
        let mut features = vec![
            feature(0, 0.68, 47.39, "ok"),
            feature(1, 0.69, 47.40, "ok"),
            feature(2, 0.70, 47.41, "ok"),
        ];
        assert_eq!(
            LayerIndex::new("Streetlight", features.clone()).newest_observation,
            None
        );
        features[0].observed = Some(1_000);
        features[2].observed = Some(5_000);
        assert_eq!(
            LayerIndex::new("Streetlight", features).newest_observation,
            Some(5_000)
        );
    }

    fn feature(i: usize, lon: f64, lat: f64, status: &str) -> MapFeature {
        MapFeature {
            id: format!("urn:ngsi-ld:Streetlight:{i}"),
            lon,
            lat,
            status: Some(StatusValue::Text(status.into())),
            name: None,
            observed: None,
        }
    }

    #[test]
    fn a_cluster_with_a_defective_light_says_so() {
        let mut features: Vec<MapFeature> = (0..50)
            .map(|i| feature(i, 0.68 + i as f64 * 1e-5, 47.39, "ok"))
            .collect();
        features.push(feature(99, 0.68, 47.39001, "defectiveLamp"));
        let layer = LayerIndex::new("Streetlight", features);
        assert_eq!(layer.count(StateClass::Problem), 1);
        assert_eq!(layer.count(StateClass::Ok), 50);
        let drawn = layer.drawn([0.6, 47.3, 0.8, 47.5], 10);
        let total: u32 = drawn
            .iter()
            .map(|d| match d {
                Drawn::Cluster { count, .. } => *count,
                Drawn::Feature(_) => 1,
            })
            .sum();
        assert_eq!(total, 51);
        assert!(drawn.iter().any(|d| matches!(
            d,
            Drawn::Cluster {
                worst: StateClass::Problem,
                ..
            }
        )));
        // One defective light among 51 reads as one, not as a broken cluster.
        let problems: u32 = drawn
            .iter()
            .map(|d| match d {
                Drawn::Cluster { by_state, .. } => by_state[StateClass::Problem as usize],
                Drawn::Feature(_) => 0,
            })
            .sum();
        assert_eq!(problems, 1);
    }

    #[test]
    fn at_street_level_every_service_is_drawn_alone() {
        let features = vec![feature(1, 0.68, 47.39, "ok"), feature(2, 0.69, 47.40, "ok")];
        let layer = LayerIndex::new("Streetlight", features);
        let drawn = layer.drawn([0.6, 47.3, 0.8, 47.5], 18);
        assert_eq!(drawn.len(), 2);
        assert!(drawn.iter().all(|d| matches!(d, Drawn::Feature(_))));
    }

    #[test]
    fn entities_are_found_by_id() {
        let layer = LayerIndex::new(
            "Streetlight",
            vec![feature(1, 0.68, 47.39, "ok"), feature(2, 0.69, 47.40, "ok")],
        );
        assert_eq!(layer.position_of("urn:ngsi-ld:Streetlight:2"), Some(1));
        assert_eq!(layer.position_of("urn:ngsi-ld:Streetlight:3"), None);
    }

    #[test]
    fn pixel_distances() {
        // At zoom 0 the world is 256 px wide.
        let px = pixel_distance((0.0, 0.0), (0.0, 180.0), 0.0);
        assert!((px - 128.0).abs() < 1e-6, "{px}");
    }
}
