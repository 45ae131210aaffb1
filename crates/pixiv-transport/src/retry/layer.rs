use std::fmt;
use std::sync::Arc;

use tower_layer::Layer;

use super::{Retry, RetryEvent, RetryPolicy};

/// A callback told about every retry before its wait (for metrics).
pub(crate) type RetryHook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// Retries failed calls of the inner service under a [`RetryPolicy`]. See the
/// [module docs](super) for an example.
#[derive(Clone)]
#[must_use]
pub struct RetryLayer {
    pub(crate) policy: Arc<RetryPolicy>,
    pub(crate) on_retry: Option<RetryHook>,
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
    /// The seed's policy ([`RetryPolicy::new`]).
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
        Retry {
            inner,
            layer: self.clone(),
        }
    }
}
