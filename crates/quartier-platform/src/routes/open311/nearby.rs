//! The nearby-search extension of `GET requests` (as FixMyStreet has it): `lat`, `long` and
//! `radius` (metres) keep the requests within that distance of the point, nearest first. The
//! app asks it before a report is sent, to show the open reports of the same category close by.
//!
//! SQLite narrows the rows to a box around the circle (indexable, cheap); the exact distance is
//! the contract's [`LonLat::distance_m`], the one the app uses for its own "near me" lists.

use quartier_api::{LonLat, geo::EARTH_RADIUS_M};

use super::store::StoredRequest;

/// Largest `radius`: a duplicate hint looks at a street, not at a district, and a small circle
/// keeps the rows read before the exact test few.
pub const MAX_RADIUS_M: f64 = 500.0;
/// `radius` when `lat` and `long` come without it.
pub const DEFAULT_RADIUS_M: f64 = 100.0;

/// A validated nearby search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub centre: LonLat,
    pub radius_m: f64,
}

/// The raw parameters, as the query string gave them.
#[derive(Debug, Default)]
pub struct NearParams {
    pub lat: Option<String>,
    pub long: Option<String>,
    pub radius: Option<String>,
}

impl NearParams {
    /// `None` when none of the three is given; every problem otherwise, as `field: reason`.
    pub fn parse(&self) -> Result<Option<Near>, Vec<String>> {
        if self.lat.is_none() && self.long.is_none() && self.radius.is_none() {
            return Ok(None);
        }
        let mut problems = Vec::new();
        let number = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|text| text.trim().parse::<f64>().ok())
                .filter(|n| n.is_finite())
        };
        let lat = number(&self.lat).filter(|lat| (-90.0..=90.0).contains(lat));
        let long = number(&self.long).filter(|long| (-180.0..=180.0).contains(long));
        if lat.is_none() {
            problems.push("lat: not a latitude (needed with long and radius)".to_owned());
        }
        if long.is_none() {
            problems.push("long: not a longitude (needed with lat and radius)".to_owned());
        }
        let radius_m = match &self.radius {
            None => Some(DEFAULT_RADIUS_M),
            Some(_) => number(&self.radius).filter(|r| *r > 0.0 && *r <= MAX_RADIUS_M),
        };
        if radius_m.is_none() {
            problems.push(format!(
                "radius: not a distance in metres above 0 and at most {MAX_RADIUS_M}"
            ));
        }
        match (lat, long, radius_m) {
            (Some(lat), Some(long), Some(radius_m)) if problems.is_empty() => {
                let centre = LonLat::new(long, lat).map_err(|error| vec![error.to_string()])?;
                Ok(Some(Near { centre, radius_m }))
            }
            _ => Err(problems),
        }
    }
}

impl Near {
    /// `(south, north, west, east)` of a box that holds the circle: a request outside it is
    /// too far, one inside still needs the exact test.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        // A metre of slack so that rounding never leaves a point on the circle outside.
        let dlat = ((self.radius_m + 1.0) / EARTH_RADIUS_M).to_degrees();
        // Near the poles a degree of longitude shrinks to nothing: take every longitude there.
        let cos = self.centre.lat.to_radians().cos();
        let dlon = if cos < 0.01 {
            180.0
        } else {
            (dlat / cos).min(180.0)
        };
        let LonLat { lon, lat } = self.centre;
        (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
    }

    /// How far a request is, or `None` when it has no position or lies outside the circle.
    pub fn distance_to(&self, request: &StoredRequest) -> Option<f64> {
        let position = LonLat::new(request.long?, request.lat?).ok()?;
        let distance = self.centre.distance_m(&position);
        (distance <= self.radius_m).then_some(distance)
    }

    /// The requests inside the circle, nearest first (the newest first at equal distance).
    pub fn nearest_first(&self, requests: Vec<StoredRequest>) -> Vec<StoredRequest> {
        let mut kept: Vec<(f64, StoredRequest)> = requests
            .into_iter()
            .filter_map(|request| Some((self.distance_to(&request)?, request)))
            .collect();
        kept.sort_by(|(a, ra), (b, rb)| {
            a.total_cmp(b)
                .then(rb.requested_at.cmp(&ra.requested_at))
                .then(rb.id.cmp(&ra.id))
        });
        kept.into_iter().map(|(_, request)| request).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(lat: Option<&str>, long: Option<&str>, radius: Option<&str>) -> NearParams {
        NearParams {
            lat: lat.map(str::to_owned),
            long: long.map(str::to_owned),
            radius: radius.map(str::to_owned),
        }
    }

    fn at(id: i64, lat: f64, long: f64, requested_at: i64) -> StoredRequest {
        StoredRequest {
            id,
            service_code: "x".to_owned(),
            status: "open".to_owned(),
            status_notes: None,
            description: None,
            agency_responsible: None,
            service_notice: None,
            requested_at,
            updated_at: requested_at,
            expected_at: None,
            address: None,
            address_id: None,
            zipcode: None,
            lat: Some(lat),
            long: Some(long),
            media_url: None,
            media_id: None,
            media_ids: Vec::new(),
            asset_id: None,
            followers: 0,
            attributes: serde_json::Map::new(),
        }
    }

    #[test]
    fn parses_a_search_and_lists_every_problem() {
        assert_eq!(params(None, None, None).parse(), Ok(None));
        let near = params(Some("47.39"), Some("0.68"), Some("50"))
            .parse()
            .expect("valid")
            .expect("a search");
        assert_eq!(
            (near.centre.lat, near.centre.lon, near.radius_m),
            (47.39, 0.68, 50.0)
        );
        let default = params(Some("47.39"), Some("0.68"), None).parse();
        assert_eq!(
            default.expect("valid").map(|near| near.radius_m),
            Some(DEFAULT_RADIUS_M)
        );
        assert_eq!(
            params(Some("north"), None, Some("501")).parse(),
            Err(vec![
                "lat: not a latitude (needed with long and radius)".to_owned(),
                "long: not a longitude (needed with lat and radius)".to_owned(),
                "radius: not a distance in metres above 0 and at most 500".to_owned(),
            ])
        );
        for radius in ["0", "-5", "NaN", "inf", "ten"] {
            assert!(
                params(Some("47"), Some("0.6"), Some(radius))
                    .parse()
                    .is_err(),
                "{radius}"
            );
        }
        assert!(params(Some("91"), Some("0"), None).parse().is_err());
        assert!(params(Some("47"), Some("181"), None).parse().is_err());
        assert!(params(None, None, Some("50")).parse().is_err());
    }

    #[test]
    fn keeps_the_circle_nearest_first() {
        let near = Near {
            centre: LonLat::new(0.68, 47.39).expect("position"),
            radius_m: 100.0,
        };
        // 0.0001° of latitude is about 11 m.
        let kept = near.nearest_first(vec![
            at(1, 47.3905, 0.68, 10), // ~56 m
            at(2, 47.3901, 0.68, 20), // ~11 m
            at(3, 47.3920, 0.68, 30), // ~222 m: out
            at(4, 47.3901, 0.68, 40), // ~11 m, newer than 2
            at(5, 47.39, 0.6813, 50), // ~98 m east: in
            at(6, 47.39, 0.6815, 60), // ~113 m east: out
        ]);
        let ids: Vec<i64> = kept.iter().map(|r| r.id).collect();
        assert_eq!(ids, [4, 2, 1, 5]);
        let (south, north, west, east) = near.bounds();
        assert!(south < 47.3891 && north > 47.3909 && west < 0.6787 && east > 0.6813);
        assert!(north - 47.39 < 0.001, "the box stays small");
    }
}
