//! Helpers shared by the cross-crate reliability tests: a transport and a facade client pointed at
//! a pixiv-mock, and a real `tinyproxy` (the proxy helper is copied from
//! `crates/pixiv-transport/tests/proxy.rs`, since test helpers are not exported across crates).
//! Each test file uses a subset, hence the `dead_code` allowance.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

pub mod pixivpy;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use http::Request;
use pixiv_mock::MockPixiv;
use pixiv_transport::auth::StaticToken;
use pixiv_transport::retry::RetryPolicy;
use pixiv_transport::{RequestBody, Transport, TransportBuilder};

/// The Referer the image host wants.
pub const REFERER: &str = "https://app-api.pixiv.net/";

/// The client secret every Pixiv client sends (docs/protocol.md): it must never be logged.
pub const CLIENT_SECRET: &str = "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj";

/// A mock with its defaults (TLS, HTTP/2 offered).
pub async fn mock() -> MockPixiv {
    MockPixiv::builder().start().await.unwrap()
}

/// A transport builder trusting `mock`'s CA, a Bearer (a fresh mock token) for its origin, no
/// rate limit, and PixivPy's retry policy without jitter (so waits are exact).
pub fn builder(mock: &MockPixiv) -> TransportBuilder {
    Transport::builder()
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
        .auth_origins([mock.base_url().parse().unwrap()])
        .no_rate_limit()
        .retry(RetryPolicy::new().jitter(false))
}

/// [`builder`], built.
pub fn transport(mock: &MockPixiv) -> Transport {
    builder(mock).build().unwrap()
}

/// A GET of `path` on the mock with the image Referer.
pub fn get(mock: &MockPixiv, path: &str) -> Request<RequestBody> {
    Request::get(format!("{}{path}", mock.base_url()))
        .header("referer", REFERER)
        .body(RequestBody::default())
        .unwrap()
}

/// A facade client pointed at `mock` for all three hosts, trusting its CA.
pub fn client_builder(mock: &MockPixiv) -> pixiv::ClientBuilder {
    pixiv::Client::builder()
        .refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
        .base_url(&mock.base_url())
        .transport(|t| t.add_root_certificate_pem(mock.ca_pem()))
}

/// Every file under `dir` (recursively), for "no partial file" checks.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub use pixiv_mock::tinyproxy::{ProxyOptions, TinyProxy};

/// A tinyproxy for one test; the test fails (not skips) when it cannot start.
pub fn start_proxy(options: ProxyOptions<'_>) -> TinyProxy {
    TinyProxy::start(options).unwrap_or_else(|e| panic!("{e}"))
}
