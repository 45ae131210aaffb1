//! [`TransportBuilder`]: every setting of a [`Transport`](crate::Transport), one setter each.
//!
//! The settings, grouped as they belong together:
//!
//! | group | setters |
//! |---|---|
//! | timeouts | [`timeout`](TransportBuilder::timeout) (PixivPy's single one), [`timeouts`](TransportBuilder::timeouts) ([`Timeouts`]) |
//! | retry | [`retry`](TransportBuilder::retry) |
//! | rate limits | [`rate_limit`](TransportBuilder::rate_limit), [`no_rate_limit`](TransportBuilder::no_rate_limit), [`rate_limiter`](TransportBuilder::rate_limiter) (a shared one), [`rate_limit_for_hosts`](TransportBuilder::rate_limit_for_hosts), [`rate_limit_cooldown`](TransportBuilder::rate_limit_cooldown) |
//! | connection | [`connect`](TransportBuilder::connect) (pool, TCP, HTTP/2, resolver), [`proxy`](TransportBuilder::proxy), [`tls`](TransportBuilder::tls), [`add_root_certificate_pem`](TransportBuilder::add_root_certificate_pem) |
//! | answers | [`max_redirects`](TransportBuilder::max_redirects), [`max_json_body`](TransportBuilder::max_json_body), [`max_error_body`](TransportBuilder::max_error_body), [`decompression`](TransportBuilder::decompression) |
//! | headers | [`default_header`](TransportBuilder::default_header), [`default_headers`](TransportBuilder::default_headers) |
//! | auth | [`token_source`](TransportBuilder::token_source), [`auth_hosts`](TransportBuilder::auth_hosts), [`auth_origins`](TransportBuilder::auth_origins) |
//! | waits and retries | [`on_wait`](TransportBuilder::on_wait), [`on_retry`](TransportBuilder::on_retry) |
//! | alternate route (feature `bypass`) | `bypass`, `route`, `fallback_on_challenge`, `doh_endpoints` |
//!
//! A setter changes its own setting and nothing else, so the order of the calls does not matter
//! (for the same setting, the last call wins). Groups that take a closure
//! ([`connect`](TransportBuilder::connect), `bypass`) change the builder's current value in place
//! rather than replace it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue, Uri};

use crate::auth::TokenSource;
use crate::config::{Timeouts, TransportConfig};
use crate::connect::{ConnectConfig, ProxyConfig, TlsConfig};
use crate::headers::DefaultHeadersLayer;
use crate::ratelimit::RateLimiter;
use crate::retry::RetryPolicy;
use crate::wait::{OnWait, WaitEvent};

/// Builds a [`Transport`](crate::Transport) (from [`Transport::builder`](crate::Transport::builder)).
/// Setters are by value and each documents its default; the defaults and their sources are
/// in the [`config`](crate::config) module.
///
/// The settings, grouped as they belong together:
///
/// | group | setters |
/// |---|---|
/// | timeouts | [`timeout`](TransportBuilder::timeout) (PixivPy's single one), [`timeouts`](TransportBuilder::timeouts) ([`Timeouts`]) |
/// | retry | [`retry`](TransportBuilder::retry) |
/// | rate limits | [`rate_limit`](TransportBuilder::rate_limit), [`no_rate_limit`](TransportBuilder::no_rate_limit), [`rate_limiter`](TransportBuilder::rate_limiter) (a shared one), [`rate_limit_for_hosts`](TransportBuilder::rate_limit_for_hosts), [`rate_limit_cooldown`](TransportBuilder::rate_limit_cooldown) |
/// | connection | [`connect`](TransportBuilder::connect) (pool, TCP, HTTP/2, resolver), [`proxy`](TransportBuilder::proxy), [`tls`](TransportBuilder::tls), [`add_root_certificate_pem`](TransportBuilder::add_root_certificate_pem) |
/// | answers | [`max_redirects`](TransportBuilder::max_redirects), [`max_json_body`](TransportBuilder::max_json_body), [`max_error_body`](TransportBuilder::max_error_body), [`decompression`](TransportBuilder::decompression) |
/// | headers | [`default_header`](TransportBuilder::default_header), [`default_headers`](TransportBuilder::default_headers) |
/// | auth | [`token_source`](TransportBuilder::token_source), [`auth_hosts`](TransportBuilder::auth_hosts), [`auth_origins`](TransportBuilder::auth_origins) |
/// | waits and retries | [`on_wait`](TransportBuilder::on_wait), [`on_retry`](TransportBuilder::on_retry) |
/// | alternate route (feature `bypass`) | `bypass`, `route`, `fallback_on_challenge`, `doh_endpoints` |
///
/// A setter changes its own setting and nothing else, so the order of the calls does not matter
/// (for the same setting, the last call wins). Groups that take a closure
/// ([`connect`](TransportBuilder::connect), `bypass`) change the builder's current value in place
/// rather than replace it.
///
/// `Clone` copies the settings; the rate limiters in them are shared handles, so transports built
/// from clones of one builder share its limiters (which is how `pixiv::Client` gives its
/// transports one budget when asked to).
#[derive(Default, Clone)]
#[must_use]
pub struct TransportBuilder {
    pub(crate) config: TransportConfig,
    pub(crate) token_source: Option<Arc<dyn TokenSource>>,
    pub(crate) auth_hosts: Vec<String>,
    pub(crate) auth_origins: Vec<Uri>,
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("config", &self.config)
            .field("token_source", &self.token_source.is_some())
            .field("auth_hosts", &self.auth_hosts)
            .field("auth_origins", &self.auth_origins)
            .finish()
    }
}

/// Timeouts and retry.
impl TransportBuilder {
    /// PixivPy's single `timeout`: connect, time to headers and body idle all set to `timeout`
    /// (the total deadline is left as it is).
    ///
    /// Default: 10 s each, no total deadline. `Duration::ZERO` fails every request, so `build`
    /// refuses it ([`PixivError::InvalidInput`](crate::PixivError::InvalidInput)); for no timeout,
    /// use [`timeouts`](Self::timeouts) with `None`s. Values past
    /// [`MAX_WAIT`](crate::wait::MAX_WAIT) (~100 years) count as that.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let t = &mut self.config;
        t.connect = t.connect.clone().connect_timeout(Some(timeout));
        t.timeouts = t.timeouts.headers(Some(timeout)).body_idle(Some(timeout));
        self
    }

    /// All four timeouts (connect, headers, body idle, total) at once.
    ///
    /// Default: [`Timeouts::new`] (10 s, 10 s, 10 s, no total).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.config.connect = self
            .config
            .connect
            .clone()
            .connect_timeout(timeouts.connect);
        self.config.timeouts = timeouts.layer();
        self
    }

    /// The retry policy.
    ///
    /// Default: [`RetryPolicy::default`] (PixivPy's: 3 retries, backoff factor 1 s, on
    /// 429/500/502/503/504 and transient transport failures, for GET/POST/DELETE).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }
}

/// Rate limits.
impl TransportBuilder {
    /// At most `n` request starts in any window of `per`, for every host without a limiter of its
    /// own.
    ///
    /// Default: 100 per 60 s ([`RateLimiter::default`], PixivPy's
    /// `RateLimiter(calls=100, period=60)`).
    pub fn rate_limit(self, n: u32, per: Duration) -> Self {
        self.rate_limiter(RateLimiter::new(n, per))
    }

    /// No rate limit for hosts without a limiter of their own. Default: limited (see
    /// [`rate_limit`](Self::rate_limit)).
    pub fn no_rate_limit(mut self) -> Self {
        self.config.rate_limit = None;
        self
    }

    /// This limiter for every host without one of its own. A [`RateLimiter`] is a shared handle:
    /// give two transports clones of one limiter and they share one budget (this setter exists
    /// for that; for a budget of this transport's own, use [`rate_limit`](Self::rate_limit)).
    ///
    /// Default: a limiter of 100 per 60 s, as [`rate_limit`](Self::rate_limit).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.config.rate_limit = Some(limiter);
        self
    }

    /// A separate limiter (`n` starts per `per`) for these hosts, e.g. the image host, so
    /// downloads and API calls do not share one budget. A host listed here is not counted by the
    /// default limiter; the first group naming a host wins.
    ///
    /// Default: none.
    pub fn rate_limit_for_hosts<I, S>(mut self, hosts: I, n: u32, per: Duration) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let hosts = hosts
            .into_iter()
            .map(|h| h.into().to_ascii_lowercase())
            .collect();
        self.config
            .host_rate_limits
            .push((hosts, RateLimiter::new(n, per)));
        self
    }

    /// How long every limiter holds all starts back after a "Rate Limit" answer (429, or
    /// Pixiv's "Rate Limit" body) that does not say how long to wait; an answer with
    /// `Retry-After` pauses for what it says instead.
    ///
    /// Default: [`DEFAULT_RATE_LIMIT_COOLDOWN`](crate::ratelimit::DEFAULT_RATE_LIMIT_COOLDOWN)
    /// (60 s).
    pub fn rate_limit_cooldown(mut self, cooldown: Duration) -> Self {
        self.config.rate_limit_cooldown = cooldown;
        self
    }
}

/// The connection: pool, TCP, HTTP/2, resolver, proxy and TLS.
impl TransportBuilder {
    /// Changes the connection settings in place:
    /// `.connect(|c| c.pool_max_idle_per_host(20).resolver(my_resolver))`. The closure gets the
    /// current [`ConnectConfig`], so what [`proxy`](Self::proxy), [`tls`](Self::tls) and
    /// [`timeout`](Self::timeout) set is in it (they are the same settings).
    ///
    /// Default: [`ConnectConfig::default`] (PixivPy's pool of 10 idle connections per host,
    /// 60 s idle timeout, connect timeout 10 s, system resolver, no proxy, webpki roots).
    pub fn connect(mut self, f: impl FnOnce(ConnectConfig) -> ConnectConfig) -> Self {
        self.config.connect = f(self.config.connect);
        self
    }

    /// The proxy. Default: none ([`ProxyConfig::none`]; the environment is read only when asked
    /// with [`ProxyConfig::from_env`]).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.config.connect = self.config.connect.proxy(proxy);
        self
    }

    /// TLS settings. Default: [`TlsConfig::default`] (webpki roots, verification on, SNI on).
    /// Certificates added with [`add_root_certificate_pem`](Self::add_root_certificate_pem) are
    /// trusted on top of these, whatever the order of the calls.
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.config.connect = self.config.connect.tls(tls);
        self
    }

    /// Trusts this PEM certificate (or bundle) in addition to the configured roots; parsed by
    /// `build`. Default: no extra roots.
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.config.root_pems.push(pem.as_ref().to_vec());
        self
    }
}

/// Answers and headers.
impl TransportBuilder {
    /// Redirect hops followed at most. Default:
    /// [`DEFAULT_MAX_REDIRECTS`](crate::config::DEFAULT_MAX_REDIRECTS) (5).
    pub fn max_redirects(mut self, max: usize) -> Self {
        self.config.max_redirects = max;
        self
    }

    /// The largest JSON answer read. Default:
    /// [`DEFAULT_MAX_JSON_BODY`](crate::config::DEFAULT_MAX_JSON_BODY) (16 MiB).
    pub fn max_json_body(mut self, max: usize) -> Self {
        self.config.max_json_body = max;
        self
    }

    /// How much of an error answer is read for classification. Default:
    /// [`DEFAULT_MAX_ERROR_BODY`](crate::config::DEFAULT_MAX_ERROR_BODY) (64 KiB).
    pub fn max_error_body(mut self, max: usize) -> Self {
        self.config.max_error_body = max;
        self
    }

    /// Decompress gzip/br/deflate answers (and say so in `Accept-Encoding`). Default: `true`.
    pub fn decompression(mut self, enabled: bool) -> Self {
        self.config.decompression = enabled;
        self
    }

    /// Sets one default header (a request's own header of that name wins).
    ///
    /// Default: Pixiv's client headers ([`crate::headers`]).
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.config.headers = self.config.headers.header(name, value);
        self
    }

    /// The whole default header set, replacing Pixiv's. Default: [`DefaultHeadersLayer::new`].
    pub fn default_headers(mut self, headers: DefaultHeadersLayer) -> Self {
        self.config.headers = headers;
        self
    }
}

/// Auth and waits.
impl TransportBuilder {
    /// The token source for the Bearer header; it goes only to [`auth_hosts`](Self::auth_hosts) /
    /// [`auth_origins`](Self::auth_origins). Default: none (no Authorization added).
    pub fn token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.token_source = Some(source);
        self
    }

    /// Host names (over https, any port) that get the Bearer token. Default: none.
    pub fn auth_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.auth_hosts.extend(hosts.into_iter().map(Into::into));
        self
    }

    /// Exact origins (scheme, host, port) that get the Bearer token. Default: none.
    pub fn auth_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = Uri>,
    {
        self.auth_origins.extend(origins);
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
        self.config.on_wait = Some(OnWait::new(hook));
        self
    }

    /// Calls `hook` before the wait of every retry the retry layer makes, with the retry's number,
    /// its wait, the error the last attempt ended with, the method and the URI (a
    /// [`RetryEvent`](crate::retry::RetryEvent)); for a progress line or metrics. The URI may
    /// carry a query: redact it before showing it. The error's `Display` is redacted already.
    /// The hook runs on the request's task: keep it short.
    ///
    /// Default: none.
    pub fn on_retry(
        mut self,
        hook: impl Fn(&crate::retry::RetryEvent<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.config.on_retry = Some(crate::retry::OnRetry(Arc::new(hook)));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_do_not_undo_each_other_whatever_the_order() {
        let ten = Duration::from_secs(10);
        let a = TransportBuilder::default()
            .proxy(ProxyConfig::none())
            .timeout(ten)
            .connect(|c| c.pool_max_idle_per_host(3))
            .add_root_certificate_pem(b"pem")
            .tls(TlsConfig::new());
        let b = TransportBuilder::default()
            .tls(TlsConfig::new())
            .add_root_certificate_pem(b"pem")
            .connect(|c| c.pool_max_idle_per_host(3))
            .timeout(ten)
            .proxy(ProxyConfig::none());
        for t in [a, b] {
            assert_eq!(t.config.connect.pool_max_idle_per_host, 3);
            assert_eq!(t.config.connect.connect_timeout, Some(ten));
            assert_eq!(t.config.root_pems, vec![b"pem".to_vec()]);
        }
    }

    #[test]
    fn timeouts_reach_the_connector_and_the_layer() {
        let t = TransportBuilder::default().timeouts(
            Timeouts::new()
                .connect(Some(Duration::from_secs(3)))
                .total(Some(Duration::from_secs(7))),
        );
        assert_eq!(
            t.config.connect.connect_timeout,
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            t.config.timeouts.settings().total,
            Some(Duration::from_secs(7))
        );
        // The connect closure sees (and may change) the same connect timeout.
        let t = t.connect(|c| {
            assert_eq!(c.connect_timeout, Some(Duration::from_secs(3)));
            c.connect_timeout(None)
        });
        assert_eq!(t.config.connect.connect_timeout, None);
    }
}
