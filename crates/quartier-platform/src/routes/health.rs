//! `GET /healthz`: 200 once the platform can answer, for `cargo xtask demo` and load balancers.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::state::AppState;

pub async fn healthz(State(state): State<AppState>) -> Response {
    let probe = state
        .db
        .call(|conn| Ok(conn.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))?))
        .await;
    match probe {
        Ok(1) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok").into_response(),
        Ok(other) => {
            tracing::error!(other, "health probe returned an unexpected value");
            unavailable()
        }
        Err(error) => {
            tracing::error!(%error, "health probe failed");
            unavailable()
        }
    }
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "database unavailable",
    )
        .into_response()
}
