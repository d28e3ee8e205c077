//! The demo town: a fictional, clearly labelled French town that the platform generates from a
//! seed, so that the demo and every test run offline on one consistent world.
//!
//! # Public API (stable: the Open311 and resident demo seeds call it)
//!
//! - [`Town::demo`] — the demo town (`&'static`, generated once from [`DEMO_SEED`]).
//! - [`Town::generate`]`(seed)` — the same for any seed; deterministic, a few milliseconds.
//! - [`Town::bbox`] → [`BBox`] `{ min_lon, min_lat, max_lon, max_lat }`; [`Town::contains`]`(lon, lat)`.
//! - [`Town::streets`] → `&[`[`Street`]`]` with `name`, `district`, `points` (`(lon, lat)`), `main`.
//! - [`Town::random_address`]`(&mut rng)` → an [`Address`] on a street (`lon`, `lat`, `street`,
//!   `number`, `district`, `label` like `"12 rue des Lilas, 37000 Belleville-sur-Loire"`).
//! - [`Town::nearest_address`]`(lon, lat)` → the address on the closest street.
//! - [`Town::search_streets`]`(query, limit)` → the demo's geocoder: accent- and case-insensitive
//!   prefix/substring match on street names; a leading house number is honoured.
//! - [`Town::districts`], [`Town::district_at`], [`Town::river`], [`Town::parks`] for the basemap.
//!
//! [`assets`] turns the town into NGSI-LD entities; [`basemap`] draws its map tiles.
//!
//! All coordinates are WGS 84 `(lon, lat)` in that order, as in GeoJSON and NGSI-LD.

pub mod assets;
pub mod basemap;
pub mod open311_seed;
pub mod residents_seed;
pub mod town;

pub use town::{
    Address, BBox, DEMO_SEED, District, POSTCODE, Park, River, Street, TOWN_NAME, Town,
};
