//! The client's IP address, as rate limits and the audit log use it. The TCP
//! peer is the client unless it is a trusted proxy (`WXKIT_TRUSTED_PROXIES`);
//! only then is `X-Forwarded-For` read, right to left, and the first address
//! that is not a trusted proxy is the client. Anything a client writes into
//! that header to the left of it is never believed.

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client IP of a request (in its extensions, set by [`layer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key rate limits count under: the address, or for IPv6 its /64 (one
    /// subscriber's whole prefix).
    pub fn limit_key(self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

impl std::fmt::Display for ClientIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

pub fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    proxies.iter().any(|n| n.contains(&ip))
}

/// The client behind `peer`, given the `X-Forwarded-For` values in order.
pub fn resolve(peer: IpAddr, forwarded_for: &[&str], proxies: &[IpNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let mut client = peer;
    let hops = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        // A hop that is not an address ends the chain: the last trusted hop
        // is as far as anything can be believed.
        let Ok(ip) = hop.parse::<IpAddr>() else {
            return client;
        };
        client = ip;
        if !trusted(ip, proxies) {
            return ip;
        }
    }
    client
}

/// Middleware: puts the [`ClientIp`] of every request in its extensions.
pub async fn layer(proxies: Arc<Vec<IpNet>>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = resolve(peer, &forwarded, &proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// The client IP of a request's parts (server functions), or the unspecified
/// address when the layer did not run.
pub fn of(parts: &http::request::Parts) -> ClientIp {
    parts
        .extensions
        .get::<ClientIp>()
        .copied()
        .unwrap_or(ClientIp(IpAddr::from([0, 0, 0, 0])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(s: &str) -> Vec<IpNet> {
        crate::config::protection::trusted_proxies(Some(s)).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(
            resolve(ip("203.0.113.9"), &["1.2.3.4"], &nets("10.0.0.0/8")),
            ip("203.0.113.9")
        );
        assert_eq!(resolve(ip("127.0.0.1"), &["1.2.3.4"], &[]), ip("127.0.0.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let p = nets("127.0.0.1,10.0.0.0/8");
        // The client forged the left-most entry; nginx appended the real one.
        assert_eq!(
            resolve(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.7"], &p),
            ip("198.51.100.7")
        );
        // Two proxies: the CDN's hop is trusted, skip it.
        assert_eq!(
            resolve(ip("127.0.0.1"), &["198.51.100.7", "10.2.3.4"], &p),
            ip("198.51.100.7")
        );
        // Everything trusted: the left-most is as far as it goes.
        assert_eq!(resolve(ip("127.0.0.1"), &["10.9.9.9"], &p), ip("10.9.9.9"));
        // No header: the proxy itself.
        assert_eq!(resolve(ip("127.0.0.1"), &[], &p), ip("127.0.0.1"));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            resolve(ip("127.0.0.1"), &["198.51.100.7, junk"], &p),
            ip("127.0.0.1")
        );
        // IPv4-mapped peers count as their IPv4 address.
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), &["198.51.100.7"], &p),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        let a = ClientIp(ip("2001:db8:1:2:aaaa::1")).limit_key();
        let b = ClientIp(ip("2001:db8:1:2:bbbb::9")).limit_key();
        assert_eq!(a, b);
        assert_ne!(a, ClientIp(ip("2001:db8:1:3::1")).limit_key());
        assert_eq!(ClientIp(ip("192.0.2.1")).limit_key(), "192.0.2.1");
    }
}
