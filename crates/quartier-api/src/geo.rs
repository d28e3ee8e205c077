//! Geometry in GeoJSON terms (RFC 7946): positions are `[lon, lat]`, never the other way.
//!
//! [`LonLat`] names its fields so nobody swaps them; [`Geometry`] reads and writes GeoJSON
//! geometry objects; [`BoundingBox`] is the town's extent (`contains` backs the "inside the
//! town" validation); [`LonLat::distance_m`] is the haversine distance for "near me" lists.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

/// Mean Earth radius in metres (IUGG), used by the haversine distance.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS 84 position. GeoJSON order is `[lon, lat]`; the field names say which is which.
#[derive(Debug, Clone, Copy, PartialEq)]
// Its schema is its fields: it is written as `{"lon": …, "lat": …}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LonLat {
    /// Longitude in degrees, −180..=180, east positive.
    pub lon: f64,
    /// Latitude in degrees, −90..=90, north positive.
    pub lat: f64,
}

/// Why a position or geometry is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GeoError(pub String);

impl LonLat {
    /// A checked position: both finite and within the WGS 84 ranges.
    pub fn new(lon: f64, lat: f64) -> Result<Self, GeoError> {
        if !lon.is_finite() || !lat.is_finite() {
            return Err(GeoError(format!(
                "position [{lon}, {lat}] is not made of finite numbers"
            )));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(GeoError(format!(
                "longitude {lon} is outside −180..180 (are lon and lat swapped?)"
            )));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError(format!(
                "latitude {lat} is outside −90..90 (are lon and lat swapped?)"
            )));
        }
        Ok(LonLat { lon, lat })
    }

    /// True when both numbers are finite and in range.
    pub fn is_valid(&self) -> bool {
        LonLat::new(self.lon, self.lat).is_ok()
    }

    /// Great-circle distance in metres (haversine formula, spherical Earth).
    pub fn distance_m(&self, other: &LonLat) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().atan2((1.0 - a).sqrt())
    }

    /// Reads a GeoJSON position `[lon, lat(, alt)]`; the altitude is dropped.
    pub fn from_position(value: &Value) -> Result<Self, GeoError> {
        let items = value
            .as_array()
            .ok_or_else(|| GeoError(format!("a position must be [lon, lat], got {value}")))?;
        if items.len() < 2 {
            return Err(GeoError(format!(
                "a position needs at least [lon, lat], got {value}"
            )));
        }
        let num = |v: &Value| {
            v.as_f64()
                .ok_or_else(|| GeoError(format!("position {value} holds a non-number {v}")))
        };
        LonLat::new(num(&items[0])?, num(&items[1])?)
    }

    /// The GeoJSON position `[lon, lat]`.
    pub fn to_position(&self) -> Value {
        json!([self.lon, self.lat])
    }
}

/// Written as the object `{"lon": …, "lat": …}` (the resident API's shape; GeoJSON
/// positions go through [`LonLat::to_position`]). Reading checks the ranges.
impl Serialize for LonLat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("LonLat", 2)?;
        s.serialize_field("lon", &self.lon)?;
        s.serialize_field("lat", &self.lat)?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for LonLat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(alias = "long", alias = "lng")]
            lon: f64,
            lat: f64,
        }
        let raw = Raw::deserialize(deserializer)?;
        LonLat::new(raw.lon, raw.lat).map_err(serde::de::Error::custom)
    }
}

/// A GeoJSON geometry object.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    /// `{"type":"Point","coordinates":[lon,lat]}`.
    Point(LonLat),
    /// Several points.
    MultiPoint(Vec<LonLat>),
    /// A line.
    LineString(Vec<LonLat>),
    /// Several lines.
    MultiLineString(Vec<Vec<LonLat>>),
    /// Rings: the first is the outer boundary, the others are holes.
    Polygon(Vec<Vec<LonLat>>),
    /// Several polygons.
    MultiPolygon(Vec<Vec<Vec<LonLat>>>),
    /// A mix of geometries.
    GeometryCollection(Vec<Geometry>),
}

/// The geometry type names of RFC 7946 §3.1.
pub const GEOMETRY_TYPES: [&str; 7] = [
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
];

impl Geometry {
    /// True when `value` is an object whose `type` is a GeoJSON geometry type; used to tell a
    /// bare geometry (keyValues `location`) from any other object value.
    pub fn looks_like_geojson(value: &Value) -> bool {
        value
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| GEOMETRY_TYPES.contains(&t))
            && (value.get("coordinates").is_some() || value.get("geometries").is_some())
    }

    /// Reads a GeoJSON geometry object, checking every position.
    pub fn from_geojson(value: &Value) -> Result<Self, GeoError> {
        let Some(obj) = value.as_object() else {
            return Err(GeoError(format!(
                "a geometry must be an object, got {}",
                crate::error::describe(value)
            )));
        };
        let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
        if kind == "GeometryCollection" {
            let parts = obj
                .get("geometries")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    GeoError("a GeometryCollection needs a `geometries` array".into())
                })?;
            return parts
                .iter()
                .map(Geometry::from_geojson)
                .collect::<Result<_, _>>()
                .map(Geometry::GeometryCollection);
        }
        if !GEOMETRY_TYPES.contains(&kind) {
            let hint = if kind == "GeoProperty" {
                "; this is an NGSI-LD GeoProperty ({\"type\":\"GeoProperty\",\"value\":…}), whose bare `value` is what belongs here"
            } else {
                ""
            };
            return Err(GeoError(format!(
                "\"{kind}\" is not a GeoJSON geometry type (RFC 7946 §3.1: {}){hint}",
                GEOMETRY_TYPES.join(", ")
            )));
        }
        let coords = obj
            .get("coordinates")
            .ok_or_else(|| GeoError(format!("a {kind} needs `coordinates`")))?;
        let line = |v: &Value| -> Result<Vec<LonLat>, GeoError> {
            v.as_array()
                .ok_or_else(|| {
                    GeoError(format!("{kind}: expected an array of positions, got {v}"))
                })?
                .iter()
                .map(LonLat::from_position)
                .collect()
        };
        let lines = |v: &Value| -> Result<Vec<Vec<LonLat>>, GeoError> {
            v.as_array()
                .ok_or_else(|| {
                    GeoError(format!("{kind}: expected an array of rings/lines, got {v}"))
                })?
                .iter()
                .map(line)
                .collect()
        };
        Ok(match kind {
            "Point" => Geometry::Point(LonLat::from_position(coords)?),
            "MultiPoint" => Geometry::MultiPoint(line(coords)?),
            "LineString" => Geometry::LineString(line(coords)?),
            "MultiLineString" => Geometry::MultiLineString(lines(coords)?),
            "Polygon" => Geometry::Polygon(lines(coords)?),
            _ => Geometry::MultiPolygon(
                coords
                    .as_array()
                    .ok_or_else(|| GeoError("MultiPolygon: expected an array of polygons".into()))?
                    .iter()
                    .map(lines)
                    .collect::<Result<_, _>>()?,
            ),
        })
    }

    /// The GeoJSON type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Geometry::Point(_) => "Point",
            Geometry::MultiPoint(_) => "MultiPoint",
            Geometry::LineString(_) => "LineString",
            Geometry::MultiLineString(_) => "MultiLineString",
            Geometry::Polygon(_) => "Polygon",
            Geometry::MultiPolygon(_) => "MultiPolygon",
            Geometry::GeometryCollection(_) => "GeometryCollection",
        }
    }

    /// The `coordinates` member as GeoJSON (also what NGSI-LD geo-queries put in `coordinates=`).
    /// A GeometryCollection has none and gives `null`.
    pub fn coordinates(&self) -> Value {
        let line = |l: &[LonLat]| Value::Array(l.iter().map(LonLat::to_position).collect());
        let lines = |ls: &[Vec<LonLat>]| Value::Array(ls.iter().map(|l| line(l)).collect());
        match self {
            Geometry::Point(p) => p.to_position(),
            Geometry::MultiPoint(l) | Geometry::LineString(l) => line(l),
            Geometry::MultiLineString(ls) | Geometry::Polygon(ls) => lines(ls),
            Geometry::MultiPolygon(ps) => Value::Array(ps.iter().map(|p| lines(p)).collect()),
            Geometry::GeometryCollection(_) => Value::Null,
        }
    }

    /// The GeoJSON geometry object.
    pub fn to_geojson(&self) -> Value {
        match self {
            Geometry::GeometryCollection(parts) => json!({
                "type": "GeometryCollection",
                "geometries": parts.iter().map(Geometry::to_geojson).collect::<Vec<_>>(),
            }),
            other => json!({ "type": other.type_name(), "coordinates": other.coordinates() }),
        }
    }

    /// Every position of the geometry, in order.
    pub fn positions(&self) -> Vec<LonLat> {
        match self {
            Geometry::Point(p) => vec![*p],
            Geometry::MultiPoint(l) | Geometry::LineString(l) => l.clone(),
            Geometry::MultiLineString(ls) | Geometry::Polygon(ls) => ls.concat(),
            Geometry::MultiPolygon(ps) => ps.iter().flat_map(|p| p.concat()).collect(),
            Geometry::GeometryCollection(parts) => {
                parts.iter().flat_map(Geometry::positions).collect()
            }
        }
    }

    /// The smallest box holding every position, if there is any.
    pub fn bbox(&self) -> Option<BoundingBox> {
        BoundingBox::around(&self.positions())
    }

    /// One point to put a marker on: the point itself, else the centre of the bounding box.
    pub fn representative_point(&self) -> Option<LonLat> {
        match self {
            Geometry::Point(p) => Some(*p),
            other => other.bbox().map(|b| b.center()),
        }
    }
}

impl Serialize for Geometry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_geojson().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Geometry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Geometry::from_geojson(&value).map_err(serde::de::Error::custom)
    }
}

/// A rectangle in degrees, e.g. the town's extent. Written as the GeoJSON `bbox` array
/// `[west, south, east, north]`. Does not cross the antimeridian (no French town does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    /// Smallest longitude.
    pub west: f64,
    /// Smallest latitude.
    pub south: f64,
    /// Largest longitude.
    pub east: f64,
    /// Largest latitude.
    pub north: f64,
}

impl BoundingBox {
    /// A checked box: finite, in range, west ≤ east and south ≤ north.
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Result<Self, GeoError> {
        LonLat::new(west, south)?;
        LonLat::new(east, north)?;
        if west > east || south > north {
            return Err(GeoError(format!(
                "bounding box [{west}, {south}, {east}, {north}] must be [west, south, east, north] with west ≤ east and south ≤ north"
            )));
        }
        Ok(BoundingBox {
            west,
            south,
            east,
            north,
        })
    }

    /// The smallest box around the given positions (`None` when there are none).
    pub fn around(points: &[LonLat]) -> Option<Self> {
        let first = points.first()?;
        Some(points.iter().fold(
            BoundingBox {
                west: first.lon,
                south: first.lat,
                east: first.lon,
                north: first.lat,
            },
            |b, p| BoundingBox {
                west: b.west.min(p.lon),
                south: b.south.min(p.lat),
                east: b.east.max(p.lon),
                north: b.north.max(p.lat),
            },
        ))
    }

    /// True when the position is inside or on the edge. NaN is never inside.
    pub fn contains(&self, p: LonLat) -> bool {
        p.lon >= self.west && p.lon <= self.east && p.lat >= self.south && p.lat <= self.north
    }

    /// The centre of the box.
    pub fn center(&self) -> LonLat {
        LonLat {
            lon: (self.west + self.east) / 2.0,
            lat: (self.south + self.north) / 2.0,
        }
    }

    /// The box as a closed GeoJSON polygon (for a `georel=within` query).
    pub fn to_polygon(&self) -> Geometry {
        let c = |lon, lat| LonLat { lon, lat };
        Geometry::Polygon(vec![vec![
            c(self.west, self.south),
            c(self.east, self.south),
            c(self.east, self.north),
            c(self.west, self.north),
            c(self.west, self.south),
        ]])
    }
}

impl Serialize for BoundingBox {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        [self.west, self.south, self.east, self.north].serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for BoundingBox {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let [w, s, e, n] = <[f64; 4]>::deserialize(deserializer)?;
        BoundingBox::new(w, s, e, n).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_order_is_lon_lat() {
        let p = LonLat::from_position(&json!([13.3986, 52.5547])).unwrap();
        assert_eq!(p.lon, 13.3986);
        assert_eq!(p.lat, 52.5547);
        assert_eq!(p.to_position(), json!([13.3986, 52.5547]));
        let with_alt = LonLat::from_position(&json!([1.0, 2.0, 30.0])).unwrap();
        assert_eq!(with_alt, LonLat { lon: 1.0, lat: 2.0 });
    }

    #[test]
    fn lon_lat_object_serde() {
        let p = LonLat::new(2.35, 48.85).unwrap();
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            json!({"lon": 2.35, "lat": 48.85})
        );
        let back: LonLat = serde_json::from_value(json!({"lat": 48.85, "lon": 2.35})).unwrap();
        assert_eq!(back, p);
        let long: LonLat = serde_json::from_value(json!({"lat": 48.85, "long": 2.35})).unwrap();
        assert_eq!(long, p);
        assert!(serde_json::from_value::<LonLat>(json!({"lat": 148.85, "lon": 2.35})).is_err());
    }

    #[test]
    fn bad_positions_are_explained() {
        let swapped = LonLat::from_position(&json!([45.0, 120.0])).unwrap_err();
        assert!(swapped.0.contains("latitude 120"), "{swapped}");
        assert!(LonLat::from_position(&json!([1.0])).is_err());
        assert!(LonLat::from_position(&json!(["1", "2"])).is_err());
        assert!(LonLat::new(f64::NAN, 0.0).is_err());
        assert!(
            !LonLat {
                lon: f64::INFINITY,
                lat: 0.0
            }
            .is_valid()
        );
    }

    #[test]
    fn haversine_paris_lyon() {
        let paris = LonLat::new(2.3522, 48.8566).unwrap();
        let lyon = LonLat::new(4.8357, 45.7640).unwrap();
        let d = paris.distance_m(&lyon);
        assert!((d - 391_500.0).abs() < 2_000.0, "{d}");
        assert_eq!(paris.distance_m(&paris), 0.0);
    }

    #[test]
    fn geometry_round_trips_and_explains_geoproperty() {
        for g in [
            json!({"type":"Point","coordinates":[-8.5,41.2]}),
            json!({"type":"LineString","coordinates":[[0.0,0.0],[1.0,1.0]]}),
            json!({"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]}),
            json!({"type":"MultiPolygon","coordinates":[[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]]}),
            json!({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1.0,2.0]}]}),
        ] {
            let parsed = Geometry::from_geojson(&g).unwrap();
            assert_eq!(parsed.to_geojson(), g);
        }
        let wrapped =
            json!({"type":"GeoProperty","value":{"type":"Point","coordinates":[1.0,2.0]}});
        let err = Geometry::from_geojson(&wrapped).unwrap_err();
        assert!(err.0.contains("GeoProperty"), "{err}");
        assert!(err.0.contains("RFC 7946"), "{err}");
        assert!(Geometry::looks_like_geojson(
            &json!({"type":"Point","coordinates":[1,2]})
        ));
        assert!(!Geometry::looks_like_geojson(
            &json!({"type":"PostalAddress"})
        ));
    }

    #[test]
    fn bbox_contains_and_serialises_as_array() {
        let town = BoundingBox::new(2.20, 48.80, 2.50, 48.95).unwrap();
        assert!(town.contains(LonLat {
            lon: 2.35,
            lat: 48.85
        }));
        assert!(!town.contains(LonLat {
            lon: 48.85,
            lat: 2.35
        }));
        assert!(!town.contains(LonLat {
            lon: f64::NAN,
            lat: 48.85
        }));
        assert_eq!(
            serde_json::to_value(town).unwrap(),
            json!([2.2, 48.8, 2.5, 48.95])
        );
        let back: BoundingBox = serde_json::from_value(json!([2.2, 48.8, 2.5, 48.95])).unwrap();
        assert_eq!(back, town);
        assert!(serde_json::from_value::<BoundingBox>(json!([2.5, 48.8, 2.2, 48.95])).is_err());
        let poly = town.to_polygon();
        assert_eq!(poly.bbox(), Some(town));
        assert_eq!(poly.representative_point(), Some(town.center()));
    }
}
