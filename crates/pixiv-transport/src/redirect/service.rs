use std::task::{Context, Poll};

use http::{Request, Response};
use pixiv_errors::PixivError;
use tower_http::follow_redirect::FollowRedirect;
use tower_service::Service;

use super::{NoFollow, RedirectPolicy, ResponseFuture};
use crate::{Body, RequestBody};

/// Follows redirects (tower-http's `FollowRedirect` with [`RedirectPolicy`]) and turns a redirect
/// it could not follow into an error. See the [module docs](super).
#[derive(Debug, Clone)]
pub struct Redirect<S> {
    pub(crate) inner: FollowRedirect<S, RedirectPolicy>,
}

impl<S> Redirect<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        self.inner.get_ref()
    }
}

impl<S> Service<Request<RequestBody>> for Redirect<S>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError> + Clone,
{
    type Response = Response<Body>;
    type Error = PixivError;
    type Future =
        ResponseFuture<tower_http::follow_redirect::ResponseFuture<S, RequestBody, RedirectPolicy>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<RequestBody>) -> Self::Future {
        let no_follow = req.extensions().get::<NoFollow>().is_some();
        ResponseFuture {
            inner: self.inner.call(req),
            no_follow,
        }
    }
}
