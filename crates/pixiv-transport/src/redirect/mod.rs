//! Following redirects: at most [`DEFAULT_MAX_REDIRECTS`] hops, credentials dropped across origins,
//! only `http`/`https` targets, and a typed error instead of a 3xx when the policy refuses.
//!
//! This is tower-http's `FollowRedirect` (which replays the request, rewrites POST to GET on 301/302/303
//! and resolves relative `Location`s) driven by [`RedirectPolicy`]:
//!
//! - **Credentials**: tower-http's `FilterCredentials::new()` (its `Standard` policy's half) removes
//!   `Authorization`, `Cookie` and `Proxy-Authorization` on the first hop to another origin (scheme,
//!   host or port differ) and keeps them removed for the rest of the chain, even back on the first
//!   origin.
//! - **Hops**: the seed's reqwest `Policy::limited(5)`. Where tower-http's `Limited` hands the
//!   sixth 3xx to the caller, we return [`PixivError::Redirect`]: `TooManyHops { max }`, or
//!   `Loop` when the chain visited one URL twice. A caller of a JSON API has no use for a 3xx.
//! - **Schemes**: a `Location` that is not `http`/`https` (`file:`, `ftp:`, `data:`) is refused
//!   with `RefusedScheme` before anything is sent.
//!
//! - **Bodies**: a 307/308 keeps the method and body; to another origin (an `https` to `http`
//!   downgrade included) it is refused with `CrossOriginBody` before anything is sent (RFC 9110
//!   section 15.4.8; curl keeps the body only where told). 301/302 (POST) and 303 become bodiless
//!   GETs, as tower-http does.
//! - **Addresses**: the hops of a chain that began on a public host carry a mark that makes the
//!   connector refuse loopback and private addresses, after DNS (`connect/address.rs`);
//!   link-local addresses are refused for every request.
//! - **Unfollowable answers**: tower-http hands a 3xx back when its `Location` is missing or cannot
//!   be parsed as an HTTP URI (`file:///etc/passwd` cannot); [`Redirect`] turns that into an error
//!   too (`RefusedScheme` for a non-HTTP scheme, else `Http` with the 3xx status).
//! - **Never follow**: a request carrying the [`NoFollow`] extension is sent once; a 3xx answer
//!   comes back to the caller as it is (reqwest's `Policy::none()`), for the caller to judge. The
//!   OAuth token call uses it: its form holds the client secret and the refresh token, which must
//!   not be re-sent anywhere (docs/security.md).
//!
//! # Example
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use pixiv_errors::{PixivError, RedirectErrorKind};
//! use pixiv_transport::redirect::RedirectLayer;
//! use pixiv_transport::{body, RequestBody};
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // A server that always redirects to the same URL.
//! let svc = ServiceBuilder::new()
//!     .layer(RedirectLayer::new())
//!     .service_fn(|req: Request<RequestBody>| async move {
//!         let res = Response::builder()
//!             .status(StatusCode::FOUND)
//!             .header("location", req.uri().to_string())
//!             .body(body::empty())
//!             .unwrap();
//!         Ok::<_, PixivError>(res)
//!     });
//! let req = Request::get("https://app-api.pixiv.net/loop").body(RequestBody::default()).unwrap();
//! let err = svc.oneshot(req).await.unwrap_err();
//! assert!(matches!(err, PixivError::Redirect { kind: RedirectErrorKind::Loop, .. }));
//! # }
//! ```

mod future;
mod layer;
mod policy;
mod service;

pub use future::ResponseFuture;
pub use layer::RedirectLayer;
pub use policy::RedirectPolicy;
pub use service::Redirect;

/// A request extension: never follow a redirect for this request; a 3xx is handed back to the
/// caller untouched. See the [module docs](self).
///
/// ```
/// let mut req = http::Request::post("https://oauth.secure.pixiv.net/auth/token")
///     .body(pixiv_transport::RequestBody::default())
///     .unwrap();
/// req.extensions_mut().insert(pixiv_transport::redirect::NoFollow);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoFollow;

/// Redirect hops followed at most: the seed's `redirect(Policy::limited(5))`.
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

#[cfg(doc)]
use pixiv_errors::PixivError;
