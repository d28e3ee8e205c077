//! The demo town's raster basemap: Web Mercator 256 px tiles drawn with tiny-skia from the
//! town's own geometry (land, district boundaries, parks, the river, streets), so the demo map
//! looks like a town with no tile server and no internet.
//!
//! Tiles are drawn on demand and kept in a bounded least-recently-used cache (the `lru` crate);
//! a tile outside the town is one shared plain background.

use std::{
    num::NonZeroUsize,
    sync::{Mutex, OnceLock, PoisonError},
};

use anyhow::anyhow;
use axum::body::Bytes;
use lru::LruCache;
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, PremultipliedColorU8, Stroke,
    Transform,
};

use super::town::Town;

pub const TILE_SIZE: u32 = 256;
/// Tiles kept in memory: 4096 × ~10–40 KB is at most a few tens of MB.
const CACHE_CAPACITY: NonZeroUsize = match NonZeroUsize::new(4096) {
    Some(capacity) => capacity,
    None => NonZeroUsize::MIN,
};

/// Rendered tiles by `(z, x, y)`.
type Cache = LruCache<(u8, u32, u32), Bytes>;

const LAND: (u8, u8, u8) = (0xf2, 0xef, 0xe9);
const PARK: (u8, u8, u8) = (0xc8, 0xe6, 0xb0);
const WATER: (u8, u8, u8) = (0xa8, 0xd0, 0xe6);
const DISTRICT_LINE: (u8, u8, u8) = (0xc9, 0xb8, 0xd8);
const STREET: (u8, u8, u8) = (0xff, 0xff, 0xff);
const STREET_CASING: (u8, u8, u8) = (0xc5, 0xbf, 0xb6);
const MAIN_ROAD: (u8, u8, u8) = (0xfc, 0xe0, 0x9a);
const MAIN_CASING: (u8, u8, u8) = (0xd4, 0xa7, 0x4c);

/// `(lon, lat)` → Web Mercator "world pixels" at zoom 0 (the world is 256 px wide).
fn world(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = quartier_api::tile::world_fraction(quartier_api::geo::LonLat { lon, lat });
    (x * 256.0, y * 256.0)
}

/// A polyline or ring in zoom-0 world pixels with its bounding box, for culling.
struct Shape {
    points: Vec<(f64, f64)>,
    min: (f64, f64),
    max: (f64, f64),
}

impl Shape {
    fn new(lon_lat: &[(f64, f64)]) -> Self {
        let points: Vec<(f64, f64)> = lon_lat.iter().map(|&(lo, la)| world(lo, la)).collect();
        let mut min = (f64::INFINITY, f64::INFINITY);
        let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for &(x, y) in &points {
            min = (min.0.min(x), min.1.min(y));
            max = (max.0.max(x), max.1.max(y));
        }
        Self { points, min, max }
    }

    /// Whether the shape, grown by `margin` world pixels, touches `view`.
    fn touches(&self, view: &View, margin: f64) -> bool {
        self.max.0 + margin >= view.min.0
            && self.min.0 - margin <= view.max.0
            && self.max.1 + margin >= view.min.1
            && self.min.1 - margin <= view.max.1
    }
}

/// The zoom-0 area a tile covers, and the mapping to its pixels.
struct View {
    min: (f64, f64),
    max: (f64, f64),
    scale: f64,
}

impl View {
    fn new(z: u8, x: u32, y: u32) -> Self {
        let scale = f64::from(1u32 << z.min(30));
        let side = 256.0 / scale;
        let min = (f64::from(x) * side, f64::from(y) * side);
        Self {
            min,
            max: (min.0 + side, min.1 + side),
            scale,
        }
    }

    /// Tile pixel of a zoom-0 point, in f64 until here so that zoom 19 stays exact.
    fn pixel(&self, (wx, wy): (f64, f64)) -> (f32, f32) {
        (
            ((wx - self.min.0) * self.scale) as f32,
            ((wy - self.min.1) * self.scale) as f32,
        )
    }
}

/// The town's geometry, projected once.
pub struct Basemap {
    town: &'static Town,
    streets: Vec<(Shape, bool)>,
    parks: Vec<Shape>,
    river: Shape,
    river_width_m: f64,
    /// District seeds in zoom-0 world pixels (districts are their Voronoi cells).
    district_seeds: Vec<(f64, f64)>,
    town_area: Shape,
    background: Bytes,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for Basemap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Basemap")
            .field("streets", &self.streets.len())
            .finish()
    }
}

impl Basemap {
    /// The demo town's basemap, built on first use.
    pub fn demo() -> anyhow::Result<&'static Basemap> {
        static DEMO: OnceLock<Basemap> = OnceLock::new();
        if let Some(basemap) = DEMO.get() {
            return Ok(basemap);
        }
        let basemap = Basemap::new(Town::demo())?;
        Ok(DEMO.get_or_init(|| basemap))
    }

    pub fn new(town: &'static Town) -> anyhow::Result<Self> {
        let bbox = town.bbox();
        Ok(Self {
            town,
            streets: town
                .streets()
                .iter()
                .map(|s| (Shape::new(&s.points), s.main))
                .collect(),
            parks: town
                .parks()
                .iter()
                .map(|p| Shape::new(&p.polygon))
                .collect(),
            river: Shape::new(&town.river().points),
            river_width_m: town.river().width_m,
            district_seeds: town
                .districts()
                .iter()
                .map(|d| world(d.center.0, d.center.1))
                .collect(),
            town_area: Shape::new(&[(bbox.min_lon, bbox.min_lat), (bbox.max_lon, bbox.max_lat)]),
            background: plain(LAND)?,
            cache: Mutex::new(Cache::new(CACHE_CAPACITY)),
        })
    }

    /// The PNG of tile `(z, x, y)`, from the cache or drawn now (a few milliseconds).
    pub fn tile(&self, z: u8, x: u32, y: u32) -> anyhow::Result<Bytes> {
        let view = View::new(z, x, y);
        // The river runs on past the town: draw it a little beyond, then stop.
        if !self.town_area.touches(&view, 0.0005) {
            return Ok(self.background.clone());
        }
        let key = (z, x, y);
        if let Some(png) = self.lock().get(&key) {
            return Ok(png.clone());
        }
        let png = Bytes::from(self.draw(&view)?);
        self.lock().put(key, png.clone());
        Ok(png)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn draw(&self, view: &View) -> anyhow::Result<Vec<u8>> {
        let mut pixmap =
            Pixmap::new(TILE_SIZE, TILE_SIZE).ok_or_else(|| anyhow!("cannot allocate a tile"))?;
        pixmap.fill(rgb(LAND));
        // Metres per pixel at the town's latitude: street and river widths follow the zoom.
        let (_, lat) = self.town.center();
        let metres_per_px = 156_543.034 * lat.to_radians().cos() / view.scale;
        if metres_per_px < 40.0 {
            self.draw_district_lines(&mut pixmap, view);
        }
        for park in self.parks.iter().filter(|p| p.touches(view, 0.0)) {
            if let Some(path) = path(view, &park.points, true) {
                pixmap.fill_path(
                    &path,
                    &paint(PARK),
                    FillRule::Winding,
                    Transform::identity(),
                    None,
                );
            }
        }
        let margin = 0.0003;
        if self.river.touches(view, margin)
            && let Some(path) = path(view, &self.river.points, false)
        {
            let width = (self.river_width_m / metres_per_px).max(2.0) as f32;
            pixmap.stroke_path(
                &path,
                &paint(WATER),
                &stroke(width),
                Transform::identity(),
                None,
            );
        }
        // Minor streets appear from zoom 13; main roads on top of them.
        let minor_width = (9.0 / metres_per_px).clamp(1.0, 22.0) as f32;
        let main_width = (15.0 / metres_per_px).clamp(1.6, 30.0) as f32;
        for main in [false, true] {
            if !main && metres_per_px > 20.0 {
                continue;
            }
            let (width, fill, casing) = if main {
                (main_width, MAIN_ROAD, MAIN_CASING)
            } else {
                (minor_width, STREET, STREET_CASING)
            };
            let paths: Vec<_> = self
                .streets
                .iter()
                .filter(|(s, m)| *m == main && s.touches(view, margin))
                .filter_map(|(s, _)| path(view, &s.points, false))
                .collect();
            for path in &paths {
                pixmap.stroke_path(
                    path,
                    &paint(casing),
                    &stroke(width + 1.5),
                    Transform::identity(),
                    None,
                );
            }
            for path in &paths {
                pixmap.stroke_path(
                    path,
                    &paint(fill),
                    &stroke(width),
                    Transform::identity(),
                    None,
                );
            }
        }
        Ok(pixmap.encode_png()?)
    }

    /// A faint line where the nearest district seed changes (districts are Voronoi cells): cheap
    /// per pixel, and exactly the town's own `district_at`.
    fn draw_district_lines(&self, pixmap: &mut Pixmap, view: &View) {
        let size = TILE_SIZE as usize;
        let nearest = |px: usize, py: usize| -> usize {
            let w = (
                view.min.0 + (px as f64 + 0.5) / view.scale,
                view.min.1 + (py as f64 + 0.5) / view.scale,
            );
            self.district_seeds
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    let da = (a.1.0 - w.0).powi(2) + (a.1.1 - w.1).powi(2);
                    let db = (b.1.0 - w.0).powi(2) + (b.1.1 - w.1).powi(2);
                    da.total_cmp(&db)
                })
                .map_or(0, |(i, _)| i)
        };
        // One seed per row and column first: the common case is a tile inside one district.
        let corners = [
            nearest(0, 0),
            nearest(size - 1, 0),
            nearest(0, size - 1),
            nearest(size - 1, size - 1),
            nearest(size / 2, size / 2),
        ];
        if corners.iter().all(|&c| c == corners[0]) && view.scale > 8192.0 {
            return;
        }
        let mut cells = vec![0usize; size * size];
        for py in 0..size {
            for px in 0..size {
                cells[py * size + px] = nearest(px, py);
            }
        }
        let line = PremultipliedColorU8::from_rgba(
            DISTRICT_LINE.0,
            DISTRICT_LINE.1,
            DISTRICT_LINE.2,
            0xff,
        );
        let Some(line) = line else { return };
        let pixels = pixmap.pixels_mut();
        for py in 0..size {
            for px in 0..size {
                let here = cells[py * size + px];
                let right = if px + 1 < size {
                    cells[py * size + px + 1]
                } else {
                    here
                };
                let below = if py + 1 < size {
                    cells[(py + 1) * size + px]
                } else {
                    here
                };
                if here != right || here != below {
                    pixels[py * size + px] = line;
                }
            }
        }
    }
}

fn rgb((r, g, b): (u8, u8, u8)) -> Color {
    Color::from_rgba8(r, g, b, 0xff)
}

fn paint(color: (u8, u8, u8)) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color(rgb(color));
    paint.anti_alias = true;
    paint
}

fn stroke(width: f32) -> Stroke {
    Stroke {
        width,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    }
}

fn path(view: &View, points: &[(f64, f64)], closed: bool) -> Option<tiny_skia::Path> {
    let mut builder = PathBuilder::new();
    let mut iter = points.iter().map(|&p| view.pixel(p));
    let (x, y) = iter.next()?;
    builder.move_to(x, y);
    for (x, y) in iter {
        builder.line_to(x, y);
    }
    if closed {
        builder.close();
    }
    builder.finish()
}

fn plain(color: (u8, u8, u8)) -> anyhow::Result<Bytes> {
    let mut pixmap =
        Pixmap::new(TILE_SIZE, TILE_SIZE).ok_or_else(|| anyhow!("cannot allocate a tile"))?;
    pixmap.fill(rgb(color));
    Ok(Bytes::from(pixmap.encode_png()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tile containing `(lon, lat)` at zoom `z` (the contract's tiles).
    fn tile_at(lon: f64, lat: f64, z: u8) -> (u32, u32) {
        let tile = quartier_api::tile::Tile::at(quartier_api::geo::LonLat { lon, lat }, z);
        (tile.x, tile.y)
    }

    fn decode(png: &Bytes) -> Pixmap {
        Pixmap::decode_png(png).expect("png")
    }

    fn colours(pixmap: &Pixmap) -> std::collections::HashSet<(u8, u8, u8)> {
        pixmap
            .pixels()
            .iter()
            .map(|p| (p.red(), p.green(), p.blue()))
            .collect()
    }

    #[test]
    fn tiles_in_town_show_streets_and_tiles_outside_are_plain() {
        let basemap = Basemap::demo().expect("basemap");
        let town = Town::demo();
        let (lon, lat) = town.center();
        let (x, y) = tile_at(lon, lat, 16);
        let centre = basemap.tile(16, x, y).expect("tile");
        let pixmap = decode(&centre);
        assert_eq!((pixmap.width(), pixmap.height()), (TILE_SIZE, TILE_SIZE));
        let seen = colours(&pixmap);
        assert!(seen.contains(&STREET), "white streets");
        assert!(seen.contains(&LAND));
        assert!(seen.len() > 5, "anti-aliased drawing, not a flat tile");
        let (fx, fy) = tile_at(lon + 1.0, lat + 1.0, 16);
        let far = basemap.tile(16, fx, fy).expect("tile");
        assert_ne!(far, centre);
        assert_eq!(colours(&decode(&far)), [LAND].into_iter().collect());
    }

    #[test]
    fn the_river_and_main_roads_have_their_colours() {
        let basemap = Basemap::demo().expect("basemap");
        let town = Town::demo();
        // A point of the river inside the town, and a main road.
        let river = town.river().points[town.river().points.len() / 2];
        let (x, y) = tile_at(river.0, river.1, 15);
        assert!(colours(&decode(&basemap.tile(15, x, y).expect("tile"))).contains(&WATER));
        let main = town.streets().iter().find(|s| s.main).expect("main road");
        let p = main.points[main.points.len() / 2];
        let (x, y) = tile_at(p.0, p.1, 17);
        assert!(colours(&decode(&basemap.tile(17, x, y).expect("tile"))).contains(&MAIN_ROAD));
    }

    #[test]
    fn tiles_are_cached_and_the_cache_is_bounded() {
        let basemap = Basemap::demo().expect("basemap");
        let (lon, lat) = Town::demo().center();
        let (x, y) = tile_at(lon, lat, 14);
        let first = basemap.tile(14, x, y).expect("tile");
        let second = basemap.tile(14, x, y).expect("tile");
        assert_eq!(
            first.as_ptr(),
            second.as_ptr(),
            "the same bytes, not drawn twice"
        );
        let mut cache = Cache::new(CACHE_CAPACITY);
        for i in 0..(CACHE_CAPACITY.get() as u32 + 10) {
            cache.put((1, i, 0), Bytes::new());
            // Keep the first entry in use: it must survive.
            cache.get(&(1, 0, 0));
        }
        assert_eq!(cache.len(), CACHE_CAPACITY.get());
        assert!(cache.get(&(1, 0, 0)).is_some());
        assert!(cache.get(&(1, 1, 0)).is_none());
    }
}
