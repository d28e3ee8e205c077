//! The simulator's HTTP/1.1 client: plain `http` to the platform's own address, one
//! keep-alive connection reused from tick to tick.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    time::Duration,
};

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, body::Bytes, header};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

/// A request that takes longer failed; the next tick tries again. Above the platform's own
/// API deadline, so its 503 arrives first.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// What the platform answered.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

/// The platform's API as an IoT agent reaches it.
#[derive(Debug, Clone)]
pub struct Api {
    client: Client<HttpConnector, Full<Bytes>>,
    authority: String,
}

/// Where to reach a server listening on `address`: an unspecified address (`0.0.0.0`, `::`)
/// listens on loopback too, and loopback never leaves the machine.
pub fn reachable(address: SocketAddr) -> SocketAddr {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, address.port())
}

impl Api {
    pub fn new(address: SocketAddr) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            authority: reachable(address).to_string(),
        }
    }

    /// `GET path` with the agent's `token`, the body read as JSON; anything but 200 is an error.
    pub async fn get_json(&self, path: &str, token: &str) -> anyhow::Result<serde_json::Value> {
        let reply = self.send(Method::GET, path, token, None).await?;
        if reply.status != StatusCode::OK {
            anyhow::bail!("GET {path}: {} {}", reply.status, excerpt(&reply.body));
        }
        serde_json::from_slice(&reply.body).with_context(|| format!("GET {path}: not JSON"))
    }

    /// `POST path` of a JSON-LD body with the agent's `token`; the caller reads the status.
    pub async fn post_json_ld(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<Reply> {
        let bytes = serde_json::to_vec(body).context("cannot serialise the batch")?;
        self.send(Method::POST, path, token, Some(bytes)).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<Reply> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.authority))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ACCEPT, "application/json");
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/ld+json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .context("cannot build the request")?;
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok(Reply { status, body })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .with_context(|| format!("no answer in {} s", REQUEST_TIMEOUT.as_secs()))?
    }
}

/// The start of an error body, for the log.
pub fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unspecified_address_is_reached_on_loopback() {
        let any4: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(reachable(any4), "127.0.0.1:8080".parse().unwrap());
        let any6: SocketAddr = "[::]:8080".parse().unwrap();
        assert_eq!(reachable(any6), "[::1]:8080".parse().unwrap());
        let lan: SocketAddr = "192.168.1.10:80".parse().unwrap();
        assert_eq!(reachable(lan), lan);
    }
}
