//! Counters a user can watch: requests, attempts and retries, errors, rate-limit waits, pooled
//! connections opened (the port's plan (docs/protocol.md)).
//!
//! [`Metrics`] is a set of atomics shared by every clone of a [`Transport`](crate::transport::Transport);
//! [`Transport::metrics`](crate::transport::Transport::metrics) takes a [`MetricsSnapshot`].
//!
//! ```
//! use pixiv_transport::metrics::Metrics;
//! let m = Metrics::new();
//! let s = m.snapshot();
//! assert_eq!((s.requests, s.retries, s.connections_opened), (0, 0, 0));
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::connect::ConnectionCounter;

/// The counters. Cheap to update (relaxed atomics); read them with [`snapshot`](Self::snapshot).
#[derive(Debug, Default)]
pub struct Metrics {
    requests: AtomicU64,
    attempts: AtomicU64,
    errors: AtomicU64,
    in_flight: AtomicU64,
    rate_limit_waits: AtomicU64,
    rate_limit_wait_nanos: AtomicU64,
    auth_replays: AtomicU64,
    connections: Option<ConnectionCounter>,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// Calls made through the transport (one per `send`/`json`, however many attempts).
    pub requests: u64,
    /// Requests sent on the wire (first attempts, retries, and auth replays), redirects excluded.
    pub attempts: u64,
    /// Attempts beyond the first of each request: `attempts - requests`.
    pub retries: u64,
    /// Calls that ended in an error.
    pub errors: u64,
    /// Calls currently in progress (until their response head or error).
    pub in_flight: u64,
    /// Attempts that had to wait for the rate limiter.
    pub rate_limit_waits: u64,
    /// Total time spent waiting for the rate limiter.
    pub rate_limit_wait_time: Duration,
    /// Requests replayed after the server rejected their access token (each asked the token
    /// source for a newer token; concurrent ones share one refresh).
    pub auth_replays: u64,
    /// Connections the pool opened (TCP + TLS done), all hosts.
    pub connections_opened: u64,
}

impl Metrics {
    /// Zeroed counters, without a connection counter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Zeroed counters that read `connections_opened` from this client's counter.
    pub fn with_connections(connections: ConnectionCounter) -> Self {
        Self {
            connections: Some(connections),
            ..Self::default()
        }
    }

    /// The counters now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let requests = self.requests.load(Ordering::Relaxed);
        let attempts = self.attempts.load(Ordering::Relaxed);
        MetricsSnapshot {
            requests,
            attempts,
            retries: attempts.saturating_sub(requests),
            errors: self.errors.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            rate_limit_waits: self.rate_limit_waits.load(Ordering::Relaxed),
            rate_limit_wait_time: Duration::from_nanos(
                self.rate_limit_wait_nanos.load(Ordering::Relaxed),
            ),
            auth_replays: self.auth_replays.load(Ordering::Relaxed),
            connections_opened: self.connections.as_ref().map_or(0, ConnectionCounter::get),
        }
    }

    pub(crate) fn request_started(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn request_finished(&self, ok: bool) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        if !ok {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn attempt(&self) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rate_limit_wait(&self, waited: Duration) {
        self.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
        self.rate_limit_wait_nanos.fetch_add(
            u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    pub(crate) fn auth_replay(&self) {
        self.auth_replays.fetch_add(1, Ordering::Relaxed);
    }
}
