//! [`Bypass`]: picks the route per request; falls back once on a Cloudflare challenge.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use pixiv_errors::PixivError;
use tokio::time::Instant;
use tower::ServiceExt as _;
use tower_service::Service;

use super::config::Route;
use super::future::{Fallback, ResponseFuture};

/// Service of [`BypassLayer`](super::BypassLayer): the direct route, the bypass route, and which
/// hosts need the latter. See the [module docs](super).
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
