//! A consent receipt a resident can download, with the field names of the Kantara Initiative
//! Consent Receipt Specification v1.1 (plus three Quartier members saying which state and
//! purpose it attests, so a withdrawal receipt is never mistaken for a consent).

use super::consent::ConsentNotice;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `version` value of Kantara v1.1 receipts.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

/// A Kantara v1.1 consent receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentReceipt {
    /// [`KANTARA_VERSION`].
    pub version: String,
    /// ISO 3166 country of the applicable law (`FR`).
    pub jurisdiction: String,
    /// When the consent was given or changed, in seconds since the Unix epoch.
    pub consent_timestamp: i64,
    /// How it was collected.
    pub collection_method: String,
    /// The receipt's id (Kantara spells it `consentReceiptID`).
    #[serde(rename = "consentReceiptID")]
    pub consent_receipt_id: String,
    /// Key to verify a signed receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Language of the receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The resident (PII principal).
    pub pii_principal_id: String,
    /// The controllers.
    pub pii_controllers: Vec<PiiController>,
    /// The privacy policy.
    pub policy_url: String,
    /// Services and their purposes.
    pub services: Vec<ReceiptService>,
    /// Whether sensitive data is involved.
    pub sensitive: bool,
    /// Sensitive data categories.
    #[serde(default)]
    pub spi_cat: Vec<String>,
    /// Quartier: the state attested (`given`, `withdrawn`, `refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_state: Option<String>,
    /// Quartier: the purpose's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose_id: Option<String>,
    /// Quartier: the purpose version consented to (or refused), not necessarily the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose_version: Option<String>,
    /// Quartier: the ISO/IEC TS 27560 record the attested event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// Quartier: the notice shown when the resident answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<ConsentNotice>,
}

/// A controller in a receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PiiController {
    /// Its name.
    pub pii_controller: String,
    /// Whether it acts on behalf of another controller.
    #[serde(default)]
    pub on_behalf: bool,
    /// Contact person or role.
    pub contact: String,
    /// Postal address (a schema.org PostalAddress object).
    pub address: Value,
    /// Contact email.
    pub email: String,
    /// Contact phone.
    pub phone: String,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii_controller_url: Option<String>,
}

/// A service in a receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptService {
    /// Its name.
    pub service: String,
    /// The purposes consented to.
    pub purposes: Vec<ReceiptPurpose>,
}

/// A purpose in a receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPurpose {
    /// Its description.
    pub purpose: String,
    /// Its categories.
    #[serde(default)]
    pub purpose_category: Vec<String>,
    /// `EXPLICIT` or `IMPLICIT`.
    pub consent_type: String,
    /// Personal data categories.
    #[serde(default)]
    pub pii_category: Vec<String>,
    /// Whether it is the service's main purpose.
    #[serde(default)]
    pub primary_purpose: bool,
    /// When the consent ends.
    pub termination: String,
    /// Whether data is disclosed to a third party.
    #[serde(default)]
    pub third_party_disclosure: bool,
    /// To whom.
    #[serde(default)]
    pub third_party_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kantara_field_names() {
        let body = json!({
            "version": "KI-CR-v1.1.0", "jurisdiction": "FR", "consentTimestamp": 1764324000,
            "collectionMethod": "quartier-web", "consentReceiptID": "0b5e", "language": "fr",
            "piiPrincipalId": "camille.martin@example.org",
            "piiControllers": [{"piiController": "Ville", "onBehalf": false, "contact": "dpo@example.org",
                                "address": {"streetAddress": "Place de la Mairie", "addressCountry": "FR"},
                                "email": "dpo@example.org", "phone": "+33 2 00 00 00 00",
                                "piiControllerUrl": "https://example.org"}],
            "policyUrl": "https://example.org/vie-privee",
            "services": [{"service": "Quartier", "purposes": [{
                "purpose": "Town newsletter", "purposeCategory": ["marketing"], "consentType": "EXPLICIT",
                "piiCategory": ["contact-details"], "primaryPurpose": false,
                "termination": "until-withdrawal (P0D)", "thirdPartyDisclosure": false, "thirdPartyName": null}]}],
            "sensitive": false, "spiCat": [],
            "consentState": "given", "purposeId": "town-newsletter", "purposeVersion": "2.0"
        });
        let r: ConsentReceipt = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(r.version, KANTARA_VERSION);
        assert_eq!(r.consent_receipt_id, "0b5e");
        assert_eq!(serde_json::to_value(&r).unwrap(), body);
    }
}
