//! The `Service<Uri>` under hyper-util's client: per destination, ask the proxy matcher, then
//! connect directly, tunnel with CONNECT, tunnel with SOCKS5 (`socks.rs`), or connect to the proxy
//! for absolute-form HTTP.
//! TLS to the target is hyper-rustls' `HttpsConnector` around this; [`Counting`] around that.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::BoxFuture;
use http::Uri;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::TokioIo;
use pixiv_errors::BoxError;
use tower::ServiceExt;
use tower_service::Service;

use super::address;
use super::error::{ConnectError, ConnectErrorKind};
use super::hosts::{HostTable, LiveGuard, SLOT_WAIT, key};
use super::progress;
use super::proxy::{ProxyConfig, ProxyError, Recording, basic_auth, status_line};
use super::resolve::DynResolver;
use super::socks::{SocksConnect, is_socks};
use super::stream::{Conn, ConnKind, ProxyIo};
use crate::error_map::chain_message;

pub(crate) type Tcp = HttpConnector<DynResolver>;

/// Routes each destination directly or through the configured proxy.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) tcp: Tcp,
    /// Dials proxies: plain TCP for `http://` proxies, TLS (ALPN http/1.1) for `https://` ones.
    pub(crate) proxy_dial: HttpsConnector<Tcp>,
    pub(crate) proxy: ProxyConfig,
    pub(crate) hosts: Arc<HostTable>,
    /// The target's resolver, for `socks5://` proxies (the client resolves, the proxy connects).
    pub(crate) resolver: DynResolver,
    /// Bounds a SOCKS handshake (the connect timeout).
    pub(crate) handshake_timeout: Option<Duration>,
}

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Conn, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Each call clones what it needs and readies it with `oneshot`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let host = self.hosts.get(&key(&dst).unwrap_or_default());
        // The chain's origin, read while `HttpClient::call`'s scope is set, carried into the
        // connect (which may finish in a background task) for the resolver.
        let from_public = address::from_public_now();
        let route = address::scope(from_public, self.route(dst.clone()));
        let progress = progress::current();
        if let Some(p) = &progress {
            p.connecting();
        }
        let gone = self.hosts.client_gone();
        Box::pin(async move {
            let slot = match &host.slots {
                Some(slots) => {
                    let wait = tokio::time::timeout(SLOT_WAIT, Arc::clone(slots).acquire_owned());
                    let outcome = tokio::select! {
                        outcome = wait => outcome,
                        () = gone => {
                            return Err(ConnectError::new(
                                ConnectErrorKind::Other,
                                "the client was dropped while this connect waited for a \
                                 connection slot",
                            )
                            .into());
                        }
                    };
                    match outcome {
                        Ok(Ok(permit)) => Some(permit),
                        _ => {
                            return Err(ConnectError::new(
                                ConnectErrorKind::Other,
                                format!(
                                    "no free connection slot to {dst} within {SLOT_WAIT:?} \
                                     (max_connections_per_host reached)"
                                ),
                            )
                            .into());
                        }
                    }
                }
                None => None,
            };
            let kind = route.await?;
            // TCP (and a proxy's tunnel) is up: what remains is the TLS handshake.
            if let Some(p) = &progress {
                p.handshaking();
            }
            Ok(Conn {
                kind,
                _live: LiveGuard::new(host, slot),
            })
        })
    }
}

impl Connector {
    fn route(&self, dst: Uri) -> BoxFuture<'static, Result<ConnKind, BoxError>> {
        let Some(intercept) = self.proxy.intercept(&dst) else {
            let tcp = self.tcp.clone();
            return Box::pin(async move { Ok(ConnKind::Direct(tcp.oneshot(dst).await?)) });
        };
        let proxy_uri = intercept.uri().clone();
        let proxy_name = proxy_uri
            .authority()
            .map_or_else(String::new, ToString::to_string);
        if is_socks(proxy_uri.scheme_str()) {
            let socks = SocksConnect {
                dial: self.proxy_dial.clone(),
                resolver: self.resolver.clone(),
                handshake_timeout: self.handshake_timeout,
            };
            return Box::pin(socks.connect(intercept, dst));
        }
        if !matches!(proxy_uri.scheme_str(), Some("http" | "https")) {
            let message = format!(
                "unsupported proxy scheme {:?} for {proxy_name} (http, https, socks5, socks5h)",
                proxy_uri.scheme_str().unwrap_or_default()
            );
            return Box::pin(async move {
                Err(ProxyError {
                    message,
                    source: None,
                }
                .into())
            });
        }
        let auth = basic_auth(&intercept);
        let record = Arc::new(Mutex::new(Vec::new()));
        let dial = ProxyDial {
            inner: self.proxy_dial.clone(),
            record: Arc::clone(&record),
        };

        if dst.scheme_str() == Some("https") {
            let had_auth = auth.is_some();
            let mut tunnel = Tunnel::new(proxy_uri, dial);
            if let Some(auth) = auth {
                tunnel = tunnel.with_auth(auth);
            }
            Box::pin(async move {
                match tunnel.oneshot(dst.clone()).await {
                    Ok(io) => Ok(ConnKind::Proxy {
                        io: Box::new(io),
                        absolute_form: false,
                    }),
                    Err(e) => {
                        let recorded = record.lock().map(|r| r.clone()).unwrap_or_default();
                        Err(tunnel_error(e.into(), &proxy_name, &dst, &recorded, had_auth).into())
                    }
                }
            })
        } else {
            Box::pin(async move {
                match dial.oneshot(proxy_uri).await {
                    Ok(io) => Ok(ConnKind::Proxy {
                        io: Box::new(io),
                        absolute_form: true,
                    }),
                    Err(e) => Err(dial_error(e, &proxy_name).into()),
                }
            })
        }
    }
}

fn dial_error(e: BoxError, proxy: &str) -> ProxyError {
    ProxyError {
        message: format!(
            "could not connect to the proxy {proxy}: {}",
            chain_message(&*e)
        ),
        source: Some(e),
    }
}

/// Explains a failed CONNECT from what the proxy answered (its status line, recorded on the way
/// in), since hyper-util's `TunnelError` keeps only "unsuccessful".
fn tunnel_error(
    e: BoxError,
    proxy: &str,
    dst: &Uri,
    recorded: &[u8],
    had_auth: bool,
) -> ProxyError {
    let target = dst
        .authority()
        .map_or_else(String::new, ToString::to_string);
    let Some(line) = status_line(recorded) else {
        return match std::error::Error::source(&*e) {
            Some(_) => dial_error(e, proxy),
            None => ProxyError {
                message: format!(
                    "CONNECT to {target} through the proxy {proxy} failed: {}",
                    chain_message(&*e)
                ),
                source: Some(e),
            },
        };
    };
    let code = line.split_whitespace().nth(1).unwrap_or_default();
    // hyper-util reads the CONNECT reply into 8 KiB and parses at most 100 headers: past either
    // it fails even after a "200" status line, which must not read as a refusal.
    let oversized = chain_message(&*e).contains("headers too long");
    if oversized || code == "200" {
        let what = if oversized {
            "an oversized reply (its header block passed 8 KiB)"
        } else {
            "a malformed reply (more than 100 headers, or not HTTP)"
        };
        return ProxyError {
            message: format!(
                "the proxy {proxy} answered CONNECT to {target} with {what}; status line \"{line}\""
            ),
            source: Some(e),
        };
    }
    // 407 is the standard answer; tinyproxy answers 401 to wrong credentials. Either way the
    // proxy, not the target, refused: CONNECT never reached the target.
    let message = if code == "407" || code == "401" {
        let why = if had_auth {
            "the proxy rejected the credentials in the proxy URL"
        } else {
            "no credentials were given (put them in the proxy URL: http://user:pass@host:port)"
        };
        format!("proxy authentication required: {proxy} answered \"{line}\"; {why}")
    } else {
        format!("the proxy {proxy} refused the CONNECT tunnel to {target}: it answered \"{line}\"")
    };
    ProxyError {
        message,
        source: Some(e),
    }
}

/// Connects to a proxy and records its first answer (see [`Recording`]).
#[derive(Clone)]
struct ProxyDial {
    inner: HttpsConnector<Tcp>,
    record: Arc<Mutex<Vec<u8>>>,
}

impl Service<Uri> for ProxyDial {
    type Response = ProxyIo;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<ProxyIo, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, proxy: Uri) -> Self::Future {
        let fut = self.inner.call(proxy);
        let record = Arc::clone(&self.record);
        Box::pin(async move {
            let io = fut.await?;
            Ok(TokioIo::new(Recording::new(TokioIo::new(io), record)))
        })
    }
}

/// Counts the connections a connector establishes (TLS included): `connections_opened()`.
#[derive(Clone)]
pub(crate) struct Counting<C> {
    pub(crate) inner: C,
    pub(crate) opened: Arc<AtomicU64>,
}

impl<C> Service<Uri> for Counting<C>
where
    C: Service<Uri, Error = BoxError>,
    C::Future: Send + 'static,
    C::Response: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<C::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let progress = progress::current();
        let fut = self.inner.call(dst);
        let opened = Arc::clone(&self.opened);
        Box::pin(async move {
            let conn = fut.await?;
            if let Some(p) = &progress {
                p.ready();
            }
            opened.fetch_add(1, Ordering::Relaxed);
            Ok(conn)
        })
    }
}
