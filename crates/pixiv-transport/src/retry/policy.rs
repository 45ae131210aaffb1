//! [`RetryPolicy`]: whether an error is worth another attempt, and how long to wait first.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use http::header::{DATE, RETRY_AFTER};
use http::{Method, StatusCode};
use pixiv_errors::{PixivError, retry_after};

/// Retries after the first attempt, by default: 3 (so at most 4 requests).
///
/// Source: PixivPy's `Retry(total=3, ...)`.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

/// The backoff factor, by default: 1 s. Retry `n` (1, 2, 3, ...) waits `factor * 2^(n-1)`:
/// 1 s, 2 s, 4 s.
///
/// Source: PixivPy's `Retry(backoff_factor=1)`. urllib3's `Retry.get_backoff_time` (the
/// `consecutive_errors_len <= 1: return 0` form of 1.26 and 2.x) waits nothing before the
/// *first* retry and `factor * 2^(n-1)` before the later ones (0, 2, 4 s). We deliberately wait
/// before the first retry too (1, 2, 4 s): an immediate retry of a 503 mostly meets the same
/// overloaded server.
pub const DEFAULT_BACKOFF_FACTOR: Duration = Duration::from_secs(1);

/// The longest backoff (without `Retry-After`), by default: 120 s.
///
/// Source: urllib3's `Retry.DEFAULT_BACKOFF_MAX` (120), which PixivPy's `Retry` inherits.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(120);

/// The statuses retried by default: 429, 500, 502, 503, 504.
///
/// Source: PixivPy's `status_forcelist=[429, 500, 502, 503, 504]`. A
/// [`PixivError::RateLimited`] counts as 429 whatever status it came with (Pixiv's "Rate Limit"
/// body may come with a 403).
pub const DEFAULT_RETRY_STATUSES: [StatusCode; 5] = [
    StatusCode::TOO_MANY_REQUESTS,
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

/// The methods retried by default: GET, POST, DELETE.
///
/// Source: PixivPy's `allowed_methods=["GET", "POST", "DELETE"]`. POST is there because Pixiv's
/// POSTs (bookmark add/delete, the OAuth refresh) are idempotent in effect. HEAD, PUT and OPTIONS
/// are idempotent too (urllib3's own default list has them) but PixivPy leaves them out, and so
/// do we; add them with [`RetryPolicy::methods`].
pub const DEFAULT_RETRY_METHODS: [Method; 3] = [Method::GET, Method::POST, Method::DELETE];

/// The longest `Retry-After` honoured, by default: 10 minutes
/// ([`pixiv_errors::retry_after::MAX_RETRY_AFTER`]). A longer one is cut to this.
///
/// Source: pixiv-errors' cap (Pixiv sends no `Retry-After`, so a long one comes from a proxy or
/// CDN; past 10 minutes the caller is better served by an error).
pub const DEFAULT_MAX_RETRY_AFTER: Duration = retry_after::MAX_RETRY_AFTER;

/// When to retry and how long to wait. See the [module docs](super) for an example.
///
/// Two separate questions, both seeing the error the attempt ended with:
/// - *is this transient?* — [`should_retry`](Self::should_retry): the method is allowed and the
///   error is one the policy retries;
/// - *how long to wait?* — [`delay`](Self::delay): the server's `Retry-After` when it sent one
///   (capped), else exponential backoff (capped, optionally jittered).
///
/// Defaults are PixivPy's `Retry(total=3, backoff_factor=1, status_forcelist=[429, 500, 502,
/// 503, 504], allowed_methods=["GET", "POST", "DELETE"])`, with no jitter (so the waits are
/// exactly 1, 2, 4 s) and `Retry-After` honoured.
#[derive(Clone)]
#[must_use]
pub struct RetryPolicy {
    max_retries: u32,
    backoff_factor: Duration,
    max_backoff: Duration,
    jitter: Option<Arc<Mutex<fastrand::Rng>>>,
    statuses: Vec<StatusCode>,
    methods: Vec<Method>,
    respect_retry_after: bool,
    max_retry_after: Duration,
    transport_errors: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: DEFAULT_MAX_RETRIES,
            backoff_factor: DEFAULT_BACKOFF_FACTOR,
            max_backoff: DEFAULT_MAX_BACKOFF,
            jitter: None,
            statuses: DEFAULT_RETRY_STATUSES.to_vec(),
            methods: DEFAULT_RETRY_METHODS.to_vec(),
            respect_retry_after: true,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            transport_errors: true,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("backoff_factor", &self.backoff_factor)
            .field("max_backoff", &self.max_backoff)
            .field("jitter", &self.jitter.is_some())
            .field("statuses", &self.statuses)
            .field("methods", &self.methods)
            .field("respect_retry_after", &self.respect_retry_after)
            .field("max_retry_after", &self.max_retry_after)
            .field("transport_errors", &self.transport_errors)
            .finish()
    }
}

impl RetryPolicy {
    /// PixivPy's policy (see the [type docs](Self)).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retries: one attempt per call.
    pub fn none() -> Self {
        Self::default().max_retries(0)
    }

    /// Retries after the first attempt. Default: [`DEFAULT_MAX_RETRIES`] (3).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Retry `n` waits `factor * 2^(n-1)` (1, 2, 4 s for 1 s), capped at
    /// [`max_backoff`](Self::max_backoff). Default: [`DEFAULT_BACKOFF_FACTOR`] (1 s).
    pub fn backoff_factor(mut self, factor: Duration) -> Self {
        self.backoff_factor = factor;
        self
    }

    /// The longest backoff. Default: [`DEFAULT_MAX_BACKOFF`] (120 s).
    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// Full jitter: each backoff is drawn uniformly from `[0, backoff]`, so many clients that
    /// failed together do not come back together. `Retry-After` waits are never jittered.
    ///
    /// Default: off, so the waits are PixivPy's exactly (1, 2, 4 s). For reproducible jitter,
    /// use [`jitter_seed`](Self::jitter_seed).
    pub fn jitter(mut self, enabled: bool) -> Self {
        self.jitter = enabled.then(|| Arc::new(Mutex::new(fastrand::Rng::new())));
        self
    }

    /// Full jitter from a seeded generator (reproducible; for tests). Clones of the policy share
    /// the generator.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter = Some(Arc::new(Mutex::new(fastrand::Rng::with_seed(seed))));
        self
    }

    /// The statuses retried (a [`PixivError::RateLimited`] counts as 429).
    /// Default: [`DEFAULT_RETRY_STATUSES`].
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = StatusCode>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// The methods retried; a request with any other method is never retried, whatever the
    /// error. Default: [`DEFAULT_RETRY_METHODS`] (GET, POST, DELETE).
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.methods = methods.into_iter().collect();
        self
    }

    /// Wait what the server's `Retry-After` says (instead of the backoff) when it sent one.
    /// Default: `true`.
    pub fn respect_retry_after(mut self, respect: bool) -> Self {
        self.respect_retry_after = respect;
        self
    }

    /// The longest `Retry-After` honoured; a longer one is cut to this.
    /// Default: [`DEFAULT_MAX_RETRY_AFTER`] (10 min).
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Retry transient transport failures (for allowed methods): connection failures
    /// ([`PixivError::Connect`], which includes a connection closed before the answer's head),
    /// timeouts in the connect, headers and body-idle phases, and bodies cut short
    /// ([`PixivError::Truncated`]) while the stack still held them. Default: `true`.
    ///
    /// Even a connection failure is retried only for allowed methods: `Connect` also covers a
    /// connection reset after the request went out, when the server may have acted on it.
    pub fn retry_transport_errors(mut self, retry: bool) -> Self {
        self.transport_errors = retry;
        self
    }

    /// The retries allowed after the first attempt.
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether the method may be retried at all.
    pub fn allows_method(&self, method: &Method) -> bool {
        self.methods.contains(method)
    }

    /// *Is this transient?* Whether `error` is one this policy retries, whatever the method:
    ///
    /// - [`PixivError::RateLimited`]: if 429 is in the status list;
    /// - [`PixivError::Http`]: if its status is in the status list;
    /// - transport failures that [`PixivError::is_retryable`] calls transient (`Connect`,
    ///   `Timeout` except `Total`, `Truncated`): if
    ///   [`retry_transport_errors`](Self::retry_transport_errors);
    /// - nothing else (auth failures, Cloudflare challenges, TLS, decode errors, ...).
    pub fn is_transient(&self, error: &PixivError) -> bool {
        match error {
            PixivError::RateLimited { .. } => {
                self.statuses.contains(&StatusCode::TOO_MANY_REQUESTS)
            }
            PixivError::Http { status, .. } => self.statuses.contains(status),
            PixivError::Connect { .. }
            | PixivError::Timeout { .. }
            | PixivError::Truncated { .. } => self.transport_errors && error.is_retryable(),
            _ => false,
        }
    }

    /// Whether a request with `method` that ended in `error` should be tried again (not
    /// counting the retry budget, which the layer keeps).
    pub fn should_retry(&self, method: &Method, error: &PixivError) -> bool {
        self.allows_method(method) && self.is_transient(error)
    }

    /// *How long to wait?* before retry number `retry` (1 for the first retry) after `error`:
    /// the server's [`retry_after`](Self::retry_after) if it gave one (and the policy respects
    /// it), else [`backoff`](Self::backoff), jittered if enabled.
    pub fn delay(&self, retry: u32, error: &PixivError) -> Duration {
        if let Some(wait) = self.retry_after(error) {
            return wait;
        }
        let backoff = self.backoff(retry);
        match &self.jitter {
            None => backoff,
            Some(rng) => {
                let mut rng = rng.lock().unwrap_or_else(PoisonError::into_inner);
                full_jitter(backoff, &mut rng)
            }
        }
    }

    /// The backoff before retry number `retry` (1, 2, ...), without jitter:
    /// `factor * 2^(retry-1)`, capped at [`max_backoff`](Self::max_backoff); zero for 0.
    pub fn backoff(&self, retry: u32) -> Duration {
        if retry == 0 {
            return Duration::ZERO;
        }
        let mut wait = self.backoff_factor;
        for _ in 1..retry {
            if wait >= self.max_backoff || wait.is_zero() {
                break;
            }
            wait = wait.saturating_mul(2);
        }
        wait.min(self.max_backoff)
    }

    /// The wait the server asked for with `Retry-After`, as this policy reads it: `None` if it
    /// sent none or [`respect_retry_after`](Self::respect_retry_after) is off; capped at
    /// [`max_retry_after`](Self::max_retry_after).
    ///
    /// An HTTP-date is read relative to the answer's own `Date` header when it has one (both
    /// come from the server's clock, so a skewed local clock does not matter; 1 s resolution),
    /// else relative to the local clock. Without the headers (an error built by hand) the error's
    /// own [`PixivError::retry_after`] is used.
    pub fn retry_after(&self, error: &PixivError) -> Option<Duration> {
        if !self.respect_retry_after {
            return None;
        }
        let from_headers = error.details().and_then(|details| {
            let headers = details.headers();
            let value = headers.get(RETRY_AFTER)?;
            let now = headers
                .get(DATE)
                .and_then(|d| d.to_str().ok())
                .and_then(|d| httpdate::parse_http_date(d).ok())
                .unwrap_or_else(SystemTime::now);
            retry_after::parse_with_cap(value, now, self.max_retry_after)
        });
        from_headers.or_else(|| error.retry_after().map(|w| w.min(self.max_retry_after)))
    }
}

/// A uniform draw from `[0, max]` (AWS's "full jitter").
fn full_jitter(max: Duration, rng: &mut fastrand::Rng) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.u64(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};
    use pixiv_errors::{ResponseDetails, TimeoutPhase};
    use proptest::prelude::*;

    const SEC: Duration = Duration::from_secs(1);

    fn http(status: u16) -> PixivError {
        PixivError::http(StatusCode::from_u16(status).unwrap(), "x")
    }

    #[test]
    fn seed_backoff_is_1_2_4_then_capped() {
        let p = RetryPolicy::new();
        assert_eq!(p.backoff(0), Duration::ZERO);
        assert_eq!(p.backoff(1), SEC);
        assert_eq!(p.backoff(2), 2 * SEC);
        assert_eq!(p.backoff(3), 4 * SEC);
        assert_eq!(p.backoff(8), 120 * SEC);
        assert_eq!(p.backoff(u32::MAX), 120 * SEC);
        let half = RetryPolicy::new().backoff_factor(Duration::from_millis(500));
        assert_eq!(half.backoff(1), Duration::from_millis(500));
        assert_eq!(half.backoff(4), 4 * SEC);
    }

    #[test]
    fn seed_statuses_and_methods() {
        let p = RetryPolicy::new();
        for s in [500, 502, 503, 504] {
            assert!(p.should_retry(&Method::GET, &http(s)), "{s}");
        }
        for s in [400, 403, 404, 501, 505] {
            assert!(!p.should_retry(&Method::GET, &http(s)), "{s}");
        }
        let limited = PixivError::rate_limited(StatusCode::FORBIDDEN, None);
        assert!(p.should_retry(&Method::GET, &limited));
        assert!(
            !p.clone()
                .statuses([StatusCode::SERVICE_UNAVAILABLE])
                .should_retry(&Method::GET, &limited)
        );
        assert!(p.should_retry(&Method::POST, &http(503)));
        assert!(p.should_retry(&Method::DELETE, &http(503)));
        assert!(!p.should_retry(&Method::PUT, &http(503)));
        assert!(!p.should_retry(&Method::HEAD, &http(503)));
    }

    #[test]
    fn transport_errors_by_phase() {
        let p = RetryPolicy::new();
        let yes = [
            PixivError::connect(std::io::Error::other("reset")),
            PixivError::timeout(TimeoutPhase::Connect),
            PixivError::timeout(TimeoutPhase::Headers),
            PixivError::timeout(TimeoutPhase::BodyIdle),
            PixivError::truncated(Some(10), 5),
        ];
        for e in &yes {
            assert!(p.should_retry(&Method::GET, e), "{e:?}");
            assert!(
                !p.clone()
                    .retry_transport_errors(false)
                    .should_retry(&Method::GET, e)
            );
        }
        let no = [
            PixivError::timeout(TimeoutPhase::Total),
            PixivError::tls(std::io::Error::other("bad cert")),
            PixivError::cloudflare(StatusCode::SERVICE_UNAVAILABLE, None),
            PixivError::auth(
                Some(StatusCode::BAD_REQUEST),
                pixiv_errors::AuthErrorKind::InvalidAccessToken,
                "x",
            ),
            PixivError::decode("x", b""),
        ];
        for e in &no {
            assert!(!p.should_retry(&Method::GET, e), "{e:?}");
        }
    }

    fn with_headers(pairs: &[(&str, &str)]) -> PixivError {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        http(503).with_details(ResponseDetails::from_response(&h, b""))
    }

    #[test]
    fn retry_after_seconds_date_and_cap() {
        let p = RetryPolicy::new();
        assert_eq!(p.delay(1, &with_headers(&[("retry-after", "7")])), 7 * SEC);
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let e = with_headers(&[
            ("date", &httpdate::fmt_http_date(date)),
            (
                "retry-after",
                &httpdate::fmt_http_date(date + Duration::from_secs(42)),
            ),
        ]);
        // Relative to the answer's Date, not the local clock (which is years away).
        assert_eq!(p.delay(1, &e), 42 * SEC);
        let capped = p.clone().max_retry_after(5 * SEC);
        assert_eq!(capped.delay(1, &e), 5 * SEC);
        assert_eq!(
            p.clone().respect_retry_after(false).delay(2, &e),
            2 * SEC,
            "backoff when Retry-After is ignored"
        );
        // No headers: the error's own value, capped.
        let bare = PixivError::rate_limited(StatusCode::TOO_MANY_REQUESTS, Some(900 * SEC));
        assert_eq!(p.delay(1, &bare), DEFAULT_MAX_RETRY_AFTER);
        // Garbage: backoff.
        assert_eq!(
            p.delay(3, &with_headers(&[("retry-after", "soon")])),
            4 * SEC
        );
    }

    #[test]
    fn seeded_jitter_is_reproducible() {
        let draws = |seed| {
            let p = RetryPolicy::new().jitter_seed(seed);
            (1..=5).map(|n| p.delay(n, &http(503))).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
    }

    #[test]
    fn jitter_keeps_the_other_settings_and_draws_below_the_backoff() {
        let p = RetryPolicy::new().max_retries(7).jitter(true);
        assert_eq!(p.get_max_retries(), 7);
        // 4 s backoff, 64 draws from [0, 4 s]: all exactly 4 s would mean no jitter at all.
        let draws: Vec<_> = (0..64).map(|_| p.delay(3, &http(503))).collect();
        assert!(draws.iter().all(|d| *d <= 4 * SEC));
        assert!(draws.iter().any(|d| *d < 4 * SEC), "{draws:?}");
        let off = RetryPolicy::new().jitter(true).jitter(false);
        assert_eq!(off.delay(3, &http(503)), 4 * SEC);
    }

    #[test]
    fn debug_shows_every_setting() {
        let shown = format!("{:?}", RetryPolicy::new().max_retries(7).jitter(true));
        for part in [
            "RetryPolicy",
            "max_retries: 7",
            "backoff_factor: 1s",
            "jitter: true",
            "respect_retry_after: true",
            "transport_errors: true",
        ] {
            assert!(shown.contains(part), "{shown}");
        }
    }

    proptest! {
        #[test]
        fn waits_never_exceed_the_cap(
            factor_ms in 0u64..100_000,
            cap_ms in 0u64..1_000_000,
            retry in 0u32..200,
            seed in any::<u64>(),
        ) {
            let cap = Duration::from_millis(cap_ms);
            let p = RetryPolicy::new()
                .backoff_factor(Duration::from_millis(factor_ms))
                .max_backoff(cap);
            prop_assert!(p.backoff(retry) <= cap);
            let j = p.clone().jitter_seed(seed);
            let d = j.delay(retry, &http(503));
            prop_assert!(d <= p.backoff(retry));
            prop_assert!(d <= cap);
        }

        #[test]
        fn backoff_is_monotone_without_jitter(
            factor_ms in 0u64..100_000,
            cap_ms in 0u64..1_000_000,
            retry in 0u32..200,
        ) {
            let p = RetryPolicy::new()
                .backoff_factor(Duration::from_millis(factor_ms))
                .max_backoff(Duration::from_millis(cap_ms));
            prop_assert!(p.backoff(retry) <= p.backoff(retry + 1));
            prop_assert_eq!(p.delay(retry, &http(503)), p.backoff(retry));
        }

        #[test]
        fn backoff_doubles_until_the_cap(factor_ms in 1u64..10_000, retry in 1u32..20) {
            let p = RetryPolicy::new()
                .backoff_factor(Duration::from_millis(factor_ms))
                .max_backoff(Duration::MAX);
            let want = Duration::from_millis(factor_ms) * 2u32.pow(retry - 1);
            prop_assert_eq!(p.backoff(retry), want);
        }
    }
}
