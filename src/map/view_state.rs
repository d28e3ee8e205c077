//! The map's state as it lives in the address (`/map?layers=Streetlight,WasteContainer&lat=…
//! &lon=…&z=…&view=list`), so that a town can link to a view and a reload restores it.

use crate::config::Config;

#[derive(Clone, Debug, PartialEq)]
pub struct MapView {
    /// Entity types shown, in the configuration's order.
    pub layers: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    pub zoom: u8,
    /// The list alternative instead of the map.
    pub as_list: bool,
}

impl MapView {
    /// Reads the view from query parameters, falling back to the town's defaults for anything
    /// missing or invalid (a hand-edited link never breaks the page).
    pub fn from_query(config: &Config, get: impl Fn(&str) -> Option<String>) -> MapView {
        let known = |t: &str| config.layers.iter().any(|l| l.entity_type == t);
        let layers = match get("layers") {
            Some(list) => {
                let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
                config
                    .layers
                    .iter()
                    .map(|l| l.entity_type.clone())
                    .filter(|t| wanted.contains(&t.as_str()) && known(t))
                    .collect()
            }
            None => config
                .layers
                .iter()
                .filter(|l| l.default)
                .map(|l| l.entity_type.clone())
                .collect(),
        };
        let number = |name: &str| {
            get(name)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        let lat = number("lat").filter(|v| (-85.0..=85.0).contains(v));
        let lon = number("lon").filter(|v| (-180.0..=180.0).contains(v));
        let (lat, lon) = match (lat, lon) {
            (Some(lat), Some(lon)) => (lat, lon),
            _ => (config.map.center.lat, config.map.center.lon),
        };
        let zoom = get("z")
            .and_then(|v| v.parse::<u8>().ok())
            .filter(|z| (config.map.min_zoom..=config.map.max_zoom).contains(z))
            .unwrap_or(config.map.zoom);
        MapView {
            layers,
            lat,
            lon,
            zoom,
            as_list: get("view").as_deref() == Some("list"),
        }
    }

    /// The query string for this view (without `?`), coordinates rounded to about a metre.
    pub fn to_query(&self) -> String {
        let mut query = format!(
            "layers={}&lat={:.5}&lon={:.5}&z={}",
            self.layers.join(","),
            self.lat,
            self.lon,
            self.zoom
        );
        if self.as_list {
            query.push_str("&view=list");
        }
        query
    }
}

/// Whether the box `outer` contains the box `inner` (both `[west, south, east, north]`).
pub fn covers(outer: &[f64; 4], inner: &[f64; 4]) -> bool {
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_covers_only_what_is_inside_it() {
        let loaded = [0.60, 47.30, 0.70, 47.40];
        assert!(covers(&loaded, &[0.61, 47.31, 0.69, 47.39]));
        assert!(covers(&loaded, &loaded));
        assert!(!covers(&loaded, &[0.65, 47.35, 0.75, 47.39]));
        assert!(!covers(&loaded, &[0.55, 47.31, 0.69, 47.39]));
    }

    fn config() -> Config {
        Config::parse(include_str!("../../public/config.json")).unwrap()
    }

    fn view(query: &[(&str, &str)]) -> MapView {
        let owned: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        MapView::from_query(&config(), |name| {
            owned
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn no_query_gives_the_default_layers_and_the_town_centre() {
        let v = view(&[]);
        assert_eq!(v.layers, vec!["Streetlight", "WasteContainer"]);
        assert_eq!((v.lat, v.lon, v.zoom), (47.3941, 0.6848, 14));
        assert!(!v.as_list);
    }

    #[test]
    fn a_deep_link_is_restored_and_unknown_layers_are_dropped() {
        let v = view(&[
            ("layers", "EVChargingStation,Nope,Streetlight"),
            ("lat", "47.4"),
            ("lon", "0.69"),
            ("z", "16"),
            ("view", "list"),
        ]);
        assert_eq!(v.layers, vec!["Streetlight", "EVChargingStation"]);
        assert_eq!((v.lat, v.lon, v.zoom), (47.4, 0.69, 16));
        assert!(v.as_list);
    }

    #[test]
    fn invalid_numbers_fall_back_to_defaults() {
        let v = view(&[("lat", "NaN"), ("lon", "0.7"), ("z", "99")]);
        assert_eq!((v.lat, v.lon, v.zoom), (47.3941, 0.6848, 14));
    }

    #[test]
    fn the_query_round_trips() {
        let v = view(&[
            ("layers", "GtfsStop"),
            ("lat", "47.39"),
            ("lon", "0.68"),
            ("z", "15"),
        ]);
        let query = v.to_query();
        assert_eq!(query, "layers=GtfsStop&lat=47.39000&lon=0.68000&z=15");
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let again = MapView::from_query(&config(), |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(again, v);
    }
}
