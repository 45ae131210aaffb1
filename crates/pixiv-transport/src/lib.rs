//! The pixiv-rs HTTP client: hyper + rustls under a tower stack of retry, timeout, rate-limit and
//! auth layers. (Being written; see the module docs.)

pub mod auth;
pub mod body;
pub mod config;
pub mod connect;
pub mod error_map;
pub mod headers;
pub mod metrics;
pub mod ratelimit;
pub mod redirect;
pub mod retry;
pub mod timeout;
mod trace;
pub mod transport;

pub use body::{Body, RequestBody};
pub use pixiv_errors::PixivError;
