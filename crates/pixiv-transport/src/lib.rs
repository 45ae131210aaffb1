//! The pixiv-rs HTTP client: hyper + rustls under a tower stack of retry, timeout, rate-limit and
//! auth layers.
//!
//! [`Transport`] is the default stack behind one cheap `Clone`: Pixiv's client headers, a Bearer
//! token to the hosts you name (refreshed once and replayed when rejected), PixivPy's retry
//! policy, a shared rate limiter, per-attempt timeouts, at most 5 redirects (credentials dropped
//! across origins), typed errors for every failure ([`PixivError`]), gzip/br/deflate, and a pooled
//! HTTP/1.1 + HTTP/2 client over rustls. Every layer is also public on its own, generic over the
//! inner service: `ServiceBuilder::new().layer(AuthLayer::new(..)).service(your_client)`.
//!
//! | module | what |
//! |---|---|
//! | [`transport`], [`config`] | the assembled stack, its one builder ([`TransportBuilder`]) and its defaults (PixivPy's) |
//! | [`headers`] | Pixiv's client headers; the request's own win |
//! | [`auth`] | Bearer from a [`TokenSource`](auth::TokenSource); single-flight refresh |
//! | [`retry`], [`ratelimit`], [`timeout`] | when to try again, how often to start, how long to wait |
//! | [`redirect`] | 5 hops, credentials dropped across origins, typed refusals |
//! | [`error_map`] | the one place answers and transport failures become [`PixivError`]s |
//! | [`connect`] | hyper-util's pool, rustls, proxies, resolvers |
//! | [`metrics`] | counters to watch the client with |
//! | [`body`] | the request and response body types every layer shares |
//! | `bypass` | (feature `bypass`) the alternate route: DoH, TLS without SNI, challenge fallback |
//!
//! The request path is drawn in `docs/architecture.md`.
//!
//! # Example
//!
//! Against the local Pixiv-compatible server (`pixiv-mock`), trusting its CA:
//!
//! ```
//! use std::sync::Arc;
//! use pixiv_transport::{PixivError, Transport, auth::StaticToken};
//!
//! #[derive(serde::Deserialize)]
//! struct Detail { illust: Illust }
//! #[derive(serde::Deserialize)]
//! struct Illust { id: u64, title: String }
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = pixiv_mock::MockPixiv::builder().start().await?;
//! let transport = Transport::builder()
//!     .add_root_certificate_pem(mock.ca_pem())
//!     .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
//!     .auth_origins([mock.base_url().parse()?]) // the Bearer goes here and nowhere else
//!     .build()?;
//!
//! let url = format!("{}/v1/illust/detail", mock.base_url());
//! let resp = transport.get(&url, &[("illust_id", "12345")]).await?;
//! assert_eq!(resp.status(), 200);
//!
//! let req = http::Request::get(format!("{url}?illust_id=12345"))
//!     .body(pixiv_transport::RequestBody::default())?;
//! let detail: Detail = transport.json(req).await?;
//! assert_eq!(detail.illust.id, 12345);
//! # let _ = detail.illust.title;
//!
//! // A missing work is a typed error carrying Pixiv's message.
//! let err = transport.get(&url, &[("illust_id", "0")]).await.unwrap_err();
//! assert!(matches!(err, PixivError::Http { .. }));
//!
//! let m = transport.metrics();
//! assert_eq!((m.requests, m.errors), (3, 1));
//! # Ok(())
//! # }
//! ```

/// `get_ref`, `get_mut` and `into_inner` for a layer's service `$service<S>` (as tower-http's
/// `define_inner_service_accessors!`): `inner` is the wrapped service, or with `via` a wrapper
/// of it that has the same three accessors (tower-http's `FollowRedirect`).
macro_rules! inner_accessors {
    ($service:ident) => {
        inner_accessors!(@impl $service, |s| &s.inner, |s| &mut s.inner, |s| s.inner);
    };
    ($service:ident via) => {
        inner_accessors!(@impl $service, |s| s.inner.get_ref(), |s| s.inner.get_mut(), |s| s.inner.into_inner());
    };
    (@impl $service:ident, |$r:ident| $get_ref:expr, |$m:ident| $get_mut:expr, |$o:ident| $into:expr) => {
        impl<S> $service<S> {
            /// The wrapped service.
            pub fn get_ref(&self) -> &S {
                let $r = self;
                $get_ref
            }

            /// The wrapped service, mutably.
            pub fn get_mut(&mut self) -> &mut S {
                let $m = self;
                $get_mut
            }

            /// Unwraps the wrapped service.
            pub fn into_inner(self) -> S {
                let $o = self;
                $into
            }
        }
    };
}

pub mod auth;
pub mod body;
mod builder;
#[cfg(feature = "bypass")]
pub mod bypass;
pub mod config;
pub mod connect;
pub mod decompress;
pub mod error_map;
pub mod headers;
pub mod metrics;
pub mod ratelimit;
pub mod redirect;
pub mod retry;
pub mod timeout;
mod trace;
pub mod transport;
pub mod wait;

pub use body::{Body, RequestBody};
pub use config::Timeouts;
pub use metrics::MetricsSnapshot;
pub use pixiv_errors::PixivError;
pub use transport::{Transport, TransportBuilder};
