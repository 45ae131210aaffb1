//! [`Route`] and [`BypassConfig`]: which route the transport takes, and its settings on
//! [`TransportBuilder`].

use std::time::Duration;

use super::doh::{DEFAULT_DOH_ENDPOINTS, DEFAULT_DOH_TIMEOUT};
use crate::transport::TransportBuilder;

/// How long a host that answered the direct route with a Cloudflare challenge goes straight to the
/// bypass route: 10 minutes. Long enough that a blocked client does not pay a challenge round trip
/// per request, short enough that it notices when the block lifts (Cloudflare's challenge
/// clearance cookies live 15-30 minutes; we stay under).
pub const DEFAULT_REMEMBER_BYPASS: Duration = Duration::from_secs(10 * 60);

/// The way requests reach Pixiv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Route {
    /// The system's (or the configured) resolver, TLS with SNI: an ordinary HTTPS client.
    #[default]
    Direct,
    /// The "SNI bypass": the host's address from DNS over HTTPS, the real `Host`, TLS without SNI,
    /// the certificate still verified against the real host name. See `docs/bypass.md`.
    Bypass,
}

impl Route {
    /// `"direct"` or `"bypass"`: the value of the request span's `route` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Bypass => "bypass",
        }
    }
}

/// The alternate route's settings. Defaults: [`Route::Direct`], no fallback, remember for
/// [`DEFAULT_REMEMBER_BYPASS`], [`DEFAULT_DOH_ENDPOINTS`] with [`DEFAULT_DOH_TIMEOUT`] each, A
/// records only.
///
/// ```
/// use pixiv_transport::bypass::{BypassConfig, Route};
/// let config = BypassConfig::new().fallback_on_challenge(true);
/// assert_eq!(config.get_route(), Route::Direct);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct BypassConfig {
    pub(crate) route: Route,
    pub(crate) fallback_on_challenge: bool,
    pub(crate) remember: Duration,
    pub(crate) doh_endpoints: Vec<String>,
    pub(crate) doh_timeout: Duration,
    pub(crate) ipv6: bool,
}

impl Default for BypassConfig {
    fn default() -> Self {
        Self {
            route: Route::Direct,
            fallback_on_challenge: false,
            remember: DEFAULT_REMEMBER_BYPASS,
            doh_endpoints: DEFAULT_DOH_ENDPOINTS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            doh_timeout: DEFAULT_DOH_TIMEOUT,
            ipv6: false,
        }
    }
}

impl BypassConfig {
    /// The defaults (see the type's docs).
    pub fn new() -> Self {
        Self::default()
    }

    /// The route every request takes (with [`Route::Bypass`], fallback does not apply).
    ///
    /// Default: [`Route::Direct`].
    pub fn route(mut self, route: Route) -> Self {
        self.route = route;
        self
    }

    /// On [`Route::Direct`], send a request that got a Cloudflare challenge once more on the bypass
    /// route, and send that host's requests straight to the bypass route for
    /// [`remember`](Self::remember).
    ///
    /// Default: `false`.
    pub fn fallback_on_challenge(mut self, enabled: bool) -> Self {
        self.fallback_on_challenge = enabled;
        self
    }

    /// How long a challenged host goes straight to the bypass route.
    ///
    /// Default: [`DEFAULT_REMEMBER_BYPASS`] (10 min).
    pub fn remember(mut self, duration: Duration) -> Self {
        self.remember = duration;
        self
    }

    /// The DoH endpoints (full `https://` URLs of RFC 8484 DNS-over-HTTPS servers, by IP or
    /// by name), asked in order.
    ///
    /// Default: [`DEFAULT_DOH_ENDPOINTS`].
    pub fn doh_endpoints<I, S>(mut self, endpoints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.doh_endpoints = endpoints.into_iter().map(Into::into).collect();
        self
    }

    /// How long each DoH endpoint gets for one query.
    ///
    /// Default: [`DEFAULT_DOH_TIMEOUT`] (2 s).
    pub fn doh_timeout(mut self, timeout: Duration) -> Self {
        self.doh_timeout = timeout;
        self
    }

    /// Resolve AAAA records too (A first).
    ///
    /// Default: `false`.
    pub fn ipv6(mut self, enabled: bool) -> Self {
        self.ipv6 = enabled;
        self
    }

    /// The configured route.
    pub fn get_route(&self) -> Route {
        self.route
    }

    /// Whether a challenge on the direct route falls back to the bypass route.
    pub fn get_fallback_on_challenge(&self) -> bool {
        self.fallback_on_challenge
    }
}

/// The alternate route's settings (cargo feature `bypass`).
impl TransportBuilder {
    /// Changes the alternate route's settings in place:
    /// `.bypass(|b| b.fallback_on_challenge(true).remember(Duration::from_secs(60)))`; the closure
    /// gets the current value, so what [`route`](Self::route), [`fallback_on_challenge`](Self::fallback_on_challenge)
    /// and [`doh_endpoints`](Self::doh_endpoints) set is in it (they are the same settings).
    ///
    /// Default: [`BypassConfig::new`] (direct route, no fallback).
    pub fn bypass(mut self, f: impl FnOnce(BypassConfig) -> BypassConfig) -> Self {
        self.config.bypass = f(self.config.bypass);
        self
    }

    /// The route every request takes. Default: [`Route::Direct`]. See `docs/bypass.md`.
    pub fn route(mut self, route: Route) -> Self {
        self.config.bypass = self.config.bypass.route(route);
        self
    }

    /// Retry a request challenged by Cloudflare on the direct route once on the bypass route, and
    /// remember the host for [`DEFAULT_REMEMBER_BYPASS`] (change it with
    /// [`BypassConfig::remember`]). Default: `false`.
    pub fn fallback_on_challenge(mut self, enabled: bool) -> Self {
        self.config.bypass = self.config.bypass.fallback_on_challenge(enabled);
        self
    }

    /// The DoH endpoints of the bypass route, asked in order. Default: [`DEFAULT_DOH_ENDPOINTS`].
    pub fn doh_endpoints<I, S>(mut self, endpoints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.bypass = self.config.bypass.doh_endpoints(endpoints);
        self
    }
}
