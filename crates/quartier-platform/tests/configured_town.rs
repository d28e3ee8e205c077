//! A platform started without `--demo` answers for its configured town, and no answer carries
//! anything of the demo town: no "demo"/"démo", not its name, postcode or street names.

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use quartier_platform::{AppState, Settings, build_router, demo::Town, town::TownConfig};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

const KEY: &str = "town-key";

struct Platform {
    _dir: TempDir,
    router: Router,
    state: AppState,
}

fn platform(town: Option<TownConfig>) -> Platform {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        town,
        open311_api_keys: vec![KEY.to_owned()],
        ..Settings::new(dir.path().join("data"), dir.path().join("dist"))
    };
    assert!(!settings.demo);
    let state = AppState::new(settings).expect("state");
    Platform {
        router: build_router(state.clone()),
        state,
        _dir: dir,
    }
}

/// A square around Nantes, far from the demo town.
fn ville_sur_mer() -> TownConfig {
    serde_json::from_str(
        r#"{"name": "Ville-sur-Mer", "postcode": "44000",
            "outline": [[-1.60, 47.20], [-1.50, 47.20], [-1.50, 47.25], [-1.60, 47.25]],
            "controller": {"name": "Ville de Ville-sur-Mer", "contact": "dpo@ville-sur-mer.fr"}}"#,
    )
    .expect("town")
}

impl Platform {
    async fn send(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&self, uri: &str) -> (StatusCode, String) {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    async fn post(&self, pairs: &[(&str, &str)]) -> (StatusCode, String) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.send(
            Request::post("/open311/v2/requests.json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }
}

/// Panics if `body` (the answer to `what`) shows anything of the demo town.
fn assert_no_demo(what: &str, body: &str) {
    let lower = body.to_lowercase();
    for word in ["demo", "démo", "belleville", "37000", "example.org"] {
        assert!(!lower.contains(word), "{what} says {word:?}: {body}");
    }
    for street in Town::demo().streets() {
        // Street names shared with any French town ("Grande Rue") prove nothing; the demo's
        // longer names do.
        if street.name.len() > 16 {
            assert!(
                !body.contains(&street.name),
                "{what} names {:?}",
                street.name
            );
        }
    }
}

/// Every answer a client can get without a session, checked for demo text.
async fn scan(platform: &Platform) -> Vec<(String, String)> {
    let mut answers = Vec::new();
    let (_, services) = platform.get("/open311/v2/services.json").await;
    let codes: Vec<String> = serde_json::from_str::<Value>(&services)
        .expect("services")
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["service_code"].as_str().expect("code").to_owned())
        .collect();
    assert!(!codes.is_empty());
    let mut uris: Vec<String> = [
        "/open311/v2/discovery.json",
        "/open311/v2/discovery.xml",
        "/open311/v2/services.json",
        "/open311/v2/services.xml",
        "/open311/v2/requests.json",
        "/open311/v2/requests/1.json",
        "/open311/v2/nothing-here",
        "/api/v1/consent-purposes",
        "/api/v1/me",
        "/api/v1/session",
        "/api/v1/nothing-here",
        "/geocode/search?q=rue",
        "/ngsi-ld/v1/types",
        "/ngsi-ld/v1/entities?type=Streetlight",
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:1",
        "/ngsi-ld/v1/entities?q=(",
        "/healthz",
        "/",
        "/map",
    ]
    .iter()
    .map(|u| (*u).to_owned())
    .collect();
    uris.extend(
        codes
            .iter()
            .map(|c| format!("/open311/v2/services/{c}.json")),
    );
    for uri in uris {
        let (status, body) = platform.get(&uri).await;
        // The app is not built here: its pages are 503, the APIs must answer.
        let page = uri == "/" || uri == "/map";
        assert!(page || !status.is_server_error(), "{uri}: {status} {body}");
        answers.push((uri, body));
    }
    answers
}

#[tokio::test]
async fn a_configured_town_answers_with_its_own_name_postcode_and_outline() {
    let platform = platform(Some(ville_sur_mer()));
    let mut answers = scan(&platform).await;
    let discovery = &answers[0].1;
    assert!(discovery.contains("Mairie de Ville-sur-Mer"), "{discovery}");
    let purposes = &answers
        .iter()
        .find(|(uri, _)| uri == "/api/v1/consent-purposes")
        .expect("purposes")
        .1;
    assert!(purposes.contains("Ville de Ville-sur-Mer"), "{purposes}");

    // Inside the configured outline: accepted, with the town's postcode and no invented address.
    let inside = [
        ("api_key", KEY),
        ("service_code", "graffiti"),
        ("lat", "47.22"),
        ("long", "-1.55"),
        ("description", "Un tag sur le mur de l'école"),
    ];
    let (status, created) = platform.post(&inside).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = serde_json::from_str::<Value>(&created).expect("json")[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, report) = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let report_json: Value = serde_json::from_str(&report).expect("json");
    assert_eq!(report_json[0]["zipcode"], "44000", "{report}");
    assert!(
        report_json[0]["address"].is_null() || report_json[0]["address"] == "",
        "{report}"
    );
    answers.push(("POST requests.json".into(), created));
    answers.push(("the report".into(), report));

    // The demo town's centre is outside this town.
    let (lon, lat) = Town::demo().center();
    let (lat, lon) = (lat.to_string(), lon.to_string());
    let outside = [
        ("api_key", KEY),
        ("service_code", "graffiti"),
        ("lat", lat.as_str()),
        ("long", lon.as_str()),
        ("description", "Un tag"),
    ];
    let (status, refused) = platform.post(&outside).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.contains("outside_town"), "{refused}");
    answers.push(("POST outside the town".into(), refused));
    let (status, unknown) = platform
        .post(&[("api_key", KEY), ("service_code", "nope")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    answers.push(("POST with an unknown service".into(), unknown));

    for (what, body) in &answers {
        assert_no_demo(what, body);
    }
}

#[tokio::test]
async fn without_a_town_file_nor_demo_nothing_of_the_demo_town_shows() {
    let platform = platform(None);
    let answers = scan(&platform).await;
    for (what, body) in &answers {
        assert_no_demo(what, body);
    }
    // Any valid position is accepted: the platform knows no outline.
    let (status, created) = platform
        .post(&[
            ("api_key", KEY),
            ("service_code", "graffiti"),
            ("lat", "43.6"),
            ("long", "1.44"),
            ("description", "Un tag"),
        ])
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_no_demo("POST", &created);
}

#[tokio::test]
async fn open311_dates_follow_the_platform_clock() {
    let platform = platform(Some(ville_sur_mer()));
    let (status, created) = platform
        .post(&[
            ("api_key", KEY),
            ("service_code", "graffiti"),
            ("lat", "47.22"),
            ("long", "-1.55"),
            ("description", "Un tag"),
        ])
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = serde_json::from_str::<Value>(&created).expect("json")[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let listed = |body: &str| {
        serde_json::from_str::<Value>(body)
            .expect("json")
            .as_array()
            .expect("list")
            .iter()
            .any(|r| r["service_request_id"] == id.as_str())
    };
    let (_, list) = platform.get("/open311/v2/requests.json").await;
    assert!(listed(&list), "{list}");
    // The default window is the last 90 days of the platform's clock, which tests move.
    platform
        .state
        .auth
        .clock
        .advance(std::time::Duration::from_secs(91 * 86_400));
    let (_, list) = platform.get("/open311/v2/requests.json").await;
    assert!(!listed(&list), "{list}");
    let (_, report) = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await;
    let requested = serde_json::from_str::<Value>(&report).expect("json")[0]["requested_datetime"]
        .as_str()
        .expect("datetime")
        .to_owned();
    let (status, list) = platform
        .get(&format!("/open311/v2/requests.json?start_date={requested}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(listed(&list), "{list}");
}
