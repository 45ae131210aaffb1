//! Helpers shared by the integration tests: the mock server, the transport's TLS settings and a
//! raw hyper-util client that trust its CA, requests, a port where connections are refused, and a capture of the logs. Each test
//! file uses a subset, hence the `dead_code` allowance.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_errors::TimeoutPhase;
use pixiv_mock::{LoggedRequest, MockPixiv};
use pixiv_transport::connect::{RootCerts, TlsConfig};
use pixiv_transport::{Body, PixivError, RequestBody};

/// The Referer the mock's image host wants.
pub const REFERER: &str = "https://app-api.pixiv.net/";

/// A raw hyper-util client (hyper-rustls, ring) with the transport's request body type.
pub type RawClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Starts a mock with its defaults (TLS, HTTP/2 offered).
pub async fn mock() -> MockPixiv {
    MockPixiv::builder()
        .start()
        .await
        .expect("the mock should start")
}

/// The transport's TLS settings trusting only `mock`'s CA: no system or bundled root, so a
/// success proves the mock's certificate was verified (and nothing is trusted when the mock
/// speaks plain HTTP).
pub fn trusting(mock: &MockPixiv) -> TlsConfig {
    let tls = TlsConfig::new().roots(RootCerts::Empty);
    if mock.is_tls() {
        tls.add_root_pem(mock.ca_pem().as_bytes()).unwrap()
    } else {
        tls
    }
}

/// A rustls client config trusting only `ca_der`.
pub fn tls_config(ca_der: &[u8]) -> rustls::ClientConfig {
    tls_config_all(&[ca_der])
}

/// A rustls client config trusting these CAs (one per mock).
pub fn tls_config_all(cas: &[&[u8]]) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for ca in cas {
        roots.add(ca.to_vec().into()).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// A raw HTTPS client (HTTP/1.1 and HTTP/2 by ALPN) trusting only the mock's CA.
pub fn raw_client(mock: &MockPixiv) -> RawClient {
    raw_client_with(tls_config(&mock.ca_der()))
}

/// A raw HTTPS client with this TLS config.
pub fn raw_client_with(config: rustls::ClientConfig) -> RawClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// A GET request with an empty body.
pub fn get(url: &str) -> Request<Full<Bytes>> {
    Request::get(url).body(Full::default()).unwrap()
}

/// A GET with the Referer the mock's image host wants ([`REFERER`]).
/// GETs `url` through `client` with Pixiv's Referer; the answer's HTTP version and body length.
pub async fn fetch(
    client: &pixiv_transport::connect::HttpClient,
    url: &str,
) -> Result<(http::Version, usize), PixivError> {
    use tower::ServiceExt as _;
    let resp = client.clone().oneshot(get_with_referer(url)).await?;
    assert_eq!(resp.status(), 200, "{url}: {:?}", resp.headers());
    let version = resp.version();
    Ok((
        version,
        resp.into_body().collect().await.unwrap().to_bytes().len(),
    ))
}

/// The message of a `Proxy` error, which must mention `needle`.
pub fn expect_proxy_error(
    result: Result<(http::Version, usize), PixivError>,
    needle: &str,
) -> String {
    match result {
        Err(PixivError::Proxy { message }) => {
            assert!(
                message.contains(needle),
                "{message:?} should mention {needle:?}"
            );
            message
        }
        other => panic!("expected a Proxy error mentioning {needle:?}, got {other:?}"),
    }
}

pub fn get_with_referer(url: &str) -> Request<RequestBody> {
    Request::get(url)
        .header("referer", REFERER)
        .body(RequestBody::default())
        .unwrap()
}

/// A GET with `Authorization: Bearer <token>`.
pub fn get_bearer(url: &str, token: &str) -> Request<Full<Bytes>> {
    Request::get(url)
        .header("authorization", format!("Bearer {token}"))
        .body(Full::default())
        .unwrap()
}

/// Reads a whole response body; `Err` is the first body error.
pub async fn read_body(resp: Response<Body>) -> Result<Bytes, PixivError> {
    Ok(resp.into_body().collect().await?.to_bytes())
}

/// The value of `name` in a logged request, if present.
pub fn header<'a>(req: &'a LoggedRequest, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The phase of a timeout error; `None` for any other error.
pub fn timeout_phase(err: &PixivError) -> Option<TimeoutPhase> {
    match err {
        PixivError::Timeout { phase } => Some(*phase),
        _ => None,
    }
}

/// What a `tracing` fmt subscriber (no colours) writes while its guard lives.
///
/// The subscriber is this thread's default only: a test that reads logs runs on tokio's
/// current-thread runtime, so everything it awaits logs here.
#[derive(Debug, Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Captures the events `filter` (an `EnvFilter` directive, e.g. `pixiv_transport=debug`)
    /// enables, until the guard is dropped.
    pub fn start(filter: &str) -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = Self::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Forgets what was written so far.
    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A loopback port where every connection is refused, for as long as this value lives: a socket
/// bound to it that never listens.
///
/// Binding a listener to port 0 and dropping it to "free" the port races: a test in another
/// process (a mock, a proxy) may be given that port before it is used, and then something
/// answers. A bound socket holds the port, and without `listen` the kernel refuses connections.
#[derive(Debug)]
pub struct ClosedPort(tokio::net::TcpSocket);

impl ClosedPort {
    /// Binds a fresh socket to 127.0.0.1 on a port the kernel picks.
    pub fn new() -> Self {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        Self(socket)
    }

    /// Its address, `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        self.0.local_addr().unwrap()
    }
}
