//! Open311 XML documents → clean types (cargo feature `xml`).
//!
//! A small walk over quick-xml events builds the same `serde_json::Value` shape the JSON
//! readers take, so both formats share every rule. The walk is what makes XML quirks
//! harmless: element order does not matter (`<long>` before `<lat>`), attributes are ignored
//! (`is_array="true"`, foreign `xmlns:*` declarations), prefixes are dropped (`<m:service>`),
//! empty elements (`<keywords/>`, `<updated_datetime/>`, `<account_id/>`) read as absent,
//! repeated elements become lists and a lone one a list of one. Entities other than the five
//! predefined ones and character references are refused (no DTD expansion).

use super::json::{
    created_from_value, errors_from_value, requests_from_value, services_from_value,
    token_from_value,
};
use super::{
    CreatedRequest, Discovery, Open311Error, Service, ServiceDefinition, ServiceRequest,
    TokenLookup,
};
use crate::error::ParseError;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde_json::{Map, Value};

/// Deepest element nesting accepted (Open311 documents use four levels).
const MAX_DEPTH: usize = 32;

/// Parses `discovery.xml`.
pub fn parse_discovery(body: &str) -> Result<Discovery, ParseError> {
    const DOC: &str = "Open311 discovery (XML)";
    Discovery::from_value(DOC, "", &document(DOC, body, "discovery")?)
}

/// Parses `services.xml`.
pub fn parse_services(body: &str) -> Result<Vec<Service>, ParseError> {
    const DOC: &str = "Open311 services (XML)";
    services_from_value(DOC, &list(document(DOC, body, "services")?))
}

/// Parses `services/{code}.xml`, with or without the `<attributes>` wrapper.
pub fn parse_service_definition(body: &str) -> Result<ServiceDefinition, ParseError> {
    const DOC: &str = "Open311 service definition (XML)";
    ServiceDefinition::from_value(DOC, "", &document(DOC, body, "service_definition")?)
}

/// Parses `requests.xml` (an empty `<service_requests>` gives an empty list).
pub fn parse_service_requests(body: &str) -> Result<Vec<ServiceRequest>, ParseError> {
    const DOC: &str = "Open311 service requests (XML)";
    requests_from_value(DOC, &list(document(DOC, body, "service_requests")?))
}

/// Parses `requests/{id}.xml` (the first request is taken if there are more).
pub fn parse_service_request(body: &str) -> Result<ServiceRequest, ParseError> {
    const DOC: &str = "Open311 service request (XML)";
    requests_from_value(DOC, &list(document(DOC, body, "service_requests")?))?
        .into_iter()
        .next()
        .ok_or_else(|| ParseError::shape(DOC, "one <request>", "an empty <service_requests>"))
}

/// Parses the response of `POST requests.xml`.
pub fn parse_created_request(body: &str) -> Result<CreatedRequest, ParseError> {
    const DOC: &str = "Open311 POST service request response (XML)";
    created_from_value(DOC, &list(document(DOC, body, "service_requests")?))
}

/// Parses `tokens/{token}.xml`.
pub fn parse_token_lookup(body: &str) -> Result<TokenLookup, ParseError> {
    const DOC: &str = "Open311 request id from token (XML)";
    token_from_value(DOC, &list(document(DOC, body, "service_requests")?))
}

/// Parses `<errors><error><code/><description/></error></errors>`.
pub fn parse_errors(body: &str) -> Result<Vec<Open311Error>, ParseError> {
    const DOC: &str = "Open311 errors (XML)";
    errors_from_value(DOC, &list(document(DOC, body, "errors")?))
}

/// An empty list root (`<service_requests/>`) reads as an empty JSON list.
fn list(value: Value) -> Value {
    if value.is_null() {
        Value::Array(Vec::new())
    } else {
        value
    }
}

/// Reads the body, checks the root element's name and returns its content.
fn document(document: &'static str, body: &str, root: &str) -> Result<Value, ParseError> {
    let (name, value) = to_value(document, body)?;
    if name == root {
        return Ok(value);
    }
    if name == "errors" {
        let first = errors_from_value(document, &list(value))
            .ok()
            .and_then(|e| e.into_iter().next())
            .map(|e| format!("an Open311 <errors> document (first: {e})"))
            .unwrap_or_else(|| "an Open311 <errors> document".to_owned());
        return Err(ParseError::shape(
            document,
            format!("root element <{root}>"),
            first,
        ));
    }
    Err(ParseError::shape(
        document,
        format!("root element <{root}>"),
        format!("<{name}>"),
    ))
}

struct Frame {
    name: String,
    children: Map<String, Value>,
    text: String,
}

impl Frame {
    fn new(name: &str) -> Self {
        Frame {
            name: name.to_owned(),
            children: Map::new(),
            text: String::new(),
        }
    }

    /// Elements with children become objects; leaves become their text, or `null` when
    /// blank.
    fn into_value(self) -> (String, Value) {
        let value = if !self.children.is_empty() {
            Value::Object(self.children)
        } else if self.text.trim().is_empty() {
            Value::Null
        } else {
            Value::String(self.text)
        };
        (self.name, value)
    }

    /// Adds a child; a repeated name turns into a list.
    fn add(&mut self, name: String, value: Value) {
        match self.children.get_mut(&name) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                self.children.insert(name, value);
            }
        }
    }
}

/// Turns an XML document into `(root local name, content)`.
pub(crate) fn to_value(document: &'static str, body: &str) -> Result<(String, Value), ParseError> {
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<(String, Value)> = None;
    let xml_error = |reader: &Reader<&[u8]>, message: String| ParseError::Xml {
        document,
        message: format!("{message} (at byte {})", reader.error_position()),
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(&reader, e.to_string()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(xml_error(&reader, "a second root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(xml_error(
                        &reader,
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                stack.push(Frame::new(start.local_name().as_ref()));
            }
            Event::Empty(start) => {
                let name = start.local_name().as_ref().to_owned();
                match stack.last_mut() {
                    Some(parent) => parent.add(name, Value::Null),
                    None if root.is_none() => root = Some((name, Value::Null)),
                    None => return Err(xml_error(&reader, "a second root element".into())),
                }
            }
            Event::End(_) => {
                let Some(frame) = stack.pop() else {
                    return Err(xml_error(&reader, "an end tag without a start tag".into()));
                };
                let (name, value) = frame.into_value();
                match stack.last_mut() {
                    Some(parent) => parent.add(name, value),
                    None => root = Some((name, value)),
                }
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(xml_error(&reader, "text outside the root element".into())),
                }
            }
            Event::CData(data) => {
                if let Some(frame) = stack.last_mut() {
                    frame.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&reference)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            xml_error(&reader, format!("unknown entity &{};", &*reference))
                        })?,
                    Err(e) => return Err(xml_error(&reader, e.to_string())),
                };
                if let Some(frame) = stack.last_mut() {
                    frame.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(ParseError::Xml {
            document,
            message: format!("the document ends inside <{}>", open.name),
        });
    }
    root.ok_or_else(|| ParseError::Xml {
        document,
        message: "no root element".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_the_json_shape() {
        let (root, v) = to_value(
            "doc",
            r#"<?xml version="1.0"?><services xmlns:m="urn:x" is_array="true">
                 <m:service><service_code>001</service_code><keywords/></m:service>
                 <service><service_code>002</service_code><description>a &amp; b&#233;</description></service>
               </services>"#,
        )
        .unwrap();
        assert_eq!(root, "services");
        assert_eq!(
            v,
            json!({"service": [
                {"service_code": "001", "keywords": null},
                {"service_code": "002", "description": "a & bé"}
            ]})
        );
    }

    #[test]
    fn empty_roots_and_cdata() {
        assert_eq!(
            to_value("doc", "<service_requests>\n</service_requests>")
                .unwrap()
                .1,
            Value::Null
        );
        assert_eq!(
            to_value("doc", "<service_requests/>").unwrap().1,
            Value::Null
        );
        let (_, v) = to_value("doc", "<a><b><![CDATA[<x>]]></b></a>").unwrap();
        assert_eq!(v, json!({"b": "<x>"}));
    }

    #[test]
    fn malformed_documents_are_explained() {
        for (body, needle) in [
            ("<a><b></a>", "not well-formed XML"),
            ("<a>", "ends inside <a>"),
            ("", "no root element"),
            ("<a/><b/>", "second root"),
            ("<a>&custom;</a>", "unknown entity"),
            ("HTTP/1.1 403 Forbidden\n<errors/>", "text outside the root"),
        ] {
            let err = to_value("doc", body).unwrap_err();
            assert!(err.to_string().contains(needle), "{body}: {err}");
        }
    }

    #[test]
    fn long_before_lat_and_empty_elements() {
        let body = r#"<service_requests><request>
            <service_request_id>101005420892</service_request_id><status>open</status>
            <service_code>CSROWR-12</service_code><description/><updated_datetime/>
            <long>-79.272306875</long><lat>43.691104288</lat><media_url/>
          </request></service_requests>"#;
        let r = parse_service_request(body).unwrap();
        let p = r.position.unwrap();
        assert_eq!((p.lon, p.lat), (-79.272306875, 43.691104288));
        assert_eq!(r.updated_datetime, None);
        assert_eq!(r.media_url, None);
        assert_eq!(r.service_code.as_deref(), Some("CSROWR-12"));
    }

    #[test]
    fn wrong_root_and_error_documents() {
        let errors = "<errors><error><code>403</code><description>Invalid api_key</description></error></errors>";
        let err = parse_services(errors).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Open311 services (XML): expected root element <services>, found an Open311 <errors> document (first: 403 Invalid api_key)"
        );
        assert_eq!(parse_errors(errors).unwrap()[0].code, "403");
        let err = parse_services("<discovery/>").unwrap_err();
        assert!(err.to_string().contains("found <discovery>"), "{err}");
        assert!(
            parse_service_requests("<service_requests/>")
                .unwrap()
                .is_empty()
        );
        assert!(parse_service_request("<service_requests/>").is_err());
    }

    #[test]
    fn definition_values_one_or_many() {
        let body = "<service_definition><service_code>X</service_code><attributes><attribute>
            <code>A</code><datatype>singlevaluelist</datatype>
            <values><value><key>1</key><name>One</name></value></values>
          </attribute></attributes></service_definition>";
        let d = parse_service_definition(body).unwrap();
        assert_eq!(d.attributes[0].values.len(), 1);
        assert_eq!(d.attributes[0].values[0].name, "One");
    }

    #[test]
    fn photos_and_answers_of_the_quartier_extensions() {
        use super::super::AttributeAnswer;
        let body = "<service_requests><request><service_request_id>7</service_request_id>
            <status>open</status><media_url>/m/1</media_url>
            <media_urls><media_url>/m/1</media_url><media_url>/m/2</media_url></media_urls>
            <attributes>
              <attribute><code>taille</code><value>petit</value></attribute>
              <attribute><code>usagers</code><values><value>velos</value><value>pietons</value></values></attribute>
              <attribute><code>nature</code><values><value>gravats</value></values></attribute>
              <attribute><code>vide</code><value/></attribute>
            </attributes></request></service_requests>";
        let r = parse_service_request(body).unwrap();
        assert_eq!(r.media_urls, ["/m/1", "/m/2"]);
        let texts = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect();
        assert_eq!(
            r.attributes.into_iter().collect::<Vec<_>>(),
            [
                (
                    "nature".to_owned(),
                    AttributeAnswer::Multiple(texts(&["gravats"]))
                ),
                (
                    "taille".to_owned(),
                    AttributeAnswer::Single("petit".to_owned())
                ),
                (
                    "usagers".to_owned(),
                    AttributeAnswer::Multiple(texts(&["velos", "pietons"]))
                ),
            ],
            "a one-item list stays a list; a blank answer is left out"
        );
        let one = "<service_requests><request><service_request_id>7</service_request_id>
            <status>open</status><media_urls><media_url>/m/3</media_url></media_urls>
            <attributes><attribute><code>taille</code><value>grand</value></attribute></attributes>
            </request></service_requests>";
        let r = parse_service_request(one).unwrap();
        assert_eq!(r.media_urls, ["/m/3"]);
        assert_eq!(r.media_url, None, "media_urls does not invent a media_url");
        assert_eq!(
            r.attributes.get("taille"),
            Some(&AttributeAnswer::Single("grand".to_owned()))
        );
    }
}
