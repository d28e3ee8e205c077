//! The town a platform serves: its name, postcode, outline and contacts, read from `--town
//! FILE` (JSON), or the demo town with `--demo`. Open311 validates locations against it, stamps
//! its postcode, and its discovery and the consent records name it; nothing of the demo town
//! reaches a platform started without `--demo`.
//!
//! ```json
//! { "name": "Ville-sur-Mer", "postcode": "44000",
//!   "outline": [[-1.60, 47.20], [-1.50, 47.20], [-1.50, 47.25], [-1.60, 47.25]],
//!   "contact": "Mairie de Ville-sur-Mer, 1 place de l'Hôtel de Ville",
//!   "controller": { "name": "Ville de Ville-sur-Mer", "contact": "dpo@ville.fr",
//!                   "url": "https://ville.fr", "policyUrl": "https://ville.fr/vie-privee" } }
//! ```

use std::path::Path;

use anyhow::{Context, bail};
use quartier_api::{geo::BoundingBox, resident as api};
use serde::Deserialize;

use crate::demo::{self, Town};

/// Who is responsible for the residents' data (GDPR controller).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControllerConfig {
    pub name: String,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub policy_url: Option<String>,
}

/// A town as configured (`--town FILE`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TownConfig {
    /// The town's name (`Ville-sur-Mer`).
    pub name: String,
    /// The postcode stamped on reports given by a point.
    #[serde(default)]
    pub postcode: Option<String>,
    /// The outline's ring, `[lon, lat]` points; reports outside it are refused. Empty: any
    /// valid position is accepted.
    #[serde(default)]
    pub outline: Vec<[f64; 2]>,
    /// Open311 discovery's `contact`; `Mairie de <name>` when absent.
    #[serde(default)]
    pub contact: Option<String>,
    /// The data controller; `Ville de <name>` with no contact when absent.
    #[serde(default)]
    pub controller: Option<ControllerConfig>,
}

impl TownConfig {
    /// Reads and checks a town file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the town file {}", path.display()))?;
        let config: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a town file", path.display()))?;
        config
            .check()
            .with_context(|| format!("in {}", path.display()))?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.name.trim().is_empty() {
            bail!("the town has no name");
        }
        if !self.outline.is_empty() && self.outline.len() < 3 {
            bail!("an outline needs at least 3 points");
        }
        if let Some([lon, lat]) = self
            .outline
            .iter()
            .find(|[lon, lat]| !(-180.0..=180.0).contains(lon) || !(-90.0..=90.0).contains(lat))
        {
            bail!("the outline point [{lon}, {lat}] is not a WGS 84 position");
        }
        Ok(())
    }
}

/// The town in force: a configured one, the demo town, or (neither) an unnamed town that
/// accepts any position and names nobody.
#[derive(Debug, Clone)]
pub struct TownProfile {
    config: TownConfig,
    /// The demo town's generator, whose streets give addresses.
    demo: Option<&'static Town>,
}

/// The demo town's controller (its contacts are `example.org` addresses).
const DEMO_CONTROLLER: &str = "Ville de Belleville-sur-Loire (démo)";
const DEMO_CONTACT: &str = "dpo@belleville-sur-loire.example.org";
const DEMO_URL: &str = "https://belleville-sur-loire.example.org";
const DEMO_POLICY_URL: &str = "https://belleville-sur-loire.example.org/vie-privee";

impl TownProfile {
    pub fn configured(config: TownConfig) -> Self {
        Self { config, demo: None }
    }

    /// The generated demo town: its square extent, postcode and streets.
    pub fn demo() -> Self {
        let town = Town::demo();
        let b = town.bbox();
        Self {
            config: TownConfig {
                name: town.name().to_owned(),
                postcode: Some(demo::POSTCODE.to_owned()),
                outline: vec![
                    [b.min_lon, b.min_lat],
                    [b.max_lon, b.min_lat],
                    [b.max_lon, b.max_lat],
                    [b.min_lon, b.max_lat],
                ],
                contact: Some(format!("Mairie de {} (demo data)", town.name())),
                controller: Some(ControllerConfig {
                    name: DEMO_CONTROLLER.to_owned(),
                    contact: Some(DEMO_CONTACT.to_owned()),
                    url: Some(DEMO_URL.to_owned()),
                    policy_url: Some(DEMO_POLICY_URL.to_owned()),
                }),
            },
            demo: Some(town),
        }
    }

    /// No town configured and no demo.
    pub fn unnamed() -> Self {
        Self::configured(TownConfig {
            name: String::new(),
            postcode: None,
            outline: Vec::new(),
            contact: None,
            controller: None,
        })
    }

    /// The town's name; empty for an unnamed town.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn postcode(&self) -> Option<&str> {
        self.config.postcode.as_deref()
    }

    /// Open311 discovery's `contact`.
    pub fn contact(&self) -> String {
        match (&self.config.contact, self.config.name.is_empty()) {
            (Some(contact), _) => contact.clone(),
            (None, false) => format!("Mairie de {}", self.config.name),
            (None, true) => "Town hall".to_owned(),
        }
    }

    /// The data controller, as consent records and purposes name it.
    pub fn controller(&self) -> api::Controller {
        match &self.config.controller {
            Some(c) => api::Controller {
                name: c.name.clone(),
                contact: c.contact.clone(),
                url: c.url.clone(),
            },
            None if self.config.name.is_empty() => api::Controller {
                name: "Town hall".to_owned(),
                contact: None,
                url: None,
            },
            None => api::Controller {
                name: format!("Ville de {}", self.config.name),
                contact: None,
                url: None,
            },
        }
    }

    /// The privacy policy's address, if the town gave one.
    pub fn policy_url(&self) -> Option<&str> {
        self.config
            .controller
            .as_ref()
            .and_then(|c| c.policy_url.as_deref())
    }

    /// The outline's box (what the app checks first); the whole world for no outline.
    pub fn bbox(&self) -> BoundingBox {
        let (mut west, mut south, mut east, mut north) =
            (180.0_f64, 90.0_f64, -180.0_f64, -90.0_f64);
        for [lon, lat] in &self.config.outline {
            west = west.min(*lon);
            east = east.max(*lon);
            south = south.min(*lat);
            north = north.max(*lat);
        }
        if self.config.outline.is_empty() {
            return BoundingBox {
                west: -180.0,
                south: -90.0,
                east: 180.0,
                north: 90.0,
            };
        }
        BoundingBox {
            west,
            south,
            east,
            north,
        }
    }

    /// Whether `(lon, lat)` is inside the outline (always, for no outline).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if !lon.is_finite() || !lat.is_finite() {
            return false;
        }
        if let Some(town) = self.demo {
            return town.contains(lon, lat);
        }
        let ring = &self.config.outline;
        if ring.is_empty() {
            return true;
        }
        // Ray casting: crossings of a ray going east from the point.
        let mut inside = false;
        let mut previous = ring[ring.len() - 1];
        for &point in ring {
            let ([x1, y1], [x2, y2]) = (previous, point);
            if (y1 > lat) != (y2 > lat) && lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1 {
                inside = !inside;
            }
            previous = point;
        }
        inside
    }

    /// The address nearest `(lon, lat)`, where the platform knows the town's streets (the demo).
    pub fn nearest_address(&self, lon: f64, lat: f64) -> Option<String> {
        self.demo.map(|town| town.nearest_address(lon, lat).label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> TownProfile {
        TownProfile::configured(TownConfig {
            name: "Ville-sur-Mer".into(),
            postcode: Some("44000".into()),
            outline: vec![[-1.6, 47.2], [-1.5, 47.2], [-1.5, 47.25], [-1.6, 47.25]],
            contact: None,
            controller: None,
        })
    }

    #[test]
    fn a_configured_outline_decides_what_is_in_town() {
        let town = square();
        assert!(town.contains(-1.55, 47.22));
        assert!(!town.contains(-1.45, 47.22));
        assert!(!town.contains(f64::NAN, 47.22));
        let b = town.bbox();
        assert_eq!(
            (b.west, b.south, b.east, b.north),
            (-1.6, 47.2, -1.5, 47.25)
        );
        assert_eq!(town.contact(), "Mairie de Ville-sur-Mer");
        assert_eq!(town.controller().name, "Ville de Ville-sur-Mer");
        assert_eq!(town.nearest_address(-1.55, 47.22), None);
        assert!(TownProfile::unnamed().contains(100.0, -40.0));
    }

    #[test]
    fn town_files_are_checked() {
        let bad = |json: &str| {
            serde_json::from_str::<TownConfig>(json)
                .map_err(anyhow::Error::from)
                .and_then(|c| c.check())
                .is_err()
        };
        assert!(bad(r#"{"name": ""}"#));
        assert!(bad(r#"{"name": "X", "outline": [[0, 0], [1, 1]]}"#));
        assert!(bad(
            r#"{"name": "X", "outline": [[0, 0], [1, 1], [200, 1]]}"#
        ));
        assert!(bad(r#"{"name": "X", "mayor": "Y"}"#));
        assert!(!bad(
            r#"{"name": "X", "outline": [[0, 0], [1, 0], [1, 1]]}"#
        ));
    }
}
