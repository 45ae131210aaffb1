//! `Authorization: Bearer` from a shared [`TokenSource`], to configured hosts only; on a rejected
//! token, one refresh and one replay.
//!
//! - [`AuthLayer`] adds `Authorization: Bearer <token>` (marked sensitive, so no layer logs it) to
//!   requests whose target matches [`AuthLayer::for_hosts`] / [`AuthLayer::for_origins`]. The
//!   default is *no* host: the token goes nowhere until told where (the facade names the App API
//!   host; image hosts never get it, docs/protocol.md). A request that already has an `Authorization`
//!   header is sent as it is.
//! - When the answer is [`PixivError::Auth`] with kind `InvalidAccessToken` or `Unauthorized`, the
//!   layer calls [`TokenSource::refresh`] with the token it used and replays the request (a clone
//!   taken before the first send; request bodies are `Full<Bytes>`) once with the new token. A
//!   second rejection is returned as it is.
//! - [`Refresher`] is the single-flight token source: however many requests fail with the same
//!   stale token at once, one refresh happens and they all replay with its result.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use http::{Request, Response};
//! use pixiv_transport::auth::{AuthLayer, StaticToken};
//! use pixiv_transport::{Body, PixivError, RequestBody};
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let svc = ServiceBuilder::new()
//!     .layer(AuthLayer::new(Arc::new(StaticToken::new("my-access-token")))
//!         .for_hosts(["app-api.pixiv.net"]))
//!     .service_fn(|req: Request<RequestBody>| async move {
//!         let auth = req.headers().get("authorization").map(|v| v.to_str().unwrap().to_owned());
//!         Ok::<_, PixivError>(Response::new(pixiv_transport::body::boxed(
//!             http_body_util::Full::new(bytes::Bytes::from(auth.unwrap_or_default())),
//!         )))
//!     });
//! # use http_body_util::BodyExt as _;
//! let api = Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!     .body(RequestBody::default()).unwrap();
//! let body = svc.clone().oneshot(api).await.unwrap().into_body().collect().await.unwrap();
//! assert_eq!(body.to_bytes(), "Bearer my-access-token");
//!
//! let image = Request::get("https://i.pximg.net/img-original/img/1_p0.png")
//!     .body(RequestBody::default()).unwrap();
//! let body = svc.oneshot(image).await.unwrap().into_body().collect().await.unwrap();
//! assert!(body.to_bytes().is_empty()); // no Bearer to the image host
//! # }
//! ```

mod future;
mod layer;
mod refresher;
mod service;
mod token;

pub use future::ResponseFuture;
pub use layer::AuthLayer;
pub use refresher::{DEFAULT_REFRESH_MARGIN, FreshToken, MAX_TOKEN_LIFETIME, Refresher};
pub use service::Auth;
pub use token::{AccessToken, StaticToken, TokenSource};

#[cfg(doc)]
use pixiv_errors::PixivError;
