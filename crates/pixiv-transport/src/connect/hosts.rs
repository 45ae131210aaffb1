//! Per-host state shared by the client and its connector: live connections, the optional
//! connection cap, and the "pioneer" gate.
//!
//! Two things hyper-util's legacy pool does that we measured (tests/pool.rs) and correct here:
//! - A burst of requests to a host with no connection yet starts one connect per request, because
//!   the protocol (h2 or http/1.1) is known only after ALPN: 100 concurrent requests opened 100
//!   TLS connections, then used one. So while a host has no live connection, one request (the
//!   pioneer) connects alone; the others wait until it holds a connection, then find it in the pool
//!   (h2) or connect in parallel (http/1.1).
//! - The pool caps idle connections, not open ones. `max_connections_per_host` caps both the
//!   requests in flight (so none waits long for a connection) and, in the connector, the
//!   connections themselves: a connect the pool no longer needs (the race hyper-util lets finish
//!   in the background) cannot exceed the cap, and gives up after [`SLOT_WAIT`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a connect waits for a free connection slot before giving up. With the request cap
/// equal to the connection cap, a request only waits here while another request is about to
/// release a connection to the pool; background connects hyper-util no longer needs end here.
pub(crate) const SLOT_WAIT: Duration = Duration::from_secs(10);

/// Hosts by `scheme://authority` (hyper-util's pool key).
pub(crate) struct HostTable {
    max_connections: Option<usize>,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    /// `true` once every clone of the client is gone (see [`ClientAlive`]).
    closed: tokio::sync::watch::Sender<bool>,
}

pub(crate) struct HostState {
    live: AtomicUsize,
    pioneering: AtomicBool,
    /// Pioneers finished so far (whatever the outcome).
    pioneers_done: AtomicU64,
    pioneer: tokio::sync::Mutex<()>,
    pub(crate) requests: Option<Arc<Semaphore>>,
    pub(crate) slots: Option<Arc<Semaphore>>,
}

impl HostTable {
    pub(crate) fn new(max_connections: Option<usize>) -> Self {
        Self {
            max_connections: max_connections.map(|m| m.max(1)),
            hosts: Mutex::new(HashMap::new()),
            closed: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Resolves once the client that owns this table is dropped (every clone of it).
    pub(crate) fn client_gone(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.closed.subscribe();
        async move {
            let _ = rx.wait_for(|closed| *closed).await;
        }
    }

    pub(crate) fn get(&self, key: &str) -> Arc<HostState> {
        let new = || {
            Arc::new(HostState {
                live: AtomicUsize::new(0),
                pioneering: AtomicBool::new(false),
                pioneers_done: AtomicU64::new(0),
                pioneer: tokio::sync::Mutex::new(()),
                requests: self.max_connections.map(|m| Arc::new(Semaphore::new(m))),
                slots: self.max_connections.map(|m| Arc::new(Semaphore::new(m))),
            })
        };
        match self.hosts.lock() {
            // Looked up before `entry`, which would need an owned key on every call.
            Ok(mut hosts) => match hosts.get(key) {
                Some(host) => Arc::clone(host),
                None => Arc::clone(hosts.entry(key.to_owned()).or_insert_with(new)),
            },
            // A poisoned table only loses the sharing, never a request.
            Err(_) => new(),
        }
    }
}

impl HostState {
    /// Connections to this host that are open now (TCP up, TLS maybe still in progress).
    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// Waits its turn if this host has no connection, or one is being made by a pioneer; returns
    /// `Some` if the caller must make the first connection itself (holding others back until it
    /// drops the [`Pioneer`]).
    ///
    /// A request that waited while a pioneer failed does not pioneer in turn: it goes ahead with
    /// the others, so a burst to an unreachable host fails in two connect timeouts, not one per
    /// request.
    pub(crate) async fn pioneer(&self) -> Option<Pioneer<'_>> {
        if self.live() > 0 && !self.pioneering.load(Ordering::SeqCst) {
            return None;
        }
        let done_before = self.pioneers_done.load(Ordering::SeqCst);
        let guard = self.pioneer.lock().await;
        if self.live() > 0 || self.pioneers_done.load(Ordering::SeqCst) != done_before {
            return None;
        }
        self.pioneering.store(true, Ordering::SeqCst);
        Some(Pioneer {
            host: self,
            _guard: guard,
        })
    }
}

/// The right to make a host's first connection; others wait until it is dropped.
pub(crate) struct Pioneer<'a> {
    host: &'a HostState,
    _guard: tokio::sync::MutexGuard<'a, ()>,
}

impl Drop for Pioneer<'_> {
    fn drop(&mut self) {
        self.host.pioneers_done.fetch_add(1, Ordering::SeqCst);
        self.host.pioneering.store(false, Ordering::SeqCst);
    }
}

/// Held by every clone of the client; when the last one goes, connects still waiting for a slot
/// give up at once. Without it, a background connect hyper-util let run kept the dropped client's
/// pool (and its idle connections, sockets and tasks) alive for up to [`SLOT_WAIT`].
pub(crate) struct ClientAlive(pub(crate) Arc<HostTable>);

impl Drop for ClientAlive {
    fn drop(&mut self) {
        self.0.closed.send_replace(true);
    }
}

/// Held by a connection for its lifetime: counts it as live, and holds its slot under the cap.
pub(crate) struct LiveGuard {
    host: Arc<HostState>,
    _slot: Option<OwnedSemaphorePermit>,
}

impl LiveGuard {
    pub(crate) fn new(host: Arc<HostState>, slot: Option<OwnedSemaphorePermit>) -> Self {
        host.live.fetch_add(1, Ordering::SeqCst);
        Self { host, _slot: slot }
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.host.live.fetch_sub(1, Ordering::SeqCst);
    }
}

// Entries are never removed: one small entry per host ever used (pixiv-rs talks to a handful).

/// The pool key hyper-util uses, as a string: `scheme://authority`.
pub(crate) fn key(uri: &http::Uri) -> Option<String> {
    // Pushed, not `format!`ed: this runs for every request (the formatting machinery showed in
    // profiles of the sequential typed call, `docs/benchmarks.md`).
    let (scheme, authority) = (uri.scheme_str()?, uri.authority()?.as_str());
    let mut key = String::with_capacity(scheme.len() + 3 + authority.len());
    key.push_str(scheme);
    key.push_str("://");
    key.push_str(authority);
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn the_key_is_scheme_and_authority_as_written() {
        for (uri, want) in [
            (
                "https://app-api.pixiv.net/v1/a?b=c",
                Some("https://app-api.pixiv.net"),
            ),
            ("http://127.0.0.1:8080/x", Some("http://127.0.0.1:8080")),
            ("https://u:p@[::1]:443/", Some("https://u:p@[::1]:443")),
            ("/relative", None),
        ] {
            let uri: http::Uri = uri.parse().unwrap_or_default();
            let formatted = uri
                .scheme_str()
                .zip(uri.authority())
                .map(|(s, a)| format!("{s}://{a}"));
            assert_eq!(key(&uri).as_deref(), want);
            assert_eq!(key(&uri), formatted);
        }
    }
}
