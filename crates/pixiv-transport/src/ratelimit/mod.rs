//! How often requests may start: a shared sliding-window limiter, and a layer that applies it.
//!
//! [`RateLimiter`] is the core, with no HTTP types (like `twilight-http-ratelimiting`): a cheap
//! `Clone` handle to shared state allowing at most `max` starts in *any* window of length
//! `window`, FIFO among waiters, cancel-safe, and pausable. Use it on its own for anything:
//!
//! ```
//! use std::time::Duration;
//! use pixiv_transport::ratelimit::RateLimiter;
//! use tokio::time::Instant;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let limiter = RateLimiter::new(2, Duration::from_secs(10));
//! let t0 = Instant::now();
//! limiter.acquire().await;
//! limiter.acquire().await;
//! // The third start waits for the first to leave the window.
//! let permit = limiter.acquire().await;
//! assert_eq!(permit.started(), t0 + Duration::from_secs(10));
//! assert_eq!(limiter.in_window(), 1);
//! # }
//! ```
//!
//! [`RateLimitLayer`] takes a slot before every call of the inner service, and when the call
//! ends in [`PixivError::RateLimited`] (a 429, or Pixiv's "Rate Limit" body) pauses the *whole*
//! limiter — every task, every clone — for the answer's `Retry-After` or, since Pixiv sends none
//! (docs/protocol.md), for [`DEFAULT_RATE_LIMIT_COOLDOWN`]. The error is passed on unchanged.
//!
//! ```
//! use std::time::Duration;
//! use http::{Request, Response};
//! use pixiv_transport::ratelimit::{RateLimitLayer, RateLimiter};
//! use pixiv_transport::{Body, PixivError, RequestBody};
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let limiter = RateLimiter::new(100, Duration::from_secs(60)); // PixivPy's figures
//! let svc = ServiceBuilder::new()
//!     .layer(RateLimitLayer::new(limiter.clone()))
//!     .service(tower::service_fn(|_req: Request<RequestBody>| async {
//!         Err::<Response<Body>, _>(PixivError::rate_limited(http::StatusCode::FORBIDDEN, None))
//!     }));
//! let req = Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!     .body(RequestBody::default())
//!     .unwrap();
//! let err = svc.oneshot(req).await.unwrap_err();
//! assert!(matches!(err, PixivError::RateLimited { .. }));
//! // Everyone now waits out the cool-down.
//! assert!(limiter.paused_until().is_some());
//! # }
//! ```
//!
//! # Where to place it
//!
//! Below the retry layer (`Retry -> RateLimit -> Timeout -> ...`, as `Transport` does): then every
//! attempt, retries included, takes a slot, so retries cannot push the client over the limit, and
//! a retry after a "Rate Limit" answer waits for the pause. Placed above the retry layer it would
//! count one start per call however many attempts the call made.
//!
//! # Why not tower's `RateLimit`
//!
//! `tower::limit::RateLimit` keeps its budget in each service value: every clone (and so every
//! task of a cloned client) gets its own N per period, it counts fixed periods rather than a
//! sliding window, and nothing can pause it from the outside. Pixiv limits the account, so the
//! budget must be one for the whole process, shared by every clone, and a "Rate Limit" answer seen
//! by one task must hold back all of them.
//!
//! # Details
//!
//! - A start is counted when the slot is granted, inside the call's future: `poll_ready` reserves
//!   nothing, so a future dropped before it ran (or while it waited) takes no slot.
//! - The inner service is driven ready only after the slot is granted, so a waiting call holds no
//!   capacity below it (no pooled connection, no buffer slot).
//! - Fast path: a call that finds a free slot allocates nothing; one that must wait boxes the
//!   limiter's `acquire` future.
//!
//! [`PixivError::RateLimited`]: pixiv_errors::PixivError::RateLimited

mod future;
mod layer;
mod limiter;
mod service;

use std::time::Duration;

pub use future::ResponseFuture;
pub use layer::RateLimitLayer;
pub use limiter::{DEFAULT_MAX_STARTS, DEFAULT_WINDOW, Permit, RateLimiter};
pub use service::RateLimit;

/// How long the whole limiter pauses after a "Rate Limit" answer that says nothing about when to
/// come back: 60 s.
///
/// Pixiv answers "Rate Limit" with no `Retry-After` (docs/protocol.md: "Pixiv publishes no limit and
/// sends no Retry-After as far as anyone has seen"). One minute is PixivPy's window
/// (`RateLimiter(calls=100, period=60)`): after it, the window that got us limited has fully
/// passed.
pub const DEFAULT_RATE_LIMIT_COOLDOWN: Duration = Duration::from_secs(60);
