//! Per-request tracing and counting: a span per call, attempts numbered inside it.
//!
//! [`RequestLayer`] (outermost) opens a `pixiv.request` span with `method`, `host`, `path` (never
//! the query: OAuth codes and tokens travel there), `route` (`"direct"`, or `"bypass"` for the
//! alternate route of the `bypass` feature; recorded again if a request falls back), and on
//! completion records `status`, `attempts` and `elapsed_ms`, logs one event (`debug` on success,
//! `warn` on error), and updates [`Metrics`]. [`AttemptLayer`] sits below the retry layer: it
//! numbers each attempt, records it in the span (`attempt`) and counts it. Sensitive headers are
//! never logged here: the span has no header fields at all, and tower-http's
//! `SetSensitiveRequestHeaders` marks `Authorization`, `Cookie` and `Proxy-Authorization` for any
//! layer that might.
//!
//! Hand-written rather than tower-http's `TraceLayer`, whose default spans carry the whole URI
//! (query included) and which knows nothing of retries, routes or [`Metrics`]; so the crate does
//! not enable tower-http's `trace` feature.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, ready};

use http::{Request, Response};
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Span;

use crate::metrics::Metrics;

/// The attempt counter a request carries in its extensions (retry clones share it).
#[derive(Debug, Clone, Default)]
struct Attempts(Arc<AtomicU32>);

/// Opens the request span and counts calls. See the [module docs](self).
#[derive(Debug, Clone)]
pub(crate) struct RequestLayer {
    pub(crate) metrics: Arc<Metrics>,
    /// The route every request takes (`"direct"`/`"bypass"`), recorded as the span's `route`;
    /// `None` when a layer below chooses per request and records it.
    pub(crate) route: Option<&'static str>,
}

impl<S> Layer<S> for RequestLayer {
    type Service = RequestSpan<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequestSpan {
            inner,
            metrics: Arc::clone(&self.metrics),
            route: self.route,
        }
    }
}

/// Service of [`RequestLayer`].
#[derive(Debug, Clone)]
pub(crate) struct RequestSpan<S> {
    inner: S,
    metrics: Arc<Metrics>,
    route: Option<&'static str>,
}

impl<S, B, RB> Service<Request<B>> for RequestSpan<S>
where
    S: Service<Request<B>, Response = Response<RB>, Error = PixivError>,
{
    type Response = Response<RB>;
    type Error = PixivError;
    type Future = RequestFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let span = tracing::debug_span!(
            "pixiv.request",
            method = %req.method(),
            host = req.uri().host().unwrap_or(""),
            path = req.uri().path(),
            route = self.route,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let attempts = Attempts::default();
        req.extensions_mut().insert(attempts.clone());
        self.metrics.request_started();
        let future = {
            let _entered = span.enter();
            self.inner.call(req)
        };
        RequestFuture {
            future,
            span,
            start: Instant::now(),
            attempts,
            metrics: Arc::clone(&self.metrics),
        }
    }
}

pin_project! {
    /// Response future of [`RequestSpan`].
    pub(crate) struct RequestFuture<F> {
        #[pin]
        future: F,
        span: Span,
        start: Instant,
        attempts: Attempts,
        metrics: Arc<Metrics>,
    }
}

impl<F, RB> Future for RequestFuture<F>
where
    F: Future<Output = Result<Response<RB>, PixivError>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let result = ready!(this.future.poll(cx));
        let elapsed = this.start.elapsed();
        let attempts = this.attempts.0.load(Ordering::Relaxed);
        // `attempt` is recorded by `AttemptCount` as each attempt starts.
        this.span.record("elapsed_ms", elapsed.as_millis() as u64);
        this.metrics.request_finished(result.is_ok());
        match &result {
            Ok(resp) => {
                this.span.record("status", resp.status().as_u16());
                tracing::debug!(
                    status = resp.status().as_u16(),
                    attempts,
                    ?elapsed,
                    "answered"
                );
            }
            Err(err) => {
                if let Some(status) = err.status() {
                    this.span.record("status", status.as_u16());
                }
                tracing::warn!(error = %err, attempts, ?elapsed, "failed");
            }
        }
        Poll::Ready(result)
    }
}

/// Numbers and counts attempts (placed below the retry layer). See the [module docs](self).
#[derive(Debug, Clone)]
pub(crate) struct AttemptLayer {
    pub(crate) metrics: Arc<Metrics>,
}

impl<S> Layer<S> for AttemptLayer {
    type Service = AttemptCount<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AttemptCount {
            inner,
            metrics: Arc::clone(&self.metrics),
        }
    }
}

/// Service of [`AttemptLayer`].
#[derive(Debug, Clone)]
pub(crate) struct AttemptCount<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B> Service<Request<B>> for AttemptCount<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        self.metrics.attempt();
        if let Some(attempts) = req.extensions().get::<Attempts>() {
            let n = attempts.0.fetch_add(1, Ordering::Relaxed) + 1;
            Span::current().record("attempt", n);
            if n > 1 {
                tracing::debug!(attempt = n, "sending again");
            }
        }
        self.inner.call(req)
    }
}
