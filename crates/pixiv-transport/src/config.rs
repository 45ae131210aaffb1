//! The transport's settings: [`Timeouts`], the caps and their defaults, and the private value
//! [`TransportBuilder`](crate::TransportBuilder) fills in.
//!
//! Every setting is set on [`Transport::builder()`](crate::Transport::builder); each setter there
//! states its default. The defaults, and where they come from:
//!
//! | setting | default | source |
//! |---|---|---|
//! | timeouts | connect 10 s, headers 10 s, body idle 10 s, no total | PixivPy's `timeout=10` |
//! | retry | 3 retries, backoff factor 1, on 429/500/502/503/504, GET/POST/DELETE | PixivPy's `Retry(...)` |
//! | rate limit | 100 request starts per 60 s | PixivPy's `RateLimiter(calls=100, period=60)` |
//! | rate-limit cool-down | 60 s after a "Rate Limit" answer without `Retry-After` | docs/protocol.md |
//! | pool | 10 idle connections per host, 60 s idle timeout | PixivPy's `HTTPAdapter(pool_maxsize=10)` |
//! | redirects | 5 hops | reqwest's `Policy::limited`, with PixivPy's few-hop answers (docs/protocol.md) |
//! | headers | Pixiv's iOS client headers, `Accept-Language: en-us` | docs/protocol.md |
//! | JSON cap | 16 MiB | [`DEFAULT_MAX_JSON_BODY`] |
//!
//! ```
//! use std::time::Duration;
//! use pixiv_transport::{Transport, config::Timeouts};
//!
//! let transport = Transport::builder()
//!     .timeouts(Timeouts::new().total(Some(Duration::from_secs(60))))
//!     .rate_limit(50, Duration::from_secs(60))
//!     .max_redirects(2)
//!     .build()?;
//! # let _ = transport;
//! # Ok::<(), pixiv_transport::PixivError>(())
//! ```

use std::time::Duration;

use pixiv_errors::PixivError;

use crate::connect::ConnectConfig;
use crate::connect::DEFAULT_CONNECT_TIMEOUT;
pub use crate::error_map::{DEFAULT_MAX_ERROR_BODY, DEFAULT_MAX_JSON_BODY};
use crate::headers::DefaultHeadersLayer;
use crate::ratelimit::{DEFAULT_RATE_LIMIT_COOLDOWN, RateLimiter};
pub use crate::redirect::DEFAULT_MAX_REDIRECTS;
use crate::retry::RetryPolicy;
use crate::timeout::{DEFAULT_BODY_IDLE_TIMEOUT, DEFAULT_HEADERS_TIMEOUT, TimeoutLayer};
use crate::wait::OnWait;

/// The four timeouts of a request, set together with
/// [`TransportBuilder::timeouts`](crate::TransportBuilder::timeouts); `None` disables one.
///
/// Defaults (PixivPy's single `timeout=10`): connect 10 s, time to headers 10 s, body idle 10 s,
/// no total deadline. `Duration::ZERO` would fail every request, so the transport refuses it when
/// built ([`PixivError::InvalidInput`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct Timeouts {
    /// TCP connect (per attempt). Default: [`DEFAULT_CONNECT_TIMEOUT`] (10 s).
    pub connect: Option<Duration>,
    /// Time to the answer's headers, per attempt. Default: [`DEFAULT_HEADERS_TIMEOUT`] (10 s).
    pub headers: Option<Duration>,
    /// Longest silence inside a body. Default: [`DEFAULT_BODY_IDLE_TIMEOUT`] (10 s).
    pub body_idle: Option<Duration>,
    /// Deadline for headers and body together, per attempt. Default: `None`.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Some(DEFAULT_CONNECT_TIMEOUT),
            headers: Some(DEFAULT_HEADERS_TIMEOUT),
            body_idle: Some(DEFAULT_BODY_IDLE_TIMEOUT),
            total: None,
        }
    }
}

impl Timeouts {
    /// The defaults: 10 s, 10 s, 10 s, no total.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every timeout off (`None`): a request may wait forever.
    pub fn none() -> Self {
        Self {
            connect: None,
            headers: None,
            body_idle: None,
            total: None,
        }
    }

    /// The TCP connect timeout. Default: 10 s.
    pub fn connect(mut self, timeout: Option<Duration>) -> Self {
        self.connect = timeout;
        self
    }

    /// The time-to-headers timeout. Default: 10 s.
    pub fn headers(mut self, timeout: Option<Duration>) -> Self {
        self.headers = timeout;
        self
    }

    /// The body-idle timeout. Default: 10 s.
    pub fn body_idle(mut self, timeout: Option<Duration>) -> Self {
        self.body_idle = timeout;
        self
    }

    /// The total deadline. Default: `None`.
    pub fn total(mut self, timeout: Option<Duration>) -> Self {
        self.total = timeout;
        self
    }

    /// The timeout layer's part (all but connect).
    pub(crate) fn layer(&self) -> TimeoutLayer {
        TimeoutLayer::new()
            .headers(self.headers)
            .body_idle(self.body_idle)
            .total(self.total)
    }
}

/// Every setting of the default stack, as [`TransportBuilder`](crate::TransportBuilder) holds
/// them. Private: the builder is the one way in, so no setter can undo another.
#[derive(Debug, Clone)]
pub(crate) struct TransportConfig {
    /// Pool, TCP, HTTP/2, TLS, proxy, resolver, and the connect timeout.
    pub(crate) connect: ConnectConfig,
    /// Headers, body idle and total timeouts.
    pub(crate) timeouts: TimeoutLayer,
    pub(crate) retry: RetryPolicy,
    /// The limiter of every host without one of its own (`None`: no limit).
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
    pub(crate) on_retry: Option<crate::retry::OnRetry>,
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
            on_retry: None,
        }
    }
}

impl TransportConfig {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_default_to_pixivpys_ten_seconds() {
        let t = Timeouts::new();
        let ten = Some(Duration::from_secs(10));
        assert_eq!(
            (t.connect, t.headers, t.body_idle, t.total),
            (ten, ten, ten, None)
        );
        let layer = t.layer().settings();
        assert_eq!(
            (layer.headers, layer.body_idle, layer.total),
            (ten, ten, None)
        );
        assert_eq!(
            Timeouts::none(),
            Timeouts::new().connect(None).headers(None).body_idle(None)
        );
    }
}
