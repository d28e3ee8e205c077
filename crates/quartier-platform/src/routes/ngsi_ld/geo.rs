//! Exact geo-query tests on point entities, and the bounding box that prefilters them.

use quartier_api::geo::{Geometry, LonLat};

use super::query::{GeoQuery, GeoRel};

/// Mean Earth radius (IUGG), as most NGSI-LD brokers use for `near`.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

/// Great-circle distance in metres between two `(lon, lat)` points.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A box that holds every matching point, or `None` when matches can be anywhere (`disjoint`,
/// `near;minDistance` alone).
pub fn prefilter_bbox(query: &GeoQuery) -> Option<BBox> {
    match (query.georel, &query.geometry) {
        (
            GeoRel::Disjoint
            | GeoRel::Near {
                max_distance_m: None,
                ..
            },
            _,
        ) => None,
        (
            GeoRel::Near {
                max_distance_m: Some(max),
                ..
            },
            Geometry::Point(LonLat { lon, lat }),
        ) => {
            // 1 % and a metre of slack: the box only has to contain the circle.
            let reach = max * 1.01 + 1.0;
            let dlat = (reach / EARTH_RADIUS_M).to_degrees();
            let cos = lat.to_radians().cos();
            if cos < 0.01 || lat.abs() + dlat >= 89.0 {
                return None;
            }
            let dlon = (dlat / cos).min(180.0);
            Some(BBox {
                min_lon: lon - dlon,
                min_lat: lat - dlat,
                max_lon: lon + dlon,
                max_lat: lat + dlat,
            })
        }
        (_, geometry) => bbox_of(geometry),
    }
}

fn bbox_of(geometry: &Geometry) -> Option<BBox> {
    let positions = geometry.positions();
    let first = positions.first()?;
    let mut b = BBox {
        min_lon: first.lon,
        min_lat: first.lat,
        max_lon: first.lon,
        max_lat: first.lat,
    };
    for p in &positions {
        b.min_lon = b.min_lon.min(p.lon);
        b.min_lat = b.min_lat.min(p.lat);
        b.max_lon = b.max_lon.max(p.lon);
        b.max_lat = b.max_lat.max(p.lat);
    }
    Some(b)
}

fn pair(p: &LonLat) -> (f64, f64) {
    (p.lon, p.lat)
}

/// Whether an entity located at `point` satisfies the geo-query.
pub fn matches(query: &GeoQuery, point: (f64, f64)) -> bool {
    let intersects = || match &query.geometry {
        Geometry::Point(p) => pair(p) == point,
        Geometry::Polygon(rings) => in_polygon(rings, point),
        Geometry::MultiPolygon(polygons) => polygons.iter().any(|rings| in_polygon(rings, point)),
        // The contract's parser gives a geo-query no other geometry.
        _ => false,
    };
    match query.georel {
        GeoRel::Near {
            max_distance_m: max,
            min_distance_m: min,
        } => match &query.geometry {
            Geometry::Point(centre) => {
                let d = haversine_m(pair(centre), point);
                max.is_none_or(|m| d <= m) && min.is_none_or(|m| d >= m)
            }
            _ => false,
        },
        GeoRel::Within | GeoRel::Intersects => intersects(),
        // A point equals, or contains, only the same point.
        GeoRel::Equals | GeoRel::Contains => {
            matches!(&query.geometry, Geometry::Point(p) if pair(p) == point)
        }
        GeoRel::Disjoint => !intersects(),
        // Overlap needs two geometries of the same dimension sharing part of their interiors,
        // which a point and a polygon never do, and two points only when equal.
        GeoRel::Overlaps => false,
    }
}

/// Inside the outline and in none of the holes (even-odd ray casting, planar in degrees, which
/// is what GeoJSON polygons mean).
fn in_polygon(rings: &[Vec<LonLat>], point: (f64, f64)) -> bool {
    let Some((outline, holes)) = rings.split_first() else {
        return false;
    };
    in_ring(outline, point) && !holes.iter().any(|hole| in_ring(hole, point))
}

fn in_ring(ring: &[LonLat], (x, y): (f64, f64)) -> bool {
    let mut inside = false;
    for edge in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (pair(&edge[0]), pair(&edge[1]));
        if (y1 > y) != (y2 > y) && x < (x2 - x1) * (y - y1) / (y2 - y1) + x1 {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(georel: GeoRel, geometry: Geometry) -> GeoQuery {
        GeoQuery {
            georel,
            geometry,
            geoproperty: None,
        }
    }

    fn ring(points: &[(f64, f64)]) -> Vec<LonLat> {
        points
            .iter()
            .map(|&(lon, lat)| LonLat { lon, lat })
            .collect()
    }

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude is about 111.2 km.
        let d = haversine_m((0.0, 47.0), (0.0, 48.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        assert_eq!(haversine_m((0.68, 47.39), (0.68, 47.39)), 0.0);
    }

    #[test]
    fn near_uses_exact_distance_and_a_box_that_holds_the_circle() {
        let centre = (0.6848, 47.3941);
        let q = query(
            GeoRel::Near {
                max_distance_m: Some(200.0),
                min_distance_m: None,
            },
            Geometry::Point(ring(&[centre])[0]),
        );
        let bbox = prefilter_bbox(&q).expect("bbox");
        for bearing in 0..36 {
            let a = f64::from(bearing * 10).to_radians();
            // 199 m in every direction is inside both the box and the circle.
            let p = (
                centre.0 + 199.0 * a.sin() / (111_320.0 * centre.1.to_radians().cos()),
                centre.1 + 199.0 * a.cos() / 111_195.0,
            );
            assert!(matches(&q, p), "{bearing}");
            assert!(
                p.0 >= bbox.min_lon
                    && p.0 <= bbox.max_lon
                    && p.1 >= bbox.min_lat
                    && p.1 <= bbox.max_lat
            );
        }
        // The box's corner is in the box, not in the circle.
        assert!(!matches(&q, (bbox.max_lon, bbox.max_lat)));
        let far = query(
            GeoRel::Near {
                max_distance_m: None,
                min_distance_m: Some(200.0),
            },
            Geometry::Point(ring(&[centre])[0]),
        );
        assert!(prefilter_bbox(&far).is_none());
        assert!(!matches(&far, centre));
    }

    #[test]
    fn polygons_respect_holes() {
        let square = vec![ring(&[
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ])];
        let mut holed = square.clone();
        holed.push(ring(&[
            (4.0, 4.0),
            (6.0, 4.0),
            (6.0, 6.0),
            (4.0, 6.0),
            (4.0, 4.0),
        ]));
        let within = query(GeoRel::Within, Geometry::Polygon(holed));
        assert!(matches(&within, (2.0, 2.0)));
        assert!(!matches(&within, (5.0, 5.0)));
        assert!(!matches(&within, (12.0, 5.0)));
        let disjoint = query(GeoRel::Disjoint, Geometry::Polygon(square));
        assert!(matches(&disjoint, (12.0, 5.0)));
        assert!(!matches(&disjoint, (2.0, 2.0)));
    }
}
