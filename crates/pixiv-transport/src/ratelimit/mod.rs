//! How often requests may start: a shared sliding-window limiter, and a layer that applies it.
//!
//! [`RateLimiter`] is the core, with no HTTP types (like `twilight-http-ratelimiting`): a cheap
//! `Clone` handle to shared state allowing at most `max` starts in *any* window of length
//! `window`, FIFO among waiters, cancel-safe, and pausable. Use it on its own for anything:
//!
//! ```
//! use std::time::Duration;
//! use pixiv_transport::ratelimit::RateLimiter;
//! use tokio::time::Instant;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let limiter = RateLimiter::new(2, Duration::from_secs(10));
//! let t0 = Instant::now();
//! limiter.acquire().await;
//! limiter.acquire().await;
//! // The third start waits for the first to leave the window.
//! let permit = limiter.acquire().await;
//! assert_eq!(permit.started(), t0 + Duration::from_secs(10));
//! assert_eq!(limiter.in_window(), 1);
//! # }
//! ```
//!
//! [`RateLimitLayer`] takes a slot before every call of the inner service, and when the call
//! ends in [`PixivError::RateLimited`] (a 429, or Pixiv's "Rate Limit" body) pauses the *whole*
//! limiter — every task, every clone — for the answer's `Retry-After` or, since Pixiv sends none
//! (docs/protocol.md), for [`DEFAULT_RATE_LIMIT_COOLDOWN`]. The error is passed on unchanged.
//!
//! ```
//! use std::time::Duration;
//! use http::{Request, Response};
//! use pixiv_transport::ratelimit::{RateLimitLayer, RateLimiter};
//! use pixiv_transport::{Body, PixivError, RequestBody};
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let limiter = RateLimiter::new(100, Duration::from_secs(60)); // PixivPy's figures
//! let svc = ServiceBuilder::new()
//!     .layer(RateLimitLayer::new(limiter.clone()))
//!     .service(tower::service_fn(|_req: Request<RequestBody>| async {
//!         Err::<Response<Body>, _>(PixivError::rate_limited(http::StatusCode::FORBIDDEN, None))
//!     }));
//! let req = Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!     .body(RequestBody::default())
//!     .unwrap();
//! let err = svc.oneshot(req).await.unwrap_err();
//! assert!(matches!(err, PixivError::RateLimited { .. }));
//! // Everyone now waits out the cool-down.
//! assert!(limiter.paused_until().is_some());
//! # }
//! ```
//!
//! # Where to place it
//!
//! Below the retry layer (`Retry -> RateLimit -> Timeout -> ...`, as `Transport` does): then every
//! attempt, retries included, takes a slot, so retries cannot push the client over the limit, and
//! a retry after a "Rate Limit" answer waits for the pause. Placed above the retry layer it would
//! count one start per call however many attempts the call made.
//!
//! # Why not tower's `RateLimit`
//!
//! `tower::limit::RateLimit` keeps its budget in each service value: every clone (and so every
//! task of a cloned client) gets its own N per period, it counts fixed periods rather than a
//! sliding window, and nothing can pause it from the outside. Pixiv limits the account, so the
//! budget must be one for the whole process, shared by every clone, and a "Rate Limit" answer seen
//! by one task must hold back all of them.
//!
//! # Details
//!
//! - A start is counted when the slot is granted, inside the call's future: `poll_ready` reserves
//!   nothing, so a future dropped before it ran (or while it waited) takes no slot.
//! - The inner service is driven ready only after the slot is granted, so a waiting call holds no
//!   capacity below it (no pooled connection, no buffer slot).
//! - Fast path: a call that finds a free slot allocates nothing; one that must wait boxes the
//!   limiter's `acquire` future.
//!
//! [`PixivError::RateLimited`]: pixiv_errors::PixivError::RateLimited
//!
//! The layer, service and future are this file; the limiter itself (the sliding window, the
//! concurrency cap, the shared cool-down, and their tests) is `limiter.rs`, big enough to stand
//! alone.

mod limiter;

pub use limiter::{DEFAULT_MAX_STARTS, DEFAULT_WINDOW, Permit, RateLimiter};

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::Request;
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tower_layer::Layer;
use tower_service::Service;

use crate::wait::OnWait;

/// How long the whole limiter pauses after a "Rate Limit" answer that says nothing about when to
/// come back: 60 s.
///
/// Pixiv answers "Rate Limit" with no `Retry-After` (docs/protocol.md: "Pixiv publishes no limit and
/// sends no Retry-After as far as anyone has seen"). One minute is PixivPy's window
/// (`RateLimiter(calls=100, period=60)`): after it, the window that got us limited has fully
/// passed.
pub const DEFAULT_RATE_LIMIT_COOLDOWN: Duration = Duration::from_secs(60);

/// A callback told how long a call waited for the limiter (only when it did wait).
pub(crate) type WaitHook = Arc<dyn Fn(Duration) + Send + Sync>;

/// Applies a shared [`RateLimiter`] to every call of the inner service. See the
/// [module docs](self) for an example and for where to place it.
#[derive(Clone)]
#[must_use]
pub struct RateLimitLayer {
    pub(crate) limiter: RateLimiter,
    pub(crate) cooldown: Duration,
    pub(crate) on_wait: Option<WaitHook>,
    pub(crate) announce: Option<OnWait>,
}

impl RateLimitLayer {
    /// Limits calls with `limiter` (a clone shares its state; keep one to watch or pause it).
    ///
    /// The cool-down after a "Rate Limit" answer without `Retry-After` is
    /// [`DEFAULT_RATE_LIMIT_COOLDOWN`] (60 s).
    pub fn new(limiter: RateLimiter) -> Self {
        Self {
            limiter,
            cooldown: DEFAULT_RATE_LIMIT_COOLDOWN,
            on_wait: None,
            announce: None,
        }
    }

    /// How long the whole limiter pauses after a [`PixivError::RateLimited`] answer that does
    /// not say how long to wait. Default: [`DEFAULT_RATE_LIMIT_COOLDOWN`] (60 s).
    ///
    /// [`PixivError::RateLimited`]: pixiv_errors::PixivError::RateLimited
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Calls `hook` with the time a call waited for the limiter, whenever it waited (for
    /// metrics). Default: none.
    pub fn on_wait(mut self, hook: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(Arc::new(hook));
        self
    }

    /// Tells `hook` of a wait for the limiter *before* it starts, when it will last at least
    /// [`MIN_ANNOUNCED_WAIT`](crate::wait::MIN_ANNOUNCED_WAIT): a pause after a "Rate Limit"
    /// answer ([`WaitReason::RateLimitPause`](crate::wait::WaitReason::RateLimitPause)) or a used-up
    /// budget ([`RateLimitBudget`](crate::wait::WaitReason::RateLimitBudget)). The length is what
    /// the limiter knows then; callers queued ahead may add to it. Default: none.
    pub fn announce_waits(mut self, hook: OnWait) -> Self {
        self.announce = Some(hook);
        self
    }

    /// The shared limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

impl Default for RateLimitLayer {
    /// PixivPy's limiter ([`RateLimiter::default`]) with the default cool-down.
    fn default() -> Self {
        Self::new(RateLimiter::default())
    }
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("limiter", &self.limiter)
            .field("cooldown", &self.cooldown)
            .field("on_wait", &self.on_wait.is_some())
            .field("announce", &self.announce.is_some())
            .finish()
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            layer: self.clone(),
        }
    }
}

/// Takes a start slot from a shared [`RateLimiter`] before each call of the inner service. See
/// the [module docs](self).
#[derive(Clone)]
pub struct RateLimit<S> {
    pub(crate) inner: S,
    pub(crate) layer: RateLimitLayer,
}

impl<S> RateLimit<S> {
    /// Wraps `inner` with `limiter` and the default cool-down.
    pub fn new(inner: S, limiter: RateLimiter) -> Self {
        Self {
            inner,
            layer: RateLimitLayer::new(limiter),
        }
    }

    /// The shared limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.layer.limiter
    }
}

inner_accessors!(RateLimit);

impl<S: fmt::Debug> fmt::Debug for RateLimit<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("inner", &self.inner)
            .field("layer", &self.layer)
            .finish()
    }
}

impl<S, B, R> Service<Request<B>> for RateLimit<S>
where
    S: Service<Request<B>, Response = R, Error = PixivError> + Clone,
{
    type Response = R;
    type Error = PixivError;
    type Future = ResponseFuture<S, Request<B>>;

    /// Always ready: the slot is taken inside the call's future, so a future dropped before it
    /// ran takes nothing, and the inner service is driven ready only once the slot is granted
    /// (a waiting call holds no capacity of the inner service).
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        ResponseFuture::new(self.inner.clone(), req, &self.layer)
    }
}

/// The slow path's wait: boxed because `RateLimiter::acquire` is an `async fn` (its future has no
/// name). Only calls that find no free slot allocate it; the fast path
/// ([`RateLimiter::try_acquire`]) does not.
type Acquire = Pin<Box<dyn Future<Output = Permit> + Send>>;

pin_project! {
    /// The future of [`RateLimit`]: waits for a slot, then drives the inner
    /// service ready and calls it; pauses the limiter if the answer is
    /// [`PixivError::RateLimited`].
    pub struct ResponseFuture<S, Req>
    where
        S: Service<Req>,
    {
        #[pin]
        state: State<S::Future>,
        inner: S,
        request: Option<Req>,
        limiter: RateLimiter,
        cooldown: Duration,
        on_wait: Option<WaitHook>,
        announce: Option<OnWait>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // Not polled yet: nothing taken.
        Start,
        // Queued or sleeping for a slot.
        Acquiring { acquire: Acquire },
        // Slot taken: driving the inner service ready.
        Ready,
        // The inner call.
        Calling { #[pin] future: F },
    }
}

impl<S, Req> ResponseFuture<S, Req>
where
    S: Service<Req>,
{
    pub(crate) fn new(inner: S, request: Req, layer: &RateLimitLayer) -> Self {
        Self {
            state: State::Start,
            inner,
            request: Some(request),
            limiter: layer.limiter.clone(),
            cooldown: layer.cooldown,
            on_wait: layer.on_wait.clone(),
            announce: layer.announce.clone(),
        }
    }
}

impl<S, Req, R> Future for ResponseFuture<S, Req>
where
    S: Service<Req, Response = R, Error = PixivError>,
{
    type Output = Result<R, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Start => {
                    if this.limiter.try_acquire().is_some() {
                        this.state.set(State::Ready);
                    } else {
                        if let Some(hook) = this.announce.as_ref() {
                            if let Some((wait, reason)) = this.limiter.expected_wait() {
                                hook.announce(wait, reason);
                            }
                        }
                        let limiter = this.limiter.clone();
                        let acquire: Acquire = Box::pin(async move { limiter.acquire().await });
                        this.state.set(State::Acquiring { acquire });
                    }
                }
                StateProj::Acquiring { acquire } => {
                    let permit = ready!(acquire.as_mut().poll(cx));
                    if let Some(hook) = this.on_wait.as_ref() {
                        if !permit.waited().is_zero() {
                            hook(permit.waited());
                        }
                    }
                    this.state.set(State::Ready);
                }
                StateProj::Ready => {
                    ready!(this.inner.poll_ready(cx))?;
                    let Some(request) = this.request.take() else {
                        return Poll::Ready(Err(PixivError::invalid_input(
                            "rate-limit future",
                            "polled after it completed",
                        )));
                    };
                    let future = this.inner.call(request);
                    this.state.set(State::Calling { future });
                }
                StateProj::Calling { future } => {
                    let result = ready!(future.poll(cx));
                    if let Err(err @ PixivError::RateLimited { .. }) = &result {
                        let pause = err.retry_after().unwrap_or(*this.cooldown);
                        tracing::warn!(
                            pause_ms = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX),
                            "rate limited by the server: pausing every request"
                        );
                        this.limiter.pause_for(pause);
                    }
                    return Poll::Ready(result);
                }
            }
        }
    }
}
