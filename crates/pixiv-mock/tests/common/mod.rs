//! A plain hyper-util client over hyper-rustls (ring), trusting only the mock's CA. No pixiv-rs
//! crate is involved, so these tests prove the server alone.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_mock::MockPixiv;

pub const REFERER: &str = "https://app-api.pixiv.net/";

pub type TestClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A rustls client config trusting only `ca_der`.
pub fn tls_config(ca_der: &[u8]) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der.to_vec().into()).unwrap();
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// An HTTPS client (HTTP/1.1 and HTTP/2 by ALPN) trusting only the mock's CA.
pub fn client(mock: &MockPixiv) -> TestClient {
    client_with(tls_config(&mock.ca_der()))
}

pub fn client_with(config: rustls::ClientConfig) -> TestClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_only()
        .enable_http1()
        .enable_http2()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// An HTTPS client that offers only HTTP/1.1.
pub fn client_h1(mock: &MockPixiv) -> TestClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(&mock.ca_der()))
        .https_only()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// A plain-HTTP client; `h2c` speaks HTTP/2 with prior knowledge.
pub fn plain_client(h2c: bool) -> Client<HttpConnector, Full<Bytes>> {
    let mut b = Client::builder(TokioExecutor::new());
    b.http2_only(h2c);
    b.build(HttpConnector::new())
}

/// A full answer: head, and the body or the error that cut it.
#[derive(Debug)]
pub struct Answer {
    pub status: http::StatusCode,
    pub version: http::Version,
    pub headers: HeaderMap,
    pub body: Result<Bytes, String>,
    /// Bytes received before the body error, if any.
    pub received: usize,
}

impl Answer {
    pub fn bytes(&self) -> &Bytes {
        self.body.as_ref().expect("the body should be complete")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(self.bytes()).expect("the body should be JSON")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }
}

pub async fn read(resp: Response<hyper::body::Incoming>) -> Answer {
    let (parts, mut body) = resp.into_parts();
    let mut buf = Vec::new();
    let mut error = None;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => {
                if let Ok(d) = f.into_data() {
                    buf.extend_from_slice(&d);
                }
            }
            Err(e) => {
                error = Some(format!("{e:?}"));
                break;
            }
        }
    }
    Answer {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        received: buf.len(),
        body: match error {
            None => Ok(Bytes::from(buf)),
            Some(e) => Err(e),
        },
    }
}

/// Sends a request with these headers and reads the whole answer.
pub async fn send<C>(
    client: &Client<C, Full<Bytes>>,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Answer
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let mut req = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = client
        .request(req.body(Full::new(body)).unwrap())
        .await
        .expect("the request should get an answer");
    read(resp).await
}

pub async fn get<C>(client: &Client<C, Full<Bytes>>, url: &str, headers: &[(&str, &str)]) -> Answer
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    send(client, Method::GET, url, headers, Bytes::new()).await
}

/// An image GET with the Referer the image host wants.
pub async fn get_image(
    client: &TestClient,
    mock: &MockPixiv,
    path: &str,
    extra: &[(&str, &str)],
) -> Answer {
    let mut headers = vec![("referer", REFERER)];
    headers.extend_from_slice(extra);
    get(client, &format!("{}{}", mock.base_url(), path), &headers).await
}

/// `X-Client-Time` / `X-Client-Hash` as PixivPy computes them (independently of the mock's code).
pub fn client_hash_headers(time: &str) -> (String, String) {
    use md5::{Digest as _, Md5};
    let digest = Md5::digest(format!("{time}{}", pixiv_mock::HASH_SECRET).as_bytes());
    (time.to_owned(), hex::encode(digest))
}

/// A form body.
pub fn form(pairs: &[(&str, &str)]) -> Bytes {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    Bytes::from(s.finish())
}

/// POST /auth/token with a refresh token and a correct client hash.
pub async fn refresh(client: &TestClient, mock: &MockPixiv, refresh_token: &str) -> Answer {
    let (time, hash) = client_hash_headers("2026-11-29T02:00:00+00:00");
    let body = form(&[
        ("client_id", pixiv_mock::CLIENT_ID),
        ("client_secret", pixiv_mock::CLIENT_SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("get_secure_url", "1"),
        ("include_policy", "true"),
    ]);
    send(
        client,
        Method::POST,
        &format!("{}/auth/token", mock.base_url()),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-client-time", &time),
            ("x-client-hash", &hash),
            ("host", "oauth.secure.pixiv.net"),
        ],
        body,
    )
    .await
}

/// A GET with the image Referer; `Err` carries the client's error when no answer came.
pub async fn try_get(
    client: &TestClient,
    url: &str,
) -> Result<Response<hyper::body::Incoming>, String> {
    let req = Request::get(url)
        .header("referer", REFERER)
        .body(Full::new(Bytes::new()))
        .unwrap();
    client.request(req).await.map_err(|e| format!("{e:?}"))
}
