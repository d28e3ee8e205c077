//! The platform as a browser or an API client sees it, through `build_router(state).oneshot(..)`.

use std::path::Path;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
    response::Response,
};
use http_body_util::BodyExt;
use quartier_platform::{AppState, Settings, build_router};
use tempfile::TempDir;
use tower::ServiceExt;

/// The inline module script Trunk writes, byte for byte as in `INDEX_HTML`.
const INLINE_SCRIPT: &str = r#"
import init, * as bindings from '/quartier-3f5a0c1d2e4b6a79.js';
const wasm = await init({ module_or_path: '/quartier-3f5a0c1d2e4b6a79_bg.wasm' });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
"#;

/// `sha256` of `INLINE_SCRIPT`, computed outside Rust (Python's hashlib) so the test does not
/// share the code it checks.
const INLINE_SCRIPT_HASH: &str = "'sha256-UFNYmUsHfDZnEmGjCNK15Lb6jrAem4ASngcr8k8CKVI='";

const WASM: &str = "quartier-3f5a0c1d2e4b6a79_bg.wasm";
const JS: &str = "quartier-3f5a0c1d2e4b6a79.js";

const EXPECTED_CSP: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval' 'sha256-UFNYmUsHfDZnEmGjCNK15Lb6jrAem4ASngcr8k8CKVI='; \
    style-src 'self'; style-src-attr 'unsafe-inline'; \
    img-src 'self' data: blob: https://tiles.example.org; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'self' https://www.example.org https://mairie.example.fr; manifest-src 'self'";

fn index_html() -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Quartier</title>
<link rel="stylesheet" href="/style-8d1c2e3f4a5b6c7d.css">
<script src="/leaflet.js"></script>
<link rel="modulepreload" href="/{JS}">
<script type="module">{INLINE_SCRIPT}</script>
</head>
<body></body>
</html>
"#
    )
}

const CONFIG: &str = r#"{
  "town": { "name": "Test-sur-Loire" },
  "map": { "tiles": { "url": "https://tiles.example.org/{z}/{x}/{y}.png" } },
  "api": { "ngsiLd": "/ngsi-ld/v1", "open311": "/open311/v2", "resident": "/api/v1" },
  "embed": { "allowedParentOrigins": ["https://www.example.org", "https://mairie.example.fr"] }
}"#;

/// A fake wasm module: the magic number, then enough repetitive bytes to be worth compressing.
fn wasm_bytes() -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend(b"quartier ".repeat(1000));
    bytes
}

struct Fixture {
    dir: TempDir,
    router: Router,
    state: AppState,
}

impl Fixture {
    fn dist(&self) -> std::path::PathBuf {
        self.dir.path().join("dist")
    }
}

fn write(path: &Path, contents: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, contents).expect("write fixture");
}

/// A built app with an index, hashed assets, a plain asset and a config; `with_config: false`
/// leaves config.json out.
fn fixture_with(with_index: bool, with_config: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    if with_index {
        write(&dist.join("index.html"), index_html());
    }
    if with_config {
        write(&dist.join("config.json"), CONFIG);
    }
    write(&dist.join(WASM), wasm_bytes());
    write(
        &dist.join(JS),
        "export default function init() { return 1; }\n".repeat(20),
    );
    write(&dist.join("leaflet.js"), "window.L = {};\n".repeat(40));
    write(
        &dist.join("icons/icon-192.png"),
        b"\x89PNG\r\n\x1a\nnot really",
    );
    // Outside dist: must never be served.
    write(&dir.path().join("secret.txt"), "secret");
    let state = AppState::new(Settings::new(dir.path().join("data"), &dist)).expect("state");
    let router = build_router(state.clone());
    Fixture { dir, router, state }
}

fn fixture() -> Fixture {
    fixture_with(true, true)
}

async fn send(router: &Router, request: Request<Body>) -> Response {
    router.clone().oneshot(request).await.expect("infallible")
}

async fn get(router: &Router, uri: &str) -> Response {
    send(
        router,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await
}

async fn get_with(router: &Router, uri: &str, name: &str, value: &str) -> Response {
    let request = Request::get(uri)
        .header(name, value)
        .body(Body::empty())
        .expect("request");
    send(router, request).await
}

async fn body_bytes(response: Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

async fn body_json(response: Response) -> serde_json::Value {
    let bytes = body_bytes(response).await;
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

fn header(response: &Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .unwrap_or_else(|| panic!("missing {name}"))
        .to_str()
        .expect("ascii header")
}

fn assert_security_headers(what: &str, headers: &HeaderMap) {
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .expect("ascii");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("{what}: no script-src in {csp}"));
    assert!(!script_src.contains("'unsafe-inline'"), "{what}: {csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{what}: {csp}");
    assert!(script_src.contains(INLINE_SCRIPT_HASH), "{what}: {csp}");
    assert!(
        csp.contains("frame-ancestors 'self' https://www.example.org https://mairie.example.fr"),
        "{what}: {csp}"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(
        headers[header::REFERRER_POLICY],
        "strict-origin-when-cross-origin",
        "{what}"
    );
    let permissions = headers["permissions-policy"].to_str().expect("ascii");
    assert!(permissions.contains("geolocation=(self)"), "{what}");
    assert!(permissions.contains("camera=(self)"), "{what}");
    assert!(permissions.contains("microphone=()"), "{what}");
    assert_eq!(
        headers["cross-origin-opener-policy"], "same-origin",
        "{what}"
    );
    assert!(
        !headers.contains_key(header::X_FRAME_OPTIONS),
        "{what}: X-Frame-Options would break the embed widget"
    );
}

#[tokio::test]
async fn healthz_is_ok_once_the_database_is_open() {
    let f = fixture();
    let response = get(&f.router, "/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, header::CONTENT_TYPE),
        "text/plain; charset=utf-8"
    );
    assert_eq!(header(&response, header::CACHE_CONTROL), "no-store");
    assert_eq!(body_bytes(response).await, b"ok");
}

#[tokio::test]
async fn app_routes_get_index_html_uncached() {
    let f = fixture();
    for uri in [
        "/",
        "/map",
        "/reports/12",
        "/map?layers=Streetlight&z=14",
        "/index.html",
        "/embed/map",
    ] {
        let response = get(&f.router, uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{uri}"
        );
        assert_eq!(
            header(&response, header::CACHE_CONTROL),
            "no-cache",
            "{uri}"
        );
        assert!(response.headers().contains_key(header::ETAG), "{uri}");
        assert_eq!(
            header(&response, header::CONTENT_SECURITY_POLICY),
            EXPECTED_CSP,
            "{uri}"
        );
        assert_eq!(
            String::from_utf8(body_bytes(response).await).expect("utf8"),
            index_html(),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn index_revalidates_with_its_etag() {
    let f = fixture();
    let first = get(&f.router, "/map").await;
    let etag = header(&first, header::ETAG).to_owned();
    let again = get_with(&f.router, "/reports/3", "if-none-match", &etag).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(body_bytes(again).await.is_empty());
}

#[tokio::test]
async fn missing_files_with_an_extension_are_plain_404s() {
    let f = fixture();
    for uri in [
        "/nope.js",
        "/icons/nope.png",
        "/%2e%2e/secret.txt",
        "/../secret.txt",
        "/.hidden.js",
    ] {
        let response = get(&f.router, uri).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "text/plain; charset=utf-8",
            "{uri}"
        );
        let body = body_bytes(response).await;
        assert!(!String::from_utf8_lossy(&body).contains("secret"), "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("<html"), "{uri}");
    }
}

#[tokio::test]
async fn unknown_ngsi_ld_paths_are_problem_details() {
    let f = fixture();
    for uri in ["/ngsi-ld/v1/nope", "/ngsi-ld", "/ngsi-ld/"] {
        let response = get(&f.router, uri).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        // GS CIM 009 sends ProblemDetails as application/json (the contract's content type).
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            quartier_api::ngsi_ld::PROBLEM_CONTENT_TYPE,
            "{uri}"
        );
        assert_eq!(
            header(&response, header::CACHE_CONTROL),
            "no-store",
            "{uri}"
        );
        let body = body_json(response).await;
        assert_eq!(
            body["type"], "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound",
            "{uri}"
        );
        assert_eq!(body["status"], 404, "{uri}");
        assert!(body["title"].is_string(), "{uri}");
        assert!(body["detail"].is_string(), "{uri}");
    }
}

#[tokio::test]
async fn unknown_open311_paths_are_an_error_array() {
    let f = fixture();
    let response = get(&f.router, "/open311/v2/nope.json").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, header::CONTENT_TYPE), "application/json");
    let body = body_json(response).await;
    let errors = body.as_array().expect("array");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["code"], 404);
    assert!(
        errors[0]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
}

#[tokio::test]
async fn unknown_resident_api_paths_are_problem_details_with_a_code() {
    let f = fixture();
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let request = Request::builder()
            .method(method.clone())
            .uri("/api/v1/nope")
            .body(Body::empty())
            .expect("request");
        let response = send(&f.router, request).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "application/problem+json"
        );
        let body = body_json(response).await;
        assert_eq!(body["type"], "about:blank");
        assert_eq!(body["title"], "Not Found");
        assert_eq!(body["status"], 404);
        assert_eq!(body["code"], "not_found");
    }
}

#[tokio::test]
async fn platform_paths_never_fall_back_to_the_app() {
    let f = fixture();
    for uri in ["/tiles", "/tiles/1/0", "/tiles/x/y/z.png", "/healthz/deep"] {
        let response = get(&f.router, uri).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "text/plain; charset=utf-8",
            "{uri}"
        );
    }
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let f = fixture();
    let requests = [
        (Method::GET, "/"),
        (Method::GET, "/reports/12"),
        (Method::GET, "/config.json"),
        (Method::GET, "/quartier-3f5a0c1d2e4b6a79_bg.wasm"),
        (Method::GET, "/nope.js"),
        (Method::GET, "/ngsi-ld/v1/nope"),
        (Method::GET, "/open311/v2/nope.json"),
        (Method::GET, "/api/v1/nope"),
        (Method::GET, "/tiles/0/0/0.png"),
        (Method::GET, "/tiles/1/5/0.png"),
        (Method::GET, "/healthz"),
        (Method::POST, "/healthz"),
        (Method::POST, "/map"),
    ];
    for (method, uri) in requests {
        let request = Request::builder()
            .method(method.clone())
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let response = send(&f.router, request).await;
        assert_security_headers(
            &format!("{method} {uri} ({})", response.status()),
            response.headers(),
        );
    }
}

#[tokio::test]
async fn assets_get_their_type_and_cache_policy() {
    let f = fixture();
    let cases = [
        (
            format!("/{WASM}"),
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            format!("/{JS}"),
            "text/javascript",
            "public, max-age=31536000, immutable",
        ),
        ("/config.json".to_owned(), "application/json", "no-cache"),
        (
            "/leaflet.js".to_owned(),
            "text/javascript",
            "public, max-age=3600",
        ),
        (
            "/icons/icon-192.png".to_owned(),
            "image/png",
            "public, max-age=3600",
        ),
    ];
    for (uri, content_type, cache) in cases {
        let response = get(&f.router, &uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            content_type,
            "{uri}"
        );
        assert_eq!(header(&response, header::CACHE_CONTROL), cache, "{uri}");
    }
    let wasm = get(&f.router, &format!("/{WASM}")).await;
    assert_eq!(body_bytes(wasm).await, wasm_bytes());
}

#[tokio::test]
async fn assets_revalidate_with_their_etag() {
    let f = fixture();
    let first = get(&f.router, "/leaflet.js").await;
    let etag = header(&first, header::ETAG).to_owned();
    let again = get_with(&f.router, "/leaflet.js", "if-none-match", &etag).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        header(&again, header::CACHE_CONTROL),
        "public, max-age=3600"
    );
}

#[tokio::test]
async fn wasm_js_and_json_are_compressed_but_png_is_not() {
    let f = fixture();
    let wasm = get_with(&f.router, &format!("/{WASM}"), "accept-encoding", "br").await;
    assert_eq!(header(&wasm, header::CONTENT_ENCODING), "br");
    assert_eq!(header(&wasm, header::CONTENT_TYPE), "application/wasm");
    assert!(
        header(&wasm, header::VARY)
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let compressed = body_bytes(wasm).await;
    assert!(
        compressed.len() < wasm_bytes().len() / 10,
        "{} bytes",
        compressed.len()
    );

    let js = get_with(&f.router, &format!("/{JS}"), "accept-encoding", "gzip").await;
    assert_eq!(header(&js, header::CONTENT_ENCODING), "gzip");
    let compressed = body_bytes(js).await;
    assert_eq!(&compressed[..2], [0x1f, 0x8b], "gzip magic");

    let index = get_with(&f.router, "/map", "accept-encoding", "br, gzip").await;
    assert_eq!(header(&index, header::CONTENT_ENCODING), "br");

    let tile = get_with(&f.router, "/tiles/3/2/1.png", "accept-encoding", "br, gzip").await;
    assert!(!tile.headers().contains_key(header::CONTENT_ENCODING));

    let plain = get(&f.router, &format!("/{WASM}")).await;
    assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));
}

#[tokio::test]
async fn precompressed_copies_are_served_when_accepted_and_fresh() {
    let f = fixture();
    let wasm = f.dist().join(WASM);
    // Marker bodies: what is served shows which copy was picked (and that it was not
    // compressed a second time).
    write(&wasm.with_extension("wasm.br"), b"BROTLI-COPY");
    write(&wasm.with_extension("wasm.gz"), b"GZIP-COPY");

    let br = get_with(
        &f.router,
        &format!("/{WASM}"),
        "accept-encoding",
        "gzip, deflate, br, zstd",
    )
    .await;
    assert_eq!(header(&br, header::CONTENT_ENCODING), "br");
    assert_eq!(header(&br, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(
        header(&br, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(
        header(&br, header::VARY)
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let br_etag = header(&br, header::ETAG).to_owned();
    assert_eq!(body_bytes(br).await, b"BROTLI-COPY");

    let gz = get_with(&f.router, &format!("/{WASM}"), "accept-encoding", "gzip").await;
    assert_eq!(header(&gz, header::CONTENT_ENCODING), "gzip");
    assert_ne!(header(&gz, header::ETAG), br_etag, "one tag per encoding");
    assert_eq!(body_bytes(gz).await, b"GZIP-COPY");

    let refused = get_with(&f.router, &format!("/{WASM}"), "accept-encoding", "br;q=0").await;
    assert!(!refused.headers().contains_key(header::CONTENT_ENCODING));
    assert_eq!(body_bytes(refused).await, wasm_bytes());

    let again = get_with(&f.router, &format!("/{WASM}"), "if-none-match", &br_etag).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "the identity body has its own tag"
    );

    // A copy older than the file (left by an earlier build) is never served.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&wasm, wasm_bytes());
    let stale = get_with(&f.router, &format!("/{WASM}"), "accept-encoding", "br").await;
    assert_eq!(header(&stale, header::CONTENT_ENCODING), "br");
    let body = body_bytes(stale).await;
    assert_ne!(body, b"BROTLI-COPY", "compressed on the fly instead");
}

#[tokio::test]
async fn tiles_are_png_placeholders_within_the_pyramid() {
    let f = fixture();
    for uri in [
        "/tiles/0/0/0.png",
        "/tiles/14/8223/5749.png",
        "/tiles/20/1048575/0.png",
    ] {
        let response = get(&f.router, uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "image/png",
            "{uri}"
        );
        assert_eq!(
            header(&response, header::CACHE_CONTROL),
            "public, max-age=86400",
            "{uri}"
        );
        let body = body_bytes(response).await;
        assert_eq!(&body[..8], b"\x89PNG\r\n\x1a\n", "{uri}");
    }
    for uri in [
        "/tiles/1/2/0.png",
        "/tiles/1/0/2.png",
        "/tiles/21/0/0.png",
        "/tiles/1/0/0.jpg",
        "/tiles/a/0/0.png",
    ] {
        let response = get(&f.router, uri).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            header(&response, header::CACHE_CONTROL),
            "no-store",
            "{uri}"
        );
    }
}

#[tokio::test]
async fn head_requests_get_headers_without_a_body() {
    let f = fixture();
    let request = Request::head("/map").body(Body::empty()).expect("request");
    let response = send(&f.router, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache");
    assert!(body_bytes(response).await.is_empty());
}

#[tokio::test]
async fn without_a_built_app_the_platform_still_serves_health_and_apis() {
    let f = fixture_with(false, true);
    assert_eq!(get(&f.router, "/healthz").await.status(), StatusCode::OK);
    for uri in ["/", "/map"] {
        let response = get(&f.router, uri).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "text/plain; charset=utf-8"
        );
        let text = String::from_utf8(body_bytes(response).await).expect("utf8");
        assert!(text.contains("not built yet"), "{text}");
    }
    let api = get(&f.router, "/api/v1/nope").await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let csp = header(&api, header::CONTENT_SECURITY_POLICY);
    assert!(!csp.contains("sha256-"), "no index, no hash: {csp}");
}

#[tokio::test]
async fn without_config_only_the_same_origin_may_frame_the_app() {
    let f = fixture_with(true, false);
    let response = get(&f.router, "/").await;
    let csp = header(&response, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("; frame-ancestors 'self'; "), "{csp}");
    assert!(csp.contains("img-src 'self' data: blob:; "), "{csp}");
    assert!(csp.contains(INLINE_SCRIPT_HASH), "{csp}");
}

#[tokio::test]
async fn a_rebuilt_index_is_served_with_its_own_script_hash() {
    let f = fixture();
    write(
        &f.dist().join("index.html"),
        "<!DOCTYPE html><script type=\"module\">console.log(2)</script>",
    );
    let expected = "'sha256-8q5r0Gb3oV+3DObfp/Z4GOXgHcQVy/ejxH8MgPcPxTI='";
    let page = get(&f.router, "/").await;
    let csp = header(&page, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains(expected), "{csp}");
    assert!(!csp.contains(INLINE_SCRIPT_HASH), "{csp}");
    // Later responses of any kind follow the new policy.
    let api = get(&f.router, "/api/v1/nope").await;
    assert!(header(&api, header::CONTENT_SECURITY_POLICY).contains(expected));
}

#[tokio::test]
async fn the_database_is_in_wal_mode_and_migrated() {
    let f = fixture();
    assert!(f.dir.path().join("data/quartier.db").is_file());
    let (mode, version, tables): (String, i64, i64) = f
        .state
        .db
        .call(|conn| {
            let mode = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let tables = conn.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get(0),
            )?;
            Ok((mode, version, tables))
        })
        .await
        .expect("query");
    assert_eq!(mode, "wal");
    assert!(version >= 1, "user_version {version}");
    assert_eq!(tables, 1);
}

#[tokio::test]
async fn the_map_page_tells_the_browser_to_fetch_the_maps_code_at_once() {
    let f = fixture();
    write(
        &f.dir.path().join("dist/route-preloads.json"),
        r#"{"map": ["/split_map-3f5a0c1d2e4b6a79.wasm"], "sign_in": ["/split_sign_in-3f5a0c1d2e4b6a79.wasm"]}"#,
    );
    for uri in ["/map", "/map?layers=Streetlight", "/embed/map"] {
        let response = get(&f.router, uri).await;
        assert_eq!(
            header(&response, header::LINK),
            "</split_map-3f5a0c1d2e4b6a79.wasm>; rel=preload; as=fetch; crossorigin",
            "{uri}"
        );
    }
    for uri in ["/", "/sign-in", "/report"] {
        let response = get(&f.router, uri).await;
        assert!(!response.headers().contains_key(header::LINK), "{uri}");
    }
}
