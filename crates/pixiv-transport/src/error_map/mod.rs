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
//! - **The built-in client's failures** ([`HttpClient`](crate::connect::HttpClient)'s connector
//!   reports a proxy failure as its own small `ProxyError`, and I/O, TLS and hyper-util errors as
//!   they come) are mapped here too, by [`map_client_error`]: an elapsed connect timeout, a proxy
//!   failure, a TLS failure with a readable reason ("certificate not trusted (unknown issuer)"),
//!   else the rules of [`map_transport_error`]. The connect module maps nothing itself.
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

mod body;
mod connect;
mod future;
mod layer;
mod service;
mod source;

pub use body::ResponseBody;
pub(crate) use connect::chain_message;
pub use connect::map_client_error;
pub use future::ResponseFuture;
pub use layer::ErrorMapLayer;
pub use service::ErrorMap;
pub use source::{map_body_error, map_transport_error};

/// How much of an error answer's body is read for classification: 64 KiB. Pixiv's error bodies are
/// a few hundred bytes and Cloudflare's challenge pages a few KiB; the rest of a larger body is
/// left unread.
pub const DEFAULT_MAX_ERROR_BODY: usize = 64 * 1024;

/// The largest 2xx JSON answer buffered: 16 MiB. The biggest App API pages (30 illusts with their
/// tags and meta pages) are a few hundred KiB; the cap only stops a runaway body.
pub const DEFAULT_MAX_JSON_BODY: usize = 16 * 1024 * 1024;

pub use pixiv_errors::BoxError;

#[cfg(doc)]
use pixiv_errors::PixivError;
