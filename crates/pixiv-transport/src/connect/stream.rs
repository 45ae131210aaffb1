//! The connection type the connector hands to hyper: direct TCP, or through a proxy.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::MaybeHttpsStream;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::hosts::LiveGuard;
use super::proxy::Recording;

/// A TCP connection as hyper-util's `HttpConnector` makes it.
pub(crate) type TcpIo = TokioIo<TcpStream>;

/// A connection to a proxy (TLS when the proxy URL is `https://`), recording the proxy's first
/// answer; after a CONNECT, the tunnel to the target.
pub(crate) type ProxyIo = TokioIo<Recording<TokioIo<MaybeHttpsStream<TcpIo>>>>;

/// What [`Connector`](super::connector::Connector) returns (before TLS to the target).
pub(crate) struct Conn {
    pub(crate) kind: ConnKind,
    /// Counts the connection as live (and holds its slot) until it is dropped.
    pub(crate) _live: LiveGuard,
}

/// How the connection reaches the target.
pub(crate) enum ConnKind {
    /// Straight to the target.
    Direct(TcpIo),
    /// Through a proxy. `absolute_form`: the proxy forwards plain-HTTP requests, which must then
    /// carry absolute URIs (hyper-util does that for connections marked `proxy(true)`).
    Proxy {
        io: Box<ProxyIo>,
        absolute_form: bool,
    },
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        match &self.kind {
            ConnKind::Direct(io) => io.connected(),
            ConnKind::Proxy { io, absolute_form } => io
                .inner()
                .get_ref()
                .inner()
                .connected()
                .proxy(*absolute_form),
        }
    }
}

impl Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().kind {
            ConnKind::Direct(io) => Pin::new(io).poll_read(cx, buf),
            ConnKind::Proxy { io, .. } => Pin::new(&mut **io).poll_read(cx, buf),
        }
    }
}

impl Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().kind {
            ConnKind::Direct(io) => Pin::new(io).poll_write(cx, buf),
            ConnKind::Proxy { io, .. } => Pin::new(&mut **io).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().kind {
            ConnKind::Direct(io) => Pin::new(io).poll_flush(cx),
            ConnKind::Proxy { io, .. } => Pin::new(&mut **io).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().kind {
            ConnKind::Direct(io) => Pin::new(io).poll_shutdown(cx),
            ConnKind::Proxy { io, .. } => Pin::new(&mut **io).poll_shutdown(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.kind {
            ConnKind::Direct(io) => io.is_write_vectored(),
            ConnKind::Proxy { io, .. } => io.is_write_vectored(),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().kind {
            ConnKind::Direct(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            ConnKind::Proxy { io, .. } => Pin::new(&mut **io).poll_write_vectored(cx, bufs),
        }
    }
}
