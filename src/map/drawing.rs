//! What the map draws for the view, and what a click or Enter picks. Picking a service
//! changes only the highlight: clusters are computed from the layers and the view alone.

use leptos::prelude::*;

use crate::i18n::I18n;
use crate::map::cluster::{Drawn, pixel_distance};
use crate::map::layers::StateClass;
use crate::map::leaflet_map::{DrawItem, DrawKind, Viewport};
use crate::map::state::{MapContext, Picked};

/// How a layer's clusters are drawn: its colour and its label in the current language.
pub struct LayerLook {
    pub ring: String,
    pub label: String,
}

/// What the map draws: for each shown layer, clusters and single services in the view.
/// `look` gives each layer's colour and label; `i18n` words the clusters for assistive
/// technology.
pub fn draw_items(ctx: MapContext, i18n: I18n, look: impl Fn(&str) -> LayerLook) -> Vec<DrawItem> {
    let Some(view) = ctx.viewport.get() else {
        return Vec::new();
    };
    let bbox = padded_bbox(&view);
    let zoom = whole_zoom(view.zoom);
    let mut items = Vec::new();
    for entity_type in ctx.selected.get() {
        let Some(layer) = ctx.ready(&entity_type) else {
            continue;
        };
        let LayerLook { ring, label } = look(&entity_type);
        for drawn in layer.drawn(bbox, zoom) {
            items.push(match drawn {
                Drawn::Feature(index) => {
                    let feature = &layer.features[index];
                    DrawItem {
                        lat: feature.lat,
                        lon: feature.lon,
                        kind: DrawKind::Point {
                            colour: layer.states[index].marker_colour(),
                        },
                    }
                }
                Drawn::Cluster {
                    lat,
                    lon,
                    count,
                    by_state,
                    ..
                } => {
                    let problems = by_state[StateClass::Problem as usize];
                    let warnings = by_state[StateClass::Warning as usize];
                    DrawItem {
                        lat,
                        lon,
                        kind: DrawKind::Cluster {
                            count,
                            problems,
                            warnings,
                            ring: ring.clone(),
                            label: i18n.t_with(
                                "map-cluster-label",
                                &[
                                    ("layer", label.clone().into()),
                                    ("count", count.into()),
                                    ("problems", problems.into()),
                                    ("warnings", warnings.into()),
                                ],
                            ),
                        },
                    }
                }
            });
        }
    }
    items
}

/// Where the picked service is, to ring it (`None` when nothing is picked or its layer is
/// not loaded any more).
pub fn highlight(ctx: MapContext) -> Option<(f64, f64)> {
    let picked = ctx.picked.get()?;
    let layer = ctx.ready(&picked.entity_type)?;
    let feature = &layer.features[layer.position_of(&picked.id)?];
    Some((feature.lat, feature.lon))
}

/// The view plus a margin, so that panning a little shows what was just outside.
pub fn padded_bbox(view: &Viewport) -> [f64; 4] {
    let dx = (view.east - view.west) * 0.2;
    let dy = (view.north - view.south) * 0.2;
    [
        view.west - dx,
        view.south - dy,
        view.east + dx,
        view.north + dy,
    ]
}

fn whole_zoom(zoom: f64) -> u8 {
    zoom.floor().clamp(0.0, 30.0) as u8
}

/// What a pick lands on.
pub enum Target {
    Feature(Picked),
    /// A cluster: open it by zooming in there.
    Cluster {
        lat: f64,
        lon: f64,
        zoom: u8,
    },
}

/// The drawn item nearest to a position, within a tolerance in screen pixels.
pub fn nearest(ctx: MapContext, at: (f64, f64), tolerance: f64) -> Option<Target> {
    let view = ctx.viewport.get_untracked()?;
    let bbox = padded_bbox(&view);
    let zoom = whole_zoom(view.zoom);
    let mut best: Option<(f64, Target)> = None;
    for entity_type in ctx.selected.get_untracked() {
        let Some(layer) = ctx.ready_untracked(&entity_type) else {
            continue;
        };
        for drawn in layer.drawn(bbox, zoom) {
            let (position, target) = match drawn {
                Drawn::Feature(index) => {
                    let f = &layer.features[index];
                    let picked = Picked {
                        entity_type: entity_type.clone(),
                        id: f.id.clone(),
                    };
                    ((f.lat, f.lon), Target::Feature(picked))
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
            let distance = pixel_distance(at, position, view.zoom);
            if distance <= tolerance && best.as_ref().is_none_or(|(d, _)| distance < *d) {
                best = Some((distance, target));
            }
        }
    }
    best.map(|(_, target)| target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_padding_is_a_fifth_of_the_view_on_each_side() {
        let view = Viewport {
            west: 0.0,
            south: 40.0,
            east: 1.0,
            north: 41.0,
            center_lat: 40.5,
            center_lon: 0.5,
            zoom: 12.0,
        };
        let [w, s, e, n] = padded_bbox(&view);
        assert!((w + 0.2).abs() < 1e-9 && (e - 1.2).abs() < 1e-9);
        assert!((s - 39.8).abs() < 1e-9 && (n - 41.2).abs() < 1e-9);
    }
}
