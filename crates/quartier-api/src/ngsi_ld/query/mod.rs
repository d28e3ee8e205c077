//! `GET /ngsi-ld/v1/entities` query parameters: written by the app ([`EntityQuery`]), read
//! by a server ([`parse_entity_query`] into a [`ParsedQuery`]); the reader reads back what
//! the writer writes, and the geo-query is one type for both.
//!
//! Brokers cap `limit` (Stellio 100, Orion-LD 1000): callers page with `offset` and read the
//! total from the `NGSILD-Results-Count` header ([`RESULTS_COUNT_HEADER`]) when `count=true`.

mod boolean;
mod geo;
mod order;
mod parse;
mod projection;
pub mod q;
mod scope;
mod types;
mod vocabulary;

pub use geo::{parse_geo, parse_georel};
pub use order::{OrderKey, OrderMember, parse_order_by};
pub use parse::{
    DEFAULT_LIMIT, Join, MAX_LIST, ParsedQuery, QueryError, View, parse_entity_query,
    parse_entity_query_with, parse_view,
};
pub use projection::{Member, Projection, parse_projection};
pub use q::{AttrPath, Expr, Literal, Op, Operand, Term, parse_q};
pub use scope::{ScopeQuery, parse_scope_q};
pub use types::{TypeExpr, parse_types};
pub use vocabulary::{compact, is_known_context};

use crate::form::encode_form;
use crate::geo::Geometry;

/// Response header carrying the total number of matches (with `count=true`).
pub const RESULTS_COUNT_HEADER: &str = "NGSILD-Results-Count";

/// A page size every known broker accepts (Stellio's cap).
pub const SAFE_PAGE_SIZE: u32 = 100;

/// A query on entities.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntityQuery {
    /// `type=`: the entity type.
    pub entity_type: Option<String>,
    /// `id=`: specific ids.
    pub ids: Vec<String>,
    /// `attrs=`: only these attributes.
    pub attrs: Vec<String>,
    /// `q=`: an NGSI-LD query expression ([`q`]), written as given.
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

/// A geo-query, as the app writes it and a server reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoQuery {
    /// The spatial relationship.
    pub georel: GeoRel,
    /// The reference geometry (`[lon, lat]` coordinates); a server reads Point, Polygon and
    /// MultiPolygon.
    pub geometry: Geometry,
    /// Which GeoProperty to test (`location` when `None`).
    pub geoproperty: Option<String>,
}

/// NGSI-LD spatial relationships.
#[derive(Debug, Clone, Copy, PartialEq)]
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

    /// What the app writes, the parser reads as meant: every query the app's layers make.
    #[test]
    fn the_parser_reads_back_what_the_builder_writes() {
        let read = |query: &EntityQuery| {
            parse_entity_query(&query.to_query_pairs(), 1000).expect("the parser accepts it")
        };
        let near = map_query();
        let parsed = read(&near);
        assert_eq!(parsed.types, Some(TypeExpr::Name("Streetlight".into())));
        assert_eq!(parsed.geo, near.geo);
        assert!(parsed.view.key_values && parsed.count);
        assert_eq!((parsed.limit, parsed.offset), (100, 200));

        let within = EntityQuery {
            entity_type: Some("WasteContainer".into()),
            q: Some(r#"status=="full","lidOpen";fillingLevel>=0.9"#.into()),
            attrs: vec!["status".into(), "fillingLevel".into()],
            geo: Some(GeoQuery {
                georel: GeoRel::Within,
                geometry: crate::geo::BoundingBox::new(2.2, 48.8, 2.5, 48.95)
                    .unwrap()
                    .to_polygon(),
                geoproperty: Some("location".into()),
            }),
            ids: vec!["urn:a".into(), "urn:b".into()],
            limit: Some(0),
            count: true,
            ..Default::default()
        };
        let parsed = read(&within);
        assert_eq!(parsed.geo, within.geo);
        assert_eq!(parsed.ids, within.ids);
        assert_eq!(parsed.view.attrs, Some(within.attrs.clone()));
        assert_eq!(
            parsed.q,
            Some(parse_q(within.q.as_deref().unwrap()).unwrap())
        );
        let Some(Expr::And(terms)) = parsed.q else {
            panic!("two terms joined by ;");
        };
        assert_eq!(terms.len(), 2);
        assert_eq!((parsed.limit, parsed.count), (0, true));

        let both = EntityQuery {
            entity_type: Some("Streetlight".into()),
            geo: Some(GeoQuery {
                georel: GeoRel::Near {
                    max_distance_m: Some(300.5),
                    min_distance_m: Some(10.0),
                },
                ..near.geo.clone().unwrap()
            }),
            ..Default::default()
        };
        assert_eq!(read(&both).geo, both.geo);
    }

    #[test]
    fn georel_is_read_as_written() {
        for georel in [
            GeoRel::Within,
            GeoRel::Contains,
            GeoRel::Intersects,
            GeoRel::Equals,
            GeoRel::Disjoint,
            GeoRel::Overlaps,
            GeoRel::Near {
                max_distance_m: None,
                min_distance_m: Some(5.0),
            },
        ] {
            assert_eq!(parse_georel(&georel.to_param()), Ok(georel));
        }
        assert!(parse_georel("near").is_err());
        assert!(parse_georel("beside").is_err());
    }
}
