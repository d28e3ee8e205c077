//! Concurrency that holds: readers beside the writer, deadlines that free connections, bounded
//! anonymous areas, each answering in its API's own error format with `Retry-After`.

use std::time::{Duration, Instant};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
    response::Response,
};
use http_body_util::BodyExt;
use quartier_platform::{AppError, AppState, Settings, build_router, db::with_deadline};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

struct App {
    _dir: TempDir,
    state: AppState,
    router: Router,
}

fn app(adjust: impl FnOnce(&mut Settings)) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
    settings.demo = true;
    adjust(&mut settings);
    let state = AppState::new(settings).expect("state");
    App {
        router: build_router(state.clone()),
        state,
        _dir: dir,
    }
}

impl App {
    async fn send(&self, request: Request<Body>) -> Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible")
    }

    async fn get(&self, uri: &str) -> Response {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    async fn sign_in(&self) -> Response {
        self.send(
            Request::post("/api/v1/session")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"email": "camille.martin@example.org", "password": "quartier-demo"})
                        .to_string(),
                ))
                .expect("request"),
        )
        .await
    }
}

async fn body(response: Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

async fn json_of(response: Response) -> Value {
    let bytes = body(response).await;
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// Never ends on its own: only the progress handler's deadline stops it.
const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                       SELECT count(*) FROM c";

const ENTITIES: &str = "/ngsi-ld/v1/entities?type=Streetlight&limit=1";

/// Holds the pool's only reader until `release` is sent (or dropped): a read that never
/// reaches SQLite's progress handler, so only its end frees the reader.
fn hold_the_reader(app: &App) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (taken, is_taken) = std::sync::mpsc::channel::<()>();
    let db = app.state.db.clone();
    let task = tokio::spawn(async move {
        db.read(move |_| {
            let _ = taken.send(());
            let _ = held.recv();
            Ok(())
        })
        .await
        .expect("held read");
    });
    is_taken
        .recv_timeout(Duration::from_secs(5))
        .expect("the reader is taken");
    (release, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_cancelled_by_its_deadline_frees_the_database_for_the_next_request() {
    let app = app(|s| s.db_readers = 1);
    let db = app.state.db.clone();
    let started = Instant::now();
    let slow = tokio::spawn(with_deadline(
        tokio::time::Instant::now() + Duration::from_millis(300),
        async move {
            db.read(|conn| Ok(conn.query_row(ENDLESS, [], |r| r.get::<_, i64>(0))?))
                .await
        },
    ));
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Waits for the only reader, which the endless query holds until its deadline.
    let response = tokio::time::timeout(Duration::from_secs(5), app.get(ENTITIES))
        .await
        .expect("the reader was freed by the deadline");
    assert_eq!(response.status(), StatusCode::OK);
    let waited = started.elapsed();
    let error = slow
        .await
        .expect("joined")
        .expect_err("the endless query was interrupted");
    assert_eq!(
        error.info().status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{error}"
    );
    assert_eq!(error.retry_after(), Some(1));
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "the next request got the reader after {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_write_leaves_the_writer_usable() {
    let app = app(|_| {});
    let error = with_deadline(
        tokio::time::Instant::now() + Duration::from_millis(200),
        app.state
            .db
            .call(|conn| Ok(conn.query_row(ENDLESS, [], |r| r.get::<_, i64>(0))?)),
    )
    .await
    .expect_err("interrupted");
    assert!(
        matches!(error, AppError::Database(_) | AppError::Timeout),
        "{error}"
    );
    assert_eq!(app.sign_in().await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_their_deadline_requests_answer_503_in_their_api_format_and_sign_in_still_answers() {
    let app = app(|s| {
        s.db_readers = 1;
        s.request_deadline = Duration::from_millis(300);
        s.upload_deadline = Duration::from_millis(300);
    });
    let (release, held) = hold_the_reader(&app);

    let started = Instant::now();
    let response = app.get(ENTITIES).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    let problem = json_of(response).await;
    assert_eq!(problem["status"], 503, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://uri.etsi.org/ngsi-ld/errors/")),
        "{problem}"
    );

    let response = app.get("/open311/v2/requests.json").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    let errors = json_of(response).await;
    assert_eq!(errors[0]["code"], 503, "{errors}");

    // Residents go through the writer, which no anonymous read holds.
    let started = Instant::now();
    let response = app.sign_in().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    release.send(()).expect("release");
    held.await.expect("joined");
    assert_eq!(app.get(ENTITIES).await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_anonymous_areas_answer_503_with_retry_after_in_their_format() {
    let app = app(|s| {
        s.anonymous_at_once = 1;
        s.busy_wait = Duration::from_millis(50);
    });
    let limits = app.state.limits.clone();
    let _ngsi_ld = limits.ngsi_ld.hold().await.expect("place");
    let _tiles = limits.tiles.hold().await.expect("place");
    let _geocoder = limits.geocoder.hold().await.expect("place");

    let response = app.get(ENTITIES).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert!(
        json_of(response).await["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://uri.etsi.org/ngsi-ld/errors/"))
    );

    let response = app.get("/geocode/search?q=rue").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_eq!(json_of(response).await["code"], "unavailable");

    let response = app.get("/tiles/1/0/0.png").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");

    // The resident API has no such bound and still answers.
    assert_eq!(app.sign_in().await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/open311/v2/services.json").await.status(),
        StatusCode::OK
    );
    drop(_ngsi_ld);
    assert_eq!(app.get(ENTITIES).await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_by_another_process_is_503_with_retry_after_then_recovers() {
    let app = app(|_| {});
    let response = app.sign_in().await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let csrf = json_of(response).await["csrfToken"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let change = || {
        Request::put("/api/v1/me/consents/town-newsletter")
            .header(header::COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "granted": true }).to_string()))
            .expect("request")
    };

    // Another process (the CLI, a backup) holds the write lock past the busy timeout.
    let other = rusqlite::Connection::open(app.state.db.path()).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let started = Instant::now();
    let response = app.send(change()).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(json_of(response).await["code"], "unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "{:?}",
        started.elapsed()
    );

    other.execute_batch("ROLLBACK").expect("unlock");
    assert_eq!(app.send(change()).await.status(), StatusCode::OK);
}
