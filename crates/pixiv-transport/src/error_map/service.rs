use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pixiv_errors::PixivError;
use tower_layer::Layer as _;
use tower_service::Service;

use super::layer::Limits;
use super::{BoxError, ErrorMapLayer, ResponseFuture, map_transport_error};
use crate::Body;

/// Maps a raw client's errors and error answers to [`PixivError`]. See the [module docs](super).
#[derive(Debug, Clone)]
pub struct ErrorMap<S> {
    pub(crate) inner: S,
    pub(crate) limits: Limits,
}

impl<S> ErrorMap<S> {
    /// Wraps `inner` with the default caps.
    pub fn new(inner: S) -> Self {
        ErrorMapLayer::new().layer(inner)
    }
}

inner_accessors!(ErrorMap);

/// Generic over the request body and the raw response body; answers come out as the stack's
/// [`Body`] (a JSON answer is buffered, see the [module docs](super)).
impl<S, ReqB, B> Service<Request<ReqB>> for ErrorMap<S>
where
    S: Service<Request<ReqB>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = ResponseFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner
            .poll_ready(cx)
            .map_err(|e| map_transport_error(e.into()))
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        ResponseFuture::new(self.inner.call(req), self.limits)
    }
}
