//! Per-attempt timeouts: time to response headers, body idle, and an optional total deadline.
//!
//! - **headers**: from the call until the response head arrives (connecting included; the TCP
//!   connect timeout itself lives in the connector: `ConnectConfig::connect_timeout`).
//! - **body idle**: the longest wait for the next body frame. The clock runs only while the
//!   reader waits, so a slow consumer (a disk, a progress bar) is never blamed on the server, and
//!   a download of any size is fine as long as bytes keep coming. (tower-http's
//!   `ResponseBodyTimeout` is different: one deadline for the whole body, so it would cut a
//!   large download that is still flowing.)
//! - **total** (off by default): one deadline over headers and body, for JSON calls that must
//!   finish in bounded time. A download opts out per request with the [`TimeoutOverride`]
//!   request extension.
//!
//! Each surfaces as `PixivError::Timeout { phase }` (`Headers`, `BodyIdle`, `Total`). Defaults are
//! PixivPy's single `timeout=10`: [`DEFAULT_HEADERS_TIMEOUT`], [`DEFAULT_BODY_IDLE_TIMEOUT`].
//!
//! ```
//! # async fn run<S>(inner: S) where
//! #   S: tower::Service<http::Request<pixiv_transport::RequestBody>,
//! #       Response = http::Response<pixiv_transport::Body>, Error = pixiv_transport::PixivError> {
//! use std::time::Duration;
//! use pixiv_transport::timeout::{TimeoutLayer, TimeoutOverride};
//! use tower::{Layer, ServiceExt};
//!
//! let svc = TimeoutLayer::new()
//!     .total(Some(Duration::from_secs(30)))
//!     .layer(inner);
//! // A download: no total deadline, only headers and body idle.
//! let mut req = http::Request::get("https://i.pximg.net/img-original/img/1_p0.png")
//!     .body(pixiv_transport::RequestBody::default())
//!     .unwrap();
//! req.extensions_mut().insert(TimeoutOverride::new().total(None));
//! let _resp = svc.oneshot(req).await;
//! # }
//! ```

mod body;
mod future;
mod layer;
mod service;

pub use body::TimeoutBody;
pub use future::ResponseFuture;
pub use layer::{
    DEFAULT_BODY_IDLE_TIMEOUT, DEFAULT_HEADERS_TIMEOUT, TimeoutLayer, TimeoutOverride,
};
pub use service::Timeout;
