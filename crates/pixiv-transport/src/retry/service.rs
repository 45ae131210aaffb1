use std::fmt;
use std::task::{Context, Poll};

use http::{Request, Response};
use pixiv_errors::PixivError;
use tower_service::Service;

use super::{ResponseFuture, RetryLayer, RetryPolicy};

/// Retries failed calls of the inner service. See the [module docs](super).
#[derive(Clone)]
pub struct Retry<S> {
    pub(crate) inner: S,
    pub(crate) layer: RetryLayer,
}

impl<S> Retry<S> {
    /// Wraps `inner` with `policy`.
    pub fn new(inner: S, policy: RetryPolicy) -> Self {
        Self {
            inner,
            layer: RetryLayer::new(policy),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.layer.policy
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: fmt::Debug> fmt::Debug for Retry<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retry")
            .field("inner", &self.inner)
            .field("layer", &self.layer)
            .finish()
    }
}

/// The request body must be `Clone` so every attempt sends the same bytes: the stack's
/// [`RequestBody`](crate::RequestBody) (`Full<Bytes>`) is, cheaply. A streaming body cannot be
/// retried by this layer, and does not compile with it.
impl<S, B, RB> Service<Request<B>> for Retry<S>
where
    S: Service<Request<B>, Response = Response<RB>, Error = PixivError> + Clone,
    B: Clone,
{
    type Response = Response<RB>;
    type Error = PixivError;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The ready service makes the first attempt; a fresh clone stays here for the next call
        // (tower's usual take-the-ready-one dance).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(inner, req, &self.layer)
    }
}
