//! [`HttpClient`]: hyper-util's pooled client over the connector, as a tower service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::header::PROXY_AUTHORIZATION;
use http::{Request, Response, StatusCode};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{HttpConnector, capture_connection};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tokio::sync::OwnedSemaphorePermit;
use tower_service::Service;

use super::address::{self, FromPublicOrigin};
use super::config::ConnectConfig;
use super::connector::{Connector, Counting};
use super::error::{ConnectError, ConnectErrorKind};
use super::hosts::{ClientAlive, HostTable, key};
use super::progress::{self, ConnectProgress};
use super::proxy::{ProxyConfig, basic_auth};
use super::resolve::DynResolver;
use crate::RequestBody;
use crate::error_map::{map_client_error, map_connect_error};
use crate::wait::MAX_WAIT;

type Inner = Client<Counting<HttpsConnector<Connector>>, RequestBody>;

/// The raw HTTP client: connection pool, HTTP/1.1 + HTTP/2 (ALPN), TLS, proxy, resolver.
///
/// A cheap `Clone` (all clones share the pool) tower `Service<Request<RequestBody>>` whose errors
/// are already [`PixivError`]s (connect timeout, TLS, proxy, connect) and whose response body is
/// the connection's stream ([`ClientBody`]). Requests need absolute URIs. See the
/// [module docs](super) for an example.
///
/// A clone is two reference counts: the layers above clone their inner service for every call
/// (retry, redirect, the type-erased stack), so a clone must not copy hyper-util's client (a dozen
/// reference counts and the connector's settings) each time.
#[derive(Clone)]
pub struct HttpClient {
    /// hyper-util's client: what a call's future holds (it keeps the pool, not the client, alive).
    inner: Arc<Inner>,
    shared: Arc<Shared>,
}

/// What every clone of a [`HttpClient`] shares besides hyper-util's client.
struct Shared {
    proxy: ProxyConfig,
    hosts: Arc<HostTable>,
    opened: Arc<AtomicU64>,
    /// Tells the connector when the last clone is gone.
    _alive: ClientAlive,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("proxy", &self.shared.proxy)
            .field("connections_opened", &self.connections_opened())
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Builds a client. Errors: `Tls`/`InvalidInput` when the TLS settings cannot be used (a
    /// malformed root certificate, an empty system store).
    pub fn new(config: ConnectConfig) -> Result<Self, PixivError> {
        let alpn: &[&[u8]] = if config.http2 {
            &[b"h2", b"http/1.1"]
        } else {
            &[b"http/1.1"]
        };
        let tls = config.tls.build(alpn)?;
        let hosts = Arc::new(HostTable::new(config.max_connections_per_host));

        let mut tcp = HttpConnector::new_with_resolver(DynResolver(Arc::clone(&config.resolver)));
        // hyper-rustls wraps this connector, so it must accept https:// URIs too.
        tcp.enforce_http(false);
        tcp.set_nodelay(config.tcp_nodelay);
        // Every duration handed to hyper-util, hyper and the socket is capped at `MAX_WAIT`:
        // some of them add it to an `Instant` (HTTP/2 PINGs), which would panic on overflow.
        let cap = |d: Duration| d.min(MAX_WAIT);
        tcp.set_keepalive(config.tcp_keepalive.map(cap));
        tcp.set_connect_timeout(config.connect_timeout.map(cap));

        let connector = Connector {
            tcp: tcp.clone(),
            proxy_dial: HttpsConnector::from((tcp, tls.proxy)),
            proxy: config.proxy.clone(),
            hosts: Arc::clone(&hosts),
            resolver: DynResolver(Arc::clone(&config.resolver)),
            handshake_timeout: config.connect_timeout.map(cap),
        };
        let opened = Arc::new(AtomicU64::new(0));
        let connector = Counting {
            inner: HttpsConnector::from((connector, tls.target)),
            opened: Arc::clone(&opened),
        };

        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_idle_timeout(config.pool_idle_timeout.map(cap))
            // Without a pool timer the idle timeout is never enforced; without a timer the
            // HTTP/2 keep-alive PINGs never fire.
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .http2_keep_alive_interval(config.http2_keep_alive_interval.map(cap))
            .http2_keep_alive_timeout(cap(config.http2_keep_alive_timeout))
            .http2_keep_alive_while_idle(config.http2_keep_alive_while_idle);
        let inner = builder.build(connector);

        Ok(Self {
            inner: Arc::new(inner),
            shared: Arc::new(Shared {
                proxy: config.proxy,
                _alive: ClientAlive(Arc::clone(&hosts)),
                hosts,
                opened,
            }),
        })
    }

    /// Connections established so far (TCP + TLS + proxy handshake done), by every clone.
    pub fn connections_opened(&self) -> u64 {
        self.shared.opened.load(Ordering::Relaxed)
    }

    /// A handle on the [`connections_opened`](Self::connections_opened) counter, for metrics
    /// that outlive the client's place in a stack.
    pub fn connection_counter(&self) -> ConnectionCounter {
        ConnectionCounter(Arc::clone(&self.shared.opened))
    }
}

/// Reads the number of connections a [`HttpClient`] opened.
#[derive(Debug, Clone)]
pub struct ConnectionCounter(Arc<AtomicU64>);

impl ConnectionCounter {
    /// Connections established so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Service<Request<RequestBody>> for HttpClient {
    type Response = Response<ClientBody>;
    type Error = PixivError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // hyper-util's client is always ready; back-pressure is the per-host limit in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<RequestBody>) -> Self::Future {
        let uri = req.uri();
        let (Some(scheme), Some(_)) = (uri.scheme_str(), uri.authority()) else {
            let err = map_connect_error(ConnectError::new(
                ConnectErrorKind::InvalidRequest,
                format!("{uri} is not absolute (scheme and host needed)"),
            ));
            return ResponseFuture::new(Box::pin(async move { Err(err) }));
        };
        // The address policy (address.rs): IP literals are checked here, before anything is
        // dialled; host names by the resolver, inside the scope set below.
        let from_public = req.extensions().get::<FromPublicOrigin>().is_some();
        let progress = req.extensions().get::<ConnectProgress>().cloned();
        if let Some(ip) = uri.host().and_then(address::literal) {
            if let Err(err) = address::check(uri.host().unwrap_or_default(), ip, from_public) {
                let err = map_connect_error(err);
                return ResponseFuture::new(Box::pin(async move { Err(err) }));
            }
        }
        let shared = &*self.shared;
        let host = shared.hosts.get(&key(uri).unwrap_or_default());
        // Plain HTTP through a proxy: the request itself goes to the proxy (absolute form), so it
        // carries the proxy's credentials. Never for https (the tunnel's CONNECT carries them).
        // (A SOCKS proxy is a plain tunnel: the request goes as to the target.)
        let intercept = if scheme == "http" {
            shared
                .proxy
                .intercept(uri)
                .filter(|i| matches!(i.uri().scheme_str(), Some("http" | "https")))
        } else {
            None
        };
        let via_proxy = intercept.is_some();
        if let Some(auth) = intercept.as_ref().and_then(basic_auth) {
            req.headers_mut().entry(PROXY_AUTHORIZATION).or_insert(auth);
        }
        let client = Arc::clone(&self.inner);
        let call = async move {
            let permit = match &host.requests {
                Some(requests) => Arc::clone(requests).acquire_owned().await.ok(),
                None => None,
            };
            // No connection to this host yet: connect alone, so a burst does not open one
            // connection per request before ALPN tells whether one (h2) would do.
            let pioneer = host.pioneer().await;
            let result = match pioneer {
                None => client.request(req).await,
                Some(guard) => {
                    let mut captured = capture_connection(&mut req);
                    let connected = async move {
                        // Drop the metadata's read guard here: it is not `Send`.
                        let _ = captured.wait_for_connection_metadata().await.is_some();
                    };
                    let response = client.request(req);
                    tokio::pin!(response);
                    tokio::select! {
                        biased;
                        result = &mut response => result,
                        () = connected => {
                            // The connection is in the pool (h2) or ours (http/1.1): let the
                            // others go.
                            drop(guard);
                            response.await
                        }
                    }
                }
            };
            let resp = result.map_err(|e| map_client_error(Box::new(e)))?;
            if via_proxy && resp.status() == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
                return Err(map_connect_error(ConnectError::new(
                    ConnectErrorKind::Proxy,
                    "proxy authentication required: the proxy answered 407 to a plain HTTP \
                     request (check the credentials in the proxy URL)",
                )));
            }
            Ok(resp.map(|body| ClientBody {
                inner: body,
                permit,
            }))
        };
        ResponseFuture::new(Box::pin(address::scope(
            from_public,
            progress::scope(progress, call),
        )))
    }
}

/// The future of [`HttpClient::call`].
pub struct ResponseFuture {
    inner: BoxFuture<'static, Result<Response<ClientBody>, PixivError>>,
}

impl ResponseFuture {
    fn new(inner: BoxFuture<'static, Result<Response<ClientBody>, PixivError>>) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseFuture")
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<ClientBody>, PixivError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

pin_project! {
    /// The response body of [`HttpClient`]: hyper's [`Incoming`], plus the per-host slot of
    /// [`ConnectConfig::max_connections_per_host`] (if set), released when the body ends or is
    /// dropped.
    pub struct ClientBody {
        #[pin]
        inner: Incoming,
        permit: Option<OwnedSemaphorePermit>,
    }
}

impl ClientBody {
    /// The hyper body (releasing the per-host slot, if any).
    pub fn into_inner(self) -> Incoming {
        self.inner
    }
}

impl fmt::Debug for ClientBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBody")
            .field("inner", &self.inner)
            .finish()
    }
}

impl HttpBody for ClientBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.project();
        let res = this.inner.poll_frame(cx);
        if matches!(res, Poll::Ready(None | Some(Err(_)))) {
            this.permit.take();
        }
        res
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
