//! The connection layer: hyper-util's pooled client over TCP, rustls and proxies.
//!
//! Small pieces, one concern each:
//! - [`ConnectConfig`] (`config.rs`): pool, TCP, HTTP/2, with PixivPy's defaults;
//! - [`TlsConfig`] (`tls.rs`): roots, extra CAs, opt-in no-verify, SNI;
//! - [`ProxyConfig`] (`proxy.rs`): explicit or from the environment, CONNECT and absolute form;
//!   SOCKS5 tunnels in `socks.rs`;
//! - [`Resolve`] (`resolve.rs`): system DNS or a [`StaticResolver`];
//! - [`HttpClient`] (`client.rs`): the tower service the layers wrap;
//! - [`ConnectError`] (`error.rs`): what failed, as a [`ConnectErrorKind`]; `error_map` turns it
//!   into a [`PixivError`](crate::PixivError) (the one boundary: nothing here builds one for a
//!   failed connection).
//!
//! Stated once, because hyper-util hides them: the pool's idle timeout needs a pool timer and
//! HTTP/2 keep-alive a timer (both set; an idle connection goes at hyper-util's next sweep, between
//! one and two idle timeouts); an `HttpConnector` under TLS needs `enforce_http(false)` (set); the
//! pool caps idle connections, not open ones (see [`ConnectConfig::max_connections_per_host`]);
//! and a burst of requests to a host without a connection would open one connection each before
//! ALPN says h2, so the first request to such a host connects alone (`hosts.rs`, measured in
//! `tests/pool.rs`).
//!
//! ```no_run
//! # async fn run() -> Result<(), pixiv_transport::PixivError> {
//! use std::time::Duration;
//! use pixiv_transport::connect::{ConnectConfig, HttpClient, ProxyConfig, TlsConfig};
//! use tower::ServiceExt;
//!
//! let config = ConnectConfig::new()
//!     .connect_timeout(Some(Duration::from_secs(5)))
//!     .tls(TlsConfig::new().add_root_pem(b"-----BEGIN CERTIFICATE-----\n...")?)
//!     .proxy(ProxyConfig::from_env()?);
//! let client = HttpClient::new(config)?;
//! let req = http::Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!     .body(pixiv_transport::RequestBody::default())
//!     .unwrap();
//! let resp = client.clone().oneshot(req).await?;
//! println!("{} over {:?}", resp.status(), resp.version());
//! # Ok(()) }
//! ```

pub(crate) mod address;
mod client;
mod config;
mod connector;
pub(crate) mod error;
mod hosts;
pub(crate) mod progress;
pub mod proxy;
pub mod resolve;
mod socks;
mod stream;
pub mod tls;

pub use client::{ClientBody, ConnectionCounter, HttpClient, ResponseFuture};
pub use config::{
    ConnectConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL,
    DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_POOL_MAX_IDLE_PER_HOST,
    DEFAULT_TCP_KEEPALIVE, TUNED_POOL_MAX_IDLE_PER_HOST,
};
pub use error::{ConnectError, ConnectErrorKind};
pub use proxy::ProxyConfig;
pub use resolve::{Name, Resolve, StaticResolver, SystemResolver};
pub use tls::{RootCerts, TlsConfig};
