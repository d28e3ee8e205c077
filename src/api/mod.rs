//! Every HTTP call of the app lives under this module and returns `Result<T, ApiError>`.

mod error;
pub mod geocoder;
mod http;
pub mod ngsi_ld;
pub mod open311;
pub mod resident;

pub use error::{ApiError, Failure, Service};
pub use http::fetch_config;
