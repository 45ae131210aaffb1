use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use pixiv_errors::PixivError;
use tokio::time::Instant;

use super::{AccessToken, TokenSource};

/// A token is refreshed this long before its `expires_in` runs out, so a call started just before
/// expiry does not race it: one minute of Pixiv's 3600 s lifetime (docs/protocol.md).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The longest a token is trusted without asking the server again: one day. A longer
/// `expires_in` (a server may send 9.2e18) is cut to this, so no expiry computed from it can
/// overflow the clock (issue #19). Pixiv's tokens live 3600 s.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// What a refresh produced: the token and, if the server said, how long it lives.
#[derive(Debug, Clone)]
pub struct FreshToken {
    /// The new token.
    pub token: AccessToken,
    /// Its lifetime (OAuth `expires_in`); `None` means until the server rejects it. A lifetime
    /// over [`MAX_TOKEN_LIFETIME`] is treated as that.
    pub expires_in: Option<Duration>,
}

impl FreshToken {
    /// A token without a known lifetime.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: AccessToken::new(token),
            expires_in: None,
        }
    }

    /// Sets the lifetime.
    #[must_use]
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }
}

struct Current {
    token: AccessToken,
    /// When to stop handing it out (expiry minus the margin).
    refresh_at: Option<Instant>,
}

/// A single-flight [`TokenSource`] over a function that fetches a fresh token (the facade's OAuth
/// refresh-token call, or a test's).
///
/// - [`token`](TokenSource::token) returns the cached token without waiting while it is valid
///   (a plain `std` mutex, held for a clone, never across an `.await`); when there is none or it
///   expired, it refreshes.
/// - [`refresh`](TokenSource::refresh) takes a `tokio` mutex (held across the fetch: that is the
///   single flight), then looks again: if the cached token is no longer `stale`, another caller
///   already refreshed and that token is returned without a fetch. So 64 requests that all fail
///   with the same stale token cause exactly one fetch.
///
/// A failed fetch fails every caller that was already waiting for it (with a copy of its error,
/// `PixivError` is `Clone`): 64 requests rejected while the refresh token is dead cause one
/// OAuth call, not 64. A caller that arrives after the failure tries again.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use pixiv_transport::auth::{FreshToken, Refresher, TokenSource};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), pixiv_transport::PixivError> {
/// let fetches = Arc::new(AtomicU32::new(0));
/// let counter = fetches.clone();
/// let source = Refresher::new(move || {
///     let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
///     async move { Ok(FreshToken::new(format!("token-{n}"))) }
/// });
/// let first = source.token().await?;
/// let (a, b) = tokio::join!(source.refresh(&first), source.refresh(&first));
/// assert_eq!(a?, b?);
/// assert_eq!(fetches.load(Ordering::SeqCst), 2); // the first token, then ONE refresh
/// # Ok(())
/// # }
/// ```
pub struct Refresher<F> {
    fetch: F,
    current: Mutex<Option<Current>>,
    flight: tokio::sync::Mutex<()>,
    margin: Duration,
    /// Failed fetches so far, and the last one's error.
    failures: AtomicU64,
    last_failure: Mutex<Option<PixivError>>,
}

impl<F, Fut> Refresher<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<FreshToken, PixivError>> + Send,
{
    /// A source that calls `fetch` for every refresh, with [`DEFAULT_REFRESH_MARGIN`].
    pub fn new(fetch: F) -> Self {
        Self {
            fetch,
            current: Mutex::new(None),
            flight: tokio::sync::Mutex::new(()),
            margin: DEFAULT_REFRESH_MARGIN,
            failures: AtomicU64::new(0),
            last_failure: Mutex::new(None),
        }
    }

    /// Starts with a token already known (e.g. from a login), valid for `expires_in`.
    #[must_use]
    pub fn with_initial(self, initial: FreshToken) -> Self {
        self.store(initial);
        self
    }

    /// How long before expiry a token stops being handed out.
    ///
    /// Default: [`DEFAULT_REFRESH_MARGIN`] (60 s).
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The cached token if it is still valid.
    fn valid(&self) -> Option<AccessToken> {
        let guard = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let current = guard.as_ref()?;
        match current.refresh_at {
            Some(at) if Instant::now() >= at => None,
            _ => Some(current.token.clone()),
        }
    }

    fn store(&self, fresh: FreshToken) -> AccessToken {
        let refresh_at = fresh
            .expires_in
            .map(|life| refresh_at(Instant::now(), life, self.margin));
        let token = fresh.token;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(Current {
            token: token.clone(),
            refresh_at,
        });
        token
    }

    /// Refreshes unless the cached valid token differs from `stale` (`None`: any valid token will do).
    async fn refresh_past(&self, stale: Option<&AccessToken>) -> Result<AccessToken, PixivError> {
        let failures_before = self.failures.load(Ordering::Acquire);
        let _flight = self.flight.lock().await;
        if let Some(current) = self.valid() {
            if stale != Some(&current) {
                return Ok(current);
            }
        }
        // The fetch this caller waited for failed: share its outcome instead of fetching again.
        if self.failures.load(Ordering::Acquire) != failures_before {
            let last = self
                .last_failure
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(err) = last.as_ref() {
                return Err(err.clone());
            }
        }
        match (self.fetch)().await {
            Ok(fresh) => Ok(self.store(fresh)),
            Err(err) => {
                *self
                    .last_failure
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(err.clone());
                self.failures.fetch_add(1, Ordering::Release);
                Err(err)
            }
        }
    }
}

/// When a token of lifetime `life` got at `now` stops being handed out: `life` capped at
/// [`MAX_TOKEN_LIFETIME`], minus `margin` (at least `now`). Never overflows: an instant past the
/// clock's range is `now` plus the capped lifetime, which the clock always holds.
fn refresh_at(now: Instant, life: Duration, margin: Duration) -> Instant {
    let wait = life.min(MAX_TOKEN_LIFETIME).saturating_sub(margin);
    now.checked_add(wait).unwrap_or(now)
}

impl<F, Fut> TokenSource for Refresher<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<FreshToken, PixivError>> + Send,
{
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        Box::pin(async move {
            match self.valid() {
                Some(token) => Ok(token),
                None => self.refresh_past(None).await,
            }
        })
    }

    fn refresh(&self, stale: &AccessToken) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        let stale = stale.clone();
        Box::pin(async move { self.refresh_past(Some(&stale)).await })
    }
}

impl<F> fmt::Debug for Refresher<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refresher")
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn counting() -> (Arc<AtomicU32>, impl TokenSource) {
        let fetches = Arc::new(AtomicU32::new(0));
        let counter = fetches.clone();
        let source = Refresher::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(FreshToken::new(format!("t{n}")).expires_in(Duration::from_secs(3600)))
            }
        });
        (fetches, source)
    }

    #[tokio::test(start_paused = true)]
    async fn many_refreshes_of_one_stale_token_fetch_once() {
        let (fetches, source) = counting();
        let source = Arc::new(source);
        let stale = source.token().await.unwrap();
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (s, stale) = (source.clone(), stale.clone());
                tokio::spawn(async move { s.refresh(&stale).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().secret(), "t2");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_share_a_failed_fetch_and_later_callers_try_again() {
        let fetches = Arc::new(AtomicU32::new(0));
        let counter = fetches.clone();
        let source = Arc::new(Refresher::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err::<FreshToken, _>(PixivError::auth(
                    None,
                    pixiv_errors::AuthErrorKind::InvalidRefreshToken,
                    "Invalid refresh token",
                ))
            }
        }));
        let stale = AccessToken::new("old");
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (s, stale) = (source.clone(), stale.clone());
                tokio::spawn(async move { s.refresh(&stale).await })
            })
            .collect();
        for t in tasks {
            let err = t.await.unwrap().unwrap_err();
            assert_eq!(
                err.auth_kind(),
                Some(pixiv_errors::AuthErrorKind::InvalidRefreshToken)
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(source.refresh(&stale).await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    proptest::proptest! {
        // Issue #19: `expires_in` of 9.2e18 s panicked with "overflow when adding duration to
        // instant". Any lifetime and any margin now give an instant within a day of now.
        #[test]
        fn any_lifetime_and_margin_is_a_sane_instant(
            secs in proptest::prelude::any::<u64>(),
            nanos in 0u32..1_000_000_000,
            margin_secs in proptest::prelude::any::<u64>(),
        ) {
            let life = Duration::new(secs, nanos);
            let margin = Duration::from_secs(margin_secs);
            let now = Instant::now();
            let at = refresh_at(now, life, margin);
            proptest::prop_assert!(at >= now && at <= now + MAX_TOKEN_LIFETIME);
            let source = Refresher::new(|| async { Ok(FreshToken::new("t")) })
                .refresh_margin(margin)
                .with_initial(FreshToken::new("t0").expires_in(life));
            // A wait of zero is already over; a minute is not over yet (the clock is not
            // paused here, so waits in between are left out).
            let wait = life.min(MAX_TOKEN_LIFETIME).saturating_sub(margin);
            if wait.is_zero() || wait >= Duration::from_secs(60) {
                proptest::prop_assert_eq!(source.valid().is_some(), !wait.is_zero());
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_expired_token_is_refreshed_before_use() {
        let (fetches, source) = counting();
        assert_eq!(source.token().await.unwrap().secret(), "t1");
        tokio::time::advance(Duration::from_secs(3600 - 61)).await;
        assert_eq!(source.token().await.unwrap().secret(), "t1");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(source.token().await.unwrap().secret(), "t2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}
