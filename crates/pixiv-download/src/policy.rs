//! [`ResumePolicy`]: how often one download tries again after its body broke off, and how long it
//! waits in between.
//!
//! The transport's retry layer replays a request that failed *before* its answer arrived. A body
//! that breaks off half-way is past that point: the download itself tries again, and resumes
//! from the bytes it already has (`Range: bytes=N-` with `If-Range`) instead of starting over.
//!
//! The backoff is the seed's `backoff_factor * 2^(n-1)` (n = 1 for the first retry), capped at
//! [`ResumePolicy::max_backoff`], with "equal jitter" (half fixed, half random) so a batch whose
//! transfers broke together does not come back together. A server's `Retry-After` wins when it
//! asks for longer.

use std::time::Duration;

use pixiv_errors::PixivError;

/// Retries after a body failure: the seed's `retry total=3`.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

/// The seed's `backoff_factor=1`: 1 s before the first retry, then 2 s, 4 s.
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);

/// The longest wait between two attempts: 30 s.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How one download retries a transfer that broke off. See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct ResumePolicy {
    max_retries: u32,
    backoff: Duration,
    max_backoff: Duration,
    jitter: bool,
}

impl Default for ResumePolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl ResumePolicy {
    /// [`DEFAULT_MAX_RETRIES`] retries, [`DEFAULT_BACKOFF`] doubling up to [`DEFAULT_MAX_BACKOFF`],
    /// with jitter.
    pub fn new() -> Self {
        Self {
            max_retries: DEFAULT_MAX_RETRIES,
            backoff: DEFAULT_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            jitter: true,
        }
    }

    /// No retries: the first failure is the result (the `.part` stays for a later resume when
    /// it can be resumed).
    pub fn none() -> Self {
        Self::new().max_retries(0)
    }

    /// How many times to try again after the first attempt. Default [`DEFAULT_MAX_RETRIES`] (3).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The wait before the first retry; it doubles for each next one. Default
    /// [`DEFAULT_BACKOFF`] (1 s).
    pub fn backoff(mut self, base: Duration) -> Self {
        self.backoff = base;
        self
    }

    /// The cap on one wait. Default [`DEFAULT_MAX_BACKOFF`] (30 s).
    pub fn max_backoff(mut self, cap: Duration) -> Self {
        self.max_backoff = cap;
        self
    }

    /// Whether to randomise half of each wait. Default `true`.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The retries allowed after the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (1 for the first) after `error`.
    pub fn delay(&self, retry: u32, error: &PixivError) -> Duration {
        let exp = retry.saturating_sub(1).min(31);
        let mut wait = self
            .backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        if self.jitter && !wait.is_zero() {
            let half = wait / 2;
            wait = half + half.mul_f64(fastrand::f64());
        }
        match error.retry_after() {
            Some(asked) if asked > wait => asked,
            _ => wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = ResumePolicy::new().jitter(false);
        let e = PixivError::truncated(Some(10), 5);
        assert_eq!(p.delay(1, &e), Duration::from_secs(1));
        assert_eq!(p.delay(2, &e), Duration::from_secs(2));
        assert_eq!(p.delay(3, &e), Duration::from_secs(4));
        assert_eq!(p.delay(10, &e), DEFAULT_MAX_BACKOFF);
        assert_eq!(p.delay(100, &e), DEFAULT_MAX_BACKOFF);
        let j = ResumePolicy::new().delay(2, &e);
        assert!(
            j >= Duration::from_secs(1) && j <= Duration::from_secs(2),
            "{j:?}"
        );
        let ra = PixivError::rate_limited(
            http::StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(9)),
        );
        assert_eq!(p.delay(1, &ra), Duration::from_secs(9));
    }
}
