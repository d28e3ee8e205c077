//! How many reports one client may send: a [`KeyedRate`] per reporter, the signed-in resident
//! if any (wherever they write from), else the client's address as every limit counts it.

use crate::{
    client::ClientKey,
    rate::{KeyedRate, Per, Rate, nonzero},
};

/// Reports allowed per client by default: ten at once, then one every six seconds.
pub const DEFAULT_RATE: Rate = Rate::new(nonzero(10), Per::Minute);

/// Whose reports are counted together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reporter {
    Resident(i64),
    Client(ClientKey),
}

pub type RateLimiter = KeyedRate<Reporter>;
