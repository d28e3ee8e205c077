//! The one error type of the app's HTTP calls, and the translation key that explains it.

/// What can go wrong with a call to the platform, as the resident needs to know it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No answer: network down, server unreachable, request blocked.
    #[error("network error: {0}")]
    Network(String),
    /// The server answered with an error status.
    #[error("HTTP {status}")]
    Status { status: u16 },
    /// The answer could not be read as the expected shape.
    #[error("unexpected answer: {0}")]
    Decode(String),
}

impl ApiError {
    /// The Fluent key of the message shown to the resident.
    pub fn message_key(&self) -> &'static str {
        match self {
            ApiError::Network(_) => "error-network",
            ApiError::Status { status: 404 } => "error-not-found",
            ApiError::Status { status: 401 } => "error-session-expired",
            ApiError::Status { status } if *status >= 500 => "error-server",
            ApiError::Status { .. } => "error-request",
            ApiError::Decode(_) => "error-decode",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_own_message() {
        assert_eq!(ApiError::Network("x".into()).message_key(), "error-network");
        assert_eq!(
            ApiError::Status { status: 404 }.message_key(),
            "error-not-found"
        );
        assert_eq!(
            ApiError::Status { status: 401 }.message_key(),
            "error-session-expired"
        );
        assert_eq!(
            ApiError::Status { status: 503 }.message_key(),
            "error-server"
        );
        assert_eq!(
            ApiError::Status { status: 422 }.message_key(),
            "error-request"
        );
        assert_eq!(ApiError::Decode("x".into()).message_key(), "error-decode");
    }
}
