//! [`ConnectConfig`]: every knob of the connection layer, with PixivPy's defaults.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::proxy::ProxyConfig;
use super::resolve::{Resolve, SystemResolver};
use super::tls::TlsConfig;

/// Idle connections kept per host: PixivPy's `HTTPAdapter(pool_connections=10, pool_maxsize=10)`.
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 10;
/// Idle connections kept per host by [`ConnectConfig::tuned`]: PixivPy's `_optimize_connection_pool`
/// (`pool_maxsize=20`) and its Rust sketch (`pool_max_idle_per_host(20)`).
pub const TUNED_POOL_MAX_IDLE_PER_HOST: usize = 20;
/// How long an idle pooled connection is kept: `pool_idle_timeout(60 s)` of the port's plan (docs/protocol.md, client defaults).
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// TCP connect timeout: PixivPy's single `timeout=10`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// TCP keep-alive: `tcp_keepalive(30 s)` of the port's plan (docs/protocol.md, client defaults).
pub const DEFAULT_TCP_KEEPALIVE: Duration = Duration::from_secs(30);
/// HTTP/2 PING interval: `http2_keep_alive_interval(15 s)` of the port's plan (docs/protocol.md, client defaults).
pub const DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(15);
/// HTTP/2 PING acknowledgement timeout: `http2_keep_alive_timeout(10 s)` of the port's plan (docs/protocol.md, client defaults).
pub const DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the client connects: pool, TCP, HTTP/2, TLS, proxy and name resolution.
///
/// Every setter's doc states its default; the defaults are PixivPy's (PixivPy's `requests`
/// session: 10 idle connections per host, 10 s timeout, verification on). See the
/// [module docs](super) for an example.
#[derive(Clone)]
#[must_use]
pub struct ConnectConfig {
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) pool_idle_timeout: Option<Duration>,
    pub(crate) max_connections_per_host: Option<usize>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) tcp_keepalive: Option<Duration>,
    pub(crate) tcp_nodelay: bool,
    pub(crate) http2: bool,
    pub(crate) http2_keep_alive_interval: Option<Duration>,
    pub(crate) http2_keep_alive_timeout: Duration,
    pub(crate) http2_keep_alive_while_idle: bool,
    pub(crate) tls: TlsConfig,
    pub(crate) proxy: ProxyConfig,
    pub(crate) resolver: Arc<dyn Resolve>,
}

impl Default for ConnectConfig {
    fn default() -> Self {
        Self {
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            max_connections_per_host: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            tcp_keepalive: Some(DEFAULT_TCP_KEEPALIVE),
            tcp_nodelay: true,
            http2: true,
            http2_keep_alive_interval: Some(DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL),
            http2_keep_alive_timeout: DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT,
            http2_keep_alive_while_idle: true,
            tls: TlsConfig::default(),
            proxy: ProxyConfig::none(),
            resolver: Arc::new(SystemResolver::new()),
        }
    }
}

impl ConnectConfig {
    /// PixivPy's defaults (see each setter).
    pub fn new() -> Self {
        Self::default()
    }

    /// PixivPy's "optimized" pool profile: [`TUNED_POOL_MAX_IDLE_PER_HOST`] idle connections per
    /// host, everything else as [`ConnectConfig::new`].
    pub fn tuned() -> Self {
        Self::default().pool_max_idle_per_host(TUNED_POOL_MAX_IDLE_PER_HOST)
    }

    /// Idle connections kept per host.
    ///
    /// Default: [`DEFAULT_POOL_MAX_IDLE_PER_HOST`] (10). This is not a cap on open connections
    /// (hyper-util's pool has none); see [`max_connections_per_host`](Self::max_connections_per_host).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// How long an idle connection stays in the pool; `None` keeps it until the server closes it.
    ///
    /// Default: [`DEFAULT_POOL_IDLE_TIMEOUT`] (60 s).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// At most this many connections open per host (scheme + authority), and as many requests in
    /// flight; further requests wait (FIFO) for one to finish, body included. Over HTTP/2 (one
    /// connection) this bounds the concurrent streams.
    ///
    /// Default: `None` (no limit: hyper-util's pool caps idle connections only, and opens a
    /// connection for every HTTP/1.1 request that finds none idle; 100 concurrent requests opened
    /// 99-100 connections in tests/pool.rs).
    ///
    /// Waiting for a slot counts toward the timeout layer's headers timeout, so keep batch
    /// concurrency at or below the cap.
    pub fn max_connections_per_host(mut self, max: Option<usize>) -> Self {
        self.max_connections_per_host = max;
        self
    }

    /// TCP connect timeout (per attempt, split across the resolved addresses as hyper-util does);
    /// elapsing is `PixivError::Timeout { phase: Connect }`.
    ///
    /// Default: [`DEFAULT_CONNECT_TIMEOUT`] (10 s, PixivPy's `timeout`).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// TCP keep-alive idle time (`SO_KEEPALIVE`); `None` disables it.
    ///
    /// Default: [`DEFAULT_TCP_KEEPALIVE`] (30 s).
    pub fn tcp_keepalive(mut self, keepalive: Option<Duration>) -> Self {
        self.tcp_keepalive = keepalive;
        self
    }

    /// `TCP_NODELAY`.
    ///
    /// Default: `true` (requests are small and latency-bound).
    pub fn tcp_nodelay(mut self, nodelay: bool) -> Self {
        self.tcp_nodelay = nodelay;
        self
    }

    /// Offer HTTP/2 in the TLS handshake (ALPN `h2`, then `http/1.1`). Off: HTTP/1.1 only.
    ///
    /// Default: `true`. Plain `http://` targets always use HTTP/1.1.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// Interval of HTTP/2 PING frames; `None` disables them.
    ///
    /// Default: [`DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL`] (15 s).
    pub fn http2_keep_alive_interval(mut self, interval: Option<Duration>) -> Self {
        self.http2_keep_alive_interval = interval;
        self
    }

    /// How long to wait for a PING acknowledgement before closing the connection.
    ///
    /// Default: [`DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT`] (10 s).
    pub fn http2_keep_alive_timeout(mut self, timeout: Duration) -> Self {
        self.http2_keep_alive_timeout = timeout;
        self
    }

    /// Send PINGs on idle connections too.
    ///
    /// Default: `true`.
    pub fn http2_keep_alive_while_idle(mut self, enabled: bool) -> Self {
        self.http2_keep_alive_while_idle = enabled;
        self
    }

    /// TLS settings (roots, verification, SNI).
    ///
    /// Default: [`TlsConfig::default`] (bundled webpki roots, verification on, SNI on).
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = tls;
        self
    }

    /// Proxy settings.
    ///
    /// Default: [`ProxyConfig::none`] (direct connections; the environment is read only when asked
    /// with [`ProxyConfig::from_env`]).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// The name resolver.
    ///
    /// Default: [`SystemResolver`] (`getaddrinfo` on a blocking thread).
    pub fn resolver<R: Resolve>(mut self, resolver: R) -> Self {
        self.resolver = Arc::new(resolver);
        self
    }
}

impl fmt::Debug for ConnectConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectConfig")
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("max_connections_per_host", &self.max_connections_per_host)
            .field("connect_timeout", &self.connect_timeout)
            .field("tcp_keepalive", &self.tcp_keepalive)
            .field("tcp_nodelay", &self.tcp_nodelay)
            .field("http2", &self.http2)
            .field("http2_keep_alive_interval", &self.http2_keep_alive_interval)
            .field("http2_keep_alive_timeout", &self.http2_keep_alive_timeout)
            .field(
                "http2_keep_alive_while_idle",
                &self.http2_keep_alive_while_idle,
            )
            .field("tls", &self.tls)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seeds() {
        let c = ConnectConfig::new();
        assert_eq!(c.pool_max_idle_per_host, 10);
        assert_eq!(c.pool_idle_timeout, Some(Duration::from_secs(60)));
        assert_eq!(c.connect_timeout, Some(Duration::from_secs(10)));
        assert_eq!(c.tcp_keepalive, Some(Duration::from_secs(30)));
        assert!(c.tcp_nodelay && c.http2 && c.http2_keep_alive_while_idle);
        assert_eq!(c.http2_keep_alive_interval, Some(Duration::from_secs(15)));
        assert_eq!(c.http2_keep_alive_timeout, Duration::from_secs(10));
        assert_eq!(ConnectConfig::tuned().pool_max_idle_per_host, 20);
    }
}
