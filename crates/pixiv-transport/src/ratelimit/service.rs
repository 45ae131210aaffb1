use std::fmt;
use std::task::{Context, Poll};

use http::Request;
use pixiv_errors::PixivError;
use tower_service::Service;

use super::{RateLimitLayer, RateLimiter, ResponseFuture};

/// Takes a start slot from a shared [`RateLimiter`] before each call of the inner service. See
/// the [module docs](super).
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
