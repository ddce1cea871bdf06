//! Who a request comes from, as limits count them: the peer, or what trusted proxies forwarded.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
/// `X-Forwarded-For` entries looked at, from the right.
const MAX_FORWARDED_HOPS: usize = 16;

/// An address block, `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                mask(u32::from(ip).into(), 32, self.prefix) == u128::from(u32::from(net))
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask(u128::from(ip), 128, self.prefix) == u128::from(net)
            }
            _ => false,
        }
    }
}

/// `bits` of `value` with all but the first `prefix` cleared.
fn mask(value: u128, bits: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        value & (u128::MAX >> (128 - bits) << (bits - prefix.min(bits)))
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let bad =
            || format!("expected an IP address or a CIDR block like 10.0.0.0/8, got {text:?}");
        let (ip, prefix) = match text.trim().split_once('/') {
            Some((ip, prefix)) => (ip, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
            None => (text.trim(), None),
        };
        let ip = canonical(ip.parse::<IpAddr>().map_err(|_| bad())?);
        let bits = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        if prefix > bits {
            return Err(bad());
        }
        let network = match ip {
            IpAddr::V4(v4) => IpAddr::V4((mask(u32::from(v4).into(), 32, prefix) as u32).into()),
            IpAddr::V6(v6) => IpAddr::V6(mask(u128::from(v6), 128, prefix).into()),
        };
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// IPv4-mapped IPv6 addresses (a dual-stack listener's view of IPv4 peers) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Who is asking, as limits count them: an IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    pub fn of(ip: IpAddr) -> Client {
        match canonical(ip) {
            IpAddr::V6(v6) => Client(IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & !(u128::MAX >> 64),
            ))),
            v4 => Client(v4),
        }
    }

    /// The client of a request from `peer`, believing `X-Forwarded-For` only from `trusted`.
    pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> Client {
        let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
        let mut client = canonical(peer);
        if is_trusted(client) {
            // Every X-Forwarded-For line, in order; each proxy appends its peer on the right.
            let entries: Vec<&str> = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .collect();
            for entry in entries.iter().rev().take(MAX_FORWARDED_HOPS) {
                let Some(ip) = parse_forwarded(entry) else {
                    break;
                };
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
        }
        Client::of(client)
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
            v4 => write!(f, "{v4}"),
        }
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn cidrs_parse_and_match() {
        let block: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(block.contains(ip("10.1.200.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains(ip("8.8.8.8")));
        assert_eq!(
            "10.1.2.3/8".parse::<Cidr>().unwrap().to_string(),
            "10.0.0.0/8"
        );
        for bad in ["", "10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let headers = forwarded(&["198.51.100.1, 203.0.113.9", "10.0.0.2"]);
        // From a stranger the header is the stranger's to forge: ignored.
        assert_eq!(
            Client::resolve(ip("192.0.2.1"), &headers, &trusted),
            Client::of(ip("192.0.2.1"))
        );
        // From the proxy: the rightmost entry that is not a proxy; what a client wrote to
        // the left of it counts for nothing.
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), &headers, &trusted),
            Client::of(ip("203.0.113.9"))
        );
        // Only proxies in the chain, or garbage: the last proxy seen.
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), &forwarded(&["10.0.0.5"]), &trusted),
            Client::of(ip("10.0.0.5"))
        );
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), &forwarded(&["bogus"]), &trusted),
            Client::of(ip("10.0.0.1"))
        );
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), &forwarded(&["[2001:db8::1]:443"]), &trusted),
            Client::of(ip("2001:db8::1"))
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64() {
        assert_eq!(
            Client::of(ip("2001:db8:1:2:aaaa::1")),
            Client::of(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            Client::of(ip("2001:db8:1:2::1")),
            Client::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            Client::of(ip("::ffff:192.0.2.1")),
            Client::of(ip("192.0.2.1"))
        );
    }
}
