//! Security headers sent on every response, and the Content-Security-Policy they carry.
//!
//! The CSP allows no inline script except the exact ones in `dist/index.html` (Trunk writes an
//! inline module script that loads the wasm), by their SHA-256, recomputed whenever index.html
//! or config.json change. `config.json` decides who may frame the app (the embed widget) and
//! which other origins the app may load tiles from or call.

use std::{
    path::Path,
    sync::{PoisonError, RwLock},
};

use axum::{
    extract::State,
    http::{HeaderName, HeaderValue, header},
    response::Response,
};
use base64::{Engine as _, engine::general_purpose::STANDARD as BASE64};
use sha2::{Digest, Sha256};

use crate::state::AppState;

pub const INDEX_HTML: &str = "index.html";
pub const CONFIG_JSON: &str = "config.json";

/// Only what the app uses; the rest is denied so that an injected script cannot ask for it.
const PERMISSIONS_POLICY: &str = "geolocation=(self), camera=(self), microphone=(), \
     payment=(), usb=(), serial=(), midi=(), accelerometer=(), gyroscope=(), \
     magnetometer=(), display-capture=(), fullscreen=(self)";

/// The CSP in force, with a fingerprint of the files it was computed from.
#[derive(Debug)]
pub struct CspCache {
    current: RwLock<CspEntry>,
}

#[derive(Debug, Clone)]
struct CspEntry {
    sources: [u8; 32],
    header: HeaderValue,
}

impl CspCache {
    /// Computes the policy from the files in `dist` as they are now. Missing files are fine: the
    /// policy is then the strictest one (no inline script, frames only from the same origin).
    pub fn load(dist: &Path) -> Self {
        let index = std::fs::read(dist.join(INDEX_HTML)).ok();
        let config = std::fs::read(dist.join(CONFIG_JSON)).ok();
        Self {
            current: RwLock::new(CspEntry::compute(index.as_deref(), config.as_deref())),
        }
    }

    pub fn header(&self) -> HeaderValue {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .header
            .clone()
    }

    /// Returns the policy matching this exact index.html and config.json, recomputing it (and
    /// keeping it for every later response) only when either changed since the last call, so
    /// that a rebuilt app is served with the hashes of its own scripts without a restart.
    pub fn refresh(&self, index: &[u8], config: Option<&[u8]>) -> HeaderValue {
        let sources = fingerprint(Some(index), config);
        {
            let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
            if current.sources == sources {
                return current.header.clone();
            }
        }
        let entry = CspEntry::compute(Some(index), config);
        let header = entry.header.clone();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = entry;
        header
    }
}

impl CspEntry {
    fn compute(index: Option<&[u8]>, config: Option<&[u8]>) -> Self {
        let policy = content_security_policy(
            index.map(String::from_utf8_lossy).as_deref(),
            config.and_then(parse_config).as_ref(),
        );
        let header = HeaderValue::from_str(&policy).unwrap_or_else(|_| {
            // Every piece is validated ASCII, so this only guards against a future bug.
            tracing::error!(%policy, "CSP is not a valid header value; using the strict default");
            HeaderValue::from_static(STRICT_FALLBACK_CSP)
        });
        Self {
            sources: fingerprint(index, config),
            header,
        }
    }
}

const STRICT_FALLBACK_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

fn fingerprint(index: Option<&[u8]>, config: Option<&[u8]>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [index, config] {
        match part {
            Some(bytes) => {
                hasher.update([1]);
                hasher.update(u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_le_bytes());
                hasher.update(bytes);
            }
            None => hasher.update([0]),
        }
    }
    hasher.finalize().into()
}

fn parse_config(bytes: &[u8]) -> Option<serde_json::Value> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) if value.is_object() => Some(value),
        Ok(_) => {
            tracing::warn!("config.json is not a JSON object; CSP uses its strict defaults");
            None
        }
        Err(error) => {
            tracing::warn!(%error, "config.json is unreadable; CSP uses its strict defaults");
            None
        }
    }
}

/// Builds the policy string. `index_html` gives the inline scripts (and styles) to allow by hash;
/// `config` gives `embed.allowedParentOrigins`, an absolute `map.tiles.url`, and absolute API
/// base URLs (a town whose app talks to its own broker on another origin).
pub fn content_security_policy(
    index_html: Option<&str>,
    config: Option<&serde_json::Value>,
) -> String {
    let script_hashes: Vec<String> = index_html
        .map(|html| inline_element_bodies(html, "script"))
        .unwrap_or_default()
        .into_iter()
        .map(csp_hash)
        .collect();
    let style_hashes: Vec<String> = index_html
        .map(|html| inline_element_bodies(html, "style"))
        .unwrap_or_default()
        .into_iter()
        .map(csp_hash)
        .collect();

    let pointer = |path: &str| config.and_then(|c| c.pointer(path));
    let tile_origin = pointer("/map/tiles/url")
        .and_then(|url| url.as_str())
        .and_then(|url| absolute_origin(url, "map.tiles.url"));
    let api_origins: Vec<String> = ["/api/ngsiLd", "/api/open311", "/api/resident"]
        .iter()
        .filter_map(|path| pointer(path)?.as_str())
        .filter_map(|url| absolute_origin(url, "api base URL"))
        .collect();
    let parent_origins: Vec<String> = pointer("/embed/allowedParentOrigins")
        .and_then(|origins| origins.as_array())
        .map(|origins| {
            origins
                .iter()
                .filter_map(|origin| origin.as_str())
                .filter_map(|origin| {
                    let parsed = origin_of(origin);
                    if parsed.is_none() {
                        tracing::warn!(
                            origin,
                            "ignoring an invalid embed.allowedParentOrigins entry"
                        );
                    }
                    parsed
                })
                .collect()
        })
        .unwrap_or_default();

    let directive = |name: &str, fixed: &[&str], extra: &[String]| {
        let mut sources: Vec<&str> = fixed.to_vec();
        for source in extra {
            if !sources.contains(&source.as_str()) {
                sources.push(source);
            }
        }
        format!("{name} {}", sources.join(" "))
    };
    [
        "default-src 'self'".to_owned(),
        directive(
            "script-src",
            &["'self'", "'wasm-unsafe-eval'"],
            &script_hashes,
        ),
        directive("style-src", &["'self'"], &style_hashes),
        // Leaflet positions its panes with style attributes; attributes cannot run code.
        "style-src-attr 'unsafe-inline'".to_owned(),
        // blob: for the preview of a photo resized in the browser before upload.
        directive(
            "img-src",
            &["'self'", "data:", "blob:"],
            tile_origin.as_slice(),
        ),
        directive("connect-src", &["'self'"], &api_origins),
        "font-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        directive("frame-ancestors", &["'self'"], &parent_origins),
        "manifest-src 'self'".to_owned(),
    ]
    .join("; ")
}

/// `'sha256-…'` of an inline element's text as the browser hashes it: after the HTML parser
/// has turned CRLF and lone CR into LF.
fn csp_hash(body: &str) -> String {
    let normalized = body.replace("\r\n", "\n").replace('\r', "\n");
    format!(
        "'sha256-{}'",
        BASE64.encode(Sha256::digest(normalized.as_bytes()))
    )
}

fn absolute_origin(url: &str, what: &str) -> Option<String> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return None;
    }
    let origin = origin_of(url);
    if origin.is_none() {
        tracing::warn!(url, "ignoring an unusable {what} for the CSP");
    }
    origin
}

/// `scheme://host[:port]` of an http(s) URL, lowercased, or `None` if it is anything else.
/// Strict on purpose: the result goes into a header, so nothing but host characters may pass.
/// A Leaflet subdomain placeholder (`https://{s}.tile.example.org/…`) becomes a `*.` wildcard.
pub fn origin_of(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host = match host.strip_prefix('{') {
        Some(placeholder) => format!("*.{}", placeholder.split_once("}.")?.1),
        None => host.to_owned(),
    };
    let host_body = host.strip_prefix("*.").unwrap_or(&host);
    let host_ok = !host_body.is_empty()
        && host_body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return None;
    }
    Some(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The text of each `<tag …>…</tag>` element that has no `src` attribute, exactly as written.
/// A small scanner rather than an HTML parser: index.html is Trunk's output, not user input, and
/// a script it misses is only blocked by the CSP, never let through.
pub fn inline_element_bodies<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut bodies = Vec::new();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(&open) {
        let name_end = pos + found + open.len();
        let boundary = lower.as_bytes().get(name_end).copied();
        if !boundary.is_some_and(|b| b.is_ascii_whitespace() || b == b'>' || b == b'/') {
            pos = name_end;
            continue;
        }
        let Some(tag_end) = find_tag_end(&lower, name_end) else {
            break;
        };
        let body_start = tag_end + 1;
        let Some(body_len) = lower[body_start..].find(&close) else {
            break;
        };
        let body_end = body_start + body_len;
        if !has_attribute(&lower[name_end..tag_end], "src") {
            bodies.push(&html[body_start..body_end]);
        }
        pos = body_end + close.len();
    }
    bodies
}

/// Index of the `>` closing a start tag, skipping quoted attribute values.
fn find_tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (offset, byte) in html.as_bytes()[from..].iter().enumerate() {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(*byte),
            (Some(q), b) if q == *b => quote = None,
            (None, b'>') => return Some(from + offset),
            _ => {}
        }
    }
    None
}

fn has_attribute(attributes: &str, wanted: &str) -> bool {
    let bytes = attributes.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'/')
        {
            i += 1;
        }
        if attributes[name_start..i] == *wanted {
            return true;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                }
            }
        }
    }
    false
}

/// Outermost layer: the security headers on every response, whoever produced it, and
/// `Cache-Control: no-store` on whatever did not choose its own caching (API answers, errors).
pub async fn apply_headers(State(state): State<AppState>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, state.csp.header());
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // No X-Frame-Options: it cannot list the towns' sites, and frame-ancestors governs.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = r#"<html><head>
<script src="/leaflet.js"></script>
<SCRIPT type="module">import init from '/a.js';
await init();</SCRIPT>
<script data-src="x" type='text/javascript'>one()</script>
<scripts>not a script</scripts>
<script type="module" src='/b.js' defer></script>
<link rel="modulepreload" href="/a.js"></head></html>"#;
        assert_eq!(
            inline_element_bodies(html, "script"),
            vec!["import init from '/a.js';\nawait init();", "one()"]
        );
    }

    #[test]
    fn an_attribute_value_with_a_gt_sign_does_not_end_the_tag() {
        let html = r#"<script data-x="a>b" src="/x.js"></script><script>two()</script>"#;
        assert_eq!(inline_element_bodies(html, "script"), vec!["two()"]);
    }

    #[test]
    fn hash_matches_the_browser_after_newline_normalisation() {
        // echo -n 'alert(1)' | sha256sum | xxd -r -p | base64
        assert_eq!(
            csp_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        assert_eq!(csp_hash("a\r\nb\rc"), csp_hash("a\nb\nc"));
    }

    #[test]
    fn origins_are_strict() {
        assert_eq!(
            origin_of("https://Tiles.Example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tiles.example.org")
        );
        assert_eq!(
            origin_of("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.openstreetmap.org")
        );
        assert_eq!(
            origin_of("http://localhost:8081").as_deref(),
            Some("http://localhost:8081")
        );
        assert_eq!(origin_of("https://evil.org; script-src *"), None);
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://user@host.org"), None);
        assert_eq!(origin_of("https://host.org:80x"), None);
        assert_eq!(origin_of("/tiles/{z}/{x}/{y}.png"), None);
    }

    #[test]
    fn policy_without_files_is_the_strict_default() {
        let csp = content_security_policy(None, None);
        assert_eq!(
            csp,
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
             font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'self'; manifest-src 'self'"
        );
    }

    #[test]
    fn policy_takes_hashes_and_origins_from_the_files() {
        let config = json!({
            "map": { "tiles": { "url": "https://tiles.example.org/{z}/{x}/{y}.png" } },
            "api": { "ngsiLd": "https://broker.example.org/ngsi-ld/v1", "open311": "/open311/v2" },
            "embed": { "allowedParentOrigins": ["https://www.example.org", "not an origin"] }
        });
        let csp = content_security_policy(
            Some("<script>alert(1)</script><style>p{}</style>"),
            Some(&config),
        );
        assert!(csp.contains(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='; "
        ), "{csp}");
        assert!(
            csp.contains(&format!("style-src 'self' {}; ", csp_hash("p{}"))),
            "{csp}"
        );
        assert!(
            csp.contains("img-src 'self' data: blob: https://tiles.example.org; "),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' https://broker.example.org; "),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'self' https://www.example.org; "),
            "{csp}"
        );
        assert!(!csp.contains("not an origin"));
    }

    #[test]
    fn refresh_follows_a_rebuilt_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = CspCache::load(dir.path());
        assert!(!cache.header().to_str().expect("ascii").contains("sha256"));
        let first = cache.refresh(b"<script>alert(1)</script>", None);
        assert!(first.to_str().expect("ascii").contains("bhHHL3z2"));
        assert_eq!(cache.header(), first);
        let second = cache.refresh(b"<script>alert(2)</script>", None);
        assert_ne!(first, second);
        assert_eq!(cache.header(), second);
    }
}
