//! Per-attempt timeouts: time to response headers, body idle, and an optional total deadline.
//!
//! The layer, service and future are this file; the response body wrapper ([`TimeoutBody`], with
//! its idle and total clocks and their tests) is `body.rs`, the one part big enough to stand alone.
//!
//! - **headers**: from the call until the response head arrives (connecting included; the TCP
//!   connect timeout itself lives in the connector: `ConnectConfig::connect_timeout`).
//! - **body idle**: the longest wait for the next body frame. The clock runs only while the
//!   reader waits, so a slow consumer (a disk, a progress bar) is never blamed on the server, and
//!   a download of any size is fine as long as bytes keep coming. (tower-http's
//!   `ResponseBodyTimeout` is different: one deadline for the whole body, so it would cut a
//!   large download that is still flowing.)
//! - **total** (off by default): one deadline over headers and body, for JSON calls that must
//!   finish in bounded time. A download opts out per request with the [`TimeoutOverride`]
//!   request extension.
//!
//! Each surfaces as `PixivError::Timeout { phase }` (`Headers`, `BodyIdle`, `Total`). Defaults are
//! PixivPy's single `timeout=10`: [`DEFAULT_HEADERS_TIMEOUT`], [`DEFAULT_BODY_IDLE_TIMEOUT`].
//!
//! ```
//! # async fn run<S>(inner: S) where
//! #   S: tower::Service<http::Request<pixiv_transport::RequestBody>,
//! #       Response = http::Response<pixiv_transport::Body>, Error = pixiv_transport::PixivError> {
//! use std::time::Duration;
//! use pixiv_transport::timeout::{TimeoutLayer, TimeoutOverride};
//! use tower::{Layer, ServiceExt};
//!
//! let svc = TimeoutLayer::new()
//!     .total(Some(Duration::from_secs(30)))
//!     .layer(inner);
//! // A download: no total deadline, only headers and body idle.
//! let mut req = http::Request::get("https://i.pximg.net/img-original/img/1_p0.png")
//!     .body(pixiv_transport::RequestBody::default())
//!     .unwrap();
//! req.extensions_mut().insert(TimeoutOverride::new().total(None));
//! let _resp = svc.oneshot(req).await;
//! # }
//! ```

mod body;

pub use body::TimeoutBody;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use pin_project_lite::pin_project;
use pixiv_errors::{PixivError, TimeoutPhase};
use tokio::time::{Instant, Sleep, sleep_until};
use tower_layer::Layer;
use tower_service::Service;

use crate::Body;
use crate::connect::progress::ConnectProgress;
use crate::wait::deadline_after;

/// Time to response headers: PixivPy's `timeout=10` (requests' read timeout before the head).
pub const DEFAULT_HEADERS_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest silence inside a body: PixivPy's `timeout=10` (requests applies it per socket read).
pub const DEFAULT_BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of one attempt; `None` disables that timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) headers: Option<Duration>,
    pub(crate) body_idle: Option<Duration>,
    pub(crate) total: Option<Duration>,
}

/// Applies [`Timeout`]: headers, body idle, optional total deadline. See the
/// [module docs](self).
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct TimeoutLayer {
    settings: Settings,
}

impl Default for TimeoutLayer {
    fn default() -> Self {
        Self {
            settings: Settings {
                headers: Some(DEFAULT_HEADERS_TIMEOUT),
                body_idle: Some(DEFAULT_BODY_IDLE_TIMEOUT),
                total: None,
            },
        }
    }
}

impl TimeoutLayer {
    /// Headers 10 s, body idle 10 s, no total deadline.
    pub fn new() -> Self {
        Self::default()
    }

    /// Time to response headers. Default: [`DEFAULT_HEADERS_TIMEOUT`] (10 s).
    pub fn headers(mut self, timeout: Option<Duration>) -> Self {
        self.settings.headers = timeout;
        self
    }

    /// Longest wait for the next body frame. Default: [`DEFAULT_BODY_IDLE_TIMEOUT`] (10 s).
    pub fn body_idle(mut self, timeout: Option<Duration>) -> Self {
        self.settings.body_idle = timeout;
        self
    }

    /// Deadline for headers and body together. Default: `None`.
    pub fn total(mut self, timeout: Option<Duration>) -> Self {
        self.settings.total = timeout;
        self
    }

    /// The timeouts set, for the transport's checks at build time.
    pub(crate) fn settings(&self) -> Settings {
        self.settings
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;

    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout::new(inner, self.settings)
    }
}

/// A request extension that replaces some of the layer's timeouts for this request only.
///
/// ```
/// use std::time::Duration;
/// use pixiv_transport::timeout::TimeoutOverride;
/// // A large download: no total deadline, a longer idle timeout.
/// let o = TimeoutOverride::new().total(None).body_idle(Some(Duration::from_secs(30)));
/// # let _ = o;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct TimeoutOverride {
    headers: Option<Option<Duration>>,
    body_idle: Option<Option<Duration>>,
    total: Option<Option<Duration>>,
}

impl TimeoutOverride {
    /// Overrides nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// This request's time to headers (`None`: no limit).
    pub fn headers(mut self, timeout: Option<Duration>) -> Self {
        self.headers = Some(timeout);
        self
    }

    /// This request's body idle timeout (`None`: no limit).
    pub fn body_idle(mut self, timeout: Option<Duration>) -> Self {
        self.body_idle = Some(timeout);
        self
    }

    /// This request's total deadline (`None`: no deadline, for downloads).
    pub fn total(mut self, timeout: Option<Duration>) -> Self {
        self.total = Some(timeout);
        self
    }

    pub(crate) fn apply(&self, mut s: Settings) -> Settings {
        if let Some(h) = self.headers {
            s.headers = h;
        }
        if let Some(b) = self.body_idle {
            s.body_idle = b;
        }
        if let Some(t) = self.total {
            s.total = t;
        }
        s
    }
}

/// Fails an attempt whose headers, body or whole exchange take too long. See the
/// [module docs](self).
#[derive(Debug, Clone)]
pub struct Timeout<S> {
    inner: S,
    settings: Settings,
}

impl<S> Timeout<S> {
    pub(crate) fn new(inner: S, settings: Settings) -> Self {
        Self { inner, settings }
    }
}

inner_accessors!(Timeout);

/// Generic over the request body; the response body is the stack's [`Body`], since the layer
/// boxes the inner one into a [`TimeoutBody`]-guarded [`Body`].
impl<S, B> Service<Request<B>> for Timeout<S>
where
    S: Service<Request<B>, Response = Response<Body>, Error = PixivError>,
{
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let settings = match req.extensions().get::<TimeoutOverride>() {
            Some(o) => o.apply(self.settings),
            None => self.settings,
        };
        let now = Instant::now();
        // Lets the connector tell an elapsed headers timeout that it stopped in the TCP connect
        // or the TLS handshake (connect/progress.rs).
        let progress = ConnectProgress::default();
        let mut req = req;
        req.extensions_mut().insert(progress.clone());
        ResponseFuture::new(self.inner.call(req), now, settings).with_progress(progress)
    }
}

pin_project! {
    /// The response future of [`Timeout`](self::Timeout).
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        // The earlier of the headers and total deadlines, and which one it is.
        #[pin]
        sleep: Option<Sleep>,
        phase: TimeoutPhase,
        total_deadline: Option<Instant>,
        body_idle: Option<Duration>,
        progress: Option<ConnectProgress>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, now: Instant, s: Settings) -> Self {
        // Capped at `MAX_WAIT`: a timeout of `Duration::MAX` means "never", not a panic.
        let headers = s
            .headers
            .map(|d| (deadline_after(now, d), TimeoutPhase::Headers));
        let total_deadline = s.total.map(|d| deadline_after(now, d));
        let total = total_deadline.map(|t| (t, TimeoutPhase::Total));
        let first = match (headers, total) {
            (Some(h), Some(t)) => Some(if t.0 < h.0 { t } else { h }),
            (h, t) => h.or(t),
        };
        Self {
            inner,
            sleep: first.map(|(at, _)| sleep_until(at)),
            phase: first.map_or(TimeoutPhase::Headers, |(_, p)| p),
            total_deadline,
            body_idle: s.body_idle,
            progress: None,
        }
    }

    /// Reports an elapsed headers timeout in the connection phase `progress` was left in.
    pub(crate) fn with_progress(mut self, progress: ConnectProgress) -> Self {
        self.progress = Some(progress);
        self
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("phase", &self.phase)
            .field("total_deadline", &self.total_deadline)
            .field("body_idle", &self.body_idle)
            .finish_non_exhaustive()
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<Body>, PixivError>>,
{
    type Output = Result<Response<Body>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(res) = this.inner.poll(cx) {
            let total = *this.total_deadline;
            let idle = *this.body_idle;
            return Poll::Ready(res.map(|resp| {
                resp.map(|body| crate::body::boxed(TimeoutBody::new(body, idle, total)))
            }));
        }
        if let Some(sleep) = this.sleep.as_pin_mut() {
            if sleep.poll(cx).is_ready() {
                let phase = match (*this.phase, this.progress.as_ref()) {
                    (TimeoutPhase::Headers, Some(p)) => p.headers_timeout_phase(),
                    (phase, _) => phase,
                };
                return Poll::Ready(Err(PixivError::timeout(phase)));
            }
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RequestBody;
    use std::task::Waker;

    #[test]
    fn defaults_are_pixivpys_timeout() {
        let s = TimeoutLayer::new().settings;
        assert_eq!(s.headers, Some(Duration::from_secs(10)));
        assert_eq!(s.body_idle, Some(Duration::from_secs(10)));
        assert_eq!(s.total, None);
    }

    #[test]
    fn an_override_replaces_only_what_it_names() {
        let s = TimeoutLayer::new()
            .total(Some(Duration::from_secs(30)))
            .settings;
        let o = TimeoutOverride::new()
            .total(None)
            .headers(Some(Duration::from_secs(2)));
        let applied = o.apply(s);
        assert_eq!(applied.total, None);
        assert_eq!(applied.headers, Some(Duration::from_secs(2)));
        assert_eq!(applied.body_idle, s.body_idle);
        assert_eq!(TimeoutOverride::new().apply(s), s);
    }

    #[test]
    fn each_setter_sets_its_own_timeout() {
        let s = TimeoutLayer::new()
            .headers(Some(Duration::from_secs(1)))
            .body_idle(Some(Duration::from_secs(2)))
            .total(Some(Duration::from_secs(3)))
            .settings;
        assert_eq!(s.headers, Some(Duration::from_secs(1)));
        assert_eq!(s.body_idle, Some(Duration::from_secs(2)));
        assert_eq!(s.total, Some(Duration::from_secs(3)));
        let o = TimeoutOverride::new().body_idle(Some(Duration::from_secs(5)));
        let applied = o.apply(TimeoutLayer::new().settings);
        assert_eq!(applied.body_idle, Some(Duration::from_secs(5)));
        assert_eq!(applied.headers, Some(DEFAULT_HEADERS_TIMEOUT));
    }

    /// A service that is never ready: it reports an error (a closed pool, say) from `poll_ready`.
    struct Closed;

    impl Service<Request<RequestBody>> for Closed {
        type Response = Response<Body>;
        type Error = PixivError;
        type Future = std::future::Ready<Result<Response<Body>, PixivError>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), PixivError>> {
            Poll::Ready(Err(PixivError::connect(std::io::Error::other("closed"))))
        }

        fn call(&mut self, _: Request<RequestBody>) -> Self::Future {
            std::future::ready(Err(PixivError::connect(std::io::Error::other("closed"))))
        }
    }

    #[test]
    fn readiness_is_the_inner_services() {
        let mut timeout = TimeoutLayer::new().layer(Closed);
        let mut cx = Context::from_waker(Waker::noop());
        match timeout.poll_ready(&mut cx) {
            Poll::Ready(Err(e)) => assert!(matches!(e, PixivError::Connect { .. }), "{e:?}"),
            other => panic!("expected the inner error, got {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn debug_shows_the_phase_and_the_body_idle_timeout() {
        let settings = Settings {
            headers: Some(Duration::from_secs(10)),
            body_idle: Some(Duration::from_secs(7)),
            total: None,
        };
        let future = ResponseFuture::new(std::future::pending::<()>(), Instant::now(), settings);
        let shown = format!("{future:?}");
        for part in ["ResponseFuture", "phase: Headers", "body_idle: Some(7s)"] {
            assert!(shown.contains(part), "{shown}");
        }
    }
}
