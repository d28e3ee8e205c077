//! Bearer-token accounts, shared by the staff API ([`crate::staff`]) and the NGSI-LD writers
//! ([`crate::writers`]): tokens are hashed (SHA-256) as soon as they are read, so the platform
//! never keeps, compares or logs a token itself; SHA-256 suffices for random tokens of 256 bits
//! (no password to guess), and is checked in constant time.

use anyhow::bail;
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Shortest token accepted from a file: 32 characters, e.g. 256 bits in base64 is 43.
pub const MIN_TOKEN_CHARS: usize = 32;

/// One account: a name, its token's hash, what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenAccount {
    /// Who it is, for the log (`[A-Za-z0-9._-]`).
    pub name: String,
    /// SHA-256 of the token.
    token_sha256: [u8; 32],
    /// What it may do (staff: `open311:update`; writers: entity types).
    pub scopes: Vec<String>,
}

impl TokenAccount {
    /// An account for `token`, which is hashed here and not kept.
    pub fn new(name: impl Into<String>, token: &str, scopes: &[&str]) -> Self {
        Self {
            name: name.into(),
            token_sha256: Sha256::digest(token.as_bytes()).into(),
            scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
        }
    }

    /// The same account with other scopes.
    pub fn with_scopes(self, scopes: Vec<String>) -> Self {
        Self { scopes, ..self }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|held| held == scope)
    }
}

/// A set of accounts.
#[derive(Debug, Default)]
pub struct TokenAccounts {
    accounts: Vec<TokenAccount>,
}

impl TokenAccounts {
    pub fn new(accounts: Vec<TokenAccount>) -> Self {
        Self { accounts }
    }

    /// The account of a token. Every account is compared, none stops the loop early, so the
    /// time taken does not tell how close a guess was.
    pub fn find(&self, token: &str) -> Option<&TokenAccount> {
        let sent: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.accounts.iter().fold(None, |found, account| {
            let matches = bool::from(account.token_sha256.ct_eq(&sent));
            if matches { Some(account) } else { found }
        })
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

/// Reads a token file: one account per line, `name:token` (the `default` scopes; refused
/// when there are none) or `name:token:scope,scope` (exactly those scopes; `name:token:` has
/// none). Blank lines and lines starting with `#` are skipped. Tokens need at least
/// [`MIN_TOKEN_CHARS`] visible ASCII characters; names and tokens must be unique.
pub fn parse_token_lines(
    text: &str,
    default: Option<&[&str]>,
) -> anyhow::Result<Vec<TokenAccount>> {
    let mut accounts: Vec<TokenAccount> = Vec::new();
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
        let scopes: Vec<&str> = match (parts.next(), default) {
            (None, Some(default)) => default.to_vec(),
            (None, None) => bail!("line {number}: expected name:token:scope,scope"),
            (Some(list), _) => list
                .split([',', ' '])
                .map(str::trim)
                .filter(|scope| !scope.is_empty())
                .collect(),
        };
        let account = TokenAccount::new(name, token, &scopes);
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

/// The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 6750).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const TOKEN_A: &str = "0123456789abcdef0123456789abcdef-a";
    const TOKEN_B: &str = "0123456789abcdef0123456789abcdef-b";

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
            let error = parse_token_lines(&text, Some(&["x"]))
                .expect_err(&text)
                .to_string();
            assert!(error.contains(message), "{text}: {error}");
        }
        let error = parse_token_lines(&format!("alice:{TOKEN_A}"), None).expect_err("no scopes");
        assert!(error.to_string().contains("scope"), "{error}");
    }

    #[test]
    fn reads_only_a_bearer_token() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            headers
        };
        assert_eq!(bearer_token(&with("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&with("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(&with("Basic abc")), None);
        assert_eq!(bearer_token(&with("Bearer ")), None);
        assert_eq!(bearer_token(&with("Bearerabc")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
