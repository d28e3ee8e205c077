//! What the town declares about its processing: the categories of personal data it holds
//! (each with its source service, purpose, legal basis and retention) and the purposes it asks
//! consent for. Static here; a real town would load them from its register of processing
//! activities (GDPR art. 30). Codes only: the app translates them.

use quartier_api::resident as api;

/// How consents are collected through this API (ISO/IEC TS 27560 event `method`).
pub const COLLECTION_METHOD: &str = "quartier-web";

/// A category of personal data held about a resident.
#[derive(Debug, Clone, Copy)]
pub struct Category {
    pub id: &'static str,
    /// The service that holds it.
    pub source: &'static str,
    pub purpose: &'static str,
    /// GDPR art. 6(1) basis: `consent`, `contract`, `legalObligation`, `vitalInterests`,
    /// `publicTask`, `legitimateInterests`.
    pub legal_basis: &'static str,
    /// ISO 8601 duration, counted from `retention_code`'s starting point.
    pub retention: &'static str,
    pub retention_code: &'static str,
}

pub const IDENTITY: &str = "identity";
pub const WATER: &str = "water-meter-readings";
pub const WASTE: &str = "waste-badge-uses";
pub const REPORTS: &str = "issue-reports";
pub const CONSENTS: &str = "consents";

pub const CATEGORIES: &[Category] = &[
    Category {
        id: IDENTITY,
        source: "town-hall-resident-services",
        purpose: "resident-account",
        legal_basis: "publicTask",
        retention: "P1Y",
        retention_code: "account-closure-plus-1-year",
    },
    Category {
        id: WATER,
        source: "water-utility",
        purpose: "water-billing-and-leak-detection",
        legal_basis: "contract",
        retention: "P3Y",
        retention_code: "reading-plus-3-years",
    },
    Category {
        id: WASTE,
        source: "waste-service",
        purpose: "incentive-waste-charge",
        legal_basis: "publicTask",
        retention: "P2Y",
        retention_code: "use-plus-2-years",
    },
    Category {
        id: REPORTS,
        source: "open311-issue-reports",
        purpose: "public-space-maintenance",
        legal_basis: "publicTask",
        retention: "P3Y",
        retention_code: "closure-plus-3-years",
    },
    Category {
        id: CONSENTS,
        source: "quartier-platform",
        purpose: "proof-of-consent",
        legal_basis: "legalObligation",
        retention: "P5Y",
        retention_code: "withdrawal-plus-5-years",
    },
];

pub fn category(id: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

/// A purpose the town asks consent for. `version` changes when the text changes; each consent
/// event records the version it was given for, and a consent given for another version is to
/// be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose {
    pub id: &'static str,
    pub version: &'static str,
    pub title_fr: &'static str,
    pub title_en: &'static str,
    pub description_fr: &'static str,
    pub description_en: &'static str,
    pub data_categories: &'static [&'static str],
    pub retention: &'static str,
    pub retention_code: &'static str,
    /// Kantara `purposeCategory`.
    pub purpose_category: &'static str,
    /// Whom the data goes to besides the town, if anyone.
    pub third_party: Option<&'static str>,
}

impl Purpose {
    /// The purpose as `GET /v1/consent-purposes` lists it, asked by `controller`.
    pub fn describe(&self, controller: &api::Controller) -> api::ConsentPurpose {
        api::ConsentPurpose {
            id: self.id.to_owned(),
            version: self.version.to_owned(),
            title: api::LocalizedText::default()
                .with("fr", self.title_fr)
                .with("en", self.title_en),
            description: api::LocalizedText::default()
                .with("fr", self.description_fr)
                .with("en", self.description_en),
            controller: controller.clone(),
            legal_basis: api::LegalBasis::Consent,
            data_categories: self
                .data_categories
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            retention: Some(self.retention()),
            third_party: self.third_party.map(str::to_owned),
        }
    }

    /// The id of the notice (ISO/IEC 29184) that presents this purpose; its version is the
    /// purpose's.
    pub fn notice_id(&self) -> String {
        format!("notice:{}", self.id)
    }

    /// The purpose's text exists in `language`.
    pub fn has_language(&self, language: &str) -> bool {
        matches!(language, "fr" | "en")
    }

    pub fn retention(&self) -> api::Retention {
        api::Retention {
            duration: self.retention.to_owned(),
            code: self.retention_code.to_owned(),
        }
    }
}

/// What consents are asked for, and by whom: the town's purposes and its data controller.
#[derive(Debug, Clone, PartialEq)]
pub struct Consents {
    pub purposes: Vec<Purpose>,
    pub controller: api::Controller,
}

impl Consents {
    /// The purpose `id`, if the town asks consent for it.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        find(&self.purposes, id)
    }
}

pub const PURPOSES: &[Purpose] = &[
    Purpose {
        id: "water-consumption-alerts",
        version: "1.0",
        title_fr: "Alertes de consommation d'eau",
        title_en: "Water consumption alerts",
        description_fr: "La régie des eaux analyse vos relevés quotidiens et vous prévient en cas de consommation inhabituelle (fuite possible).",
        description_en: "The water utility analyses your daily meter readings and warns you of unusual consumption (a possible leak).",
        data_categories: &[WATER, "contact-details"],
        retention: "P1Y",
        retention_code: "withdrawal-or-1-year",
        purpose_category: "service-notifications",
        third_party: None,
    },
    Purpose {
        id: "waste-collection-sms-reminders",
        version: "1.1",
        title_fr: "Rappels de collecte des déchets par SMS",
        title_en: "Waste collection reminders by SMS",
        description_fr: "Un SMS la veille de la collecte de votre rue, et lors des changements de jour (jours fériés).",
        description_en: "A text message the day before your street's collection, and when the day changes (public holidays).",
        data_categories: &["contact-details", "address"],
        retention: "P0D",
        retention_code: "until-withdrawal",
        purpose_category: "service-notifications",
        third_party: Some("SMS operator (processor)"),
    },
    Purpose {
        id: "anonymised-mobility-studies",
        version: "1.0",
        title_fr: "Études de mobilité anonymisées",
        title_en: "Anonymised mobility studies",
        description_fr: "Vos trajets en bus et vélos en libre-service sont anonymisés puis agrégés pour améliorer le réseau.",
        description_en: "Your bus and bike-hire trips are anonymised then aggregated to improve the network.",
        data_categories: &["transport-trips", "address"],
        retention: "P2Y",
        retention_code: "anonymised-after-30-days",
        purpose_category: "research",
        third_party: None,
    },
    Purpose {
        id: "town-newsletter",
        version: "2.0",
        title_fr: "Lettre d'information de la ville",
        title_en: "Town newsletter",
        description_fr: "Une lettre par mois sur les travaux, les événements et les services de votre quartier.",
        description_en: "A monthly letter about works, events and services in your district.",
        data_categories: &["contact-details", "district"],
        retention: "P0D",
        retention_code: "until-withdrawal",
        purpose_category: "marketing",
        third_party: None,
    },
    Purpose {
        id: "energy-saving-programme",
        version: "1.0",
        title_fr: "Programme d'économies d'énergie",
        title_en: "Energy-saving programme",
        description_fr: "Vos relevés de compteur d'eau sont partagés avec l'agence locale de l'énergie, qui vous propose un accompagnement gratuit.",
        description_en: "Your water meter readings are shared with the local energy agency, which offers you free advice.",
        data_categories: &[WATER, "address"],
        retention: "P1Y",
        retention_code: "programme-end-plus-1-year",
        purpose_category: "third-party-sharing",
        third_party: Some("Agence locale de l'énergie et du climat"),
    },
];

/// The purpose `id` of the demo catalogue (the platform's default, [`Settings::consent_purposes`]).
///
/// [`Settings::consent_purposes`]: crate::state::Settings::consent_purposes
pub fn purpose(id: &str) -> Option<&'static Purpose> {
    find(PURPOSES, id)
}

/// The purpose `id` among `purposes`.
pub fn find<'a>(purposes: &'a [Purpose], id: &str) -> Option<&'a Purpose> {
    purposes.iter().find(|p| p.id == id)
}
