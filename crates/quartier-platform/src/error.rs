//! One error type for every handler, rendered in the error shape of the API that served the request.
//!
//! Handlers return `Result<_, AppError>` and never choose a wire format themselves: the response
//! carries an [`ErrorInfo`] extension, and the layer of each API area ([`format_layer`]) turns it into
//! NGSI-LD ProblemDetails, an Open311 error array or the resident API's ProblemDetails. Outside an
//! API area (static files, tiles, health) the error stays a short plain-text body. Internal causes
//! are logged here and never sent to the client.

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use quartier_api::{
    ngsi_ld::{ErrorType, PROBLEM_CONTENT_TYPE, ProblemDetails},
    resident::codes,
};
use serde_json::json;

/// Every way a request can fail. Client-facing detail is English developer text; the UI shows
/// its own translated message chosen from the `code`, never this text.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such route or resource.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request is malformed or fails validation. `code` is a stable machine code.
    #[error("bad request ({code}): {detail}")]
    BadRequest { code: &'static str, detail: String },
    /// No valid session.
    #[error("unauthorized")]
    Unauthorized,
    /// 401 with a specific machine code: `session_expired`, `invalid_credentials`, or
    /// `unauthorized` (no session).
    #[error("unauthenticated ({code})")]
    Unauthenticated { code: &'static str },
    /// 429: too many attempts; the response carries `Retry-After: retry_after` (seconds).
    #[error("too many requests ({code}), retry after {retry_after}s")]
    TooManyRequests {
        code: &'static str,
        retry_after: u64,
    },
    /// Signed in, but not allowed (includes a missing or wrong CSRF token).
    #[error("forbidden ({code})")]
    Forbidden { code: &'static str },
    /// The resource already exists or the request conflicts with its state.
    #[error("conflict ({code}): {detail}")]
    Conflict { code: &'static str, detail: String },
    /// 503: every slot of a bounded resource (password checks, photo decodes) stayed busy; the
    /// response carries `Retry-After: retry_after` (seconds).
    #[error("overloaded, retry after {retry_after}s")]
    Overloaded { retry_after: u64 },
    /// 503: the request's deadline passed (waiting for the database or running a query); the
    /// response carries `Retry-After`.
    #[error("deadline passed")]
    Timeout,
    /// The platform cannot answer right now (e.g. the database is unreachable).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// An NGSI-LD error of the contract's type (`quartier_api::ngsi_ld::write` and the write
    /// routes): answered with that type's status, and that type in ProblemDetails.
    #[error("NGSI-LD {0}")]
    Ngsi(ProblemDetails),
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound(detail.into())
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    /// The client-safe description of this error. Internal causes are logged here, once, because
    /// this is the last place that still has them.
    pub fn info(&self) -> ErrorInfo {
        match self {
            Self::NotFound(detail) => ErrorInfo::new(
                StatusCode::NOT_FOUND,
                codes::NOT_FOUND,
                Some(detail.clone()),
            ),
            Self::BadRequest { code, detail } => {
                ErrorInfo::new(StatusCode::BAD_REQUEST, code, Some(detail.clone()))
            }
            Self::Unauthorized => {
                ErrorInfo::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, None)
            }
            Self::Unauthenticated { code } => ErrorInfo::new(StatusCode::UNAUTHORIZED, code, None),
            Self::TooManyRequests { code, .. } => {
                ErrorInfo::new(StatusCode::TOO_MANY_REQUESTS, code, None)
            }
            Self::Forbidden { code } => ErrorInfo::new(StatusCode::FORBIDDEN, code, None),
            Self::Conflict { code, detail } => {
                ErrorInfo::new(StatusCode::CONFLICT, code, Some(detail.clone()))
            }
            Self::Overloaded { .. } => {
                ErrorInfo::new(StatusCode::SERVICE_UNAVAILABLE, codes::UNAVAILABLE, None)
            }
            Self::Timeout => {
                ErrorInfo::new(StatusCode::SERVICE_UNAVAILABLE, codes::UNAVAILABLE, None)
            }
            Self::Database(error) if is_busy(error) => {
                tracing::warn!(%error, "database busy");
                ErrorInfo::new(StatusCode::SERVICE_UNAVAILABLE, codes::UNAVAILABLE, None)
            }
            Self::Unavailable(reason) => {
                tracing::warn!(%reason, "service unavailable");
                ErrorInfo::new(StatusCode::SERVICE_UNAVAILABLE, codes::UNAVAILABLE, None)
            }
            Self::Database(error) => {
                tracing::error!(%error, "database error");
                ErrorInfo::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, None)
            }
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                ErrorInfo::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, None)
            }
            Self::Ngsi(problem) => ErrorInfo::ngsi_ld(problem),
        }
    }

    /// Renders directly in a given shape, for code that already knows where it is (the static
    /// fallback answering for an API prefix).
    pub fn render(&self, format: ErrorFormat) -> Response {
        self.info().render(format)
    }
}

/// What a client is told to wait after a timeout or a busy database.
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// `SQLITE_BUSY`/`SQLITE_LOCKED` (another connection held a lock past the busy timeout) and
/// `SQLITE_INTERRUPT` (the call's deadline passed): the platform is overloaded, not broken.
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(
            rusqlite::ErrorCode::DatabaseBusy
                | rusqlite::ErrorCode::DatabaseLocked
                | rusqlite::ErrorCode::OperationInterrupted
        )
    )
}

impl AppError {
    /// The `Retry-After` this error's response carries, if any.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after, .. } | Self::Overloaded { retry_after } => {
                Some(*retry_after)
            }
            Self::Timeout => Some(RETRY_AFTER_SECONDS),
            Self::Database(error) if is_busy(error) => Some(RETRY_AFTER_SECONDS),
            _ => None,
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::Internal(anyhow::Error::new(error).context("blocking task failed"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // Plain until an API area's layer re-renders it; the extension lets that layer do so
        // without parsing the body. The layer keeps headers such as `Retry-After`.
        let mut response = self.info().render(ErrorFormat::Plain);
        if let Some(retry_after) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// The wire format of an error, one per API area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFormat {
    /// ETSI NGSI-LD: ProblemDetails as `application/json` (GS CIM 009 sends its errors so) with
    /// a type under `https://uri.etsi.org/ngsi-ld/errors/`.
    NgsiLd,
    /// Open311 GeoReport v2: `[{"code": <status>, "description": "…"}]`.
    Open311,
    /// The resident API: RFC 9457 ProblemDetails plus a machine `code`.
    Resident,
    /// Static files, tiles, health: a short `text/plain` body.
    Plain,
}

impl ErrorFormat {
    fn content_type(self) -> &'static str {
        match self {
            Self::NgsiLd => PROBLEM_CONTENT_TYPE,
            Self::Resident => "application/problem+json",
            Self::Open311 => "application/json",
            Self::Plain => "text/plain; charset=utf-8",
        }
    }
}

/// What a client may know about a failure. Travels as a response extension so that an API
/// area's layer can render it in that area's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    pub status: StatusCode,
    /// Stable snake_case machine code (`not_found`, `invalid_description`, `csrf_mismatch`, …).
    pub code: &'static str,
    pub detail: Option<String>,
    /// The NGSI-LD error type when the error was made as one ([`ErrorInfo::ngsi_ld`]); else
    /// it is read from the status and code.
    pub ngsi_ld_type: Option<ErrorType>,
}

impl ErrorInfo {
    pub fn new(status: StatusCode, code: &'static str, detail: Option<String>) -> Self {
        Self {
            status,
            code,
            detail,
            ngsi_ld_type: None,
        }
    }

    /// The info of an NGSI-LD ProblemDetails: its type's status (or the body's), its type.
    pub fn ngsi_ld(problem: &ProblemDetails) -> Self {
        let status = StatusCode::from_u16(problem.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self {
            status,
            code: ngsi_ld_code(&problem.error_type),
            detail: problem.detail.clone(),
            ngsi_ld_type: Some(problem.error_type.clone()),
        }
    }

    /// For error responses made by axum or tower-http themselves (405, 413, 408, extractor
    /// rejections), which carry no `ErrorInfo`.
    pub fn from_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => codes::UNAUTHORIZED,
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => codes::NOT_FOUND,
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::NOT_ACCEPTABLE => "not_acceptable",
            StatusCode::REQUEST_TIMEOUT => "request_timeout",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid_request",
            StatusCode::TOO_MANY_REQUESTS => codes::TOO_MANY_REQUESTS,
            StatusCode::SERVICE_UNAVAILABLE => codes::UNAVAILABLE,
            s if s.is_server_error() => codes::INTERNAL,
            _ => "error",
        };
        Self::new(status, code, None)
    }

    fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }

    /// The ETSI GS CIM 009 error type (the contract's [`ErrorType`]); statuses the standard has
    /// no type for (405, 401, 429…) are `about:blank`, as RFC 7807 has it.
    fn ngsi_ld_type(&self) -> ErrorType {
        if let Some(kind) = &self.ngsi_ld_type {
            return kind.clone();
        }
        match self.status {
            StatusCode::NOT_FOUND => ErrorType::ResourceNotFound,
            // A syntax error is InvalidRequest; well-formed but unacceptable data BadRequestData.
            StatusCode::BAD_REQUEST if self.code == "invalid_request" => ErrorType::InvalidRequest,
            StatusCode::BAD_REQUEST => ErrorType::BadRequestData,
            StatusCode::CONFLICT => ErrorType::AlreadyExists,
            StatusCode::FORBIDDEN if self.code == "too_many_results" => ErrorType::TooManyResults,
            StatusCode::NOT_ACCEPTABLE => ErrorType::NotAcceptable,
            StatusCode::UNPROCESSABLE_ENTITY => ErrorType::OperationNotSupported,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorType::InvalidRequest,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorType::UnsupportedMediaType,
            StatusCode::SERVICE_UNAVAILABLE if self.code == "ld_context_not_available" => {
                ErrorType::LdContextNotAvailable
            }
            s if s.is_server_error() => ErrorType::InternalError,
            _ => ErrorType::Other("about:blank".to_owned()),
        }
    }

    pub fn render(&self, format: ErrorFormat) -> Response {
        let detail = self.detail.as_deref().unwrap_or(self.title());
        let mut response = match format {
            ErrorFormat::NgsiLd => Json(ProblemDetails {
                error_type: self.ngsi_ld_type(),
                title: Some(self.title().to_owned()),
                status: Some(self.status.as_u16()),
                detail: Some(detail.to_owned()),
                instance: None,
            })
            .into_response(),
            ErrorFormat::Resident => {
                let mut body = json!({
                    "type": "about:blank",
                    "title": self.title(),
                    "status": self.status.as_u16(),
                    "code": self.code,
                });
                if let (Some(detail), Some(map)) = (&self.detail, body.as_object_mut()) {
                    map.insert("detail".into(), detail.clone().into());
                }
                Json(body).into_response()
            }
            ErrorFormat::Open311 => Json(json!([{
                "code": self.status.as_u16(),
                "description": detail,
            }]))
            .into_response(),
            ErrorFormat::Plain => format!("{}\n", self.title()).into_response(),
        };
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        response.extensions_mut().insert(self.clone());
        response
    }
}

/// The machine code of an NGSI-LD error type (what the other formats show of it).
fn ngsi_ld_code(kind: &ErrorType) -> &'static str {
    match kind {
        ErrorType::InvalidRequest => "invalid_request",
        ErrorType::BadRequestData => "bad_request_data",
        ErrorType::AlreadyExists => "already_exists",
        ErrorType::OperationNotSupported => "operation_not_supported",
        ErrorType::ResourceNotFound => codes::NOT_FOUND,
        ErrorType::TooManyResults => "too_many_results",
        ErrorType::TooComplexQuery => "too_complex_query",
        ErrorType::LdContextNotAvailable => "ld_context_not_available",
        ErrorType::NotAcceptable => "not_acceptable",
        ErrorType::UnsupportedMediaType => "unsupported_media_type",
        ErrorType::NoMultiTenantSupport => "no_multi_tenant_support",
        ErrorType::NonexistentTenant => "nonexistent_tenant",
        ErrorType::InternalError => codes::INTERNAL,
        ErrorType::Other(_) => "error",
    }
}

/// `map_response_with_state` function for an API area: renders every error response of the area
/// in its format, including those axum produced itself (405, 413, extractor rejections), while
/// keeping headers such as `Allow` or `Retry-After`.
pub async fn format_layer(State(format): State<ErrorFormat>, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let info = match response.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None => {
            let already_shaped = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|value| value.as_bytes() == format.content_type().as_bytes());
            if already_shaped {
                return response;
            }
            ErrorInfo::from_status(status)
        }
    };
    let (mut parts, _) = response.into_parts();
    let rendered = info.render(format);
    let (rendered_parts, body) = rendered.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &rendered_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    parts.extensions.insert(info);
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        serde_json::from_slice(&bytes).expect("json body")
    }

    #[tokio::test]
    async fn a_busy_or_interrupted_database_is_503_with_retry_after() {
        for code in [
            rusqlite::ffi::SQLITE_BUSY,
            rusqlite::ffi::SQLITE_LOCKED,
            rusqlite::ffi::SQLITE_INTERRUPT,
        ] {
            let error = AppError::Database(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                None,
            ));
            assert_eq!(error.retry_after(), Some(RETRY_AFTER_SECONDS));
            let response = error.into_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(response.headers()[header::RETRY_AFTER], "1");
            let response = format_layer(State(ErrorFormat::NgsiLd), response).await;
            assert_eq!(response.headers()[header::RETRY_AFTER], "1");
            assert_eq!(body_json(response).await["status"], 503);
        }
        let other = AppError::Database(rusqlite::Error::QueryReturnedNoRows);
        assert_eq!(other.info().status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(other.retry_after(), None);
    }

    #[tokio::test]
    async fn internal_errors_do_not_leak_their_cause() {
        let error = AppError::Internal(anyhow::anyhow!("secret path /var/lib/x"));
        let response = error.render(ErrorFormat::Resident);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_json(response).await;
        assert_eq!(body["code"], "internal");
        assert!(!body.to_string().contains("secret"), "{body}");
    }

    #[tokio::test]
    async fn format_layer_reshapes_axum_rejections_and_keeps_headers() {
        let mut plain = StatusCode::METHOD_NOT_ALLOWED.into_response();
        plain
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
        let response = format_layer(State(ErrorFormat::Open311), plain).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "GET,HEAD");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = body_json(response).await;
        assert_eq!(body[0]["code"], 405);
    }

    #[tokio::test]
    async fn format_layer_leaves_successes_alone() {
        let ok = (StatusCode::CREATED, "made").into_response();
        let response = format_layer(State(ErrorFormat::NgsiLd), ok).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }
}
