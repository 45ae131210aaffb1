//! `RedirectLayer` over ErrorMap + a raw client, between two pixiv-mock servers.
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{header, mock, raw_client_with, tls_config_all};
use http::Request;
use pixiv_errors::{PixivError, RedirectErrorKind};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::RequestBody;
use pixiv_transport::error_map::ErrorMapLayer;
use pixiv_transport::redirect::RedirectLayer;
use tower::{ServiceBuilder, ServiceExt as _};

fn svc(
    mock: &MockPixiv,
) -> impl tower::Service<
    Request<RequestBody>,
    Response = http::Response<pixiv_transport::Body>,
    Error = PixivError,
> + Clone
+ use<> {
    svc_trusting(&[mock])
}

/// The stack over a raw client trusting every one of these mocks' CAs.
fn svc_trusting(
    mocks: &[&MockPixiv],
) -> impl tower::Service<
    Request<RequestBody>,
    Response = http::Response<pixiv_transport::Body>,
    Error = PixivError,
> + Clone
+ use<> {
    let cas: Vec<Vec<u8>> = mocks.iter().map(|m| m.ca_der()).collect();
    ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(ErrorMapLayer::new())
        .service(raw_client_with(tls_config_all(
            &cas.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        )))
}

fn with_credentials(url: &str, token: &str) -> Request<RequestBody> {
    Request::get(url)
        .header("authorization", format!("Bearer {token}"))
        .header("cookie", "PHPSESSID=secret")
        .header("referer", common::REFERER)
        .body(RequestBody::default())
        .unwrap()
}

#[tokio::test]
async fn credentials_are_dropped_on_a_cross_origin_hop() {
    let (a, b) = (mock().await, mock().await);
    let token = a.issue_access_token();
    a.push_faults(
        RouteMatch::path("/start"),
        [Fault::Redirect {
            status: 302,
            location: format!("{}/size/16/landed.bin", b.base_url()),
        }],
    );
    let resp = svc_trusting(&[&a, &b])
        .oneshot(with_credentials(&format!("{}/start", a.base_url()), &token))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (at_a, at_b) = (a.requests(), b.requests());
    assert_eq!((at_a.len(), at_b.len()), (1, 1));
    assert!(header(&at_a[0], "authorization").is_some());
    assert_eq!(at_b[0].path, "/size/16/landed.bin");
    assert_eq!(header(&at_b[0], "authorization"), None);
    assert_eq!(header(&at_b[0], "cookie"), None);
    assert_eq!(
        header(&at_b[0], "referer"),
        Some(common::REFERER),
        "other headers stay"
    );
}

#[tokio::test]
async fn credentials_stay_dropped_when_the_chain_comes_back() {
    let (a, b) = (mock().await, mock().await);
    let token = a.issue_access_token();
    a.push_faults(
        RouteMatch::path("/start"),
        [Fault::Redirect {
            status: 302,
            location: format!("{}/bounce", b.base_url()),
        }],
    );
    b.push_faults(
        RouteMatch::path("/bounce"),
        [Fault::Redirect {
            status: 307,
            location: format!("{}/size/8/back.bin", a.base_url()),
        }],
    );
    svc_trusting(&[&a, &b])
        .oneshot(with_credentials(&format!("{}/start", a.base_url()), &token))
        .await
        .unwrap();
    let at_a = a.requests();
    assert_eq!(at_a.len(), 2);
    assert_eq!(at_a[1].path, "/size/8/back.bin");
    assert_eq!(header(&at_a[1], "authorization"), None);
}

#[tokio::test]
async fn same_origin_hop_keeps_credentials() {
    let a = mock().await;
    let token = a.issue_access_token();
    a.push_faults(
        RouteMatch::path("/start"),
        [Fault::Redirect {
            status: 301,
            location: "/v1/illust/detail?illust_id=7".into(),
        }],
    );
    let resp = svc(&a)
        .oneshot(with_credentials(&format!("{}/start", a.base_url()), &token))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let log = a.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(
        header(&log[1], "authorization"),
        Some(format!("Bearer {token}").as_str())
    );
}

#[tokio::test]
async fn a_loop_stops_after_five_hops_with_a_typed_error() {
    let a = mock().await;
    a.push_faults(RouteMatch::path("/loop"), [Fault::RedirectLoop]);
    let err = svc(&a)
        .oneshot(with_credentials(&format!("{}/loop", a.base_url()), "t"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PixivError::Redirect {
                kind: RedirectErrorKind::Loop,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(a.requests().len(), 6, "the first request and 5 hops");
}

#[tokio::test]
async fn six_distinct_hops_are_too_many() {
    let a = mock().await;
    for i in 0..6 {
        a.push_faults(
            RouteMatch::path(format!("/hop{i}")),
            [Fault::Redirect {
                status: 302,
                location: format!("/hop{}", i + 1),
            }],
        );
    }
    let err = svc(&a)
        .oneshot(with_credentials(&format!("{}/hop0", a.base_url()), "t"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PixivError::Redirect {
                kind: RedirectErrorKind::TooManyHops { max: 5 },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(a.requests().len(), 6);
}

#[tokio::test]
async fn five_hops_are_followed() {
    let a = mock().await;
    for i in 0..5 {
        let next = if i == 4 {
            "/size/4/end.bin".to_owned()
        } else {
            format!("/hop{}", i + 1)
        };
        a.push_faults(
            RouteMatch::path(format!("/hop{i}")),
            [Fault::Redirect {
                status: 302,
                location: next,
            }],
        );
    }
    let resp = svc(&a)
        .oneshot(with_credentials(&format!("{}/hop0", a.base_url()), "t"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(a.requests().len(), 6);
}

#[tokio::test]
async fn non_http_schemes_are_refused() {
    let a = mock().await;
    for (path, location) in [
        ("/f", "file:///etc/passwd"),
        ("/ftp", "ftp://example.com/x"),
    ] {
        a.push_faults(
            RouteMatch::path(path),
            [Fault::Redirect {
                status: 302,
                location: location.into(),
            }],
        );
        let err = svc(&a)
            .oneshot(with_credentials(&format!("{}{path}", a.base_url()), "t"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                PixivError::Redirect {
                    kind: RedirectErrorKind::RefusedScheme { .. },
                    ..
                }
            ),
            "{location}: {err:?}"
        );
    }
    assert_eq!(a.requests().len(), 2, "nothing sent after the refusals");
}
