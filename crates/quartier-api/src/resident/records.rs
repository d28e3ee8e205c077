//! The records of the data categories whose shape the town fixes (`records.items` of
//! `GET /api/v1/me/data`): water-meter readings and waste-badge uses. The platform writes
//! them from these types and the app reads them with them; the other categories' records
//! are the contract's existing types (profile, consent records, reports).

use crate::datetime::Timestamp;
use serde::{Deserialize, Serialize};

/// One daily reading of a water meter (`water-meter-readings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WaterReading {
    /// The day read, `YYYY-MM-DD` (local date of the meter).
    pub date: String,
    /// The meter's number.
    #[serde(default)]
    pub meter_id: String,
    /// The meter's index that day, in litres.
    pub index_litres: i64,
    /// Litres used since the previous reading.
    pub consumption_litres: i64,
}

impl WaterReading {
    /// `(year, month)` of the day read, if its date is well formed.
    pub fn year_month(&self) -> Option<(i32, u8)> {
        let mut parts = self.date.splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        (1..=12).contains(&month).then_some((year, month))
    }
}

/// One use of the resident's waste badge at a container (`waste-badge-uses`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WasteBadgeUse {
    /// When the container was opened.
    pub timestamp: Timestamp,
    /// The container's NGSI-LD id.
    pub container_id: String,
    /// The waste stream code (`household`, `recycling`, `glass`…).
    pub waste_stream: String,
    /// Weight weighed by the container, when it weighs.
    #[serde(default)]
    pub weight_kg: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_platform_shapes() {
        let reading: WaterReading = serde_json::from_value(json!({
            "date": "2026-07-14", "meterId": "WM-0001", "indexLitres": 123_456, "consumptionLitres": 412
        }))
        .unwrap();
        assert_eq!(reading.year_month(), Some((2026, 7)));
        assert_eq!(
            serde_json::to_value(&reading).unwrap()["consumptionLitres"],
            412
        );
        let bad = WaterReading {
            date: "2026-13-01".into(),
            ..reading
        };
        assert_eq!(bad.year_month(), None);
        let use_: WasteBadgeUse = serde_json::from_value(json!({
            "timestamp": "2026-11-02T08:15:00Z", "containerId": "urn:ngsi-ld:WasteContainer:WC-0003",
            "wasteStream": "recycling", "weightKg": null
        }))
        .unwrap();
        assert_eq!(use_.weight_kg, None);
        assert_eq!(use_.waste_stream, "recycling");
    }
}
