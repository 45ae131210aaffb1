//! When to try a failed call again, and how long to wait first.
//!
//! [`RetryLayer`] wraps a service whose errors are [`PixivError`]s. Error answers arrive as `Err`
//! (the error-mapping layer below has classified them), so the layer decides on errors only;
//! successful responses pass through, marked with a [`RetryInfo`] extension saying how many
//! retries it took.
//!
//! The layer is tower's own [`tower::retry::Retry`] driven by [`Attempts`], a
//! [`tower::retry::Policy`] (as reqwest's and octocrab's retries are): tower keeps the
//! call/wait/call-again state machine, the policy decides and times each retry.
//!
//! [`RetryPolicy`] answers two separate questions, and both see the error, so the timing can
//! honour the server's `Retry-After` (which `reqwest-retry`'s timing cannot):
//! *is this transient?* ([`RetryPolicy::should_retry`]) and *how long to wait?*
//! ([`RetryPolicy::delay`]). Its defaults are PixivPy's urllib3 `Retry(total=3,
//! backoff_factor=1, status_forcelist=[429, 500, 502, 503, 504], allowed_methods=["GET", "POST",
//! "DELETE"])`: up to 3 retries, waiting 1, 2, 4 s (see [`DEFAULT_BACKOFF_FACTOR`] for how that
//! differs from urllib3's 0, 2, 4 s), or the `Retry-After` the server sent (capped).
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::time::Duration;
//! use http::{Request, Response, StatusCode};
//! use pixiv_transport::retry::{RetryInfo, RetryLayer, RetryPolicy};
//! use pixiv_transport::{Body, PixivError, RequestBody};
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! // A stand-in for the stack below: 503 twice, then 200.
//! let calls = Arc::new(AtomicU32::new(0));
//! let counter = Arc::clone(&calls);
//! let flaky = tower::service_fn(move |_req: Request<RequestBody>| {
//!     let n = counter.fetch_add(1, Ordering::SeqCst);
//!     async move {
//!         if n < 2 {
//!             Err(PixivError::http(StatusCode::SERVICE_UNAVAILABLE, "busy"))
//!         } else {
//!             Ok(Response::new(pixiv_transport::body::empty()))
//!         }
//!     }
//! });
//!
//! let svc = ServiceBuilder::new()
//!     .layer(RetryLayer::new(RetryPolicy::new()).on_retry(|e| {
//!         println!("retry {} in {:?} after {}", e.retry, e.wait, e.error);
//!     }))
//!     .service(flaky);
//! let start = tokio::time::Instant::now();
//! let resp: Response<Body> = svc
//!     .oneshot(Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!         .body(RequestBody::default())
//!         .unwrap())
//!     .await
//!     .unwrap();
//! assert_eq!(resp.extensions().get::<RetryInfo>().unwrap().retries, 2);
//! assert_eq!(start.elapsed(), Duration::from_secs(1 + 2)); // PixivPy's backoff
//! # }
//! ```
//!
//! # What can be retried
//!
//! - Only replayable requests: the layer clones the request before each attempt, so the body
//!   type must be `Clone`. The stack's [`RequestBody`](crate::RequestBody) (`Full<Bytes>`)
//!   always is (a clone is the parts plus a reference-counted `Bytes`), so every request through
//!   [`Transport`](crate::Transport) is replayable; a streaming body does not compile with this
//!   layer rather than being silently retried without its bytes.
//! - Only failures that happen *inside* the call. Once the response head has been handed to the
//!   caller, a failure while the caller reads the body cannot be retried here: JSON answers are
//!   buffered below (by the error-mapping layer), so a cut JSON body is an `Err` of the call and
//!   is retried; a download streams, and the downloader resumes it with a Range request instead.
//!
//! # Where to place it
//!
//! Above the rate limiter (`Retry -> RateLimit -> Timeout -> ...`), so each attempt takes a
//! rate-limit slot and a retry after a "Rate Limit" answer waits out the limiter's pause; below
//! the auth layer, which replays a request once after refreshing its token.
//!
//! The layer and its policy ([`RetryLayer`], [`Attempts`]) are this file; [`RetryPolicy`] (which
//! failures are worth another attempt, and the waits between them, with their tests) is
//! `policy.rs`, big enough to stand alone.
//!
//! [`PixivError`]: pixiv_errors::PixivError

mod policy;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response, Uri};
use pixiv_errors::PixivError;
use tokio::time::Sleep;
use tower_layer::Layer;

pub use policy::{
    DEFAULT_BACKOFF_FACTOR, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_RETRY_METHODS, DEFAULT_RETRY_STATUSES, RetryPolicy,
};

/// Retries failed calls of the inner service: tower's [`Retry`](tower::retry::Retry) driving an
/// [`Attempts`] policy. Built by [`RetryLayer`]. See the [module docs](self).
pub type Retry<S> = tower::retry::Retry<Attempts, S>;

/// The future of [`Retry`]: tower's, one attempt at a time with a tokio timer between them.
pub type ResponseFuture<S, B> = tower::retry::future::ResponseFuture<Attempts, S, http::Request<B>>;

/// Put into the extensions of every successful response that went through a [`Retry`]: how many
/// retries it took (0 when the first attempt succeeded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryInfo {
    /// Attempts beyond the first.
    pub retries: u32,
}

/// One retry about to happen, as told to [`RetryLayer::on_retry`].
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryEvent<'a> {
    /// Which retry this is: 1 for the second attempt.
    pub retry: u32,
    /// The wait before it.
    pub wait: Duration,
    /// The error the previous attempt ended with.
    pub error: &'a PixivError,
    /// The request's method.
    pub method: &'a Method,
    /// The request's URI (may carry a query: redact before logging it).
    pub uri: &'a Uri,
}

/// A callback told about every retry before its wait (for metrics).
pub(crate) type RetryHook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// The hook of [`TransportBuilder::on_retry`](crate::TransportBuilder::on_retry), kept in the
/// transport's settings.
#[derive(Clone)]
pub(crate) struct OnRetry(pub(crate) RetryHook);

impl fmt::Debug for OnRetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnRetry(..)")
    }
}

/// Retries failed calls of the inner service under a [`RetryPolicy`]: builds a
/// [`tower::retry::Retry`] with an [`Attempts`] policy. See the [module docs](super) for an
/// example.
#[derive(Clone)]
#[must_use]
pub struct RetryLayer {
    policy: Arc<RetryPolicy>,
    on_retry: Option<RetryHook>,
}

impl RetryLayer {
    /// Retries under `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
            on_retry: None,
        }
    }

    /// Calls `hook` for every retry, before its wait, with the retry number, the wait and the
    /// error that caused it. Default: none.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

impl Default for RetryLayer {
    /// The default policy ([`RetryPolicy::new`]; docs/protocol.md, client defaults).
    fn default() -> Self {
        Self::new(RetryPolicy::new())
    }
}

impl fmt::Debug for RetryLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryLayer")
            .field("policy", &self.policy)
            .field("on_retry", &self.on_retry.is_some())
            .finish()
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;

    fn layer(&self, inner: S) -> Self::Service {
        let attempts = Attempts {
            policy: Arc::clone(&self.policy),
            on_retry: self.on_retry.clone(),
            retries: 0,
        };
        tower::retry::Retry::new(attempts, inner)
    }
}

/// The [`tower::retry::Policy`] of a [`Retry`]: the [`RetryPolicy`], the `on_retry` hook and
/// the retries made so far. tower's `Retry` clones it for each call, so the count is per call.
#[derive(Clone)]
pub struct Attempts {
    policy: Arc<RetryPolicy>,
    on_retry: Option<RetryHook>,
    retries: u32,
}

impl Attempts {
    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The retries made so far in this call.
    pub fn retries(&self) -> u32 {
        self.retries
    }
}

impl fmt::Debug for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempts")
            .field("policy", &self.policy)
            .field("on_retry", &self.on_retry.is_some())
            .field("retries", &self.retries)
            .finish()
    }
}

/// The request body must be `Clone` so every attempt sends the same bytes: the stack's
/// [`RequestBody`](crate::RequestBody) (`Full<Bytes>`) is, cheaply. A streaming body cannot be
/// retried by this layer, and does not compile with it.
impl<B, RB> tower::retry::Policy<Request<B>, Response<RB>, PixivError> for Attempts
where
    B: Clone,
{
    type Future = Sleep;

    fn retry(
        &mut self,
        request: &mut Request<B>,
        result: &mut Result<Response<RB>, PixivError>,
    ) -> Option<Sleep> {
        let error = match result {
            Ok(response) => {
                response.extensions_mut().insert(RetryInfo {
                    retries: self.retries,
                });
                return None;
            }
            Err(error) => error,
        };
        if self.retries >= self.policy.get_max_retries()
            || !self.policy.should_retry(request.method(), error)
        {
            if self.retries > 0 {
                tracing::debug!(retries = self.retries, %error, "giving up");
            }
            return None;
        }
        self.retries += 1;
        let wait = self.policy.delay(self.retries, error);
        tracing::debug!(
            retry = self.retries,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            method = %request.method(),
            %error,
            "retrying"
        );
        if let Some(hook) = &self.on_retry {
            hook(&RetryEvent {
                retry: self.retries,
                wait,
                error,
                method: request.method(),
                uri: request.uri(),
            });
        }
        // On tokio's clock, so paused-time tests see the backoff; tokio caps a far deadline.
        Some(tokio::time::sleep(wait))
    }

    fn clone_request(&mut self, request: &Request<B>) -> Option<Request<B>> {
        // A copy is kept even for the last attempt (or a method never retried): `retry` then
        // sees the answer and marks it with its `RetryInfo`. A copy is the parts plus a
        // reference-counted body.
        Some(request.clone())
    }
}
