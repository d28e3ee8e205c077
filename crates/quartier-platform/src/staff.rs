//! Staff accounts: the town's agents, who call the staff API with a bearer token each. Tokens
//! are hashed (SHA-256) as soon as they are read, so the platform never keeps, compares or logs
//! a token itself; SHA-256 suffices for random tokens of 256 bits (no password to guess), and is
//! checked in constant time.
//!
//! Accounts come from `--staff-token-file FILE` (see [`parse_token_file`]) and, in demo mode,
//! the demo account [`DEMO_STAFF_NAME`] with the fixed token [`DEMO_STAFF_TOKEN`].

use std::path::Path;

use anyhow::{Context, bail};
use quartier_api::staff::SCOPE_OPEN311_UPDATE;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The demo staff account's token (demo mode only; printed in the log at start). Documented in
/// the README, like the demo Open311 key.
pub const DEMO_STAFF_TOKEN: &str = "quartier-demo-staff-token";
/// The demo staff account's name.
pub const DEMO_STAFF_NAME: &str = "demo-staff";
/// Shortest token accepted from a file: 32 characters, e.g. 256 bits in base64 is 43.
pub const MIN_TOKEN_CHARS: usize = 32;

/// One staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// Who it is, for the log (`[A-Za-z0-9._-]`).
    pub name: String,
    /// SHA-256 of the token.
    token_sha256: [u8; 32],
    /// What it may do (`open311:update`).
    pub scopes: Vec<String>,
}

impl StaffAccount {
    /// An account for `token`, which is hashed here and not kept.
    pub fn new(name: impl Into<String>, token: &str, scopes: &[&str]) -> Self {
        Self {
            name: name.into(),
            token_sha256: Sha256::digest(token.as_bytes()).into(),
            scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|held| held == scope)
    }
}

/// Every account the platform accepts.
#[derive(Debug, Default)]
pub struct StaffAccounts {
    accounts: Vec<StaffAccount>,
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
        Self { accounts }
    }

    /// The account of a token. Every account is compared, none stops the loop early, so the
    /// time taken does not tell how close a guess was.
    pub fn find(&self, token: &str) -> Option<&StaffAccount> {
        let sent: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.accounts.iter().fold(None, |found, account| {
            let matches = bool::from(account.token_sha256.ct_eq(&sent));
            if matches { Some(account) } else { found }
        })
    }
}

/// Reads `--staff-token-file`: one account per line, `name:token` (scope `open311:update`) or
/// `name:token:scope,scope` (exactly those scopes; `name:token:` has none). Blank lines and lines
/// starting with `#` are skipped. Tokens need at least [`MIN_TOKEN_CHARS`] visible ASCII
/// characters; names and tokens must be unique.
pub fn parse_token_file(text: &str) -> anyhow::Result<Vec<StaffAccount>> {
    let mut accounts: Vec<StaffAccount> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let number = index + 1;
        let mut parts = line.splitn(3, ':');
        let (name, token) = (parts.next().unwrap_or_default(), parts.next());
        let Some(token) = token else {
            bail!("line {number}: expected name:token");
        };
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        {
            bail!("line {number}: a name is letters, digits, '.', '_' or '-'");
        }
        if token.len() < MIN_TOKEN_CHARS || !token.bytes().all(|b| b.is_ascii_graphic()) {
            bail!(
                "line {number}: the token of {name} needs at least {MIN_TOKEN_CHARS} visible \
                 ASCII characters (e.g. `openssl rand -base64 32`)"
            );
        }
        let scopes: Vec<&str> = match parts.next() {
            None => vec![SCOPE_OPEN311_UPDATE],
            Some(list) => list
                .split([',', ' '])
                .map(str::trim)
                .filter(|scope| !scope.is_empty())
                .collect(),
        };
        let account = StaffAccount::new(name, token, &scopes);
        if accounts.iter().any(|other| other.name == account.name) {
            bail!("line {number}: {name} is listed twice");
        }
        if accounts
            .iter()
            .any(|other| other.token_sha256 == account.token_sha256)
        {
            bail!("line {number}: {name}'s token is another account's");
        }
        accounts.push(account);
    }
    Ok(accounts)
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
    fn refuses_weak_tokens_bad_names_and_duplicates() {
        for (text, message) in [
            ("alice".to_owned(), "expected name:token"),
            ("alice:short".to_owned(), "at least 32"),
            (format!("al ice:{TOKEN_A}"), "a name is"),
            (format!(":{TOKEN_A}"), "a name is"),
            (format!("alice:{TOKEN_A}\nalice:{TOKEN_B}"), "listed twice"),
            (
                format!("alice:{TOKEN_A}\nbob:{TOKEN_A}"),
                "another account's",
            ),
        ] {
            let error = parse_token_file(&text).expect_err(&text).to_string();
            assert!(error.contains(message), "{text}: {error}");
        }
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
