//! [`RetryLayer`] and [`Attempts`], the `tower::retry::Policy` that tower's `Retry` drives.

use std::fmt;
use std::sync::Arc;

use http::{Request, Response};
use pixiv_errors::PixivError;
use tokio::time::Sleep;
use tower_layer::Layer;

use super::{Retry, RetryEvent, RetryInfo, RetryPolicy};

/// A callback told about every retry before its wait (for metrics).
pub(crate) type RetryHook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// Retries failed calls of the inner service under a [`RetryPolicy`]: builds a
/// [`tower::retry::Retry`] with an [`Attempts`] policy. See the [module docs](super) for an
/// example.
#[derive(Clone)]
#[must_use]
pub struct RetryLayer {
    policy: Arc<RetryPolicy>,
    on_retry: Option<RetryHook>,
}

impl RetryLayer {
    /// Retries under `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
            on_retry: None,
        }
    }

    /// Calls `hook` for every retry, before its wait, with the retry number, the wait and the
    /// error that caused it. Default: none.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

impl Default for RetryLayer {
    /// The default policy ([`RetryPolicy::new`]; docs/protocol.md, client defaults).
    fn default() -> Self {
        Self::new(RetryPolicy::new())
    }
}

impl fmt::Debug for RetryLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryLayer")
            .field("policy", &self.policy)
            .field("on_retry", &self.on_retry.is_some())
            .finish()
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;

    fn layer(&self, inner: S) -> Self::Service {
        let attempts = Attempts {
            policy: Arc::clone(&self.policy),
            on_retry: self.on_retry.clone(),
            retries: 0,
        };
        tower::retry::Retry::new(attempts, inner)
    }
}

/// The [`tower::retry::Policy`] of a [`Retry`]: the [`RetryPolicy`], the `on_retry` hook and
/// the retries made so far. tower's `Retry` clones it for each call, so the count is per call.
#[derive(Clone)]
pub struct Attempts {
    policy: Arc<RetryPolicy>,
    on_retry: Option<RetryHook>,
    retries: u32,
}

impl Attempts {
    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The retries made so far in this call.
    pub fn retries(&self) -> u32 {
        self.retries
    }
}

impl fmt::Debug for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempts")
            .field("policy", &self.policy)
            .field("on_retry", &self.on_retry.is_some())
            .field("retries", &self.retries)
            .finish()
    }
}

/// The request body must be `Clone` so every attempt sends the same bytes: the stack's
/// [`RequestBody`](crate::RequestBody) (`Full<Bytes>`) is, cheaply. A streaming body cannot be
/// retried by this layer, and does not compile with it.
impl<B, RB> tower::retry::Policy<Request<B>, Response<RB>, PixivError> for Attempts
where
    B: Clone,
{
    type Future = Sleep;

    fn retry(
        &mut self,
        request: &mut Request<B>,
        result: &mut Result<Response<RB>, PixivError>,
    ) -> Option<Sleep> {
        let error = match result {
            Ok(response) => {
                response.extensions_mut().insert(RetryInfo {
                    retries: self.retries,
                });
                return None;
            }
            Err(error) => error,
        };
        if self.retries >= self.policy.get_max_retries()
            || !self.policy.should_retry(request.method(), error)
        {
            if self.retries > 0 {
                tracing::debug!(retries = self.retries, %error, "giving up");
            }
            return None;
        }
        self.retries += 1;
        let wait = self.policy.delay(self.retries, error);
        tracing::debug!(
            retry = self.retries,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            method = %request.method(),
            %error,
            "retrying"
        );
        if let Some(hook) = &self.on_retry {
            hook(&RetryEvent {
                retry: self.retries,
                wait,
                error,
                method: request.method(),
                uri: request.uri(),
            });
        }
        // On tokio's clock, so paused-time tests see the backoff; tokio caps a far deadline.
        Some(tokio::time::sleep(wait))
    }

    fn clone_request(&mut self, request: &Request<B>) -> Option<Request<B>> {
        // A copy is kept even for the last attempt (or a method never retried): `retry` then
        // sees the answer and marks it with its `RetryInfo`. A copy is the parts plus a
        // reference-counted body.
        Some(request.clone())
    }
}
