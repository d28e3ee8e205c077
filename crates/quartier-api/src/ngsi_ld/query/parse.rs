//! The query parameters of `GET /ngsi-ld/v1/entities` (ETSI GS CIM 009, 6.4.3.2), parsed and
//! checked into a [`ParsedQuery`]: the one reading of a query string, which a server runs
//! and which reads back what [`super::EntityQuery`] writes. Pure: no I/O.
//!
//! Supported: `type` (an entity type selection, 4.17: `,` and `|` or, `;` and, parentheses),
//! `id` (a comma list), `idPattern` (a regex, compiled by the caller),
//! `q` ([`super::q`]), `attrs`, `georel`/`geometry`/`coordinates`/`geoproperty`, `limit`,
//! `offset`, `count`, `options`/`format`.
//!
//! Types and attribute names may be given as full IRIs of the vocabularies the platform stores
//! (Smart Data Models, the NGSI-LD core context): they are compacted to the short names the
//! entities use ([`compact`]), so `type=https://smartdatamodels.org/dataModel.Streetlighting/Streetlight`
//! matches what `type=Streetlight` matches.

use serde_json::Value;

use super::super::write::{RequestContext, is_uri};
use super::{
    GeoQuery,
    geo::parse_geo,
    order::{OrderKey, parse_order_by},
    projection::{Projection, parse_projection},
    q::{Expr, parse_q},
    scope::{ScopeQuery, parse_scope_q},
    types::{TypeExpr, parse_types},
    vocabulary::compact,
};

/// Why a query is refused: the NGSI-LD errors a query string can cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// 400 InvalidRequest: the query is not well formed (a syntax error in `q`, `type`, a
    /// geo-query, a number…).
    InvalidRequest(String),
    /// 400 BadRequestData: well formed but not acceptable (no restriction at all, too many ids…).
    BadRequestData(String),
    /// 403 TooManyResults: `limit` above the platform's maximum.
    TooManyResults(String),
}

/// A syntax error.
pub(super) fn bad(detail: impl Into<String>) -> QueryError {
    QueryError::InvalidRequest(detail.into())
}

/// Well formed, but refused.
pub(super) fn bad_data(detail: impl Into<String>) -> QueryError {
    QueryError::BadRequestData(detail.into())
}

/// `GET entities` once parsed. `Pattern` is what `idPattern` compiles to: the text here (the
/// contract has no regex engine), a compiled regex in a server ([`parse_entity_query_with`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedQuery<Pattern = String> {
    /// `type`: the type selection.
    pub types: Option<TypeExpr>,
    /// `id`: these entities only.
    pub ids: Vec<String>,
    /// `idPattern`: ids matching it.
    pub id_pattern: Option<Pattern>,
    /// `q`: the attribute filter.
    pub q: Option<Expr>,
    /// `scopeQ`: the scope filter.
    pub scope_q: Option<ScopeQuery>,
    /// `options`, `format`, `attrs`, `geoproperty`.
    pub view: View,
    /// `georel`, `geometry`, `coordinates` (and `geoproperty`).
    pub geo: Option<GeoQuery>,
    /// `limit`: page size, [`DEFAULT_LIMIT`] unless given.
    pub limit: usize,
    /// `offset`: first result.
    pub offset: usize,
    /// `count=true`: the total is asked for.
    pub count: bool,
    /// `orderBy`: the order of the entities (by id unless given; ties always by id).
    pub order_by: Vec<OrderKey>,
}

/// How entities are shown, shared by the list and the single-entity endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// `options=keyValues` / `format=simplified`.
    pub key_values: bool,
    /// `attrs`: only these attributes.
    pub attrs: Option<Vec<String>>,
    /// The GeoProperty that GeoJSON geometry and geo-queries use (`location` by default).
    pub geoproperty: String,
    /// `pick`: only these entity members.
    pub pick: Option<Projection>,
    /// `omit`: all entity members but these.
    pub omit: Option<Projection>,
    /// `join`: linked entities shown in the answer (4.5.23).
    pub join: Option<Join>,
    /// `joinLevel`: how many relationships deep `join` follows (1 unless given).
    pub join_level: usize,
    /// `geometryProperty`: the GeoProperty a GeoJSON answer's `geometry` comes from, when not
    /// the geoproperty.
    pub geometry_property: Option<String>,
    /// `lang`: the language ranges asked for, best first (`*` any); LanguageProperties are then
    /// shown as a Property in the best language they have (4.15).
    pub lang: Option<Vec<String>>,
    /// `datasetId`: only the attribute instances of these datasets (`@none`: the default
    /// instance, which has none).
    pub dataset_ids: Option<Vec<String>>,
    /// `options=sysAttrs`: the entity's `createdAt` and `modifiedAt` are shown (4.8).
    pub sys_attrs: bool,
}

/// How linked entities are shown (`join`, 4.5.23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// Inside the Relationship, as its `entity` member (keyValues: instead of its object).
    Inline,
    /// Beside the entity, in the same list.
    Flat,
}

impl View {
    /// Whether the entity member `name` (`id`, `type` or an attribute's stored name) is shown,
    /// as `attrs`, `pick` and `omit` select (`extra` is always kept: the GeoJSON geometry).
    pub fn shows(&self, name: &str) -> bool {
        let attribute = name != "id" && name != "type";
        if attribute
            && let Some(attrs) = &self.attrs
            && !attrs.iter().any(|a| a == name)
        {
            return false;
        }
        if let Some(pick) = &self.pick
            && !pick.names(name)
        {
            return false;
        }
        !self.omit.as_ref().is_some_and(|omit| omit.omits(name))
    }

    /// The instances of a stored attribute that `datasetId` keeps: one left is the attribute, several
    /// a list of them, none drop it (`None`). Without `datasetId`, the attribute as it is.
    pub fn instances(&self, attribute: Value) -> Option<Value> {
        let Some(wanted) = &self.dataset_ids else {
            return Some(attribute);
        };
        let kept = |instance: &Value| {
            let dataset = instance
                .get("datasetId")
                .and_then(Value::as_str)
                .unwrap_or("@none");
            wanted.iter().any(|w| w == dataset)
        };
        let mut left: Vec<Value> = match attribute {
            Value::Array(instances) => instances.into_iter().filter(kept).collect(),
            one if kept(&one) => vec![one],
            _ => Vec::new(),
        };
        match left.len() {
            0 => None,
            1 => left.pop(),
            _ => Some(Value::Array(left)),
        }
    }

    /// A stored attribute in the language asked for: a LanguageProperty becomes a Property whose
    /// `value` is its text in the best matching language and whose `lang` says which; any other
    /// attribute, or any attribute without `lang`, as it is.
    pub fn in_language(&self, attribute: Value) -> Value {
        let Some(ranges) = &self.lang else {
            return attribute;
        };
        match attribute {
            Value::Array(instances) => {
                Value::Array(instances.into_iter().map(|i| self.in_language(i)).collect())
            }
            Value::Object(mut members)
                if members.get("type").and_then(Value::as_str) == Some("LanguageProperty") =>
            {
                let Some(Value::Object(texts)) = members.remove("languageMap") else {
                    return Value::Object(members);
                };
                let best = ranges
                    .iter()
                    .find_map(|range| texts.iter().find(|(tag, _)| language_matches(range, tag)))
                    .or_else(|| texts.iter().next());
                if let Some((tag, text)) = best {
                    members.insert("type".into(), Value::String("Property".into()));
                    members.insert("value".into(), text.clone());
                    members.insert("lang".into(), Value::String(tag.clone()));
                }
                Value::Object(members)
            }
            other => other,
        }
    }

    /// The GeoProperty a GeoJSON Feature's `geometry` comes from (`geometryProperty`, else the
    /// geoproperty).
    pub fn geometry_property(&self) -> &str {
        self.geometry_property
            .as_deref()
            .unwrap_or(&self.geoproperty)
    }

    /// The view of the entity that relationship `name` links to: the same representation, the
    /// `pick`/`omit` given for it in `name{…}` (all of it otherwise), one level of `join` less.
    pub fn linked(&self, name: &str) -> View {
        View {
            key_values: self.key_values,
            attrs: None,
            geoproperty: self.geoproperty.clone(),
            pick: self.pick.as_ref().and_then(|p| p.nested(name)),
            omit: self.omit.as_ref().and_then(|p| p.nested(name)),
            join: self.join,
            join_level: self.join_level.saturating_sub(1),
            geometry_property: self.geometry_property.clone(),
            lang: self.lang.clone(),
            dataset_ids: self.dataset_ids.clone(),
            sys_attrs: self.sys_attrs,
        }
    }
}

/// `limit` when none is given.
pub const DEFAULT_LIMIT: usize = 20;
/// Most ids or types in one query.
pub const MAX_LIST: usize = 1000;

/// Parses the query string of `GET entities` (`pairs` as decoded from the URL), `idPattern`
/// kept as text.
pub fn parse_entity_query(
    pairs: &[(String, String)],
    max_limit: usize,
) -> Result<ParsedQuery, QueryError> {
    parse_entity_query_with(pairs, max_limit, |pattern| Ok(pattern.to_owned()))
}

/// [`parse_entity_query`], with `idPattern` compiled by `compile` (its error is the detail of
/// an InvalidRequest), in the order the checks always run.
pub fn parse_entity_query_with<Pattern>(
    pairs: &[(String, String)],
    max_limit: usize,
    compile: impl Fn(&str) -> Result<Pattern, String>,
) -> Result<ParsedQuery<Pattern>, QueryError> {
    let get = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let types = get("type").map(parse_types).transpose()?;
    let ids = list(get("id"), &[',']);
    if let Some(bad_id) = ids.iter().find(|id| !is_uri(id)) {
        return Err(bad_data(format!("{bad_id:?} is not an entity id (a URI)")));
    }
    // Each id, type and q term becomes SQL parameters: bounded so that no query reaches SQLite's
    // parameter limit (which would be a 500 instead of a 400).
    if ids.len() > MAX_LIST {
        return Err(bad_data(format!("at most {MAX_LIST} ids per query")));
    }
    let id_pattern = get("idPattern")
        .map(|p| {
            check_pattern(p)?;
            compile(p).map_err(|e| bad_data(format!("invalid idPattern: {e}")))
        })
        .transpose()?;
    let q = get("q").map(parse_q).transpose()?;
    let scope_q = get("scopeQ").map(parse_scope_q).transpose()?;
    let view = parse_view(pairs)?;
    let geo = parse_geo(
        get("georel"),
        get("geometry"),
        get("coordinates"),
        get("geoproperty").map(|p| compact(p).to_owned()),
    )?;
    // `id` and `idPattern` narrow a query; alone they are not one (5.7.2).
    // `local=true` asks for every local entity (5.7.2).
    let local = get("local") == Some("true");
    if !local && types.is_none() && q.is_none() && view.attrs.is_none() && geo.is_none() {
        return Err(bad_data(
            "a query needs at least one of type, q, attrs or a geo-query",
        ));
    }
    let count = match get("count") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(bad(format!("count must be true or false, not {other:?}"))),
    };
    let limit = match get("limit") {
        None => DEFAULT_LIMIT.min(max_limit),
        Some(text) => parse_natural(text, "limit")?,
    };
    if limit > max_limit {
        return Err(QueryError::TooManyResults(format!(
            "limit {limit} is above this platform's maximum of {max_limit}: page with offset"
        )));
    }
    if limit == 0 && !count {
        return Err(bad_data("limit=0 is only allowed with count=true"));
    }
    let offset = get("offset").map_or(Ok(0), |t| parse_natural(t, "offset"))?;
    let order_by = get("orderBy")
        .map(parse_order_by)
        .transpose()?
        .unwrap_or_default();
    Ok(ParsedQuery {
        types,
        ids,
        id_pattern,
        q,
        scope_q,
        view,
        geo,
        limit,
        offset,
        count,
        order_by,
    })
}

/// `options`, `format`, `attrs` and `geoproperty`: what the single-entity endpoint takes too.
pub fn parse_view(pairs: &[(String, String)]) -> Result<View, QueryError> {
    let get = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let options = list(get("options"), &[',']);
    if let Some(unknown) = options.iter().find(|o| !OPTIONS.contains(&o.as_str())) {
        return Err(bad(format!("unknown option {unknown:?}")));
    }
    let mut key_values = options
        .iter()
        .any(|o| o == "keyValues" || o == "simplified");
    match get("format") {
        None | Some("normalized") => {}
        Some("keyValues" | "simplified") => key_values = true,
        Some(other) => return Err(bad(format!("unknown format {other:?}"))),
    }
    let attrs = get("attrs").map(|a| {
        list(Some(a), &[','])
            .iter()
            .map(|name| compact(name).to_owned())
            .collect::<Vec<_>>()
    });
    if attrs.as_ref().is_some_and(Vec::is_empty) {
        return Err(bad("attrs is empty"));
    }
    if attrs.as_ref().is_some_and(|a| a.len() > MAX_LIST) {
        return Err(bad_data(format!("at most {MAX_LIST} attrs")));
    }
    if let Some(core) = attrs
        .iter()
        .flatten()
        .find(|a| matches!(a.as_str(), "id" | "type" | "@context"))
    {
        return Err(bad_data(format!(
            "{core} is an entity member, not an attribute"
        )));
    }
    let projection = |name: &str| get(name).map(parse_projection).transpose();
    let (pick, omit) = (projection("pick")?, projection("omit")?);
    if (pick.is_some() || omit.is_some()) && attrs.is_some() {
        return Err(bad_data(
            "pick and omit replace attrs: give one or the other",
        ));
    }
    if let (Some(pick), Some(omit)) = (&pick, &omit)
        && let Some(both) = pick.members.iter().find(|m| omit.names(&m.name))
    {
        return Err(bad_data(format!(
            "{} is both picked and omitted",
            both.name
        )));
    }
    let geoproperty = compact(get("geoproperty").unwrap_or("location")).to_owned();
    if !is_attribute_name(&geoproperty) {
        return Err(bad(format!("invalid geoproperty {geoproperty:?}")));
    }
    let join = match get("join") {
        None | Some("@none") => None,
        Some("inline") => Some(Join::Inline),
        Some("flat") => Some(Join::Flat),
        Some(other) => return Err(bad_data(format!("unknown join {other:?}"))),
    };
    let join_level = match get("joinLevel") {
        None => 1,
        Some(text) => parse_natural(text, "joinLevel")?.min(MAX_JOIN_LEVEL),
    };
    let geometry_property = get("geometryProperty").map(|p| compact(p).to_owned());
    if geometry_property
        .as_deref()
        .is_some_and(|p| !is_attribute_name(p))
    {
        return Err(bad("invalid geometryProperty"));
    }
    let lang = get("lang").map(parse_language_ranges).transpose()?;
    Ok(View {
        key_values,
        attrs,
        geoproperty,
        pick,
        omit,
        join,
        join_level,
        geometry_property,
        lang,
        dataset_ids: get("datasetId").map(|d| list(Some(d), &[','])),
        sys_attrs: options.iter().any(|o| o == "sysAttrs"),
    })
}

impl<Pattern> ParsedQuery<Pattern> {
    /// The query with its names (types, attributes, `q` paths, the geoproperty) read under the
    /// request's `@context`: the stored names they designate.
    pub fn in_context(mut self, context: &RequestContext) -> Self {
        self.types = self.types.map(|t| t.in_context(context));
        self.q = self.q.map(|q| q.in_context(context));
        self.view = self.view.in_context(context);
        self.order_by = self
            .order_by
            .into_iter()
            .map(|key| key.in_context(context))
            .collect();
        if let Some(geo) = &mut self.geo {
            geo.geoproperty = geo.geoproperty.as_deref().map(|p| context.term(p));
        }
        self
    }
}

impl View {
    /// The view with its attribute names read under the request's `@context`.
    pub fn in_context(mut self, context: &RequestContext) -> Self {
        if let Some(attrs) = &mut self.attrs {
            for attr in attrs {
                *attr = context.term(attr);
            }
        }
        self.geoproperty = context.term(&self.geoproperty);
        self.geometry_property = self.geometry_property.map(|p| context.term(&p));
        self.pick = self.pick.map(|p| p.in_context(context));
        self.omit = self.omit.map(|p| p.in_context(context));
        self
    }
}

/// `lang` (an `Accept-Language`-like list, RFC 9110 12.5.4): the ranges by falling `q`.
fn parse_language_ranges(text: &str) -> Result<Vec<String>, QueryError> {
    let mut ranked: Vec<(f32, String)> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or_default().trim().to_owned();
        let q = match parts.next().map(str::trim) {
            None => 1.0,
            Some(param) => param
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .filter(|q| (0.0..=1.0).contains(q))
                .ok_or_else(|| bad(format!("invalid lang weight in {item:?}")))?,
        };
        if range.is_empty()
            || !range
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
        {
            return Err(bad(format!("invalid language range {range:?}")));
        }
        ranked.push((q, range));
    }
    if ranked.is_empty() {
        return Err(bad("lang is empty"));
    }
    // Stable: equal weights keep their order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(ranked.into_iter().map(|(_, r)| r).collect())
}

/// Basic filtering (RFC 4647 3.3.1): `*` matches any tag, `fr` matches `fr` and `fr-CH`.
fn language_matches(range: &str, tag: &str) -> bool {
    range == "*"
        || tag.eq_ignore_ascii_case(range)
        || (tag.len() > range.len()
            && tag.as_bytes()[range.len()] == b'-'
            && tag[..range.len()].eq_ignore_ascii_case(range))
}

/// Deepest `joinLevel` followed.
const MAX_JOIN_LEVEL: usize = 5;

/// The `options` values NGSI-LD defines for entity reads (4.5, 6.3.7); any other is 400.
const OPTIONS: &[&str] = &[
    "keyValues",
    "simplified",
    "normalized",
    "concise",
    "sysAttrs",
];

/// An `idPattern` is a POSIX extended regular expression: a repetition of a repetition
/// (`a**`), which the regex engine would take, is not one.
fn check_pattern(pattern: &str) -> Result<(), QueryError> {
    let quantifiers = |a: char, b: char| matches!((a, b), ('*' | '+', '*' | '+'));
    let chars: Vec<char> = pattern.chars().collect();
    if chars.windows(2).any(|w| quantifiers(w[0], w[1])) {
        return Err(bad_data(format!(
            "invalid idPattern {pattern:?}: a repetition of a repetition"
        )));
    }
    Ok(())
}

fn list(value: Option<&str>, separators: &[char]) -> Vec<String> {
    value
        .map(|v| {
            v.split(separators)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_natural(text: &str, name: &str) -> Result<usize, QueryError> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "{name} must be a non-negative integer, not {text:?}"
        )));
    }
    text.parse()
        .map_err(|_| bad(format!("{name} must be a non-negative integer")))
}

/// Attribute names as NGSI-LD allows them unexpanded (short names, no quotes or brackets).
fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/' | '#' | '@'))
}

#[cfg(test)]
mod tests {
    use super::super::{q::MAX_Q_PARTS, *};
    use crate::geo::{Geometry, LonLat};

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn parse(query: &str) -> Result<ParsedQuery, QueryError> {
        parse_entity_query(&pairs(query), 1000)
    }

    fn term(path: &str, op: Op, value: Literal) -> Expr {
        Expr::Term(Term {
            path: AttrPath {
                attr: path.to_owned(),
                sub: None,
                members: vec![],
            },
            test: Some((op, Operand::Values(vec![value]))),
        })
    }

    #[test]
    fn q_parses_terms_and_connectives() {
        assert_eq!(
            parse_q(r#"status=="defectiveLamp""#),
            Ok(term(
                "status",
                Op::Eq,
                Literal::Text("defectiveLamp".into())
            ))
        );
        assert_eq!(
            parse_q("fillingLevel>0.8"),
            Ok(term("fillingLevel", Op::Gt, Literal::Number(0.8)))
        );
        assert_eq!(
            parse_q(r#"a>=1;b!="x""#),
            Ok(Expr::And(vec![
                term("a", Op::Ge, Literal::Number(1.0)),
                term("b", Op::Ne, Literal::Text("x".into()))
            ]))
        );
        let Ok(Expr::Or(parts)) = parse_q(r#"(a<1;b<=2)|c"#) else {
            panic!("or");
        };
        assert_eq!(parts.len(), 2);
        assert!(matches!(&parts[1], Expr::Term(Term { test: None, .. })));
        let Ok(Expr::Term(t)) = parse_q(r#"status=="ok","lidOpen""#) else {
            panic!("list");
        };
        assert_eq!(
            t.test,
            Some((
                Op::Eq,
                Operand::Values(vec![
                    Literal::Text("ok".into()),
                    Literal::Text("lidOpen".into())
                ])
            ))
        );
        let Ok(Expr::Term(t)) = parse_q("capacity==2..4") else {
            panic!("range");
        };
        assert_eq!(
            t.test,
            Some((
                Op::Eq,
                Operand::Range(Literal::Number(2.0), Literal::Number(4.0))
            ))
        );
        let Ok(Expr::Term(t)) = parse_q("status.observedAt>=2026-11-28T00:00:00Z") else {
            panic!("sub");
        };
        assert_eq!(t.path.sub.as_deref(), Some("observedAt"));
        assert_eq!(
            t.test,
            Some((
                Op::Ge,
                Operand::Values(vec![Literal::Text("2026-11-28T00:00:00Z".into())])
            ))
        );
        let Ok(Expr::Term(t)) = parse_q(r#"address[addressLocality]=="X;Y""#) else {
            panic!("member");
        };
        assert_eq!(t.path.members, vec!["addressLocality".to_owned()]);
    }

    #[test]
    fn oversized_queries_are_bad_requests_not_server_errors() {
        let many_terms = vec!["a==1"; MAX_Q_PARTS + 1].join(";");
        assert!(parse_q(&many_terms).is_err());
        let many_values = format!("a=={}", vec!["1"; MAX_Q_PARTS + 1].join(","));
        assert!(parse_q(&many_values).is_err());
        assert!(parse_q(&vec!["a==1"; 50].join(";")).is_ok());
        let ids = vec!["urn:x"; MAX_LIST + 1].join(",");
        assert!(matches!(
            parse(&format!("id={ids}")),
            Err(QueryError::BadRequestData(_))
        ));
        let types = vec!["T"; MAX_LIST + 1].join(",");
        assert!(matches!(
            parse(&format!("type={types}")),
            Err(QueryError::BadRequestData(_))
        ));
    }

    #[test]
    fn q_rejects_malformed_expressions() {
        for q in [
            "",
            "status==",
            "status==defective",
            r#"status=="open"#,
            "==1",
            "(a==1",
            "a==1)",
            "a=1",
            "a~=\"x\"",
            "a>1,2",
            "a;",
        ] {
            assert!(parse_q(q).is_err(), "{q:?} should be refused");
        }
    }

    #[test]
    fn limits_are_checked_as_the_spec_says() {
        assert_eq!(parse("type=T").expect("ok").limit, DEFAULT_LIMIT);
        assert_eq!(parse("type=T&limit=1000").expect("ok").limit, 1000);
        assert!(matches!(
            parse("type=T&limit=1001"),
            Err(QueryError::TooManyResults(_))
        ));
        assert!(matches!(
            parse("type=T&limit=0"),
            Err(QueryError::BadRequestData(_))
        ));
        assert!(parse("type=T&limit=0&count=true").is_ok());
        for bad_query in [
            "type=T&limit=-1",
            "type=T&limit=abc",
            "type=T&offset=x",
            "type=T&count=yes",
        ] {
            assert!(
                matches!(parse(bad_query), Err(QueryError::InvalidRequest(_))),
                "{bad_query}"
            );
        }
        assert!(matches!(parse(""), Err(QueryError::BadRequestData(_))));
        assert!(matches!(
            parse("limit=5"),
            Err(QueryError::BadRequestData(_))
        ));
        assert!(parse("attrs=status").is_ok());
        assert!(parse("q=status").is_ok());
    }

    #[test]
    fn geo_queries_are_validated() {
        let near = parse("georel=near;maxDistance==200&geometry=Point&coordinates=[0.68,47.39]")
            .expect("near");
        assert_eq!(near.view.geoproperty, "location");
        let geo = near.geo.expect("geo");
        assert_eq!(
            geo.georel,
            GeoRel::Near {
                max_distance_m: Some(200.0),
                min_distance_m: None
            }
        );
        assert_eq!(
            geo.geometry,
            Geometry::Point(LonLat {
                lon: 0.68,
                lat: 47.39
            })
        );
        assert_eq!(geo.geoproperty, None);
        let within =
            parse("type=T&georel=within&geometry=Polygon&coordinates=[[[0,0],[1,0],[1,1],[0,0]]]")
                .expect("within");
        assert!(matches!(
            within.geo.expect("geo").geometry,
            Geometry::Polygon(_)
        ));
        for bad_query in [
            "type=T&georel=near;maxDistance==200&geometry=Point",
            "type=T&georel=near&geometry=Point&coordinates=[0,0]",
            "type=T&georel=near;maxDistance==-1&geometry=Point&coordinates=[0,0]",
            "type=T&georel=near;maxDistance==200&geometry=Polygon&coordinates=[[[0,0],[1,0],[1,1],[0,0]]]",
            "type=T&georel=within&geometry=Polygon&coordinates=[[[0,0],[1,0],[1,1]]]",
            "type=T&georel=within&geometry=Polygon&coordinates=[[0,0],[1,0]]",
            "type=T&georel=near;maxDistance==1&geometry=Point&coordinates=[200,0]",
            "type=T&georel=near;maxDistance==1&geometry=Point&coordinates=oops",
            "type=T&georel=within&geometry=Circle&coordinates=[0,0]",
        ] {
            assert!(
                matches!(parse(bad_query), Err(QueryError::InvalidRequest(_))),
                "{bad_query}"
            );
        }
        // A georel NGSI-LD does not define is unacceptable data (ETSI 019_03_04).
        assert!(matches!(
            parse("type=T&georel=around&geometry=Point&coordinates=[0,0]"),
            Err(QueryError::BadRequestData(_))
        ));
    }

    #[test]
    fn views_read_options_format_and_attrs() {
        let q = parse("type=T&options=keyValues&attrs=status,powerState").expect("ok");
        assert!(q.view.key_values);
        assert_eq!(
            q.view.attrs,
            Some(vec!["status".to_owned(), "powerState".to_owned()])
        );
        assert!(
            parse("type=T&format=simplified")
                .expect("ok")
                .view
                .key_values
        );
        let sys = parse("type=T&options=sysAttrs").expect("ok").view;
        assert!(!sys.key_values && sys.sys_attrs);
        assert!(!parse("type=T").expect("ok").view.sys_attrs);
        assert!(parse("type=T&format=weird").is_err());
        assert!(parse("type=T&geoproperty=a\"b").is_err());
        let q = parse("type=A,B|C&id=urn:a,urn:b").expect("ok");
        assert_eq!(
            q.types.and_then(|t| t.names()),
            Some(vec!["A".to_owned(), "B".to_owned(), "C".to_owned()])
        );
        assert_eq!(q.ids, vec!["urn:a", "urn:b"]);
        // The pattern is the caller's to compile; its refusal is BadRequestData (ETSI 019_03_02).
        assert_eq!(
            parse("type=T&idPattern=(")
                .expect("kept as text")
                .id_pattern,
            Some("(".to_owned())
        );
        assert!(matches!(
            parse_entity_query_with(&pairs("type=T&idPattern=("), 1000, |_| {
                Err::<(), _>("no".into())
            }),
            Err(QueryError::BadRequestData(_))
        ));
        assert!(matches!(
            parse("type=T&idPattern=a**"),
            Err(QueryError::BadRequestData(_))
        ));
        assert!(matches!(
            parse("id=urn:a"),
            Err(QueryError::BadRequestData(_))
        ));
        assert!(matches!(
            parse("type=T&id=notauri"),
            Err(QueryError::BadRequestData(_))
        ));
        assert!(matches!(
            parse("type=T&options=invalid"),
            Err(QueryError::InvalidRequest(_))
        ));
    }

    #[test]
    fn type_selections_follow_the_spec_or_are_invalid() {
        let name = |n: &str| TypeExpr::Name(n.to_owned());
        assert_eq!(parse_types("A").expect("ok"), name("A"));
        assert_eq!(
            parse_types("A;B").expect("ok"),
            TypeExpr::And(vec![name("A"), name("B")])
        );
        assert_eq!(
            parse_types("(A;B)|C").expect("ok"),
            TypeExpr::Or(vec![TypeExpr::And(vec![name("A"), name("B")]), name("C")])
        );
        assert_eq!(
            parse_types("A,(B|C);D").expect("ok"),
            TypeExpr::Or(vec![
                name("A"),
                TypeExpr::And(vec![TypeExpr::Or(vec![name("B"), name("C")]), name("D")])
            ])
        );
        assert_eq!(parse_types("A;B").expect("ok").names(), None);
        for bad_types in ["", "A;", "(A", "A)", "A,,B", "A;(B", "()", "A B", "A\"B"] {
            assert!(
                matches!(parse_types(bad_types), Err(QueryError::InvalidRequest(_))),
                "{bad_types:?}"
            );
        }
    }

    #[test]
    fn full_iris_of_known_vocabularies_are_compacted() {
        assert_eq!(
            compact("https://smartdatamodels.org/dataModel.Streetlighting/Streetlight"),
            "Streetlight"
        );
        assert_eq!(compact("https://smartdatamodels.org/address"), "address");
        assert_eq!(compact("https://uri.etsi.org/ngsi-ld/location"), "location");
        assert_eq!(
            compact("https://uri.etsi.org/ngsi-ld/default-context/Thing"),
            "Thing"
        );
        assert_eq!(
            compact("https://example.org/x/Thing"),
            "https://example.org/x/Thing"
        );
        assert_eq!(compact("Streetlight"), "Streetlight");
        let q = parse(
            "type=https://smartdatamodels.org/dataModel.Streetlighting/Streetlight\
             &attrs=https://uri.etsi.org/ngsi-ld/status\
             &q=https://smartdatamodels.org/dataModel.Streetlighting/powerState==\"on\"",
        )
        .expect("ok");
        assert_eq!(q.types, Some(TypeExpr::Name("Streetlight".into())));
        assert_eq!(q.view.attrs, Some(vec!["status".to_owned()]));
        assert_eq!(
            q.q,
            Some(term("powerState", Op::Eq, Literal::Text("on".into())))
        );
        assert!(is_known_context(
            "https://smartdatamodels.org/context.jsonld"
        ));
        assert!(!is_known_context("https://example.org/context.jsonld"));
    }
}
