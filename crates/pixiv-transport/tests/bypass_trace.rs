//! The `route` field of the request span (feature `bypass`). Alone in its own test binary:
//! tracing caches each callsite's interest globally, and tests on other threads that hit the same
//! callsites while this test's scoped subscriber is being set can leave them disabled for it.
//!
//! Run with `cargo test -p pixiv-transport --features bypass --test bypass_trace`.
// Helpers outside #[test] fns unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;
use std::sync::Arc;

use http::StatusCode;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::auth::StaticToken;
use pixiv_transport::bypass::Route;
use pixiv_transport::config::TransportConfig;
use pixiv_transport::connect::{ConnectConfig, StaticResolver};
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
        .config(
            TransportConfig::new().connect(
                ConnectConfig::new().resolver(StaticResolver::new().with(API, [localhost()])),
            ),
        )
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
        .auth_hosts([API])
        .doh_endpoints([format!("{}/dns-query", mock.base_url())])
}

async fn get_detail(t: &Transport, mock: &MockPixiv) -> Result<StatusCode, PixivError> {
    let url = format!("https://{API}:{}{DETAIL}", mock.addr().port());
    Ok(t.get(&url, &[("illust_id", "1")]).await?.status())
}

/// Collects what a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("pixiv_transport=debug"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    (capture, tracing::subscriber::set_default(subscriber))
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn the_request_span_says_which_route_was_taken() {
    let mock = mock_with_dns().await;
    let (out, _guard) = capture();

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
    out.0.lock().unwrap().clear();
    get_detail(&fallback, &mock).await.unwrap();
    let text = out.text();
    assert!(text.contains(r#"route="direct" route="bypass""#), "{text}");
    assert!(
        text.contains("Cloudflare challenge on the direct route"),
        "{text}"
    );
    assert!(text.contains("-NRT"), "the ray id is logged: {text}");
}
