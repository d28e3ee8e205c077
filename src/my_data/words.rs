//! The words residents read for the codes the resident API sends (DESIGN: servers send codes,
//! never sentences): data categories, the services that hold data, purposes, legal bases with
//! their GDPR article, retention periods, readers' roles. A code the app does not know yet is
//! shown as it is, which stays readable and never hides a fact.

use quartier_api::resident::{ActorType, ErasureStatus, LegalBasis};

use crate::i18n::I18n;

/// A data category in running text ("water meter readings"), e.g. in a purpose's data list.
pub fn data_category_words(i18n: I18n, code: &str) -> String {
    let key = match code {
        "identity" => "data-category-identity",
        "water-meter-readings" => "data-category-water-meter-readings",
        "waste-badge-uses" => "data-category-waste-badge-uses",
        "issue-reports" => "data-category-issue-reports",
        "consents" => "data-category-consents",
        "contact-details" => "data-category-contact-details",
        "address" => "data-category-address",
        "transport-trips" => "data-category-transport-trips",
        "district" => "data-category-district",
        _ => return code.to_string(),
    };
    i18n.t(key)
}

/// A data category as a heading ("Water meter readings").
pub fn data_category_title(i18n: I18n, code: &str) -> String {
    let key = match code {
        "identity" => "data-category-title-identity",
        "water-meter-readings" => "data-category-title-water-meter-readings",
        "waste-badge-uses" => "data-category-title-waste-badge-uses",
        "issue-reports" => "data-category-title-issue-reports",
        "consents" => "data-category-title-consents",
        _ => return code.to_string(),
    };
    i18n.t(key)
}

/// The service (silo) that holds or read the data.
pub fn service_words(i18n: I18n, code: &str) -> String {
    let key = match code {
        "town-hall-resident-services" => "service-town-hall-resident-services",
        "water-utility" => "service-water-utility",
        "waste-service" => "service-waste-service",
        "open311-issue-reports" => "service-open311-issue-reports",
        "quartier-platform" => "service-quartier-platform",
        "quartier-resident-api" => "service-quartier-resident-api",
        "town-communication" => "service-town-communication",
        "parking-service" => "service-parking-service",
        "street-lighting" => "service-street-lighting",
        _ => return code.to_string(),
    };
    i18n.t(key)
}

/// Why the data is processed or was read.
pub fn purpose_words(i18n: I18n, code: &str) -> String {
    let key = match code {
        "resident-account" => "purpose-resident-account",
        "water-billing-and-leak-detection" => "purpose-water-billing-and-leak-detection",
        "water-billing" => "purpose-water-billing",
        "water-consumption-alerts" => "purpose-water-consumption-alerts",
        "incentive-waste-charge" => "purpose-incentive-waste-charge",
        "public-space-maintenance" => "purpose-public-space-maintenance",
        "proof-of-consent" => "purpose-proof-of-consent",
        "right-of-access" => "purpose-right-of-access",
        "data-portability" => "purpose-data-portability",
        "meter-maintenance" => "purpose-meter-maintenance",
        "leak-detection" => "purpose-leak-detection",
        "waste-collection" => "purpose-waste-collection",
        "erasure-request" => "purpose-erasure-request",
        "energy-saving-programme" => "purpose-energy-saving-programme",
        "badge-replacement" => "purpose-badge-replacement",
        "collection-round-planning" => "purpose-collection-round-planning",
        "proof-of-residence" => "purpose-proof-of-residence",
        "town-newsletter" => "purpose-town-newsletter",
        "anonymised-mobility-studies" => "purpose-anonymised-mobility-studies",
        "waste-collection-sms-reminders" => "purpose-waste-collection-sms-reminders",
        _ => return code.to_string(),
    };
    i18n.t(key)
}

/// A GDPR art. 6(1) legal basis, in words with its article.
pub fn legal_basis_words(i18n: I18n, basis: &LegalBasis) -> String {
    let key = match basis {
        LegalBasis::Consent => "legal-basis-consent",
        LegalBasis::Contract => "legal-basis-contract",
        LegalBasis::LegalObligation => "legal-basis-legal-obligation",
        LegalBasis::VitalInterests => "legal-basis-vital-interests",
        LegalBasis::PublicTask => "legal-basis-public-task",
        LegalBasis::LegitimateInterests => "legal-basis-legitimate-interests",
        other => return other.as_str().to_string(),
    };
    i18n.t(key)
}

/// How long data is kept: the words of its retention code, else its ISO 8601 duration.
pub fn retention_words(i18n: I18n, code: &str, duration: &str) -> String {
    let key = match code {
        "withdrawal-or-1-year" => "retention-withdrawal-or-1-year",
        "until-withdrawal" => "retention-until-withdrawal",
        "anonymised-after-30-days" => "retention-anonymised-after-30-days",
        "programme-end-plus-1-year" => "retention-programme-end-plus-1-year",
        "account-closure-plus-1-year" => "retention-account-closure-plus-1-year",
        "reading-plus-3-years" => "retention-reading-plus-3-years",
        "use-plus-2-years" => "retention-use-plus-2-years",
        "closure-plus-3-years" => "retention-closure-plus-3-years",
        "withdrawal-plus-5-years" => "retention-withdrawal-plus-5-years",
        _ => return duration.to_string(),
    };
    i18n.t(key)
}

/// Who read the data: "You, through Quartier", "A town agent (billing officer)", "An
/// automated service (leak-detection-job)".
pub fn reader_words(i18n: I18n, actor: &ActorType, role: &str, agent: &str) -> String {
    match actor {
        ActorType::SelfAccess => i18n.t("reader-self"),
        ActorType::Agent => i18n.t_with("reader-agent", &[("role", role_words(i18n, role).into())]),
        ActorType::Service => {
            i18n.t_with("reader-service", &[("job", job_words(i18n, agent).into())])
        }
        other => other.as_str().to_string(),
    }
}

/// An automated job that reads data ("leak detection").
pub fn job_words(i18n: I18n, code: &str) -> String {
    let key = match code {
        "leak-detection" => "job-leak-detection",
        "consumption-alerts" => "job-consumption-alerts",
        "energy-agency-transfer" => "job-energy-agency-transfer",
        "collection-round-planning" => "job-collection-round-planning",
        "newsletter-mailing" => "job-newsletter-mailing",
        _ => return code.to_string(),
    };
    i18n.t(key)
}

/// A reader's role.
pub fn role_words(i18n: I18n, code: &str) -> String {
    let key = match code {
        "billing-officer" => "role-billing-officer",
        "meter-technician" => "role-meter-technician",
        "resident-services-clerk" => "role-resident-services-clerk",
        "street-maintenance-officer" => "role-street-maintenance-officer",
        "automated-analysis" => "role-automated-analysis",
        "water-billing-clerk" => "role-water-billing-clerk",
        "data-protection-officer" => "role-data-protection-officer",
        "resident" => "role-resident",
        "billing-clerk" => "role-billing-clerk",
        "customer-service-agent" => "role-customer-service-agent",
        "civil-status-officer" => "role-civil-status-officer",
        "automated-processing" => "role-automated-processing",
        _ => return code.to_string(),
    };
    i18n.t(key)
}

/// Where an erasure request stands.
pub fn erasure_status_words(i18n: I18n, status: &ErasureStatus) -> String {
    let key = match status {
        ErasureStatus::Received => "erasure-status-received",
        ErasureStatus::InProgress => "erasure-status-in-progress",
        ErasureStatus::Completed => "erasure-status-completed",
        ErasureStatus::Rejected => "erasure-status-rejected",
        other => return other.as_str().to_string(),
    };
    i18n.t(key)
}

/// A waste stream ("recycling").
pub fn waste_stream_words(i18n: I18n, code: &str) -> String {
    let key = match code {
        "residual" => "waste-stream-residual",
        "recyclable" => "waste-stream-recyclable",
        "glass" => "waste-stream-glass",
        "organic" => "waste-stream-organic",
        _ => return code.to_string(),
    };
    i18n.t(key)
}

/// What erasing a category means, from its legal basis: what the town will erase and what it
/// must keep (and for how long).
pub fn erasure_outcome_words(i18n: I18n, basis: &LegalBasis, retention: &str) -> String {
    let key = match basis {
        LegalBasis::Consent => "erasure-outcome-consent",
        LegalBasis::LegalObligation => "erasure-outcome-legal-obligation",
        LegalBasis::Contract => "erasure-outcome-contract",
        _ => "erasure-outcome-public-task",
    };
    i18n.t_with(key, &[("retention", retention.into())])
}
