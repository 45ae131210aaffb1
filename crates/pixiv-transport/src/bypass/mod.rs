//! The alternate route ("SNI bypass") and Cloudflare challenge fallback (cargo feature `bypass`).
//!
//! Cloudflare sometimes answers Pixiv's hosts with a challenge page that no library can pass
//! honestly; every such answer is already [`PixivError::CloudflareChallenge`] with its `cf-ray`
//! id. This module offers what PixivPy's `ByPassSniApi` does, done safely:
//!
//! - [`DohResolver`] (`doh.rs`): the host's address from DNS over HTTPS (the JSON API), asked of
//!   an ordered list of endpoints over verified TLS, cached for the answer's TTL. It implements
//!   [`Resolve`](crate::connect::Resolve), so it plugs into
//!   [`ConnectConfig::resolver`](crate::connect::ConnectConfig::resolver).
//! - [`Route::Bypass`] (`config.rs`): connect to that address, send the real `Host`, and do TLS
//!   with SNI turned off while **still verifying the certificate against the real host name**.
//!   Verification is never turned off for it; a TLS failure on this route says the route may be
//!   blocked (Pixiv is reported to require SNI now).
//! - [`BypassLayer`] / [`Bypass`] (`layer.rs`, `service.rs`): over two stacks (direct and
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
mod future;
mod layer;
mod service;

pub(crate) use compose::routes;
pub use config::{BypassConfig, DEFAULT_REMEMBER_BYPASS, Route};
pub use doh::{
    DEFAULT_DOH_ENDPOINTS, DEFAULT_DOH_TIMEOUT, DohError, DohFailure, DohResolver,
    DohResolverBuilder, MAX_DOH_CACHE_TTL,
};
pub use future::ResponseFuture;
pub use layer::BypassLayer;
pub use service::Bypass;

#[cfg(doc)]
use pixiv_errors::PixivError;
