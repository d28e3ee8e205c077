//! W3C datetimes (the profile of ISO 8601 that Open311 uses) to and from Unix seconds, through
//! the platform's one calendar ([`crate::auth::clock`]).

pub use crate::auth::clock::{parse_w3c as parse, rfc3339 as format};
