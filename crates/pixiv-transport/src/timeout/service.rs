//! [`Timeout`]: the service.

use std::task::{Context, Poll};

use http::{Request, Response};
use pixiv_errors::PixivError;
use tokio::time::Instant;
use tower_service::Service;

use super::future::ResponseFuture;
use super::layer::{Settings, TimeoutOverride};
use crate::Body;
use crate::connect::progress::ConnectProgress;

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
}

inner_accessors!(Timeout);

/// Generic over the request body; the response body is the stack's [`Body`], since the layer
/// boxes the inner one into a [`TimeoutBody`](super::TimeoutBody)-guarded [`Body`].
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

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use tower_layer::Layer as _;

    use super::*;
    use crate::RequestBody;
    use crate::timeout::TimeoutLayer;

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
}
