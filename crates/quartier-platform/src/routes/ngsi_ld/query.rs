//! NGSI-LD queries as the contract reads them (`quartier_api::ngsi_ld::query`: one model and
//! one parser for the app and the platform), with the one part the contract leaves to its
//! caller: compiling `idPattern` (the contract has no regex engine; the wasm app needs none).
//! The store turns the parsed model into SQL.

use regex::{Regex, RegexBuilder};

pub use quartier_api::ngsi_ld::query::{
    AttrPath, Expr, GeoQuery, GeoRel, Literal, Op, Operand, ParsedQuery, QueryError, Term,
    TypeExpr, View, parse_view,
};

/// `GET entities` as the platform runs it.
pub type EntityQuery = ParsedQuery<Regex>;

/// The contract's parse, with `idPattern` compiled here (a regex of at most 1 MiB compiled, so
/// no pattern can take the memory of the platform).
pub fn parse_entity_query(
    pairs: &[(String, String)],
    max_limit: usize,
) -> Result<EntityQuery, QueryError> {
    quartier_api::ngsi_ld::query::parse_entity_query_with(pairs, max_limit, |pattern| {
        RegexBuilder::new(pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn id_pattern_is_compiled_or_bad_request_data() {
        let query = parse_entity_query(&pairs(&[("type", "T"), ("idPattern", "^urn:a.*7$")]), 1000)
            .expect("ok");
        assert!(query.id_pattern.expect("pattern").is_match("urn:ab7"));
        // 400 BadRequestData (6.4.3.2), as the ETSI suite checks.
        assert!(matches!(
            parse_entity_query(&pairs(&[("type", "T"), ("idPattern", "(")]), 1000),
            Err(QueryError::BadRequestData(_))
        ));
    }
}
