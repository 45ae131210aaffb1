//! The address policy: which resolved addresses a connection may go to (server-side request
//! forgery, "SSRF", as curl's `--redir-protocols` docs and gallery-dl's issue tracker describe it).
//!
//! - **Link-local** addresses (169.254.0.0/16, fe80::/10, and the IPv4-mapped `::ffff:169.254.x.x`)
//!   are never connected to: cloud metadata services (169.254.169.254) live there, and no Pixiv
//!   host does.
//! - **Loopback and private** addresses (127.0.0.0/8, 0.0.0.0/8, ::1, ::, 10/8, 172.16/12,
//!   192.168/16, 100.64/10, fc00::/7) are connected to only when the chain of redirects started on
//!   a host that is itself loopback or private (a local mock, a LAN mirror). A redirect from a
//!   public host there is refused.
//!
//! The check runs on the addresses a host name *resolves to*, in the resolver the connector
//! uses (so `http://metadata.example` resolving to 169.254.169.254 is refused too), and on IP
//! literals before anything is dialled. Refusals are [`PixivError::AddressRefused`](pixiv_errors::PixivError::AddressRefused), which is never
//! retried. Which chain a connect belongs to travels as a tokio task-local ([`scope`]), set by
//! [`HttpClient`](super::HttpClient) from the [`FromPublicOrigin`] mark the redirect policy puts on
//! the hops of a chain that began on a public host.
//!
//! Limits: a host name reached through an HTTP or `socks5h://` proxy is resolved by the proxy, so
//! only IP literals are checked then (a `socks5://` proxy gets the address resolved and checked
//! here); and a pooled connection to a host name is reused without a new lookup.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use pixiv_errors::AddressRefusal;

use super::error::ConnectError;

tokio::task_local! {
    /// Whether the connect being made belongs to a redirect chain that began on a public host.
    static FROM_PUBLIC: bool;
}

/// Request extension: this request is a redirect hop of a chain whose original host was public,
/// so loopback and private addresses are refused for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FromPublicOrigin;

/// What an address is, for the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    LinkLocal,
    LoopbackOrPrivate,
    Public,
}

/// The class of `ip` (an IPv4-mapped IPv6 address counts as its IPv4 address).
pub(crate) fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> Class {
    let [a, b, ..] = ip.octets();
    if ip.is_link_local() {
        Class::LinkLocal
    } else if ip.is_loopback()
        || ip.is_private()
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT (RFC 6598): not reachable from the Internet either.
        || (a == 100 && (64..128).contains(&b))
    {
        Class::LoopbackOrPrivate
    } else {
        Class::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    let first = ip.segments()[0];
    if first & 0xffc0 == 0xfe80 {
        Class::LinkLocal
    } else if ip.is_loopback() || ip.is_unspecified() || first & 0xfe00 == 0xfc00 {
        Class::LoopbackOrPrivate
    } else {
        Class::Public
    }
}

/// The IP of a URI host if it is a literal (`127.0.0.1`, `[::1]`).
pub(crate) fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Whether the original request's host counts as local (loopback or private): an IP literal of
/// that class, or `localhost` / `*.localhost` (RFC 6761). Any other name counts as public.
pub(crate) fn is_local_host(host: &str) -> bool {
    match literal(host) {
        Some(ip) => classify(ip) == Class::LoopbackOrPrivate,
        None => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            host == "localhost" || host.ends_with(".localhost")
        }
    }
}

/// Refuses `ip` (what `host` resolved to) when the policy says so.
pub(crate) fn check(host: &str, ip: IpAddr, from_public: bool) -> Result<(), ConnectError> {
    let reason = match classify(ip) {
        Class::LinkLocal => AddressRefusal::LinkLocal,
        Class::LoopbackOrPrivate if from_public => AddressRefusal::PrivateFromPublic,
        _ => return Ok(()),
    };
    Err(ConnectError::address_refused(host, ip, reason))
}

/// Whether the current task is making a connect for a chain that began on a public host.
pub(crate) fn from_public_now() -> bool {
    FROM_PUBLIC.try_with(|v| *v).unwrap_or(false)
}

/// Runs `fut` with the chain's origin known to the connector and resolver below it.
pub(crate) fn scope<F: Future>(from_public: bool, fut: F) -> impl Future<Output = F::Output> {
    FROM_PUBLIC.scope(from_public, fut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let c = |s: &str| classify(s.parse().unwrap());
        for ip in [
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1",
            "febf::1",
            "::ffff:169.254.1.2",
        ] {
            assert_eq!(c(ip), Class::LinkLocal, "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "127.9.9.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "::1",
            "::",
            "fc00::1",
            "fdff::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert_eq!(c(ip), Class::LoopbackOrPrivate, "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "210.140.92.1",
            "2001:db8::1",
            "fec0::1",
        ] {
            assert_eq!(c(ip), Class::Public, "{ip}");
        }
    }

    #[test]
    fn local_hosts() {
        assert!(is_local_host("127.0.0.1"));
        assert!(is_local_host("[::1]"));
        assert!(is_local_host("LocalHost"));
        assert!(is_local_host("a.localhost."));
        assert!(!is_local_host("app-api.pixiv.net"));
        assert!(!is_local_host("169.254.169.254"));
    }

    #[test]
    fn check_refuses_by_rule() {
        let ip = |s: &str| s.parse().unwrap();
        assert!(check("h", ip("169.254.169.254"), false).is_err());
        assert!(check("h", ip("127.0.0.1"), false).is_ok());
        let refused = check("h", ip("127.0.0.1"), true).err();
        assert_eq!(
            refused.as_ref().and_then(|e| e.refusal()).map(|r| r.reason),
            Some(AddressRefusal::PrivateFromPublic)
        );
        assert!(check("h", ip("8.8.8.8"), true).is_ok());
    }
}
