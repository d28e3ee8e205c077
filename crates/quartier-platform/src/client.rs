//! Who a request comes from, as every per-client limit counts it (the anonymous areas' rates,
//! sign-in attempts, Open311 reports): one function, [`ClientKey::of`], so that no limiter
//! trusts `X-Forwarded-For` differently from another.
//!
//! The key is the peer's address, IPv4 by address and IPv6 by its /64: one household or phone
//! gets a whole /64 from its provider and can pick any address in it, so counting addresses
//! would give it 2⁶⁴ buckets. Behind a reverse proxy the peer is the proxy, so when the peer is
//! a trusted proxy ([`TrustedProxies`], loopback unless configured) the client is read from
//! `X-Forwarded-For`: the rightmost address that is not itself a trusted proxy (everything left
//! of it was written by the client and proves nothing).

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    str::FromStr,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{Extensions, HeaderMap, request::Parts},
};
use ipnet::IpNet;

use crate::state::AppState;

/// The header a reverse proxy appends the address of its own peer to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(ranges: Vec<IpNet>) -> Self {
        Self(ranges)
    }

    /// A proxy on this machine only (127.0.0.0/8 and ::1): what a platform behind a local
    /// nginx or Caddy needs, and nothing a remote client can be.
    pub fn loopback() -> Self {
        Self(vec![
            IpNet::new_assert(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)), 8),
            IpNet::new_assert(IpAddr::V6(Ipv6Addr::LOCALHOST), 128),
        ])
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|range| range.contains(&ip))
    }
}

impl Default for TrustedProxies {
    fn default() -> Self {
        Self::loopback()
    }
}

/// A range as given on the command line: a CIDR (`10.0.0.0/8`, `fd00::/8`) or one address.
pub fn parse_range(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    IpNet::from_str(text)
        .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
        .map(|range| range.trunc())
        .map_err(|_| format!("{text:?} is neither a CIDR range nor an IP address"))
}

/// What one client is counted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// An IPv4 address (IPv4-mapped IPv6 addresses included).
    V4([u8; 4]),
    /// The first 64 bits of an IPv6 address.
    V6Prefix(u64),
    /// No peer address is known (a router driven without connect info, as tests do): all such
    /// requests share one bucket.
    Unknown,
}

impl ClientKey {
    /// The client of a request whose TCP peer is `peer`, given its headers.
    pub fn of(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &TrustedProxies) -> Self {
        match peer {
            Some(peer) if trusted.trusts(peer) => {
                Self::from(forwarded_client(headers, trusted).unwrap_or(peer))
            }
            Some(peer) => Self::from(peer),
            None => Self::Unknown,
        }
    }
}

impl From<IpAddr> for ClientKey {
    fn from(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self::V4(v4.octets()),
            IpAddr::V6(v6) => Self::V6Prefix((v6.to_bits() >> 64) as u64),
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(octets) => write!(f, "{}", IpAddr::from(*octets)),
            Self::V6Prefix(prefix) => {
                write!(f, "{}/64", Ipv6Addr::from_bits(u128::from(*prefix) << 64))
            }
            Self::Unknown => f.write_str("unknown"),
        }
    }
}

/// The rightmost `X-Forwarded-For` hop that is not a trusted proxy; if every hop is trusted,
/// the leftmost. `None` without the header (or with nothing readable at its right end).
fn forwarded_client(headers: &HeaderMap, trusted: &TrustedProxies) -> Option<IpAddr> {
    let mut client = None;
    // Several headers are one list, in order (RFC 9110 §5.3).
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        // A hop a trusted proxy wrote is an address; anything else ends what can be believed.
        let Ok(ip) = IpAddr::from_str(hop.trim()) else {
            break;
        };
        client = Some(ip);
        if !trusted.trusts(ip) {
            break;
        }
    }
    client
}

/// The peer address, when the server was started with connect info.
pub fn peer_of(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

impl FromRequestParts<AppState> for ClientKey {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of(
            &parts.headers,
            peer_of(&parts.extensions),
            &state.settings.trusted_proxies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn forwarded(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(FORWARDED_FOR, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn ipv6_is_counted_by_its_64_and_ipv4_by_address() {
        let key = |text| ClientKey::from(ip(text));
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"));
        assert_eq!(key("::ffff:192.0.2.1"), key("192.0.2.1"));
        assert_eq!(key("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
        assert_eq!(key("192.0.2.1").to_string(), "192.0.2.1");
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_peer() {
        let loopback = TrustedProxies::loopback();
        let headers = forwarded(&["6.6.6.6, 7.7.7.7"]);
        let of = |headers: &HeaderMap, peer| ClientKey::of(headers, Some(ip(peer)), &loopback);
        assert_eq!(of(&headers, "8.8.8.8"), ClientKey::from(ip("8.8.8.8")));
        assert_eq!(of(&headers, "127.0.0.1"), ClientKey::from(ip("7.7.7.7")));
        assert_eq!(of(&headers, "::1"), ClientKey::from(ip("7.7.7.7")));
        assert_eq!(
            of(&HeaderMap::new(), "127.0.0.1"),
            ClientKey::from(ip("127.0.0.1"))
        );
        assert_eq!(ClientKey::of(&headers, None, &loopback), ClientKey::Unknown);
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        let trusted = TrustedProxies::new(vec![
            parse_range("10.0.0.0/8").expect("cidr"),
            parse_range("192.0.2.7").expect("address"),
        ]);
        let peer = Some(ip("192.0.2.7"));
        let chain = forwarded(&["1.1.1.1, 2.2.2.2", "10.1.2.3"]);
        assert_eq!(
            ClientKey::of(&chain, peer, &trusted),
            ClientKey::from(ip("2.2.2.2")),
            "1.1.1.1 was written by the client"
        );
        let garbage = forwarded(&["2.2.2.2, not-an-ip, 10.1.2.3"]);
        assert_eq!(
            ClientKey::of(&garbage, peer, &trusted),
            ClientKey::from(ip("10.1.2.3"))
        );
        let all_trusted = forwarded(&["10.9.9.9"]);
        assert_eq!(
            ClientKey::of(&all_trusted, peer, &trusted),
            ClientKey::from(ip("10.9.9.9"))
        );
        assert!(parse_range("10.0.0.0/33").is_err());
        assert!(parse_range("proxy").is_err());
        assert_eq!(
            parse_range("10.1.2.3/8").expect("cidr").to_string(),
            "10.0.0.0/8"
        );
    }
}
