//! The timeout layer over the real client and pixiv-mock, on paused tokio time: slow headers,
//! a stalled body (idle), a body still flowing past the total deadline, the total deadline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{get_with_referer, timeout_phase, trusting};
use http::{Request, Response};
use http_body_util::BodyExt;
use pixiv_errors::TimeoutPhase;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::connect::{ConnectConfig, HttpClient};
use pixiv_transport::error_map::ErrorMapLayer;
use pixiv_transport::timeout::{TimeoutLayer, TimeoutOverride};
use pixiv_transport::{Body, PixivError, RequestBody};
use tokio::time::Instant;
use tower::util::BoxCloneService;
use tower::{ServiceBuilder, ServiceExt};

type Svc = BoxCloneService<Request<RequestBody>, Response<Body>, PixivError>;

fn stack(mock: &MockPixiv, layer: TimeoutLayer) -> Svc {
    let client = HttpClient::new(ConnectConfig::new().tls(trusting(mock))).unwrap();
    BoxCloneService::new(
        ServiceBuilder::new()
            .layer(layer)
            .layer(ErrorMapLayer::new())
            .service(client),
    )
}

/// Reads the body frame by frame: the bytes, and when the last data frame came.
async fn read(resp: Response<Body>) -> (Result<Bytes, PixivError>, Instant) {
    let mut body = resp.into_body();
    let mut data = Vec::new();
    let mut last = Instant::now();
    loop {
        match body.frame().await {
            None => return (Ok(data.into()), last),
            Some(Err(e)) => return (Err(e), last),
            Some(Ok(frame)) => {
                if let Ok(chunk) = frame.into_data() {
                    data.extend_from_slice(&chunk);
                    last = Instant::now();
                }
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn slow_headers_are_a_headers_timeout() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let svc = stack(
        &mock,
        TimeoutLayer::new().headers(Some(Duration::from_secs(10))),
    );
    let url = format!("{}/size/10/a.bin", mock.base_url());

    mock.push_faults(
        RouteMatch::path_prefix("/size/"),
        [Fault::DelayHeaders(Duration::from_secs(5))],
    );
    let resp = svc.clone().oneshot(get_with_referer(&url)).await.unwrap();
    assert_eq!(read(resp).await.0.unwrap().len(), 10, "5 s < 10 s is fine");

    mock.push_faults(
        RouteMatch::path_prefix("/size/"),
        [Fault::DelayHeaders(Duration::from_secs(30))],
    );
    let start = Instant::now();
    let err = svc.oneshot(get_with_referer(&url)).await.unwrap_err();
    assert_eq!(timeout_phase(&err), Some(TimeoutPhase::Headers), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn stalled_body_is_body_idle_exactly_t_after_the_last_bytes() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let idle = Duration::from_secs(5);
    let svc = stack(&mock, TimeoutLayer::new().body_idle(Some(idle)));
    mock.push_faults(
        RouteMatch::path_prefix("/size/"),
        [Fault::StallBody {
            after: 100_000,
            stall: Duration::from_secs(60),
        }],
    );
    let resp = svc
        .oneshot(get_with_referer(&format!(
            "{}/size/1000000/a.bin",
            mock.base_url()
        )))
        .await
        .unwrap();
    let (result, last) = read(resp).await;
    let err = result.unwrap_err();
    assert_eq!(timeout_phase(&err), Some(TimeoutPhase::BodyIdle), "{err:?}");
    assert_eq!(
        last.elapsed(),
        idle,
        "exactly the idle timeout after the last frame"
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_reader_is_not_an_idle_body() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let svc = stack(
        &mock,
        TimeoutLayer::new().body_idle(Some(Duration::from_secs(5))),
    );
    let resp = svc
        .oneshot(get_with_referer(&format!(
            "{}/size/2000000/a.bin",
            mock.base_url()
        )))
        .await
        .unwrap();
    let mut body = resp.into_body();
    let mut n = body
        .frame()
        .await
        .unwrap()
        .unwrap()
        .into_data()
        .unwrap()
        .len();
    // The reader is busy for a minute (a slow disk): the server is not to blame.
    tokio::time::sleep(Duration::from_secs(60)).await;
    while let Some(frame) = body.frame().await {
        n += frame.unwrap().into_data().map_or(0, |d| d.len());
    }
    assert_eq!(n, 2_000_000);
}

#[tokio::test(start_paused = true)]
async fn a_body_flowing_past_the_total_is_not_cut_without_a_total() {
    let mock = MockPixiv::builder().start().await.unwrap();
    // The total deadline (1 s) is shorter than the body takes (a 1.5 s pause in the middle); the
    // idle timeout (2 s) is not reached.
    let svc = stack(
        &mock,
        TimeoutLayer::new()
            .body_idle(Some(Duration::from_secs(2)))
            .total(Some(Duration::from_secs(1))),
    );
    let url = format!("{}/size/4194304/big.bin", mock.base_url());
    let stall = Fault::StallBody {
        after: 1 << 20,
        stall: Duration::from_millis(1500),
    };

    // A download opts out of the total deadline.
    mock.push_faults(RouteMatch::path_prefix("/size/"), [stall.clone()]);
    let mut req = get_with_referer(&url);
    req.extensions_mut()
        .insert(TimeoutOverride::new().total(None));
    let start = Instant::now();
    let resp = svc.clone().oneshot(req).await.unwrap();
    let body = read(resp).await.0.unwrap();
    assert_eq!(body.len(), 4 << 20);
    assert!(start.elapsed() >= Duration::from_millis(1500));

    // The same body under the layer's total deadline is cut at 1 s.
    mock.push_faults(RouteMatch::path_prefix("/size/"), [stall]);
    let start = Instant::now();
    let resp = svc.oneshot(get_with_referer(&url)).await.unwrap();
    let err = read(resp).await.0.unwrap_err();
    assert_eq!(timeout_phase(&err), Some(TimeoutPhase::Total), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn total_deadline_before_the_headers_is_total() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let svc = stack(
        &mock,
        TimeoutLayer::new()
            .headers(Some(Duration::from_secs(10)))
            .total(Some(Duration::from_secs(2))),
    );
    mock.push_faults(
        RouteMatch::path_prefix("/size/"),
        [Fault::DelayHeaders(Duration::from_secs(3))],
    );
    let start = Instant::now();
    let err = svc
        .oneshot(get_with_referer(&format!(
            "{}/size/10/a.bin",
            mock.base_url()
        )))
        .await
        .unwrap_err();
    assert_eq!(timeout_phase(&err), Some(TimeoutPhase::Total), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}
