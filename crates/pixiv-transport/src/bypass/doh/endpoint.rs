//! One DoH endpoint: its URL read into what hickory-resolver needs (the server's addresses, the
//! TLS name its certificate must match, the path), and the hickory resolver that asks it.
//!
//! An endpoint given by IP (`https://1.1.1.1/dns-query`) is asked at that address and its
//! certificate must hold that IP. An endpoint given by name is asked at the addresses of
//! [`BOOTSTRAP`] when the name is there (so the default list needs no DNS at all), else at the
//! addresses the connect configuration's resolver gives for the name, looked up once, on first
//! use. Either way the certificate must be valid for the name.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts, ServerOrderingStrategy,
};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use pixiv_errors::PixivError;
use url::{Host, Url};

/// The addresses of the default endpoints given by name, so that reaching them needs no DNS:
/// Cloudflare's published addresses for `cloudflare-dns.com` and DNS.SB's for `doh.dns.sb`
/// (both resolvers' own documentation lists them).
pub(super) const BOOTSTRAP: [(&str, &[IpAddr]); 2] = [
    (
        "cloudflare-dns.com",
        &[
            IpAddr::V4(std::net::Ipv4Addr::new(104, 16, 248, 249)),
            IpAddr::V4(std::net::Ipv4Addr::new(104, 16, 249, 249)),
        ],
    ),
    (
        "doh.dns.sb",
        &[
            IpAddr::V4(std::net::Ipv4Addr::new(185, 222, 222, 222)),
            IpAddr::V4(std::net::Ipv4Addr::new(45, 11, 45, 11)),
        ],
    ),
];

/// One endpoint, read from its URL.
#[derive(Debug)]
pub(super) struct Endpoint {
    /// The URL as configured, for errors and `Debug`.
    pub(super) url: String,
    /// The host: the TLS name (an IP's text for an endpoint given by IP).
    pub(super) host: String,
    pub(super) port: u16,
    /// Path and query, e.g. `/dns-query`.
    pub(super) path: String,
    /// The known addresses: the IP itself, or [`BOOTSTRAP`]'s; empty when the name must be
    /// resolved first.
    pub(super) known: Vec<IpAddr>,
}

impl Endpoint {
    /// Reads one endpoint URL. Errors: `InvalidInput` unless it is an absolute `https://` URL.
    pub(super) fn parse(text: &str) -> Result<Self, PixivError> {
        let bad = |why: String| PixivError::invalid_input("DoH endpoint", format!("{text}: {why}"));
        let url = Url::parse(text).map_err(|e| bad(e.to_string()))?;
        if url.scheme() != "https" {
            return Err(bad(
                "must be an https:// URL (the answers must come over verified TLS)".to_owned(),
            ));
        }
        let (host, known) = match url.host() {
            Some(Host::Ipv4(ip)) => (ip.to_string(), vec![IpAddr::V4(ip)]),
            Some(Host::Ipv6(ip)) => (ip.to_string(), vec![IpAddr::V6(ip)]),
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                let known = BOOTSTRAP
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, ips)| ips.to_vec())
                    .unwrap_or_default();
                (name, known)
            }
            None => return Err(bad("has no host".to_owned())),
        };
        let mut path = url.path().to_owned();
        if let Some(query) = url.query() {
            path.push('?');
            path.push_str(query);
        }
        Ok(Self {
            url: text.to_owned(),
            host,
            port: url.port_or_known_default().unwrap_or(443),
            path,
            known,
        })
    }

    /// A hickory resolver asking this endpoint only, at `ips`: DoH (HTTP/2, RFC 8484), TLS with
    /// `tls`, one try per query (the caller moves on to the next endpoint), and hickory's cache
    /// off (entries live for 0 s): the caller caches on tokio's clock, which tests can pause.
    pub(super) fn resolver(
        &self,
        ips: &[IpAddr],
        tls: &rustls::ClientConfig,
        timeout: Duration,
    ) -> TokioResolver {
        let servers: Vec<NameServerConfig> = ips
            .iter()
            .map(|ip| {
                let mut server =
                    NameServerConfig::new(SocketAddr::new(*ip, self.port), Protocol::Https);
                server.tls_dns_name = Some(self.host.clone());
                server.http_endpoint = Some(self.path.clone());
                server.trust_negative_responses = true;
                server
            })
            .collect();
        let config = ResolverConfig::from_parts(None, Vec::new(), servers);
        let mut opts = ResolverOpts::default();
        // The caller's per-endpoint timeout is the one that fires; hickory's is a backstop.
        opts.timeout = timeout.saturating_mul(2);
        opts.attempts = 0;
        opts.ndots = 0;
        opts.edns0 = false;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.num_concurrent_reqs = 1;
        opts.server_ordering_strategy = ServerOrderingStrategy::UserProvidedOrder;
        opts.preserve_intermediates = true;
        opts.positive_max_ttl = Some(Duration::ZERO);
        opts.negative_max_ttl = Some(Duration::ZERO);
        opts.tls_config = tls.clone();
        TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
            .with_options(opts)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_name_and_bootstrapped_endpoints() {
        let ip = Endpoint::parse("https://1.1.1.1/dns-query").unwrap();
        assert_eq!(
            (ip.host.as_str(), ip.port, ip.path.as_str()),
            ("1.1.1.1", 443, "/dns-query")
        );
        assert_eq!(ip.known, ["1.1.1.1".parse::<IpAddr>().unwrap()]);
        let v6 = Endpoint::parse("https://[2606:4700:4700::1111]:8443/q?x=1").unwrap();
        assert_eq!(
            (v6.host.as_str(), v6.port, v6.path.as_str()),
            ("2606:4700:4700::1111", 8443, "/q?x=1")
        );
        let cf = Endpoint::parse("https://Cloudflare-DNS.com/dns-query").unwrap();
        assert_eq!(cf.host, "cloudflare-dns.com");
        assert_eq!(cf.known.len(), 2);
        let other = Endpoint::parse("https://dns.example/dns-query").unwrap();
        assert!(other.known.is_empty(), "resolved on first use");
    }

    #[test]
    fn only_https_urls() {
        for bad in [
            "http://1.1.1.1/dns-query",
            "not a url",
            "ftp://1.1.1.1/dns-query",
        ] {
            let err = Endpoint::parse(bad).unwrap_err();
            assert!(
                matches!(err, PixivError::InvalidInput { .. }),
                "{bad}: {err:?}"
            );
        }
    }
}
