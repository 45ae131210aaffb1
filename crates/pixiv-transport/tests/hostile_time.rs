//! Durations from outside (timeouts, rate limits, `Retry-After`, pauses) never panic, a zero
//! timeout is refused when the transport is built, and long waits are announced to `on_wait`.
//! All on paused tokio time (docs/reliability.md, "Time from outside").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Request;
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, MockPixiv, RetryAfter, RouteMatch};
use pixiv_transport::ratelimit::RateLimiter;
use pixiv_transport::retry::RetryPolicy;
use pixiv_transport::timeout::TimeoutLayer;
use pixiv_transport::wait::{MAX_WAIT, WaitEvent, WaitReason};
use pixiv_transport::{RequestBody, Timeouts, Transport, TransportBuilder};
use proptest::prelude::*;
use tower::{Layer as _, ServiceExt as _};

const IMAGE: &str = "/size/16/x.bin";
const REFERER: &str = "https://app-api.pixiv.net/";

fn image(mock: &MockPixiv) -> Request<RequestBody> {
    Request::get(format!("{}{IMAGE}", mock.base_url()))
        .header("referer", REFERER)
        .body(RequestBody::default())
        .unwrap()
}

type Events = Arc<Mutex<Vec<WaitEvent>>>;

fn recording(config: TransportBuilder) -> (TransportBuilder, Events) {
    let events = Events::default();
    let seen = Arc::clone(&events);
    let config = config.on_wait(move |e: &WaitEvent| seen.lock().unwrap().push(*e));
    (config, events)
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_120_is_announced_once_with_120_s() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::TooManyRequests {
            retry_after: Some(RetryAfter::Seconds(120)),
        }],
    );
    let (config, events) = recording(
        Transport::builder().retry(RetryPolicy::new().max_retry_after(Duration::from_secs(600))),
    );
    let t = config.build().unwrap();
    let resp = t.send(image(&mock)).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        *events.lock().unwrap(),
        [WaitEvent::new(
            Duration::from_secs(120),
            WaitReason::RetryAfter
        )]
    );
    assert_eq!(
        WaitReason::RetryAfter.to_string(),
        "Pixiv asked to slow down"
    );
}

#[tokio::test(start_paused = true)]
async fn a_used_up_budget_is_announced_before_the_wait_and_short_waits_are_not() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    let (config, events) = recording(Transport::builder().rate_limit(1, Duration::from_secs(30)));
    let t = config.build().unwrap();
    t.send(image(&mock)).await.unwrap();
    assert!(events.lock().unwrap().is_empty());
    t.send(image(&mock)).await.unwrap();
    assert_eq!(
        *events.lock().unwrap(),
        [WaitEvent::new(
            Duration::from_secs(30),
            WaitReason::RateLimitBudget
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn huge_timeouts_and_a_rate_limit_of_one_per_u64_max_seconds_do_not_panic() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    let t = Transport::builder()
        .timeout(Duration::MAX)
        .timeouts(
            Timeouts::new()
                .headers(Some(Duration::MAX))
                .body_idle(Some(Duration::MAX))
                .total(Some(Duration::MAX)),
        )
        .rate_limit(1, Duration::from_secs(u64::MAX))
        .build()
        .unwrap();
    t.send(image(&mock)).await.unwrap();
    // The second start waits "forever" (capped at MAX_WAIT), without a panic.
    let second = tokio::time::timeout(Duration::from_secs(3600), t.send(image(&mock))).await;
    assert!(second.is_err(), "still waiting after an hour");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_of_10_pow_20_seconds_or_year_9999_does_not_panic() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    for value in ["100000000000000000000", "Fri, 31 Dec 9999 23:59:59 GMT"] {
        mock.push_faults(
            RouteMatch::path(IMAGE),
            [Fault::Raw {
                status: 429,
                headers: vec![("retry-after".into(), value.into())],
                body: bytes::Bytes::from_static(b"{\"error\":{\"message\":\"Rate Limit\"}}"),
            }],
        );
        let t = Transport::builder()
            .retry(RetryPolicy::new().max_retry_after(Duration::MAX))
            .build()
            .unwrap();
        let resp = t.send(image(&mock)).await.unwrap();
        assert_eq!(resp.status(), 200, "{value}");
    }
}

#[tokio::test]
async fn a_zero_timeout_is_refused_when_built() {
    for builder in [
        Transport::builder().timeout(Duration::ZERO),
        Transport::builder().timeouts(Timeouts::new().total(Some(Duration::ZERO))),
        Transport::builder().timeouts(Timeouts::new().connect(Some(Duration::ZERO))),
        Transport::builder().connect(|c| c.connect_timeout(Some(Duration::ZERO))),
    ] {
        let err = builder.build().unwrap_err();
        assert!(
            matches!(&err, PixivError::InvalidInput { what, .. } if what.contains("timeout")),
            "{err:?}"
        );
    }
}

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        Just(Duration::from_secs(u64::MAX)),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..1_000_000).prop_map(Duration::from_millis),
    ]
}

fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every duration the transport turns into an instant or a wait, from any input: no panic.
    #[test]
    fn no_duration_from_outside_panics(
        window in any_duration(),
        max in any::<u32>(),
        pause in any_duration(),
        headers in any_duration(),
        idle in any_duration(),
        total in any_duration(),
        factor in any_duration(),
        max_backoff in any_duration(),
        retry_after in any_duration(),
        retry in any::<u32>(),
    ) {
        paused_runtime().block_on(async move {
            // Limiter: window, count and pauses.
            let limiter = RateLimiter::new(max, window);
            let _ = limiter.try_acquire();
            limiter.pause_for(pause);
            limiter.pause_for(Duration::MAX);
            let _ = limiter.paused_until();
            let _ = limiter.in_window();
            let _ = tokio::time::timeout(Duration::from_secs(1), limiter.acquire()).await;
            tokio::time::advance(Duration::from_secs(3600)).await;
            let _ = limiter.in_window();

            // Timeouts: headers, body idle and total deadlines of one call, body included.
            let layer = TimeoutLayer::new()
                .headers(Some(headers))
                .body_idle(Some(idle))
                .total(Some(total));
            let svc = layer.layer(tower::service_fn(|_req: Request<RequestBody>| async {
                Ok::<_, PixivError>(http::Response::new(pixiv_transport::body::empty()))
            }));
            let resp = svc.oneshot(Request::new(RequestBody::default())).await;
            if let Ok(resp) = resp {
                let _ = http_body_util::BodyExt::collect(resp.into_body()).await;
            }

            // Retry: backoff and Retry-After.
            let policy = RetryPolicy::new()
                .backoff_factor(factor)
                .max_backoff(max_backoff)
                .max_retry_after(Duration::MAX);
            let _ = policy.backoff(retry);
            let err = PixivError::rate_limited(http::StatusCode::TOO_MANY_REQUESTS, Some(retry_after));
            let wait = policy.delay(retry, &err);
            let _ = tokio::time::timeout(Duration::from_secs(1), tokio::time::sleep(wait)).await;

            // The event a hook sees is capped too.
            prop_assert!(WaitEvent::new(retry_after, WaitReason::RetryAfter).duration <= MAX_WAIT);
            Ok(())
        })?;
    }
}

#[tokio::test(start_paused = true)]
async fn a_pause_after_a_rate_limit_answer_is_announced_to_the_next_request() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::TooManyRequests {
            retry_after: Some(RetryAfter::Seconds(30)),
        }],
    );
    let (config, events) = recording(
        Transport::builder()
            .retry(RetryPolicy::new().max_retries(0))
            .rate_limit(100, Duration::from_secs(60)),
    );
    let t = config.build().unwrap();
    let err = t.send(image(&mock)).await.unwrap_err();
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
    assert!(events.lock().unwrap().is_empty(), "no retry, no wait yet");
    t.send(image(&mock)).await.unwrap();
    assert_eq!(
        *events.lock().unwrap(),
        [WaitEvent::new(
            Duration::from_secs(30),
            WaitReason::RateLimitPause
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn on_retry_hears_each_retry_with_its_number_wait_and_error_beside_on_wait() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [
            Fault::TooManyRequests {
                retry_after: Some(RetryAfter::Seconds(3)),
            },
            Fault::TooManyRequests {
                retry_after: Some(RetryAfter::Seconds(5)),
            },
        ],
    );
    let retries = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&retries);
    let (config, waits) = recording(Transport::builder().on_retry(move |e| {
        seen.lock().unwrap().push((
            e.retry,
            e.wait,
            e.error.to_string(),
            e.uri.path().to_owned(),
        ));
    }));
    let t = config.build().unwrap();
    assert_eq!(t.send(image(&mock)).await.unwrap().status(), 200);
    let retries = retries.lock().unwrap();
    assert_eq!(retries.len(), 2, "{retries:?}");
    assert_eq!((retries[0].0, retries[0].1), (1, Duration::from_secs(3)));
    assert_eq!((retries[1].0, retries[1].1), (2, Duration::from_secs(5)));
    assert!(
        retries[0].2.contains("429") || retries[0].2.to_lowercase().contains("rate"),
        "{retries:?}"
    );
    assert_eq!(retries[0].3, IMAGE);
    // The wait hook still hears the same waits.
    assert_eq!(waits.lock().unwrap().len(), 2);
}
