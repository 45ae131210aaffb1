use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use http::Response;
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;

use crate::Body;

pin_project! {
    /// Response future of [`Auth`](super::Auth).
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        // No token involved (another host, or the request brought its own Authorization): the
        // inner future itself, no allocation.
        Direct { #[pin] future: F },
        // Boxed on purpose: this path awaits the TokenSource (whose futures are boxed anyway),
        // calls, and may refresh and replay; as one async fn it reads top to bottom, and the one
        // allocation is small next to the TokenSource's.
        WithToken { future: BoxFuture<'static, Result<Response<Body>, PixivError>> },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn direct(future: F) -> Self {
        Self {
            kind: Kind::Direct { future },
        }
    }

    pub(crate) fn with_token(
        future: BoxFuture<'static, Result<Response<Body>, PixivError>>,
    ) -> Self {
        Self {
            kind: Kind::WithToken { future },
        }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<Body>, PixivError>>,
{
    type Output = Result<Response<Body>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Direct { future } => future.poll(cx),
            KindProj::WithToken { future } => future.as_mut().poll(cx),
        }
    }
}
