//! A fresh demo platform per test, signed-in residents, and response helpers.

pub use std::time::Duration;

pub use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
    response::Response,
};
pub use http_body_util::BodyExt;
pub use quartier_api::resident::codes;
pub use quartier_platform::{AppState, Settings, build_router};
pub use serde_json::{Value, json};
pub use tempfile::TempDir;
pub use tower::ServiceExt;

pub const CAMILLE: &str = "camille.martin@example.org";
pub const LUCAS: &str = "lucas.bernard@example.org";
pub const PASSWORD: &str = "quartier-demo";

pub struct App {
    dir: std::sync::Arc<TempDir>,
    pub state: AppState,
    pub router: Router,
}

/// A signed-in resident: the `Cookie` header value and the CSRF token.
pub struct Signed {
    pub cookie: String,
    pub csrf: String,
}

pub fn app() -> App {
    app_with(|_| {})
}

/// A demo platform with settings adjusted by `adjust`.
pub fn app_with(adjust: impl FnOnce(&mut Settings)) -> App {
    start_in(
        std::sync::Arc::new(tempfile::tempdir().expect("tempdir")),
        adjust,
    )
}

fn start_in(dir: std::sync::Arc<TempDir>, adjust: impl FnOnce(&mut Settings)) -> App {
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.demo = true;
    adjust(&mut settings);
    let state = AppState::new(settings).expect("state");
    let router = build_router(state.clone());
    App { dir, state, router }
}

impl App {
    /// Another platform on the same data directory (a restart, e.g. with a new configuration);
    /// sessions survive, as they would.
    pub fn restarted_with(&self, adjust: impl FnOnce(&mut Settings)) -> App {
        start_in(std::sync::Arc::clone(&self.dir), adjust)
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible")
    }

    pub async fn sign_in(&self, email: &str) -> Signed {
        let response = self.send(sign_in_request(email, PASSWORD)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let set_cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .to_owned();
        let cookie = set_cookie.split(';').next().expect("pair").to_owned();
        let body = json_of(response).await;
        Signed {
            cookie,
            csrf: body["csrfToken"].as_str().expect("csrf").to_owned(),
        }
    }

    pub async fn get(&self, who: &Signed, uri: &str) -> Response {
        self.send(
            Request::get(uri)
                .header(header::COOKIE, &who.cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// A state-changing call with the session's CSRF token.
    pub async fn call(&self, who: &Signed, method: Method, uri: &str, body: Value) -> Response {
        self.send(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::COOKIE, &who.cookie)
                .header("x-csrf-token", &who.csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }

    pub async fn get_json(&self, who: &Signed, uri: &str) -> Value {
        let response = self.get(who, uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        json_of(response).await
    }

    pub async fn access_log_total(&self, who: &Signed) -> i64 {
        self.get_json(who, "/api/v1/me/access-log").await["total"]
            .as_i64()
            .expect("total")
    }
}

pub fn sign_in_request(email: &str, password: &str) -> Request<Body> {
    Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "email": email, "password": password }).to_string(),
        ))
        .expect("request")
}

pub async fn json_of(response: Response) -> Value {
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    serde_json::from_slice(&bytes).expect("json body")
}

/// Asserts a ProblemDetails answer with this status and machine code.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body = json_of(response).await;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
}
