//! [`Timeout`]: the service.

use std::task::{Context, Poll};

use http::{Request, Response};
use pixiv_errors::PixivError;
use tokio::time::Instant;
use tower_service::Service;

use super::future::ResponseFuture;
use super::layer::{Settings, TimeoutOverride};
use crate::{Body, RequestBody};

/// Fails an attempt whose headers, body or whole exchange take too long. See the
/// [module docs](super).
#[derive(Debug, Clone)]
pub struct Timeout<S> {
    inner: S,
    settings: Settings,
}

impl<S> Timeout<S> {
    pub(crate) fn new(inner: S, settings: Settings) -> Self {
        Self { inner, settings }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, consuming this one.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S> Service<Request<RequestBody>> for Timeout<S>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError>,
{
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<RequestBody>) -> Self::Future {
        let settings = match req.extensions().get::<TimeoutOverride>() {
            Some(o) => o.apply(self.settings),
            None => self.settings,
        };
        let now = Instant::now();
        ResponseFuture::new(self.inner.call(req), now, settings)
    }
}
