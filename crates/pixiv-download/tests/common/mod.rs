//! Shared by the integration tests: the mock over TLS, a service stack built the way the pixiv
//! Transport builds its lower half (hyper-util's client, rustls with the ring provider trusting
//! only the mock's CA, the transport's ErrorMap and Timeout layers), and small file helpers.
#![allow(dead_code, unreachable_pub)]
// Test helpers: a panic here is a failed test, as in the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_download::{Downloader, Event, EventSink, RetryPolicy};
use pixiv_mock::{LoggedRequest, MockPixiv};
use pixiv_transport::error_map::{ErrorMap, ErrorMapLayer};
use pixiv_transport::timeout::{Timeout, TimeoutLayer};
use tower::Layer as _;

/// hyper-util's client with the transport's request body.
pub type RawClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The stack under test: Timeout -> ErrorMap -> hyper-util client.
pub type Stack = Timeout<ErrorMap<RawClient>>;

/// A mock over TLS (HTTP/2 offered).
pub async fn mock() -> MockPixiv {
    MockPixiv::builder().start().await.expect("mock starts")
}

/// A mock over TLS that speaks HTTP/1.1 only (one request per connection at a time, so open
/// connections count requests in flight).
pub async fn mock_h1() -> MockPixiv {
    MockPixiv::builder()
        .http2(false)
        .start()
        .await
        .expect("mock starts")
}

fn tls_config(ca_der: &[u8]) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der.to_vec().into()).unwrap();
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// The raw client trusting only the mock's CA; `http2` lets ALPN pick h2.
pub fn raw_client(mock: &MockPixiv, http2: bool) -> RawClient {
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(&mock.ca_der()))
        .https_only()
        .enable_http1();
    let https = if http2 {
        builder.enable_http2().build()
    } else {
        builder.build()
    };
    Client::builder(TokioExecutor::new()).build(https)
}

/// The stack over the mock.
pub fn stack(mock: &MockPixiv, http2: bool) -> Stack {
    let timeouts = TimeoutLayer::new()
        .headers(Some(Duration::from_secs(10)))
        .body_idle(Some(Duration::from_secs(10)));
    timeouts.layer(ErrorMapLayer::new().layer(raw_client(mock, http2)))
}

/// A downloader over the stack; retries wait 1 ms so tests stay quick.
pub fn downloader(mock: &MockPixiv) -> Downloader<Stack> {
    Downloader::new(stack(mock, true)).retry_policy(quick_policy())
}

/// PixivPy's retries, with a 1 ms backoff factor so tests stay quick.
pub fn quick_policy() -> RetryPolicy {
    RetryPolicy::new().backoff_factor(Duration::from_millis(1))
}

/// `{base}{path}`.
pub fn url(mock: &MockPixiv, path: &str) -> String {
    format!("{}{path}", mock.base_url())
}

/// The image-host requests the mock logged for exactly `path`.
pub fn requests_for(mock: &MockPixiv, path: &str) -> Vec<LoggedRequest> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

/// The names in `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// An event sink that records everything.
pub fn recorder() -> (EventSink, Arc<Mutex<Vec<Event>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink_log = Arc::clone(&log);
    (
        EventSink::new(move |e: &Event| sink_log.lock().unwrap().push(e.clone())),
        log,
    )
}

/// A stack of a user's own without the error map: hyper-util's client whose error answers come
/// back as `Ok` (only the body and error types adapted).
pub fn raw_service(
    mock: &MockPixiv,
) -> impl tower::Service<
    http::Request<pixiv_transport::RequestBody>,
    Response = http::Response<pixiv_transport::Body>,
    Error = pixiv_download::PixivError,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    tower::ServiceBuilder::new()
        .map_err(pixiv_download::PixivError::connect)
        .map_response(|r: http::Response<hyper::body::Incoming>| {
            r.map(|b| {
                pixiv_transport::body::boxed(pixiv_transport::error_map::ResponseBody::new(b, None))
            })
        })
        .service(raw_client(mock, true))
}
