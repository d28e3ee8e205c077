//! Open311 GeoReport v2: issue reports.
//!
//! Reading: [`json`] (always) and [`xml`] (feature `xml`) parse every document of the spec
//! into the same clean types; ids and codes are always `String`, dates are
//! [`crate::Timestamp`], positions are [`crate::LonLat`]. The types also implement
//! `Deserialize` (tolerant, item by item) and `Serialize` (strict, the spec's JSON shape),
//! so the platform writes exactly what the app reads.
//!
//! Writing a report: [`NewServiceRequest::to_form_pairs`].

mod definition;
mod discovery;
mod error;
pub mod json;
mod new_request;
mod post;
mod request;
mod service;
#[cfg(feature = "xml")]
pub mod xml;

pub use definition::{AttributeValue, Datatype, ServiceAttribute, ServiceDefinition};
pub use discovery::{Discovery, Endpoint};
pub use error::Open311Error;
pub use new_request::{AttributeAnswer, NewServiceRequest};
pub use post::{CreatedRequest, RequestRef, TokenLookup};
pub use request::{RequestStatus, ServiceRequest};
pub use service::{Service, ServiceType};

/// Media type of the POST body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Implements `Deserialize` through the tolerant `from_value` reader of a type.
macro_rules! deserialize_via_value {
    ($ty:ty, $doc:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                <$ty>::from_value($doc, "", &value).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use deserialize_via_value;
