//! Belleville-sur-Loire, the generated demo town: a jittered street grid cut by a river, radial
//! avenues and a ring of boulevards, eight districts, parks, and French street names.
//!
//! Geometry is built in a local metric frame (metres east/north of the centre) and converted to
//! WGS 84 once; 7 km is small enough for an equirectangular projection to be exact to well under
//! a metre. The generator uses ChaCha8 rather than `StdRng`, whose algorithm `rand` may change
//! between versions: the same seed must give the same town on every build.

use std::{collections::HashSet, f64::consts::TAU, sync::OnceLock};

use rand::{Rng, SeedableRng, seq::SliceRandom};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The seed of the demo town. Changing it changes every generated address, asset and report.
pub const DEMO_SEED: u64 = 0x5155_4152_5449_4552;
pub const TOWN_NAME: &str = "Belleville-sur-Loire";
pub const POSTCODE: &str = "37000";

/// `public/config.json`'s `map.center`.
const CENTER_LON: f64 = 0.6848;
const CENTER_LAT: f64 = 47.3941;
/// Half the side of the town's square extent, in metres.
const HALF_EXTENT_M: f64 = 3_500.0;
/// Metres per degree of latitude, and of longitude at the centre's latitude.
const M_PER_DEG_LAT: f64 = 111_132.954;
/// Width of the river's water, in metres.
const RIVER_WIDTH_M: f64 = 220.0;
/// Distance between two house numbers on the same side of a street, in metres.
const METRES_PER_NUMBER: f64 = 12.0;

fn m_per_deg_lon() -> f64 {
    111_319.49 * CENTER_LAT.to_radians().cos()
}

/// Local metres → `(lon, lat)`.
fn to_lon_lat((x, y): (f64, f64)) -> (f64, f64) {
    (
        CENTER_LON + x / m_per_deg_lon(),
        CENTER_LAT + y / M_PER_DEG_LAT,
    )
}

/// `(lon, lat)` → local metres.
fn to_metres(lon: f64, lat: f64) -> (f64, f64) {
    (
        (lon - CENTER_LON) * m_per_deg_lon(),
        (lat - CENTER_LAT) * M_PER_DEG_LAT,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.min_lon..=self.max_lon).contains(&lon) && (self.min_lat..=self.max_lat).contains(&lat)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Street {
    /// Unique in the town, e.g. "Rue Victor Hugo".
    pub name: String,
    /// The district of the street's middle.
    pub district: String,
    /// The centreline, `(lon, lat)`.
    pub points: Vec<(f64, f64)>,
    /// An arterial road (radial avenue, boulevard, quay): wider on the map, bus routes use it.
    pub main: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Address {
    pub lon: f64,
    pub lat: f64,
    pub street: String,
    pub number: u32,
    pub district: String,
    /// `"12 rue des Lilas, 37000 Belleville-sur-Loire"`.
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct District {
    pub name: String,
    /// Voronoi seed of the district, `(lon, lat)`.
    pub center: (f64, f64),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct River {
    pub name: String,
    /// The centreline, `(lon, lat)`, from west to east, running past the town's extent.
    pub points: Vec<(f64, f64)>,
    pub width_m: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Park {
    pub name: String,
    /// A closed ring, `(lon, lat)` (the first point is not repeated).
    pub polygon: Vec<(f64, f64)>,
}

/// A street's centreline in metres with the cumulative distance at each point, for fast
/// "point at distance d" and "nearest point" queries.
#[derive(Debug, Clone)]
struct Geometry {
    points: Vec<(f64, f64)>,
    cumulative: Vec<f64>,
}

impl Geometry {
    fn new(points: Vec<(f64, f64)>) -> Self {
        let mut cumulative = Vec::with_capacity(points.len());
        let mut total = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                total += distance(points[i - 1], *p);
            }
            cumulative.push(total);
        }
        Self { points, cumulative }
    }

    fn length(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// The point `along` metres from the start (clamped to the street).
    fn point_at(&self, along: f64) -> (f64, f64) {
        let along = along.clamp(0.0, self.length());
        let i = self
            .cumulative
            .partition_point(|&c| c <= along)
            .clamp(1, self.points.len().max(2) - 1);
        let (a, b) = (self.points[i - 1], self.points[i]);
        let span = self.cumulative[i] - self.cumulative[i - 1];
        let t = if span > 0.0 {
            (along - self.cumulative[i - 1]) / span
        } else {
            0.0
        };
        (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
    }

    /// `(distance to p, metres along the street of the nearest point, p is on the left side)`.
    fn project(&self, p: (f64, f64)) -> (f64, f64, bool) {
        let mut best = (f64::INFINITY, 0.0, false);
        for (i, pair) in self.points.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let q = (a.0 + dx * t, a.1 + dy * t);
            let d = distance(p, q);
            if d < best.0 {
                let left = dx * (p.1 - a.1) - dy * (p.0 - a.0) > 0.0;
                best = (d, self.cumulative[i] + t * len2.sqrt(), left);
            }
        }
        best
    }
}

/// A polyline in local metres.
type Line = Vec<(f64, f64)>;

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// The generated town. Cheap to share: [`Town::demo`] hands out one `&'static` instance.
#[derive(Debug, Clone)]
pub struct Town {
    seed: u64,
    streets: Vec<Street>,
    geometry: Vec<Geometry>,
    /// Cumulative street lengths, to pick a point uniformly along the whole network.
    cumulative_length: Vec<f64>,
    /// Normalized street names, for search.
    search_keys: Vec<String>,
    districts: Vec<District>,
    district_seeds_m: Vec<(f64, f64)>,
    river: River,
    parks: Vec<Park>,
}

impl Town {
    /// The demo town, generated on first use.
    pub fn demo() -> &'static Town {
        static DEMO: OnceLock<Town> = OnceLock::new();
        DEMO.get_or_init(|| Town::generate(DEMO_SEED))
    }

    /// The town for `seed`: the same seed always gives the same town.
    pub fn generate(seed: u64) -> Town {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let river_m = river_centreline(&mut rng);
        let district_seeds_m = district_seeds(&mut rng);
        let mut names = NamePool::new(&mut rng);
        // (name, centreline in metres, main road)
        let mut raw: Vec<(String, Line, bool)> = Vec::new();

        for (name, points) in main_roads(&mut rng, &river_m) {
            raw.push((names.claim(name), points, true));
        }
        let (columns, rows) = (grid_lines(&mut rng), grid_lines(&mut rng));
        let node = |rng: &mut ChaCha8Rng, x: f64, y: f64| {
            (
                x + rng.random_range(-18.0..18.0),
                y + rng.random_range(-18.0..18.0),
            )
        };
        let mut grid = Vec::with_capacity(rows.len());
        for &y in &rows {
            let row: Vec<(f64, f64)> = columns.iter().map(|&x| node(&mut rng, x, y)).collect();
            grid.push(row);
        }
        let in_town = |p: (f64, f64)| inside_outline(p) && river_distance(&river_m, p) > 150.0;
        let mut runs = Vec::new();
        for row in &grid {
            runs.extend(split_runs(&mut rng, row, in_town));
        }
        for c in 0..columns.len() {
            let column: Vec<(f64, f64)> = grid.iter().map(|row| row[c]).collect();
            runs.extend(split_runs(&mut rng, &column, in_town));
        }
        // Closest to the centre first: the guaranteed names (Rue Victor Hugo…) go to the centre.
        runs.sort_by(|a, b| centre_distance(a).total_cmp(&centre_distance(b)));
        for points in runs {
            let prefix = names.prefix_for(&mut rng, &points);
            let name = names.next(&mut rng, prefix);
            raw.push((name, points, false));
        }
        raw.push((
            names.claim("Place de la République"),
            square(&mut rng, (40.0, 420.0), 45.0),
            false,
        ));

        let parks = parks(&mut rng, &grid, &river_m);
        let districts: Vec<District> = DISTRICT_NAMES
            .iter()
            .zip(&district_seeds_m)
            .map(|(name, &p)| District {
                name: (*name).to_owned(),
                center: to_lon_lat(p),
            })
            .collect();

        let mut streets = Vec::with_capacity(raw.len());
        let mut geometry = Vec::with_capacity(raw.len());
        let mut cumulative_length = Vec::with_capacity(raw.len());
        let mut search_keys = Vec::with_capacity(raw.len());
        let mut total = 0.0;
        for (name, points, main) in raw {
            let geom = Geometry::new(points);
            let middle = geom.point_at(geom.length() / 2.0);
            total += geom.length();
            cumulative_length.push(total);
            search_keys.push(normalize(&name));
            streets.push(Street {
                district: DISTRICT_NAMES[nearest_seed(&district_seeds_m, middle)].to_owned(),
                name,
                points: geom.points.iter().map(|&p| to_lon_lat(p)).collect(),
                main,
            });
            geometry.push(geom);
        }
        Town {
            seed,
            streets,
            geometry,
            cumulative_length,
            search_keys,
            districts,
            district_seeds_m,
            river: River {
                name: "La Loire".to_owned(),
                points: river_m.iter().map(|&p| to_lon_lat(p)).collect(),
                width_m: RIVER_WIDTH_M,
            },
            parks,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn name(&self) -> &'static str {
        TOWN_NAME
    }

    /// `(lon, lat)` of the town centre (the map's default centre).
    pub fn center(&self) -> (f64, f64) {
        (CENTER_LON, CENTER_LAT)
    }

    /// The town's square extent, about 7 km × 7 km.
    pub fn bbox(&self) -> BBox {
        let (min_lon, min_lat) = to_lon_lat((-HALF_EXTENT_M, -HALF_EXTENT_M));
        let (max_lon, max_lat) = to_lon_lat((HALF_EXTENT_M, HALF_EXTENT_M));
        BBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }
    }

    /// Whether `(lon, lat)` lies inside the town's extent (reports outside it are refused).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        lon.is_finite() && lat.is_finite() && self.bbox().contains(lon, lat)
    }

    pub fn streets(&self) -> &[Street] {
        &self.streets
    }

    pub fn districts(&self) -> &[District] {
        &self.districts
    }

    /// The district whose seed is closest to `(lon, lat)` (districts are Voronoi cells).
    pub fn district_at(&self, lon: f64, lat: f64) -> &str {
        let index = nearest_seed(&self.district_seeds_m, to_metres(lon, lat));
        &self.districts[index].name
    }

    pub fn river(&self) -> &River {
        &self.river
    }

    /// Distance in metres from `(lon, lat)` to the river's centreline.
    pub fn river_distance_m(&self, lon: f64, lat: f64) -> f64 {
        let points: Vec<(f64, f64)> = self
            .river
            .points
            .iter()
            .map(|&(lo, la)| to_metres(lo, la))
            .collect();
        river_distance(&points, to_metres(lon, lat))
    }

    pub fn parks(&self) -> &[Park] {
        &self.parks
    }

    /// Length of street `index` in metres (0 for an unknown index).
    pub fn street_length_m(&self, index: usize) -> f64 {
        self.geometry.get(index).map_or(0.0, Geometry::length)
    }

    /// Total length of the street network, in metres.
    pub fn network_length_m(&self) -> f64 {
        self.cumulative_length.last().copied().unwrap_or(0.0)
    }

    /// The address `along` metres from the start of street `index`, on its left or right side
    /// (odd numbers on the left, even on the right, as in French towns). The point is on the
    /// centreline. `None` for an unknown index.
    pub fn address_on(&self, index: usize, along: f64, left: bool) -> Option<Address> {
        let geom = self.geometry.get(index)?;
        let street = self.streets.get(index)?;
        let along = along.clamp(0.0, geom.length());
        let (lon, lat) = to_lon_lat(geom.point_at(along));
        // Truncation is the point: one number per METRES_PER_NUMBER of frontage.
        let rank = (along / METRES_PER_NUMBER) as u32;
        let number = if left { 2 * rank + 1 } else { 2 * rank + 2 };
        Some(Address {
            lon,
            lat,
            number,
            district: self.district_at(lon, lat).to_owned(),
            label: format!(
                "{number} {}, {POSTCODE} {TOWN_NAME}",
                lowercase_type(&street.name)
            ),
            street: street.name.clone(),
        })
    }

    /// A point on a street, uniformly along the whole network, with its house number.
    pub fn random_address<R: Rng + ?Sized>(&self, rng: &mut R) -> Address {
        let total = self.network_length_m();
        let target = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
        let index = self
            .cumulative_length
            .partition_point(|&c| c <= target)
            .min(self.streets.len().saturating_sub(1));
        let start = if index == 0 {
            0.0
        } else {
            self.cumulative_length[index - 1]
        };
        let left = rng.random_bool(0.5);
        self.address_on(index, target - start, left)
            .unwrap_or_else(|| self.fallback_address())
    }

    /// The address on the street closest to `(lon, lat)`, numbered by side and distance along it.
    pub fn nearest_address(&self, lon: f64, lat: f64) -> Address {
        let p = to_metres(lon, lat);
        let best = self
            .geometry
            .iter()
            .enumerate()
            .map(|(i, g)| (i, g.project(p)))
            .min_by(|a, b| a.1.0.total_cmp(&b.1.0));
        best.and_then(|(i, (_, along, left))| self.address_on(i, along, left))
            .unwrap_or_else(|| self.fallback_address())
    }

    /// The demo's geocoder: streets whose name matches `query` ignoring case, accents and
    /// punctuation, best matches first (name starts with the query, then the name without its
    /// "Rue"/"Avenue" starts with it, then a word does, then anywhere). A leading house number
    /// (`"12 rue des lilas"`) gives that number's address; otherwise the street's middle.
    pub fn search_streets(&self, query: &str, limit: usize) -> Vec<Address> {
        // "12 rue des Lilas, 37000 Belleville-sur-Loire": only the part before the comma names
        // the street.
        let street_part = query.split(',').next().unwrap_or_default();
        let normalized = normalize(street_part);
        let mut words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
        let number = words
            .first()
            .and_then(|w| w.parse::<u32>().ok())
            .filter(|n| (1..=10_000).contains(n));
        if number.is_some() {
            words.remove(0);
        }
        let expanded: Vec<&str> = words.iter().map(|w| expand_abbreviation(w)).collect();
        let needle = expanded.join(" ");
        if needle.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<(u8, &str, usize)> = self
            .search_keys
            .iter()
            .enumerate()
            .filter_map(|(i, key)| {
                let rest = key.split_once(' ').map_or("", |(_, rest)| rest);
                let rank = if key.starts_with(&needle) {
                    0
                } else if rest.starts_with(&needle) {
                    1
                } else if key.contains(&format!(" {needle}")) {
                    2
                } else if key.contains(&needle) {
                    3
                } else {
                    return None;
                };
                Some((rank, self.streets[i].name.as_str(), i))
            })
            .collect();
        hits.sort();
        hits.into_iter()
            .take(limit)
            .filter_map(|(_, _, i)| match number {
                Some(n) => {
                    // Odd numbers on the left; number n sits at rank (n-1)/2.
                    let rank = f64::from((n.saturating_sub(1)) / 2);
                    let along = (rank + 0.5) * METRES_PER_NUMBER;
                    let mut address = self.address_on(i, along, n % 2 == 1)?;
                    if along > self.street_length_m(i) {
                        // Past the end of the street: keep the asked number, at the street's end.
                        address.number = n;
                        address.label = format!(
                            "{n} {}, {POSTCODE} {TOWN_NAME}",
                            lowercase_type(&address.street)
                        );
                    }
                    Some(address)
                }
                None => self.address_on(i, self.street_length_m(i) / 2.0, true),
            })
            .collect()
    }

    /// Only reachable for a town without streets, which `generate` never makes.
    fn fallback_address(&self) -> Address {
        Address {
            lon: CENTER_LON,
            lat: CENTER_LAT,
            street: String::new(),
            number: 1,
            district: self.district_at(CENTER_LON, CENTER_LAT).to_owned(),
            label: format!("{POSTCODE} {TOWN_NAME}"),
        }
    }
}

/// "Rue des Lilas" → "rue des Lilas", as French postal addresses write it.
fn lowercase_type(name: &str) -> String {
    match name.split_once(' ') {
        Some((kind, rest)) => format!("{} {rest}", kind.to_lowercase()),
        None => name.to_owned(),
    }
}

fn expand_abbreviation(word: &str) -> &str {
    match word {
        "av" | "ave" => "avenue",
        "bd" | "bld" | "bvd" => "boulevard",
        "pl" => "place",
        "imp" => "impasse",
        "ch" | "chem" => "chemin",
        "all" => "allee",
        "st" => "saint",
        _ => word,
    }
}

/// Lowercase, accents folded, every run of non-alphanumerics one space: "Allée de l'Église"
/// and "allee de l eglise" are the same key.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' | 'ý' => "y",
            'ñ' => "n",
            'œ' => "oe",
            'æ' => "ae",
            _ if c.is_alphanumeric() => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                continue;
            }
            _ => {
                pending_space = true;
                continue;
            }
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push_str(folded);
    }
    out
}

const DISTRICT_NAMES: [&str; 8] = [
    "Centre-Ville",
    "Les Rives",
    "Saint-Martin",
    "La Gare",
    "Beaulieu",
    "Les Tilleuls",
    "Montplaisir",
    "Le Val Fleuri",
];

/// Centre-Ville north of the river at the centre, Les Rives downstream along the water, the
/// others around the edge.
fn district_seeds(rng: &mut ChaCha8Rng) -> Vec<(f64, f64)> {
    let mut seeds = vec![(0.0, 350.0), (-2100.0, -500.0)];
    for k in 0..6 {
        let angle = (40.0 + 55.0 * f64::from(k)).to_radians() + rng.random_range(-0.15..0.15);
        let radius = rng.random_range(1900.0..2500.0);
        seeds.push((radius * angle.cos(), radius * angle.sin()));
    }
    seeds
}

fn nearest_seed(seeds: &[(f64, f64)], p: (f64, f64)) -> usize {
    seeds
        .iter()
        .enumerate()
        .min_by(|a, b| distance(*a.1, p).total_cmp(&distance(*b.1, p)))
        .map_or(0, |(i, _)| i)
}

/// The river meanders west to east south of the centre, past the town's extent on both sides.
fn river_centreline(rng: &mut ChaCha8Rng) -> Vec<(f64, f64)> {
    let (phase1, phase2) = (rng.random_range(0.0..TAU), rng.random_range(0.0..TAU));
    (0..=100)
        .map(|i| {
            let x = -4_500.0 + 90.0 * f64::from(i);
            let y =
                -500.0 + 320.0 * (x / 1_500.0 + phase1).sin() + 90.0 * (x / 520.0 + phase2).sin();
            (x, y)
        })
        .collect()
}

fn river_distance(river: &[(f64, f64)], p: (f64, f64)) -> f64 {
    Geometry {
        points: river.to_vec(),
        cumulative: vec![0.0; river.len()],
    }
    .project(p)
    .0
}

/// The built-up area: a rounded square a little inside the extent, so the corners are fields.
fn inside_outline((x, y): (f64, f64)) -> bool {
    let r = 3_350.0;
    let n = 4.0;
    (x / r).abs().powf(n) + (y / r).abs().powf(n) <= 1.0
}

/// Positions of grid lines across the extent, 170–260 m apart.
fn grid_lines(rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut lines = Vec::new();
    let mut at = -HALF_EXTENT_M + rng.random_range(20.0..120.0);
    while at < HALF_EXTENT_M {
        lines.push(at);
        at += rng.random_range(170.0..260.0);
    }
    lines
}

/// Cuts a grid row or column into streets of 3–8 blocks, ending where the line leaves the town
/// or meets the river.
fn split_runs(
    rng: &mut ChaCha8Rng,
    line: &[(f64, f64)],
    in_town: impl Fn((f64, f64)) -> bool,
) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut target = rng.random_range(3..=8);
    for &p in line {
        if !in_town(p) {
            if current.len() >= 2 {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        current.push(p);
        if current.len() > target {
            // The corner is shared: the next street starts where this one ends.
            runs.push(std::mem::replace(&mut current, vec![p]));
            target = rng.random_range(3..=8);
        }
    }
    if current.len() >= 2 {
        runs.push(current);
    }
    runs
}

fn centre_distance(points: &[(f64, f64)]) -> f64 {
    points
        .iter()
        .map(|&p| distance(p, (0.0, 0.0)))
        .fold(f64::INFINITY, f64::min)
}

/// Radial avenues from the centre to the edge, a ring of boulevards, and a quay on each bank.
fn main_roads(rng: &mut ChaCha8Rng, river: &[(f64, f64)]) -> Vec<(&'static str, Vec<(f64, f64)>)> {
    let mut roads = Vec::new();
    for (k, name) in RADIALS.iter().enumerate() {
        let angle = (15.0 + 60.0 * k as f64).to_radians() + rng.random_range(-0.12..0.12);
        let wobble = rng.random_range(0.0..TAU);
        let mut points = Vec::new();
        let mut r = 120.0;
        while r < 3_700.0 {
            let side = 40.0 * (r / 700.0 + wobble).sin();
            let p = (
                r * angle.cos() - side * angle.sin(),
                r * angle.sin() + side * angle.cos(),
            );
            if !inside_outline(p) && r > 1_000.0 {
                break;
            }
            points.push(p);
            r += 150.0;
        }
        roads.push((*name, points));
    }
    // The ring, in four quarters, each its own boulevard.
    let ring_radius = 1_150.0;
    for (q, name) in RING.iter().enumerate() {
        let points = (0..=12)
            .map(|i| {
                let a = (90.0 * q as f64 + 7.5 * f64::from(i)).to_radians();
                let r = ring_radius + 60.0 * (3.0 * a).sin();
                (r * a.cos(), 200.0 + r * a.sin())
            })
            .collect();
        roads.push((*name, points));
    }
    for (name, offset) in [("Boulevard de la Loire", 1.0), ("Quai des Mariniers", -1.0)] {
        let points: Vec<(f64, f64)> = river
            .windows(2)
            .filter_map(|pair| {
                let (a, b) = (pair[0], pair[1]);
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let len = dx.hypot(dy);
                let shift = offset * (RIVER_WIDTH_M / 2.0 + 45.0) / len;
                let p = (a.0 - dy * shift, a.1 + dx * shift);
                inside_outline(p).then_some(p)
            })
            .collect();
        roads.push((name, points));
    }
    roads
}

/// A small closed square around `centre` (the town-hall square).
fn square(rng: &mut ChaCha8Rng, centre: (f64, f64), half: f64) -> Vec<(f64, f64)> {
    let j = rng.random_range(-5.0..5.0);
    let (x, y) = centre;
    vec![
        (x - half, y - half + j),
        (x + half, y - half),
        (x + half, y + half),
        (x - half, y + half - j),
        (x - half, y - half + j),
    ]
}

/// A handful of grid blocks turned into parks, plus a riverside garden.
fn parks(rng: &mut ChaCha8Rng, grid: &[Vec<(f64, f64)>], river: &[(f64, f64)]) -> Vec<Park> {
    let mut parks = Vec::new();
    let mut used = HashSet::new();
    let mut names = PARK_NAMES.iter();
    let rows = grid.len();
    let cols = grid.first().map_or(0, Vec::len);
    let mut attempts = 0;
    while parks.len() < PARK_NAMES.len() - 1 && attempts < 500 && rows > 3 && cols > 3 {
        attempts += 1;
        let (r, c) = (rng.random_range(1..rows - 2), rng.random_range(1..cols - 2));
        let corners = [
            grid[r][c],
            grid[r][c + 1],
            grid[r + 1][c + 1],
            grid[r + 1][c],
        ];
        let ok = corners
            .iter()
            .all(|&p| inside_outline(p) && river_distance(river, p) > 250.0);
        if !ok || !used.insert((r / 3, c / 3)) {
            continue;
        }
        let Some(name) = names.next() else { break };
        let (cx, cy) = (
            corners.iter().map(|p| p.0).sum::<f64>() / 4.0,
            corners.iter().map(|p| p.1).sum::<f64>() / 4.0,
        );
        // Inset from the block's corners so that the streets around stay visible.
        let polygon = corners
            .iter()
            .map(|&(x, y)| {
                let (dx, dy) = (cx - x, cy - y);
                let len = dx.hypot(dy).max(1.0);
                to_lon_lat((x + dx / len * 22.0, y + dy / len * 22.0))
            })
            .collect();
        parks.push(Park {
            name: (*name).to_owned(),
            polygon,
        });
    }
    // Between the south quay and the water, west of the centre.
    let strip: Vec<(f64, f64)> = river
        .iter()
        .filter(|p| (-2_400.0..=-600.0).contains(&p.0))
        .copied()
        .collect();
    let mut polygon: Vec<(f64, f64)> = strip
        .iter()
        .map(|&(x, y)| to_lon_lat((x, y - RIVER_WIDTH_M / 2.0 - 5.0)))
        .collect();
    polygon.extend(
        strip
            .iter()
            .rev()
            .map(|&(x, y)| to_lon_lat((x, y - RIVER_WIDTH_M / 2.0 - 35.0))),
    );
    parks.push(Park {
        name: "Jardin des Rives".to_owned(),
        polygon,
    });
    parks
}

const PARK_NAMES: [&str; 9] = [
    "Jardin des Plantes",
    "Parc de la Gloriette",
    "Square Anatole France",
    "Parc Saint-Martin",
    "Jardin Botanique",
    "Parc des Prébendes",
    "Square de la Liberté",
    "Bois de Beaulieu",
    "Jardin des Rives",
];

const RADIALS: [&str; 6] = [
    "Avenue Jean Jaurès",
    "Avenue de la République",
    "Avenue du Général de Gaulle",
    "Route de Tours",
    "Avenue de Verdun",
    "Route de Paris",
];

const RING: [&str; 4] = [
    "Boulevard Gambetta",
    "Boulevard Voltaire",
    "Boulevard Béranger",
    "Boulevard Heurteloup",
];

/// Names every demo town has, in its centre: tests and the demo script rely on them.
const GUARANTEED: [&str; 8] = [
    "Rue Victor Hugo",
    "Rue des Lilas",
    "Rue Émile Zola",
    "Rue Nationale",
    "Rue de la Mairie",
    "Allée des Tilleuls",
    "Rue Pasteur",
    "Impasse des Roses",
];

/// No demo resident's name (Camille Martin, Lucas Bernard) may appear here: the isolation tests
/// look for those names in answers that must not mention the other resident.
const NAMES: [&str; 104] = [
    "Victor Hugo",
    "Jean Jaurès",
    "Émile Zola",
    "Jules Ferry",
    "Pasteur",
    "Jean Moulin",
    "Pierre Curie",
    "Marie Curie",
    "Anatole France",
    "Alphonse Daudet",
    "George Sand",
    "Paul Verlaine",
    "Arthur Rimbaud",
    "Honoré de Balzac",
    "Molière",
    "Jean de La Fontaine",
    "Gustave Eiffel",
    "Louis Blériot",
    "Jules Verne",
    "Albert Camus",
    "Charles Péguy",
    "Léon Blum",
    "Aristide Briand",
    "Georges Clemenceau",
    "Jean Monnet",
    "Simone Veil",
    "François Rabelais",
    "Pierre de Ronsard",
    "René Descartes",
    "Lavoisier",
    "André Ampère",
    "Condorcet",
    "Denis Papin",
    "Paul Bert",
    "Louise Michel",
    "Olympe de Gouges",
    "Berthe Morisot",
    "Colette",
    "Édith Piaf",
    "Claude Debussy",
    "Hector Berlioz",
    "Maurice Ravel",
    "Auguste Renoir",
    "Claude Monet",
    "Paul Cézanne",
    "Antoine de Saint-Exupéry",
    "Jacques Prévert",
    "Guy de Maupassant",
    "Gustave Flaubert",
    "Stendhal",
    "du 8 Mai 1945",
    "du 11 Novembre",
    "du 14 Juillet",
    "des Lilas",
    "des Roses",
    "des Tilleuls",
    "des Acacias",
    "des Peupliers",
    "des Châtaigniers",
    "des Marronniers",
    "du Moulin",
    "de la Gare",
    "de l'Église",
    "des Écoles",
    "du Stade",
    "de la Fontaine",
    "des Vignes",
    "des Prés",
    "du Château",
    "des Jardins",
    "du Port",
    "des Bateliers",
    "de la Poste",
    "du Lavoir",
    "des Tanneurs",
    "des Halles",
    "du Commerce",
    "de la Paix",
    "de la Liberté",
    "des Cerisiers",
    "des Pommiers",
    "des Noyers",
    "des Saules",
    "des Ormeaux",
    "des Coquelicots",
    "des Bleuets",
    "des Violettes",
    "des Jonquilles",
    "des Hirondelles",
    "des Alouettes",
    "du Bocage",
    "des Vergers",
    "de la Forge",
    "des Sablons",
    "de la Croix Blanche",
    "du Petit Pont",
    "des Quatre Vents",
    "du Puits",
    "de la Chapelle",
    "du Prieuré",
    "de l'Abbaye",
    "des Coteaux",
    "de la Levée",
    "des Îles",
];

/// Hands out unique street names: the guaranteed ones first, then random "prefix + name".
struct NamePool {
    used: HashSet<String>,
    guaranteed: std::vec::IntoIter<&'static str>,
    order: Vec<&'static str>,
}

impl NamePool {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        let mut order = NAMES.to_vec();
        order.shuffle(rng);
        Self {
            used: HashSet::new(),
            guaranteed: GUARANTEED.to_vec().into_iter(),
            order,
        }
    }

    /// Reserves a fixed name (main roads, the square).
    fn claim(&mut self, name: &str) -> String {
        self.used.insert(name.to_owned());
        name.to_owned()
    }

    /// Short streets are lanes and dead ends, long ones streets and avenues.
    fn prefix_for(&self, rng: &mut ChaCha8Rng, points: &[(f64, f64)]) -> &'static str {
        let roll: f64 = rng.random();
        match points.len() {
            0..=3 if roll < 0.5 => "Impasse",
            0..=4 if roll < 0.7 => "Allée",
            _ if roll < 0.72 => "Rue",
            _ if roll < 0.84 => "Avenue",
            _ if roll < 0.94 => "Chemin",
            _ => "Rue",
        }
    }

    fn next(&mut self, rng: &mut ChaCha8Rng, prefix: &str) -> String {
        for name in self.guaranteed.by_ref() {
            if self.used.insert(name.to_owned()) {
                return name.to_owned();
            }
        }
        // A few random tries with the wished prefix, then every combination in order.
        for _ in 0..20 {
            let name = format!(
                "{prefix} {}",
                self.order[rng.random_range(0..self.order.len())]
            );
            if self.used.insert(name.clone()) {
                return name;
            }
        }
        for p in [
            "Rue", "Avenue", "Allée", "Chemin", "Impasse", "Sentier", "Passage",
        ] {
            for n in &self.order {
                let name = format!("{p} {n}");
                if self.used.insert(name.clone()) {
                    return name;
                }
            }
        }
        // 700 combinations for about 350 streets: unreachable, but stay unique regardless.
        let name = format!("{prefix} n°{}", self.used.len() + 1);
        self.used.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
        let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (b.0 - a.0).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().asin()
    }

    #[test]
    fn generation_is_deterministic_and_seed_dependent() {
        let a = Town::generate(42);
        let b = Town::generate(42);
        let c = Town::generate(43);
        assert_eq!(a.streets(), b.streets());
        assert_eq!(a.parks(), b.parks());
        assert_ne!(a.streets(), c.streets());
        let mut ra = ChaCha8Rng::seed_from_u64(1);
        let mut rb = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(a.random_address(&mut ra), b.random_address(&mut rb));
    }

    #[test]
    fn the_town_is_about_seven_km_wide_around_the_configured_centre() {
        let town = Town::demo();
        let bbox = town.bbox();
        let width = haversine_m((bbox.min_lon, CENTER_LAT), (bbox.max_lon, CENTER_LAT));
        let height = haversine_m((CENTER_LON, bbox.min_lat), (CENTER_LON, bbox.max_lat));
        assert!((6_900.0..7_100.0).contains(&width), "{width}");
        assert!((6_900.0..7_100.0).contains(&height), "{height}");
        assert!(town.contains(0.6848, 47.3941));
        assert!(!town.contains(0.7848, 47.3941));
        assert!(!town.contains(f64::NAN, 47.3941));
    }

    #[test]
    fn streets_are_inside_the_bbox_uniquely_named_and_numerous() {
        let town = Town::demo();
        let bbox = town.bbox();
        let mut names = HashSet::new();
        for street in town.streets() {
            assert!(street.points.len() >= 2, "{}", street.name);
            for &(lon, lat) in &street.points {
                assert!(bbox.contains(lon, lat), "{} at {lon},{lat}", street.name);
            }
            assert!(
                names.insert(street.name.clone()),
                "duplicate {}",
                street.name
            );
            assert!(
                DISTRICT_NAMES.contains(&street.district.as_str()),
                "{}",
                street.district
            );
        }
        assert!(town.streets().len() > 200, "{}", town.streets().len());
        assert!(town.streets().iter().filter(|s| s.main).count() >= 10);
        let km = town.network_length_m() / 1000.0;
        assert!((250.0..700.0).contains(&km), "network of {km} km");
        for name in GUARANTEED.iter().chain(&RADIALS).chain(&RING) {
            assert!(names.contains(*name), "missing {name}");
        }
        // Every district has streets.
        for district in DISTRICT_NAMES {
            assert!(
                town.streets().iter().any(|s| s.district == district),
                "{district}"
            );
        }
    }

    #[test]
    fn no_street_point_is_in_the_river_except_main_road_bridges() {
        let town = Town::demo();
        for street in town.streets().iter().filter(|s| !s.main) {
            for &(lon, lat) in &street.points {
                let d = town.river_distance_m(lon, lat);
                assert!(
                    d > RIVER_WIDTH_M / 2.0,
                    "{} in the river ({d} m)",
                    street.name
                );
            }
        }
    }

    #[test]
    fn generation_is_fast() {
        let start = std::time::Instant::now();
        let _ = Town::generate(7);
        // Generous for a debug build on a loaded machine; release is a few milliseconds.
        assert!(start.elapsed().as_millis() < 1_000, "{:?}", start.elapsed());
    }

    #[test]
    fn random_addresses_lie_on_their_street() {
        let town = Town::demo();
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..500 {
            let address = town.random_address(&mut rng);
            let street = town
                .streets()
                .iter()
                .find(|s| s.name == address.street)
                .expect("the address's street exists");
            let on_street = street.points.windows(2).any(|pair| {
                let along = haversine_m(pair[0], (address.lon, address.lat))
                    + haversine_m((address.lon, address.lat), pair[1]);
                along - haversine_m(pair[0], pair[1]) < 0.05
            });
            assert!(on_street, "{address:?}");
            assert!(town.contains(address.lon, address.lat));
            assert!(address.number >= 1);
            assert_eq!(address.district, town.district_at(address.lon, address.lat));
            assert!(
                address.label.ends_with(", 37000 Belleville-sur-Loire"),
                "{}",
                address.label
            );
            assert!(address.label.starts_with(&format!("{} ", address.number)));
        }
    }

    #[test]
    fn nearest_address_finds_the_street_a_point_is_on() {
        let town = Town::demo();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..100 {
            let address = town.random_address(&mut rng);
            let nearest = town.nearest_address(address.lon, address.lat);
            assert!(
                haversine_m((address.lon, address.lat), (nearest.lon, nearest.lat)) < 1.0,
                "{address:?} vs {nearest:?}"
            );
        }
        // A point 20 m off a street snaps back onto it.
        let street = &town.streets()[town.streets().len() / 2];
        let (lon, lat) = street.points[0];
        let nearest = town.nearest_address(lon, lat + 20.0 / M_PER_DEG_LAT);
        assert!(haversine_m((lon, lat), (nearest.lon, nearest.lat)) < 25.0);
    }

    #[test]
    fn search_ignores_case_accents_and_punctuation() {
        let town = Town::demo();
        for query in [
            "victor hugo",
            "Rue Victor Hugo",
            "RUE VICTOR-HUGO",
            "vïctor húgo",
            "rue victor",
            "hugo",
        ] {
            let hits = town.search_streets(query, 5);
            assert!(
                hits.iter().any(|a| a.street == "Rue Victor Hugo"),
                "{query}: {hits:?}"
            );
        }
        let jaures = town.search_streets("avenue jean jaures", 5);
        assert_eq!(jaures[0].street, "Avenue Jean Jaurès");
        let quay = town.search_streets("bd de la loire", 5);
        assert_eq!(quay[0].street, "Boulevard de la Loire");
        assert!(town.search_streets("zzzz", 5).is_empty());
        assert!(town.search_streets("  ", 5).is_empty());
        assert!(town.search_streets("rue", 0).is_empty());
        assert_eq!(town.search_streets("rue", 7).len(), 7);
    }

    #[test]
    fn search_ranks_prefix_matches_first_and_honours_house_numbers() {
        let town = Town::demo();
        let hits = town.search_streets("rue des lilas", 10);
        assert_eq!(hits[0].street, "Rue des Lilas");
        let numbered = town.search_streets("12 rue des Lilas, 37000 Belleville-sur-Loire", 3);
        assert_eq!(numbered[0].street, "Rue des Lilas");
        assert_eq!(numbered[0].number, 12);
        assert_eq!(
            numbered[0].label,
            "12 rue des Lilas, 37000 Belleville-sur-Loire"
        );
        let odd = town.search_streets("3 rue des lilas", 1);
        assert_eq!(odd[0].number, 3);
    }

    #[test]
    fn normalize_folds_accents_and_punctuation() {
        assert_eq!(normalize("Allée de l'Église"), "allee de l eglise");
        assert_eq!(normalize("  Rue   Émile-Zola "), "rue emile zola");
        assert_eq!(normalize("Œuvre"), "oeuvre");
    }

    #[test]
    fn districts_parks_and_river_exist() {
        let town = Town::demo();
        assert_eq!(town.districts().len(), 8);
        assert_eq!(
            town.district_at(CENTER_LON, CENTER_LAT + 0.003),
            "Centre-Ville"
        );
        assert!(town.parks().len() >= 5, "{}", town.parks().len());
        for park in town.parks() {
            assert!(park.polygon.len() >= 3);
        }
        let river = town.river();
        assert!(river.points.first().expect("points").0 < town.bbox().min_lon);
        assert!(river.points.last().expect("points").0 > town.bbox().max_lon);
    }
}
