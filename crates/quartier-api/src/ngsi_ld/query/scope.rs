//! `scopeQ` (ETSI GS CIM 009, 4.19): entities by their `scope`, a path such as
//! `/Madrid/Gardens/ParqueNorte` (one or a list). In a query, `+` stands for one level, a last
//! `#` for that level and every level below it (`/#`: any scope), `;` is and, `,` or, and
//! parentheses group. An entity matches when one of its scopes matches. Syntax errors are 400
//! InvalidRequest.

use serde_json::Value;

use super::{QueryError, parse::bad};

/// A parsed `scopeQ`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeQuery {
    /// One scope pattern, by level (`+` and `#` kept as they are).
    Path(Vec<String>),
    /// `;`: every one.
    And(Vec<ScopeQuery>),
    /// `,`: any one.
    Or(Vec<ScopeQuery>),
}

/// Most patterns in one `scopeQ`, and how deep parentheses nest.
const MAX_PATHS: usize = 100;
const MAX_DEPTH: usize = 8;

/// Parses `scopeQ`.
pub fn parse_scope_q(text: &str) -> Result<ScopeQuery, QueryError> {
    let mut parser = Parser {
        text,
        at: 0,
        depth: 0,
        paths: 0,
    };
    let query = parser.or()?;
    if parser.at != text.len() {
        return Err(bad(format!(
            "invalid scopeQ at character {}: {text:?}",
            parser.at + 1
        )));
    }
    Ok(query)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
    paths: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn or(&mut self) -> Result<ScopeQuery, QueryError> {
        self.list(b',', Self::and, ScopeQuery::Or)
    }

    fn and(&mut self) -> Result<ScopeQuery, QueryError> {
        self.list(b';', Self::atom, ScopeQuery::And)
    }

    fn list(
        &mut self,
        glue: u8,
        item: fn(&mut Self) -> Result<ScopeQuery, QueryError>,
        make: fn(Vec<ScopeQuery>) -> ScopeQuery,
    ) -> Result<ScopeQuery, QueryError> {
        let mut items = vec![item(self)?];
        while self.peek() == Some(glue) {
            self.at += 1;
            items.push(item(self)?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            make(items)
        })
    }

    fn atom(&mut self) -> Result<ScopeQuery, QueryError> {
        if self.peek() == Some(b'(') {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(bad("scopeQ nests too deep"));
            }
            self.at += 1;
            let inner = self.or()?;
            if self.peek() != Some(b')') {
                return Err(bad("scopeQ: a '(' is not closed"));
            }
            self.at += 1;
            self.depth -= 1;
            return Ok(inner);
        }
        let rest = &self.text[self.at..];
        let end = rest.find([',', ';', '(', ')']).unwrap_or(rest.len());
        let path = &rest[..end];
        self.at += end;
        self.paths += 1;
        if self.paths > MAX_PATHS {
            return Err(bad(format!("scopeQ: at most {MAX_PATHS} scopes")));
        }
        let levels: Vec<&str> = match path.strip_prefix('/') {
            Some(levels) => levels.split('/').collect(),
            None => return Err(bad(format!("scopeQ: {path:?} does not start with '/'"))),
        };
        let last = levels.len() - 1;
        let valid = levels.iter().enumerate().all(|(i, level)| {
            !level.is_empty()
                && (*level != "#" || i == last)
                && (level.len() == 1 || !level.contains(['+', '#']))
                && !level.chars().any(char::is_whitespace)
        });
        if !valid {
            return Err(bad(format!("scopeQ: {path:?} is not a scope")));
        }
        Ok(ScopeQuery::Path(
            levels.into_iter().map(str::to_owned).collect(),
        ))
    }
}

impl ScopeQuery {
    /// Whether an entity's `scope` member (a scope, a list of them, or none) matches.
    pub fn matches(&self, scope: Option<&Value>) -> bool {
        let scopes: Vec<&str> = match scope {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        self.matches_any(&scopes)
    }

    fn matches_any(&self, scopes: &[&str]) -> bool {
        match self {
            Self::Path(pattern) => scopes.iter().any(|s| path_matches(pattern, s)),
            Self::And(items) => items.iter().all(|i| i.matches_any(scopes)),
            Self::Or(items) => items.iter().any(|i| i.matches_any(scopes)),
        }
    }
}

fn path_matches(pattern: &[String], scope: &str) -> bool {
    let Some(levels) = scope.strip_prefix('/') else {
        return false;
    };
    let mut levels = levels.split('/');
    for wanted in pattern {
        if wanted == "#" {
            return true;
        }
        match levels.next() {
            Some(level) if wanted == "+" || wanted == level => {}
            _ => return false,
        }
    }
    levels.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn count(query: &str) -> usize {
        let entities = [
            json!("/Madrid/Gardens/ParqueNorte"),
            json!([
                "/Madrid/Gardens/ParqueNorte",
                "/CompanyA/OrganizationB/UnitC"
            ]),
            Value::Null,
        ];
        let query = parse_scope_q(query).expect("valid");
        entities
            .iter()
            .filter(|scope| query.matches(Some(scope)))
            .count()
    }

    #[test]
    fn levels_plus_hash_and_or_match_as_the_spec_says() {
        assert_eq!(count("/Madrid/Gardens/ParqueNorte"), 2);
        assert_eq!(count("/Madrid/Gardens"), 0);
        assert_eq!(count("/Madrid/+/ParqueNorte"), 2);
        assert_eq!(count("/CompanyA/#"), 1);
        assert_eq!(count("/Madrid/Gardens/ParqueNorte/#"), 2);
        assert_eq!(count("/#"), 2);
        assert_eq!(
            count("/Madrid/Gardens/ParqueNorte;/CompanyA/OrganizationB/UnitC"),
            1
        );
        assert_eq!(
            count("/Madrid/Gardens/ParqueNorte,/CompanyA/OrganizationB/UnitC"),
            2
        );
        assert_eq!(count("(/Nowhere,/CompanyA/#);/Madrid/#"), 1);
    }

    #[test]
    fn malformed_scope_queries_are_invalid_requests() {
        for text in [
            "", "Madrid", "/", "/a//b", "/#/a", "/a#", "(/a", "/a)", "/a,", "/a b",
        ] {
            assert!(
                matches!(parse_scope_q(text), Err(QueryError::InvalidRequest(_))),
                "{text:?}"
            );
        }
    }
}
