//! How far a request's connection got, so an elapsed time-to-headers timeout can say which phase
//! it stopped in: a TLS handshake that stalls is `Timeout { TlsHandshake }`, a TCP connect that
//! never completes `Timeout { Connect }`, not "waiting for response headers".
//!
//! The timeout layer puts a [`ConnectProgress`] in the request's extensions; [`HttpClient`](super::HttpClient)
//! (super::HttpClient) runs the call inside a task-local scope holding it; the connector marks
//! "TCP connecting" when it starts, "handshaking" once TCP (and a proxy tunnel) is up, and
//! "ready" when the TLS handshake is done. A request served by a pooled connection never marks
//! anything, and its timeout stays `Headers`.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use pixiv_errors::TimeoutPhase;

// 0, the default: no connect made for this request (a pooled connection).
const CONNECTING: u8 = 1;
const HANDSHAKING: u8 = 2;
const READY: u8 = 3;

tokio::task_local! {
    static PROGRESS: Option<ConnectProgress>;
}

/// A request extension shared by the timeout layer and the connector.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectProgress(Arc<AtomicU8>);

impl ConnectProgress {
    pub(crate) fn connecting(&self) {
        self.0.store(CONNECTING, Ordering::SeqCst);
    }

    pub(crate) fn handshaking(&self) {
        self.0.store(HANDSHAKING, Ordering::SeqCst);
    }

    pub(crate) fn ready(&self) {
        self.0.store(READY, Ordering::SeqCst);
    }

    /// The phase to report when the time-to-headers timeout elapses.
    pub(crate) fn headers_timeout_phase(&self) -> TimeoutPhase {
        match self.0.load(Ordering::SeqCst) {
            CONNECTING => TimeoutPhase::Connect,
            HANDSHAKING => TimeoutPhase::TlsHandshake,
            // IDLE (a pooled connection) or READY (connected): the server is slow to answer.
            _ => TimeoutPhase::Headers,
        }
    }
}

/// The progress of the request whose call is running on this task, if any.
pub(crate) fn current() -> Option<ConnectProgress> {
    PROGRESS.try_with(Clone::clone).ok().flatten()
}

/// Runs `fut` with `progress` visible to the connector below it.
pub(crate) fn scope<F: Future>(
    progress: Option<ConnectProgress>,
    fut: F,
) -> impl Future<Output = F::Output> {
    PROGRESS.scope(progress, fut)
}
