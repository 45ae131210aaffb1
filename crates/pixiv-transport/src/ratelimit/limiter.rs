//! The core limiter: no HTTP types, usable on its own.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::{Instant, sleep_until};

use crate::wait::{MAX_WAIT, WaitReason, deadline_after};

/// Request starts allowed per window by default: 100.
///
/// Source: PixivPy's `RateLimiter(calls=100, period=60)` (PixivPy's HTTP client). Pixiv publishes
/// no limit (docs/protocol.md); this is the figure the Python client has used without trouble.
pub const DEFAULT_MAX_STARTS: u32 = 100;

/// The window the starts are counted in by default: 60 s.
///
/// Source: PixivPy's `RateLimiter(calls=100, period=60)`.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// A sliding-window limiter on *starts*: at most `max` starts in any window of length `window`.
///
/// `Clone` is cheap (one reference count) and every clone shares the same state, so one limiter
/// bounds every task that holds a clone. See the [module docs](super) for an example.
///
/// - **Sliding window.** The instants of the last `max` starts are kept in a ring; the next start
///   is allowed at `oldest + window` (the window is half-open: a start at exactly
///   `oldest + window` is the first one outside it). Unlike PixivPy's `deque` + `time.sleep`
///   under a lock, nobody sleeps while holding the lock, and the count can never exceed `max`
///   in *any* window, not just the one ending now.
/// - **FIFO.** Waiters queue on a one-permit tokio `Semaphore`, which is fair: they are served in
///   the order they called [`acquire`](Self::acquire). Only the head of the queue sleeps on a
///   timer; the others wait for their turn.
/// - **Cancel-safe.** A dropped `acquire` future takes no slot (a start is recorded only at the
///   moment `acquire` returns) and leaves the queue at once, so the tasks behind it move up as if
///   it had never asked.
/// - **Pausable.** [`pause_for`](Self::pause_for) / [`pause_until`](Self::pause_until) hold back
///   every start until a deadline: the rate-limit layer uses it when Pixiv answers "Rate Limit".
///
/// Time is `tokio::time`, so tests under `start_paused = true` see exact virtual instants.
#[derive(Clone)]
pub struct RateLimiter {
    shared: Arc<Shared>,
}

struct Shared {
    /// `None`: no limit on starts (pauses still apply).
    max: Option<u32>,
    window: Duration,
    /// One permit: whoever holds it is the head of the FIFO queue.
    turnstile: Semaphore,
    state: Mutex<State>,
    /// Calls to `acquire` that have not returned yet.
    waiting: AtomicUsize,
}

#[derive(Default)]
struct State {
    /// The instants of the last `max` starts, oldest first.
    starts: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

/// What [`RateLimiter::acquire`] grants: the record of one counted start.
///
/// Dropping it gives nothing back: the start has happened and stays counted in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    started: Instant,
    waited: Duration,
}

impl Permit {
    /// The instant the start was counted at.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// How long the caller waited for it (queue, window and pause together).
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

impl RateLimiter {
    /// At most `max` starts in any window of length `window`.
    ///
    /// A `max` of 0 would block forever and is treated as 1. A zero `window` limits nothing
    /// (but [pauses](Self::pause_for) still apply).
    pub fn new(max: u32, window: Duration) -> Self {
        Self::with_max(Some(max.max(1)), window)
    }

    /// No limit on starts ("limits lifted"). Pauses still apply, so a "Rate Limit" answer still
    /// holds everyone back for the cool-down.
    pub fn unlimited() -> Self {
        Self::with_max(None, Duration::ZERO)
    }

    fn with_max(max: Option<u32>, window: Duration) -> Self {
        let capacity = max.map_or(0, |m| usize::try_from(m.min(4096)).unwrap_or(0));
        Self {
            shared: Arc::new(Shared {
                max,
                // Capped so that `start + window` always fits in an `Instant`.
                window: window.min(MAX_WAIT),
                turnstile: Semaphore::new(1),
                state: Mutex::new(State {
                    starts: VecDeque::with_capacity(capacity),
                    paused_until: None,
                }),
                waiting: AtomicUsize::new(0),
            }),
        }
    }

    /// Waits for a start slot and counts the start. FIFO among callers; cancel-safe (see the
    /// [type docs](Self)).
    pub async fn acquire(&self) -> Permit {
        let asked = Instant::now();
        let _waiting = WaitingGuard::enter(&self.shared.waiting);
        // The semaphore is never closed, so `Err` cannot happen; if it did, going on without the
        // turn only loses FIFO order, never the limit (the state check below is under the lock).
        let _turn = self.shared.turnstile.acquire().await.ok();
        loop {
            let now = Instant::now();
            let next = {
                let mut state = self.lock();
                match self.shared.next_start(&mut state, now) {
                    None => {
                        self.shared.record(&mut state, now);
                        return Permit {
                            started: now,
                            waited: now.saturating_duration_since(asked),
                        };
                    }
                    Some(at) => at,
                }
            };
            // The lock is released before sleeping. A pause that arrives meanwhile is seen when
            // we wake and look again.
            sleep_until(next).await;
        }
    }

    /// Counts a start now if one is allowed now and nobody is queued ahead; else `None`
    /// (nothing counted).
    pub fn try_acquire(&self) -> Option<Permit> {
        let _turn = self.shared.turnstile.try_acquire().ok()?;
        let now = Instant::now();
        let mut state = self.lock();
        if self.shared.next_start(&mut state, now).is_some() {
            return None;
        }
        self.shared.record(&mut state, now);
        Some(Permit {
            started: now,
            waited: Duration::ZERO,
        })
    }

    /// Holds back every start (queued or future) for `duration` from now. Never shortens a
    /// pause already in force.
    pub fn pause_for(&self, duration: Duration) {
        // Capped at `MAX_WAIT` (~100 years): a server's `Retry-After: 10^20` is "never", not a
        // panic.
        self.pause_until(deadline_after(Instant::now(), duration));
    }

    /// Holds back every start until `deadline`. Never shortens a pause already in force.
    pub fn pause_until(&self, deadline: Instant) {
        let mut state = self.lock();
        if state.paused_until.is_none_or(|p| p < deadline) {
            state.paused_until = Some(deadline);
        }
    }

    /// How long a start asked for now would wait at least (callers queued ahead may add to it),
    /// and why; `None` if one is allowed now.
    pub(crate) fn expected_wait(&self) -> Option<(Duration, WaitReason)> {
        let now = Instant::now();
        let mut state = self.lock();
        let at = self.shared.next_start(&mut state, now)?;
        let reason = match state.paused_until {
            Some(p) if p >= at => WaitReason::RateLimitPause,
            _ => WaitReason::RateLimitBudget,
        };
        Some((at.saturating_duration_since(now), reason))
    }

    /// The end of the pause in force, if any.
    pub fn paused_until(&self) -> Option<Instant> {
        let now = Instant::now();
        self.lock().paused_until.filter(|p| *p > now)
    }

    /// Callers inside [`acquire`](Self::acquire) right now (queued or sleeping): for metrics.
    pub fn waiting(&self) -> usize {
        self.shared.waiting.load(Ordering::Relaxed)
    }

    /// Starts counted in the window ending now: for metrics. Always 0 for
    /// [`unlimited`](Self::unlimited).
    pub fn in_window(&self) -> u32 {
        let now = Instant::now();
        let state = self.lock();
        let n = state
            .starts
            .iter()
            .filter(|t| deadline_after(**t, self.shared.window) > now)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The most starts allowed in one window (`None` when unlimited).
    pub fn max(&self) -> Option<u32> {
        self.shared.max
    }

    /// The window length.
    pub fn window(&self) -> Duration {
        self.shared.window
    }

    /// Whether `self` and `other` are clones of one limiter (share their state).
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is two plain fields updated together; a panic elsewhere cannot leave it
        // half-written, so a poisoned lock is still usable.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Shared {
    /// `None` if a start is allowed at `now`, else the instant to look again.
    fn next_start(&self, state: &mut State, now: Instant) -> Option<Instant> {
        let mut at = None;
        match state.paused_until {
            Some(p) if p > now => at = Some(p),
            Some(_) => state.paused_until = None,
            None => {}
        }
        if let Some(max) = self.max {
            if state.starts.len() >= max as usize {
                if let Some(oldest) = state.starts.front() {
                    let free = deadline_after(*oldest, self.window);
                    if free > now {
                        at = Some(at.map_or(free, |p: Instant| p.max(free)));
                    }
                }
            }
        }
        at
    }

    fn record(&self, state: &mut State, now: Instant) {
        let Some(max) = self.max else { return };
        // Starts that have left the window can never hold anyone back: dropping them keeps the
        // ring to the starts of one window even for a huge `max`.
        while state
            .starts
            .front()
            .is_some_and(|oldest| deadline_after(*oldest, self.window) <= now)
        {
            state.starts.pop_front();
        }
        state.starts.push_back(now);
        while state.starts.len() > max as usize {
            state.starts.pop_front();
        }
    }
}

impl Default for RateLimiter {
    /// PixivPy's limiter: [`DEFAULT_MAX_STARTS`] per [`DEFAULT_WINDOW`].
    fn default() -> Self {
        Self::new(DEFAULT_MAX_STARTS, DEFAULT_WINDOW)
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("max", &self.shared.max)
            .field("window", &self.shared.window)
            .field("in_window", &self.in_window())
            .field("waiting", &self.waiting())
            .field("paused_until", &self.paused_until())
            .finish()
    }
}

/// Counts a caller in [`RateLimiter::waiting`] until dropped (returned or cancelled).
struct WaitingGuard<'a>(&'a AtomicUsize);

impl<'a> WaitingGuard<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    #[tokio::test(start_paused = true)]
    async fn n_starts_at_once_then_the_next_at_oldest_plus_window() {
        let limiter = RateLimiter::new(3, 10 * SEC);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.acquire().await.started(), t0);
        }
        assert_eq!(limiter.in_window(), 3);
        assert!(limiter.try_acquire().is_none());
        let p = limiter.acquire().await;
        assert_eq!(p.started(), t0 + 10 * SEC);
        assert_eq!(p.waited(), 10 * SEC);
        assert_eq!(Instant::now(), t0 + 10 * SEC);
        // The window ending now holds only the start just made.
        assert_eq!(limiter.in_window(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn spaced_starts_free_slots_one_by_one() {
        let limiter = RateLimiter::new(2, 10 * SEC);
        let t0 = Instant::now();
        limiter.acquire().await;
        tokio::time::sleep(4 * SEC).await;
        limiter.acquire().await;
        // Third: at the first start + 10 s; fourth: at the second + 10 s.
        assert_eq!(limiter.acquire().await.started(), t0 + 10 * SEC);
        assert_eq!(limiter.acquire().await.started(), t0 + 14 * SEC);
    }

    #[tokio::test(start_paused = true)]
    async fn try_acquire_counts_only_when_allowed() {
        let limiter = RateLimiter::new(1, SEC);
        assert!(limiter.try_acquire().is_some());
        assert!(limiter.try_acquire().is_none());
        assert_eq!(limiter.in_window(), 1);
        tokio::time::advance(SEC).await;
        assert!(limiter.try_acquire().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_back_and_never_shortens() {
        let limiter = RateLimiter::unlimited();
        let t0 = Instant::now();
        limiter.pause_for(5 * SEC);
        limiter.pause_for(2 * SEC);
        assert_eq!(limiter.paused_until(), Some(t0 + 5 * SEC));
        assert!(limiter.try_acquire().is_none());
        assert_eq!(limiter.acquire().await.started(), t0 + 5 * SEC);
        assert_eq!(limiter.paused_until(), None);
        // Unlimited: no start is held back once the pause is over.
        for _ in 0..1000 {
            assert!(limiter.try_acquire().is_some());
        }
        assert_eq!(limiter.in_window(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_during_a_wait_extends_it() {
        let limiter = RateLimiter::new(1, 10 * SEC);
        let t0 = Instant::now();
        limiter.acquire().await;
        let l2 = limiter.clone();
        let waiter = tokio::spawn(async move { l2.acquire().await.started() });
        tokio::time::sleep(3 * SEC).await;
        limiter.pause_for(20 * SEC);
        assert_eq!(waiter.await.unwrap(), t0 + 23 * SEC);
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_counts_callers_inside_acquire() {
        let limiter = RateLimiter::new(1, SEC);
        limiter.acquire().await;
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let l = limiter.clone();
                tokio::spawn(async move { l.acquire().await })
            })
            .collect();
        tokio::task::yield_now().await;
        assert_eq!(limiter.waiting(), 3);
        tasks[1].abort();
        tokio::task::yield_now().await;
        assert_eq!(limiter.waiting(), 2);
        for t in tasks {
            let _ = t.await;
        }
        assert_eq!(limiter.waiting(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_ring_holds_only_one_window_of_starts() {
        let limiter = RateLimiter::new(u32::MAX, SEC);
        for _ in 0..10 {
            limiter.acquire().await;
        }
        tokio::time::advance(SEC).await;
        limiter.acquire().await;
        assert_eq!(limiter.lock().starts.len(), 1);
        assert_eq!(limiter.in_window(), 1);
    }

    #[test]
    fn zero_max_is_one() {
        assert_eq!(RateLimiter::new(0, SEC).max(), Some(1));
        assert_eq!(RateLimiter::default().max(), Some(DEFAULT_MAX_STARTS));
        assert_eq!(RateLimiter::unlimited().max(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_longer_pause_extends_a_shorter_one() {
        let limiter = RateLimiter::unlimited();
        let t0 = Instant::now();
        limiter.pause_for(2 * SEC);
        limiter.pause_for(5 * SEC);
        assert_eq!(limiter.paused_until(), Some(t0 + 5 * SEC));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_is_over_at_its_deadline() {
        let limiter = RateLimiter::unlimited();
        limiter.pause_for(5 * SEC);
        tokio::time::advance(5 * SEC - Duration::from_millis(1)).await;
        assert!(limiter.paused_until().is_some());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(limiter.paused_until(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_start_leaves_the_window_exactly_one_window_later() {
        let limiter = RateLimiter::new(5, 10 * SEC);
        limiter.acquire().await;
        tokio::time::advance(10 * SEC - Duration::from_millis(1)).await;
        assert_eq!(limiter.in_window(), 1);
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(limiter.in_window(), 0);
    }

    #[test]
    fn accessors_report_the_configuration_and_clones_share_it() {
        let limiter = RateLimiter::new(3, 10 * SEC);
        assert_eq!(limiter.window(), 10 * SEC);
        assert!(limiter.same_as(&limiter.clone()));
        assert!(!limiter.same_as(&RateLimiter::new(3, 10 * SEC)));
    }

    #[test]
    fn debug_shows_the_budget_and_its_use() {
        let limiter = RateLimiter::new(3, 10 * SEC);
        let shown = format!("{limiter:?}");
        for part in ["RateLimiter", "max: Some(3)", "window: 10s", "in_window: 0"] {
            assert!(shown.contains(part), "{shown}");
        }
    }
}
