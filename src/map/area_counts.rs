//! A layer too large to load whole (over `maxWholeLayer`), seen from afar: instead of its
//! services, how many there are per area of a fixed grid, and how many of them are out of
//! order or to watch — each an empty NGSI-LD page with `count=true` (`georel=within` the area,
//! and `q` for a state), so the first view costs a few kilobytes at any town size and works
//! against any NGSI-LD broker. Areas are tiles one zoom level above the view (512 screen
//! pixels); a count is asked once and kept, so panning back asks nothing. From
//! [`AREA_MIN_ZOOM`] on, the services of the area in view are loaded instead
//! (`layer_loading`).

use std::collections::{HashMap, HashSet};

use futures::future::{join_all, join3};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quartier_api::geo::{BoundingBox, LonLat};
use quartier_api::tile::{Tile, from_world_fraction, world_fraction};

use crate::api::ApiError;
use crate::api::ngsi_ld::{area_count_url, fetch_area_count, prefetch_counts};
use crate::config::use_config;
use crate::map::layers::{StateClass, class_query};
use crate::map::leaflet_map::Viewport;
use crate::map::state::{Announcement, CellCount, LayerCounts, LayerLoad, MapContext};

/// From this zoom on, a large layer's services are loaded for the area in view; below it,
/// they are counted per area.
pub const AREA_MIN_ZOOM: f64 = 16.0;

/// The zoom of the grid of areas for a view: tiles one level up, 512 pixels on screen.
pub fn cell_zoom(view_zoom: f64) -> u8 {
    (view_zoom.floor() - 1.0).clamp(0.0, 30.0) as u8
}

/// The areas a view touches.
pub fn cells_in_view(view: &Viewport) -> Vec<Tile> {
    let area = BoundingBox {
        west: view.west.max(-180.0),
        south: view.south.max(-85.0),
        east: view.east.min(180.0),
        north: view.north.min(85.0),
    };
    Tile::covering(&area, cell_zoom(view.zoom))
}

fn as_area(tile: Tile) -> [f64; 4] {
    let b = tile.bounds();
    [b.west, b.south, b.east, b.north]
}

/// One counted area of a large layer, to draw as a cluster badge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CountedArea {
    pub lat: f64,
    pub lon: f64,
    pub total: u32,
    pub problems: u32,
    pub warnings: u32,
    /// Where a click on it zooms: two levels closer.
    pub zoom_to: u8,
}

/// Whether a layer is drawn as counts per area in this view (large, and not zoomed in).
pub fn counted_by_area(ctx: MapContext, entity_type: &str, view: &Viewport) -> bool {
    view.zoom < AREA_MIN_ZOOM && ctx.large.with(|large| large.contains_key(entity_type))
}

/// The counted areas in view of a large layer that hold services. Each badge sits in the
/// middle of the part of its area in sight (so every area in view shows its count, even one
/// whose centre is off screen); `slot` (this layer's place among the counted layers, and
/// how many there are) sets it side by side with the other layers' badges of the same area.
pub fn counted_areas(
    ctx: MapContext,
    entity_type: &str,
    view: &Viewport,
    slot: (usize, usize),
) -> Vec<CountedArea> {
    let tiles = cells_in_view(view);
    // Degrees per screen pixel at this zoom (Web Mercator: 256 px per tile).
    let lon_per_px = 360.0 / (256.0 * 2f64.powf(view.zoom));
    let (index, of) = slot;
    let shift = (index as f64 - (of.max(1) - 1) as f64 / 2.0) * BADGE_SPACING_PX * lon_per_px;
    ctx.cells.with(|cells| {
        tiles
            .into_iter()
            .filter_map(|tile| match cells.get(&(entity_type.to_string(), tile))? {
                CellCount::Counted {
                    total,
                    problems,
                    warnings,
                } if *total > 0 => {
                    let (lat, lon) = badge_position(tile.bounds(), view);
                    Some(CountedArea {
                        lat,
                        lon: lon + shift,
                        total: *total,
                        problems: *problems,
                        warnings: *warnings,
                        zoom_to: tile.z + 2,
                    })
                }
                _ => None,
            })
            .collect()
    })
}

/// How far apart two layers' badges of one area are, in screen pixels.
const BADGE_SPACING_PX: f64 = 52.0;

/// The middle of the part of an area that the view shows.
fn badge_position(area: BoundingBox, view: &Viewport) -> (f64, f64) {
    let west = area.west.max(view.west);
    let east = area.east.min(view.east);
    let south = area.south.max(view.south);
    let north = area.north.min(view.north);
    ((south + north) / 2.0, (west + east) / 2.0)
}

/// Every count the map will ask first for these layers around `(lat, lon)` at `zoom`, in a
/// window of `width` × `height` pixels: the whole layer's states and each area's counts.
/// Started with the configuration, before the map's code is even there; the map's own
/// questions then find their answers on the way (a layer that turns out small enough to load
/// whole leaves a few unused answers of a few hundred bytes).
pub fn prefetch_first_view(
    base: &str,
    layers: &[(String, Option<String>)],
    (lat, lon, zoom): (f64, f64, f64),
    (width, height): (f64, f64),
) {
    if zoom >= AREA_MIN_ZOOM {
        return;
    }
    let view = view_around(lat, lon, zoom, width, height);
    let tiles = cells_in_view(&view);
    let mut urls = Vec::new();
    for (entity_type, attr) in layers {
        let states = [StateClass::Problem, StateClass::Warning];
        let q = |state| {
            attr.as_deref()
                .and_then(|a| class_query(entity_type, a, state))
        };
        for state in states {
            if let Some(q) = q(state) {
                urls.push(area_count_url(base, entity_type, None, Some(q)));
            }
        }
        for tile in &tiles {
            let area = Some(as_area(*tile));
            urls.push(area_count_url(base, entity_type, area, None));
            for state in states {
                if let Some(q) = q(state) {
                    urls.push(area_count_url(base, entity_type, area, Some(q)));
                }
            }
        }
    }
    prefetch_counts(&urls);
}

/// The view a map of `width` × `height` pixels shows around a centre (Web Mercator).
fn view_around(lat: f64, lon: f64, zoom: f64, width: f64, height: f64) -> Viewport {
    let world = 256.0 * 2f64.powf(zoom);
    let (x, y) = world_fraction(LonLat { lon, lat });
    let (dx, dy) = (width / 2.0 / world, height / 2.0 / world);
    let north_west = from_world_fraction(x - dx, y - dy);
    let south_east = from_world_fraction(x + dx, y + dy);
    Viewport {
        west: north_west.lon,
        east: south_east.lon,
        north: north_west.lat,
        south: south_east.lat,
        center_lat: lat,
        center_lon: lon,
        zoom,
    }
}

/// Follows the view: counts the areas in sight of each large layer shown, and each large
/// layer's states once (for its legend).
pub fn start_area_counts(ctx: MapContext) {
    let config = use_config();
    let base = config.api.ngsi_ld.clone();
    let status_attrs: HashMap<String, Option<String>> = config
        .layers
        .iter()
        .map(|l| (l.entity_type.clone(), l.status_attribute.clone()))
        .collect();
    // The layers whose states are being counted (asked once; a failure forgets it).
    let counting_states = StoredValue::new(HashSet::<String>::new());
    Effect::new(move |_| {
        let Some(view) = ctx.viewport.get() else {
            return;
        };
        let large: Vec<(String, LayerCounts)> = ctx.selected.with(|selected| {
            ctx.large.with(|large| {
                selected
                    .iter()
                    .filter_map(|t| large.get(t).map(|counts| (t.clone(), *counts)))
                    .collect()
            })
        });
        for (entity_type, counts) in large {
            let attr = status_attrs.get(&entity_type).cloned().flatten();
            if counts.by_state.is_none()
                && counting_states.try_update_value(|c| c.insert(entity_type.clone())) == Some(true)
            {
                let query = StatesQuery {
                    base: base.clone(),
                    entity_type: entity_type.clone(),
                    attr: attr.clone(),
                    total: Some(counts.total),
                };
                count_layer_states(ctx, query, Counting::First(counting_states));
            }
            if view.zoom >= AREA_MIN_ZOOM {
                continue;
            }
            let missing: Vec<Tile> = ctx.cells.with_untracked(|cells| {
                cells_in_view(&view)
                    .into_iter()
                    .filter(|tile| !cells.contains_key(&(entity_type.clone(), *tile)))
                    .collect()
            });
            if missing.is_empty() {
                continue;
            }
            ctx.cells.update(|cells| {
                for tile in &missing {
                    cells.insert((entity_type.clone(), *tile), CellCount::Asked);
                }
            });
            let cells = Cells {
                base: base.clone(),
                entity_type,
                tiles: missing,
                attr,
            };
            spawn_local(count_cells(ctx, cells, Counting::First(counting_states)));
        }
    });
}

/// The services of one state in an area (`None`: the whole layer), or 0 when the layer has
/// no status attribute.
async fn count_state(
    base: &str,
    entity_type: &str,
    attr: Option<&str>,
    area: Option<[f64; 4]>,
    state: StateClass,
) -> Result<u32, ApiError> {
    match attr.and_then(|attr| class_query(entity_type, attr, state)) {
        Some(q) => fetch_area_count(&area_count_url(base, entity_type, area, Some(q))).await,
        None => Ok(0),
    }
}

/// Whether a count is the first (a failure fails the layer, with Try again) or asked again
/// after a change (a failure keeps the figures shown: the next change asks again).
#[derive(Clone, Copy)]
enum Counting {
    /// With the layers whose states are being counted for the first time.
    First(StoredValue<HashSet<String>>),
    Again,
}

/// Some areas of a layer to count.
struct Cells {
    base: String,
    entity_type: String,
    tiles: Vec<Tile>,
    attr: Option<String>,
}

/// Counts the areas of a layer that a view brought into sight, and puts them in place
/// together: one redraw for the view, not one per answer (a kiosk asks a hundred).
async fn count_cells(ctx: MapContext, cells: Cells, counting: Counting) {
    let Cells {
        base,
        entity_type,
        tiles,
        attr,
    } = cells;
    let counts = join_all(
        tiles
            .iter()
            .map(|tile| count_cell(&base, &entity_type, *tile, attr.as_deref())),
    )
    .await;
    let mut failure = None;
    ctx.cells.try_update(|cells| {
        for (tile, counted) in tiles.iter().zip(counts) {
            let key = (entity_type.clone(), *tile);
            match (counted, counting) {
                (Ok(count), _) => {
                    cells.insert(key, count);
                }
                (Err(_), Counting::Again) => {}
                (Err(error), Counting::First(_)) => {
                    cells.remove(&key);
                    failure = Some(error);
                }
            }
        }
    });
    // A count that failed fails its layer (with Try again, which asks again what is missing).
    if let Some(error) = failure {
        fail_layer(ctx, &entity_type, error);
    }
}

/// One area's total, out of order and to watch: the three questions at once, one round trip
/// (an empty area costs two needless answers of a few hundred bytes).
async fn count_cell(
    base: &str,
    entity_type: &str,
    tile: Tile,
    attr: Option<&str>,
) -> Result<CellCount, ApiError> {
    let area = Some(as_area(tile));
    let (total, problems, warnings) = join3(
        fetch_area_count(&area_count_url(base, entity_type, area, None)),
        count_state(base, entity_type, attr, area, StateClass::Problem),
        count_state(base, entity_type, attr, area, StateClass::Warning),
    )
    .await;
    Ok(CellCount::Counted {
        total: total?,
        problems: problems?,
        warnings: warnings?,
    })
}

fn fail_layer(ctx: MapContext, entity_type: &str, error: ApiError) {
    let first = ctx
        .loads
        .with_untracked(|loads| !matches!(loads.get(entity_type), Some(LayerLoad::Failed(_))));
    if first {
        ctx.loads.try_update(|loads| {
            loads.insert(entity_type.to_string(), LayerLoad::Failed(error));
        });
        ctx.announcement.try_set(Some(Announcement::LayerFailed {
            entity_type: entity_type.to_string(),
        }));
    }
}

/// What to count of a whole layer.
struct StatesQuery {
    base: String,
    entity_type: String,
    attr: Option<String>,
    /// Its size when already known (`None`: counted too).
    total: Option<u32>,
}

/// The whole layer's services per state, for its legend (two or three empty pages). The
/// figures shown stay until the new ones are in.
fn count_layer_states(ctx: MapContext, query: StatesQuery, counting: Counting) {
    spawn_local(async move {
        let StatesQuery {
            base,
            entity_type,
            attr,
            total,
        } = query;
        let attr = attr.as_deref();
        let whole = async {
            match total {
                Some(total) => Ok(total),
                None => fetch_area_count(&area_count_url(&base, &entity_type, None, None)).await,
            }
        };
        let (total, problems, warnings) = join3(
            whole,
            count_state(&base, &entity_type, attr, None, StateClass::Problem),
            count_state(&base, &entity_type, attr, None, StateClass::Warning),
        )
        .await;
        if let Counting::First(counting) = counting {
            counting.try_update_value(|c| c.remove(&entity_type));
        }
        let (total, problems, warnings) = match (total, problems, warnings, counting) {
            (Ok(t), Ok(p), Ok(w), _) => (t, p, w),
            (.., Counting::Again) => return,
            (Err(error), ..) | (_, Err(error), ..) | (_, _, Err(error), _) => {
                fail_layer(ctx, &entity_type, error);
                return;
            }
        };
        let mut by_state = [0; 4];
        by_state[StateClass::Problem as usize] = problems;
        by_state[StateClass::Warning as usize] = warnings;
        if attr.is_some() {
            by_state[StateClass::Ok as usize] = total.saturating_sub(problems + warnings);
        } else {
            by_state[StateClass::Unknown as usize] = total;
        }
        ctx.large.try_update(|large| {
            large.insert(
                entity_type,
                LayerCounts {
                    total,
                    by_state: Some(by_state),
                },
            );
        });
    });
}

/// Where a large layer changed since it was counted: at these places, or anywhere (a deleted
/// service, whose place the live stream does not say).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stale {
    pub anywhere: bool,
    pub at: Vec<LonLat>,
}

impl Stale {
    pub fn merge(&mut self, other: Stale) {
        self.anywhere |= other.anywhere;
        if !self.anywhere {
            self.at.extend(other.at);
        }
    }

    fn touches(&self, tile: Tile) -> bool {
        self.anywhere || {
            let bounds = tile.bounds();
            self.at.iter().any(|p| bounds.contains(*p))
        }
    }
}

/// The counted areas touched by a change, split into those in `in_view` (counted again now)
/// and the others (forgotten, so they are counted again when they come into sight).
pub fn touched_areas(
    counted: impl IntoIterator<Item = Tile>,
    stale: &Stale,
    in_view: &HashSet<Tile>,
) -> (Vec<Tile>, Vec<Tile>) {
    counted
        .into_iter()
        .filter(|tile| stale.touches(*tile))
        .partition(|tile| in_view.contains(tile))
}

/// Counts again what a change made stale of a large layer (counts do not say which service
/// moved from one state to another, so they are asked again): the whole layer's counts (its
/// legend) and the areas that hold a changed service (their badges). What is drawn stays
/// until the new figures are in: nothing flickers. Called by the live stream, at most once a
/// second per layer.
pub fn recount(
    ctx: MapContext,
    base: &str,
    entity_type: &str,
    attr: Option<String>,
    stale: &Stale,
) {
    if ctx
        .large
        .with_untracked(|large| !large.contains_key(entity_type))
    {
        return;
    }
    let query = StatesQuery {
        base: base.to_owned(),
        entity_type: entity_type.to_owned(),
        attr: attr.clone(),
        total: None,
    };
    count_layer_states(ctx, query, Counting::Again);
    let in_view: HashSet<Tile> = ctx
        .viewport
        .get_untracked()
        .filter(|v| v.zoom < AREA_MIN_ZOOM)
        .map(|v| cells_in_view(&v).into_iter().collect())
        .unwrap_or_default();
    let counted: Vec<Tile> = ctx.cells.with_untracked(|cells| {
        cells
            .keys()
            .filter(|(t, _)| t == entity_type)
            .map(|(_, tile)| *tile)
            .collect()
    });
    let (again, forget) = touched_areas(counted, stale, &in_view);
    if !forget.is_empty() {
        ctx.cells.update(|cells| {
            for tile in forget {
                cells.remove(&(entity_type.to_owned(), tile));
            }
        });
    }
    if !again.is_empty() {
        let cells = Cells {
            base: base.to_owned(),
            entity_type: entity_type.to_owned(),
            tiles: again,
            attr,
        };
        spawn_local(count_cells(ctx, cells, Counting::Again));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(zoom: f64) -> Viewport {
        // About a phone's view of a town centre at zoom 14 (412 × 763 px).
        Viewport {
            west: 0.6707,
            south: 47.3780,
            east: 0.6989,
            north: 47.4102,
            center_lat: 47.3941,
            center_lon: 0.6848,
            zoom,
        }
    }

    #[test]
    fn areas_are_tiles_one_level_up_a_handful_per_view() {
        assert_eq!(cell_zoom(14.0), 13);
        assert_eq!(cell_zoom(14.7), 13);
        assert_eq!(cell_zoom(0.0), 0);
        let cells = cells_in_view(&view(14.0));
        assert!((2..=9).contains(&cells.len()), "{cells:?}");
        assert!(cells.iter().all(|t| t.z == 13));
        // Every corner of the view lies in one of them.
        let corners = [
            (0.6707, 47.3780),
            (0.6989, 47.4102),
            (0.6707, 47.4102),
            (0.6989, 47.3780),
        ];
        for (lon, lat) in corners {
            let p = LonLat { lon, lat };
            assert!(cells.iter().any(|t| t.bounds().contains(p)), "{p:?}");
        }
    }

    #[test]
    fn a_badge_sits_in_the_middle_of_the_part_in_sight() {
        let v = view(14.0);
        let area = BoundingBox {
            west: 0.60,
            south: 47.40,
            east: 0.68,
            north: 47.50,
        };
        let (lat, lon) = badge_position(area, &v);
        assert!((lat - (47.40 + 47.4102) / 2.0).abs() < 1e-9);
        assert!((lon - (0.6707 + 0.68) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn the_view_around_a_centre_is_the_size_of_the_window() {
        let v = view_around(47.3941, 0.6848, 14.0, 412.0, 763.0);
        // 412 px at zoom 14: 412 / (256 × 2^14) of 360°.
        let width = 412.0 / (256.0 * 16384.0) * 360.0;
        assert!(((v.east - v.west) - width).abs() < 1e-9);
        assert!(v.south < 47.3941 && 47.3941 < v.north);
        assert!(((v.west + v.east) / 2.0 - 0.6848).abs() < 1e-9);
    }

    #[test]
    fn a_change_recounts_the_areas_in_sight_that_hold_it_and_forgets_the_others() {
        let at = LonLat {
            lon: 0.6848,
            lat: 47.3941,
        };
        let here = Tile::at(at, 14);
        let parent = Tile::at(at, 12);
        let elsewhere = Tile::at(
            LonLat {
                lon: 0.75,
                lat: 47.42,
            },
            14,
        );
        let stale = Stale {
            anywhere: false,
            at: vec![at],
        };
        let in_view: HashSet<Tile> = [here, elsewhere].into_iter().collect();
        let (again, forget) = touched_areas([here, parent, elsewhere], &stale, &in_view);
        assert_eq!(again, vec![here]);
        assert_eq!(forget, vec![parent]);
        let anywhere = Stale {
            anywhere: true,
            at: Vec::new(),
        };
        let (again, forget) = touched_areas([here, parent, elsewhere], &anywhere, &in_view);
        assert_eq!((again.len(), forget.len()), (2, 1));
    }

    #[test]
    fn a_deletion_anywhere_outweighs_the_places_merged_with_it() {
        let mut stale = Stale {
            anywhere: false,
            at: vec![LonLat {
                lon: 0.6,
                lat: 47.3,
            }],
        };
        stale.merge(Stale {
            anywhere: true,
            at: Vec::new(),
        });
        assert!(stale.anywhere);
        assert!(stale.touches(Tile::at(
            LonLat {
                lon: 10.0,
                lat: 10.0
            },
            3
        )));
    }

    #[test]
    fn an_area_is_its_tiles_bounds() {
        let tile = Tile {
            z: 13,
            x: 4111,
            y: 2868,
        };
        let [w, s, e, n] = as_area(tile);
        let b = tile.bounds();
        assert_eq!([w, s, e, n], [b.west, b.south, b.east, b.north]);
        assert!(w < e && s < n);
    }
}
