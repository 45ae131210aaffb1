//! The request log: everything the mock received, in arrival order.
//!
//! Tests prove client behaviour from this wire evidence (headers sent, retries made, connections
//! reused) rather than from the client's opinion of what it did.

use bytes::Bytes;
use http::{HeaderMap, Method, Uri, Version};

/// One request as the mock received it. Logged once its body has been read, before any fault.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// The method.
    pub method: Method,
    /// The request target: path and query only, the same for HTTP/1.1 and HTTP/2 (see
    /// [`host`](Self::host) for the authority).
    pub uri: Uri,
    /// The path, e.g. `/v1/illust/detail`.
    pub path: String,
    /// The decoded query pairs in order (percent-decoding, `+` as space); repeated keys repeat.
    pub query: Vec<(String, String)>,
    /// Every header received (`Authorization` included, so tests can check where it went).
    pub headers: HeaderMap,
    /// The request body.
    pub body: Bytes,
    /// When the request was read (tokio time, so paused-time tests can measure backoff).
    pub at: tokio::time::Instant,
    /// The connection it came on; ids count from 1 in accept order.
    pub conn_id: u64,
    /// The host the request named: HTTP/2's `:authority`, else the `Host` header.
    pub host: Option<String>,
    /// The HTTP version (`HTTP_11` or `HTTP_2`).
    pub version: Version,
    /// The TLS server name the client sent (SNI); `None` without TLS or when the client sent none.
    pub sni: Option<String>,
}

impl LoggedRequest {
    /// The first value of a query key, if present.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The decoded `application/x-www-form-urlencoded` body pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}
