//! `GET /ngsi-ld/v1/entities` query parameters, written by the app and read by the platform.
//!
//! Brokers cap `limit` (Stellio 100, Orion-LD 1000): callers page with `offset` and read the
//! total from the `NGSILD-Results-Count` header ([`RESULTS_COUNT_HEADER`]) when `count=true`.

use crate::error::ParseError;
use crate::form::encode_form;
use crate::geo::Geometry;
use serde_json::{Value, json};

/// Response header carrying the total number of matches (with `count=true`).
pub const RESULTS_COUNT_HEADER: &str = "NGSILD-Results-Count";

/// A page size every known broker accepts (Stellio's cap).
pub const SAFE_PAGE_SIZE: u32 = 100;

const DOCUMENT: &str = "NGSI-LD entities query";

/// A query on entities.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntityQuery {
    /// `type=`: the entity type.
    pub entity_type: Option<String>,
    /// `id=`: specific ids.
    pub ids: Vec<String>,
    /// `attrs=`: only these attributes.
    pub attrs: Vec<String>,
    /// `q=`: an NGSI-LD query expression, passed through.
    pub q: Option<String>,
    /// `georel`, `geometry`, `coordinates`, `geoproperty`.
    pub geo: Option<GeoQuery>,
    /// `options=keyValues`.
    pub key_values: bool,
    /// `limit=`: page size.
    pub limit: Option<u32>,
    /// `offset=`: first result.
    pub offset: Option<u32>,
    /// `count=true`: ask for the total in [`RESULTS_COUNT_HEADER`].
    pub count: bool,
}

/// A geo-query.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoQuery {
    /// The spatial relationship.
    pub georel: GeoRel,
    /// The reference geometry (`[lon, lat]` coordinates).
    pub geometry: Geometry,
    /// Which GeoProperty to test (`location` when `None`).
    pub geoproperty: Option<String>,
}

/// NGSI-LD spatial relationships.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoRel {
    /// `near;maxDistance==M` and/or `near;minDistance==M` (metres).
    Near {
        /// Farthest distance, in metres.
        max_distance_m: Option<f64>,
        /// Nearest distance, in metres.
        min_distance_m: Option<f64>,
    },
    /// `within`.
    Within,
    /// `contains`.
    Contains,
    /// `intersects`.
    Intersects,
    /// `equals`.
    Equals,
    /// `disjoint`.
    Disjoint,
    /// `overlaps`.
    Overlaps,
}

impl GeoRel {
    /// The `georel` parameter value.
    pub fn to_param(&self) -> String {
        match self {
            GeoRel::Near {
                max_distance_m,
                min_distance_m,
            } => {
                let mut s = "near".to_owned();
                if let Some(m) = max_distance_m {
                    s.push_str(&format!(";maxDistance=={m}"));
                }
                if let Some(m) = min_distance_m {
                    s.push_str(&format!(";minDistance=={m}"));
                }
                s
            }
            GeoRel::Within => "within".into(),
            GeoRel::Contains => "contains".into(),
            GeoRel::Intersects => "intersects".into(),
            GeoRel::Equals => "equals".into(),
            GeoRel::Disjoint => "disjoint".into(),
            GeoRel::Overlaps => "overlaps".into(),
        }
    }

    /// Reads a `georel` parameter value.
    pub fn from_param(text: &str) -> Result<Self, ParseError> {
        let mut parts = text.split(';');
        let head = parts.next().unwrap_or("").trim();
        let rel = match head {
            "within" => GeoRel::Within,
            "contains" => GeoRel::Contains,
            "intersects" => GeoRel::Intersects,
            "equals" => GeoRel::Equals,
            "disjoint" => GeoRel::Disjoint,
            "overlaps" => GeoRel::Overlaps,
            "near" => {
                let (mut max, mut min) = (None, None);
                for modifier in parts {
                    let (key, value) = modifier.split_once("==").ok_or_else(|| {
                        ParseError::invalid(
                            DOCUMENT,
                            "georel",
                            format!("\"{modifier}\" is not key==value"),
                        )
                    })?;
                    let metres = value
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|m| m.is_finite() && *m >= 0.0)
                        .ok_or_else(|| {
                            ParseError::invalid(
                                DOCUMENT,
                                "georel",
                                format!("\"{value}\" is not a distance in metres"),
                            )
                        })?;
                    match key.trim() {
                        "maxDistance" => max = Some(metres),
                        "minDistance" => min = Some(metres),
                        other => {
                            return Err(ParseError::invalid(
                                DOCUMENT,
                                "georel",
                                format!("unknown near modifier \"{other}\""),
                            ));
                        }
                    }
                }
                if max.is_none() && min.is_none() {
                    return Err(ParseError::invalid(
                        DOCUMENT,
                        "georel",
                        "near needs maxDistance or minDistance",
                    ));
                }
                return Ok(GeoRel::Near {
                    max_distance_m: max,
                    min_distance_m: min,
                });
            }
            other => {
                return Err(ParseError::invalid(
                    DOCUMENT,
                    "georel",
                    format!("unknown relationship \"{other}\""),
                ));
            }
        };
        Ok(rel)
    }
}

impl EntityQuery {
    /// The query parameters, in a stable order.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| pairs.push((k.to_owned(), v));
        if let Some(t) = &self.entity_type {
            push("type", t.clone());
        }
        if !self.ids.is_empty() {
            push("id", self.ids.join(","));
        }
        if !self.attrs.is_empty() {
            push("attrs", self.attrs.join(","));
        }
        if let Some(q) = &self.q {
            push("q", q.clone());
        }
        if let Some(g) = &self.geo {
            push("georel", g.georel.to_param());
            push("geometry", g.geometry.type_name().to_owned());
            push("coordinates", g.geometry.coordinates().to_string());
            if let Some(p) = &g.geoproperty {
                push("geoproperty", p.clone());
            }
        }
        if self.key_values {
            push("options", "keyValues".into());
        }
        if let Some(l) = self.limit {
            push("limit", l.to_string());
        }
        if let Some(o) = self.offset {
            push("offset", o.to_string());
        }
        if self.count {
            push("count", "true".into());
        }
        pairs
    }

    /// The query string (without `?`), percent-encoded.
    pub fn to_query_string(&self) -> String {
        encode_form(&self.to_query_pairs())
    }

    /// Reads decoded query parameters (server side). Unknown parameters are ignored.
    pub fn from_query_pairs<I, K, V>(pairs: I) -> Result<Self, ParseError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut query = EntityQuery::default();
        let (mut georel, mut geometry, mut coordinates, mut geoproperty) = (None, None, None, None);
        let list = |v: &str| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        for (key, value) in pairs {
            let value = value.as_ref().trim();
            match key.as_ref() {
                "type" => query.entity_type = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "id" => query.ids = list(value),
                "attrs" => query.attrs = list(value),
                "q" => query.q = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "georel" => georel = Some(GeoRel::from_param(value)?),
                "geometry" => geometry = Some(value.to_owned()),
                "coordinates" => coordinates = Some(value.to_owned()),
                "geoproperty" => geoproperty = Some(value.to_owned()),
                "options" => {
                    query.key_values = list(value)
                        .iter()
                        .any(|o| o == "keyValues" || o == "simplified")
                }
                "limit" => query.limit = Some(unsigned("limit", value)?),
                "offset" => query.offset = Some(unsigned("offset", value)?),
                "count" => query.count = value.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        query.geo = match (georel, geometry, coordinates) {
            (None, None, None) => None,
            (Some(georel), Some(kind), Some(coords)) => {
                let coords: Value = serde_json::from_str(&coords).map_err(|e| {
                    ParseError::invalid(DOCUMENT, "coordinates", format!("not a JSON array: {e}"))
                })?;
                let geometry =
                    Geometry::from_geojson(&json!({"type": kind, "coordinates": coords}))
                        .map_err(|e| ParseError::invalid(DOCUMENT, "coordinates", e.0))?;
                Some(GeoQuery {
                    georel,
                    geometry,
                    geoproperty,
                })
            }
            (georel, geometry, _) => {
                let missing = if georel.is_none() {
                    "georel"
                } else if geometry.is_none() {
                    "geometry"
                } else {
                    "coordinates"
                };
                return Err(ParseError::missing(DOCUMENT, missing));
            }
        };
        Ok(query)
    }
}

fn unsigned(field: &str, value: &str) -> Result<u32, ParseError> {
    value.parse::<u32>().map_err(|_| {
        ParseError::invalid(
            DOCUMENT,
            field,
            format!("\"{value}\" is not a whole non-negative number"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::LonLat;

    fn map_query() -> EntityQuery {
        EntityQuery {
            entity_type: Some("Streetlight".into()),
            geo: Some(GeoQuery {
                georel: GeoRel::Near {
                    max_distance_m: Some(500.0),
                    min_distance_m: None,
                },
                geometry: Geometry::Point(LonLat {
                    lon: 2.35,
                    lat: 48.85,
                }),
                geoproperty: None,
            }),
            key_values: true,
            limit: Some(SAFE_PAGE_SIZE),
            offset: Some(200),
            count: true,
            ..Default::default()
        }
    }

    #[test]
    fn writes_the_design_query() {
        let pairs = map_query().to_query_pairs();
        let expected: Vec<(String, String)> = [
            ("type", "Streetlight"),
            ("georel", "near;maxDistance==500"),
            ("geometry", "Point"),
            ("coordinates", "[2.35,48.85]"),
            ("options", "keyValues"),
            ("limit", "100"),
            ("offset", "200"),
            ("count", "true"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(pairs, expected);
        assert!(
            map_query()
                .to_query_string()
                .starts_with("type=Streetlight&georel=near%3BmaxDistance%3D%3D500")
        );
    }

    #[test]
    fn reads_back_what_it_writes() {
        let q = map_query();
        assert_eq!(
            EntityQuery::from_query_pairs(q.to_query_pairs()).unwrap(),
            q
        );
        let within = EntityQuery {
            geo: Some(GeoQuery {
                georel: GeoRel::Within,
                geometry: crate::geo::BoundingBox::new(2.2, 48.8, 2.5, 48.95)
                    .unwrap()
                    .to_polygon(),
                geoproperty: Some("location".into()),
            }),
            ids: vec!["urn:a".into(), "urn:b".into()],
            ..Default::default()
        };
        assert_eq!(
            EntityQuery::from_query_pairs(within.to_query_pairs()).unwrap(),
            within
        );
    }

    #[test]
    fn bad_parameters_are_explained() {
        assert!(EntityQuery::from_query_pairs([("limit", "-1")]).is_err());
        assert!(EntityQuery::from_query_pairs([("georel", "near")]).is_err());
        assert!(EntityQuery::from_query_pairs([("georel", "beside")]).is_err());
        let err = EntityQuery::from_query_pairs([("georel", "within"), ("geometry", "Polygon")])
            .unwrap_err();
        assert_eq!(err.field(), Some("coordinates"));
        let err = EntityQuery::from_query_pairs([
            ("georel", "near;maxDistance==10"),
            ("geometry", "Point"),
            ("coordinates", "[48.85,200]"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("latitude 200"), "{err}");
        let q = EntityQuery::from_query_pairs([("options", "count,keyValues"), ("foo", "bar")])
            .unwrap();
        assert!(q.key_values);
    }
}
