//! What a service's live state means for a resident: each layer's status attribute is mapped to
//! one of four classes, shown with the same colours and words on the map, in the legend and in
//! the list.

use quartier_api::ngsi_ld::StatusValue;

/// How a service is doing, from a resident's point of view. Ordered: worse is greater, so a
/// cluster shows the worst state inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateClass {
    /// No state published (bus stops) or a value the app does not know.
    Unknown = 0,
    Ok = 1,
    Warning = 2,
    Problem = 3,
}

impl StateClass {
    pub const ALL: [StateClass; 4] = [
        StateClass::Problem,
        StateClass::Warning,
        StateClass::Ok,
        StateClass::Unknown,
    ];

    /// The Fluent key of the state's name.
    pub fn label_key(self) -> &'static str {
        match self {
            StateClass::Unknown => "state-unknown",
            StateClass::Ok => "state-ok",
            StateClass::Warning => "state-warning",
            StateClass::Problem => "state-problem",
        }
    }

    /// CSS modifier used by the legend, the list and the cluster markers.
    pub fn css(self) -> &'static str {
        match self {
            StateClass::Unknown => "unknown",
            StateClass::Ok => "ok",
            StateClass::Warning => "warning",
            StateClass::Problem => "problem",
        }
    }

    /// Fill colour of a map marker (contrast checked against the light basemap).
    pub fn marker_colour(self) -> &'static str {
        match self {
            StateClass::Unknown => "#5f6b7a",
            StateClass::Ok => "#1a7f37",
            StateClass::Warning => "#b35900",
            StateClass::Problem => "#c0142b",
        }
    }

    pub fn from_severity(severity: u8) -> StateClass {
        match severity {
            1 => StateClass::Ok,
            2 => StateClass::Warning,
            3 => StateClass::Problem,
            _ => StateClass::Unknown,
        }
    }
}

/// One bound of a range of values: the value, and whether it belongs to the range.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bound {
    value: f64,
    inclusive: bool,
}

/// A range of a numeric status (`None`: unbounded on that side).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Range {
    min: Option<Bound>,
    max: Option<Bound>,
}

const fn at_least(value: f64) -> Option<Bound> {
    Some(Bound {
        value,
        inclusive: true,
    })
}

const fn above(value: f64) -> Option<Bound> {
    Some(Bound {
        value,
        inclusive: false,
    })
}

impl Range {
    fn contains(&self, v: f64) -> bool {
        let over_min = self
            .min
            .is_none_or(|b| v > b.value || (b.inclusive && v == b.value));
        let under_max = self
            .max
            .is_none_or(|b| v < b.value || (b.inclusive && v == b.value));
        over_min && under_max
    }

    /// The range as NGSI-LD `q` terms on `attr` (`;` is "and").
    fn to_q(self, attr: &str) -> String {
        let mut terms = Vec::new();
        if let Some(b) = self.min {
            terms.push(format!(
                "{attr}{}{}",
                if b.inclusive { ">=" } else { ">" },
                b.value
            ));
        }
        if let Some(b) = self.max {
            terms.push(format!(
                "{attr}{}{}",
                if b.inclusive { "<=" } else { "<" },
                b.value
            ));
        }
        terms.join(";")
    }
}

const fn range(min: Option<Bound>, max: Option<Bound>) -> Range {
    Range { min, max }
}

const fn at_most(value: f64) -> Option<Bound> {
    Some(Bound {
        value,
        inclusive: true,
    })
}

const fn below(value: f64) -> Option<Bound> {
    Some(Bound {
        value,
        inclusive: false,
    })
}

/// Each class of a numeric status as the ranges that make it (any of them), worst first.
type NumericClasses = &'static [(StateClass, &'static [Range])];

/// Filling level 0–1: 90 % and more is full, from 70 % to watch.
const WASTE_FILLING: NumericClasses = &[
    (StateClass::Problem, &[range(at_least(0.9), None)]),
    (StateClass::Warning, &[range(at_least(0.7), below(0.9))]),
    (StateClass::Ok, &[range(None, below(0.7))]),
];
/// Free places: none is full, fewer than 10 to watch.
const FREE_PLACES: NumericClasses = &[
    (StateClass::Problem, &[range(None, at_most(0.0))]),
    (StateClass::Warning, &[range(above(0.0), below(10.0))]),
    (StateClass::Ok, &[range(at_least(10.0), None)]),
];
/// Indice ATMO: 1–2 good, 3–4 average/degraded, 5–6 bad.
const ATMO_INDEX: NumericClasses = &[
    (StateClass::Problem, &[range(at_least(5.0), None)]),
    (StateClass::Warning, &[range(at_least(3.0), below(5.0))]),
    (StateClass::Ok, &[range(None, below(3.0))]),
];
/// Drinking water pH limits (French regulation: 6.5–9).
const WATER_PH: NumericClasses = &[
    (
        StateClass::Problem,
        &[range(None, below(6.5)), range(above(9.0), None)],
    ),
    (StateClass::Ok, &[range(at_least(6.5), at_most(9.0))]),
];

/// The ranges of a numeric status by class: one table that both the map (`classify`) and
/// the broker (`class_query`) read.
fn numeric_classes(entity_type: &str) -> Option<NumericClasses> {
    Some(match entity_type {
        "WasteContainer" => WASTE_FILLING,
        "OffStreetParking" => FREE_PLACES,
        "AirQualityObserved" => ATMO_INDEX,
        "WaterQualityObserved" => WATER_PH,
        _ => return None,
    })
}

/// Status words of the Smart Data Models (Streetlight, ParkingSpot, EVChargingStation,
/// BikeHireDockingStation, WasteContainer, air quality levels), by class.
const OK_WORDS: &[&str] = &["ok", "working", "free", "open", "good", "veryGood", "on"];
const WARNING_WORDS: &[&str] = &[
    "occupied",
    "almostFull",
    "moderate",
    "fair",
    "partiallyWorking",
    "low",
    "withIncidence",
];
const PROBLEM_WORDS: &[&str] = &[
    "defectiveLamp",
    "columnIssue",
    "brokenLantern",
    "outOfService",
    "closed",
    "full",
    "lidOpen",
    "dropped",
    "burning",
    "notWorking",
    "poor",
    "veryPoor",
    "bad",
    "off",
];

fn words_of(class: StateClass) -> &'static [&'static str] {
    match class {
        StateClass::Ok => OK_WORDS,
        StateClass::Warning => WARNING_WORDS,
        StateClass::Problem => PROBLEM_WORDS,
        StateClass::Unknown => &[],
    }
}

/// Classifies the value of a layer's status attribute, per Smart Data Model.
pub fn classify(entity_type: &str, value: Option<&StatusValue>) -> StateClass {
    match value {
        None => StateClass::Unknown,
        Some(StatusValue::Number(n)) => numeric_classes(entity_type)
            .and_then(|classes| {
                classes
                    .iter()
                    .find(|(_, ranges)| ranges.iter().any(|r| r.contains(*n)))
            })
            .map_or(StateClass::Unknown, |(class, _)| *class),
        Some(StatusValue::Text(text)) => [StateClass::Ok, StateClass::Warning, StateClass::Problem]
            .into_iter()
            .find(|class| words_of(*class).contains(&text.as_str()))
            .unwrap_or(StateClass::Unknown),
        Some(StatusValue::Flag(_)) => StateClass::Unknown,
    }
}

/// The NGSI-LD `q` that selects a layer's services of one class, so a broker can count them
/// (`limit=0&count=true`) without sending them: numbers by their ranges, words by their list.
/// `None` for the unknown class, which no query can select.
pub fn class_query(entity_type: &str, attr: &str, class: StateClass) -> Option<String> {
    if let Some(classes) = numeric_classes(entity_type) {
        let (_, ranges) = classes.iter().find(|(c, _)| *c == class)?;
        return Some(
            ranges
                .iter()
                .map(|r| r.to_q(attr))
                .collect::<Vec<_>>()
                .join("|"),
        );
    }
    let words = words_of(class);
    (!words.is_empty()).then(|| {
        let list: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
        format!("{attr}=={}", list.join(","))
    })
}

/// The Fluent key that names a raw status value for residents, when the app knows it.
pub fn status_value_key(text: &str) -> Option<&'static str> {
    Some(match text {
        "ok" => "status-ok",
        "working" => "status-working",
        "free" => "status-free",
        "occupied" => "status-occupied",
        "closed" => "status-closed",
        "defectiveLamp" => "status-defective-lamp",
        "columnIssue" => "status-column-issue",
        "brokenLantern" => "status-broken-lantern",
        "outOfService" => "status-out-of-service",
        "lidOpen" => "status-lid-open",
        "dropped" => "status-dropped",
        "burning" => "status-burning",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Option<StatusValue> {
        Some(StatusValue::Text(value.into()))
    }

    fn number(value: f64) -> Option<StatusValue> {
        Some(StatusValue::Number(value))
    }

    #[test]
    fn streetlight_faults_are_problems() {
        for fault in ["defectiveLamp", "columnIssue", "brokenLantern"] {
            assert_eq!(
                classify("Streetlight", text(fault).as_ref()),
                StateClass::Problem
            );
        }
        assert_eq!(classify("Streetlight", text("ok").as_ref()), StateClass::Ok);
        assert_eq!(classify("Streetlight", None), StateClass::Unknown);
        assert_eq!(
            classify("Streetlight", text("???").as_ref()),
            StateClass::Unknown
        );
    }

    #[test]
    fn waste_containers_by_filling_level() {
        assert_eq!(
            classify("WasteContainer", number(0.2).as_ref()),
            StateClass::Ok
        );
        assert_eq!(
            classify("WasteContainer", number(0.75).as_ref()),
            StateClass::Warning
        );
        assert_eq!(
            classify("WasteContainer", number(0.95).as_ref()),
            StateClass::Problem
        );
    }

    #[test]
    fn car_parks_by_free_spaces_and_water_by_ph() {
        assert_eq!(
            classify("OffStreetParking", number(0.0).as_ref()),
            StateClass::Problem
        );
        assert_eq!(
            classify("OffStreetParking", number(4.0).as_ref()),
            StateClass::Warning
        );
        assert_eq!(
            classify("OffStreetParking", number(120.0).as_ref()),
            StateClass::Ok
        );
        assert_eq!(
            classify("WaterQualityObserved", number(7.4).as_ref()),
            StateClass::Ok
        );
        assert_eq!(
            classify("WaterQualityObserved", number(5.9).as_ref()),
            StateClass::Problem
        );
    }

    #[test]
    fn worse_states_compare_greater_and_round_trip_through_severity() {
        assert!(StateClass::Problem > StateClass::Warning);
        assert!(StateClass::Warning > StateClass::Ok);
        assert!(StateClass::Ok > StateClass::Unknown);
        for class in StateClass::ALL {
            assert_eq!(StateClass::from_severity(class as u8), class);
        }
    }

    #[test]
    fn known_status_words_have_translations() {
        assert_eq!(
            status_value_key("defectiveLamp"),
            Some("status-defective-lamp")
        );
        assert_eq!(status_value_key("somethingElse"), None);
    }

    #[test]
    fn class_queries_select_what_classify_puts_in_each_class() {
        assert_eq!(
            class_query("WasteContainer", "fillingLevel", StateClass::Problem).as_deref(),
            Some("fillingLevel>=0.9")
        );
        assert_eq!(
            class_query("WasteContainer", "fillingLevel", StateClass::Warning).as_deref(),
            Some("fillingLevel>=0.7;fillingLevel<0.9")
        );
        assert_eq!(
            class_query("WaterQualityObserved", "pH", StateClass::Problem).as_deref(),
            Some("pH<6.5|pH>9")
        );
        assert_eq!(
            class_query("OffStreetParking", "free", StateClass::Problem).as_deref(),
            Some("free<=0")
        );
        let words = class_query("Streetlight", "status", StateClass::Problem).unwrap();
        assert!(
            words.starts_with("status==\"defectiveLamp\",\"columnIssue\""),
            "{words}"
        );
        assert_eq!(
            class_query("Streetlight", "status", StateClass::Unknown),
            None
        );
        // The same table: every word of a class classifies to it; boundary numbers too.
        for class in [StateClass::Ok, StateClass::Warning, StateClass::Problem] {
            for word in words_of(class) {
                assert_eq!(
                    classify("Streetlight", text(word).as_ref()),
                    class,
                    "{word}"
                );
            }
        }
        for (value, class) in [
            (0.9, StateClass::Problem),
            (0.7, StateClass::Warning),
            (0.69, StateClass::Ok),
        ] {
            assert_eq!(classify("WasteContainer", number(value).as_ref()), class);
        }
        assert_eq!(
            classify("OffStreetParking", number(0.0).as_ref()),
            StateClass::Problem
        );
        assert_eq!(
            classify("OffStreetParking", number(10.0).as_ref()),
            StateClass::Ok
        );
        assert_eq!(
            classify("WaterQualityObserved", number(9.0).as_ref()),
            StateClass::Ok
        );
        assert_eq!(
            classify("WaterQualityObserved", number(9.1).as_ref()),
            StateClass::Problem
        );
    }
}
