//! The one error type of the app's HTTP calls, and the translation key that explains it.
//!
//! An error knows which service answered: a 401 from the services broker is not an expired
//! session, and a 400 from the address search means the query was too short, not that the
//! app is broken.

/// Which API a call went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// The town's NGSI-LD broker (the map's services).
    Broker,
    /// The address search (Base Adresse Nationale's shape).
    Geocoder,
    /// The resident API (session, personal data, consents).
    Resident,
    /// The town's Open311 server (issue reports).
    Reports,
    /// A part of the app itself, downloaded when first needed (a route's code).
    AppCode,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer: network down, server unreachable, request blocked.
    Network(String),
    /// The server answered with an error status.
    Status(u16),
    /// The answer could not be read as the expected shape.
    Decode(String),
}

/// What can go wrong with a call, as the resident needs to know it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{service:?}: {failure:?}")]
pub struct ApiError {
    pub service: Service,
    pub failure: Failure,
}

impl ApiError {
    pub fn network(service: Service, detail: impl Into<String>) -> Self {
        Self {
            service,
            failure: Failure::Network(detail.into()),
        }
    }

    pub fn status(service: Service, status: u16) -> Self {
        Self {
            service,
            failure: Failure::Status(status),
        }
    }

    pub fn decode(service: Service, detail: impl Into<String>) -> Self {
        Self {
            service,
            failure: Failure::Decode(detail.into()),
        }
    }

    /// The HTTP status, when the server answered.
    pub fn http_status(&self) -> Option<u16> {
        match self.failure {
            Failure::Status(status) => Some(status),
            _ => None,
        }
    }

    /// The Fluent key of the message shown to the resident: true for the service that failed.
    pub fn message_key(&self) -> &'static str {
        use Service::*;
        match (self.service, &self.failure) {
            (AppCode, Failure::Network(_)) => "error-app-code-network",
            (AppCode, _) => "error-app-code",
            (_, Failure::Network(_)) => "error-network",
            (_, Failure::Decode(_)) => "error-decode",
            (Broker, Failure::Status(401 | 403)) => "error-broker-refused",
            (Broker, Failure::Status(404)) => "error-not-found",
            (Broker, Failure::Status(status)) if *status >= 500 => "error-broker-server",
            (Geocoder, Failure::Status(400 | 422)) => "error-geocoder-query",
            (Geocoder, Failure::Status(_)) => "error-geocoder-unavailable",
            (Resident, Failure::Status(401)) => "error-session-expired",
            (Resident, Failure::Status(403)) => "error-forbidden",
            (Resident, Failure::Status(404)) => "error-not-found",
            (Resident | Reports, Failure::Status(status)) if *status >= 500 => "error-server",
            (Reports, Failure::Status(404)) => "error-report-not-found",
            (Reports, Failure::Status(403)) => "error-reports-refused",
            (_, Failure::Status(429)) => "error-too-many",
            (_, Failure::Status(_)) => "error-request",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_own_message() {
        use Service::*;
        let key = |service, status| ApiError::status(service, status).message_key();
        assert_eq!(
            ApiError::network(Broker, "x").message_key(),
            "error-network"
        );
        assert_eq!(ApiError::decode(Broker, "x").message_key(), "error-decode");
        assert_eq!(key(Broker, 404), "error-not-found");
        assert_eq!(key(Broker, 503), "error-broker-server");
        assert_eq!(key(Broker, 422), "error-request");
        assert_eq!(key(Resident, 503), "error-server");
        assert_eq!(key(Broker, 429), "error-too-many");
    }

    #[test]
    fn a_broker_401_is_not_an_expired_session() {
        assert_eq!(
            ApiError::status(Service::Broker, 401).message_key(),
            "error-broker-refused"
        );
        assert_eq!(
            ApiError::status(Service::Resident, 401).message_key(),
            "error-session-expired"
        );
    }

    #[test]
    fn a_geocoder_400_asks_for_a_longer_query() {
        assert_eq!(
            ApiError::status(Service::Geocoder, 400).message_key(),
            "error-geocoder-query"
        );
        assert_eq!(
            ApiError::status(Service::Geocoder, 502).message_key(),
            "error-geocoder-unavailable"
        );
    }

    #[test]
    fn a_route_that_cannot_be_downloaded_says_so() {
        assert_eq!(
            ApiError::network(Service::AppCode, "offline").message_key(),
            "error-app-code-network"
        );
    }
}
