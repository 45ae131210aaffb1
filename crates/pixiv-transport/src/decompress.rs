//! Decompression per request: JSON answers are inflated (tower-http's `Decompression`), a
//! request that asks for `Accept-Encoding: identity` (a download) is not.
//!
//! tower-http's layer inflates whatever the answer's `Content-Encoding` says, whatever the request
//! asked for, so a server can turn 1 MiB of gzip into 1 GiB of "image" (a decompression bomb).
//! A download asks for `identity` and must see the answer's bytes and headers as sent, to refuse
//! an encoding it did not ask for (`docs/security.md`, "Decompression"). Such a request bypasses
//! the layer; every other request goes through it as before.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::ACCEPT_ENCODING;
use http::{Request, Response};
use http_body_util::Either;
use pin_project_lite::pin_project;
use tower_http::decompression::{Decompression, DecompressionBody};
use tower_service::Service;

/// Whether `request` asks for the answer's bytes as sent: its only `Accept-Encoding` is
/// `identity`.
pub fn wants_identity<B>(request: &Request<B>) -> bool {
    let mut values = request.headers().get_all(ACCEPT_ENCODING).iter();
    match (values.next(), values.next()) {
        (Some(v), None) => v
            .to_str()
            .is_ok_and(|v| v.trim().eq_ignore_ascii_case("identity")),
        _ => false,
    }
}

/// `Decompression` over `S`, skipped for requests that want `identity` ([`wants_identity`]).
#[derive(Debug, Clone)]
pub(crate) struct PerRequestDecompression<S> {
    inner: Decompression<S>,
}

impl<S> PerRequestDecompression<S> {
    pub(crate) fn new(inner: Decompression<S>) -> Self {
        Self { inner }
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for PerRequestDecompression<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: http_body::Body,
{
    type Response = Response<Either<DecompressionBody<ResBody>, ResBody>>;
    type Error = S::Error;
    type Future =
        ResponseFuture<<Decompression<S> as Service<Request<ReqBody>>>::Future, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        if wants_identity(&req) {
            ResponseFuture::Plain {
                inner: self.inner.get_mut().call(req),
            }
        } else {
            ResponseFuture::Decoded {
                inner: self.inner.call(req),
            }
        }
    }
}

pin_project! {
    /// The future of [`PerRequestDecompression`].
    #[project = ResponseFutureProj]
    pub(crate) enum ResponseFuture<D, P> {
        /// Through the decompression layer.
        Decoded { #[pin] inner: D },
        /// Straight to the client.
        Plain { #[pin] inner: P },
    }
}

impl<D, P, DB, PB, E> Future for ResponseFuture<D, P>
where
    D: Future<Output = Result<Response<DB>, E>>,
    P: Future<Output = Result<Response<PB>, E>>,
{
    type Output = Result<Response<Either<DB, PB>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ResponseFutureProj::Decoded { inner } => {
                inner.poll(cx).map(|r| r.map(|res| res.map(Either::Left)))
            }
            ResponseFutureProj::Plain { inner } => {
                inner.poll(cx).map(|r| r.map(|res| res.map(Either::Right)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_lone_identity_skips_decompression() {
        let req = |values: &[&str]| {
            let mut b = Request::get("https://h/");
            for v in values {
                b = b.header(ACCEPT_ENCODING, *v);
            }
            b.body(()).unwrap_or_default()
        };
        assert!(wants_identity(&req(&["identity"])));
        assert!(wants_identity(&req(&[" Identity "])));
        assert!(!wants_identity(&req(&[])));
        assert!(!wants_identity(&req(&["gzip"])));
        assert!(!wants_identity(&req(&["identity", "gzip"])));
        assert!(!wants_identity(&req(&["gzip, identity"])));
    }
}
