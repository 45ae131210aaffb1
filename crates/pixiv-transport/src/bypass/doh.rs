//! [`DohResolver`]: DNS over HTTPS with hickory-resolver, over verified TLS, with a TTL cache.
//!
//! Each lookup asks the endpoints in order with an RFC 8484 query (`POST {path}`,
//! `Content-Type: application/dns-message`, over HTTP/2), each for at most
//! [`DEFAULT_DOH_TIMEOUT`]; the first answer with RCODE NOERROR and at least one record of the
//! asked type wins. hickory-resolver (the DNS client of the Hickory DNS project) builds and reads
//! the messages and holds the connections; one hickory resolver per endpoint, so that each
//! endpoint's failure is known and reported. Answers are cached here, for their smallest TTL (at
//! most [`MAX_DOH_CACHE_TTL`]; tokio time, so paused-time tests can expire them; hickory's own
//! cache, on the system clock, is off). When every endpoint fails, the error ([`DohError`]) lists
//! each endpoint's failure.
//!
//! The queries go over TLS with certificate verification forced on and SNI on, whatever the
//! transport's TLS settings say: a DoH answer decides where the client connects, so it must come
//! from the endpoint it claims to come from. An endpoint given by name is reached at the addresses
//! of a built-in table for the default names, else at what the connect configuration's resolver
//! says (docs/bypass.md). The queries do not go through a configured proxy.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use pixiv_transport::bypass::DohResolver;
//! use pixiv_transport::connect::ConnectConfig;
//!
//! let resolver = DohResolver::builder()
//!     .endpoints(["https://1.1.1.1/dns-query", "https://doh.dns.sb/dns-query"])
//!     .build()?;
//! let ips = resolver.lookup("app-api.pixiv.net").await?;
//! println!("{ips:?}");
//! // Plugs into the connector like any other resolver:
//! let connect = ConnectConfig::new().resolver(resolver);
//! # let _ = connect;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::RecordType;
use pixiv_errors::PixivError;
use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::connect::{ConnectConfig, Name, Resolve};

mod answer;
mod endpoint;

use endpoint::Endpoint;

/// The endpoints asked by default, in order: PixivPy's `ByPassSniApi` list (Cloudflare's two
/// resolver addresses, DNS.SB, Cloudflare by name), as docs/protocol.md records it.
pub const DEFAULT_DOH_ENDPOINTS: [&str; 4] = [
    "https://1.1.1.1/dns-query",
    "https://1.0.0.1/dns-query",
    "https://doh.dns.sb/dns-query",
    "https://cloudflare-dns.com/dns-query",
];

/// How long one endpoint gets to answer one query (connect, TLS and body included) before the next
/// is asked: 2 s. A public resolver answers in tens of milliseconds; a blocked one never does. The
/// lookup runs inside the request's attempt, whose time-to-headers budget is 10 s (PixivPy's
/// timeout), so all four default endpoints must fit in it: 4 x 2 s = 8 s (3 s each would leave
/// the last one unasked).
pub const DEFAULT_DOH_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest an answer is cached, whatever TTL it carries: 1 hour. Pixiv's records carry
/// minutes; the cap only bounds a wrong answer's life.
pub const MAX_DOH_CACHE_TTL: Duration = Duration::from_secs(3600);

/// A record type the resolver asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Family {
    A,
    Aaaa,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::Aaaa => "AAAA",
        }
    }

    fn record_type(self) -> RecordType {
        match self {
            Self::A => RecordType::A,
            Self::Aaaa => RecordType::AAAA,
        }
    }
}

/// Resolves host names with DNS over HTTPS. See the [module docs](self).
///
/// A cheap `Clone`: clones share the cache and the HTTP client.
#[derive(Clone)]
pub struct DohResolver {
    inner: Arc<Inner>,
}

struct Inner {
    endpoints: Vec<Asked>,
    /// The TLS settings of the queries (verification and SNI on, ALPN h2).
    tls: rustls::ClientConfig,
    /// Resolves endpoints given by a name outside the bootstrap table.
    connect: ConnectConfig,
    timeout: Duration,
    ipv6: bool,
    cache: Mutex<HashMap<(String, Family), Cached>>,
}

/// One endpoint and its hickory resolver, built on first use.
struct Asked {
    endpoint: Endpoint,
    resolver: OnceCell<TokioResolver>,
}

struct Cached {
    ips: Vec<IpAddr>,
    expires: Instant,
}

impl fmt::Debug for DohResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoints: Vec<&str> = self.endpoints().collect();
        f.debug_struct("DohResolver")
            .field("endpoints", &endpoints)
            .field("timeout", &self.inner.timeout)
            .field("ipv6", &self.inner.ipv6)
            .finish_non_exhaustive()
    }
}

impl DohResolver {
    /// A resolver with the defaults ([`DEFAULT_DOH_ENDPOINTS`], [`DEFAULT_DOH_TIMEOUT`], A records
    /// only, bundled roots).
    pub fn new() -> Result<Self, PixivError> {
        Self::builder().build()
    }

    /// A builder with the defaults.
    pub fn builder() -> DohResolverBuilder {
        DohResolverBuilder::default()
    }

    /// The endpoints, in the order they are asked.
    pub fn endpoints(&self) -> impl Iterator<Item = &str> {
        self.inner.endpoints.iter().map(|e| e.endpoint.url.as_str())
    }

    /// The addresses of `host`: its A records (then its AAAA records, when
    /// [`ipv6`](DohResolverBuilder::ipv6) is on), from the cache while their TTL lasts. An IP
    /// literal is returned as it is.
    ///
    /// Errors: [`DohError`] when no endpoint gave a usable answer for any asked type.
    pub async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, DohError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let families: &[Family] = if self.inner.ipv6 {
            &[Family::A, Family::Aaaa]
        } else {
            &[Family::A]
        };
        let mut ips = Vec::new();
        let mut failures = Vec::new();
        for &family in families {
            match self.lookup_family(&host, family).await {
                Ok(found) => ips.extend(found),
                Err(failed) => failures.extend(failed),
            }
        }
        if ips.is_empty() {
            return Err(DohError { host, failures });
        }
        Ok(ips)
    }

    async fn lookup_family(
        &self,
        host: &str,
        family: Family,
    ) -> Result<Vec<IpAddr>, Vec<DohFailure>> {
        let key = (host.to_owned(), family);
        if let Some(ips) = self.cached(&key) {
            return Ok(ips);
        }
        let mut failures = Vec::new();
        for asked in &self.inner.endpoints {
            let endpoint = &asked.endpoint.url;
            let reason =
                match tokio::time::timeout(self.inner.timeout, self.query(asked, host, family))
                    .await
                {
                    Ok(Ok((ips, ttl))) => {
                        tracing::debug!(
                            host,
                            endpoint = %endpoint,
                            record = family.name(),
                            ?ips,
                            ?ttl,
                            "DoH answer"
                        );
                        if !ttl.is_zero() {
                            let cached = Cached {
                                ips: ips.clone(),
                                expires: Instant::now() + ttl,
                            };
                            self.cache().insert(key, cached);
                        }
                        return Ok(ips);
                    }
                    Ok(Err(reason)) => reason,
                    Err(_elapsed) => format!("no answer within {:?}", self.inner.timeout),
                };
            tracing::debug!(
                host,
                endpoint = %endpoint,
                record = family.name(),
                %reason,
                "DoH endpoint failed; asking the next"
            );
            failures.push(DohFailure {
                endpoint: endpoint.clone(),
                record: family.name(),
                reason,
            });
        }
        Err(failures)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Family), Cached>> {
        // The map holds no invariant a panic could break: keep using it.
        self.inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn cached(&self, key: &(String, Family)) -> Option<Vec<IpAddr>> {
        let mut cache = self.cache();
        match cache.get(key) {
            Some(entry) if Instant::now() < entry.expires => Some(entry.ips.clone()),
            Some(_) => {
                cache.remove(key);
                None
            }
            None => None,
        }
    }

    /// One query to one endpoint: the addresses and the TTL to cache them for, or why not.
    async fn query(
        &self,
        asked: &Asked,
        host: &str,
        family: Family,
    ) -> Result<(Vec<IpAddr>, Duration), String> {
        let resolver = asked
            .resolver
            .get_or_try_init(|| async {
                let endpoint = &asked.endpoint;
                let ips = if endpoint.known.is_empty() {
                    self.bootstrap(&endpoint.host).await?
                } else {
                    endpoint.known.clone()
                };
                Ok::<_, String>(endpoint.resolver(&ips, &self.inner.tls, self.inner.timeout))
            })
            .await?;
        // Fully qualified: no search domain is ever appended.
        let fqdn = format!("{host}.");
        answer::read(resolver.lookup(fqdn, family.record_type()).await, family)
    }

    /// The addresses of an endpoint given by a name outside the bootstrap table, from the
    /// connect configuration's resolver.
    async fn bootstrap(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        let parsed: Name = name
            .parse()
            .map_err(|e| format!("bad endpoint host name: {e}"))?;
        let addrs = self
            .inner
            .connect
            .resolver
            .resolve(parsed)
            .await
            .map_err(|e| format!("resolving the endpoint's name: {e}"))?;
        let mut ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
        ips.dedup();
        if ips.is_empty() {
            return Err("resolving the endpoint's name: no address".to_owned());
        }
        Ok(ips)
    }
}

impl Resolve for DohResolver {
    fn resolve(&self, name: Name) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>> {
        let this = self.clone();
        Box::pin(async move {
            let ips = this.lookup(name.as_str()).await.map_err(io::Error::other)?;
            Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect())
        })
    }
}

/// Builds a [`DohResolver`]. Setters are by value; each states its default.
#[derive(Debug, Clone)]
#[must_use]
pub struct DohResolverBuilder {
    endpoints: Vec<String>,
    timeout: Duration,
    ipv6: bool,
    connect: ConnectConfig,
}

impl Default for DohResolverBuilder {
    fn default() -> Self {
        Self {
            endpoints: DEFAULT_DOH_ENDPOINTS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            timeout: DEFAULT_DOH_TIMEOUT,
            ipv6: false,
            connect: ConnectConfig::new(),
        }
    }
}

impl DohResolverBuilder {
    /// The endpoints (full `https://` URLs of RFC 8484 servers, by IP or by name), asked in this
    /// order.
    ///
    /// Default: [`DEFAULT_DOH_ENDPOINTS`].
    pub fn endpoints<I, S>(mut self, endpoints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.endpoints = endpoints.into_iter().map(Into::into).collect();
        self
    }

    /// How long each endpoint gets for one query.
    ///
    /// Default: [`DEFAULT_DOH_TIMEOUT`] (2 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Ask for AAAA records too (after the A records, which are tried first).
    ///
    /// Default: `false` (A records only, as PixivPy).
    pub fn ipv6(mut self, enabled: bool) -> Self {
        self.ipv6 = enabled;
        self
    }

    /// How the queries connect: roots and extra CAs, and the resolver for endpoints given by a name
    /// outside the built-in table. Certificate verification and SNI are forced on for the queries
    /// whatever this says; the proxy setting is not used (hickory-resolver connects itself).
    ///
    /// Default: [`ConnectConfig::new`] (bundled roots, system DNS).
    pub fn connect(mut self, connect: ConnectConfig) -> Self {
        self.connect = connect;
        self
    }

    /// Builds the resolver. Errors: `InvalidInput` for an empty list or an endpoint that is not an
    /// absolute `https://` URL; `Tls`/`InvalidInput` for unusable TLS settings.
    pub fn build(self) -> Result<DohResolver, PixivError> {
        if self.endpoints.is_empty() {
            return Err(PixivError::invalid_input(
                "DoH endpoints",
                "the list is empty",
            ));
        }
        let endpoints = self
            .endpoints
            .iter()
            .map(|e| {
                Ok(Asked {
                    endpoint: Endpoint::parse(e)?,
                    resolver: OnceCell::new(),
                })
            })
            .collect::<Result<Vec<_>, PixivError>>()?;
        let tls = self
            .connect
            .tls
            .clone()
            .danger_accept_invalid_certs(false)
            .enable_sni(true)
            .build(&[b"h2"])?
            .target;
        Ok(DohResolver {
            inner: Arc::new(Inner {
                endpoints,
                tls: (*tls).clone(),
                connect: self.connect,
                timeout: self.timeout,
                ipv6: self.ipv6,
                cache: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// Every endpoint failed: the host and each endpoint's failure, in the order they were asked.
#[derive(Debug)]
pub struct DohError {
    host: String,
    failures: Vec<DohFailure>,
}

/// One endpoint's failure for one record type.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DohFailure {
    /// The endpoint URL.
    pub endpoint: String,
    /// The record type asked (`"A"` or `"AAAA"`).
    pub record: &'static str,
    /// What went wrong (a connect or TLS error, an HTTP status, an RCODE other than NOERROR, no
    /// record, a timeout).
    pub reason: String,
}

impl DohError {
    /// The host that could not be resolved.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Each endpoint's failure, in the order they were asked.
    pub fn failures(&self) -> &[DohFailure] {
        &self.failures
    }
}

impl fmt::Display for DohError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DNS-over-HTTPS lookup of {} failed at every endpoint",
            self.host
        )?;
        for (i, failure) in self.failures.iter().enumerate() {
            let sep = if i == 0 { ": " } else { "; " };
            write!(
                f,
                "{sep}{} ({}): {}",
                failure.endpoint, failure.record, failure.reason
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for DohError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_https_urls() {
        for bad in ["http://1.1.1.1/dns-query", "not a url"] {
            let err = DohResolver::builder().endpoints([bad]).build().unwrap_err();
            assert!(
                matches!(err, PixivError::InvalidInput { .. }),
                "{bad}: {err:?}"
            );
        }
        let empty: [&str; 0] = [];
        assert!(DohResolver::builder().endpoints(empty).build().is_err());
    }

    #[test]
    fn defaults_are_pixivpys_list() {
        let r = DohResolver::new().unwrap();
        assert_eq!(r.endpoints().collect::<Vec<_>>(), DEFAULT_DOH_ENDPOINTS);
        assert_eq!(r.inner.timeout, Duration::from_secs(2));
    }

    #[tokio::test]
    async fn ip_literals_need_no_query() {
        let r = DohResolver::builder()
            .endpoints(["https://127.0.0.1:1/dns-query"])
            .build()
            .unwrap();
        assert_eq!(
            r.lookup("10.1.2.3").await.unwrap(),
            ["10.1.2.3".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            r.lookup("[::1]").await.unwrap(),
            ["::1".parse::<IpAddr>().unwrap()]
        );
    }

    #[test]
    fn error_lists_every_endpoint() {
        let err = DohError {
            host: "app-api.pixiv.net".into(),
            failures: vec![
                DohFailure {
                    endpoint: "https://a/dns-query".into(),
                    record: "A",
                    reason: "HTTP 500".into(),
                },
                DohFailure {
                    endpoint: "https://b/dns-query".into(),
                    record: "A",
                    reason: "RCODE 2 (SERVFAIL)".into(),
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "DNS-over-HTTPS lookup of app-api.pixiv.net failed at every endpoint: \
             https://a/dns-query (A): HTTP 500; https://b/dns-query (A): RCODE 2 (SERVFAIL)"
        );
    }
}
