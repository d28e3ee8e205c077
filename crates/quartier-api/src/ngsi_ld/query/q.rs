//! The NGSI-LD query language (`q=`, ETSI GS CIM 009 4.9): `;` and, `|` or, parentheses,
//! `==` `!=` `>` `>=` `<` `<=`, value lists `"a","b"` and ranges `1..5`, attribute paths
//! `attr`, `attr.subAttr`, `attr[member]`.

use std::cmp::Ordering;

use serde_json::Value;

use super::super::write::RequestContext;
use super::{
    boolean::{Boolean, or},
    parse::{QueryError, bad},
    vocabulary::iri_prefix_len,
};

/// Most terms and values in one `q`.
pub const MAX_Q_PARTS: usize = 200;

/// A parsed `q` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a;b`: all hold.
    And(Vec<Expr>),
    /// `a|b`: one holds.
    Or(Vec<Expr>),
    /// One test on one attribute.
    Term(Term),
}

/// `path`, or `path` `op` `operand`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The attribute tested.
    pub path: AttrPath,
    /// `None`: the attribute exists.
    pub test: Option<(Op, Operand)>,
}

/// `attr`, `attr.subAttr` or `attr[member][member]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The attribute, by its short name.
    pub attr: String,
    /// `.subAttr`: a property of the attribute (`observedAt`, `unitCode`…).
    pub sub: Option<String>,
    /// `[member]`s: into the attribute's JSON value.
    pub members: Vec<String>,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

/// What a term compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// One value or `"a","b"`: equal to any.
    Values(Vec<Literal>),
    /// `a..b`, inclusive.
    Range(Literal, Literal),
}

/// A value in `q`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `"text"`, or an unquoted date-time.
    Text(String),
    /// A finite number.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
}

impl Expr {
    /// The expression with its attribute paths read under the request's `@context`.
    pub fn in_context(self, context: &RequestContext) -> Self {
        match self {
            Self::And(items) => {
                Self::And(items.into_iter().map(|i| i.in_context(context)).collect())
            }
            Self::Or(items) => Self::Or(items.into_iter().map(|i| i.in_context(context)).collect()),
            Self::Term(mut term) => {
                term.path.attr = context.term(&term.path.attr);
                term.path.sub = term.path.sub.map(|sub| context.term(&sub));
                Self::Term(term)
            }
        }
    }
}

/// Parses `q`; a syntax error, or more than [`MAX_Q_PARTS`] terms and values, is
/// InvalidRequest.
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

/// Metadata members that sit on the attribute itself (`attr.observedAt`), not in a value.
const METADATA: &[&str] = &[
    "observedAt",
    "unitCode",
    "datasetId",
    "createdAt",
    "modifiedAt",
];

impl Expr {
    /// Whether a normalized entity (short names, as stored) satisfies the expression: the same
    /// reading as the platform's SQL (one meaning of `q` for a query and for a subscription).
    /// A term designates a Property's `value` or a Relationship's `object` (or a
    /// sub-attribute's, or a member of a compound value); an array value matches when one of
    /// its elements does; values compare only with literals of their own JSON kind (`"5"` is
    /// never 5); an object value matches no literal.
    pub fn matches(&self, entity: &Value) -> bool {
        match self {
            Expr::And(items) => items.iter().all(|e| e.matches(entity)),
            Expr::Or(items) => items.iter().any(|e| e.matches(entity)),
            Expr::Term(term) => term.matches(entity),
        }
    }
}

impl Term {
    fn matches(&self, entity: &Value) -> bool {
        let targets = self.path.targets(entity);
        let Some((op, operand)) = &self.test else {
            return !targets.is_empty();
        };
        // The candidates a comparison looks at: scalars, and the elements of arrays.
        let candidates = || {
            targets
                .iter()
                .filter(|v| !v.is_object())
                .flat_map(|v| match v {
                    Value::Array(items) => items.iter().collect::<Vec<_>>(),
                    other => vec![*other],
                })
        };
        let equal = |v: &Value| match operand {
            Operand::Values(values) => values.iter().any(|l| l.compare(v) == Some(Ordering::Equal)),
            Operand::Range(low, high) => {
                // `low <= v <= high`, each compared literal-first.
                low.compare(v).is_some_and(Ordering::is_le)
                    && high.compare(v).is_some_and(Ordering::is_ge)
            }
        };
        match op {
            Op::Eq => candidates().any(equal),
            Op::Ne => !targets.is_empty() && !candidates().any(equal),
            Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                let literal = match operand {
                    Operand::Values(values) => values.first(),
                    Operand::Range(low, _) => Some(low),
                };
                let Some(literal) = literal else {
                    return false;
                };
                candidates().any(|v| {
                    // `compare` is the literal against the value: reversed for `value op literal`.
                    literal
                        .compare(v)
                        .map(Ordering::reverse)
                        .is_some_and(|o| match op {
                            Op::Gt => o.is_gt(),
                            Op::Ge => o.is_ge(),
                            Op::Lt => o.is_lt(),
                            _ => o.is_le(),
                        })
                })
            }
        }
    }
}

impl AttrPath {
    /// The JSON values the path designates in `entity` (a `null` counts: the member exists).
    fn targets<'a>(&self, entity: &'a Value) -> Vec<&'a Value> {
        let Some(attribute) = entity.get(&self.attr) else {
            return Vec::new();
        };
        let holders: Vec<&Value> = match &self.sub {
            Some(meta) if METADATA.contains(&meta.as_str()) => {
                return attribute.get(meta).into_iter().collect();
            }
            Some(sub) => attribute.get(sub).into_iter().collect(),
            None => vec![attribute],
        };
        holders
            .into_iter()
            .flat_map(|h| [h.get("value"), h.get("object")])
            .flatten()
            .filter_map(|v| {
                self.members
                    .iter()
                    .try_fold(v, |inner, member| inner.get(member))
            })
            .collect()
    }
}

impl Literal {
    /// The literal against a JSON value of the same kind; `None` across kinds.
    fn compare(&self, value: &Value) -> Option<Ordering> {
        match (self, value) {
            (Literal::Text(t), Value::String(s)) => Some(t.as_str().cmp(s.as_str())),
            (Literal::Number(n), Value::Number(v)) => n.partial_cmp(&v.as_f64()?),
            (Literal::Bool(b), Value::Bool(v)) => Some(b.cmp(v)),
            _ => None,
        }
    }
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
                // A URI (a Relationship's object, 4.9: `locatedIn==urn:ngsi-ld:City:Pisa`).
                let looks_like_uri = crate::ngsi_ld::write::is_uri(&raw)
                    && raw.starts_with(|c: char| c.is_ascii_alphabetic())
                    && !raw.contains(['=', '<', '>', '!', '\'', '[', ']']);
                if looks_like_date || looks_like_uri {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bin() -> Value {
        json!({
            "id": "urn:ngsi-ld:WasteContainer:1", "type": "WasteContainer",
            "status": {"type": "Property", "value": "full", "observedAt": "2026-12-02T10:00:00Z"},
            "fillingLevel": {"type": "Property", "value": 0.92},
            "category": {"type": "Property", "value": ["onStreet", "forDisabled"]},
            "lidOpen": {"type": "Property", "value": false},
            "address": {"type": "Property", "value": {"postalCode": "37000"}},
            "refDevice": {"type": "Relationship", "object": "urn:ngsi-ld:Device:7"},
            "temperature": {"type": "Property", "value": 8,
                            "accuracy": {"type": "Property", "value": 0.5}},
        })
    }

    fn holds(q: &str) -> bool {
        parse_q(q).expect(q).matches(&bin())
    }

    #[test]
    fn terms_compare_values_of_their_own_kind() {
        assert!(holds(r#"status=="full""#));
        assert!(holds(r#"status=="empty","full""#));
        assert!(!holds(r#"status=="empty""#));
        assert!(holds(r#"status!="empty""#));
        assert!(!holds(r#"nothing!="empty""#), "!= needs the attribute");
        assert!(holds("fillingLevel>=0.9") && holds("fillingLevel>0.5"));
        assert!(!holds("fillingLevel<0.9") && holds("fillingLevel<=0.92"));
        assert!(holds("fillingLevel==0.9..1") && !holds("fillingLevel==0..0.5"));
        assert!(holds("lidOpen==false") && !holds("lidOpen==true"));
        assert!(
            !holds(r#"fillingLevel=="0.92""#),
            "text never equals a number"
        );
        assert!(!holds("status>1"), "text never orders against a number");
    }

    #[test]
    fn paths_reach_arrays_members_relationships_and_sub_attributes() {
        assert!(holds(r#"category=="forDisabled""#));
        assert!(holds(r#"address[postalCode]=="37000""#));
        assert!(
            !holds(r#"address=="37000""#),
            "an object matches no literal"
        );
        assert!(holds(r#"refDevice=="urn:ngsi-ld:Device:7""#));
        assert!(holds("temperature.accuracy<1"));
        assert!(holds("status.observedAt>=2026-12-01T00:00:00Z"));
        assert!(holds("refDevice") && !holds("nothing"));
    }

    #[test]
    fn and_or_and_parentheses_combine() {
        assert!(holds(r#"status=="full";fillingLevel>0.9"#));
        assert!(!holds(r#"status=="full";fillingLevel>0.95"#));
        assert!(holds(r#"status=="empty"|fillingLevel>0.9"#));
        assert!(holds(r#"(status=="empty"|lidOpen==false);temperature==8"#));
    }
}
