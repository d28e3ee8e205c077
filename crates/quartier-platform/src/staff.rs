//! Staff accounts: the town's agents, who call the staff API with a bearer token each, hashed
//! and compared as [`crate::tokens`] does.
//!
//! Accounts come from `--staff-token-file FILE` (see [`parse_token_file`]) and, in demo mode,
//! the demo account [`DEMO_STAFF_NAME`] with the fixed token [`DEMO_STAFF_TOKEN`].

use std::path::Path;

use anyhow::Context;
use quartier_api::staff::SCOPE_OPEN311_UPDATE;

pub use crate::tokens::MIN_TOKEN_CHARS;
use crate::tokens::{TokenAccount, TokenAccounts, parse_token_lines};

/// The demo staff account's token (demo mode only; printed in the log at start). Documented in
/// the README, like the demo Open311 key.
pub const DEMO_STAFF_TOKEN: &str = "quartier-demo-staff-token";
/// The demo staff account's name.
pub const DEMO_STAFF_NAME: &str = "demo-staff";

/// One staff account (its scopes: `open311:update`).
pub type StaffAccount = TokenAccount;

/// Every account the platform accepts.
#[derive(Debug, Default)]
pub struct StaffAccounts {
    accounts: TokenAccounts,
}

impl StaffAccounts {
    /// The configured accounts, plus the demo account in demo mode.
    pub fn new(configured: &[StaffAccount], demo: bool) -> Self {
        let mut accounts = configured.to_vec();
        if demo {
            tracing::info!(
                name = DEMO_STAFF_NAME,
                token = DEMO_STAFF_TOKEN,
                "demo staff account: PATCH /api/v1/staff/requests/{{id}} with \
                 `Authorization: Bearer {DEMO_STAFF_TOKEN}`"
            );
            accounts.push(StaffAccount::new(
                DEMO_STAFF_NAME,
                DEMO_STAFF_TOKEN,
                &[SCOPE_OPEN311_UPDATE],
            ));
        }
        Self {
            accounts: TokenAccounts::new(accounts),
        }
    }

    /// The account of a token, compared in constant time ([`TokenAccounts::find`]).
    pub fn find(&self, token: &str) -> Option<&StaffAccount> {
        self.accounts.find(token)
    }
}

/// Reads `--staff-token-file`: one account per line, `name:token` (scope `open311:update`) or
/// `name:token:scope,scope` (exactly those scopes; `name:token:` has none); the rules of
/// [`parse_token_lines`].
pub fn parse_token_file(text: &str) -> anyhow::Result<Vec<StaffAccount>> {
    parse_token_lines(text, Some(&[SCOPE_OPEN311_UPDATE]))
}

/// [`parse_token_file`] of a file.
pub fn load_token_file(path: &Path) -> anyhow::Result<Vec<StaffAccount>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the staff token file {}", path.display()))?;
    parse_token_file(&text).with_context(|| format!("in the staff token file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_A: &str = "0123456789abcdef0123456789abcdef-a";
    const TOKEN_B: &str = "0123456789abcdef0123456789abcdef-b";

    #[test]
    fn reads_accounts_with_default_or_given_scopes() {
        let text = format!(
            "# the town's agents\n\nalice:{TOKEN_A}\n  bob:{TOKEN_B}:open311:update reports:read\n"
        );
        let accounts = parse_token_file(&text).expect("valid");
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].name, "alice");
        assert_eq!(accounts[0].scopes, [SCOPE_OPEN311_UPDATE]);
        assert_eq!(accounts[1].scopes, ["open311:update", "reports:read"]);
        let none = parse_token_file(&format!("carol:{TOKEN_A}:")).expect("valid");
        assert!(none[0].scopes.is_empty());
        assert!(
            !format!("{accounts:?}").contains(TOKEN_A),
            "only hashes are kept"
        );
    }

    #[test]
    fn finds_an_account_by_its_token_only() {
        let accounts = StaffAccounts::new(&[StaffAccount::new("alice", TOKEN_A, &[])], false);
        assert_eq!(
            accounts.find(TOKEN_A).map(|a| a.name.as_str()),
            Some("alice")
        );
        assert!(accounts.find(TOKEN_B).is_none());
        assert!(
            accounts.find(DEMO_STAFF_TOKEN).is_none(),
            "no demo account outside demo mode"
        );
        let demo = StaffAccounts::new(&[], true);
        let account = demo.find(DEMO_STAFF_TOKEN).expect("demo account");
        assert!(account.has_scope(SCOPE_OPEN311_UPDATE));
    }
}
