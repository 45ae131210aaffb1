//! [`DohResolver`]: DNS over HTTPS (the JSON API), over verified TLS, with a TTL cache.
//!
//! Each lookup asks the endpoints in order (`GET {endpoint}?name=HOST&type=A`,
//! `Accept: application/dns-json`), each for at most [`DEFAULT_DOH_TIMEOUT`]; the first answer with
//! `Status == 0` and at least one record of the asked type wins. Answers are cached for their
//! smallest TTL (at most [`MAX_DOH_CACHE_TTL`]; tokio time, so paused-time tests can expire them).
//! When every endpoint fails, the error ([`DohError`]) lists each endpoint's failure.
//!
//! The queries go over an [`HttpClient`] with certificate verification forced on and SNI on,
//! whatever the transport's TLS settings say: a DoH answer decides where the client connects, so
//! it must come from the endpoint it claims to come from.
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
use http::header::ACCEPT;
use http::{HeaderValue, Request, StatusCode, Uri};
use http_body_util::{BodyExt as _, Limited};
use pixiv_errors::PixivError;
use tokio::time::Instant;
use tower::ServiceExt as _;
use url::Url;

use crate::RequestBody;
use crate::connect::{ConnectConfig, HttpClient, Name, Resolve};

mod answer;

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

/// The largest DoH answer read: 64 KiB (a JSON answer with a few records is under 1 KiB).
const MAX_DOH_ANSWER: usize = 64 * 1024;

/// The media type of the JSON API.
const DNS_JSON: &str = "application/dns-json";

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

    /// The DNS TYPE number in the answer's records.
    fn code(self) -> u16 {
        match self {
            Self::A => 1,
            Self::Aaaa => 28,
        }
    }

    fn matches(self, ip: &IpAddr) -> bool {
        matches!(
            (self, ip),
            (Self::A, IpAddr::V4(_)) | (Self::Aaaa, IpAddr::V6(_))
        )
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
    endpoints: Vec<Url>,
    client: HttpClient,
    timeout: Duration,
    ipv6: bool,
    cache: Mutex<HashMap<(String, Family), Cached>>,
}

struct Cached {
    ips: Vec<IpAddr>,
    expires: Instant,
}

impl fmt::Debug for DohResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoints: Vec<&str> = self.inner.endpoints.iter().map(Url::as_str).collect();
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
        self.inner.endpoints.iter().map(Url::as_str)
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
        for endpoint in &self.inner.endpoints {
            let reason =
                match tokio::time::timeout(self.inner.timeout, self.query(endpoint, host, family))
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
                endpoint: endpoint.to_string(),
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
        endpoint: &Url,
        host: &str,
        family: Family,
    ) -> Result<(Vec<IpAddr>, Duration), String> {
        let mut url = endpoint.clone();
        url.query_pairs_mut()
            .append_pair("name", host)
            .append_pair("type", family.name());
        let uri: Uri = url.as_str().parse().map_err(|e| format!("bad URL: {e}"))?;
        let mut req = Request::get(uri)
            .body(RequestBody::default())
            .map_err(|e| format!("bad request: {e}"))?;
        req.headers_mut()
            .insert(ACCEPT, HeaderValue::from_static(DNS_JSON));
        let resp = self
            .inner
            .client
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| e.to_string())?;
        if resp.status() != StatusCode::OK {
            return Err(format!("HTTP {}", resp.status()));
        }
        let body = Limited::new(resp.into_body(), MAX_DOH_ANSWER)
            .collect()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?
            .to_bytes();
        answer::parse(&body, family).map_err(|e| e.to_string())
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
    /// The endpoints (full `https://` URLs of the JSON API), asked in this order.
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

    /// How the queries connect: roots, extra CAs, proxy, the resolver for endpoints given by name.
    /// Certificate verification and SNI are forced on for the queries whatever this says.
    ///
    /// Default: [`ConnectConfig::new`] (bundled roots, system DNS, no proxy).
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
                let url = Url::parse(e).map_err(|err| {
                    PixivError::invalid_input("DoH endpoint", format!("{e}: {err}"))
                })?;
                if url.scheme() != "https" || url.host().is_none() {
                    return Err(PixivError::invalid_input(
                        "DoH endpoint",
                        format!(
                            "{e}: must be an https:// URL (the answers must come over verified TLS)"
                        ),
                    ));
                }
                Ok(url)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut connect = self.connect;
        connect.tls = connect
            .tls
            .clone()
            .danger_accept_invalid_certs(false)
            .enable_sni(true);
        let client = HttpClient::new(connect)?;
        Ok(DohResolver {
            inner: Arc::new(Inner {
                endpoints,
                client,
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
    /// What went wrong (a connect or TLS error, an HTTP status, a `Status` other than 0, no
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
                    reason: "Status 2 (SERVFAIL), not 0".into(),
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "DNS-over-HTTPS lookup of app-api.pixiv.net failed at every endpoint: \
             https://a/dns-query (A): HTTP 500; https://b/dns-query (A): Status 2 (SERVFAIL), not 0"
        );
    }
}
