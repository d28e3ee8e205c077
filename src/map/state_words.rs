//! A service's state in words, with its unit: "99 % full", "12 of 40 places free", "air
//! quality index 3 (degraded)", "pH 7.4 (allowed 6.5–9)", or a status word of the Smart Data
//! Models; a value the app does not know is shown as received, marked "unknown state".
//! Pure: what to say is decided here, its words come from Fluent when shown.

use quartier_api::ngsi_ld::StatusValue;

use crate::i18n::I18n;
use crate::map::layers::status_value_key;

/// What a state value says, before it is put into words.
#[derive(Clone, Debug, PartialEq)]
pub enum StateWords {
    /// A known status word (its Fluent key).
    Known(&'static str),
    /// A waste container's filling level, in percent.
    Full { percent: u32 },
    /// Free places of a car park, and how many it has when known.
    FreePlaces { free: u32, total: Option<u32> },
    /// The French ATMO index (1–6) and the key of its band name.
    AirIndex { index: u32, band: &'static str },
    /// Drinking water's pH, judged against the French limits 6.5–9.
    Ph { value: f64 },
    /// A value the app does not know, as received.
    Unknown(String),
}

/// Reads a layer's status value; `total` is a car park's total of places when known.
pub fn state_words(entity_type: &str, value: &StatusValue, total: Option<f64>) -> StateWords {
    match (entity_type, value) {
        ("WasteContainer", StatusValue::Number(level)) if (0.0..=1.0).contains(level) => {
            StateWords::Full {
                percent: (level * 100.0).round() as u32,
            }
        }
        ("OffStreetParking", StatusValue::Number(free)) if *free >= 0.0 => StateWords::FreePlaces {
            free: free.round() as u32,
            total: total.filter(|t| *t >= *free).map(|t| t.round() as u32),
        },
        ("AirQualityObserved", StatusValue::Number(index)) if (1.0..=6.0).contains(index) => {
            let index = index.round() as u32;
            StateWords::AirIndex {
                index,
                band: atmo_band(index),
            }
        }
        ("WaterQualityObserved", StatusValue::Number(ph)) if (0.0..=14.0).contains(ph) => {
            StateWords::Ph { value: *ph }
        }
        (_, StatusValue::Text(text)) => match status_value_key(text) {
            Some(key) => StateWords::Known(key),
            None => StateWords::Unknown(text.clone()),
        },
        (_, StatusValue::Number(n)) => StateWords::Unknown(n.to_string()),
        (_, StatusValue::Flag(b)) => StateWords::Unknown(b.to_string()),
    }
}

/// The bands of the ATMO index (arrêté du 10 juillet 2020).
fn atmo_band(index: u32) -> &'static str {
    match index {
        1 => "air-band-good",
        2 => "air-band-fair",
        3 => "air-band-degraded",
        4 => "air-band-poor",
        5 => "air-band-very-poor",
        _ => "air-band-extremely-poor",
    }
}

impl StateWords {
    /// Whether it says more than the state's badge ("Working" / "Out of order"): a plain
    /// "ok" or "working" does not, so a list shows it once.
    pub fn adds_to_badge(&self) -> bool {
        !matches!(self, StateWords::Known("status-ok" | "status-working"))
    }

    /// In the current language.
    pub fn text(&self, i18n: I18n) -> String {
        match self {
            StateWords::Known(key) => i18n.t(key),
            StateWords::Full { percent } => {
                i18n.t_with("state-full-percent", &[("percent", (*percent).into())])
            }
            StateWords::FreePlaces {
                free,
                total: Some(total),
            } => i18n.t_with(
                "state-free-places-of",
                &[("free", (*free).into()), ("total", (*total).into())],
            ),
            StateWords::FreePlaces { free, total: None } => {
                i18n.t_with("state-free-places", &[("free", (*free).into())])
            }
            StateWords::AirIndex { index, band } => i18n.t_with(
                "state-air-index",
                &[("index", (*index).into()), ("band", i18n.t(band).into())],
            ),
            StateWords::Ph { value } => i18n.t_with(
                "state-ph",
                &[("value", format_decimal(*value, i18n).into())],
            ),
            StateWords::Unknown(value) => {
                i18n.t_with("state-unknown-value", &[("value", value.clone().into())])
            }
        }
    }
}

/// One decimal, with the language's decimal separator ("7,4" in French).
fn format_decimal(value: f64, i18n: I18n) -> String {
    let text = format!("{value:.1}");
    match i18n.lang() {
        crate::i18n::Lang::Fr => text.replace('.', ","),
        crate::i18n::Lang::En => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_container_reads_as_a_percentage() {
        assert_eq!(
            state_words("WasteContainer", &StatusValue::Number(0.99), None),
            StateWords::Full { percent: 99 }
        );
    }

    #[test]
    fn car_parks_say_how_many_places_are_free_of_how_many() {
        assert_eq!(
            state_words("OffStreetParking", &StatusValue::Number(12.0), Some(40.0)),
            StateWords::FreePlaces {
                free: 12,
                total: Some(40)
            }
        );
        // A total smaller than the free places is not believed.
        assert_eq!(
            state_words("OffStreetParking", &StatusValue::Number(12.0), Some(5.0)),
            StateWords::FreePlaces {
                free: 12,
                total: None
            }
        );
    }

    #[test]
    fn air_quality_has_its_band_and_water_its_ph() {
        assert_eq!(
            state_words("AirQualityObserved", &StatusValue::Number(3.0), None),
            StateWords::AirIndex {
                index: 3,
                band: "air-band-degraded"
            }
        );
        assert_eq!(
            state_words("WaterQualityObserved", &StatusValue::Number(7.4), None),
            StateWords::Ph { value: 7.4 }
        );
    }

    #[test]
    fn known_words_are_translated_and_unknown_ones_shown_as_received() {
        assert_eq!(
            state_words(
                "Streetlight",
                &StatusValue::Text("defectiveLamp".into()),
                None
            ),
            StateWords::Known("status-defective-lamp")
        );
        assert_eq!(
            state_words("Streetlight", &StatusValue::Text("flickering".into()), None),
            StateWords::Unknown("flickering".into())
        );
        // Out of range for the type: shown as received rather than guessed.
        assert_eq!(
            state_words("WasteContainer", &StatusValue::Number(7.0), None),
            StateWords::Unknown("7".into())
        );
    }

    #[test]
    fn a_plain_working_state_says_nothing_more_than_its_badge() {
        let words = |v: &str| state_words("Streetlight", &StatusValue::Text(v.into()), None);
        assert!(!words("ok").adds_to_badge());
        assert!(!words("working").adds_to_badge());
        assert!(words("defectiveLamp").adds_to_badge());
        assert!(words("somethingNew").adds_to_badge());
        assert!(state_words("WasteContainer", &StatusValue::Number(0.99), None).adds_to_badge());
    }
}
