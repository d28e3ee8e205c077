//! NGSI-LD writers: the town's IoT agents (one per silo: lighting, waste, parking…), each with a
//! bearer token scoped to the entity types it feeds. Tokens are hashed and compared as
//! [`crate::tokens`] does; residents and anonymous clients never write.
//!
//! Accounts come from `--ngsi-ld-writers FILE` (`name:token:Type,Type`, see
//! [`parse_writer_file`]) and, in demo mode, [`DEMO_WRITERS`]: one fixed token per silo,
//! documented in the README. `--open-writes` lets anonymous writes through, for conformance
//! suites run against a throw-away platform on loopback only ([`check_open_writes`]).

use std::{net::IpAddr, path::Path};

use anyhow::{Context, bail};
use quartier_api::ngsi_ld::query::compact;

use crate::tokens::{TokenAccount, TokenAccounts, parse_token_lines};

/// The scope that allows every entity type.
pub const ANY_TYPE: &str = "*";

/// The demo's IoT agents: name, token, entity types (demo mode only).
pub const DEMO_WRITERS: &[(&str, &str, &[&str])] = &[
    (
        "demo-lighting",
        "quartier-demo-writer-lighting",
        &["Streetlight"],
    ),
    (
        "demo-waste",
        "quartier-demo-writer-waste",
        &["WasteContainer"],
    ),
    (
        "demo-water",
        "quartier-demo-writer-water",
        &["WaterQualityObserved"],
    ),
    (
        "demo-transport",
        "quartier-demo-writer-transport",
        &["GtfsStop"],
    ),
    (
        "demo-parking",
        "quartier-demo-writer-parking",
        &["ParkingSpot", "OffStreetParking"],
    ),
    (
        "demo-charging",
        "quartier-demo-writer-charging",
        &["EVChargingStation"],
    ),
    (
        "demo-bikes",
        "quartier-demo-writer-bikes",
        &["BikeHireDockingStation"],
    ),
    (
        "demo-air",
        "quartier-demo-writer-air",
        &["AirQualityObserved"],
    ),
];

/// Who may write NGSI-LD entities.
#[derive(Debug, Default)]
pub struct Writers {
    accounts: TokenAccounts,
    /// `--open-writes`: anyone may write (loopback test platforms only).
    pub open: bool,
}

impl Writers {
    /// The configured accounts, plus the demo's in demo mode.
    pub fn new(configured: &[TokenAccount], demo: bool, open: bool) -> Self {
        let mut accounts = configured.to_vec();
        if demo {
            for (name, token, types) in DEMO_WRITERS {
                accounts.push(TokenAccount::new(*name, token, types));
            }
            tracing::info!(
                agents = DEMO_WRITERS.len(),
                "demo NGSI-LD writers: one token per silo (see the README)"
            );
        }
        if open {
            tracing::warn!("--open-writes: ANYONE may write NGSI-LD entities");
        }
        Self {
            accounts: TokenAccounts::new(accounts),
            open,
        }
    }

    /// The account of a token.
    pub fn find(&self, token: &str) -> Option<&TokenAccount> {
        self.accounts.find(token)
    }
}

/// Whether `account` may write entities of `entity_type` (a stored name).
pub fn may_write(account: &TokenAccount, entity_type: &str) -> bool {
    account
        .scopes
        .iter()
        .any(|scope| scope == ANY_TYPE || scope == entity_type)
}

/// Reads `--ngsi-ld-writers`: one agent per line, `name:token:Type,Type` (Smart Data Models
/// short names or full IRIs, or `*` for every type); the rules of [`parse_token_lines`], and
/// at least one type each.
pub fn parse_writer_file(text: &str) -> anyhow::Result<Vec<TokenAccount>> {
    let accounts = parse_token_lines(text, None)?;
    accounts
        .into_iter()
        .map(|account| {
            if account.scopes.is_empty() {
                bail!("{} may write no entity type", account.name);
            }
            let scopes: Vec<String> = account
                .scopes
                .iter()
                .map(|scope| compact(scope).to_owned())
                .collect();
            Ok(account.with_scopes(scopes))
        })
        .collect()
}

/// [`parse_writer_file`] of a file.
pub fn load_writer_file(path: &Path) -> anyhow::Result<Vec<TokenAccount>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the NGSI-LD writers file {}", path.display()))?;
    parse_writer_file(&text)
        .with_context(|| format!("in the NGSI-LD writers file {}", path.display()))
}

/// `--open-writes` is for a throw-away platform on loopback: refused with `--demo` (whose data
/// others look at) and on any other address.
pub fn check_open_writes(open_writes: bool, demo: bool, host: &str) -> anyhow::Result<()> {
    if !open_writes {
        return Ok(());
    }
    if demo {
        bail!("--open-writes cannot be used with --demo");
    }
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!("--open-writes needs a loopback --host (127.0.0.1 or ::1), not {host}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef-a";

    #[test]
    fn open_writes_only_on_loopback_without_the_demo() {
        assert!(check_open_writes(false, true, "0.0.0.0").is_ok());
        assert!(check_open_writes(true, false, "127.0.0.1").is_ok());
        assert!(check_open_writes(true, false, "::1").is_ok());
        assert!(check_open_writes(true, false, "localhost").is_ok());
        assert!(check_open_writes(true, true, "127.0.0.1").is_err());
        assert!(check_open_writes(true, false, "0.0.0.0").is_err());
        assert!(check_open_writes(true, false, "192.168.1.10").is_err());
    }

    #[test]
    fn writer_files_name_types() {
        let accounts = parse_writer_file(&format!(
            "waste:{TOKEN}:WasteContainer,https://smartdatamodels.org/dataModel.Streetlighting/Streetlight"
        ))
        .expect("valid");
        assert_eq!(accounts[0].scopes, ["WasteContainer", "Streetlight"]);
        assert!(may_write(&accounts[0], "Streetlight"));
        assert!(!may_write(&accounts[0], "ParkingSpot"));
        assert!(parse_writer_file(&format!("waste:{TOKEN}")).is_err());
        assert!(parse_writer_file(&format!("waste:{TOKEN}:")).is_err());
        let all = parse_writer_file(&format!("all:{TOKEN}:*")).expect("valid");
        assert!(may_write(&all[0], "Anything"));
    }

    #[test]
    fn the_demo_has_one_writer_per_silo() {
        let writers = Writers::new(&[], true, false);
        let lighting = writers
            .find("quartier-demo-writer-lighting")
            .expect("lighting");
        assert!(may_write(lighting, "Streetlight"));
        assert!(!may_write(lighting, "WasteContainer"));
        assert!(
            Writers::new(&[], false, false)
                .find("quartier-demo-writer-lighting")
                .is_none()
        );
    }
}
