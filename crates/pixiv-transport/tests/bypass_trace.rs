//! The `route` field of the request span (feature `bypass`). Alone in its own test binary:
//! tracing caches each callsite's interest globally, and tests on other threads that hit the same
//! callsites while this test's scoped subscriber is being set can leave them disabled for it.
//!
//! Run with `cargo test -p pixiv-transport --features bypass --test bypass_trace`.
// Helpers outside #[test] fns unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::IpAddr;
use std::sync::Arc;

use common::LogCapture;
use http::StatusCode;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::auth::StaticToken;
use pixiv_transport::bypass::Route;
use pixiv_transport::connect::StaticResolver;
use pixiv_transport::{PixivError, Transport, TransportBuilder};

const API: &str = "app-api.pixiv.net";
const DETAIL: &str = "/v1/illust/detail";

fn localhost() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

async fn mock_with_dns() -> MockPixiv {
    MockPixiv::builder()
        .dns(API, vec![localhost()], 300)
        .start()
        .await
        .unwrap()
}

/// Trusts the mock's CA; the direct route maps app-api.pixiv.net to 127.0.0.1 with a static
/// table, the bypass route with the mock's DoH endpoint.
fn builder(mock: &MockPixiv) -> TransportBuilder {
    Transport::builder()
        .connect(|c| c.resolver(StaticResolver::new().with(API, [localhost()])))
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
        .auth_hosts([API])
        .doh_endpoints([format!("{}/dns-query", mock.base_url())])
}

async fn get_detail(t: &Transport, mock: &MockPixiv) -> Result<StatusCode, PixivError> {
    let url = format!("https://{API}:{}{DETAIL}", mock.addr().port());
    Ok(t.get(&url, &[("illust_id", "1")]).await?.status())
}

#[tokio::test]
async fn the_request_span_says_which_route_was_taken() {
    let mock = mock_with_dns().await;
    let (out, _guard) = LogCapture::start("pixiv_transport=debug");

    let direct = builder(&mock).build().unwrap();
    get_detail(&direct, &mock).await.unwrap();
    let text = out.text();
    assert!(text.contains(r#"route="direct""#), "{text}");
    assert!(!text.contains(r#"route="bypass""#), "{text}");

    let bypass = builder(&mock).route(Route::Bypass).build().unwrap();
    get_detail(&bypass, &mock).await.unwrap();
    assert!(out.text().contains(r#"route="bypass""#), "{}", out.text());

    // Fallback: the span records both, in order, and the switch is logged with the ray id.
    let fallback = builder(&mock).fallback_on_challenge(true).build().unwrap();
    mock.push_faults(RouteMatch::path(DETAIL), [Fault::CloudflareChallenge]);
    out.clear();
    get_detail(&fallback, &mock).await.unwrap();
    let text = out.text();
    assert!(text.contains(r#"route="direct" route="bypass""#), "{text}");
    assert!(
        text.contains("Cloudflare challenge on the direct route"),
        "{text}"
    );
    assert!(text.contains("-NRT"), "the ray id is logged: {text}");
}
