//! `RetryLayer` over the transport's ErrorMap and a raw hyper-util client, against pixiv-mock
//! over real sockets on paused time. The evidence is the mock's request log: how many requests
//! arrived, and the virtual instants between them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{REFERER, read_body};
use http::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, LoggedRequest, MockPixiv, RetryAfter, RouteMatch};
use pixiv_transport::error_map::ErrorMap;
use pixiv_transport::retry::{RetryInfo, RetryLayer, RetryPolicy};
use pixiv_transport::{Body, RequestBody};
use tower::util::BoxCloneSyncService;
use tower::{Layer as _, ServiceExt as _};

const SEC: Duration = Duration::from_secs(1);
const IMAGE: &str = "/size/16/x";

type Stack = BoxCloneSyncService<Request<RequestBody>, http::Response<Body>, PixivError>;

async fn plain_mock() -> MockPixiv {
    MockPixiv::builder().tls(false).start().await.unwrap()
}

/// Retry -> ErrorMap -> hyper-util's client (plain HTTP).
fn stack(layer: RetryLayer) -> Stack {
    let client = Client::builder(TokioExecutor::new()).build_http::<RequestBody>();
    BoxCloneSyncService::new(layer.layer(ErrorMap::new(client)))
}

fn image_get(mock: &MockPixiv) -> Request<RequestBody> {
    Request::get(format!("{}{IMAGE}", mock.base_url()))
        .header("referer", REFERER)
        .body(RequestBody::default())
        .unwrap()
}

/// The gaps between consecutive arrivals.
fn gaps(log: &[LoggedRequest]) -> Vec<Duration> {
    log.windows(2).map(|w| w[1].at - w[0].at).collect()
}

/// Sends `req` and fails the test unless it succeeds; returns the retries it took.
async fn ok_retries(svc: Stack, req: Request<RequestBody>) -> u32 {
    let resp = svc.oneshot(req).await.unwrap();
    let retries = resp.extensions().get::<RetryInfo>().unwrap().retries;
    read_body(resp).await.unwrap();
    retries
}

#[tokio::test(start_paused = true)]
async fn retries_503_twice_then_succeeds_after_1s_and_2s() {
    let mock = plain_mock().await;
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::Status(503), Fault::Status(503)],
    );
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let layer = RetryLayer::new(RetryPolicy::new()).on_retry(move |e| {
        seen.lock()
            .unwrap()
            .push((e.retry, e.wait, e.error.status()));
    });
    assert_eq!(ok_retries(stack(layer), image_get(&mock)).await, 2);

    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 3);
    assert_eq!(gaps(&log), [SEC, 2 * SEC]);
    let unavailable = Some(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        *events.lock().unwrap(),
        [(1, SEC, unavailable), (2, 2 * SEC, unavailable)]
    );
}

#[tokio::test(start_paused = true)]
async fn four_503s_give_up_after_three_retries() {
    let mock = plain_mock().await;
    mock.push_faults(RouteMatch::path(IMAGE), vec![Fault::Status(503); 4]);
    let err = stack(RetryLayer::default())
        .oneshot(image_get(&mock))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 4);
    assert_eq!(gaps(&log), [SEC, 2 * SEC, 4 * SEC]);
}

#[tokio::test(start_paused = true)]
async fn a_first_success_says_zero_retries() {
    let mock = plain_mock().await;
    assert_eq!(
        ok_retries(stack(RetryLayer::default()), image_get(&mock)).await,
        0
    );
    assert_eq!(mock.requests_to(IMAGE).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn not_retried_404_is_one_request() {
    let mock = plain_mock().await;
    mock.push_faults(RouteMatch::path(IMAGE), [Fault::Status(404)]);
    let err = stack(RetryLayer::default())
        .oneshot(image_get(&mock))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(mock.requests_to(IMAGE).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn none_policy_sends_once() {
    let mock = plain_mock().await;
    mock.push_faults(RouteMatch::path(IMAGE), [Fault::Status(503)]);
    let err = stack(RetryLayer::new(RetryPolicy::none()))
        .oneshot(image_get(&mock))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(mock.requests_to(IMAGE).len(), 1);
}

const BOOKMARK: &str = "/v2/illust/bookmark/add";

fn bookmark_post(mock: &MockPixiv, token: &str) -> Request<RequestBody> {
    Request::post(format!("{}{BOOKMARK}", mock.base_url()))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(RequestBody::from("illust_id=12345&restrict=public"))
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_only_when_the_policy_allows_it() {
    let mock = plain_mock().await;
    let token = mock.issue_access_token();

    // PixivPy's methods include POST: retried, and the body goes out again intact.
    mock.push_faults(RouteMatch::path(BOOKMARK), [Fault::Status(503)]);
    assert_eq!(
        ok_retries(stack(RetryLayer::default()), bookmark_post(&mock, &token)).await,
        1
    );
    let log = mock.requests_to(BOOKMARK);
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].body, log[1].body);
    assert_eq!(&log[1].body[..], b"illust_id=12345&restrict=public");
    mock.clear_requests();

    // Without POST in the list: one request, the 503 returned.
    mock.push_faults(RouteMatch::path(BOOKMARK), [Fault::Status(503)]);
    let get_only = RetryPolicy::new().methods([Method::GET]);
    let err = stack(RetryLayer::new(get_only))
        .oneshot(bookmark_post(&mock, &token))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(mock.requests_to(BOOKMARK).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured_exactly() {
    let mock = plain_mock().await;
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::TooManyRequests {
            retry_after: Some(RetryAfter::Seconds(7)),
        }],
    );
    assert_eq!(
        ok_retries(stack(RetryLayer::default()), image_get(&mock)).await,
        1
    );
    assert_eq!(gaps(&mock.requests_to(IMAGE)), [7 * SEC]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_date_is_read_against_the_answers_date() {
    let mock = plain_mock().await;
    // A server clock far from ours: only the difference between its two dates counts.
    let server_now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::Raw {
            status: 503,
            headers: vec![
                ("date".into(), httpdate::fmt_http_date(server_now)),
                (
                    "retry-after".into(),
                    httpdate::fmt_http_date(server_now + 9 * SEC),
                ),
            ],
            body: bytes::Bytes::from_static(b"busy"),
        }],
    );
    assert_eq!(
        ok_retries(stack(RetryLayer::default()), image_get(&mock)).await,
        1
    );
    assert_eq!(gaps(&mock.requests_to(IMAGE)), [9 * SEC]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_date_from_the_local_clock_within_its_1s_resolution() {
    let mock = plain_mock().await;
    // The mock stamps its own `Date` (the real clock, whole seconds); the HTTP-date is 10 s
    // ahead of the real clock, also cut to whole seconds: the wait is 9 or 10 s.
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::TooManyRequests {
            retry_after: Some(RetryAfter::Date(SystemTime::now() + 10 * SEC)),
        }],
    );
    ok_retries(stack(RetryLayer::default()), image_get(&mock)).await;
    let gap = gaps(&mock.requests_to(IMAGE))[0];
    assert!((9 * SEC..=10 * SEC).contains(&gap), "{gap:?}");
}

#[tokio::test(start_paused = true)]
async fn retry_after_above_the_cap_is_capped() {
    let mock = plain_mock().await;
    mock.push_faults(
        RouteMatch::path(IMAGE),
        [Fault::TooManyRequests {
            retry_after: Some(RetryAfter::Seconds(100)),
        }],
    );
    let policy = RetryPolicy::new().max_retry_after(5 * SEC);
    ok_retries(stack(RetryLayer::new(policy)), image_get(&mock)).await;
    assert_eq!(gaps(&mock.requests_to(IMAGE)), [5 * SEC]);
}

#[tokio::test(start_paused = true)]
async fn a_reset_before_the_headers_is_retried() {
    let mock = plain_mock().await;
    mock.push_faults(RouteMatch::path(IMAGE), [Fault::ResetBeforeHeaders]);
    assert_eq!(
        ok_retries(stack(RetryLayer::default()), image_get(&mock)).await,
        1
    );
    let log = mock.requests_to(IMAGE);
    assert_eq!(log.len(), 2);
    assert_eq!(gaps(&log), [SEC]);
}

#[tokio::test(start_paused = true)]
async fn a_json_body_cut_mid_way_is_retried() {
    // ErrorMap buffers 2xx JSON inside the call, so a reset in the body is an Err of the
    // attempt, which the layer retries (a streaming download's body is not: see the docs).
    let mock = plain_mock().await;
    let token = mock.issue_access_token();
    let path = "/v1/illust/detail";
    mock.push_faults(RouteMatch::path(path), [Fault::ResetBody { after: 10 }]);
    let req = Request::get(format!("{}{path}?illust_id=12345", mock.base_url()))
        .header("authorization", format!("Bearer {token}"))
        .body(RequestBody::default())
        .unwrap();
    assert_eq!(ok_retries(stack(RetryLayer::default()), req).await, 1);
    assert_eq!(mock.requests_to(path).len(), 2);
}
