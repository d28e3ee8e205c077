//! Quartier's contract: the serde types of everything the app sends and reads, the tolerant
//! parsing that turns real-world payloads into one clean model, and the validation shared by
//! the app and the platform. No I/O; builds for `wasm32-unknown-unknown` and native.
//!
//! - [`ngsi_ld`]: entities (normalized, keyValues, GeoJSON, NGSI-v2) → [`ngsi_ld::Entity`].
//! - [`open311`]: GeoReport v2 documents (JSON; XML with the `xml` feature) and the report form.
//! - [`resident`]: the resident API (session, my data, access log, consents, receipts).
//! - [`staff`]: the staff API (the town's agents update reports).
//! - [`validation`]: field checks returning machine codes the app translates.
//! - [`geo`], [`datetime`], [`form`]: the small shared pieces.
//!
//! Every parser returns [`ParseError`], naming the document, the field and the reason.
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
#[cfg(feature = "openapi")]
mod openapi;
pub mod resident;
pub mod staff;
mod text_enum;
pub mod tile;
pub mod validation;

pub use datetime::{Period, PeriodError, Timestamp, TimestampError};
pub use error::ParseError;
pub use geo::{BoundingBox, Geometry, LonLat};
pub use validation::{FieldError, FieldErrorCode};
