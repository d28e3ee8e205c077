//! `GET /api/v1/me/data`: the resident's personal data, category by category.

use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The answer of `GET /api/v1/me/data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyData {
    /// The categories, in the town's order.
    pub categories: Vec<DataCategory>,
}

/// One category of personal data, with what the town declares about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DataCategory {
    /// Category code (`water-meter-readings`); the app translates it.
    pub id: String,
    /// Code of the service that holds the data.
    pub source: String,
    /// Code of the purpose of the processing.
    pub purpose: String,
    /// GDPR art. 6(1) legal basis.
    pub legal_basis: LegalBasis,
    /// How long it is kept.
    pub retention: Retention,
    /// The records, paged.
    pub records: Page<Value>,
}

text_enum! {
    /// The six legal bases of GDPR art. 6(1).
    pub enum LegalBasis {
        /// (a) consent.
        Consent = "consent",
        /// (b) contract.
        Contract = "contract",
        /// (c) legal obligation.
        LegalObligation = "legalObligation",
        /// (d) vital interests.
        VitalInterests = "vitalInterests",
        /// (e) public task.
        PublicTask = "publicTask",
        /// (f) legitimate interests.
        LegitimateInterests = "legitimateInterests",
    }
}

/// A retention period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Retention {
    /// ISO 8601 duration (`P3Y`).
    pub duration: String,
    /// Code saying from when it counts (`closure-plus-3-years`).
    #[serde(default)]
    pub code: String,
}

/// One page of a list: `{total, offset, limit, items}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// How many items exist in all.
    #[serde(default)]
    pub total: u64,
    /// Index of the first item of this page.
    #[serde(default)]
    pub offset: u64,
    /// Page size asked for (`null` when everything was returned).
    #[serde(default)]
    pub limit: Option<u64>,
    /// The items.
    pub items: Vec<T>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            total: 0,
            offset: 0,
            limit: None,
            items: Vec::new(),
        }
    }
}

impl<T> Page<T> {
    /// The offset of the next page, if there is one.
    pub fn next_offset(&self) -> Option<u64> {
        next_offset(self.offset, self.items.len(), self.total)
    }
}

/// The offset after a page of `len` items at `offset` among `total`, if more follow.
pub(crate) fn next_offset(offset: u64, len: usize, total: u64) -> Option<u64> {
    let next = offset + len as u64;
    (next < total && len > 0).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_platform_shape() {
        let data: MyData = serde_json::from_value(json!({"categories": [{
            "id": "water-meter-readings", "source": "water-utility",
            "purpose": "water-billing-and-leak-detection", "legalBasis": "contract",
            "retention": {"duration": "P3Y", "code": "reading-plus-3-years"},
            "records": {"total": 40, "offset": 0, "limit": 30, "items": [{"date": "2026-11-27", "indexLitres": 1200}]}
        }]}))
        .unwrap();
        let c = &data.categories[0];
        assert_eq!(c.legal_basis, LegalBasis::Contract);
        assert_eq!(c.records.next_offset(), Some(1));
        assert_eq!(c.records.items[0]["indexLitres"], 1200);
        let back = serde_json::to_value(&data).unwrap();
        assert_eq!(back["categories"][0]["legalBasis"], "contract");
        assert_eq!(LegalBasis::from_text("publicTask"), LegalBasis::PublicTask);
        let all: Page<u8> =
            serde_json::from_value(json!({"items": [1, 2], "total": 2, "limit": null})).unwrap();
        assert_eq!(all.next_offset(), None);
    }
}
