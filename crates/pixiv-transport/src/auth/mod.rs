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
//! The token types, the layer, the service and its future are this file; [`Refresher`] (the
//! single-flight refresh, with expiry margins and its tests) is big enough for `refresher.rs`.
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

mod refresher;

pub use refresher::{DEFAULT_REFRESH_MARGIN, FreshToken, MAX_TOKEN_LIFETIME, Refresher};

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, Uri};
use pin_project_lite::pin_project;
use pixiv_errors::{AuthErrorKind, PixivError};
use tower::ServiceExt as _;
use tower_layer::Layer;
use tower_service::Service;

use crate::{Body, RequestBody};

/// An OAuth access token. `Debug` and `Display` print `<redacted>`; the secret is only reachable
/// through [`secret`](Self::secret). Cheap to clone.
///
/// Making one registers its value with [`pixiv_errors::redact::remember_secret`], so an error
/// that quotes it (a server echoing it in a message) stores `<redacted>` instead.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccessToken(pixiv_errors::Secret);

impl AccessToken {
    /// Wraps a token string (a [`pixiv_errors::Secret`], which remembers it).
    pub fn new(token: impl Into<String>) -> Self {
        Self(pixiv_errors::Secret::new(token))
    }

    /// The token itself, for building the `Authorization` header.
    pub fn secret(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where [`AuthLayer`] gets its Bearer token. Object-safe and shared
/// (`Arc<dyn TokenSource>`) by every clone of the stack.
pub trait TokenSource: Send + Sync {
    /// A currently valid token; may refresh first if the known one has expired.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, PixivError>>;

    /// A token newer than `stale`, which the server just rejected: refreshes, unless another
    /// caller already refreshed past `stale`, in which case that newer token is returned.
    /// Implementations must be single-flight: many callers with the same `stale` token cause one
    /// refresh ([`Refresher`] does this).
    fn refresh(&self, stale: &AccessToken) -> BoxFuture<'_, Result<AccessToken, PixivError>>;
}

impl fmt::Debug for dyn TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dyn TokenSource")
    }
}

/// A fixed token that cannot be refreshed (for tests and short scripts): [`refresh`] fails with
/// [`PixivError::Auth`] (`InvalidAccessToken`), so the rejected call's error is what the caller sees.
///
/// [`refresh`]: TokenSource::refresh
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A source that always hands out `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self(AccessToken::new(token))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn refresh(&self, _stale: &AccessToken) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        Box::pin(async {
            Err(PixivError::auth(
                None,
                AuthErrorKind::InvalidAccessToken,
                "the access token was rejected and a static token cannot be refreshed",
            ))
        })
    }
}

/// Adds a Bearer token to requests for configured hosts and refreshes it once on rejection.
/// See the [module docs](self).
#[derive(Clone)]
#[must_use]
pub struct AuthLayer {
    pub(crate) source: Arc<dyn TokenSource>,
    pub(crate) targets: Arc<Targets>,
}

impl AuthLayer {
    /// A layer taking tokens from `source`, sending them to no host yet: add
    /// [`for_hosts`](Self::for_hosts) or [`for_origins`](Self::for_origins).
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        Self {
            source,
            targets: Arc::new(Targets::default()),
        }
    }

    /// Also send the token to these host names (case-insensitive, any port), over `https` only.
    pub fn for_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let targets = Arc::make_mut(&mut self.targets);
        targets
            .hosts
            .extend(hosts.into_iter().map(|h| h.into().to_ascii_lowercase()));
        self
    }

    /// Also send the token to these exact origins (scheme, host and port; the default port of the
    /// scheme when absent; `https` when the URI has no scheme). Plain `http` origins are allowed
    /// here, for local test servers.
    pub fn for_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = Uri>,
    {
        let targets = Arc::make_mut(&mut self.targets);
        targets
            .origins
            .extend(origins.into_iter().filter_map(|u| Origin::of(&u)));
        self
    }

    /// The token source.
    pub fn source(&self) -> &Arc<dyn TokenSource> {
        &self.source
    }
}

impl fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer")
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Auth {
            inner,
            source: Arc::clone(&self.source),
            targets: Arc::clone(&self.targets),
        }
    }
}

/// Where the token may go.
#[derive(Debug, Clone, Default)]
pub(crate) struct Targets {
    hosts: Vec<String>,
    origins: Vec<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Option<Self> {
        let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let port = uri.port_u16().or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        })?;
        Some(Self {
            host: uri.host()?.to_ascii_lowercase(),
            scheme,
            port,
        })
    }
}

impl Targets {
    /// Whether a request to `uri` may carry the token.
    pub(crate) fn matches(&self, uri: &Uri) -> bool {
        let Some(origin) = Origin::of(uri) else {
            return false;
        };
        (origin.scheme == "https" && self.hosts.contains(&origin.host))
            || self.origins.contains(&origin)
    }
}

/// Adds a Bearer token to requests for configured hosts and refreshes it once on rejection.
/// See the [module docs](self).
///
/// Not generic over the body: after a refresh the request is sent again, which needs a body that
/// can be replayed, as the stack's [`RequestBody`] (`Full<Bytes>`) cheaply is.
#[derive(Clone)]
pub struct Auth<S> {
    pub(crate) inner: S,
    pub(crate) source: Arc<dyn TokenSource>,
    pub(crate) targets: Arc<Targets>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Auth<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("inner", &self.inner)
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

inner_accessors!(Auth);

impl<S> Service<Request<RequestBody>> for Auth<S>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<RequestBody>) -> Self::Future {
        if req.headers().contains_key(AUTHORIZATION) || !self.targets.matches(req.uri()) {
            return ResponseFuture::direct(self.inner.call(req));
        }
        // The ready service goes into the future; a clone stays for the next poll_ready.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let source = Arc::clone(&self.source);
        ResponseFuture::with_token(Box::pin(call_with_token(inner, source, req)))
    }
}

async fn call_with_token<S>(
    mut inner: S,
    source: Arc<dyn TokenSource>,
    req: Request<RequestBody>,
) -> Result<Response<Body>, PixivError>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError> + Clone,
{
    let token = source.token().await?;
    let mut replay = req.clone();
    // `inner` is the ready service; the replay (if any) goes through a clone made ready again.
    let mut again = inner.clone();
    let first = inner.call(with_bearer(req, &token)?).await;
    match first {
        Err(PixivError::Auth {
            kind: AuthErrorKind::InvalidAccessToken | AuthErrorKind::Unauthorized,
            ..
        }) => {
            tracing::debug!("access token rejected; refreshing once and replaying");
            let fresh = source.refresh(&token).await?;
            replay = with_bearer(replay, &fresh)?;
            again.ready().await?.call(replay).await
        }
        other => other,
    }
}

fn with_bearer(
    mut req: Request<RequestBody>,
    token: &AccessToken,
) -> Result<Request<RequestBody>, PixivError> {
    // Pushed, not `format!`ed (every call; see `key` in `connect/hosts.rs`).
    let secret = token.secret();
    let mut bearer = String::with_capacity("Bearer ".len() + secret.len());
    bearer.push_str("Bearer ");
    bearer.push_str(secret);
    let mut value = HeaderValue::try_from(bearer)
        .map_err(|_| PixivError::invalid_input("access token", "not a valid header value"))?;
    value.set_sensitive(true);
    req.headers_mut().insert(AUTHORIZATION, value);
    Ok(req)
}

pin_project! {
    /// Response future of [`Auth`].
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_prints_its_secret() {
        let t = AccessToken::new("very-secret");
        assert_eq!(format!("{t}"), "<redacted>");
        assert!(!format!("{t:?}").contains("very-secret"));
        assert!(!format!("{:?}", StaticToken::new("very-secret")).contains("very-secret"));
        assert_eq!(t.secret(), "very-secret");
    }

    fn targets(hosts: &[&str], origins: &[&str]) -> Targets {
        Targets {
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            origins: origins
                .iter()
                .filter_map(|o| Origin::of(&o.parse().unwrap()))
                .collect(),
        }
    }

    #[test]
    fn hosts_match_https_any_port_only() {
        let t = targets(&["app-api.pixiv.net"], &[]);
        assert!(t.matches(&"https://app-api.pixiv.net/v1/x".parse().unwrap()));
        assert!(t.matches(&"https://APP-API.pixiv.net:8443/v1/x".parse().unwrap()));
        assert!(!t.matches(&"http://app-api.pixiv.net/v1/x".parse().unwrap()));
        assert!(!t.matches(&"https://i.pximg.net/img".parse().unwrap()));
        assert!(!t.matches(&"https://evil-app-api.pixiv.net/".parse().unwrap()));
        assert!(!t.matches(&"/relative".parse().unwrap()));
    }

    #[test]
    fn origins_match_exactly() {
        let t = targets(&[], &["https://127.0.0.1:4443", "http://localhost:8080"]);
        assert!(t.matches(&"https://127.0.0.1:4443/v1".parse().unwrap()));
        assert!(!t.matches(&"https://127.0.0.1:4444/v1".parse().unwrap()));
        assert!(!t.matches(&"https://localhost:4443/v1".parse().unwrap()));
        assert!(t.matches(&"http://localhost:8080/v1".parse().unwrap()));
        assert!(!t.matches(&"https://localhost:8080/v1".parse().unwrap()));
        assert!(
            targets(&[], &["https://a.example"])
                .matches(&"https://a.example:443/".parse().unwrap())
        );
    }

    #[test]
    fn default_matches_nothing() {
        assert!(!Targets::default().matches(&"https://app-api.pixiv.net/".parse().unwrap()));
    }
}
