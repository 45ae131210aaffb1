//! `ErrorMapLayer` over a raw hyper-util client, against pixiv-mock over TLS.
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::Bytes;
use common::{
    ClosedPort, get, get_bearer, mock, raw_client, raw_client_with, read_body, tls_config,
};
use http::Response;
use pixiv_errors::{AuthErrorKind, PixivError};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::Body;
use pixiv_transport::error_map::{ErrorMap, ErrorMapLayer};
use tower::{ServiceBuilder, ServiceExt as _};

const DETAIL_PATH: &str = "/v1/illust/detail";
const DETAIL: &str = "/v1/illust/detail?illust_id=12345";

fn detail_url(mock: &MockPixiv) -> String {
    format!("{}{DETAIL}", mock.base_url())
}

/// The detail call with `token`, through a default `ErrorMap` over a raw client trusting `mock`.
async fn get_detail(mock: &MockPixiv, token: &str) -> Result<Response<Body>, PixivError> {
    ErrorMap::new(raw_client(mock))
        .oneshot(get_bearer(&detail_url(mock), token))
        .await
}

/// The error of a detail call with a valid token that the mock answers with `fault`.
async fn detail_error_after(fault: Fault) -> PixivError {
    let mock = mock().await;
    mock.push_faults(RouteMatch::path_prefix(DETAIL_PATH), [fault]);
    get_detail(&mock, &mock.issue_access_token())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn success_json_passes_through_whole() {
    let mock = mock().await;
    let resp = get_detail(&mock, &mock.issue_access_token()).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = read_body(resp).await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["illust"]["id"], 12345);
}

#[tokio::test]
async fn status_503_is_http_error_with_status() {
    let err = detail_error_after(Fault::Status(503)).await;
    assert!(matches!(err, PixivError::Http { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn rate_limit_body_is_rate_limited() {
    let err = detail_error_after(Fault::RateLimitBody).await;
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
}

#[tokio::test]
async fn rate_limit_object_inside_a_200_is_rate_limited() {
    let body = r#"{"error":{"user_message":"","message":"Rate Limit","reason":"","user_message_details":{}}}"#;
    let err = detail_error_after(Fault::Raw {
        status: 200,
        headers: vec![(
            "content-type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: Bytes::from(body),
    })
    .await;
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
}

#[tokio::test]
async fn invalid_grant_is_invalid_access_token() {
    let err = detail_error_after(Fault::InvalidGrant).await;
    assert!(
        matches!(
            err,
            PixivError::Auth {
                kind: AuthErrorKind::InvalidAccessToken,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn expired_token_from_the_mock_itself_is_an_auth_error() {
    let mock = mock().await;
    let token = mock.issue_access_token();
    mock.expire_access_tokens();
    let err = get_detail(&mock, &token).await.unwrap_err();
    assert!(matches!(err, PixivError::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn cloudflare_page_is_a_challenge_with_its_ray_id() {
    let err = detail_error_after(Fault::CloudflareChallenge).await;
    match err {
        PixivError::CloudflareChallenge { status, ray_id, .. } => {
            assert_eq!(status, 403);
            assert!(ray_id.is_some_and(|r| r.ends_with("-NRT")));
        }
        other => panic!("expected a challenge, got {other:?}"),
    }
}

#[tokio::test]
async fn short_download_body_is_truncated_with_counts() {
    let mock = mock().await;
    let path = "/size/4096/a.bin";
    mock.push_faults(RouteMatch::path(path), [Fault::ShortBody { missing: 96 }]);
    let req = http::Request::get(format!("{}{path}", mock.base_url()))
        .header("referer", common::REFERER)
        .body(Default::default())
        .unwrap();
    // A download streams: the head arrives as Ok, the body fails.
    let resp = ErrorMap::new(raw_client(&mock)).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let err = read_body(resp).await.unwrap_err();
    match err {
        PixivError::Truncated {
            expected, received, ..
        } => {
            assert_eq!(expected, Some(4096));
            assert!(received <= 4000, "{received}");
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[tokio::test]
async fn short_json_body_fails_the_call_itself() {
    // JSON is buffered inside the call, so a cut body is an Err of the call (retryable by the
    // layers above) rather than of a later read.
    let err = detail_error_after(Fault::ShortBody { missing: 10 }).await;
    assert!(matches!(err, PixivError::Truncated { .. }), "{err:?}");
}

#[tokio::test]
async fn json_over_the_cap_is_body_too_large() {
    let mock = mock().await;
    let token = mock.issue_access_token();
    let svc = ServiceBuilder::new()
        .layer(ErrorMapLayer::new().max_json_body(64))
        .service(raw_client(&mock));
    let err = svc
        .oneshot(get_bearer(&detail_url(&mock), &token))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PixivError::BodyTooLarge { limit: 64, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_connect() {
    let mock = mock().await;
    let closed = ClosedPort::new();
    let err = ErrorMap::new(raw_client(&mock))
        .oneshot(get(&format!("https://{}/v1/illust/detail", closed.addr())))
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Connect { .. }), "{err:?}");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
}

#[tokio::test]
async fn unknown_ca_is_tls() {
    let mock = mock().await;
    let other = common::mock().await;
    // Trust the other mock's CA only.
    let client = raw_client_with(tls_config(&other.ca_der()));
    let err = ErrorMap::new(client)
        .oneshot(get(&detail_url(&mock)))
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn reset_before_headers_is_connect() {
    let err = detail_error_after(Fault::ResetBeforeHeaders).await;
    assert!(matches!(err, PixivError::Connect { .. }), "{err:?}");
}

#[tokio::test]
async fn missing_work_404_is_http_404() {
    let err = detail_error_after(Fault::Status(404)).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}
