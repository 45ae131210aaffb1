use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tower_layer::Layer;

use super::{DEFAULT_RATE_LIMIT_COOLDOWN, RateLimit, RateLimiter};
use crate::wait::OnWait;

/// A callback told how long a call waited for the limiter (only when it did wait).
pub(crate) type WaitHook = Arc<dyn Fn(Duration) + Send + Sync>;

/// Applies a shared [`RateLimiter`] to every call of the inner service. See the
/// [module docs](super) for an example and for where to place it.
#[derive(Clone)]
#[must_use]
pub struct RateLimitLayer {
    pub(crate) limiter: RateLimiter,
    pub(crate) cooldown: Duration,
    pub(crate) on_wait: Option<WaitHook>,
    pub(crate) announce: Option<OnWait>,
}

impl RateLimitLayer {
    /// Limits calls with `limiter` (a clone shares its state; keep one to watch or pause it).
    ///
    /// The cool-down after a "Rate Limit" answer without `Retry-After` is
    /// [`DEFAULT_RATE_LIMIT_COOLDOWN`] (60 s).
    pub fn new(limiter: RateLimiter) -> Self {
        Self {
            limiter,
            cooldown: DEFAULT_RATE_LIMIT_COOLDOWN,
            on_wait: None,
            announce: None,
        }
    }

    /// How long the whole limiter pauses after a [`PixivError::RateLimited`] answer that does
    /// not say how long to wait. Default: [`DEFAULT_RATE_LIMIT_COOLDOWN`] (60 s).
    ///
    /// [`PixivError::RateLimited`]: pixiv_errors::PixivError::RateLimited
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Calls `hook` with the time a call waited for the limiter, whenever it waited (for
    /// metrics). Default: none.
    pub fn on_wait(mut self, hook: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(Arc::new(hook));
        self
    }

    /// Tells `hook` of a wait for the limiter *before* it starts, when it will last at least
    /// [`MIN_ANNOUNCED_WAIT`](crate::wait::MIN_ANNOUNCED_WAIT): a pause after a "Rate Limit"
    /// answer ([`WaitReason::RateLimitPause`](crate::wait::WaitReason::RateLimitPause)) or a used-up
    /// budget ([`RateLimitBudget`](crate::wait::WaitReason::RateLimitBudget)). The length is what
    /// the limiter knows then; callers queued ahead may add to it. Default: none.
    pub fn announce_waits(mut self, hook: OnWait) -> Self {
        self.announce = Some(hook);
        self
    }

    /// The shared limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

impl Default for RateLimitLayer {
    /// PixivPy's limiter ([`RateLimiter::default`]) with the default cool-down.
    fn default() -> Self {
        Self::new(RateLimiter::default())
    }
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("limiter", &self.limiter)
            .field("cooldown", &self.cooldown)
            .field("on_wait", &self.on_wait.is_some())
            .field("announce", &self.announce.is_some())
            .finish()
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            layer: self.clone(),
        }
    }
}
