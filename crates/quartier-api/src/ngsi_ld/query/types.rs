//! Entity type selections (`type=`, ETSI GS CIM 009 4.17).

use super::super::write::RequestContext;
use super::{
    boolean::{Boolean, or},
    parse::{MAX_LIST, QueryError, bad, bad_data},
    vocabulary::compact,
};

/// An entity type selection (4.17): `A,B` or `A|B` (either), `A;B` (both), parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// One type, by its short name.
    Name(String),
    /// `A,B` or `A|B`: either.
    Or(Vec<TypeExpr>),
    /// `A;B`: both.
    And(Vec<TypeExpr>),
}

impl TypeExpr {
    /// The selection with its names read under the request's `@context`.
    pub fn in_context(self, context: &RequestContext) -> Self {
        match self {
            Self::Name(name) => Self::Name(context.term(&name)),
            Self::Or(items) => Self::Or(items.into_iter().map(|i| i.in_context(context)).collect()),
            Self::And(items) => {
                Self::And(items.into_iter().map(|i| i.in_context(context)).collect())
            }
        }
    }

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
