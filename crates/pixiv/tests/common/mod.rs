//! Shared set-up: a pixiv-mock over TLS and a client that trusts its CA.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use pixiv::{Client, ClientBuilder};
use pixiv_mock::{LoggedRequest, MockPixiv};

/// A mock with the defaults (TLS, HTTP/2).
pub async fn mock() -> MockPixiv {
    MockPixiv::builder().start().await.unwrap()
}

/// A builder pointed at `mock` for all three hosts, trusting its CA, with the demo refresh token.
pub fn builder(mock: &MockPixiv) -> ClientBuilder {
    Client::builder()
        .refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
        .base_url(&mock.base_url())
        .transport(|t| t.add_root_certificate_pem(mock.ca_pem()))
}

/// [`builder`], built.
pub fn client(mock: &MockPixiv) -> Client {
    builder(mock).build().unwrap()
}

/// The query pairs of a logged request, as `&str`s.
pub fn query(r: &LoggedRequest) -> Vec<(&str, &str)> {
    r.query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Owned pairs from literals.
pub fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The App API requests of the log (no OAuth, no images).
pub fn api_requests(mock: &MockPixiv) -> Vec<LoggedRequest> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/") || r.path.starts_with("/v2/"))
        .collect()
}
