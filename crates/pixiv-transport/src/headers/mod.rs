//! Pixiv's client headers on every request; a request's own headers win.
//!
//! [`DefaultHeadersLayer::new`] sends what the iOS app (and PixivPy) sends on every call
//! (PROTOCOL.md, "Client identity"):
//!
//! | header | value | constant |
//! |---|---|---|
//! | `User-Agent` | `PixivIOSApp/7.13.3 (iOS 14.6; iPhone13,2)` | [`USER_AGENT`] |
//! | `App-OS` | `ios` | [`APP_OS`] |
//! | `App-OS-Version` | `14.6` | [`APP_OS_VERSION`] |
//! | `Accept-Language` | `en-us` (configurable) | [`ACCEPT_LANGUAGE`] |
//!
//! A header the request already carries is left alone (all its values), so a caller can override
//! any default per request, e.g. the download's `Referer` or another `Accept-Language`.
//!
//! Why one layer with a [`HeaderMap`](http::HeaderMap) rather than tower-http's `SetRequestHeaderLayer::if_not_present`
//! once per header: the set is data (the builder adds `default_header(..)`s at run time), a
//! `HeaderMap` carries several values per name, and one layer is one service type in the stack
//! instead of four nested ones. The behaviour is exactly `if_not_present`, per header name.
//!
//! # Example
//!
//! ```
//! use http::{HeaderValue, Request, header::ACCEPT_LANGUAGE};
//! use pixiv_transport::headers::{DefaultHeadersLayer, USER_AGENT};
//! use pixiv_transport::RequestBody;
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let svc = ServiceBuilder::new()
//!     .layer(DefaultHeadersLayer::new().accept_language(HeaderValue::from_static("ja")))
//!     .service_fn(|req: Request<RequestBody>| async move {
//!         Ok::<_, std::convert::Infallible>(req.headers().clone())
//!     });
//! let req = Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!     .header("app-os", "android") // the request's own header wins
//!     .body(RequestBody::default())
//!     .unwrap();
//! let sent = svc.oneshot(req).await.unwrap();
//! assert_eq!(sent["user-agent"], USER_AGENT);
//! assert_eq!(sent["app-os"], "android");
//! assert_eq!(sent[ACCEPT_LANGUAGE], "ja");
//! # }
//! ```

mod layer;
mod service;

pub use layer::{DefaultHeadersLayer, pixiv_headers};
pub use service::DefaultHeaders;

/// `User-Agent` of Pixiv's iOS app 7.13.3, as PixivPy sends it (the seed's `USER_AGENT`).
pub const USER_AGENT: &str = "PixivIOSApp/7.13.3 (iOS 14.6; iPhone13,2)";
/// `App-OS`: the iOS app's (PROTOCOL.md).
pub const APP_OS: &str = "ios";
/// `App-OS-Version`: the iOS version in [`USER_AGENT`] (PROTOCOL.md).
pub const APP_OS_VERSION: &str = "14.6";
/// `Accept-Language`: the seed's session default `en-us`; Pixiv localises tags and messages by it.
pub const ACCEPT_LANGUAGE: &str = "en-us";
