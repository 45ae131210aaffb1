//! `AuthLayer` over ErrorMap + a raw client against pixiv-mock: Bearer only to configured origins,
//! one refresh for many rejected requests, one replay each.
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::{header, mock, raw_client};
use http::{Request, Uri};
use pixiv_errors::PixivError;
use pixiv_mock::MockPixiv;
use pixiv_transport::RequestBody;
use pixiv_transport::auth::{AuthLayer, FreshToken, Refresher, StaticToken, TokenSource};
use pixiv_transport::error_map::ErrorMapLayer;
use tower::{ServiceBuilder, ServiceExt as _};

/// A token source that gets fresh tokens from the mock and counts fetches. When `wait_for` is
/// set, a fetch after the first waits until the mock has logged that many requests, so every
/// concurrent request provably went out with the stale token first.
fn mock_source(
    mock: &Arc<MockPixiv>,
    wait_for: Option<usize>,
) -> (Arc<AtomicU32>, Arc<dyn TokenSource>) {
    let fetches = Arc::new(AtomicU32::new(0));
    let (counter, mock) = (fetches.clone(), mock.clone());
    let source = Refresher::new(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let mock = mock.clone();
        async move {
            if let (Some(want), true) = (wait_for, n > 0) {
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                while mock.requests().len() < want {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "requests never arrived"
                    );
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            Ok(FreshToken::new(mock.issue_access_token()))
        }
    });
    (fetches, Arc::new(source))
}

fn origin(mock: &MockPixiv) -> Uri {
    mock.base_url().parse().unwrap()
}

fn detail(base: &str, id: u32) -> Request<RequestBody> {
    Request::get(format!("{base}/v1/illust/detail?illust_id={id}"))
        .body(RequestBody::default())
        .unwrap()
}

fn bearer_of(req: &pixiv_mock::LoggedRequest) -> Option<String> {
    header(req, "authorization").map(|v| v.trim_start_matches("Bearer ").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_rejected_requests_cause_one_refresh_and_each_replays_once() {
    let mock = Arc::new(mock().await);
    let (fetches, source) = mock_source(&mock, Some(64));
    let svc = ServiceBuilder::new()
        .layer(AuthLayer::new(source.clone()).for_origins([origin(&mock)]))
        .layer(ErrorMapLayer::new())
        .service(raw_client(&mock));
    let old = source.token().await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    mock.expire_access_tokens();
    mock.clear_requests();

    let base = mock.base_url();
    let tasks: Vec<_> = (1..=64)
        .map(|id| tokio::spawn(svc.clone().oneshot(detail(&base, id))))
        .collect();
    for t in tasks {
        let resp = t
            .await
            .unwrap()
            .expect("every request succeeds after the refresh");
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "exactly one refresh");

    let new = source.token().await.unwrap();
    assert_ne!(old, new);
    let log = mock.requests();
    assert_eq!(log.len(), 128);
    for id in 1..=64 {
        let id = id.to_string();
        let mine: Vec<_> = log
            .iter()
            .filter(|r| r.query.iter().any(|(k, v)| k == "illust_id" && *v == id))
            .collect();
        assert_eq!(mine.len(), 2, "illust {id}: one send, one replay");
        assert_eq!(bearer_of(mine[0]).as_deref(), Some(old.secret()));
        assert_eq!(bearer_of(mine[1]).as_deref(), Some(new.secret()));
    }
}

#[tokio::test]
async fn bearer_never_goes_to_a_host_not_configured() {
    let mock = Arc::new(mock().await);
    let (_, source) = mock_source(&mock, None);
    let svc = ServiceBuilder::new()
        .layer(AuthLayer::new(source).for_origins([origin(&mock)]))
        .layer(ErrorMapLayer::new())
        .service(raw_client(&mock));
    // Same server, other name: `localhost` is not the configured origin `127.0.0.1`.
    let other = format!("https://localhost:{}", mock.addr().port());
    let image = Request::get(format!("{other}/size/16/a.bin"))
        .header("referer", common::REFERER)
        .body(RequestBody::default())
        .unwrap();
    svc.clone().oneshot(image).await.unwrap();
    let err = svc.clone().oneshot(detail(&other, 1)).await.unwrap_err();
    assert!(
        matches!(err, PixivError::Auth { .. }),
        "the API wants a token: {err:?}"
    );
    // And the configured origin does get one.
    svc.oneshot(detail(&mock.base_url(), 1)).await.unwrap();

    let log = mock.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(header(&log[0], "authorization"), None);
    assert_eq!(header(&log[1], "authorization"), None);
    assert!(header(&log[2], "authorization").is_some_and(|v| v.starts_with("Bearer ")));
}

#[tokio::test]
async fn no_host_configured_means_no_bearer() {
    let mock = Arc::new(mock().await);
    let (fetches, source) = mock_source(&mock, None);
    let svc = ServiceBuilder::new()
        .layer(AuthLayer::new(source))
        .layer(ErrorMapLayer::new())
        .service(raw_client(&mock));
    let _ = svc.oneshot(detail(&mock.base_url(), 1)).await;
    assert_eq!(header(&mock.requests()[0], "authorization"), None);
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        0,
        "no token fetched for nothing"
    );
}

#[tokio::test]
async fn a_request_with_its_own_authorization_is_left_alone() {
    let mock = Arc::new(mock().await);
    let (fetches, source) = mock_source(&mock, None);
    let svc = ServiceBuilder::new()
        .layer(AuthLayer::new(source).for_origins([origin(&mock)]))
        .layer(ErrorMapLayer::new())
        .service(raw_client(&mock));
    let own = mock.issue_access_token();
    let req = Request::get(format!("{}/v1/illust/detail?illust_id=1", mock.base_url()))
        .header("authorization", format!("Bearer {own}"))
        .body(RequestBody::default())
        .unwrap();
    svc.oneshot(req).await.unwrap();
    assert_eq!(bearer_of(&mock.requests()[0]), Some(own));
    assert_eq!(fetches.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_second_rejection_is_returned_without_another_replay() {
    let mock = Arc::new(mock().await);
    let stale = mock.issue_access_token();
    mock.expire_access_tokens();
    // A static token cannot be refreshed: one send, the refresh fails, no replay.
    let svc = ServiceBuilder::new()
        .layer(AuthLayer::new(Arc::new(StaticToken::new(stale))).for_origins([origin(&mock)]))
        .layer(ErrorMapLayer::new())
        .service(raw_client(&mock));
    let err = svc.oneshot(detail(&mock.base_url(), 1)).await.unwrap_err();
    assert!(matches!(err, PixivError::Auth { .. }), "{err:?}");
    assert_eq!(mock.requests().len(), 1);

    // A source whose fresh token is rejected too: one refresh, one replay, then the error.
    let mock2 = Arc::new(common::mock().await);
    let counter = Arc::new(AtomicU32::new(0));
    let c = counter.clone();
    let bad = Refresher::new(move || {
        c.fetch_add(1, Ordering::SeqCst);
        async { Ok(FreshToken::new("never-valid")) }
    });
    let svc = ServiceBuilder::new()
        .layer(AuthLayer::new(Arc::new(bad)).for_origins([origin(&mock2)]))
        .layer(ErrorMapLayer::new())
        .service(raw_client(&mock2));
    let err = svc.oneshot(detail(&mock2.base_url(), 1)).await.unwrap_err();
    assert!(matches!(err, PixivError::Auth { .. }), "{err:?}");
    assert_eq!(mock2.requests().len(), 2);
    assert_eq!(
        counter.load(Ordering::SeqCst),
        2,
        "the first token, then one refresh"
    );
}
