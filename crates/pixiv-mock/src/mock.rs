//! The handle tests hold ([`MockPixiv`]) and its builder.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::app_api::AppApi;
use crate::doh::DnsTable;
use crate::faults::{DEFAULT_FAULT_SEED, Fault, FaultTable, RouteMatch};
use crate::log::LoggedRequest;
use crate::oauth::AuthState;
use crate::state::{Shared, lock};
use crate::{DEFAULT_TOKEN_LIFETIME, server, tls};

/// Configures a mock; [`MockPixiv::builder`] makes one, [`start`](Self::start) runs it.
#[derive(Debug, Clone)]
#[must_use]
pub struct MockPixivBuilder {
    tls: bool,
    http2: bool,
    token_lifetime: Duration,
    tls_names: Vec<String>,
    dns: Vec<(String, Vec<IpAddr>, u32)>,
    port: u16,
    fault_seed: u64,
    record_requests: bool,
    search_results: Option<u64>,
}

impl Default for MockPixivBuilder {
    fn default() -> Self {
        MockPixivBuilder {
            tls: true,
            http2: true,
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            tls_names: tls::DEFAULT_TLS_NAMES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            dns: Vec::new(),
            port: 0,
            fault_seed: DEFAULT_FAULT_SEED,
            record_requests: true,
            search_results: None,
        }
    }
}

impl MockPixivBuilder {
    /// Every `/v1/search/illust` finds exactly `n` works (any word), in pages of 30, with no
    /// offset cap (default: the realistic search, at most 90 works). For benchmarks and tests of
    /// long listings: the works are ids `1..=n` in order, each carrying the word as its first tag,
    /// and a page costs the same whatever `n` is.
    pub fn search_results(mut self, n: u64) -> Self {
        self.search_results = Some(n);
        self
    }

    /// Serve HTTPS with a certificate from a CA made at start (default `true`); `false` serves
    /// plain HTTP.
    pub fn tls(mut self, enabled: bool) -> Self {
        self.tls = enabled;
        self
    }

    /// Offer HTTP/2 (default `true`): ALPN `h2` and `http/1.1` with TLS, HTTP/1.1 and h2c prior
    /// knowledge without. `false`: HTTP/1.1 only.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// The `expires_in` of issued access tokens (default [`DEFAULT_TOKEN_LIFETIME`],
    /// 3600 s). Expiry runs on tokio time, so paused-time tests can expire tokens with `advance`.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Replaces the names of the leaf certificate (default [`DEFAULT_TLS_NAMES`](crate::DEFAULT_TLS_NAMES));
    /// IP addresses become IP SANs. For wrong-name tests.
    pub fn tls_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tls_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a name to the DoH table (see [`MockPixiv::set_dns`]).
    pub fn dns(mut self, name: impl Into<String>, ips: Vec<IpAddr>, ttl_secs: u32) -> Self {
        self.dns.push((name.into(), ips, ttl_secs));
        self
    }

    /// The port to listen on, on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The RNG seed of the random faults of [`MockPixiv::set_fault_rate`] (default fixed, so runs repeat).
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = seed;
        self
    }

    /// Whether to keep every request in the log (default `true`). Long load tests and benchmarks
    /// turn it off so memory stays flat; counters still count.
    pub fn record_requests(mut self, enabled: bool) -> Self {
        self.record_requests = enabled;
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    ///
    /// Fails when the port cannot be bound or the certificates cannot be made.
    pub async fn start(self) -> io::Result<MockPixiv> {
        // With PIXIV_SECRET_AUDIT_DIR set, the process's logs and the mock's secrets are kept.
        crate::audit::begin();
        let listener = server::bind(self.port).await?;
        let addr = listener.local_addr()?;
        let material = if self.tls {
            Some(tls::make(&self.tls_names, self.http2)?)
        } else {
            None
        };
        let scheme = if self.tls { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let mut dns = DnsTable::default();
        for (name, ips, ttl) in self.dns {
            dns.set(&name, ips, ttl);
        }
        let shared = Arc::new(Shared {
            base_url: base_url.clone(),
            http2: self.http2,
            record_requests: self.record_requests,
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(FaultTable::new(self.fault_seed)),
            auth: Mutex::new(AuthState::new(self.token_lifetime)),
            dns: Mutex::new(dns),
            api: AppApi::new().search_results(self.search_results),
            oauth_calls: AtomicU64::new(0),
            dns_queries: AtomicU64::new(0),
            connections_opened: AtomicU64::new(0),
            accept_errors: AtomicU64::new(0),
            open_connections: AtomicU64::new(0),
            etag_generation: AtomicU64::new(0),
            body_bytes_sent: Arc::new(AtomicU64::new(0)),
        });
        let acceptor = material
            .as_ref()
            .map(|m| TlsAcceptor::from(m.config.clone()));
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = tokio::spawn(server::accept_loop(
            listener,
            shared.clone(),
            acceptor,
            stop_rx,
        ));
        let (ca_pem, ca_der) = material.map(|m| (m.ca_pem, m.ca_der)).unwrap_or_default();
        Ok(MockPixiv {
            addr,
            base_url,
            ca_pem,
            ca_der,
            shared,
            stop: stop_tx,
            task: Mutex::new(Some(task)),
        })
    }
}

/// A running mock. Dropping it stops it (best effort: the accept loop and every connection are
/// aborted); [`shutdown`](Self::shutdown) stops it gracefully.
///
/// See the [crate docs](crate) for an example.
#[derive(Debug)]
pub struct MockPixiv {
    addr: SocketAddr,
    base_url: String,
    ca_pem: String,
    ca_der: Vec<u8>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl MockPixiv {
    /// A builder with the defaults: TLS, HTTP/2, tokens valid for 3600 s, any free port.
    pub fn builder() -> MockPixivBuilder {
        MockPixivBuilder::default()
    }

    /// The address it listens on (127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT` (or `http://` without TLS), no trailing slash. OAuth, App API,
    /// images and DoH are all served here.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Whether it serves HTTPS.
    pub fn is_tls(&self) -> bool {
        !self.ca_der.is_empty()
    }

    /// The PEM of the CA that signed the server's certificate (empty without TLS).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The DER of the CA (empty without TLS).
    pub fn ca_der(&self) -> Vec<u8> {
        self.ca_der.clone()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// The requests whose path starts with `prefix`, in arrival order.
    pub fn requests_to(&self, prefix: &str) -> Vec<LoggedRequest> {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Forgets the logged requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// TCP connections accepted so far.
    pub fn connections_opened(&self) -> u64 {
        self.shared.connections_opened.load(Ordering::Relaxed)
    }

    /// TCP connections open now.
    pub fn open_connections(&self) -> u64 {
        self.shared.open_connections.load(Ordering::Relaxed)
    }

    /// Response body bytes the mock handed to its connections so far, every answer included
    /// (at most what the client read, plus what socket buffers hold): proof that a client stopped
    /// reading a huge body early.
    pub fn body_bytes_sent(&self) -> u64 {
        self.shared.body_bytes_sent.load(Ordering::Relaxed)
    }

    /// Failed `accept` calls so far (e.g. EMFILE); each one pauses the accept loop for 100 ms.
    pub fn accept_errors(&self) -> u64 {
        self.shared.accept_errors.load(Ordering::Relaxed)
    }

    /// Calls to `/auth/token` so far (answered or faulted).
    pub fn oauth_calls(&self) -> u64 {
        self.shared.oauth_calls.load(Ordering::Relaxed)
    }

    /// Calls to `/dns-query` so far.
    pub fn dns_queries(&self) -> u64 {
        self.shared.dns_queries.load(Ordering::Relaxed)
    }

    /// Queues faults for requests matching `route`; each matching request consumes one, in order,
    /// then requests get normal answers again. Queues of different routes are checked in the order
    /// the routes were first pushed.
    pub fn push_faults(&self, route: RouteMatch, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.shared.faults).push(route, faults);
    }

    /// Makes `fault` happen to a random `rate` (0.0..=1.0) of the requests matching `route` that
    /// no queued fault takes. Seeded (see [`MockPixivBuilder::fault_seed`]). A rate of 0 removes it.
    pub fn set_fault_rate(&self, route: RouteMatch, rate: f64, fault: Fault) {
        lock(&self.shared.faults).set_rate(route, rate, fault);
    }

    /// Removes every queued and random fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Queued faults not yet consumed.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).pending()
    }

    /// A valid access token for [`DEMO_USER_ID`](crate::DEMO_USER_ID) without going through OAuth.
    pub fn issue_access_token(&self) -> String {
        lock(&self.shared.auth).issue_access_token()
    }

    /// Every access token issued so far becomes invalid (refresh tokens stay valid).
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.auth).expire_access_tokens();
    }

    /// Sets the DoH answer for `name` (case and a trailing dot do not matter): A queries get the
    /// IPv4 addresses, AAAA queries the IPv6 ones, with this TTL.
    pub fn set_dns(&self, name: impl AsRef<str>, ips: Vec<IpAddr>, ttl_secs: u32) {
        lock(&self.shared.dns).set(name.as_ref(), ips, ttl_secs);
    }

    /// Forces the DNS `Status` for `name` (e.g. 2, SERVFAIL), with no answers; `None` undoes it.
    pub fn set_dns_status(&self, name: impl AsRef<str>, status: Option<u16>) {
        lock(&self.shared.dns).set_status(name.as_ref(), status);
    }

    /// Changes every image's `ETag` and `Last-Modified` (the bytes stay the same), so a resumed
    /// download's `If-Range` no longer matches.
    pub fn bump_etag(&self) {
        self.shared.etag_generation.fetch_add(1, Ordering::Relaxed);
    }

    /// Stops accepting, lets open connections finish their answers (up to 1 s, tokio time),
    /// then closes them.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = lock(&self.task).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for MockPixiv {
    fn drop(&mut self) {
        if let Some(task) = lock(&self.task).take() {
            task.abort();
        }
    }
}
