//! The alternate route ("SNI bypass") and Cloudflare challenge fallback (cargo feature `bypass`).
//!
//! Cloudflare sometimes answers Pixiv's hosts with a challenge page that no library can pass
//! honestly; every such answer is already [`PixivError::CloudflareChallenge`] with its `cf-ray`
//! id. This module offers what PixivPy's `ByPassSniApi` does, done safely:
//!
//! - [`DohResolver`] (`doh.rs`): the host's address from DNS over HTTPS (RFC 8484 through hickory-resolver), asked of
//!   an ordered list of endpoints over verified TLS, cached for the answer's TTL. It implements
//!   [`Resolve`](crate::connect::Resolve), so it plugs into
//!   [`ConnectConfig::resolver`](crate::connect::ConnectConfig::resolver).
//! - [`Route::Bypass`] (`config.rs`): connect to that address, send the real `Host`, and do TLS
//!   with SNI turned off while **still verifying the certificate against the real host name**.
//!   Verification is never turned off for it; a TLS failure on this route says the route may be
//!   blocked (Pixiv is reported to require SNI now).
//! - [`BypassLayer`] / [`Bypass`] (this file): over two stacks (direct and
//!   bypass), a request that gets a challenge on the direct route is sent once more on the bypass
//!   route, and its host goes straight to the bypass route for
//!   [`DEFAULT_REMEMBER_BYPASS`] (10 min).
//!
//! [`Transport`](crate::Transport) composes them from [`BypassConfig`]
//! ([`TransportBuilder::route`](crate::TransportBuilder::route),
//! [`fallback_on_challenge`](crate::TransportBuilder::fallback_on_challenge),
//! [`doh_endpoints`](crate::TransportBuilder::doh_endpoints)); the route a request took is the
//! `route` field (`"direct"` / `"bypass"`) of its `pixiv.request` tracing span. The whole module
//! exists only with the `bypass` feature. `docs/bypass.md` says what each mode does and cannot do.
//!
//! ```no_run
//! # async fn run() -> Result<(), pixiv_transport::PixivError> {
//! use pixiv_transport::Transport;
//! use pixiv_transport::bypass::Route;
//!
//! // Always the alternate route:
//! let bypass = Transport::builder().route(Route::Bypass).build()?;
//! // Direct, falling back to the alternate route on a Cloudflare challenge:
//! let transport = Transport::builder()
//!     .fallback_on_challenge(true)
//!     .doh_endpoints(["https://1.1.1.1/dns-query", "https://doh.dns.sb/dns-query"])
//!     .build()?;
//! let resp = transport.get("https://app-api.pixiv.net/web/v1/ping", &[]).await?;
//! # let _ = (bypass, resp);
//! # Ok(()) }
//! ```

mod compose;
mod config;
pub mod doh;

pub(crate) use compose::routes;
pub use config::{BypassConfig, DEFAULT_REMEMBER_BYPASS, Route};
pub use doh::{
    DEFAULT_DOH_ENDPOINTS, DEFAULT_DOH_TIMEOUT, DohError, DohFailure, DohResolver,
    DohResolverBuilder, MAX_DOH_CACHE_TTL,
};

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::{Request, Response};
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tokio::time::Instant;
use tower::ServiceExt as _;
use tower::util::Oneshot;
use tower_layer::Layer;
use tower_service::Service;

/// Falls back from the direct route to the bypass route on a Cloudflare challenge. See the
/// [module docs](self).
///
/// The layer holds the bypass route's service; the service it wraps is the direct route. Clones
/// of the layer (and of the services it makes) share which hosts need the bypass route. Both
/// routes must be the same service type (box them, as [`Transport`](crate::Transport) does).
///
/// ```
/// use http::{Request, Response, StatusCode};
/// use pixiv_transport::bypass::BypassLayer;
/// use pixiv_transport::{PixivError, RequestBody};
/// use tower::util::BoxCloneSyncService;
/// use tower::{Layer as _, ServiceExt as _};
///
/// type Route = BoxCloneSyncService<Request<RequestBody>, Response<&'static str>, PixivError>;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Stubs stand in for the two stacks: the direct one is always challenged.
/// let direct: Route = BoxCloneSyncService::new(tower::service_fn(|_req| async {
///     Err::<Response<&'static str>, _>(PixivError::cloudflare(StatusCode::FORBIDDEN, None))
/// }));
/// let bypass: Route = BoxCloneSyncService::new(tower::service_fn(|_req| async {
///     Ok::<_, PixivError>(Response::new("from the bypass route"))
/// }));
/// let svc = BypassLayer::new(bypass).layer(direct);
///
/// let url = "https://app-api.pixiv.net/v1/illust/detail";
/// let req = || Request::get(url).body(RequestBody::default()).unwrap();
/// let resp = svc.clone().oneshot(req()).await.unwrap();
/// assert_eq!(*resp.body(), "from the bypass route");
/// // Remembered: the next request to that host goes straight to the bypass route.
/// assert!(svc.uses_bypass("app-api.pixiv.net"));
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct BypassLayer<S> {
    bypass: S,
    memory: RouteMemory,
}

impl<S> BypassLayer<S> {
    /// Falls back to `bypass`, remembering a challenged host for [`DEFAULT_REMEMBER_BYPASS`].
    pub fn new(bypass: S) -> Self {
        Self {
            bypass,
            memory: RouteMemory::new(DEFAULT_REMEMBER_BYPASS),
        }
    }

    /// How long a challenged host goes straight to the bypass route.
    ///
    /// Default: [`DEFAULT_REMEMBER_BYPASS`] (10 min).
    pub fn remember(mut self, duration: Duration) -> Self {
        self.memory = RouteMemory::new(duration);
        self
    }
}

impl<S: Clone> Layer<S> for BypassLayer<S> {
    type Service = Bypass<S>;

    fn layer(&self, direct: S) -> Self::Service {
        Bypass {
            direct,
            bypass: self.bypass.clone(),
            memory: self.memory.clone(),
        }
    }
}

/// Service of [`BypassLayer`]: the direct route, the bypass route, and which
/// hosts need the latter. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Bypass<S> {
    pub(crate) direct: S,
    pub(crate) bypass: S,
    pub(crate) memory: RouteMemory,
}

impl<S> Bypass<S> {
    /// Whether requests to `host` go straight to the bypass route now (it answered the direct
    /// route with a challenge less than the remember time ago).
    pub fn uses_bypass(&self, host: &str) -> bool {
        self.memory.needs_bypass(host)
    }
}

impl<S, B, RB> Service<Request<B>> for Bypass<S>
where
    S: Service<Request<B>, Response = Response<RB>, Error = PixivError> + Clone,
    B: Clone,
{
    type Response = Response<RB>;
    type Error = PixivError;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The route is chosen in `call`; each call drives its own clone to readiness.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let host = req.uri().host().unwrap_or_default().to_ascii_lowercase();
        if self.memory.needs_bypass(&host) {
            record_route(Route::Bypass);
            return ResponseFuture::bypass(self.bypass.clone().oneshot(req));
        }
        record_route(Route::Direct);
        let fallback = Fallback {
            service: self.bypass.clone(),
            request: req.clone(),
            memory: self.memory.clone(),
            host,
        };
        ResponseFuture::direct(self.direct.clone().oneshot(req), fallback)
    }
}

/// Records the route on the current span (the transport's `pixiv.request` span declares `route`).
pub(crate) fn record_route(route: Route) {
    tracing::Span::current().record("route", route.as_str());
}

/// Hosts that need the bypass route, until when (tokio time). Shared by clones.
#[derive(Debug, Clone)]
pub(crate) struct RouteMemory {
    hosts: Arc<Mutex<HashMap<String, Instant>>>,
    remember: Duration,
}

impl RouteMemory {
    pub(crate) fn new(remember: Duration) -> Self {
        Self {
            hosts: Arc::default(),
            remember,
        }
    }

    fn hosts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // A map of deadlines holds no invariant a panic could break.
        self.hosts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn needs_bypass(&self, host: &str) -> bool {
        let mut hosts = self.hosts();
        match hosts.get(host) {
            Some(until) if Instant::now() < *until => true,
            Some(_) => {
                hosts.remove(host);
                tracing::debug!(
                    host,
                    "bypass route no longer remembered; trying direct again"
                );
                false
            }
            None => false,
        }
    }

    pub(crate) fn remember(&self, host: &str) {
        let until = Instant::now() + self.remember;
        self.hosts().insert(host.to_owned(), until);
    }
}

/// What the direct attempt needs to fall back: the bypass route and a copy of the request.
pub(crate) struct Fallback<S, B> {
    pub(crate) service: S,
    pub(crate) request: Request<B>,
    pub(crate) memory: RouteMemory,
    pub(crate) host: String,
}

pin_project! {
    /// Response future of [`Bypass`].
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, B>
    where
        S: Service<Request<B>>,
    {
        Direct {
            #[pin]
            future: Oneshot<S, Request<B>>,
            fallback: Option<Fallback<S, B>>,
        },
        Bypass {
            #[pin]
            future: Oneshot<S, Request<B>>,
        },
    }
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<B>>,
{
    pub(crate) fn direct(future: Oneshot<S, Request<B>>, fallback: Fallback<S, B>) -> Self {
        Self {
            state: State::Direct {
                future,
                fallback: Some(fallback),
            },
        }
    }

    pub(crate) fn bypass(future: Oneshot<S, Request<B>>) -> Self {
        Self {
            state: State::Bypass { future },
        }
    }
}

impl<S, B, RB> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<RB>, Error = PixivError>,
{
    type Output = Result<Response<RB>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Bypass { future } => return future.poll(cx),
                StateProj::Direct { future, fallback } => {
                    let result = ready!(future.poll(cx));
                    let ray_id = match &result {
                        Err(PixivError::CloudflareChallenge { ray_id, .. }) => ray_id.clone(),
                        _ => return Poll::Ready(result),
                    };
                    let Some(fallback) = fallback.take() else {
                        return Poll::Ready(result);
                    };
                    // A challenge page means the request never reached Pixiv's origin, so sending
                    // it again is safe whatever its method.
                    fallback.memory.remember(&fallback.host);
                    record_route(Route::Bypass);
                    tracing::info!(
                        host = %fallback.host,
                        ray_id = ray_id.as_deref().unwrap_or(""),
                        "Cloudflare challenge on the direct route; \
                         sending the request again on the bypass route"
                    );
                    State::Bypass {
                        future: fallback.service.oneshot(fallback.request),
                    }
                }
            };
            state.set(next);
        }
    }
}
