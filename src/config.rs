//! The town's runtime configuration (`config.json`): one build serves every town, each town
//! replaces this file at deploy time. Parsing and validation are pure so they are tested natively;
//! loading goes through `api::fetch_config`.

use serde::Deserialize;
use std::sync::Arc;

use crate::i18n::Lang;

/// Where the app looks for its configuration, relative to the site root.
pub const CONFIG_PATH: &str = "/config.json";

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub town: Town,
    pub map: MapConfig,
    pub api: ApiConfig,
    pub layers: Vec<LayerConfig>,
    pub languages: Vec<String>,
    pub default_language: String,
    pub theme: Theme,
    #[serde(default)]
    pub kiosk: KioskConfig,
    #[serde(default)]
    pub embed: EmbedConfig,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Town {
    pub name: String,
    /// Path or URL of the town's logo (shown with an empty alt: the name is next to it).
    #[serde(default)]
    pub logo: Option<String>,
    /// Demo towns are labelled as such on every page.
    #[serde(default)]
    pub demo: bool,
    #[serde(default)]
    pub website: Option<String>,
    /// The town's extent: a report placed outside it is refused before sending (the platform
    /// checks again against the town's real outline). Without it, only the platform checks.
    #[serde(default)]
    pub bounds: Option<Bounds>,
}

/// A rectangle in degrees (WGS 84).
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
pub struct Bounds {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapConfig {
    pub center: LatLon,
    pub zoom: u8,
    #[serde(default = "default_min_zoom")]
    pub min_zoom: u8,
    #[serde(default = "default_max_zoom")]
    pub max_zoom: u8,
    pub tiles: TileConfig,
}

fn default_min_zoom() -> u8 {
    3
}
fn default_max_zoom() -> u8 {
    19
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TileConfig {
    /// URL template with `{z}`, `{x}`, `{y}` (Leaflet's syntax).
    pub url: String,
    /// Attribution as plain text (never injected as HTML).
    pub attribution: String,
    #[serde(default = "default_max_zoom")]
    pub max_zoom: u8,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiConfig {
    pub ngsi_ld: String,
    pub open311: String,
    pub resident: String,
    /// The broker's page cap: never ask for more (Stellio: 100, Orion-LD: 1000).
    #[serde(default = "default_page_size")]
    pub ngsi_ld_page_size: u32,
    #[serde(default = "default_parallel_requests")]
    pub ngsi_ld_parallel_requests: u32,
    /// A layer with more services than this is never loaded whole (megabytes on a phone): it
    /// is loaded area by area once the resident zooms in.
    #[serde(default = "default_max_whole_layer")]
    pub max_whole_layer: u32,
    /// Address search with the Base Adresse Nationale's API shape (`{geocoder}/search?q=`):
    /// `https://api-adresse.data.gouv.fr` for a real town, the platform's own for the demo.
    #[serde(default)]
    pub geocoder: Option<String>,
    /// The Open311 `api_key` the town issued to this app (sent with every report; GeoReport v2
    /// keys identify an application, they are not secrets).
    #[serde(default)]
    pub open311_api_key: Option<String>,
}

fn default_page_size() -> u32 {
    100
}
fn default_parallel_requests() -> u32 {
    4
}
/// Larger layers are counted per area at low zoom (`map::area_counts`): 2000 services with
/// the map's few attributes are about 50 KB compressed, half the first view's budget.
fn default_max_whole_layer() -> u32 {
    2_000
}

/// A text given by the town in each language it offers.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct LocalizedText {
    pub fr: String,
    pub en: String,
}

impl LocalizedText {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerConfig {
    /// NGSI-LD entity type (a Smart Data Model name such as `Streetlight`).
    #[serde(rename = "type")]
    pub entity_type: String,
    pub label: LocalizedText,
    pub color: String,
    /// Not used by this version: refused with a clear message if a town sets it.
    #[serde(default)]
    pub icon: Option<serde_json::Value>,
    /// Which attribute gives the live state; `None` for assets without a state (bus stops).
    #[serde(default)]
    pub status_attribute: Option<String>,
    /// Shown when the map opens without a `layers=` query.
    #[serde(default)]
    pub default: bool,
    /// Who provides the data (shown with the legend).
    #[serde(default)]
    pub provider: Option<LocalizedText>,
    /// The data's licence, e.g. "Licence Ouverte 2.0".
    #[serde(default)]
    pub licence: Option<String>,
    /// The Open311 service codes to report a problem with this kind of asset, most likely
    /// first: "Report a problem here" on the map pre-selects the first.
    #[serde(default)]
    pub report_services: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Theme {
    pub primary: String,
    pub on_primary: String,
    pub accent: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskConfig {
    #[serde(default)]
    pub enabled: bool,
    /// Not used by this version (the kiosk's inactivity reset is still to come): refused with
    /// a clear message if a town sets it, rather than silently ignored.
    #[serde(default)]
    pub inactivity_seconds: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedConfig {
    #[serde(default)]
    pub allowed_parent_origins: Vec<String>,
}

/// One thing wrong in a configuration: where (a JSON path) and what (a code the UI translates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub field: String,
    pub code: ProblemCode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemCode {
    Empty,
    OutOfRange,
    NotAColour,
    UnknownLanguage,
    NotOffered,
    Duplicate,
    MissingPlaceholder,
    /// A field this version of the app does not use.
    Unsupported,
}

/// Why the app could not start with the town's configuration.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be fetched (network down, server unreachable).
    #[error("the configuration could not be fetched: {0}")]
    Unreachable(String),
    /// The server answered, but not with the file (404, 500…).
    #[error("the configuration request answered HTTP {0}")]
    Status(u16),
    /// The file is not JSON of the expected shape.
    #[error("the configuration is not valid JSON of the expected shape: {0}")]
    Syntax(String),
    /// The file parsed but its values cannot work.
    #[error("the configuration has {} invalid values", .0.len())]
    Invalid(Vec<ConfigProblem>),
}

impl Config {
    /// Parses and validates the text of `config.json`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let config: Config =
            serde_json::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let problems = config.problems();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The languages the town offers, in its order, ignoring codes the app cannot speak.
    pub fn offered_languages(&self) -> Vec<Lang> {
        self.languages
            .iter()
            .filter_map(|code| Lang::from_code(code))
            .collect()
    }

    /// The configuration of the layer showing `entity_type`.
    pub fn layer(&self, entity_type: &str) -> Option<&LayerConfig> {
        self.layers.iter().find(|l| l.entity_type == entity_type)
    }

    /// A layer's label in `lang` (its entity type if the town has no such layer).
    pub fn layer_label(&self, entity_type: &str, lang: Lang) -> String {
        self.layer(entity_type)
            .map(|l| l.label.get(lang).to_string())
            .unwrap_or_else(|| entity_type.to_string())
    }

    pub fn default_lang(&self) -> Lang {
        Lang::from_code(&self.default_language).unwrap_or_default()
    }

    fn problems(&self) -> Vec<ConfigProblem> {
        let mut problems = Vec::new();
        let mut add = |field: &str, code: ProblemCode| {
            problems.push(ConfigProblem {
                field: field.to_string(),
                code,
            })
        };
        if self.town.name.trim().is_empty() {
            add("town.name", ProblemCode::Empty);
        }
        let LatLon { lat, lon } = self.map.center;
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            add("map.center.lat", ProblemCode::OutOfRange);
        }
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            add("map.center.lon", ProblemCode::OutOfRange);
        }
        if self.map.min_zoom > self.map.max_zoom || self.map.max_zoom > 22 {
            add("map.maxZoom", ProblemCode::OutOfRange);
        }
        if !(self.map.min_zoom..=self.map.max_zoom).contains(&self.map.zoom) {
            add("map.zoom", ProblemCode::OutOfRange);
        }
        if let Some(b) = self.town.bounds
            && !(b.west < b.east
                && b.south < b.north
                && (-180.0..=180.0).contains(&b.west)
                && (-180.0..=180.0).contains(&b.east)
                && (-90.0..=90.0).contains(&b.south)
                && (-90.0..=90.0).contains(&b.north))
        {
            add("town.bounds", ProblemCode::OutOfRange);
        }
        let tiles = &self.map.tiles.url;
        if !(tiles.contains("{z}") && tiles.contains("{x}") && tiles.contains("{y}")) {
            add("map.tiles.url", ProblemCode::MissingPlaceholder);
        }
        if self.map.tiles.attribution.trim().is_empty() {
            add("map.tiles.attribution", ProblemCode::Empty);
        }
        for (field, base) in [
            ("api.ngsiLd", &self.api.ngsi_ld),
            ("api.open311", &self.api.open311),
            ("api.resident", &self.api.resident),
        ] {
            if base.trim().is_empty() {
                add(field, ProblemCode::Empty);
            }
        }
        if !(1..=1000).contains(&self.api.ngsi_ld_page_size) {
            add("api.ngsiLdPageSize", ProblemCode::OutOfRange);
        }
        if !(1..=16).contains(&self.api.ngsi_ld_parallel_requests) {
            add("api.ngsiLdParallelRequests", ProblemCode::OutOfRange);
        }
        if self.layers.is_empty() {
            add("layers", ProblemCode::Empty);
        }
        for (i, layer) in self.layers.iter().enumerate() {
            if layer.entity_type.trim().is_empty() {
                add(&format!("layers[{i}].type"), ProblemCode::Empty);
            }
            if self.layers[..i]
                .iter()
                .any(|other| other.entity_type == layer.entity_type)
            {
                add(&format!("layers[{i}].type"), ProblemCode::Duplicate);
            }
            if layer.label.fr.trim().is_empty() || layer.label.en.trim().is_empty() {
                add(&format!("layers[{i}].label"), ProblemCode::Empty);
            }
            if !is_hex_colour(&layer.color) {
                add(&format!("layers[{i}].color"), ProblemCode::NotAColour);
            }
            if layer.icon.is_some() {
                add(&format!("layers[{i}].icon"), ProblemCode::Unsupported);
            }
        }
        if self.kiosk.inactivity_seconds.is_some() {
            add("kiosk.inactivitySeconds", ProblemCode::Unsupported);
        }
        if self.languages.is_empty() {
            add("languages", ProblemCode::Empty);
        }
        for (i, code) in self.languages.iter().enumerate() {
            if Lang::from_code(code).is_none() {
                add(&format!("languages[{i}]"), ProblemCode::UnknownLanguage);
            }
        }
        if !self.languages.contains(&self.default_language) {
            add("defaultLanguage", ProblemCode::NotOffered);
        }
        for (field, colour) in [
            ("theme.primary", &self.theme.primary),
            ("theme.onPrimary", &self.theme.on_primary),
            ("theme.accent", &self.theme.accent),
        ] {
            // Colours end up in CSS custom properties: only plain hex colours are accepted, so a
            // config can never smuggle other CSS in.
            if !is_hex_colour(colour) {
                add(field, ProblemCode::NotAColour);
            }
        }
        problems
    }
}

/// `#rgb` or `#rrggbb`.
/// A plain `#rrggbb` colour: the only form a colour from the town may take (it ends up in CSS).
pub fn is_hex_colour(value: &str) -> bool {
    let Some(hex) = value.strip_prefix('#') else {
        return false;
    };
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// App-wide access to the configuration (read-only after start).
pub fn provide_config(config: Config) {
    leptos::prelude::provide_context(Arc::new(config));
}

/// The town's configuration. `<App/>` provides it before rendering anything that needs it; a
/// component rendered without it (a programming error) gets an empty configuration, not a panic.
pub fn use_config() -> Arc<Config> {
    leptos::prelude::use_context::<Arc<Config>>().unwrap_or_else(|| {
        leptos::logging::error!("use_config() called outside <App/>");
        Arc::new(Config::default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../public/config.json");

    fn shipped_json() -> serde_json::Value {
        serde_json::from_str(SHIPPED).unwrap()
    }

    fn problems_of(json: serde_json::Value) -> Vec<ConfigProblem> {
        match Config::parse(&json.to_string()) {
            Err(ConfigError::Invalid(problems)) => problems,
            other => panic!("expected invalid config, got {other:?}"),
        }
    }

    #[test]
    fn the_shipped_demo_config_is_valid() {
        let config = Config::parse(SHIPPED).unwrap();
        assert_eq!(config.default_lang(), Lang::Fr);
        assert_eq!(config.offered_languages(), vec![Lang::Fr, Lang::En]);
        let streetlights = &config.layers[0];
        assert_eq!(streetlights.entity_type, "Streetlight");
        assert_eq!(streetlights.label.get(Lang::En), "Streetlights");
        assert_eq!(config.layers[1].label.get(Lang::En), "Waste containers");
        assert!(config.api.ngsi_ld_page_size <= 1000);
    }

    #[test]
    fn a_file_that_is_not_json_is_a_syntax_error() {
        assert!(matches!(
            Config::parse("<html>404</html>"),
            Err(ConfigError::Syntax(_))
        ));
        assert!(matches!(Config::parse("{}"), Err(ConfigError::Syntax(_))));
    }

    #[test]
    fn every_bad_value_is_reported_with_its_field() {
        let mut json = shipped_json();
        json["town"]["name"] = "  ".into();
        json["map"]["center"]["lat"] = 123.0.into();
        json["map"]["zoom"] = 30.into();
        json["map"]["tiles"]["url"] = "https://tiles.example/{z}/{x}.png".into();
        json["theme"]["primary"] = "red; background: url(x)".into();
        json["languages"] = serde_json::json!(["fr", "xx"]);
        json["defaultLanguage"] = "en".into();
        let problems = problems_of(json);
        let has = |field: &str, code| problems.iter().any(|p| p.field == field && p.code == code);
        assert!(has("town.name", ProblemCode::Empty), "{problems:?}");
        assert!(has("map.center.lat", ProblemCode::OutOfRange));
        assert!(has("map.zoom", ProblemCode::OutOfRange));
        assert!(has("map.tiles.url", ProblemCode::MissingPlaceholder));
        assert!(has("theme.primary", ProblemCode::NotAColour));
        assert!(has("languages[1]", ProblemCode::UnknownLanguage));
        assert!(has("defaultLanguage", ProblemCode::NotOffered));
    }

    #[test]
    fn layers_must_be_distinct_and_coloured() {
        let mut json = shipped_json();
        json["layers"][1]["type"] = "Streetlight".into();
        json["layers"][2]["color"] = "blue".into();
        let problems = problems_of(json);
        assert!(problems.contains(&ConfigProblem {
            field: "layers[1].type".into(),
            code: ProblemCode::Duplicate
        }));
        assert!(problems.contains(&ConfigProblem {
            field: "layers[2].color".into(),
            code: ProblemCode::NotAColour
        }));
    }

    #[test]
    fn hex_colours_only() {
        assert!(is_hex_colour("#fff"));
        assert!(is_hex_colour("#1f4e8C"));
        assert!(!is_hex_colour("1f4e8c"));
        assert!(!is_hex_colour("#1f4e8"));
        assert!(!is_hex_colour("#ggg"));
    }
}
