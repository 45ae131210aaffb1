//! [`TransportConfig`]: every setting of the default stack in one value, with PixivPy's defaults.
//!
//! | setting | default | source |
//! |---|---|---|
//! | timeouts | connect 10 s, headers 10 s, body idle 10 s, no total | PixivPy's `timeout=10` |
//! | retry | 3 retries, backoff factor 1, on 429/500/502/503/504, GET/POST/DELETE | PixivPy's `Retry(...)` |
//! | rate limit | 100 request starts per 60 s | PixivPy's `RateLimiter(calls=100, period=60)` |
//! | rate-limit cool-down | 60 s after a "Rate Limit" answer without `Retry-After` | docs/protocol.md |
//! | pool | 10 idle connections per host, 60 s idle timeout | PixivPy's `HTTPAdapter(pool_maxsize=10)` |
//! | redirects | 5 hops | `Policy::limited(5)` of the port's plan (docs/protocol.md, client defaults) |
//! | headers | Pixiv's iOS client headers, `Accept-Language: en-us` | docs/protocol.md |
//! | JSON cap | 16 MiB | [`DEFAULT_MAX_JSON_BODY`] |
//!
//! ```
//! use std::time::Duration;
//! use pixiv_transport::config::TransportConfig;
//!
//! let config = TransportConfig::new()
//!     .timeout(Duration::from_secs(30))
//!     .max_redirects(2);
//! assert_eq!(config.get_max_redirects(), 2);
//! ```

use std::time::Duration;

use http::{HeaderName, HeaderValue};
use pixiv_errors::PixivError;

use crate::connect::{ConnectConfig, ProxyConfig, TlsConfig};
pub use crate::error_map::{DEFAULT_MAX_ERROR_BODY, DEFAULT_MAX_JSON_BODY};
use crate::headers::DefaultHeadersLayer;
use crate::ratelimit::{DEFAULT_RATE_LIMIT_COOLDOWN, RateLimiter};
pub use crate::redirect::DEFAULT_MAX_REDIRECTS;
use crate::retry::RetryPolicy;
use crate::timeout::TimeoutLayer;
use crate::wait::{OnWait, WaitEvent};

/// Every setting of the default stack. See the [module docs](self) for the defaults.
#[derive(Debug, Clone)]
#[must_use]
pub struct TransportConfig {
    pub(crate) connect: ConnectConfig,
    pub(crate) timeouts: TimeoutLayer,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Option<RateLimiter>,
    pub(crate) host_rate_limits: Vec<(Vec<String>, RateLimiter)>,
    pub(crate) rate_limit_cooldown: Duration,
    pub(crate) max_redirects: usize,
    pub(crate) headers: DefaultHeadersLayer,
    pub(crate) max_json_body: usize,
    pub(crate) max_error_body: usize,
    pub(crate) decompression: bool,
    pub(crate) root_pems: Vec<Vec<u8>>,
    #[cfg(feature = "bypass")]
    pub(crate) bypass: crate::bypass::BypassConfig,
    pub(crate) on_wait: Option<OnWait>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect: ConnectConfig::default(),
            timeouts: TimeoutLayer::new(),
            retry: RetryPolicy::default(),
            rate_limit: Some(RateLimiter::default()),
            host_rate_limits: Vec::new(),
            rate_limit_cooldown: DEFAULT_RATE_LIMIT_COOLDOWN,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            headers: DefaultHeadersLayer::new(),
            max_json_body: DEFAULT_MAX_JSON_BODY,
            max_error_body: DEFAULT_MAX_ERROR_BODY,
            decompression: true,
            root_pems: Vec::new(),
            #[cfg(feature = "bypass")]
            bypass: crate::bypass::BypassConfig::default(),
            on_wait: None,
        }
    }
}

impl TransportConfig {
    /// PixivPy's defaults (see the [module docs](self)).
    pub fn new() -> Self {
        Self::default()
    }

    /// PixivPy's single `timeout`: connect, time to headers and body idle all set to `timeout`.
    ///
    /// Default: 10 s each (no total deadline). `Duration::ZERO` fails every request, so the
    /// transport refuses it when built ([`PixivError::InvalidInput`]); to have no timeout, set
    /// `None` through [`timeouts`](Self::timeouts) and [`ConnectConfig::connect_timeout`].
    /// Values past [`MAX_WAIT`](crate::wait::MAX_WAIT) (~100 years) count as that.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.connect = self.connect.connect_timeout(Some(timeout));
        self.timeouts = self
            .timeouts
            .headers(Some(timeout))
            .body_idle(Some(timeout));
        self
    }

    /// The per-attempt timeouts (headers, body idle, total).
    ///
    /// Default: [`TimeoutLayer::new`] (10 s, 10 s, none).
    pub fn timeouts(mut self, timeouts: TimeoutLayer) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The retry policy.
    ///
    /// Default: [`RetryPolicy::default`] (PixivPy's: 3 retries, backoff factor 1 s, on
    /// 429/500/502/503/504 and transient transport failures, for GET/POST/DELETE).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The limiter of every host without one of its own (`None`: no limit). A [`RateLimiter`] is
    /// a shared handle: give two transports clones of one limiter and they share one budget.
    ///
    /// Default: a fresh [`RateLimiter::default`] (PixivPy's 100 request starts per 60 s).
    pub fn rate_limit(mut self, limiter: Option<RateLimiter>) -> Self {
        self.rate_limit = limiter;
        self
    }

    /// A separate limiter for these hosts (e.g. the image host, so downloads do not use up the
    /// API's budget). A host listed here is not counted by the default limiter; the first group
    /// naming a host wins.
    ///
    /// Default: none.
    pub fn rate_limit_for_hosts<I, S>(mut self, hosts: I, limiter: RateLimiter) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let hosts = hosts
            .into_iter()
            .map(|h| h.into().to_ascii_lowercase())
            .collect();
        self.host_rate_limits.push((hosts, limiter));
        self
    }

    /// How long every limiter holds all starts back after a "Rate Limit" answer (429, or
    /// Pixiv's "Rate Limit" body) that does not say how long to wait; an answer with
    /// `Retry-After` pauses for what it says instead.
    ///
    /// Default: [`DEFAULT_RATE_LIMIT_COOLDOWN`] (60 s).
    pub fn rate_limit_cooldown(mut self, cooldown: Duration) -> Self {
        self.rate_limit_cooldown = cooldown;
        self
    }

    /// Connection settings (pool, TCP, HTTP/2, TLS, proxy, resolver).
    ///
    /// Default: [`ConnectConfig::default`].
    pub fn connect(mut self, connect: ConnectConfig) -> Self {
        self.connect = connect;
        self
    }

    /// The proxy. Default: none ([`ProxyConfig::none`]).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.connect = self.connect.proxy(proxy);
        self
    }

    /// TLS settings. Default: [`TlsConfig::default`] (webpki roots, verification on).
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.connect = self.connect.tls(tls);
        self
    }

    /// Trusts this PEM certificate (or bundle) in addition to the configured roots; parsed when the
    /// transport is built. Default: no extra roots.
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_pems.push(pem.as_ref().to_vec());
        self
    }

    /// Redirect hops followed at most. Default: [`DEFAULT_MAX_REDIRECTS`] (5).
    pub fn max_redirects(mut self, max: usize) -> Self {
        self.max_redirects = max;
        self
    }

    /// Sets one default header (a request's own header of that name wins).
    ///
    /// Default: Pixiv's client headers ([`crate::headers`]).
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers = self.headers.header(name, value);
        self
    }

    /// The whole default header set. Default: [`DefaultHeadersLayer::new`].
    pub fn default_headers(mut self, headers: DefaultHeadersLayer) -> Self {
        self.headers = headers;
        self
    }

    /// The largest JSON answer read. Default: [`DEFAULT_MAX_JSON_BODY`] (16 MiB).
    pub fn max_json_body(mut self, max: usize) -> Self {
        self.max_json_body = max;
        self
    }

    /// How much of an error answer is read for classification.
    /// Default: [`DEFAULT_MAX_ERROR_BODY`] (64 KiB).
    pub fn max_error_body(mut self, max: usize) -> Self {
        self.max_error_body = max;
        self
    }

    /// Decompress gzip/br/deflate answers (and say so in `Accept-Encoding`). Default: `true`.
    pub fn decompression(mut self, enabled: bool) -> Self {
        self.decompression = enabled;
        self
    }

    /// Calls `hook` before each wait of [`MIN_ANNOUNCED_WAIT`](crate::wait::MIN_ANNOUNCED_WAIT)
    /// (1 s) or more, with its length and [`WaitReason`](crate::wait::WaitReason): a server's
    /// `Retry-After` before a retry, a retry's backoff, a pause of every request after a "Rate
    /// Limit" answer, a used-up rate-limit budget. For showing long waits to a user; see
    /// [`crate::wait`]. The hook runs on the request's task: keep it short.
    ///
    /// Default: none.
    pub fn on_wait(mut self, hook: impl Fn(&WaitEvent) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(OnWait::new(hook));
        self
    }

    /// Checks what only fails later: a zero timeout (every request would time out at once).
    pub(crate) fn validate(&self) -> Result<(), PixivError> {
        let t = self.timeouts.settings();
        for (name, value) in [
            ("connect timeout", self.connect.connect_timeout),
            ("headers timeout", t.headers),
            ("body idle timeout", t.body_idle),
            ("total timeout", t.total),
        ] {
            if value == Some(Duration::ZERO) {
                return Err(PixivError::invalid_input(
                    name,
                    "0 s would fail every request; give a positive duration, or None for no \
                     timeout",
                ));
            }
        }
        Ok(())
    }

    /// The redirect hop limit.
    pub fn get_max_redirects(&self) -> usize {
        self.max_redirects
    }

    /// The JSON size cap.
    pub fn get_max_json_body(&self) -> usize {
        self.max_json_body
    }
}
