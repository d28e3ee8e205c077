//! Text the town writes in several languages (purpose titles and descriptions).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Text by language tag: `{"fr": "…", "en": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct LocalizedText(pub BTreeMap<String, String>);

impl LocalizedText {
    /// The text in `lang` (`fr-FR` falls back to `fr`), else French (the default UI
    /// language), else English, else any; `None` when there is no text at all.
    pub fn get(&self, lang: &str) -> Option<&str> {
        let primary = lang.split(['-', '_']).next().unwrap_or(lang);
        [lang, primary, "fr", "en"]
            .iter()
            .find_map(|l| self.0.get(*l))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
    }

    /// Adds or replaces the text of one language.
    pub fn with(mut self, lang: &str, text: &str) -> Self {
        self.0.insert(lang.to_owned(), text.to_owned());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_sensibly() {
        let t = LocalizedText::default()
            .with("fr", "Alertes de consommation d'eau")
            .with("en", "Water consumption alerts");
        assert_eq!(t.get("en"), Some("Water consumption alerts"));
        assert_eq!(t.get("en-GB"), Some("Water consumption alerts"));
        assert_eq!(t.get("de"), Some("Alertes de consommation d'eau"));
        let only_de = LocalizedText::default().with("de", "Wasser");
        assert_eq!(only_de.get("fr"), Some("Wasser"));
        assert_eq!(LocalizedText::default().get("fr"), None);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["fr"], "Alertes de consommation d'eau");
    }
}
