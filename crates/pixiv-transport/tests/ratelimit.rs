//! The rate limiter alone (virtual instants) and `RateLimitLayer` against pixiv-mock over real
//! sockets, judged by the mock's request log. All on paused tokio time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{REFERER, read_body};
use http::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::error_map::ErrorMap;
use pixiv_transport::ratelimit::{
    DEFAULT_RATE_LIMIT_COOLDOWN, RateLimit, RateLimitLayer, RateLimiter,
};
use pixiv_transport::retry::{RetryLayer, RetryPolicy};
use pixiv_transport::{Body, RequestBody};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tower::util::BoxCloneSyncService;
use tower::{Layer as _, Service as _, ServiceBuilder, ServiceExt as _};

const SEC: Duration = Duration::from_secs(1);
const IMAGE: &str = "/size/16/x";

// ---------------------------------------------------------------- the core limiter

#[tokio::test(start_paused = true)]
async fn n_starts_at_once_then_the_next_at_oldest_plus_window() {
    let limiter = RateLimiter::new(5, 10 * SEC);
    let t0 = Instant::now();
    for _ in 0..5 {
        assert_eq!(limiter.acquire().await.started(), t0);
    }
    let sixth = limiter.acquire().await;
    assert_eq!(sixth.started(), t0 + 10 * SEC);
    assert_eq!(sixth.waited(), 10 * SEC);
    // The next four also date from t0, so they too go at t0 + 10 s; the one after, at t0 + 20 s.
    for _ in 0..4 {
        assert_eq!(limiter.acquire().await.started(), t0 + 10 * SEC);
    }
    assert_eq!(limiter.acquire().await.started(), t0 + 20 * SEC);
}

/// The (waiter index, start instant) pairs, in the order the starts were granted.
type Starts = Arc<Mutex<Vec<(usize, Instant)>>>;

/// Spawns `n` tasks that each acquire once and record (their index, the instant of their start).
/// The current-thread runtime first polls spawned tasks in spawn order, so they queue in it.
fn spawn_waiters(limiter: &RateLimiter, n: usize) -> (Vec<JoinHandle<()>>, Starts) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let handles = (0..n)
        .map(|i| {
            let limiter = limiter.clone();
            let got = Arc::clone(&got);
            tokio::spawn(async move {
                let permit = limiter.acquire().await;
                got.lock().unwrap().push((i, permit.started()));
            })
        })
        .collect();
    (handles, got)
}

async fn queue_up(limiter: &RateLimiter, n: usize) {
    while limiter.waiting() < n {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn ten_waiters_are_served_in_fifo_order() {
    let limiter = RateLimiter::new(1, SEC);
    let t0 = Instant::now();
    limiter.acquire().await;
    let (handles, got) = spawn_waiters(&limiter, 10);
    queue_up(&limiter, 10).await;
    for h in handles {
        h.await.unwrap();
    }
    let got = got.lock().unwrap().clone();
    let want: Vec<_> = (0..10).map(|i| (i, t0 + (i as u32 + 1) * SEC)).collect();
    assert_eq!(got, want);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_waiter_frees_its_turn() {
    let limiter = RateLimiter::new(1, SEC);
    let t0 = Instant::now();
    limiter.acquire().await;
    let (handles, got) = spawn_waiters(&limiter, 10);
    queue_up(&limiter, 10).await;
    // Waiter 0 is the head (sleeping on the timer); waiter 3 is queued behind it. Drop both
    // half-way through the first wait.
    tokio::time::sleep(SEC / 2).await;
    handles[0].abort();
    handles[3].abort();
    for h in handles {
        let _ = h.await;
    }
    assert_eq!(limiter.waiting(), 0);
    // The others start exactly as if the two had never asked: one a second from t0 + 1 s.
    let got = got.lock().unwrap().clone();
    let order = [1, 2, 4, 5, 6, 7, 8, 9];
    let want: Vec<_> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, t0 + (k as u32 + 1) * SEC))
        .collect();
    assert_eq!(got, want);
    // And the dropped ones took no slot: the window holds exactly one start per second.
    assert_eq!(limiter.in_window(), 1);
}

#[tokio::test(start_paused = true)]
async fn pause_for_delays_everyone() {
    let limiter = RateLimiter::new(100, 60 * SEC);
    let t0 = Instant::now();
    limiter.acquire().await;
    limiter.pause_for(30 * SEC);
    let (handles, got) = spawn_waiters(&limiter, 5);
    let other_clone = limiter.clone();
    assert!(other_clone.try_acquire().is_none());
    for h in handles {
        h.await.unwrap();
    }
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|(_, at)| *at == t0 + 30 * SEC), "{got:?}");
}

#[tokio::test(start_paused = true)]
async fn clones_and_tasks_share_one_budget() {
    let limiter = RateLimiter::new(3, 10 * SEC);
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..9)
        .map(|_| {
            let l = limiter.clone();
            tokio::spawn(async move { l.acquire().await.started() })
        })
        .collect();
    let mut at = Vec::new();
    for t in tasks {
        at.push(t.await.unwrap());
    }
    at.sort();
    let want: Vec<_> = [0, 0, 0, 10, 10, 10, 20, 20, 20]
        .iter()
        .map(|s| t0 + *s * SEC)
        .collect();
    assert_eq!(at, want);
}

// ---------------------------------------------------------------- the layer, against pixiv-mock

type Stack = BoxCloneSyncService<Request<RequestBody>, http::Response<Body>, PixivError>;

async fn plain_mock() -> MockPixiv {
    MockPixiv::builder().tls(false).start().await.unwrap()
}

/// hyper-util's client over plain HTTP, errors mapped by the transport's ErrorMap.
fn mapped_client() -> ErrorMap<Client<HttpConnector, RequestBody>> {
    ErrorMap::new(Client::builder(TokioExecutor::new()).build_http())
}

fn image_request(mock: &MockPixiv) -> Request<RequestBody> {
    Request::get(format!("{}{IMAGE}", mock.base_url()))
        .header("referer", REFERER)
        .body(RequestBody::default())
        .unwrap()
}

async fn fetch(svc: Stack, req: Request<RequestBody>) -> Result<bytes::Bytes, PixivError> {
    read_body(svc.oneshot(req).await?).await
}

#[tokio::test(start_paused = true)]
async fn layer_keeps_500_requests_from_64_tasks_within_20_per_10s() {
    let mock = plain_mock().await;
    let waits = Arc::new(AtomicU32::new(0));
    let waits_seen = Arc::clone(&waits);
    let svc: Stack = BoxCloneSyncService::new(
        ServiceBuilder::new()
            .layer(
                RateLimitLayer::new(RateLimiter::new(20, 10 * SEC)).on_wait(move |_| {
                    waits_seen.fetch_add(1, Ordering::Relaxed);
                }),
            )
            .service(mapped_client()),
    );
    let left = Arc::new(AtomicUsize::new(500));
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let svc = svc.clone();
            let left = Arc::clone(&left);
            let req = image_request(&mock);
            tokio::spawn(async move {
                while left
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let body = fetch(svc.clone(), req.clone()).await.unwrap();
                    assert_eq!(body.len(), 16);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }

    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 500);
    // The wire evidence: never more than 20 arrivals in any 10 s window.
    for pair in log.windows(21) {
        let span = pair[20].at - pair[0].at;
        assert!(span >= 10 * SEC, "21 requests within {span:?}");
    }
    // 25 bursts of 20, one every 10 s: the last starts 240 s after the first.
    assert_eq!(log[499].at - log[0].at, 240 * SEC);
    // Every request beyond the first 20 waited.
    assert_eq!(waits.load(Ordering::Relaxed), 480);
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_answer_pauses_every_task_for_the_cooldown() {
    let mock = plain_mock().await;
    let limiter = RateLimiter::new(20, 10 * SEC);
    let svc: Stack =
        BoxCloneSyncService::new(RateLimitLayer::new(limiter.clone()).layer(mapped_client()));
    mock.push_faults(RouteMatch::path(IMAGE), [Fault::RateLimitBody]);

    let err = fetch(svc.clone(), image_request(&mock)).await.unwrap_err();
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
    assert!(limiter.paused_until().is_some());

    let tasks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(fetch(svc.clone(), image_request(&mock))))
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 9);
    // Pixiv sends no Retry-After: everyone waits the cool-down from the "Rate Limit" answer.
    for r in &log[1..] {
        assert_eq!(r.at - log[0].at, DEFAULT_RATE_LIMIT_COOLDOWN);
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_pauses_for_that_long() {
    let mock = plain_mock().await;
    let limiter = RateLimiter::new(20, 10 * SEC);
    let svc: Stack = BoxCloneSyncService::new(RateLimit::new(mapped_client(), limiter.clone()));
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::TooManyRequests {
            retry_after: Some(pixiv_mock::RetryAfter::Seconds(7)),
        }],
    );
    let err = fetch(svc.clone(), image_request(&mock)).await.unwrap_err();
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
    fetch(svc, image_request(&mock)).await.unwrap();
    let log = mock.requests_to(IMAGE);
    assert_eq!(log[1].at - log[0].at, 7 * SEC);
}

#[tokio::test(start_paused = true)]
async fn below_the_retry_layer_every_attempt_takes_a_slot() {
    let mock = plain_mock().await;
    let limiter = RateLimiter::new(1, 10 * SEC);
    let svc: Stack = BoxCloneSyncService::new(
        ServiceBuilder::new()
            .layer(RetryLayer::new(RetryPolicy::new()))
            .layer(RateLimitLayer::new(limiter.clone()))
            .service(mapped_client()),
    );
    mock.push_faults(RouteMatch::path(IMAGE), [Fault::Status(503)]);
    fetch(svc, image_request(&mock)).await.unwrap();
    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 2);
    // The retry's own wait is 1 s, but its attempt needs a slot: the next one frees at 10 s.
    assert_eq!(log[1].at - log[0].at, 10 * SEC);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_a_rate_limit_answer_waits_out_the_pause() {
    let mock = plain_mock().await;
    let svc: Stack = BoxCloneSyncService::new(
        ServiceBuilder::new()
            .layer(RetryLayer::new(RetryPolicy::new()))
            .layer(RateLimitLayer::new(RateLimiter::new(20, 10 * SEC)).cooldown(30 * SEC))
            .service(mapped_client()),
    );
    mock.push_faults(RouteMatch::path(IMAGE), [Fault::RateLimitBody]);
    fetch(svc, image_request(&mock)).await.unwrap();
    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 2);
    // The retry's backoff is 1 s; the limiter's pause (the configured cool-down) is longer.
    assert_eq!(log[1].at - log[0].at, 30 * SEC);
}

#[tokio::test(start_paused = true)]
async fn a_call_dropped_before_it_ran_takes_no_slot() {
    let mock = plain_mock().await;
    let limiter = RateLimiter::new(1, 10 * SEC);
    let mut svc = RateLimit::new(mapped_client(), limiter.clone());
    // Ready, called, dropped unpolled: nothing counted.
    let unpolled = svc.ready().await.unwrap().call(image_request(&mock));
    drop(unpolled);
    assert_eq!(limiter.in_window(), 0);
    let t0 = Instant::now();
    fetch(BoxCloneSyncService::new(svc), image_request(&mock))
        .await
        .unwrap();
    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].at, t0);
}
