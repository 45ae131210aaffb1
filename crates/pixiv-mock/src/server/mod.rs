//! The accept loop and the connection tasks: TCP, optional TLS (ALPN h2 / http/1.1), hyper-util's
//! auto connection builder, and the means to reset a connection (SO_LINGER 0, then drop).

pub(crate) mod body;
pub(crate) mod service;

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::state::{OpenGuard, Shared};
use service::ConnCtx;

/// How long the accept loop pauses after an accept error (EMFILE and friends), so it neither
/// spins nor gives up.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// How long a graceful shutdown waits for open connections to finish their answers. The mock
/// answers at once unless a fault stalls it, so one second is plenty, and a test that shuts down
/// mid-stall does not wait long.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Accepts connections until `shutdown` turns true, then closes them gracefully.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
) {
    let mut stop = shutdown.clone();
    let mut conns = JoinSet::new();
    let mut next_id: u64 = 0;
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    next_id += 1;
                    shared.connections_opened.fetch_add(1, Ordering::Relaxed);
                    shared.open_connections.fetch_add(1, Ordering::Relaxed);
                    let guard = OpenGuard(shared.clone());
                    conns.spawn(serve_connection(tcp, next_id, shared.clone(), tls.clone(), shutdown.clone(), guard));
                }
                Err(e) => {
                    shared.accept_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "pixiv-mock: accept failed; pausing");
                    tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while conns.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    }
}

async fn serve_connection(
    tcp: TcpStream,
    conn_id: u64,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
    _guard: OpenGuard,
) {
    let _ = tcp.set_nodelay(true);
    // A second handle on the socket, kept to set SO_LINGER 0 when a fault resets the connection.
    let socket = match socket2::SockRef::from(&tcp).try_clone() {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "pixiv-mock: could not duplicate the socket");
            return;
        }
    };
    let kill = Arc::new(Notify::new());
    match tls {
        None => {
            let ctx = Arc::new(ConnCtx {
                shared: shared.clone(),
                conn_id,
                sni: None,
                kill: kill.clone(),
            });
            run(tcp, ctx, shared.http2, socket, kill, shutdown).await;
        }
        Some(acceptor) => {
            let stream = match acceptor.accept(tcp).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::debug!(error = %e, conn_id, "pixiv-mock: TLS handshake failed");
                    return;
                }
            };
            let (_, session) = stream.get_ref();
            let sni = session.server_name().map(str::to_owned);
            let h2 = session.alpn_protocol() == Some(b"h2");
            let ctx = Arc::new(ConnCtx {
                shared: shared.clone(),
                conn_id,
                sni,
                kill: kill.clone(),
            });
            // ALPN decided the protocol; without ALPN the auto builder still detects a preface.
            run(stream, ctx, shared.http2 || h2, socket, kill, shutdown).await;
        }
    }
}

async fn run<I>(
    io: I,
    ctx: Arc<ConnCtx>,
    http2: bool,
    socket: socket2::Socket,
    kill: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    if !http2 {
        builder = builder.http1_only();
    }
    let svc = service_fn(move |req| service::handle(req, ctx.clone()));
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    let mut draining = false;
    loop {
        tokio::select! {
            res = conn.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(error = %e, "pixiv-mock: connection ended with an error");
                }
                return;
            }
            _ = kill.notified() => {
                reset(&socket);
                return;
            }
            () = stopped(&mut shutdown), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Resolves once shutdown is asked for (or the handle is gone).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Makes the coming close an RST: with SO_LINGER 0, closing the last handle aborts the connection.
fn reset(socket: &socket2::Socket) {
    if let Err(e) = socket.set_linger(Some(Duration::ZERO)) {
        tracing::debug!(error = %e, "pixiv-mock: SO_LINGER 0 failed");
    }
}

/// Binds a listener; `port` 0 picks a free one.
pub(crate) async fn bind(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await
}
