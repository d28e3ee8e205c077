//! `application/x-www-form-urlencoded` bodies (WHATWG URL standard), as Open311 POSTs use.
//!
//! Hand-written (a dozen lines each way) so the wasm app needs no extra crate.

use crate::error::ParseError;

const DOCUMENT: &str = "form body (application/x-www-form-urlencoded)";

/// Encodes name/value pairs: `*-._` and ASCII alphanumerics as is, space as `+`, the rest
/// as `%XX` of its UTF-8 bytes.
pub fn encode_form(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(name, &mut out);
        out.push('=');
        encode_component(value, &mut out);
    }
    out
}

fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        match b {
            b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0F)]));
            }
        }
    }
}

/// Decodes a form body into pairs, in order. `+` is a space; a malformed `%` escape or
/// bytes that are not UTF-8 are errors. Empty segments (`a=1&&b=2`) are skipped.
pub fn decode_form(body: &str) -> Result<Vec<(String, String)>, ParseError> {
    body.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            Ok((decode_component(name)?, decode_component(value)?))
        })
        .collect()
}

fn decode_component(text: &str) -> Result<String, ParseError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ParseError::invalid(
                            DOCUMENT,
                            text,
                            "a '%' is not followed by two hex digits",
                        )
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| ParseError::invalid(DOCUMENT, text, "the decoded bytes are not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn encodes_like_url_search_params() {
        let body = encode_form(&pairs(&[
            ("service_code", "001"),
            ("description", "Lampadaire éteint, rue & place"),
            ("attribute[KIND][]", "a b"),
        ]));
        assert_eq!(
            body,
            "service_code=001&description=Lampadaire+%C3%A9teint%2C+rue+%26+place&attribute%5BKIND%5D%5B%5D=a+b"
        );
    }

    #[test]
    fn round_trips() {
        let original = pairs(&[("a", "x=y&z"), ("émoji", "🚲 +1%"), ("empty", "")]);
        assert_eq!(decode_form(&encode_form(&original)).unwrap(), original);
        assert_eq!(
            decode_form("a=1&&b").unwrap(),
            pairs(&[("a", "1"), ("b", "")])
        );
    }

    #[test]
    fn bad_escapes_are_errors() {
        assert!(decode_form("a=%zz").is_err());
        assert!(decode_form("a=%4").is_err());
        let err = decode_form("a=%ff").unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }
}
