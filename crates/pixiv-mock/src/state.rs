//! The state one mock shares between its handle and its connections.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::app_api::AppApi;
use crate::doh::DnsTable;
use crate::faults::FaultTable;
use crate::log::LoggedRequest;
use crate::oauth::AuthState;

/// Locks a mutex, ignoring poisoning: a panicking test thread must not take the mock down with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything a connection needs.
#[derive(Debug)]
pub(crate) struct Shared {
    /// `https://127.0.0.1:PORT` or `http://..`, no trailing slash.
    pub(crate) base_url: String,
    pub(crate) http2: bool,
    pub(crate) record_requests: bool,
    pub(crate) log: Mutex<Vec<LoggedRequest>>,
    pub(crate) faults: Mutex<FaultTable>,
    pub(crate) auth: Mutex<AuthState>,
    pub(crate) dns: Mutex<DnsTable>,
    pub(crate) api: AppApi,
    pub(crate) oauth_calls: AtomicU64,
    pub(crate) dns_queries: AtomicU64,
    pub(crate) connections_opened: AtomicU64,
    pub(crate) accept_errors: AtomicU64,
    pub(crate) open_connections: AtomicU64,
    pub(crate) etag_generation: AtomicU64,
    /// Response body bytes handed to hyper, every answer of every connection.
    pub(crate) body_bytes_sent: std::sync::Arc<AtomicU64>,
}

impl Shared {
    pub(crate) fn etag_generation(&self) -> u64 {
        self.etag_generation.load(Ordering::Relaxed)
    }
}

/// Decrements the open-connection gauge when a connection task ends, however it ends.
#[derive(Debug)]
pub(crate) struct OpenGuard(pub(crate) std::sync::Arc<Shared>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open_connections.fetch_sub(1, Ordering::Relaxed);
    }
}
