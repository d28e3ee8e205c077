//! What the map draws for the view, and what a click or Enter picks. Picking a service
//! changes only the highlight: clusters are computed from the layers and the view alone.

use leptos::prelude::*;

use crate::i18n::I18n;
use crate::map::area_counts::{counted_areas, counted_by_area};
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
    let counted = counted_layers(ctx, &view);
    for entity_type in ctx.selected.get() {
        if let Some(slot) = slot_of(&counted, &entity_type) {
            let LayerLook { ring, label } = look(&entity_type);
            for area in counted_areas(ctx, &entity_type, &view, slot) {
                items.push(cluster_item(
                    i18n,
                    (area.lat, area.lon),
                    (area.total, area.problems, area.warnings),
                    &ring,
                    &label,
                ));
            }
            continue;
        }
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
                } => cluster_item(
                    i18n,
                    (lat, lon),
                    (
                        count,
                        by_state[StateClass::Problem as usize],
                        by_state[StateClass::Warning as usize],
                    ),
                    &ring,
                    &label,
                ),
            });
        }
    }
    items
}

/// The layers shown as counts per area in this view, in the panel's order.
fn counted_layers(ctx: MapContext, view: &Viewport) -> Vec<String> {
    ctx.selected
        .get()
        .into_iter()
        .filter(|t| counted_by_area(ctx, t, view))
        .collect()
}

/// A counted layer's place among them, and how many there are.
fn slot_of(counted: &[String], entity_type: &str) -> Option<(usize, usize)> {
    let index = counted.iter().position(|t| t == entity_type)?;
    Some((index, counted.len()))
}

/// A cluster badge: how many, how many out of order and to watch, in words for assistive
/// technology too.
fn cluster_item(
    i18n: I18n,
    (lat, lon): (f64, f64),
    (count, problems, warnings): (u32, u32, u32),
    ring: &str,
    label: &str,
) -> DrawItem {
    DrawItem {
        lat,
        lon,
        kind: DrawKind::Cluster {
            count,
            problems,
            warnings,
            ring: ring.to_string(),
            label: i18n.t_with(
                "map-cluster-label",
                &[
                    ("layer", label.to_string().into()),
                    ("count", count.into()),
                    ("problems", problems.into()),
                    ("warnings", warnings.into()),
                ],
            ),
        },
    }
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
    let counted = untrack(|| counted_layers(ctx, &view));
    for entity_type in ctx.selected.get_untracked() {
        if let Some(slot) = slot_of(&counted, &entity_type) {
            for area in untrack(|| counted_areas(ctx, &entity_type, &view, slot)) {
                let distance = pixel_distance(at, (area.lat, area.lon), view.zoom);
                if distance <= tolerance && best.as_ref().is_none_or(|(d, _)| distance < *d) {
                    let target = Target::Cluster {
                        lat: area.lat,
                        lon: area.lon,
                        zoom: area.zoom_to,
                    };
                    best = Some((distance, target));
                }
            }
            continue;
        }
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
