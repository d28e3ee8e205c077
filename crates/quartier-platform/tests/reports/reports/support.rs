//! A fresh demo platform per test and the requests and replies the tests share.

pub use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
pub use http_body_util::BodyExt;
pub use quartier_platform::{
    AppState, Settings, build_router, demo::Town, routes::open311::DEMO_API_KEY,
};
pub use serde_json::{Value, json};
pub use tempfile::TempDir;
pub use tower::ServiceExt;

pub struct Platform {
    pub _dir: TempDir,
    pub router: Router,
    pub state: AppState,
}

pub fn platform() -> Platform {
    platform_with(|_| {})
}

/// A demo platform with settings adjusted by `adjust`.
pub fn platform_with(adjust: impl FnOnce(&mut Settings)) -> Platform {
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

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!("{error}: {}", String::from_utf8_lossy(&self.body));
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The descriptions of an Open311 JSON error list, after checking its shape.
    pub fn errors(&self, status: StatusCode) -> Vec<String> {
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

    /// The `code` of a resident-API ProblemDetails, after checking its shape.
    pub fn problem(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.content_type(), "application/problem+json");
        let body = self.json();
        assert_eq!(body["status"], status.as_u16(), "{body}");
        body["code"].as_str().expect("code").to_owned()
    }
}

impl Platform {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        send_to(&self.router, request).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    /// Rows of `open311_requests`.
    pub async fn report_count(&self) -> i64 {
        self.state
            .db
            .call(|conn| {
                Ok(conn.query_row("SELECT COUNT(*) FROM open311_requests", [], |r| r.get(0))?)
            })
            .await
            .expect("count")
    }
}

pub async fn send_to(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("infallible");
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

/// A form POST (`application/x-www-form-urlencoded`) with optional extra headers.
pub fn form_request(uri: &str, pairs: &[(&str, &str)], headers: &[(&str, &str)]) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body)).expect("request")
}

/// The town's centre as `(lat, long)`.
pub fn centre() -> (f64, f64) {
    let (lon, lat) = Town::demo().center();
    (lat, lon)
}

/// A valid report of `service_code` at `(lat, long)`, as form pairs.
pub fn report_at(service_code: &str, lat: f64, long: f64) -> Vec<(&'static str, String)> {
    vec![
        ("api_key", DEMO_API_KEY.to_owned()),
        ("service_code", service_code.to_owned()),
        ("lat", lat.to_string()),
        ("long", long.to_string()),
        ("description", "Signalement de test".to_owned()),
    ]
}

pub fn pairs<'a>(owned: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    owned
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// Creates a report and returns its id.
pub async fn create(platform: &Platform, fields: &[(&'static str, String)]) -> String {
    let created = platform
        .send(form_request(
            "/open311/v2/requests.json",
            &pairs(fields),
            &[],
        ))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    created.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// The `Cookie` header value and the CSRF token of a demo resident, signed in.
pub async fn sign_in(platform: &Platform, email: &str) -> (String, String) {
    let request = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": email, "password": "quartier-demo"}).to_string(),
        ))
        .expect("request");
    let signed = platform.send(request).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
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
