//! The two wire formats of GeoReport v2, chosen by the path's extension (`requests.json`,
//! `requests.xml`), and the XML writer.
//!
//! Every response is built as a [`Node`] tree once and written as JSON or XML from it, so the two
//! formats cannot drift apart. XML goes through `quick-xml`'s writer, which escapes text (the
//! contract reads it back with the same crate).

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::{
    Serialize, Serializer,
    ser::{SerializeMap, SerializeSeq},
};

use quick_xml::{
    Writer,
    events::{BytesDecl, BytesText, Event},
};

use crate::error::{AppError, ErrorInfo};

pub const JSON_TYPE: &str = "application/json";
pub const XML_TYPE: &str = "text/xml; charset=utf-8";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => JSON_TYPE,
            Self::Xml => XML_TYPE,
        }
    }

    /// `("requests", Json)` from `requests.json`; an unknown or missing extension is a 404,
    /// since no such resource exists.
    pub fn split(file: &str) -> Result<(&str, Self), AppError> {
        let (stem, extension) = file
            .rsplit_once('.')
            .ok_or_else(|| AppError::not_found(format!("{file}: add .json or .xml")))?;
        let format = match extension {
            "json" => Self::Json,
            "xml" => Self::Xml,
            _ => {
                return Err(AppError::not_found(format!(
                    "{file}: unknown format (use .json or .xml)"
                )));
            }
        };
        if stem.is_empty() {
            return Err(AppError::not_found(format!("{file}: no such resource")));
        }
        Ok((stem, format))
    }

    /// The format a path asks for, for rendering errors: XML only when it ends in `.xml`.
    pub fn of_path(path: &str) -> Self {
        if path.ends_with(".xml") {
            Self::Xml
        } else {
            Self::Json
        }
    }
}

/// A response document: JSON's shape, with the XML element names JSON does not have.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    /// A JSON array; in XML, `<name>` per item inside the parent element.
    List {
        item: &'static str,
        items: Vec<Node>,
    },
    /// A JSON object; in XML, one child element per field, in order.
    Record(Vec<(&'static str, Node)>),
    /// A JSON object whose keys are data (attribute codes), which XML element names cannot
    /// hold (`006` is not a name): in XML, one `<item>` per entry with the key in `<code>`, then
    /// the value in `<value>`, or in `<values>` (one `<value>` each) for a list.
    Map {
        item: &'static str,
        entries: Vec<(String, Node)>,
    },
}

impl Node {
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    pub fn opt_text(value: Option<impl Into<String>>) -> Self {
        value.map_or(Self::Null, |value| Self::Text(value.into()))
    }

    pub fn opt_float(value: Option<f64>) -> Self {
        value.map_or(Self::Null, Self::Float)
    }

    /// The document with `root` as its outermost element.
    pub fn to_xml(&self, root: &str) -> String {
        let mut writer = Writer::new(Vec::new());
        let written = writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .and_then(|()| writer.write_event(Event::Text(BytesText::from_escaped("\n"))))
            .and_then(|()| write_element(&mut writer, root, self))
            .and_then(|()| writer.write_event(Event::Text(BytesText::from_escaped("\n"))));
        if let Err(error) = written {
            // Writing into a Vec cannot fail; should it ever, the document is cut, and said so.
            tracing::error!(%error, "cannot write an Open311 XML document");
        }
        // Only `&str`s went in, so the bytes are UTF-8.
        String::from_utf8_lossy(&writer.into_inner()).into_owned()
    }

    /// The document in `format`: JSON keeps the fields in the spec's order, as XML does.
    pub fn to_string(&self, format: Format, root: &str) -> String {
        match format {
            Format::Json => serde_json::to_string(self).unwrap_or_else(|_| "null".to_owned()),
            Format::Xml => self.to_xml(root),
        }
    }

    /// The body of a response in `format`; `root` names the XML document element.
    pub fn respond(&self, format: Format, root: &str, status: StatusCode) -> Response {
        let body = self.to_string(format, root);
        (
            status,
            [(header::CONTENT_TYPE, format.content_type())],
            body,
        )
            .into_response()
    }
}

/// Straight to JSON text, so that records keep their field order (a `serde_json::Value` would
/// sort the keys).
impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_none(),
            Self::Bool(value) => serializer.serialize_bool(*value),
            Self::Int(value) => serializer.serialize_i64(*value),
            Self::Float(value) if value.is_finite() => serializer.serialize_f64(*value),
            Self::Float(_) => serializer.serialize_none(),
            Self::Text(value) => serializer.serialize_str(value),
            Self::List { items, .. } => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Record(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (name, node) in fields {
                    map.serialize_entry(name, node)?;
                }
                map.end()
            }
            Self::Map { entries, .. } => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, node) in entries {
                    map.serialize_entry(key, node)?;
                }
                map.end()
            }
        }
    }
}

fn write_element(writer: &mut Writer<Vec<u8>>, name: &str, node: &Node) -> std::io::Result<()> {
    let element = writer.create_element(name);
    let text = |text: &str| BytesText::new(text).into_owned();
    match node {
        Node::Null => element.write_empty(),
        Node::List { items, .. } if items.is_empty() => element.write_empty(),
        Node::Map { entries, .. } if entries.is_empty() => element.write_empty(),
        Node::List { item, items } => element.write_inner_content(|writer| {
            items
                .iter()
                .try_for_each(|child| write_element(writer, item, child))
        }),
        Node::Record(fields) => element.write_inner_content(|writer| {
            fields
                .iter()
                .try_for_each(|(field, child)| write_element(writer, field, child))
        }),
        // `{code: answer}` as `<item><code>…</code><value>…</value></item>`, `<values>` for a list.
        Node::Map { item, entries } => element.write_inner_content(|writer| {
            entries.iter().try_for_each(|(key, value)| {
                let name = match value {
                    Node::List { .. } => "values",
                    _ => "value",
                };
                let entry = Node::Record(vec![
                    ("code", Node::text(key.clone())),
                    (name, value.clone()),
                ]);
                write_element(writer, item, &entry)
            })
        }),
        Node::Bool(value) => element.write_text_content(text(&value.to_string())),
        Node::Int(value) => element.write_text_content(text(&value.to_string())),
        Node::Float(value) => element.write_text_content(text(&value.to_string())),
        Node::Text(value) => element.write_text_content(text(&xml_chars(value))),
    }
    .map(|_| ())
}

/// `text` without the characters XML 1.0 cannot hold at all (most C0 controls), which a
/// resident's description could contain and which would make the document ill-formed; the
/// writer escapes the rest.
fn xml_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || !(c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}')
        })
        .collect()
}

/// Middleware of the Open311 area, outside the area's JSON error layer: an error answering a
/// `.xml` path is re-rendered as the spec's `<errors><error>…` document.
pub async fn xml_errors(request: Request, next: Next) -> Response {
    let format = Format::of_path(request.uri().path());
    let response = next.run(request).await;
    if format == Format::Json {
        return response;
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let descriptions = match response.extensions().get::<ErrorList>() {
        Some(ErrorList(list)) => list.clone(),
        None => {
            let info = response
                .extensions()
                .get::<ErrorInfo>()
                .cloned()
                .unwrap_or_else(|| ErrorInfo::from_status(status));
            vec![
                info.detail
                    .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned()),
            ]
        }
    };
    let (mut parts, _) = response.into_parts();
    let body = error_list(status, &descriptions).to_xml("errors");
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(XML_TYPE));
    Response::from_parts(parts, Body::from(body))
}

/// Marks a response made by [`errors`], so that [`xml_errors`] can re-render every entry.
#[derive(Debug, Clone)]
struct ErrorList(Vec<String>);

/// An Open311 error response with one entry per problem (all the validation failures of a
/// request at once, so a client can fix them in one go), or with a description that
/// [`AppError`]'s variants cannot carry (403, 429). JSON here: the area's JSON layer leaves it as
/// is, and [`xml_errors`] turns it into XML for a `.xml` path.
pub fn errors(status: StatusCode, descriptions: Vec<String>) -> Response {
    let mut response = error_list(status, &descriptions).respond(Format::Json, "errors", status);
    response.extensions_mut().insert(ErrorList(descriptions));
    response
}

/// The spec's error list: one `{code, description}` per problem.
pub fn error_list(status: StatusCode, descriptions: &[String]) -> Node {
    Node::List {
        item: "error",
        items: descriptions
            .iter()
            .map(|description| {
                Node::Record(vec![
                    ("code", Node::Int(i64::from(status.as_u16()))),
                    ("description", Node::text(description.clone())),
                ])
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_extension() {
        assert_eq!(
            Format::split("services.json").ok(),
            Some(("services", Format::Json))
        );
        assert_eq!(
            Format::split("pot.hole.xml").ok(),
            Some(("pot.hole", Format::Xml))
        );
        assert!(Format::split("services").is_err());
        assert!(Format::split("services.csv").is_err());
        assert!(Format::split(".json").is_err());
    }

    #[test]
    fn xml_escapes_markup_and_drops_illegal_characters() {
        let node = Node::Record(vec![
            ("a", Node::text("<b> & \"c\" 'd' \u{1}é")),
            ("n", Node::Null),
            (
                "l",
                Node::List {
                    item: "i",
                    items: vec![Node::Int(1), Node::Bool(true)],
                },
            ),
        ]);
        assert_eq!(
            node.to_xml("r"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<r><a>&lt;b&gt; &amp; &quot;c&quot; \
             &apos;d&apos; é</a><n/><l><i>1</i><i>true</i></l></r>\n"
        );
        // A textarea's CRLF survives: a bare CR would be read back as LF.
        assert_eq!(
            Node::text("a\r\nb").to_xml("d"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d>a&#13;\nb</d>\n"
        );
    }

    #[test]
    fn json_follows_the_same_tree() {
        let node = Node::List {
            item: "x",
            items: vec![Node::Record(vec![
                ("id", Node::text("7")),
                ("lat", Node::Float(47.5)),
                ("none", Node::Null),
            ])],
        };
        let text = node.to_string(Format::Json, "r");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).ok(),
            Some(serde_json::json!([{"id": "7", "lat": 47.5, "none": null}]))
        );
        let unordered = Node::Record(vec![("z", Node::Int(1)), ("a", Node::Int(2))]);
        assert_eq!(unordered.to_string(Format::Json, "r"), r#"{"z":1,"a":2}"#);
    }

    #[test]
    fn maps_key_by_data_in_json_and_by_code_elements_in_xml() {
        let map = Node::Map {
            item: "attribute",
            entries: vec![
                ("006".to_owned(), Node::text("a<b")),
                (
                    "liste".to_owned(),
                    Node::List {
                        item: "value",
                        items: vec![Node::text("x"), Node::text("y")],
                    },
                ),
            ],
        };
        assert_eq!(
            map.to_string(Format::Json, "attributes"),
            r#"{"006":"a<b","liste":["x","y"]}"#
        );
        assert_eq!(
            map.to_xml("attributes"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<attributes><attribute><code>006</code>\
             <value>a&lt;b</value></attribute><attribute><code>liste</code><values><value>x</value>\
             <value>y</value></values></attribute></attributes>\n"
        );
        let empty = Node::Map {
            item: "attribute",
            entries: Vec::new(),
        };
        assert_eq!(empty.to_string(Format::Json, "a"), "{}");
        assert_eq!(
            empty.to_xml("a"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a/>\n"
        );
    }
}
