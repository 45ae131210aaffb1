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
//! - **Hops**: reqwest's `Policy::limited(5)` (docs/protocol.md, client defaults). Where tower-http's `Limited` hands the
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

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::LOCATION;
use http::{Request, Response, StatusCode, Uri};
use http_body::Body as _;
use pin_project_lite::pin_project;
use pixiv_errors::{PixivError, RedirectErrorKind};
use tower_http::follow_redirect::FollowRedirect;
use tower_http::follow_redirect::policy::{Action, Attempt, FilterCredentials, Policy};
use tower_layer::Layer;
use tower_service::Service;

use crate::connect::address::{FromPublicOrigin, is_local_host};
use crate::{Body, RequestBody};

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

/// Redirect hops followed at most, as reqwest's `Policy::limited(5)` (docs/protocol.md, client defaults).
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

/// Follows redirects with a [`RedirectPolicy`]. See the [module docs](self).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct RedirectLayer {
    policy: RedirectPolicy,
}

impl RedirectLayer {
    /// The default policy ([`RedirectPolicy::new`]: 5 hops).
    pub fn new() -> Self {
        Self::default()
    }

    /// This policy.
    pub fn with_policy(policy: RedirectPolicy) -> Self {
        Self { policy }
    }
}

impl<S> Layer<S> for RedirectLayer {
    type Service = Redirect<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Redirect {
            inner: FollowRedirect::with_policy(inner, self.policy.clone()),
        }
    }
}

/// Follows redirects (tower-http's `FollowRedirect` with [`RedirectPolicy`]) and turns a redirect
/// it could not follow into an error. See the [module docs](self).
///
/// Not generic over the body: a 307/308 hop replays the request body, which the policy clones
/// and measures, and the stack's [`RequestBody`] (`Full<Bytes>`) clones by reference count.
#[derive(Debug, Clone)]
pub struct Redirect<S> {
    pub(crate) inner: FollowRedirect<S, RedirectPolicy>,
}

inner_accessors!(Redirect via);

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

pin_project! {
    /// Response future of [`Redirect`].
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        pub(crate) inner: F,
        // The request carried `NoFollow`: a 3xx is the caller's to judge.
        pub(crate) no_follow: bool,
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<Body>, PixivError>>,
{
    type Output = Result<Response<Body>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let resp = ready!(this.inner.poll(cx))?;
        if *this.no_follow {
            return Poll::Ready(Ok(resp));
        }
        Poll::Ready(match unfollowed(&resp) {
            Some(err) => Err(err),
            None => Ok(resp),
        })
    }
}

/// tower-http hands back a redirect it cannot follow: a `Location` that `http::Uri` cannot hold
/// (`file:///etc/passwd` has an empty authority) or that is missing. Our policy never stops a
/// chain any other way, so such an answer is refused here instead of reaching the caller.
fn unfollowed(resp: &Response<Body>) -> Option<PixivError> {
    let status = resp.status();
    if !matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    let Some(location) = resp.headers().get(LOCATION) else {
        return Some(PixivError::http(
            status,
            "redirect without a Location header",
        ));
    };
    let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
    let scheme = location.split_once(':').map(|(s, _)| s).filter(|s| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    Some(match scheme {
        Some(s) if !s.eq_ignore_ascii_case("http") && !s.eq_ignore_ascii_case("https") => {
            PixivError::redirect(
                RedirectErrorKind::RefusedScheme {
                    scheme: s.to_ascii_lowercase(),
                },
                Some(&location),
            )
        }
        _ => PixivError::http(status, "redirect to a Location that cannot be followed"),
    })
}

/// The redirect policy of the stack. See the [module docs](self).
///
/// Cloned fresh for every request by tower-http's `FollowRedirect`, so the hop count and the
/// "credentials blocked" state belong to one request's chain.
#[derive(Debug, Clone)]
#[must_use]
pub struct RedirectPolicy {
    max: usize,
    filter: FilterCredentials,
    visited: Vec<Uri>,
    /// The request carried [`NoFollow`]: every 3xx is handed back as it is.
    no_follow: bool,
    /// Whether the request about to be (re)sent carries a body.
    has_body: bool,
    /// The chain's original host, when it is public (not loopback/private): hops to another
    /// host may then not go to loopback/private addresses (`connect/address.rs`).
    public_origin: Option<String>,
}

impl Default for RedirectPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl RedirectPolicy {
    /// At most [`DEFAULT_MAX_REDIRECTS`] hops, credentials dropped across origins.
    pub fn new() -> Self {
        Self::limited(DEFAULT_MAX_REDIRECTS)
    }

    /// At most `max` hops (0: every redirect is an error).
    pub fn limited(max: usize) -> Self {
        Self {
            max,
            filter: FilterCredentials::new(),
            visited: Vec::new(),
            no_follow: false,
            has_body: false,
            public_origin: None,
        }
    }

    /// The hop limit.
    pub fn max(&self) -> usize {
        self.max
    }
}

impl Policy<RequestBody, PixivError> for RedirectPolicy {
    fn redirect(&mut self, attempt: &Attempt<'_>) -> Result<Action, PixivError> {
        if self.no_follow {
            return Ok(Action::Stop);
        }
        let location = attempt.location();
        let scheme = location.scheme_str().unwrap_or("");
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(PixivError::redirect(
                RedirectErrorKind::RefusedScheme {
                    scheme: scheme.to_owned(),
                },
                Some(&location.to_string()),
            ));
        }
        if self.visited.is_empty() {
            self.visited.push(attempt.previous().clone());
            self.public_origin = attempt
                .previous()
                .host()
                .filter(|h| !is_local_host(h))
                .map(str::to_ascii_lowercase);
        }
        // 301/302 turn a POST into a bodiless GET and 303 always drops the body (tower-http);
        // 307/308 resend it as it is, which must not happen across origins: an App API form
        // would reach a host it was never meant for (curl refuses the same with
        // `--post301/302/303` off; RFC 9110 section 15.4.8).
        if matches!(
            attempt.status(),
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
        ) && self.has_body
            && !same_origin(attempt.previous(), location)
        {
            return Err(PixivError::redirect(
                RedirectErrorKind::CrossOriginBody {
                    status: attempt.status(),
                },
                Some(&location.to_string()),
            ));
        }
        if self.visited.len() > self.max {
            let kind = if self.visited.contains(location) {
                RedirectErrorKind::Loop
            } else {
                RedirectErrorKind::TooManyHops { max: self.max }
            };
            return Err(PixivError::redirect(kind, Some(&location.to_string())));
        }
        self.visited.push(location.clone());
        // Updates the "blocked" state that `on_request` acts on.
        Policy::<RequestBody, PixivError>::redirect(&mut self.filter, attempt)
    }

    fn on_request(&mut self, request: &mut http::Request<RequestBody>) {
        // tower-http calls this for the first request too, before anything is sent.
        self.no_follow |= request.extensions().get::<NoFollow>().is_some();
        // Called for the first request too (before any hop): its body is what a 307/308 would
        // resend.
        self.has_body = request.body().size_hint().exact() != Some(0);
        // A hop back to the original host itself goes where the first request went (a LAN
        // mirror reached by name may redirect within itself); any other host is checked.
        if let Some(origin) = &self.public_origin {
            let host = request.uri().host().map(str::to_ascii_lowercase);
            if !self.visited.is_empty() && host.as_deref() != Some(origin.as_str()) {
                request.extensions_mut().insert(FromPublicOrigin);
            }
        }
        Policy::<RequestBody, PixivError>::on_request(&mut self.filter, request);
    }

    fn clone_body(&self, body: &RequestBody) -> Option<RequestBody> {
        // `Full<Bytes>` clones by reference count: every hop can replay the body.
        Some(body.clone())
    }
}

/// Same scheme, host and port (the default port of the scheme when absent): an https -> http
/// downgrade is another origin.
fn same_origin(a: &Uri, b: &Uri) -> bool {
    let port = |u: &Uri| {
        u.port_u16().or(match u.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
            Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
            _ => None,
        })
    };
    a.scheme_str().map(str::to_ascii_lowercase) == b.scheme_str().map(str::to_ascii_lowercase)
        && a.host().map(str::to_ascii_lowercase) == b.host().map(str::to_ascii_lowercase)
        && port(a) == port(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let u = |s: &str| s.parse::<Uri>().unwrap();
        assert!(same_origin(
            &u("https://a.example/x"),
            &u("https://A.example:443/y")
        ));
        assert!(!same_origin(
            &u("https://a.example/"),
            &u("http://a.example/")
        ));
        assert!(!same_origin(
            &u("https://a.example/"),
            &u("https://b.example/")
        ));
        assert!(!same_origin(
            &u("http://127.0.0.1:1/"),
            &u("http://127.0.0.1:2/")
        ));
    }
}
