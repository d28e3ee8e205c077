//! `orderBy` (ETSI GS CIM 009 v1.9.1, 4.23): the order of a query's entities, as a list of
//! `member[;asc|desc]` keys, first key first (`type;asc,name.subProperty;desc,name`). A member is
//! `id`, `type`, `createdAt`, `modifiedAt`, or an attribute (`name`) or one of its
//! sub-attributes (`name.subProperty`), compared by value (a Relationship by its object). Ties
//! are always ordered by id, so that pages do not overlap. Syntax errors are 400 BadRequestData.

use super::super::write::RequestContext;
use super::{QueryError, parse::bad_data, vocabulary::compact};

/// One key of `orderBy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    /// What is compared.
    pub member: OrderMember,
    /// `;desc`: largest first.
    pub descending: bool,
}

/// What a key compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderMember {
    /// The entity's id.
    Id,
    /// The entity's type.
    Type,
    /// The entity's creation, oldest first (ties in the order they were created).
    CreatedAt,
    /// The entity's last change.
    ModifiedAt,
    /// An attribute's value, or its sub-attribute's (`sub`).
    Attribute {
        /// The attribute, by its stored name.
        attr: String,
        /// `.sub`: one of its sub-attributes.
        sub: Option<String>,
    },
}

/// Most keys in one `orderBy`.
const MAX_KEYS: usize = 8;

/// Parses `orderBy`.
pub fn parse_order_by(text: &str) -> Result<Vec<OrderKey>, QueryError> {
    let mut keys = Vec::new();
    for item in text.split(',') {
        let (path, direction) = match item.split_once(';') {
            Some((path, direction)) => (path, Some(direction)),
            None => (item, None),
        };
        let descending = match direction {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(bad_data(format!("orderBy: {other:?} is not asc or desc")));
            }
        };
        let member = match path {
            "id" => OrderMember::Id,
            "type" => OrderMember::Type,
            "createdAt" => OrderMember::CreatedAt,
            "modifiedAt" => OrderMember::ModifiedAt,
            _ => {
                let (attr, sub) = match path.split_once('.') {
                    Some((attr, sub)) => (attr, Some(sub)),
                    None => (path, None),
                };
                let named = |n: &str| {
                    !n.is_empty()
                        && n.len() <= 256
                        && n.chars().all(|c| {
                            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/' | '#')
                        })
                };
                if !named(attr) || !sub.is_none_or(named) {
                    return Err(bad_data(format!("orderBy: {path:?} is not a member")));
                }
                OrderMember::Attribute {
                    attr: compact(attr).to_owned(),
                    sub: sub.map(|s| compact(s).to_owned()),
                }
            }
        };
        keys.push(OrderKey { member, descending });
    }
    if keys.len() > MAX_KEYS {
        return Err(bad_data(format!("orderBy: at most {MAX_KEYS} keys")));
    }
    Ok(keys)
}

impl OrderKey {
    /// The key with its attribute names read under the request's `@context`.
    pub fn in_context(mut self, context: &RequestContext) -> Self {
        if let OrderMember::Attribute { attr, sub } = &mut self.member {
            *attr = context.term(attr);
            *sub = sub.as_deref().map(|s| context.term(s));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(attr: &str, sub: Option<&str>, descending: bool) -> OrderKey {
        OrderKey {
            member: OrderMember::Attribute {
                attr: attr.to_owned(),
                sub: sub.map(str::to_owned),
            },
            descending,
        }
    }

    #[test]
    fn keys_are_read_in_order_with_their_direction() {
        assert_eq!(
            parse_order_by("type;asc,name.subProperty;desc,name").expect("ok"),
            [
                OrderKey {
                    member: OrderMember::Type,
                    descending: false
                },
                attribute("name", Some("subProperty"), true),
                attribute("name", None, false),
            ]
        );
        assert_eq!(
            parse_order_by("createdAt;desc").expect("ok")[0],
            OrderKey {
                member: OrderMember::CreatedAt,
                descending: true
            }
        );
    }

    #[test]
    fn bad_keys_are_bad_request_data() {
        for text in [
            "",
            "name;up",
            "name,",
            "na\"me",
            "a.b.c",
            ".x",
            &"a,".repeat(9),
        ] {
            assert!(
                matches!(parse_order_by(text), Err(QueryError::BadRequestData(_))),
                "{text:?}"
            );
        }
    }
}
