//! Turns a raw HTTP client into a service whose errors are [`PixivError`]s.
//!
//! [`ErrorMapLayer`] sits directly above the raw client (hyper-util's, or one of your own) and is
//! the one place where the stack decides what went wrong:
//!
//! - **Transport failures** (the client's boxed error) are mapped by walking the error's source
//!   chain ([`map_transport_error`]): a [`PixivError`] made by the connector passes through
//!   unchanged; a `rustls::Error` is [`PixivError::Tls`]; an `io::ErrorKind::TimedOut` while
//!   connecting is [`PixivError::Timeout`] (`Connect`); a connection closed or reset before the
//!   answer's head is [`PixivError::Connect`].
//! - **The built-in client's failures**: the connect module reports what failed as a
//!   [`ConnectError`](crate::connect::ConnectError) with a
//!   [`ConnectErrorKind`](crate::connect::ConnectErrorKind) (DNS, refused, TLS, proxy, timeout,
//!   refused address...), and [`map_connect_error`] is the one mapping from it to a
//!   [`PixivError`]. hyper-util's own errors go through [`map_client_error`], which sorts them
//!   into the same kinds first (an elapsed connect timeout, a proxy failure, a TLS failure with a
//!   readable reason such as "certificate not trusted (unknown issuer)"), else applies the rules
//!   of [`map_transport_error`]. The connect module builds no `PixivError` for a failed
//!   connection.
//! - **Error answers** — status >= 400, which includes Cloudflare's challenge pages (403/503 +
//!   `Server: cloudflare`) — have their body read (at most [`DEFAULT_MAX_ERROR_BODY`] bytes) and
//!   handed to [`pixiv_errors::classify`], whose variant is returned as `Err`.
//! - **2xx JSON answers** (`Content-Type: application/json`) are buffered (at most
//!   [`DEFAULT_MAX_JSON_BODY`] bytes, else [`PixivError::BodyTooLarge`]) because Pixiv sometimes
//!   puts its `error` object into a 200 (its "Rate Limit" body, for one). The body is returned as a
//!   `Full` rebuilt from those bytes. Buffering here has a second purpose: a connection reset or a
//!   short body in the middle of a JSON answer becomes an `Err` of the *call*, which the retry layer
//!   above can retry (see `docs/architecture.md`).
//! - **Everything else** (downloads, 3xx for the redirect layer) streams untouched; an error in the
//!   middle of such a body is mapped by [`ResponseBody`]: a cut connection is
//!   [`PixivError::Truncated`] with the bytes received and the announced `Content-Length`.
//!
//! The layer, its service and the streaming body are this file; the response future (buffering
//! and classifying answers) is `future.rs`, the error-chain walk `source.rs`, the built-in
//! client's failures `connect.rs`: each is big enough to read alone.
//!
//! # Example
//!
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use http_body_util::Full;
//! use pixiv_transport::error_map::ErrorMapLayer;
//! use pixiv_transport::{PixivError, RequestBody};
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Any service answering `Response<B>` with a boxable error works; a stub stands in for
//! // hyper-util's client here.
//! let raw = tower::service_fn(|_req: Request<RequestBody>| async {
//!     let body = r#"{"error":{"user_message":"","message":"Rate Limit","reason":"","user_message_details":{}}}"#;
//!     Ok::<_, std::io::Error>(
//!         Response::builder()
//!             .status(StatusCode::FORBIDDEN)
//!             .header("content-type", "application/json")
//!             .body(Full::new(Bytes::from(body)))
//!             .unwrap(),
//!     )
//! });
//! let svc = ServiceBuilder::new().layer(ErrorMapLayer::new()).service(raw);
//! let req = Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!     .body(RequestBody::default())
//!     .unwrap();
//! let err = svc.oneshot(req).await.unwrap_err();
//! assert!(matches!(err, PixivError::RateLimited { .. }));
//! # }
//! ```

mod connect;
mod future;
mod source;

pub(crate) use connect::chain_message;
pub use connect::{map_client_error, map_connect_error};
pub use future::ResponseFuture;
pub use source::{map_body_error, map_transport_error};

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tower_layer::Layer;
use tower_service::Service;

use crate::Body;

/// How much of an error answer's body is read for classification: 64 KiB. Pixiv's error bodies are
/// a few hundred bytes and Cloudflare's challenge pages a few KiB; the rest of a larger body is
/// left unread.
pub const DEFAULT_MAX_ERROR_BODY: usize = 64 * 1024;

/// The largest 2xx JSON answer buffered: 16 MiB. The biggest App API pages (30 illusts with their
/// tags and meta pages) are a few hundred KiB; the cap only stops a runaway body.
pub const DEFAULT_MAX_JSON_BODY: usize = 16 * 1024 * 1024;

pub use pixiv_errors::BoxError;

/// Applies [`ErrorMap`] to a raw client. See the [module docs](self) for what it maps.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct ErrorMapLayer {
    pub(crate) limits: Limits,
}

/// The buffering caps, shared by the layer, service and future.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_error_body: usize,
    pub(crate) max_json_body: usize,
}

impl Default for ErrorMapLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ErrorMapLayer {
    /// A layer with the default caps ([`DEFAULT_MAX_ERROR_BODY`], [`DEFAULT_MAX_JSON_BODY`]).
    pub fn new() -> Self {
        Self {
            limits: Limits {
                max_error_body: DEFAULT_MAX_ERROR_BODY,
                max_json_body: DEFAULT_MAX_JSON_BODY,
            },
        }
    }

    /// At most this many bytes of an error answer's body are read for classification.
    ///
    /// Default: [`DEFAULT_MAX_ERROR_BODY`] (64 KiB).
    pub fn max_error_body(mut self, max: usize) -> Self {
        self.limits.max_error_body = max;
        self
    }

    /// The largest 2xx JSON answer buffered; a larger one is
    /// [`PixivError::BodyTooLarge`], refused as soon as its
    /// `Content-Length` (or the bytes read so far) exceeds the cap.
    ///
    /// Default: [`DEFAULT_MAX_JSON_BODY`] (16 MiB).
    pub fn max_json_body(mut self, max: usize) -> Self {
        self.limits.max_json_body = max;
        self
    }
}

impl<S> Layer<S> for ErrorMapLayer {
    type Service = ErrorMap<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ErrorMap {
            inner,
            limits: self.limits,
        }
    }
}

/// Maps a raw client's errors and error answers to [`PixivError`]. See the [module docs](self).
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
/// [`Body`] (a JSON answer is buffered, see the [module docs](self)).
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

pin_project! {
    /// A streaming response body whose errors are mapped by [`map_body_error`]: it counts the
    /// data bytes delivered, so a cut connection becomes
    /// [`PixivError::Truncated`] with the announced and received lengths.
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        expected: Option<u64>,
        received: u64,
    }
}

impl<B> ResponseBody<B> {
    /// Wraps `inner`; `expected` is the answer's `Content-Length`, if it announced one.
    pub fn new(inner: B, expected: Option<u64>) -> Self {
        Self {
            inner,
            expected,
            received: 0,
        }
    }
}

impl<B> http_body::Body for ResponseBody<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = PixivError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        match ready!(this.inner.poll_frame(cx)) {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    *this.received += data.len() as u64;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Err(e)) => Poll::Ready(Some(Err(map_body_error(
                e.into(),
                *this.expected,
                *this.received,
            )))),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
