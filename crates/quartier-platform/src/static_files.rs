//! The built app: files from `--dist`, `index.html` for every client-side route, cache headers.
//!
//! Paths without a file extension belong to the app's router (`/map`, `/reports/12`) and get
//! index.html, so the app can show its own "not found" page; a missing file with an extension is
//! a real 404, so a stale script reference fails loudly instead of parsing HTML as JavaScript.
//!
//! Not tower-http's `ServeDir`, although it serves precompressed siblings too: it would serve a
//! `.br` left behind by an earlier build (it does not check that the copy is as new as the file),
//! send no `ETag` per representation, and index.html needs its own handling anyway (a CSP with
//! the hashes of its scripts, recomputed when it changes, and the map's preload `Link`).

use std::{fs::Metadata, io::ErrorKind, path::PathBuf, time::UNIX_EPOCH};

use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::{
    error::{AppError, ErrorFormat, ErrorInfo},
    routes,
    security::{CONFIG_JSON, INDEX_HTML},
    state::AppState,
};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";
const ONE_HOUR: &str = "public, max-age=3600";

/// The router's fallback: everything that no API route claimed.
pub async fn serve(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    if let Some(format) = routes::area_of(path) {
        return AppError::not_found(format!("no resource at {path}")).render(format);
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain_status(StatusCode::METHOD_NOT_ALLOWED);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Some(segments) = safe_segments(path) else {
        return plain_status(StatusCode::NOT_FOUND);
    };
    let response = match segments.as_slice() {
        [] => serve_index(&state, &headers, &segments).await,
        [only] if *only == INDEX_HTML => serve_index(&state, &headers, &segments).await,
        [.., last] if has_extension(last) => serve_file(&state, &segments, &headers).await,
        _ => serve_index(&state, &headers, &segments).await,
    };
    if method == Method::HEAD {
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, Body::empty());
    }
    response
}

fn plain_status(status: StatusCode) -> Response {
    ErrorInfo::from_status(status).render(ErrorFormat::Plain)
}

/// The non-empty segments of `path`, or `None` if one could step outside `dist` or reach a
/// hidden file. Percent-escapes are left as they are, so `%2e%2e` is a harmless literal name.
fn safe_segments(path: &str) -> Option<Vec<&str>> {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let unsafe_segment = segment.starts_with('.') || segment.contains(['\\', '\0', ':']);
            (!unsafe_segment).then_some(segment)
        })
        .collect()
}

fn has_extension(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
}

/// Written by the build's split step: for each split point of the app, the wasm files its first
/// call downloads.
const ROUTE_PRELOADS: &str = "route-preloads.json";

/// The split point whose code a page needs at once: the map's, on the map pages.
fn split_of_page(segments: &[&str]) -> Option<&'static str> {
    match segments {
        ["map"] | ["embed", "map"] => Some("map"),
        _ => None,
    }
}

/// `Link: </split_map-….wasm>; rel=preload; as=fetch; crossorigin, …` for the page's own code,
/// so that the browser downloads it with the main wasm rather than once the app has started.
/// Nothing when the build has no split (or no manifest).
fn preload_links(manifest: &[u8], split: &str) -> Option<HeaderValue> {
    let manifest: std::collections::HashMap<String, Vec<String>> =
        serde_json::from_slice(manifest).ok()?;
    let links: Vec<String> = manifest
        .get(split)?
        .iter()
        // Only our own file names: a path of the site, no header syntax.
        .filter(|file| {
            file.starts_with('/')
                && file[1..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
        .map(|file| format!("<{file}>; rel=preload; as=fetch; crossorigin"))
        .collect();
    if links.is_empty() {
        return None;
    }
    HeaderValue::from_str(&links.join(", ")).ok()
}

async fn serve_index(state: &AppState, headers: &HeaderMap, segments: &[&str]) -> Response {
    let dist = &state.settings.dist_dir;
    let index = match tokio::fs::read(dist.join(INDEX_HTML)).await {
        Ok(index) => index,
        Err(error) if error.kind() == ErrorKind::NotFound => return app_not_built(),
        Err(error) => {
            return AppError::Internal(anyhow::Error::new(error).context("cannot read index.html"))
                .render(ErrorFormat::Plain);
        }
    };
    // Read on every navigation (two small files) so a rebuilt app or an edited config.json is
    // served with a matching policy without restarting the platform.
    let config = tokio::fs::read(dist.join(CONFIG_JSON)).await.ok();
    let csp = state.csp.refresh(&index, config.as_deref());
    let digest = Sha256::digest(&index);
    // Weak: the compression layer may send this page brotli'd or gzipped under the same tag.
    let etag = format!("W/\"{}\"", hex(&digest[..12]));

    let mut response = if if_none_match(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], index).into_response()
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_SECURITY_POLICY, csp);
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, etag);
    }
    if let Some(split) = split_of_page(segments)
        && let Ok(manifest) = tokio::fs::read(dist.join(ROUTE_PRELOADS)).await
        && let Some(links) = preload_links(&manifest, split)
    {
        out.insert(header::LINK, links);
    }
    response
}

fn app_not_built() -> Response {
    tracing::warn!("index.html is missing from the dist directory");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "The Quartier app is not built yet: build it with Trunk into the --dist directory (see the README).\n",
    )
        .into_response()
}

async fn serve_file(state: &AppState, segments: &[&str], headers: &HeaderMap) -> Response {
    let mut path: PathBuf = state.settings.dist_dir.clone();
    path.extend(segments);
    let not_found = || plain_status(StatusCode::NOT_FOUND);
    let metadata = match tokio::fs::metadata(&path).await {
        Ok(metadata) if metadata.is_file() => metadata,
        Ok(_) => return not_found(),
        Err(error) if error.kind() == ErrorKind::NotFound => return not_found(),
        Err(error) => {
            return AppError::Internal(
                anyhow::Error::new(error).context("cannot stat a static file"),
            )
            .render(ErrorFormat::Plain);
        }
    };
    let name = segments.last().copied().unwrap_or_default();
    let precompressed = precompressed_sibling(&path, &metadata, headers).await;
    let etag = match &precompressed {
        // One tag per representation, so a cache never mixes an encoded body with another.
        Some(sibling) => format!(
            "{}-{}\"",
            weak_etag(&metadata).trim_end_matches('"'),
            sibling.encoding
        ),
        None => weak_etag(&metadata),
    };
    let cache = cache_control(segments);
    let body_path = precompressed
        .as_ref()
        .map_or(&path, |sibling| &sibling.path);

    let mut response = if if_none_match(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match tokio::fs::read(body_path).await {
            Ok(bytes) => ([(header::CONTENT_TYPE, content_type(name))], bytes).into_response(),
            Err(error) if error.kind() == ErrorKind::NotFound => return not_found(),
            Err(error) => {
                return AppError::Internal(
                    anyhow::Error::new(error).context("cannot read a static file"),
                )
                .render(ErrorFormat::Plain);
            }
        }
    };
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, etag);
    }
    if let Some(sibling) = precompressed {
        // The compression layer leaves a response that already has an encoding alone.
        out.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(sibling.encoding),
        );
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// A compressed copy of a static file, written next to it at build time (`name.br`,
/// `name.gz`: `cargo xtask` does it after Trunk, at the highest levels, which on-the-fly
/// compression cannot afford: brotli 11 makes the wasm about 17 % smaller than brotli 4).
struct Precompressed {
    path: PathBuf,
    encoding: &'static str,
}

/// The best precompressed copy the client accepts, if one exists and is not older than the
/// file (a copy left behind by an earlier build is never served).
async fn precompressed_sibling(
    path: &std::path::Path,
    metadata: &Metadata,
    headers: &HeaderMap,
) -> Option<Precompressed> {
    let original = metadata.modified().ok()?;
    for (encoding, extension) in [("br", "br"), ("gzip", "gz")] {
        if !accepts_encoding(headers, encoding) {
            continue;
        }
        let mut sibling = path.as_os_str().to_owned();
        sibling.push(".");
        sibling.push(extension);
        let sibling = PathBuf::from(sibling);
        let fresh = tokio::fs::metadata(&sibling)
            .await
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .is_some_and(|compressed| compressed >= original);
        if fresh {
            return Some(Precompressed {
                path: sibling,
                encoding,
            });
        }
    }
    None
}

/// Whether `Accept-Encoding` allows `coding` (RFC 9110 §12.5.3: listed or `*`, and not
/// `q=0`).
fn accepts_encoding(headers: &HeaderMap, coding: &str) -> bool {
    let mut verdict = None;
    let mut wildcard = None;
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let allowed = parts
            .filter_map(|param| param.trim().strip_prefix("q="))
            .next_back()
            .and_then(|q| q.trim().parse::<f32>().ok())
            .is_none_or(|q| q > 0.0);
        if name.eq_ignore_ascii_case(coding) {
            verdict = Some(allowed);
        } else if name == "*" {
            wildcard = Some(allowed);
        }
    }
    verdict.or(wildcard).unwrap_or(false)
}

/// index.html and config.json must be revalidated on every load (they name the current assets
/// and the town's settings); Trunk's hashed assets never change; the rest may be an hour old.
fn cache_control(segments: &[&str]) -> &'static str {
    match segments.last() {
        Some(&(INDEX_HTML | CONFIG_JSON)) => NO_CACHE,
        _ if segments.iter().any(|segment| carries_content_hash(segment)) => IMMUTABLE,
        _ => ONE_HOUR,
    }
}

/// Trunk's hashed names: `-` and 16 or more hex digits, then `.`, `_` (as in `_bg.wasm`) or the
/// end of the name (a hashed directory such as `snippets/quartier-<hash>/`).
pub fn carries_content_hash(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.match_indices('-').any(|(dash, _)| {
        let start = dash + 1;
        let run = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        run >= 16 && matches!(bytes.get(start + run), None | Some(b'.' | b'_'))
    })
}

pub fn content_type(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "txt" | "ftl" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn weak_etag(metadata: &Metadata) -> String {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    format!("W/\"{:x}-{:x}\"", metadata.len(), modified)
}

/// Weak comparison, as RFC 9110 asks for `If-None-Match`.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashes_are_recognised() {
        assert!(carries_content_hash("quartier-3f5a0c1d2e4b6a79_bg.wasm"));
        assert!(carries_content_hash("quartier-3f5a0c1d2e4b6a79.js"));
        assert!(carries_content_hash("style-8d1c2e3f4a5b6c7d.css"));
        assert!(carries_content_hash("quartier-3f5a0c1d2e4b6a79"));
        assert!(
            !carries_content_hash("style-8d1c2e3f4a5b6c7.css"),
            "15 digits"
        );
        assert!(!carries_content_hash("style-8d1c2e3f4a5b6c7dx.css"));
        assert!(!carries_content_hash("leaflet.js"));
        assert!(!carries_content_hash("config.json"));
    }

    #[test]
    fn the_map_pages_preload_the_maps_code_and_nothing_else() {
        let manifest =
            br#"{"map": ["/split_map-3f5a0c1d2e4b6a79.wasm", "/chunk_10-3f5a0c1d2e4b6a79.wasm"],
                             "sign_in": ["/split_sign_in-3f5a0c1d2e4b6a79.wasm"]}"#;
        let links = preload_links(manifest, "map").unwrap();
        assert_eq!(
            links.to_str().unwrap(),
            "</split_map-3f5a0c1d2e4b6a79.wasm>; rel=preload; as=fetch; crossorigin, \
             </chunk_10-3f5a0c1d2e4b6a79.wasm>; rel=preload; as=fetch; crossorigin"
        );
        assert_eq!(split_of_page(&["map"]), Some("map"));
        assert_eq!(split_of_page(&["embed", "map"]), Some("map"));
        assert_eq!(split_of_page(&[]), None);
        assert_eq!(split_of_page(&["report"]), None);
        // A manifest that is not ours, or names something odd, adds nothing.
        assert!(preload_links(b"not json", "map").is_none());
        assert!(
            preload_links(
                br#"{"map": ["https://evil.example/x.wasm", "/a>; rel=x"]}"#,
                "map"
            )
            .is_none()
        );
    }

    #[test]
    fn cache_policy_by_name() {
        assert_eq!(cache_control(&["index.html"]), NO_CACHE);
        assert_eq!(cache_control(&["config.json"]), NO_CACHE);
        assert_eq!(
            cache_control(&["quartier-3f5a0c1d2e4b6a79_bg.wasm"]),
            IMMUTABLE
        );
        assert_eq!(
            cache_control(&["snippets", "quartier-3f5a0c1d2e4b6a79", "inline0.js"]),
            IMMUTABLE
        );
        assert_eq!(cache_control(&["icons", "icon-192.png"]), ONE_HOUR);
    }

    #[test]
    fn content_types_the_browser_insists_on() {
        assert_eq!(content_type("a_bg.wasm"), "application/wasm");
        assert_eq!(content_type("a.js"), "text/javascript");
        assert_eq!(content_type("config.json"), "application/json");
        assert_eq!(content_type("A.CSS"), "text/css");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        assert_eq!(safe_segments("/a//b/c.js"), Some(vec!["a", "b", "c.js"]));
        assert_eq!(safe_segments("/"), Some(vec![]));
        assert_eq!(safe_segments("/../etc/passwd"), None);
        assert_eq!(safe_segments("/a/..\\b"), None);
        assert_eq!(safe_segments("/.git/config"), None);
        assert_eq!(safe_segments("/c:/x"), None);
    }

    #[test]
    fn extensions_decide_between_file_and_app_route() {
        assert!(has_extension("a.js"));
        assert!(!has_extension("12"));
        assert!(!has_extension("map"));
        assert!(!has_extension("trailing."));
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            headers
        };
        let chromium = with("gzip, deflate, br, zstd");
        assert!(accepts_encoding(&chromium, "br"));
        assert!(accepts_encoding(&chromium, "gzip"));
        assert!(!accepts_encoding(&with("gzip"), "br"));
        assert!(!accepts_encoding(&with("br;q=0, gzip"), "br"));
        assert!(accepts_encoding(&with("BR;q=0.5"), "br"));
        assert!(accepts_encoding(&with("*"), "br"));
        assert!(!accepts_encoding(&with("*, br;q=0"), "br"));
        assert!(!accepts_encoding(&with("identity"), "gzip"));
        assert!(!accepts_encoding(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn etags_compare_weakly() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"abc\""),
        );
        assert!(if_none_match(&headers, "\"abc\""));
        assert!(if_none_match(&headers, "W/\"x\""));
        assert!(!if_none_match(&headers, "\"abcd\""));
        assert!(!if_none_match(&HeaderMap::new(), "\"abc\""));
    }
}
