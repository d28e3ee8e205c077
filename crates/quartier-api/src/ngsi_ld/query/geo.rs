//! Geo-queries: `georel`, `geometry` and `coordinates` (ETSI GS CIM 009 4.10), into the
//! contract's [`GeoQuery`] with a [`Geometry`] of `[lon, lat]` positions.

use super::{
    GeoQuery, GeoRel,
    parse::{QueryError, bad, bad_data},
};
use crate::geo::{Geometry, LonLat};

/// The geo-query of the three parameters, all or none; `geoproperty` as the view resolved it
/// (`None`: `location`).
pub fn parse_geo(
    georel: Option<&str>,
    geometry: Option<&str>,
    coordinates: Option<&str>,
    geoproperty: Option<String>,
) -> Result<Option<GeoQuery>, QueryError> {
    let (georel, geometry, coordinates) = match (georel, geometry, coordinates) {
        (None, None, None) => return Ok(None),
        (Some(r), Some(g), Some(c)) => (r, g, c),
        _ => {
            return Err(bad(
                "a geo-query needs georel, geometry and coordinates together",
            ));
        }
    };
    let georel = parse_georel(georel)?;
    let value: serde_json::Value = serde_json::from_str(coordinates)
        .map_err(|e| bad(format!("coordinates are not a JSON array: {e}")))?;
    let geometry = match geometry {
        "Point" => Geometry::Point(position(&value)?),
        "Polygon" => Geometry::Polygon(polygon(&value)?),
        "MultiPolygon" => Geometry::MultiPolygon(
            value
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| bad("MultiPolygon coordinates must be an array of polygons"))?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        ),
        other => {
            return Err(bad(format!(
                "geometry {other:?} is not supported (Point, Polygon, MultiPolygon)"
            )));
        }
    };
    if matches!(georel, GeoRel::Near { .. }) && !matches!(geometry, Geometry::Point(_)) {
        return Err(bad("near needs a Point geometry"));
    }
    Ok(Some(GeoQuery {
        georel,
        geometry,
        geoproperty,
    }))
}

/// `near;maxDistance==M` (and/or `minDistance`), `within`, `contains`, `intersects`, `equals`,
/// `disjoint`, `overlaps`.
pub fn parse_georel(text: &str) -> Result<GeoRel, QueryError> {
    let mut parts = text.split(';');
    let name = parts.next().unwrap_or_default();
    let rel = match name {
        "near" => {
            let (mut max, mut min) = (None, None);
            for modifier in parts.by_ref() {
                let (key, value) = modifier
                    .split_once("==")
                    .ok_or_else(|| bad(format!("invalid near modifier {modifier:?}")))?;
                let metres: f64 = value
                    .parse()
                    .ok()
                    .filter(|m: &f64| m.is_finite() && *m >= 0.0)
                    .ok_or_else(|| bad(format!("invalid distance {value:?}")))?;
                match key {
                    "maxDistance" => max = Some(metres),
                    "minDistance" => min = Some(metres),
                    _ => return Err(bad(format!("unknown near modifier {key:?}"))),
                }
            }
            if max.is_none() && min.is_none() {
                return Err(bad("near needs maxDistance or minDistance"));
            }
            return Ok(GeoRel::Near {
                max_distance_m: max,
                min_distance_m: min,
            });
        }
        "within" => GeoRel::Within,
        "contains" => GeoRel::Contains,
        "intersects" => GeoRel::Intersects,
        "equals" => GeoRel::Equals,
        "disjoint" => GeoRel::Disjoint,
        "overlaps" => GeoRel::Overlaps,
        // Well formed but not a relationship NGSI-LD knows: BadRequestData (as the ETSI suite
        // checks, 019_03_04).
        _ => return Err(bad_data(format!("unknown georel {text:?}"))),
    };
    if parts.next().is_some() {
        return Err(bad(format!("{name} takes no modifier")));
    }
    Ok(rel)
}

fn position(value: &serde_json::Value) -> Result<LonLat, QueryError> {
    let invalid = || bad(format!("invalid position {value}: expected [lon, lat]"));
    let array = value.as_array().ok_or_else(invalid)?;
    if !(2..=3).contains(&array.len()) {
        return Err(invalid());
    }
    let lon = array[0].as_f64().ok_or_else(invalid)?;
    let lat = array[1].as_f64().ok_or_else(invalid)?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(bad(format!("position {value} is out of range [lon, lat]")));
    }
    Ok(LonLat { lon, lat })
}

fn polygon(value: &serde_json::Value) -> Result<Vec<Vec<LonLat>>, QueryError> {
    let rings = value
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| bad("Polygon coordinates must be an array of linear rings"))?;
    rings
        .iter()
        .map(|ring| {
            let points: Vec<LonLat> = ring
                .as_array()
                .ok_or_else(|| bad("a linear ring must be an array of positions"))?
                .iter()
                .map(position)
                .collect::<Result<_, _>>()?;
            if points.len() < 4 || points.first() != points.last() {
                return Err(bad(
                    "a linear ring needs at least 4 positions and must be closed",
                ));
            }
            Ok(points)
        })
        .collect()
}
