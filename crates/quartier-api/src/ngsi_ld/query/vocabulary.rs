//! Full IRIs of the vocabularies whose terms are stored by their short names, and the `Link`
//! contexts known without fetching them.

/// IRI prefixes of the vocabularies whose terms the platform stores by their short names:
/// the NGSI-LD core context (and its default context, where unknown terms expand) and Smart
/// Data Models (`https://smartdatamodels.org/dataModel.<Domain>/<term>` and
/// `https://smartdatamodels.org/<term>` for the common ones).
const CORE_PREFIXES: &[&str] = &[
    "https://uri.etsi.org/ngsi-ld/default-context/",
    "https://uri.etsi.org/ngsi-ld/",
];
const DATA_MODELS: &str = "https://smartdatamodels.org/";

/// The length of the known IRI prefix `text` starts with (0 if none), up to the short name.
pub(super) fn iri_prefix_len(text: &str) -> usize {
    if let Some(prefix) = CORE_PREFIXES.iter().find(|p| text.starts_with(*p)) {
        return prefix.len();
    }
    let Some(rest) = text.strip_prefix(DATA_MODELS) else {
        return 0;
    };
    match rest.strip_prefix("dataModel.") {
        // `dataModel.<Domain>/`
        Some(domain) => match domain.find('/') {
            Some(slash)
                if domain[..slash]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                DATA_MODELS.len() + "dataModel.".len() + slash + 1
            }
            _ => 0,
        },
        None => DATA_MODELS.len(),
    }
}

/// The short name of a type or attribute given as a full IRI of a known vocabulary; any other
/// text as it is.
pub fn compact(term: &str) -> &str {
    let rest = &term[iri_prefix_len(term)..];
    if rest.is_empty() || rest.contains('/') {
        term
    } else {
        rest
    }
}

/// Whether a `Link` header's `@context` is one the platform knows without fetching it: the
/// NGSI-LD core context and Smart Data Models' contexts, whose terms it stores.
pub fn is_known_context(url: &str) -> bool {
    url.starts_with("https://uri.etsi.org/ngsi-ld/")
        || url.starts_with(DATA_MODELS)
        || url.starts_with("https://raw.githubusercontent.com/smart-data-models/")
        || url.starts_with("https://smart-data-models.github.io/")
}
