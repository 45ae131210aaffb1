use tower_http::follow_redirect::FollowRedirect;
use tower_layer::Layer;

use super::{Redirect, RedirectPolicy};

/// Follows redirects with a [`RedirectPolicy`]. See the [module docs](super).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct RedirectLayer {
    policy: RedirectPolicy,
}

impl RedirectLayer {
    /// The default policy ([`RedirectPolicy::new`]: 5 hops).
    pub fn new() -> Self {
        Self::default()
    }

    /// This policy.
    pub fn with_policy(policy: RedirectPolicy) -> Self {
        Self { policy }
    }
}

impl<S> Layer<S> for RedirectLayer {
    type Service = Redirect<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Redirect {
            inner: FollowRedirect::with_policy(inner, self.policy.clone()),
        }
    }
}
