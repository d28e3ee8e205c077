//! `pick` and `omit` (ETSI GS CIM 009 v1.8, 4.21): which members of an entity an answer keeps
//! or drops: a comma list of entity members (`id`, `type`, attribute names), each optionally
//! followed by `{…}`, the same for the entity it links to (`locatedAt{name}`).

use super::super::write::RequestContext;
use super::parse::{QueryError, bad_data};

/// Most members in one projection, nested ones included.
const MAX_MEMBERS: usize = 200;
/// Deepest nesting of `{…}`.
const MAX_DEPTH: usize = 8;

/// One member of a projection, and the projection of the entity it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `id`, `type` or an attribute (by stored name once read under a context).
    pub name: String,
    /// `{…}`: for the linked entity.
    pub nested: Vec<Member>,
}

/// A `pick` or `omit` value, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Projection {
    /// The members, in the order given.
    pub members: Vec<Member>,
}

impl Projection {
    /// Whether `name` (an entity member or attribute, as stored) is listed at the top level.
    pub fn names(&self, name: &str) -> bool {
        self.members.iter().any(|m| m.name == name)
    }

    /// Whether an `omit` drops `name`: listed without `{…}` (with one, it is the linked
    /// entity's members that are dropped).
    pub fn omits(&self, name: &str) -> bool {
        self.members
            .iter()
            .any(|m| m.name == name && m.nested.is_empty())
    }

    /// The projection of the entity that relationship `name` links to (`name{…}`), if given.
    pub fn nested(&self, name: &str) -> Option<Projection> {
        self.members
            .iter()
            .find(|m| m.name == name && !m.nested.is_empty())
            .map(|m| Projection {
                members: m.nested.clone(),
            })
    }

    /// The projection with its attribute names read under the request's `@context`.
    pub fn in_context(mut self, context: &RequestContext) -> Self {
        fn rename(members: &mut [Member], context: &RequestContext) {
            for member in members {
                if member.name != "id" && member.name != "type" {
                    member.name = context.term(&member.name);
                }
                rename(&mut member.nested, context);
            }
        }
        rename(&mut self.members, context);
        self
    }
}

/// Parses a `pick` or `omit` value; every syntax error is 400 BadRequestData (4.21).
pub fn parse_projection(text: &str) -> Result<Projection, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let mut count = 0;
    let members = members(&chars, &mut at, 0, &mut count)?;
    if at != chars.len() {
        return Err(bad_data(format!("{text:?}: unexpected '}}'")));
    }
    Ok(Projection { members })
}

fn members(
    chars: &[char],
    at: &mut usize,
    depth: usize,
    count: &mut usize,
) -> Result<Vec<Member>, QueryError> {
    if depth > MAX_DEPTH {
        return Err(bad_data("pick/omit: nested too deeply"));
    }
    let mut out = Vec::new();
    loop {
        let start = *at;
        while *at < chars.len() && is_name_char(chars[*at]) {
            *at += 1;
        }
        if *at == start {
            return Err(bad_data(match chars.get(*at) {
                None if out.is_empty() && depth > 0 => "pick/omit: '{}' names no member".into(),
                None => "pick/omit: a member name is missing".into(),
                Some(c) => format!("pick/omit: {c:?} where a member name is expected"),
            }));
        }
        *count += 1;
        if *count > MAX_MEMBERS {
            return Err(bad_data(format!(
                "pick/omit: at most {MAX_MEMBERS} members"
            )));
        }
        let name: String = chars[start..*at].iter().collect();
        let mut nested = Vec::new();
        if chars.get(*at) == Some(&'{') {
            *at += 1;
            nested = members(chars, at, depth + 1, count)?;
            if chars.get(*at) != Some(&'}') {
                return Err(bad_data("pick/omit: '{' is not closed"));
            }
            *at += 1;
        }
        out.push(Member { name, nested });
        match chars.get(*at) {
            Some(',') => *at += 1,
            None => return Ok(out),
            Some('}') if depth > 0 => return Ok(out),
            Some(c) => return Err(bad_data(format!("pick/omit: unexpected {c:?}"))),
        }
    }
}

/// Characters of a member name: an attribute name or a full IRI (no separators or braces).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/' | '#' | '@' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        parse_projection(text)
            .expect("valid")
            .members
            .into_iter()
            .map(|m| m.name)
            .collect()
    }

    #[test]
    fn reads_members_and_nested_projections() {
        assert_eq!(names("id,name"), ["id", "name"]);
        let p = parse_projection("id,locatedAt{name,locatedAt{type}}").expect("valid");
        assert_eq!(p.members[1].name, "locatedAt");
        assert_eq!(p.members[1].nested[0].name, "name");
        assert_eq!(p.members[1].nested[1].nested[0].name, "type");
        assert!(p.names("id") && !p.names("name"));
    }

    #[test]
    fn syntax_errors_are_bad_request_data() {
        for text in [
            "",
            "id;name",
            "id,locatedAt{name",
            "id,locatedAt{{name}",
            "id,,name",
            "id,locatedAt{,name}",
            "id,locatedAt{}",
            "id}",
            "id,",
        ] {
            assert!(
                matches!(parse_projection(text), Err(QueryError::BadRequestData(_))),
                "{text:?}"
            );
        }
    }
}
