//! Waits: the cap on every duration the transport computes from outside input, and the hook an
//! application uses to show long waits to its user.
//!
//! **The cap.** Timeouts, rate-limit windows, `Retry-After` values and pauses come from callers and
//! servers; `Instant + Duration` panics when the sum does not fit (tokio's `Instant` too). Every
//! deadline the transport computes goes through `deadline_after`, which caps the duration at
//! [`MAX_WAIT`] (about 100 years: "never" for any process) and never panics.
//!
//! **The hook.** [`TransportBuilder::on_wait`](crate::TransportBuilder::on_wait) is told of each
//! wait of [`MIN_ANNOUNCED_WAIT`] or more, *before* it starts, with its length and why
//! ([`WaitReason`]): a server's `Retry-After`, a pause after a "Rate Limit" answer, the
//! rate-limit budget, or a retry's backoff. The `pixiv` command prints one line for each
//! (`waiting 60 s: Pixiv asked to slow down`), so a capped ten-minute wait is never silent.
//!
//! ```
//! use std::time::Duration;
//! use pixiv_transport::wait::{WaitEvent, WaitReason};
//! use pixiv_transport::Transport;
//!
//! let builder = Transport::builder().on_wait(|event: &WaitEvent| {
//!     eprintln!("waiting {} s: {}", event.duration.as_secs(), event.reason);
//! });
//! # let _ = builder;
//! assert_eq!(WaitReason::RetryAfter.to_string(), "Pixiv asked to slow down");
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

/// The longest wait the transport computes: about 100 years, which stands for "never". Longer
/// timeouts, windows, pauses and `Retry-After` values are cut to it instead of overflowing.
pub const MAX_WAIT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// Waits shorter than this are not announced to [`on_wait`](crate::TransportBuilder::on_wait).
pub const MIN_ANNOUNCED_WAIT: Duration = Duration::from_secs(1);

/// `now + wait`, with `wait` capped at [`MAX_WAIT`]; never panics.
pub(crate) fn deadline_after(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait.min(MAX_WAIT))
        // Only a clock within 100 years of its own end gets here: wait a year, the most
        // that can still be added, rather than not at all.
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 60 * 60)))
        .unwrap_or(now)
}

/// A wait about to start. See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitEvent {
    /// How long the wait will be (at most [`MAX_WAIT`]).
    pub duration: Duration,
    /// Why.
    pub reason: WaitReason,
}

impl WaitEvent {
    /// A wait of `duration` for `reason`.
    pub fn new(duration: Duration, reason: WaitReason) -> Self {
        Self {
            duration: duration.min(MAX_WAIT),
            reason,
        }
    }
}

/// Why the transport waits. `Display` gives a phrase for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// The server's `Retry-After` before a retry.
    RetryAfter,
    /// Every request is held back after a "Rate Limit" answer (its `Retry-After`, else the
    /// cool-down).
    RateLimitPause,
    /// The rate limit's budget (N starts per window) is used up until a start leaves the window.
    RateLimitBudget,
    /// The retry policy's backoff after a transient failure.
    Backoff,
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RetryAfter => "Pixiv asked to slow down",
            Self::RateLimitPause => "rate limited by Pixiv, every request paused",
            Self::RateLimitBudget => "rate limit budget used up",
            Self::Backoff => "retrying after a transient failure",
        })
    }
}

/// The hook of [`TransportBuilder::on_wait`](crate::TransportBuilder::on_wait), shared by every
/// clone of the config and of the transport.
#[derive(Clone)]
pub struct OnWait(Arc<dyn Fn(&WaitEvent) + Send + Sync>);

impl OnWait {
    /// Wraps `hook`.
    pub fn new(hook: impl Fn(&WaitEvent) + Send + Sync + 'static) -> Self {
        Self(Arc::new(hook))
    }

    /// Calls the hook if the wait is at least [`MIN_ANNOUNCED_WAIT`].
    pub fn announce(&self, duration: Duration, reason: WaitReason) {
        if duration >= MIN_ANNOUNCED_WAIT {
            (self.0)(&WaitEvent::new(duration, reason));
        }
    }
}

impl fmt::Debug for OnWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnWait(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn deadlines_never_overflow() {
        let now = Instant::now();
        assert_eq!(deadline_after(now, Duration::MAX), now + MAX_WAIT);
        assert_eq!(
            deadline_after(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
    }

    #[test]
    fn short_waits_are_not_announced() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let hook = {
            let seen = Arc::clone(&seen);
            OnWait::new(move |e| seen.lock().unwrap().push(*e))
        };
        hook.announce(Duration::from_millis(999), WaitReason::Backoff);
        hook.announce(Duration::MAX, WaitReason::RetryAfter);
        let seen = seen.lock().unwrap();
        assert_eq!(*seen, [WaitEvent::new(MAX_WAIT, WaitReason::RetryAfter)]);
    }
}
