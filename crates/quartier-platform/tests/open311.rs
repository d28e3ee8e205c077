//! Open311 GeoReport v2 as a client sees it, through `build_router(state).oneshot(..)` on a demo
//! platform (demo town, seeded reports, demo api_key).

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use quartier_platform::{
    AppState, Settings, build_router,
    demo::Town,
    rate::{Per, Rate, nonzero},
    routes::open311::{DEMO_API_KEY, ReportOwner},
};
use serde::Deserialize;
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

struct Platform {
    _dir: TempDir,
    router: Router,
    state: AppState,
}

fn platform() -> Platform {
    platform_with(|_| {})
}

/// A demo platform with settings adjusted by `adjust`.
fn platform_with(adjust: impl FnOnce(&mut Settings)) -> Platform {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings {
        demo: true,
        ..Settings::new(dir.path().join("data"), dir.path().join("dist"))
    };
    adjust(&mut settings);
    let state = AppState::new(settings).expect("state");
    Platform {
        router: build_router(state.clone()),
        state,
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!("{error}: {}", String::from_utf8_lossy(&self.body));
        })
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8")
    }

    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The descriptions of an Open311 JSON error list, after checking its shape.
    fn errors(&self, status: StatusCode) -> Vec<String> {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.content_type(), "application/json");
        let body = self.json();
        let list = body.as_array().expect("an error array");
        assert!(!list.is_empty());
        list.iter()
            .map(|error| {
                assert_eq!(error["code"], status.as_u16(), "{body}");
                error["description"]
                    .as_str()
                    .expect("description")
                    .to_owned()
            })
            .collect()
    }
}

impl Platform {
    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    async fn post_form(&self, uri: &str, pairs: &[(&str, &str)], key: Option<&str>) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let mut request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    async fn post_multipart(&self, pairs: &[(&str, &str)], media: Option<(&str, &[u8])>) -> Reply {
        self.send(multipart_request(pairs, media)).await
    }
}

/// A multipart `POST requests.json` of these fields and, if given, a `media` part.
fn multipart_request(pairs: &[(&str, &str)], media: Option<(&str, &[u8])>) -> Request<Body> {
    let boundary = "quartier-test-boundary";
    let mut body = Vec::new();
    for (name, value) in pairs {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    if let Some((content_type, bytes)) = media {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; \
                 filename=\"photo\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    Request::post("/open311/v2/requests.json")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request")
}

/// The town's centre as `lat`, `long` form values.
fn centre() -> (String, String) {
    let (lon, lat) = Town::demo().center();
    (lat.to_string(), lon.to_string())
}

/// A valid pothole report, to which a test adds or from which it removes fields.
fn pothole(lat: &str, long: &str) -> Vec<(&'static str, String)> {
    vec![
        ("api_key", DEMO_API_KEY.to_owned()),
        ("service_code", "nid-de-poule".to_owned()),
        ("lat", lat.to_owned()),
        ("long", long.to_owned()),
        (
            "description",
            "Trou <profond> & dangereux devant l'école".to_owned(),
        ),
        ("attribute[taille]", "grand".to_owned()),
        ("attribute[usagers][]", "velos".to_owned()),
        ("attribute[usagers][]", "pietons".to_owned()),
        ("asset_id", "urn:ngsi-ld:Streetlight:BSL-000123".to_owned()),
        ("email", "camille.martin@example.org".to_owned()),
    ]
}

/// A form as name/value pairs.
type Fields = Vec<(&'static str, String)>;

fn pairs<'a>(owned: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    owned
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

fn without(owned: &[(&'static str, String)], name: &str) -> Vec<(&'static str, String)> {
    owned.iter().filter(|(n, _)| *n != name).cloned().collect()
}

fn with(
    owned: &[(&'static str, String)],
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut owned = without(owned, name);
    owned.push((name, value.to_owned()));
    owned
}

#[derive(Debug, Deserialize)]
struct XmlServices {
    service: Vec<XmlService>,
}

#[derive(Debug, Deserialize)]
struct XmlService {
    service_code: String,
    service_name: String,
    metadata: bool,
    #[serde(rename = "type")]
    kind: String,
    group: String,
}

#[derive(Debug, Deserialize)]
struct XmlRequests {
    request: Vec<XmlRequest>,
}

#[derive(Debug, Deserialize)]
struct XmlRequest {
    service_request_id: String,
    status: Option<String>,
    service_code: Option<String>,
    description: Option<String>,
    service_notice: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    asset_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct XmlErrors {
    error: Vec<XmlError>,
}

#[derive(Debug, Deserialize)]
struct XmlError {
    code: u16,
    description: String,
}

#[tokio::test]
async fn open311_discovery_names_this_server_and_both_formats() {
    let platform = platform();
    let request = Request::get("/open311/v2/discovery.json")
        .header(header::HOST, "quartier.example:8080")
        .body(Body::empty())
        .expect("request");
    let reply = platform.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "application/json");
    let body = reply.json();
    assert!(body["changeset"].is_string());
    assert!(body["contact"].is_string());
    assert!(
        body["key_service"]
            .as_str()
            .expect("key")
            .contains(DEMO_API_KEY)
    );
    let endpoint = &body["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(endpoint["url"], "http://quartier.example:8080/open311/v2");
    assert_eq!(endpoint["formats"], json!(["text/xml", "application/json"]));

    let reply = platform.get("/open311/v2/discovery.xml").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("text/xml"));
    let text = reply.text();
    assert!(
        text.contains("<endpoints><endpoint><specification>"),
        "{text}"
    );
    assert!(
        text.contains(
            "<formats><format>text/xml</format><format>application/json</format></formats>"
        )
    );
}

#[tokio::test]
async fn open311_services_in_json_and_xml_agree() {
    let platform = platform();
    let json = platform.get("/open311/v2/services.json").await;
    assert_eq!(json.status, StatusCode::OK);
    let services = json.json();
    let services = services
        .as_array()
        .expect("a bare array, as the spec shows");
    assert!((8..=12).contains(&services.len()), "{}", services.len());
    let codes: Vec<&str> = services
        .iter()
        .map(|s| s["service_code"].as_str().expect("string codes"))
        .collect();
    for code in [
        "lampadaire-eteint",
        "conteneur-plein",
        "nid-de-poule",
        "fuite-eau",
        "graffiti",
    ] {
        assert!(codes.contains(&code), "{code}");
    }
    let groups: std::collections::BTreeSet<&str> = services
        .iter()
        .map(|s| s["group"].as_str().expect("group"))
        .collect();
    assert!(groups.len() >= 5, "{groups:?}");
    for service in services {
        for field in ["service_name", "description", "keywords", "group"] {
            assert!(service[field].is_string(), "{field} of {service}");
        }
        assert!(service["metadata"].is_boolean());
        assert!(
            ["realtime", "batch", "blackbox"].contains(&service["type"].as_str().expect("type"))
        );
    }

    let xml = platform.get("/open311/v2/services.xml").await;
    assert_eq!(xml.status, StatusCode::OK);
    assert!(xml.content_type().starts_with("text/xml"));
    let parsed: XmlServices = quick_xml::de::from_str(&xml.text()).expect("well-formed XML");
    assert_eq!(parsed.service.len(), services.len());
    for (from_xml, from_json) in parsed.service.iter().zip(services) {
        assert_eq!(from_xml.service_code, from_json["service_code"]);
        assert_eq!(from_xml.service_name, from_json["service_name"]);
        assert_eq!(from_xml.group, from_json["group"]);
        assert_eq!(from_xml.kind, from_json["type"]);
        assert_eq!(Value::Bool(from_xml.metadata), from_json["metadata"]);
    }
}

#[tokio::test]
async fn open311_definition_has_every_datatype_and_unknown_code_is_404() {
    let platform = platform();
    let reply = platform.get("/open311/v2/services/nid-de-poule.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let definition = reply.json();
    assert_eq!(definition["service_code"], "nid-de-poule");
    let attributes = definition["attributes"].as_array().expect("attributes");
    let datatypes: std::collections::BTreeSet<&str> = attributes
        .iter()
        .map(|a| a["datatype"].as_str().expect("datatype"))
        .collect();
    assert_eq!(
        datatypes.into_iter().collect::<Vec<_>>(),
        [
            "datetime",
            "multivaluelist",
            "number",
            "singlevaluelist",
            "string",
            "text"
        ]
    );
    for attribute in attributes {
        for field in ["variable", "required"] {
            assert!(attribute[field].is_boolean(), "{field}");
        }
        assert!(attribute["code"].is_string() && attribute["description"].is_string());
        assert!(attribute["order"].is_i64());
        assert!(attribute.get("datatype_description").is_some());
        assert!(attribute["values"].is_array());
    }
    let size = attributes
        .iter()
        .find(|a| a["code"] == "taille")
        .expect("taille");
    assert_eq!(size["required"], true);
    assert_eq!(
        size["values"][0],
        json!({"key": "petit", "name": "Moins de 20 cm"})
    );

    let xml = platform.get("/open311/v2/services/nid-de-poule.xml").await;
    assert_eq!(xml.status, StatusCode::OK);
    let text = xml.text();
    assert!(text.contains(
        "<service_definition><service_code>nid-de-poule</service_code><attributes><attribute>"
    ));
    assert!(text.contains("<values><value><key>petit</key>"));

    let missing = platform.get("/open311/v2/services/licorne.json").await;
    assert_eq!(
        missing.errors(StatusCode::NOT_FOUND),
        ["service_code: unknown"]
    );
    let missing = platform.get("/open311/v2/services/licorne.xml").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let errors: XmlErrors = quick_xml::de::from_str(&missing.text()).expect("XML errors");
    assert_eq!(errors.error[0].code, 404);
    assert_eq!(errors.error[0].description, "service_code: unknown");
}

#[tokio::test]
async fn open311_post_then_read_back_in_json_and_xml() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let created = platform
        .post_form("/open311/v2/requests.json", &pairs(&report), None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    let id = body[0]["service_request_id"]
        .as_str()
        .expect("string id")
        .to_owned();
    assert!(body[0]["service_notice"].is_string());
    assert!(body[0].get("account_id").is_some());

    let one = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await;
    assert_eq!(one.status, StatusCode::OK);
    let list = one.json();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let request = &list[0];
    assert_eq!(request["service_request_id"], id.as_str());
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "nid-de-poule");
    assert_eq!(request["service_name"], "Nid-de-poule");
    assert_eq!(
        request["description"],
        "Trou <profond> & dangereux devant l'école"
    );
    assert_eq!(request["asset_id"], "urn:ngsi-ld:Streetlight:BSL-000123");
    assert_eq!(request["lat"].as_f64(), lat.parse().ok());
    assert_eq!(request["long"].as_f64(), long.parse().ok());
    assert!(
        request["address"]
            .as_str()
            .expect("nearest address")
            .contains("Belleville"),
        "{request}"
    );
    assert_eq!(request["zipcode"], "37000");
    for field in [
        "status_notes",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address_id",
        "media_url",
    ] {
        assert!(request.get(field).is_some(), "{field} missing");
    }
    assert!(
        request["requested_datetime"]
            .as_str()
            .expect("date")
            .ends_with('Z')
    );
    assert!(
        request.get("email").is_none(),
        "contact fields stay private"
    );

    let xml = platform
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await;
    assert_eq!(xml.status, StatusCode::OK);
    assert!(xml.content_type().starts_with("text/xml"));
    let parsed: XmlRequests = quick_xml::de::from_str(&xml.text()).expect("well-formed XML");
    let request = &parsed.request[0];
    assert_eq!(request.service_request_id, id);
    assert_eq!(request.status.as_deref(), Some("open"));
    assert_eq!(request.service_code.as_deref(), Some("nid-de-poule"));
    assert_eq!(
        request.description.as_deref(),
        Some("Trou <profond> & dangereux devant l'école")
    );
    assert_eq!(request.lat, lat.parse().ok());
    assert_eq!(request.long, long.parse().ok());
    assert_eq!(
        request.asset_id.as_deref(),
        Some("urn:ngsi-ld:Streetlight:BSL-000123")
    );

    // The XML POST answers in the spec's <service_requests><request> shape.
    let created = platform
        .post_form("/open311/v2/requests.xml", &pairs(&report), None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let parsed: XmlRequests = quick_xml::de::from_str(&created.text()).expect("XML");
    assert_ne!(parsed.request[0].service_request_id, id);
    assert!(parsed.request[0].service_notice.is_some());
}

#[tokio::test]
async fn open311_post_validation_errors_are_listed_per_problem() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let cases: Vec<(Fields, Vec<&str>)> = vec![
        (
            without(&report, "service_code"),
            vec!["service_code: required"],
        ),
        (
            with(&report, "service_code", "licorne"),
            vec!["service_code: not_an_option"],
        ),
        (
            without(&without(&report, "lat"), "long"),
            vec!["location: required"],
        ),
        (
            with(&with(&report, "lat", "48.8566"), "long", "2.3522"),
            vec!["location: outside_town"],
        ),
        (
            with(&report, "description", &"é".repeat(4001)),
            vec!["description: too_long"],
        ),
        (
            without(&report, "attribute[taille]"),
            vec!["attribute[taille]: required"],
        ),
        (
            with(&report, "attribute[taille]", "immense"),
            vec!["attribute[taille]: not_an_option"],
        ),
        (
            with(&report, "attribute[profondeur_cm]", "très"),
            vec!["attribute[profondeur_cm]: not_a_number"],
        ),
        (
            with(&report, "attribute[depuis]", "hier soir"),
            vec!["attribute[depuis]: invalid_datetime"],
        ),
        (
            with(
                &without(&report, "service_code"),
                "description",
                &"x".repeat(4001),
            ),
            vec!["service_code: required", "description: too_long"],
        ),
    ];
    platform
        .state
        .open311
        .limiter
        .set(Rate::new(nonzero(1000), Per::Minute));
    for (form, expected) in cases {
        let reply = platform
            .post_form("/open311/v2/requests.json", &pairs(&form), None)
            .await;
        assert_eq!(reply.errors(StatusCode::BAD_REQUEST), expected);
    }
    // Exactly 4000 characters is allowed.
    let reply = platform
        .post_form(
            "/open311/v2/requests.json",
            &pairs(&with(&report, "description", &"é".repeat(4000))),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());

    // XML paths get the spec's XML error document.
    let reply = platform
        .post_form(
            "/open311/v2/requests.xml",
            &pairs(&without(&report, "service_code")),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.content_type().starts_with("text/xml"));
    let errors: XmlErrors = quick_xml::de::from_str(&reply.text()).expect("XML errors");
    assert_eq!(errors.error[0].code, 400);
    assert_eq!(errors.error[0].description, "service_code: required");
}

#[tokio::test]
async fn open311_api_key_is_required() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    for form in [
        without(&report, "api_key"),
        with(&report, "api_key", "wrong"),
    ] {
        let reply = platform
            .post_form("/open311/v2/requests.json", &pairs(&form), None)
            .await;
        assert_eq!(
            reply.errors(StatusCode::FORBIDDEN),
            ["api_key: invalid or missing"]
        );
    }
    let reply = platform
        .post_form(
            "/open311/v2/requests.xml",
            &pairs(&without(&report, "api_key")),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let errors: XmlErrors = quick_xml::de::from_str(&reply.text()).expect("XML errors");
    assert_eq!(errors.error[0].code, 403);
}

/// A small JPEG with an APP1 Exif segment holding a GPS-like marker string.
fn jpeg_with_exif() -> Vec<u8> {
    let image = image::RgbImage::from_fn(32, 24, |x, y| {
        image::Rgb([(x * 8) as u8, (y * 10) as u8, 128])
    });
    let mut plain = Vec::new();
    image
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new(&mut plain))
        .expect("encode");
    // TIFF header (little endian), one IFD with no entries, then a marker a leak would show.
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    exif.extend(b"SECRET-GPS-47.39N");
    let length = u16::try_from(exif.len() + 2).expect("small");
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend([0xFF, 0xE1]);
    jpeg.extend(length.to_be_bytes());
    jpeg.extend(exif);
    jpeg.extend(&plain[2..]);
    assert!(
        image::load_from_memory(&jpeg).is_ok(),
        "the fixture decodes"
    );
    jpeg
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn open311_multipart_photo_is_stripped_of_exif_and_served() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let photo = jpeg_with_exif();
    assert!(contains(&photo, b"Exif") && contains(&photo, b"SECRET-GPS"));
    let created = platform
        .post_multipart(&pairs(&report), Some(("image/jpeg", &photo)))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let request = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await
        .json();
    let media_url = request[0]["media_url"]
        .as_str()
        .expect("media_url")
        .to_owned();
    assert!(media_url.starts_with("/open311/v2/media/"), "{media_url}");

    let served = platform.get(&media_url).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.content_type(), "image/jpeg");
    assert!(served.body.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(!contains(&served.body, b"Exif"), "EXIF removed");
    assert!(
        !contains(&served.body, b"SECRET-GPS"),
        "EXIF content removed"
    );
    let decoded = image::load_from_memory(&served.body).expect("a real image");
    assert_eq!((decoded.width(), decoded.height()), (32, 24));

    let missing = platform.get("/open311/v2/media/999999").await;
    assert_eq!(missing.errors(StatusCode::NOT_FOUND), ["media: unknown"]);
}

#[tokio::test]
async fn open311_multipart_rejects_what_is_not_a_photo() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    // Declared as a JPEG, but a GIF: the bytes decide.
    let reply = platform
        .post_multipart(
            &pairs(&report),
            Some(("image/jpeg", b"GIF89a\x01\0\x01\0\0\0\0;")),
        )
        .await;
    assert_eq!(
        reply.errors(StatusCode::BAD_REQUEST),
        ["media: not a JPEG, PNG or WebP image"]
    );
    let mut broken = jpeg_with_exif();
    broken.truncate(40);
    let reply = platform
        .post_multipart(&pairs(&report), Some(("image/jpeg", &broken)))
        .await;
    assert_eq!(
        reply.errors(StatusCode::BAD_REQUEST),
        ["media: unreadable image"]
    );
    let huge = vec![0xFF; 5 * 1024 * 1024 + 1];
    let reply = platform
        .post_multipart(&pairs(&report), Some(("image/jpeg", &huge)))
        .await;
    assert_eq!(
        reply.errors(StatusCode::PAYLOAD_TOO_LARGE),
        ["media: image too large"]
    );
    // Far above the route's limit (three photos of 5 MB and the form): refused before it is
    // read, still in Open311's format.
    let reply = platform
        .post_multipart(
            &pairs(&report),
            Some(("image/jpeg", &vec![0; 16 * 1024 * 1024])),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()[0]["code"], 413);
    // Nothing was stored by the failed attempts.
    let listed = platform
        .get("/open311/v2/requests.json?service_code=nid-de-poule&start_date=2000-01-01")
        .await
        .json();
    assert!(
        listed
            .as_array()
            .expect("array")
            .iter()
            .all(|r| r["description"] != report[4].1)
    );
}

#[tokio::test]
async fn open311_idempotency_key_replays_the_first_response() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let count = || async {
        platform
            .state
            .db
            .call(|conn| {
                Ok(
                    conn.query_row("SELECT COUNT(*) FROM open311_requests", [], |r| {
                        r.get::<_, i64>(0)
                    })?,
                )
            })
            .await
            .expect("count")
    };
    let before = count().await;
    let first = platform
        .post_form(
            "/open311/v2/requests.json",
            &pairs(&report),
            Some("retry-1"),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = platform
        .post_form(
            "/open311/v2/requests.json",
            &pairs(&report),
            Some("retry-1"),
        )
        .await;
    assert_eq!(again.status, first.status);
    assert_eq!(again.json(), first.json(), "same id, same body");
    assert_eq!(count().await, before + 1, "one report for two attempts");

    let other = platform
        .post_form(
            "/open311/v2/requests.json",
            &pairs(&report),
            Some("retry-2"),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_ne!(
        other.json()[0]["service_request_id"],
        first.json()[0]["service_request_id"]
    );
    assert_eq!(count().await, before + 2);

    // Two attempts racing with one key still make one report.
    let form = pairs(&report);
    let (a, b) = tokio::join!(
        platform.post_form("/open311/v2/requests.json", &form, Some("race")),
        platform.post_form("/open311/v2/requests.json", &form, Some("race")),
    );
    assert_eq!(
        (a.status, b.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(a.json(), b.json());
    assert_eq!(count().await, before + 3);

    // A failed attempt is not remembered: fixing the form and retrying with the key works.
    let bad = platform
        .post_form(
            "/open311/v2/requests.json",
            &pairs(&without(&report, "service_code")),
            Some("retry-3"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let fixed = platform
        .post_form(
            "/open311/v2/requests.json",
            &pairs(&report),
            Some("retry-3"),
        )
        .await;
    assert_eq!(fixed.status, StatusCode::CREATED);
    assert_eq!(count().await, before + 4);
}

#[tokio::test]
async fn open311_list_filters_and_pages() {
    let platform = platform();
    let all = platform
        .get("/open311/v2/requests.json?page_size=1000")
        .await;
    assert_eq!(all.status, StatusCode::OK);
    let total: usize = all.headers["x-total-count"]
        .to_str()
        .expect("header")
        .parse()
        .expect("number");
    let all = all.json();
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), total);
    assert!(
        total > 50,
        "the seed puts reports in the last 90 days: {total}"
    );
    let mut previous = "9999";
    for request in all {
        let requested = request["requested_datetime"].as_str().expect("date");
        assert!(requested <= previous, "newest first");
        previous = requested;
    }

    // Paging: three pages of 7 are the first 21, in order, without repeats.
    let mut paged = Vec::new();
    for page in 1..=3 {
        let reply = platform
            .get(&format!(
                "/open311/v2/requests.json?page={page}&page_size=7"
            ))
            .await;
        assert_eq!(
            reply.headers["x-total-count"].to_str().ok(),
            Some(total.to_string().as_str())
        );
        paged.extend(reply.json().as_array().expect("array").clone());
    }
    assert_eq!(paged.as_slice(), &all[..21]);

    let open = platform
        .get("/open311/v2/requests.json?status=open&service_code=nid-de-poule,graffiti")
        .await
        .json();
    let open = open.as_array().expect("array");
    assert!(!open.is_empty());
    assert!(open.iter().all(|r| r["status"] == "open"
        && (r["service_code"] == "nid-de-poule" || r["service_code"] == "graffiti")));

    // A date window: everything inside it, nothing outside.
    let window = platform
        .get("/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2100-01-01")
        .await;
    let long_total: usize = window.headers["x-total-count"]
        .to_str()
        .expect("header")
        .parse()
        .expect("number");
    assert!(long_total > total, "older reports exist beyond 90 days");
    let empty = platform
        .get("/open311/v2/requests.json?start_date=2001-01-01&end_date=2001-02-01")
        .await
        .json();
    assert_eq!(empty, json!([]));

    // Ids: a comma list, whatever the other filters say.
    let first = all[0]["service_request_id"].as_str().expect("id");
    let second = all[1]["service_request_id"].as_str().expect("id");
    let by_id = platform
        .get(&format!(
            "/open311/v2/requests.json?service_request_id={first},{second}&status=closed&start_date=2001-01-01&end_date=2001-01-02"
        ))
        .await
        .json();
    let mut ids: Vec<&str> = by_id
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["service_request_id"].as_str().expect("id"))
        .collect();
    ids.sort_unstable();
    let mut expected = vec![first, second];
    expected.sort_unstable();
    assert_eq!(ids, expected);

    let xml = platform.get("/open311/v2/requests.xml?page_size=5").await;
    let parsed: XmlRequests = quick_xml::de::from_str(&xml.text()).expect("XML");
    assert_eq!(parsed.request.len(), 5);

    let bad = platform
        .get("/open311/v2/requests.json?status=lost&end_date=demain&page_size=0")
        .await;
    assert_eq!(
        bad.errors(StatusCode::BAD_REQUEST),
        [
            "status: not open or closed",
            "end_date: not a W3C datetime",
            "page_size: not between 1 and 1000",
        ]
    );
}

#[tokio::test]
async fn open311_unknown_ids_paths_and_formats_are_404() {
    let platform = platform();
    for uri in [
        "/open311/v2/requests/999999.json",
        "/open311/v2/requests/abc.json",
        "/open311/v2/requests/-1.json",
    ] {
        let reply = platform.get(uri).await;
        assert_eq!(
            reply.errors(StatusCode::NOT_FOUND),
            ["service_request_id: unknown"],
            "{uri}"
        );
    }
    let reply = platform.get("/open311/v2/requests/999999.xml").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let errors: XmlErrors = quick_xml::de::from_str(&reply.text()).expect("XML errors");
    assert_eq!(errors.error[0].description, "service_request_id: unknown");

    for uri in [
        "/open311/v2/services.csv",
        "/open311/v2/services",
        "/open311/v2/requests/1.html",
        "/open311/v2/nothing.json",
        "/open311/v3/services.json",
    ] {
        let reply = platform.get(uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(reply.json()[0]["code"], 404, "{uri}");
    }
}

#[tokio::test]
async fn open311_malformed_posts_get_4xx_in_open311_format() {
    let platform = platform();
    let text_plain = Request::post("/open311/v2/requests.json")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("service_code=graffiti"))
        .expect("request");
    let reply = platform.send(text_plain).await;
    assert_eq!(reply.errors(StatusCode::UNSUPPORTED_MEDIA_TYPE).len(), 1);

    let broken_multipart = Request::post("/open311/v2/requests.json")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(Body::from("--x\r\nnot a header\r\n\r\n"))
        .expect("request");
    let reply = platform.send(broken_multipart).await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    assert_eq!(reply.json()[0]["code"], reply.status.as_u16());

    let bad_key = Request::post("/open311/v2/requests.json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("Idempotency-Key", "")
        .body(Body::from("api_key=quartier-demo-key"))
        .expect("request");
    let reply = platform.send(bad_key).await;
    assert_eq!(reply.errors(StatusCode::BAD_REQUEST).len(), 1);

    let garbage = Request::post("/open311/v2/requests.json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            &b"api_key=quartier-demo-key&\xff\xfe=%zz&lat=%"[..],
        ))
        .expect("request");
    let reply = platform.send(garbage).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    let put = Request::put("/open311/v2/requests.json")
        .body(Body::empty())
        .expect("request");
    let reply = platform.send(put).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json()[0]["code"], 405);
}

#[tokio::test]
async fn open311_report_creation_is_rate_limited() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    for attempt in 0..10 {
        let reply = platform
            .post_form("/open311/v2/requests.json", &pairs(&report), None)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "attempt {attempt}");
    }
    let refused = platform
        .post_form("/open311/v2/requests.json", &pairs(&report), None)
        .await;
    let descriptions = refused.errors(StatusCode::TOO_MANY_REQUESTS);
    assert!(
        descriptions[0].starts_with("requests: too many reports"),
        "{descriptions:?}"
    );
    let wait: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait));

    // Configurable at run time.
    platform
        .state
        .open311
        .limiter
        .set(Rate::new(nonzero(11), Per::Minute));
    let reply = platform
        .post_form("/open311/v2/requests.json", &pairs(&report), None)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
}

#[tokio::test]
async fn open311_report_of_a_signed_in_resident_is_owned_by_them() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs(&report))
        .finish();
    let mut request = Request::post("/open311/v2/requests.json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    request.extensions_mut().insert(ReportOwner(2));
    let created = platform.send(request).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id: i64 = created.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("numeric");
    let owner: Option<i64> = platform
        .state
        .db
        .call(move |conn| {
            Ok(conn.query_row(
                "SELECT resident_id FROM open311_requests WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("owner");
    assert_eq!(owner, Some(2));
}

/// Every document this server writes is read by the contract crate, as the app and other
/// clients do, in both formats; a report built by the contract's `NewServiceRequest` (the app's
/// way) is accepted.
/// The `attributes` extension: what the resident answered to the category's questions comes
/// back in `GET requests`, JSON and XML, as the contract's parser reads it.
#[tokio::test]
async fn open311_requests_show_the_answers_to_the_questions() {
    use quartier_api::open311::{AttributeAnswer, json as contract_json, xml as contract_xml};
    use std::collections::BTreeMap;
    let platform = platform();
    let (lat, long) = centre();
    let report = [
        ("api_key", DEMO_API_KEY),
        ("service_code", "nid-de-poule"),
        ("lat", &lat),
        ("long", &long),
        ("description", "Trou"),
        ("attribute[taille]", "petit"),
        ("attribute[usagers][]", "velos"),
        ("attribute[usagers][]", "pietons"),
    ];
    let created = platform
        .post_form("/open311/v2/requests.json", &report, None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let expected = BTreeMap::from([
        (
            "taille".to_owned(),
            AttributeAnswer::Single("petit".to_owned()),
        ),
        (
            "usagers".to_owned(),
            AttributeAnswer::Multiple(vec!["velos".to_owned(), "pietons".to_owned()]),
        ),
    ]);

    let json = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await;
    assert_eq!(
        json.json()[0]["attributes"],
        json!({"taille": "petit", "usagers": ["velos", "pietons"]})
    );
    let request = contract_json::parse_service_request(&json.text()).expect("request");
    assert_eq!(request.attributes, expected);
    let xml = platform
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await
        .text();
    assert!(
        xml.contains(
            "<attributes><attribute><code>taille</code><value>petit</value></attribute>\
             <attribute><code>usagers</code><values><value>velos</value><value>pietons</value>\
             </values></attribute></attributes>"
        ),
        "{xml}"
    );
    let request = contract_xml::parse_service_request(&xml).expect("request (XML)");
    assert_eq!(request.attributes, expected);
    let listed = platform
        .get(&format!("/open311/v2/requests.xml?service_request_id={id}"))
        .await
        .text();
    let listed = contract_xml::parse_service_requests(&listed).expect("list (XML)");
    assert_eq!(listed[0].attributes, expected);

    // A text answer holding markup comes back as the same text, escaped in XML.
    let payload = "<script>alert(\"x\")</script> & 'co'";
    let mut marked = report.to_vec();
    marked.push(("attribute[precisions]", payload));
    let created = platform
        .post_form("/open311/v2/requests.json", &marked, None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let xml = platform
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await
        .text();
    assert!(!xml.contains("<script>"), "{xml}");
    for request in [
        contract_xml::parse_service_request(&xml).expect("request (XML)"),
        contract_json::parse_service_request(
            &platform
                .get(&format!("/open311/v2/requests/{id}.json"))
                .await
                .text(),
        )
        .expect("request"),
    ] {
        assert_eq!(
            request.attributes.get("precisions"),
            Some(&AttributeAnswer::Single(payload.to_owned()))
        );
        assert_eq!(request.attributes.len(), 3);
    }
}

#[tokio::test]
async fn open311_documents_parse_with_the_contract_crate() {
    use quartier_api::open311::{
        AttributeAnswer, NewServiceRequest, RequestStatus, json as contract_json,
        xml as contract_xml,
    };
    let platform = platform();
    let (lat, long) = centre();
    let mut new = NewServiceRequest {
        service_code: "depot-sauvage".to_owned(),
        lat: lat.parse().ok(),
        long: long.parse().ok(),
        description: Some("Matelas & canapé <abandonnés>".to_owned()),
        ..NewServiceRequest::default()
    };
    new.attributes.insert(
        "nature".to_owned(),
        AttributeAnswer::Multiple(vec!["encombrants".to_owned(), "gravats".to_owned()]),
    );
    let mut form = new.to_form_pairs();
    form.push(("api_key".to_owned(), DEMO_API_KEY.to_owned()));
    let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();

    let created = platform
        .post_form("/open311/v2/requests.json", &form, None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let created = contract_json::parse_created_request(&created.text()).expect("created");
    let id = created.service_request_id.expect("id");
    let created = platform
        .post_form("/open311/v2/requests.xml", &form, None)
        .await;
    let created_xml = contract_xml::parse_created_request(&created.text()).expect("created xml");
    assert!(created_xml.service_request_id.is_some());

    for (format, parse_requests) in [
        (
            "json",
            contract_json::parse_service_requests as fn(&str) -> _,
        ),
        ("xml", contract_xml::parse_service_requests),
    ] {
        let one = platform
            .get(&format!("/open311/v2/requests/{id}.{format}"))
            .await;
        let requests = parse_requests(&one.text()).expect("requests");
        let request = &requests[0];
        assert_eq!(request.service_request_id, id);
        assert_eq!(request.status, RequestStatus::Open);
        assert_eq!(request.description.as_deref(), new.description.as_deref());
        let position = request.position.expect("position");
        assert_eq!(
            (Some(position.lat), Some(position.lon)),
            (new.lat, new.long)
        );
        assert!(request.requested_datetime.is_some());

        let listed = platform
            .get(&format!("/open311/v2/requests.{format}?page_size=50"))
            .await;
        assert_eq!(parse_requests(&listed.text()).expect("list").len(), 50);
    }

    let services = platform.get("/open311/v2/services.json").await.text();
    let from_json = contract_json::parse_services(&services).expect("services");
    let services = platform.get("/open311/v2/services.xml").await.text();
    let from_xml = contract_xml::parse_services(&services).expect("services xml");
    assert_eq!(from_json, from_xml);
    assert!(
        from_json
            .iter()
            .any(|s| s.service_code == "depot-sauvage" && s.metadata)
    );

    for format in ["json", "xml"] {
        let body = platform
            .get(&format!("/open311/v2/services/nid-de-poule.{format}"))
            .await
            .text();
        let definition = if format == "json" {
            contract_json::parse_service_definition(&body)
        } else {
            contract_xml::parse_service_definition(&body)
        }
        .expect("definition");
        assert_eq!(definition.attributes.len(), 6);
        let size = definition.attribute("taille").expect("taille");
        assert!(size.required && size.datatype.is_list());
        assert!(size.value("moyen").is_some());

        let body = platform
            .get(&format!("/open311/v2/discovery.{format}"))
            .await
            .text();
        let discovery = if format == "json" {
            contract_json::parse_discovery(&body)
        } else {
            contract_xml::parse_discovery(&body)
        }
        .expect("discovery");
        assert!(
            discovery
                .georeport_v2_endpoint("application/json")
                .is_some()
        );

        let body = platform
            .get(&format!("/open311/v2/requests/0.{format}"))
            .await
            .text();
        let errors = if format == "json" {
            contract_json::parse_errors(&body)
        } else {
            contract_xml::parse_errors(&body)
        }
        .expect("errors");
        assert_eq!(errors[0].http_status(), Some(404));
    }
}

#[tokio::test]
async fn open311_report_made_with_a_session_is_in_my_reports() {
    let platform = platform();
    let sign_in = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": "lucas.bernard@example.org", "password": "quartier-demo"}).to_string(),
        ))
        .expect("request");
    let signed = platform.send(sign_in).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
    let (cookie, csrf) = session_of(&signed);

    let (lat, long) = centre();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs(&pothole(&lat, &long)))
        .finish();
    let request = Request::post("/open311/v2/requests.json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header("X-CSRF-Token", &csrf)
        .body(Body::from(body))
        .expect("request");
    let created = platform.send(request).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json()[0]["service_request_id"].clone();

    let mine = Request::get("/api/v1/me/reports?limit=200")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    let mine = platform.send(mine).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text());
    let items = mine.json()["items"].clone();
    let items = items.as_array().expect("items");
    assert!(
        items.iter().any(|item| item["service_request_id"] == id),
        "{items:?}"
    );
    assert!(items.len() > 1, "the demo seed gives Lucas reports too");

    // Without the cookie the same report is anonymous.
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs(&pothole(&lat, &long)))
        .finish();
    let anonymous = platform
        .send(
            Request::post("/open311/v2/requests.json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
    let anonymous_id = anonymous.json()[0]["service_request_id"].clone();
    let mine = Request::get("/api/v1/me/reports?limit=200")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    let items = platform.send(mine).await.json()["items"].clone();
    assert!(
        !items
            .as_array()
            .expect("items")
            .iter()
            .any(|item| item["service_request_id"] == anonymous_id)
    );
}

/// The `Cookie` header value and the CSRF token of a sign-in reply.
fn session_of(signed: &Reply) -> (String, String) {
    let cookie = signed.headers[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let csrf = signed.json()["csrfToken"]
        .as_str()
        .expect("csrf token")
        .to_owned();
    (cookie, csrf)
}

async fn sign_in(platform: &Platform, email: &str) -> (String, String) {
    let request = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": email, "password": "quartier-demo"}).to_string(),
        ))
        .expect("request");
    let signed = platform.send(request).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
    session_of(&signed)
}

fn report_request(
    uri: &str,
    fields: &Fields,
    cookie: Option<&str>,
    csrf: Option<&str>,
) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs(fields))
        .finish();
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    request.body(Body::from(body)).expect("request")
}

async fn report_count(platform: &Platform) -> i64 {
    platform
        .state
        .db
        .call(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM open311_requests", [], |r| r.get(0))?))
        .await
        .expect("count")
}

/// A report sent with a resident's session cookie is a state-changing call of that session: it
/// needs the session's `X-CSRF-Token`, as the resident API's writes do. Without a cookie the
/// report is anonymous and needs only the api_key.
#[tokio::test]
async fn open311_post_with_a_session_cookie_needs_the_csrf_token() {
    let platform = platform();
    let (cookie, csrf) = sign_in(&platform, "camille.martin@example.org").await;
    let (_, lucas_csrf) = sign_in(&platform, "lucas.bernard@example.org").await;
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let before = report_count(&platform).await;
    for token in [None, Some(""), Some("wrong"), Some(lucas_csrf.as_str())] {
        let refused = platform
            .send(report_request(
                "/open311/v2/requests.json",
                &report,
                Some(&cookie),
                token,
            ))
            .await;
        assert_eq!(
            refused.errors(StatusCode::FORBIDDEN),
            [format!(
                "X-CSRF-Token: {}",
                quartier_api::resident::codes::CSRF_MISMATCH
            )],
            "{token:?}"
        );
    }
    // In XML too, as the path asks.
    let refused = platform
        .send(report_request(
            "/open311/v2/requests.xml",
            &report,
            Some(&cookie),
            None,
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let xml: XmlErrors = quick_xml::de::from_str(&refused.text()).expect("xml errors");
    assert_eq!(xml.error[0].code, 403);
    assert_eq!(report_count(&platform).await, before, "nothing was stored");

    let made = platform
        .send(report_request(
            "/open311/v2/requests.json",
            &report,
            Some(&cookie),
            Some(&csrf),
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let anonymous = platform
        .send(report_request(
            "/open311/v2/requests.json",
            &report,
            None,
            None,
        ))
        .await;
    assert_eq!(
        anonymous.status,
        StatusCode::CREATED,
        "{}",
        anonymous.text()
    );
    // A cookie that names no live session grants nothing, so it asks for no token.
    let stale = platform
        .send(report_request(
            "/open311/v2/requests.json",
            &report,
            Some("quartier_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            None,
        ))
        .await;
    assert_eq!(stale.status, StatusCode::CREATED, "{}", stale.text());
    assert_eq!(report_count(&platform).await, before + 3);
}

/// An api_key in the query string is checked before the body is read: a wrong one is refused
/// even when the body could not have been read at all; a right one stands for the form's.
#[tokio::test]
async fn open311_api_key_is_checked_before_the_body() {
    let platform = platform();
    let unreadable = Request::post("/open311/v2/requests.json?api_key=wrong")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(vec![0u8; 1024]))
        .expect("request");
    assert_eq!(
        platform
            .send(unreadable)
            .await
            .errors(StatusCode::FORBIDDEN),
        ["api_key: invalid or missing"]
    );
    let (lat, long) = centre();
    let report = without(&pothole(&lat, &long), "api_key");
    let made = platform
        .send(report_request(
            &format!("/open311/v2/requests.json?api_key={DEMO_API_KEY}"),
            &report,
            None,
            None,
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    // A wrong key in the form is refused even with a right one in the query.
    let mixed = platform
        .send(report_request(
            &format!("/open311/v2/requests.json?api_key={DEMO_API_KEY}"),
            &with(&report, "api_key", "wrong"),
            None,
            None,
        ))
        .await;
    mixed.errors(StatusCode::FORBIDDEN);
    // In a multipart form, a wrong key ends the read before the photo part.
    let refused = platform
        .post_multipart(
            &pairs(&with(&report, "api_key", "wrong")),
            Some(("image/jpeg", b"not read")),
        )
        .await;
    assert_eq!(
        refused.errors(StatusCode::FORBIDDEN),
        ["api_key: invalid or missing"]
    );
}

/// Photos are decoded a bounded number at a time: when every decode slot stays busy, the report
/// is answered 503 with `Retry-After` in Open311's error format, and nothing is stored.
#[tokio::test]
async fn open311_photo_decodes_are_bounded_and_503_when_busy() {
    let platform = platform_with(|settings| {
        settings.max_photo_decodes = 1;
        settings.busy_wait = std::time::Duration::ZERO;
    });
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let photo = jpeg_with_exif();
    let before = report_count(&platform).await;
    let slot = platform
        .state
        .open311
        .photo_decodes
        .try_acquire()
        .expect("a free slot");
    let busy = platform
        .post_multipart(&pairs(&report), Some(("image/jpeg", &photo)))
        .await;
    assert_eq!(busy.errors(StatusCode::SERVICE_UNAVAILABLE).len(), 1);
    assert_eq!(busy.headers[header::RETRY_AFTER], "1");
    assert_eq!(report_count(&platform).await, before);
    // Reports without a photo do not need a slot.
    let plain = platform
        .post_form("/open311/v2/requests.json", &pairs(&report), None)
        .await;
    assert_eq!(plain.status, StatusCode::CREATED);
    drop(slot);
    let made = platform
        .post_multipart(&pairs(&report), Some(("image/jpeg", &photo)))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
}

fn keyed(request: Request<Body>, key: &str) -> Request<Body> {
    let (mut parts, body) = request.into_parts();
    parts
        .headers
        .insert("idempotency-key", key.parse().expect("header value"));
    Request::from_parts(parts, body)
}

/// The same `Idempotency-Key` with another request is refused with 422 in Open311's format,
/// never answered with the first request's response; the same request again is replayed.
#[tokio::test]
async fn open311_idempotency_key_with_another_body_is_422() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let before = report_count(&platform).await;
    let uri = "/open311/v2/requests.json";
    let first = platform.post_form(uri, &pairs(&report), Some("k-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let changed = with(&report, "description", "Un autre trou, ailleurs");
    let refused = platform.post_form(uri, &pairs(&changed), Some("k-1")).await;
    assert_eq!(
        refused.errors(StatusCode::UNPROCESSABLE_ENTITY),
        ["Idempotency-Key: already used with another request"]
    );
    // Another photo is another request too.
    let photo = jpeg_with_exif();
    let refused = platform
        .send(keyed(
            multipart_request(&pairs(&report), Some(("image/jpeg", &photo))),
            "k-1",
        ))
        .await;
    refused.errors(StatusCode::UNPROCESSABLE_ENTITY);
    let again = platform.post_form(uri, &pairs(&report), Some("k-1")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json(), first.json(), "replayed");
    assert_eq!(report_count(&platform).await, before + 1);
}

/// Keys belong to their client: the signed-in resident, else the api_key. Another client's
/// report is never replayed to someone who happens to send the same key and form.
#[tokio::test]
async fn open311_idempotency_keys_are_per_client() {
    let platform = platform();
    let (camille, camille_csrf) = sign_in(&platform, "camille.martin@example.org").await;
    let (lucas, lucas_csrf) = sign_in(&platform, "lucas.bernard@example.org").await;
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let uri = "/open311/v2/requests.json";
    let anonymous = platform
        .send(keyed(report_request(uri, &report, None, None), "shared"))
        .await;
    let by_camille = platform
        .send(keyed(
            report_request(uri, &report, Some(&camille), Some(&camille_csrf)),
            "shared",
        ))
        .await;
    let by_lucas = platform
        .send(keyed(
            report_request(uri, &report, Some(&lucas), Some(&lucas_csrf)),
            "shared",
        ))
        .await;
    let ids: Vec<Value> = [&anonymous, &by_camille, &by_lucas]
        .iter()
        .map(|reply| {
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
            reply.json()[0]["service_request_id"].clone()
        })
        .collect();
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}"
    );
    // Each client's own retry is replayed.
    let retry = platform
        .send(keyed(
            report_request(uri, &report, Some(&camille), Some(&camille_csrf)),
            "shared",
        ))
        .await;
    assert_eq!(retry.json()[0]["service_request_id"], ids[1]);
    let retry = platform
        .send(keyed(report_request(uri, &report, None, None), "shared"))
        .await;
    assert_eq!(retry.json()[0]["service_request_id"], ids[0]);
}

/// A key lives 24 hours by the platform's clock; after that the same key makes a new report.
#[tokio::test]
async fn open311_idempotency_keys_expire_after_a_day() {
    let platform = platform();
    let (lat, long) = centre();
    let report = pothole(&lat, &long);
    let uri = "/open311/v2/requests.json";
    let first = platform
        .post_form(uri, &pairs(&report), Some("daily"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    platform
        .state
        .auth
        .clock
        .advance(std::time::Duration::from_secs(23 * 3600));
    let replayed = platform
        .post_form(uri, &pairs(&report), Some("daily"))
        .await;
    assert_eq!(replayed.json(), first.json(), "still remembered after 23 h");
    platform
        .state
        .auth
        .clock
        .advance(std::time::Duration::from_secs(3600));
    let changed = with(&report, "description", "Le même trou, un jour plus tard");
    let later = platform
        .post_form(uri, &pairs(&changed), Some("daily"))
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.text());
    assert_ne!(
        later.json()[0]["service_request_id"],
        first.json()[0]["service_request_id"],
        "expired after 24 h: a new report, not a 422"
    );
    let expired_rows: i64 = platform
        .state
        .db
        .call(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM open311_idempotency WHERE key = 'daily'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("count");
    assert_eq!(expired_rows, 1, "the expired entry was swept");
}
