//! Web Mercator tiles, the slippy-map scheme of OpenStreetMap and Leaflet (zoom `z`, column `x`
//! from the west, row `y` from the north): the map's base tiles, and the fixed grid of areas
//! the map counts services in at low zoom (a fixed grid, so a count is asked once and kept).

use std::f64::consts::PI;

use crate::geo::{BoundingBox, LonLat};

/// Web Mercator's latitude limit (the square world).
const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Where a position lies on the Web Mercator square, from its north-west corner: `(x, y)`
/// in 0–1 (latitudes beyond the Mercator limits go to the edge). Times 256 × 2^z, the pixel
/// of a map at zoom z.
pub fn world_fraction(p: LonLat) -> (f64, f64) {
    let lat = p.lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let x = (p.lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
    (x, y)
}

/// The position at a point of the Web Mercator square (`x`, `y` in 0–1 from its north-west
/// corner): the inverse of [`world_fraction`].
pub fn from_world_fraction(x: f64, y: f64) -> LonLat {
    LonLat {
        lon: x * 360.0 - 180.0,
        lat: (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees(),
    }
}

/// One tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// Zoom level: 2^z tiles across the world.
    pub z: u8,
    /// Column, from the antimeridian eastwards.
    pub x: u32,
    /// Row, from the north.
    pub y: u32,
}

impl Tile {
    /// The tile holding a position (positions beyond the Mercator limits go to the edge).
    pub fn at(p: LonLat, z: u8) -> Tile {
        let z = z.min(30);
        let n = f64::from(1u32 << z);
        let last = (1u32 << z) - 1;
        let (x, y) = world_fraction(p);
        let (x, y) = ((x * n).floor(), (y * n).floor());
        let clamp = |v: f64| (v.max(0.0) as u32).min(last);
        Tile {
            z,
            x: clamp(x),
            y: clamp(y),
        }
    }

    /// The tile's extent in degrees.
    pub fn bounds(&self) -> BoundingBox {
        let n = f64::from(1u32 << self.z.min(30));
        let corner = |x: u32, y: u32| from_world_fraction(f64::from(x) / n, f64::from(y) / n);
        let (north_west, south_east) = (corner(self.x, self.y), corner(self.x + 1, self.y + 1));
        BoundingBox {
            west: north_west.lon,
            south: south_east.lat,
            east: south_east.lon,
            north: north_west.lat,
        }
    }

    /// Every tile of zoom `z` that a box touches, row by row from the north-west.
    pub fn covering(area: &BoundingBox, z: u8) -> Vec<Tile> {
        let north_west = Tile::at(
            LonLat {
                lon: area.west,
                lat: area.north,
            },
            z,
        );
        let south_east = Tile::at(
            LonLat {
                lon: area.east,
                lat: area.south,
            },
            z,
        );
        (north_west.y..=south_east.y)
            .flat_map(|y| {
                (north_west.x..=south_east.x).map(move |x| Tile {
                    z: north_west.z,
                    x,
                    y,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_falls_in_the_tile_whose_bounds_hold_it() {
        // Tours, at zoom 14: the tile OpenStreetMap serves as 14/8223/5736.
        let tours = LonLat {
            lon: 0.6848,
            lat: 47.3941,
        };
        let tile = Tile::at(tours, 14);
        assert_eq!((tile.x, tile.y), (8223, 5736));
        assert!(tile.bounds().contains(tours));
        // Neighbours share their edges.
        let east = Tile {
            x: tile.x + 1,
            ..tile
        };
        assert_eq!(tile.bounds().east, east.bounds().west);
        let south = Tile {
            y: tile.y + 1,
            ..tile
        };
        assert_eq!(tile.bounds().south, south.bounds().north);
    }

    #[test]
    fn world_fractions_go_there_and_back() {
        let p = LonLat {
            lon: 0.6848,
            lat: 47.3941,
        };
        let (x, y) = world_fraction(p);
        let back = from_world_fraction(x, y);
        assert!((back.lon - p.lon).abs() < 1e-9 && (back.lat - p.lat).abs() < 1e-9);
    }

    #[test]
    fn the_world_is_one_tile_at_zoom_0_and_edges_are_clamped() {
        let world = Tile { z: 0, x: 0, y: 0 }.bounds();
        assert_eq!((world.west, world.east), (-180.0, 180.0));
        assert!((world.north - MAX_LATITUDE).abs() < 1e-9);
        assert_eq!(
            Tile::at(
                LonLat {
                    lon: 180.0,
                    lat: -90.0
                },
                2
            ),
            Tile { z: 2, x: 3, y: 3 }
        );
    }

    #[test]
    fn a_box_is_covered_by_the_tiles_it_touches() {
        let tile = Tile {
            z: 13,
            x: 4111,
            y: 2903,
        };
        let b = tile.bounds();
        // A box a little larger than one tile touches its eight neighbours too.
        let dx = (b.east - b.west) * 0.1;
        let dy = (b.north - b.south) * 0.1;
        let larger = BoundingBox {
            west: b.west - dx,
            south: b.south - dy,
            east: b.east + dx,
            north: b.north + dy,
        };
        let tiles = Tile::covering(&larger, 13);
        assert_eq!(tiles.len(), 9);
        assert_eq!(tiles[4], tile);
        // A box inside the tile: that tile alone.
        let inner = BoundingBox {
            west: b.west + dx,
            south: b.south + dy,
            east: b.east - dx,
            north: b.north - dy,
        };
        assert_eq!(Tile::covering(&inner, 13), vec![tile]);
    }
}
