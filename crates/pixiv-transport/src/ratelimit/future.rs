use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tower_service::Service;

use super::layer::WaitHook;
use super::{Permit, RateLimitLayer, RateLimiter};
use crate::wait::OnWait;

/// The slow path's wait: boxed because `RateLimiter::acquire` is an `async fn` (its future has no
/// name). Only calls that find no free slot allocate it; the fast path
/// ([`RateLimiter::try_acquire`]) does not.
type Acquire = Pin<Box<dyn Future<Output = Permit> + Send>>;

pin_project! {
    /// The future of [`RateLimit`](super::RateLimit): waits for a slot, then drives the inner
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
