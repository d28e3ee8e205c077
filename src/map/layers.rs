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

/// Classifies the value of a layer's status attribute, per Smart Data Model.
pub fn classify(entity_type: &str, value: Option<&StatusValue>) -> StateClass {
    let Some(value) = value else {
        return StateClass::Unknown;
    };
    match (entity_type, value) {
        ("WasteContainer", StatusValue::Number(level)) => match *level {
            level if level >= 0.9 => StateClass::Problem,
            level if level >= 0.7 => StateClass::Warning,
            _ => StateClass::Ok,
        },
        ("OffStreetParking", StatusValue::Number(free)) => match *free {
            free if free <= 0.0 => StateClass::Problem,
            free if free < 10.0 => StateClass::Warning,
            _ => StateClass::Ok,
        },
        // Indice ATMO: 1–2 good, 3–4 average/degraded, 5–6 bad.
        ("AirQualityObserved", StatusValue::Number(index)) => match *index {
            index if index >= 5.0 => StateClass::Problem,
            index if index >= 3.0 => StateClass::Warning,
            _ => StateClass::Ok,
        },
        // Drinking water pH limits (French regulation: 6.5–9).
        ("WaterQualityObserved", StatusValue::Number(ph)) if (6.5..=9.0).contains(ph) => {
            StateClass::Ok
        }
        ("WaterQualityObserved", StatusValue::Number(_)) => StateClass::Problem,
        (_, StatusValue::Text(text)) => classify_status_text(text),
        _ => StateClass::Unknown,
    }
}

/// Status words of the Smart Data Models (Streetlight, ParkingSpot, EVChargingStation,
/// BikeHireDockingStation, WasteContainer, air quality levels).
fn classify_status_text(text: &str) -> StateClass {
    match text {
        "ok" | "working" | "free" | "open" | "good" | "veryGood" | "on" => StateClass::Ok,
        "occupied" | "almostFull" | "moderate" | "fair" | "partiallyWorking" | "low"
        | "withIncidence" => StateClass::Warning,
        "defectiveLamp" | "columnIssue" | "brokenLantern" | "outOfService" | "closed" | "full"
        | "lidOpen" | "dropped" | "burning" | "notWorking" | "poor" | "veryPoor" | "bad"
        | "off" => StateClass::Problem,
        _ => StateClass::Unknown,
    }
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
}
