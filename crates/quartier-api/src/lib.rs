//! Quartier's contract crate.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

pub mod datetime;
pub mod error;
pub mod form;
pub mod geo;
mod json_read;
pub mod ngsi_ld;
pub mod open311;

pub use datetime::{Timestamp, TimestampError};
pub use error::ParseError;
pub use geo::{BoundingBox, Geometry, LonLat};
