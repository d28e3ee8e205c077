//! The query parameters of `GET /ngsi-ld/v1/entities` (ETSI GS CIM 009, 6.4.3.2), parsed and
//! checked into an [`EntityQuery`] before any database work. Pure: no I/O.
//!
//! Supported: `type` (an entity type selection, 4.17: `,` and `|` or, `;` and, parentheses),
//! `id` (a comma list), `idPattern` (a regex),
//! `q` (the NGSI-LD query language: `;` and, `|` or, parentheses, `==` `!=` `>` `>=` `<` `<=`,
//! value lists `"a","b"` and ranges `1..5`, attribute paths `attr`, `attr.subAttr`,
//! `attr[member]`), `attrs`, `georel`/`geometry`/`coordinates`/`geoproperty`, `limit`, `offset`,
//! `count`, `options`/`format`.
//!
//! Types and attribute names may be given as full IRIs of the vocabularies the platform stores
//! (Smart Data Models, the NGSI-LD core context): they are compacted to the short names the
//! entities use ([`compact`]), so `type=https://smartdatamodels.org/dataModel.Streetlighting/Streetlight`
//! matches what `type=Streetlight` matches.

use regex::Regex;

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
fn bad(detail: impl Into<String>) -> QueryError {
    QueryError::InvalidRequest(detail.into())
}

/// Well formed, but refused.
fn bad_data(detail: impl Into<String>) -> QueryError {
    QueryError::BadRequestData(detail.into())
}

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
fn iri_prefix_len(text: &str) -> usize {
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

/// An entity type selection (4.17): `A,B` or `A|B` (either), `A;B` (both), parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    Name(String),
    Or(Vec<TypeExpr>),
    And(Vec<TypeExpr>),
}

impl TypeExpr {
    /// The names of a plain list (`A`, `A,B|C`), which an index lookup answers.
    pub fn names(&self) -> Option<Vec<String>> {
        match self {
            Self::Name(name) => Some(vec![name.clone()]),
            Self::Or(items) => items
                .iter()
                .map(|item| match item {
                    Self::Name(name) => Some(name.clone()),
                    _ => None,
                })
                .collect(),
            Self::And(_) => None,
        }
    }
}

/// What the `type` and `q` grammars share: terms joined by `;` ("and") and by an "or" sign,
/// and parentheses, nested at most 16 deep. Each grammar brings its own terms (`leaf`).
trait Boolean {
    type Expr;
    /// The signs that mean "or".
    const OR: &'static [char];
    fn eat(&mut self, c: char) -> bool;
    fn error(&self, what: &str) -> QueryError;
    fn depth(&mut self) -> &mut usize;
    fn all(items: Vec<Self::Expr>) -> Self::Expr;
    fn any(items: Vec<Self::Expr>) -> Self::Expr;
    fn leaf(&mut self) -> Result<Self::Expr, QueryError>;
}

/// One item alone, or the items joined.
fn joined<T>(mut items: Vec<T>, join: fn(Vec<T>) -> T) -> T {
    if items.len() == 1 {
        items.remove(0)
    } else {
        join(items)
    }
}

fn or<G: Boolean>(g: &mut G) -> Result<G::Expr, QueryError> {
    let mut items = vec![and(g)?];
    while G::OR.iter().any(|c| g.eat(*c)) {
        items.push(and(g)?);
    }
    Ok(joined(items, G::any))
}

fn and<G: Boolean>(g: &mut G) -> Result<G::Expr, QueryError> {
    let mut items = vec![primary(g)?];
    while g.eat(';') {
        items.push(primary(g)?);
    }
    Ok(joined(items, G::all))
}

fn primary<G: Boolean>(g: &mut G) -> Result<G::Expr, QueryError> {
    if !g.eat('(') {
        return g.leaf();
    }
    *g.depth() += 1;
    if *g.depth() > 16 {
        return Err(g.error("too deeply nested"));
    }
    let inner = or(g)?;
    if !g.eat(')') {
        return Err(g.error("expected )"));
    }
    *g.depth() -= 1;
    Ok(inner)
}

/// Parses `type`; a syntax error is InvalidRequest.
pub fn parse_types(text: &str) -> Result<TypeExpr, QueryError> {
    let mut parser = TypeParser {
        chars: text.chars().collect(),
        at: 0,
        depth: 0,
        names: 0,
    };
    let expr = or(&mut parser)?;
    if parser.at != parser.chars.len() {
        return Err(parser.error("unexpected character"));
    }
    Ok(expr)
}

struct TypeParser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
    names: usize,
}

impl TypeParser {
    fn error(&self, what: &str) -> QueryError {
        bad(format!("invalid type at character {}: {what}", self.at + 1))
    }

    fn eat(&mut self, c: char) -> bool {
        if self.chars.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }
}

impl Boolean for TypeParser {
    type Expr = TypeExpr;
    /// `,` and `|` both mean "or" in a type selection.
    const OR: &'static [char] = &[',', '|'];

    fn eat(&mut self, c: char) -> bool {
        TypeParser::eat(self, c)
    }

    fn error(&self, what: &str) -> QueryError {
        TypeParser::error(self, what)
    }

    fn depth(&mut self) -> &mut usize {
        &mut self.depth
    }

    fn all(items: Vec<TypeExpr>) -> TypeExpr {
        TypeExpr::And(items)
    }

    fn any(items: Vec<TypeExpr>) -> TypeExpr {
        TypeExpr::Or(items)
    }

    /// A type name.
    fn leaf(&mut self) -> Result<TypeExpr, QueryError> {
        let start = self.at;
        while let Some(&c) = self.chars.get(self.at) {
            if c.is_ascii_alphanumeric() || "_-:/#@.~".contains(c) {
                self.at += 1;
            } else {
                break;
            }
        }
        if start == self.at {
            return Err(self.error("expected a type name"));
        }
        self.names += 1;
        if self.names > MAX_LIST {
            return Err(bad_data(format!("at most {MAX_LIST} types per query")));
        }
        let name: String = self.chars[start..self.at].iter().collect();
        Ok(TypeExpr::Name(compact(name.trim()).to_owned()))
    }
}

/// `GET entities` once parsed.
#[derive(Debug, Clone)]
pub struct EntityQuery {
    pub types: Option<TypeExpr>,
    pub ids: Vec<String>,
    pub id_pattern: Option<Regex>,
    pub q: Option<Expr>,
    pub view: View,
    pub geo: Option<GeoQuery>,
    pub limit: usize,
    pub offset: usize,
    pub count: bool,
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
}

pub const DEFAULT_LIMIT: usize = 20;
/// Most ids or types in one query.
const MAX_LIST: usize = 1000;
/// Most terms and values in one `q`.
const MAX_Q_PARTS: usize = 200;

/// Parses the query string of `GET entities` (`pairs` as decoded from the URL).
pub fn parse_entity_query(
    pairs: &[(String, String)],
    max_limit: usize,
) -> Result<EntityQuery, QueryError> {
    let get = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let types = get("type").map(parse_types).transpose()?;
    let ids = list(get("id"), &[',']);
    // Each id, type and q term becomes SQL parameters: bounded so that no query reaches SQLite's
    // parameter limit (which would be a 500 instead of a 400).
    if ids.len() > MAX_LIST {
        return Err(bad_data(format!("at most {MAX_LIST} ids per query")));
    }
    let id_pattern = get("idPattern")
        .map(|p| {
            regex::RegexBuilder::new(p)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| bad(format!("invalid idPattern: {e}")))
        })
        .transpose()?;
    let q = get("q").map(parse_q).transpose()?;
    let view = parse_view(pairs)?;
    let geo = parse_geo(
        get("georel"),
        get("geometry"),
        get("coordinates"),
        &view.geoproperty,
    )?;
    if types.is_none()
        && ids.is_empty()
        && id_pattern.is_none()
        && q.is_none()
        && view.attrs.is_none()
        && geo.is_none()
    {
        return Err(bad_data(
            "a query needs at least one of type, id, idPattern, q, attrs or a geo-query",
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
    Ok(EntityQuery {
        types,
        ids,
        id_pattern,
        q,
        view,
        geo,
        limit,
        offset,
        count,
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
    let geoproperty = compact(get("geoproperty").unwrap_or("location")).to_owned();
    if !is_attribute_name(&geoproperty) {
        return Err(bad(format!("invalid geoproperty {geoproperty:?}")));
    }
    Ok(View {
        key_values,
        attrs,
        geoproperty,
    })
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

// ---------------------------------------------------------------------------------------------
// The q language.

/// A parsed `q` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Term(Term),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub path: AttrPath,
    /// `None`: the attribute exists.
    pub test: Option<(Op, Operand)>,
}

/// `attr`, `attr.subAttr` or `attr[member][member]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub attr: String,
    pub sub: Option<String>,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// One value or `"a","b"`: equal to any.
    Values(Vec<Literal>),
    /// `a..b`, inclusive.
    Range(Literal, Literal),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
}

pub fn parse_q(text: &str) -> Result<Expr, QueryError> {
    let mut parser = QParser {
        chars: text.chars().collect(),
        at: 0,
        depth: 0,
        parts: 0,
    };
    let expr = or(&mut parser)?;
    if parser.at != parser.chars.len() {
        return Err(bad(format!(
            "invalid q at character {}: {text:?}",
            parser.at + 1
        )));
    }
    Ok(expr)
}

struct QParser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
    /// Terms and values read so far, against [`MAX_Q_PARTS`].
    parts: usize,
}

impl QParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn error(&self, what: &str) -> QueryError {
        bad(format!("invalid q at character {}: {what}", self.at + 1))
    }

    fn count_part(&mut self) -> Result<(), QueryError> {
        self.parts += 1;
        if self.parts > MAX_Q_PARTS {
            return Err(self.error("too many terms or values"));
        }
        Ok(())
    }

    fn name(&mut self) -> String {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/' | '#' | '@') {
                self.at += 1;
            } else {
                break;
            }
        }
        self.chars[start..self.at].iter().collect()
    }

    fn path(&mut self) -> Result<AttrPath, QueryError> {
        // A full IRI of a known vocabulary (its dots are not sub-attribute paths): its short name.
        let rest: String = self.chars[self.at..].iter().collect();
        self.at += rest[..iri_prefix_len(&rest)].chars().count();
        let attr = self.name();
        if attr.is_empty() {
            return Err(self.error("expected an attribute name"));
        }
        let sub = if self.eat('.') {
            let sub = self.name();
            if sub.is_empty() {
                return Err(self.error("expected a sub-attribute name"));
            }
            Some(sub)
        } else {
            None
        };
        let mut members = Vec::new();
        while self.eat('[') {
            let member = self.name();
            if member.is_empty() || !self.eat(']') {
                return Err(self.error("expected [member]"));
            }
            members.push(member);
        }
        Ok(AttrPath { attr, sub, members })
    }

    fn op(&mut self) -> Result<Option<Op>, QueryError> {
        let rest: String = self.chars[self.at..].iter().take(3).collect();
        let (op, len) = if rest.starts_with("==") {
            (Op::Eq, 2)
        } else if rest.starts_with("!=") {
            (Op::Ne, 2)
        } else if rest.starts_with(">=") {
            (Op::Ge, 2)
        } else if rest.starts_with("<=") {
            (Op::Le, 2)
        } else if rest.starts_with('>') {
            (Op::Gt, 1)
        } else if rest.starts_with('<') {
            (Op::Lt, 1)
        } else if rest.starts_with("~=") || rest.starts_with("!~=") {
            return Err(self.error("the pattern operators ~= and !~= are not supported"));
        } else if rest.is_empty() || rest.starts_with([';', '|', ')']) {
            return Ok(None);
        } else {
            return Err(self.error("expected an operator"));
        };
        self.at += len;
        Ok(Some(op))
    }

    fn operand(&mut self) -> Result<Operand, QueryError> {
        let first = self.literal()?;
        if self.chars[self.at..].starts_with(&['.', '.']) {
            self.at += 2;
            let last = self.literal()?;
            return Ok(Operand::Range(first, last));
        }
        let mut values = vec![first];
        while self.eat(',') {
            self.count_part()?;
            values.push(self.literal()?);
        }
        Ok(Operand::Values(values))
    }

    fn literal(&mut self) -> Result<Literal, QueryError> {
        if self.eat('"') {
            let mut text = String::new();
            loop {
                match self.peek() {
                    None => return Err(self.error("unterminated string")),
                    Some('"') => {
                        self.at += 1;
                        return Ok(Literal::Text(text));
                    }
                    Some('\\') => {
                        self.at += 1;
                        let Some(c) = self.peek() else {
                            return Err(self.error("unterminated string"));
                        };
                        text.push(c);
                        self.at += 1;
                    }
                    Some(c) => {
                        text.push(c);
                        self.at += 1;
                    }
                }
            }
        }
        // Unquoted: a number, a boolean, or a date-time (the only unquoted text allowed).
        let start = self.at;
        while let Some(c) = self.peek() {
            if matches!(c, ';' | '|' | ')' | ',' | '(' | '"') {
                break;
            }
            // `1..5`: the first dot of `..` ends the number.
            if c == '.' && self.chars.get(self.at + 1) == Some(&'.') {
                break;
            }
            self.at += 1;
        }
        let raw: String = self.chars[start..self.at].iter().collect();
        match raw.as_str() {
            "" => Err(self.error("expected a value")),
            "true" => Ok(Literal::Bool(true)),
            "false" => Ok(Literal::Bool(false)),
            _ => {
                if let Ok(n) = raw.parse::<f64>()
                    && n.is_finite()
                {
                    return Ok(Literal::Number(n));
                }
                let looks_like_date = raw.starts_with(|c: char| c.is_ascii_digit())
                    && raw.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+' | 'T' | 'Z')
                    });
                if looks_like_date {
                    Ok(Literal::Text(raw))
                } else {
                    Err(self.error("strings must be quoted"))
                }
            }
        }
    }
}

impl Boolean for QParser {
    type Expr = Expr;
    const OR: &'static [char] = &['|'];

    fn eat(&mut self, c: char) -> bool {
        QParser::eat(self, c)
    }

    fn error(&self, what: &str) -> QueryError {
        QParser::error(self, what)
    }

    fn depth(&mut self) -> &mut usize {
        &mut self.depth
    }

    fn all(items: Vec<Expr>) -> Expr {
        Expr::And(items)
    }

    fn any(items: Vec<Expr>) -> Expr {
        Expr::Or(items)
    }

    /// A term: an attribute path, and optionally an operator and its operand.
    fn leaf(&mut self) -> Result<Expr, QueryError> {
        let path = self.path()?;
        self.count_part()?;
        let Some(op) = self.op()? else {
            return Ok(Expr::Term(Term { path, test: None }));
        };
        let operand = self.operand()?;
        if matches!(operand, Operand::Values(ref v) if v.len() > 1)
            && !matches!(op, Op::Eq | Op::Ne)
        {
            return Err(self.error("a value list only goes with == or !="));
        }
        if matches!(operand, Operand::Range(..)) && !matches!(op, Op::Eq | Op::Ne) {
            return Err(self.error("a range only goes with == or !="));
        }
        Ok(Expr::Term(Term {
            path,
            test: Some((op, operand)),
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Geo-queries.

#[derive(Debug, Clone, PartialEq)]
pub struct GeoQuery {
    pub rel: GeoRel,
    pub geometry: Geometry,
    pub geoproperty: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoRel {
    /// `near;maxDistance==M` and/or `near;minDistance==M`, in metres.
    Near {
        max: Option<f64>,
        min: Option<f64>,
    },
    Within,
    Contains,
    Intersects,
    Equals,
    Disjoint,
    Overlaps,
}

/// Query geometries, `[lon, lat]` positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Point((f64, f64)),
    /// Rings: the first is the outline, the others holes.
    Polygon(Vec<Vec<(f64, f64)>>),
    MultiPolygon(Vec<Vec<Vec<(f64, f64)>>>),
}

fn parse_geo(
    georel: Option<&str>,
    geometry: Option<&str>,
    coordinates: Option<&str>,
    geoproperty: &str,
) -> Result<Option<GeoQuery>, QueryError> {
    let (georel, geometry, coordinates) = match (georel, geometry, coordinates) {
        (None, None, None) => return Ok(None),
        (Some(r), Some(g), Some(c)) => (r, g, c),
        _ => {
            return Err(bad(
                "a geo-query needs georel, geometry and coordinates together",
            ));
        }
    };
    let rel = parse_georel(georel)?;
    let value: serde_json::Value = serde_json::from_str(coordinates)
        .map_err(|e| bad(format!("coordinates are not a JSON array: {e}")))?;
    let geometry = match geometry {
        "Point" => Geometry::Point(position(&value)?),
        "Polygon" => Geometry::Polygon(polygon(&value)?),
        "MultiPolygon" => Geometry::MultiPolygon(
            value
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| bad("MultiPolygon coordinates must be an array of polygons"))?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        ),
        other => {
            return Err(bad(format!(
                "geometry {other:?} is not supported (Point, Polygon, MultiPolygon)"
            )));
        }
    };
    if matches!(rel, GeoRel::Near { .. }) && !matches!(geometry, Geometry::Point(_)) {
        return Err(bad("near needs a Point geometry"));
    }
    Ok(Some(GeoQuery {
        rel,
        geometry,
        geoproperty: geoproperty.to_owned(),
    }))
}

fn parse_georel(text: &str) -> Result<GeoRel, QueryError> {
    let mut parts = text.split(';');
    let name = parts.next().unwrap_or_default();
    let rel = match name {
        "near" => {
            let (mut max, mut min) = (None, None);
            for modifier in parts.by_ref() {
                let (key, value) = modifier
                    .split_once("==")
                    .ok_or_else(|| bad(format!("invalid near modifier {modifier:?}")))?;
                let metres: f64 = value
                    .parse()
                    .ok()
                    .filter(|m: &f64| m.is_finite() && *m >= 0.0)
                    .ok_or_else(|| bad(format!("invalid distance {value:?}")))?;
                match key {
                    "maxDistance" => max = Some(metres),
                    "minDistance" => min = Some(metres),
                    _ => return Err(bad(format!("unknown near modifier {key:?}"))),
                }
            }
            if max.is_none() && min.is_none() {
                return Err(bad("near needs maxDistance or minDistance"));
            }
            return Ok(GeoRel::Near { max, min });
        }
        "within" => GeoRel::Within,
        "contains" => GeoRel::Contains,
        "intersects" => GeoRel::Intersects,
        "equals" => GeoRel::Equals,
        "disjoint" => GeoRel::Disjoint,
        "overlaps" => GeoRel::Overlaps,
        _ => return Err(bad(format!("unknown georel {text:?}"))),
    };
    if parts.next().is_some() {
        return Err(bad(format!("{name} takes no modifier")));
    }
    Ok(rel)
}

fn position(value: &serde_json::Value) -> Result<(f64, f64), QueryError> {
    let invalid = || bad(format!("invalid position {value}: expected [lon, lat]"));
    let array = value.as_array().ok_or_else(invalid)?;
    if !(2..=3).contains(&array.len()) {
        return Err(invalid());
    }
    let lon = array[0].as_f64().ok_or_else(invalid)?;
    let lat = array[1].as_f64().ok_or_else(invalid)?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(bad(format!("position {value} is out of range [lon, lat]")));
    }
    Ok((lon, lat))
}

fn polygon(value: &serde_json::Value) -> Result<Vec<Vec<(f64, f64)>>, QueryError> {
    let rings = value
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| bad("Polygon coordinates must be an array of linear rings"))?;
    rings
        .iter()
        .map(|ring| {
            let points: Vec<(f64, f64)> = ring
                .as_array()
                .ok_or_else(|| bad("a linear ring must be an array of positions"))?
                .iter()
                .map(position)
                .collect::<Result<_, _>>()?;
            if points.len() < 4 || points.first() != points.last() {
                return Err(bad(
                    "a linear ring needs at least 4 positions and must be closed",
                ));
            }
            Ok(points)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn parse(query: &str) -> Result<EntityQuery, QueryError> {
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
        let geo = near.geo.expect("geo");
        assert_eq!(
            geo.rel,
            GeoRel::Near {
                max: Some(200.0),
                min: None
            }
        );
        assert_eq!(geo.geometry, Geometry::Point((0.68, 47.39)));
        assert_eq!(geo.geoproperty, "location");
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
            "type=T&georel=around&geometry=Point&coordinates=[0,0]",
            "type=T&georel=within&geometry=Circle&coordinates=[0,0]",
        ] {
            assert!(
                matches!(parse(bad_query), Err(QueryError::InvalidRequest(_))),
                "{bad_query}"
            );
        }
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
        assert!(
            !parse("type=T&options=sysAttrs")
                .expect("ok")
                .view
                .key_values
        );
        assert!(parse("type=T&format=weird").is_err());
        assert!(parse("type=T&geoproperty=a\"b").is_err());
        let q = parse("type=A,B|C&id=urn:a,urn:b").expect("ok");
        assert_eq!(
            q.types.and_then(|t| t.names()),
            Some(vec!["A".to_owned(), "B".to_owned(), "C".to_owned()])
        );
        assert_eq!(q.ids, vec!["urn:a", "urn:b"]);
        assert!(parse("idPattern=(").is_err());
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
