//! `RedirectLayer` over ErrorMap + a raw client, between two pixiv-mock servers.
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RawClient, header, mock, raw_client_with, tls_config_all};
use http::{Request, Response};
use pixiv_errors::{PixivError, RedirectErrorKind};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::error_map::{ErrorMap, ErrorMapLayer};
use pixiv_transport::redirect::{Redirect, RedirectLayer};
use pixiv_transport::{Body, RequestBody};
use tower::{ServiceBuilder, ServiceExt as _};

/// The stack under test: redirects over ErrorMap over a raw client.
type Stack = Redirect<ErrorMap<RawClient>>;

fn svc(mock: &MockPixiv) -> Stack {
    svc_trusting(&[mock])
}

/// The stack over a raw client trusting every one of these mocks' CAs.
fn svc_trusting(mocks: &[&MockPixiv]) -> Stack {
    let cas: Vec<Vec<u8>> = mocks.iter().map(|m| m.ca_der()).collect();
    ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(ErrorMapLayer::new())
        .service(raw_client_with(tls_config_all(
            &cas.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        )))
}

/// GET `path` on `mock` through `svc`, with a Bearer `token`, a cookie and a Referer.
async fn get_with_credentials(
    svc: Stack,
    mock: &MockPixiv,
    path: &str,
    token: &str,
) -> Result<Response<Body>, PixivError> {
    let req = Request::get(format!("{}{path}", mock.base_url()))
        .header("authorization", format!("Bearer {token}"))
        .header("cookie", "PHPSESSID=secret")
        .header("referer", common::REFERER)
        .body(RequestBody::default())
        .unwrap();
    svc.oneshot(req).await
}

/// Makes `mock` answer `path`, once, with a `status` redirect to `location`.
fn redirect_once(
    mock: &MockPixiv,
    path: impl Into<String>,
    status: u16,
    location: impl Into<String>,
) {
    let location = location.into();
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::Redirect { status, location }],
    );
}

#[tokio::test]
async fn credentials_are_dropped_on_a_cross_origin_hop() {
    let (a, b) = (mock().await, mock().await);
    let token = a.issue_access_token();
    redirect_once(
        &a,
        "/start",
        302,
        format!("{}/size/16/landed.bin", b.base_url()),
    );
    let resp = get_with_credentials(svc_trusting(&[&a, &b]), &a, "/start", &token)
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
    redirect_once(&a, "/start", 302, format!("{}/bounce", b.base_url()));
    redirect_once(
        &b,
        "/bounce",
        307,
        format!("{}/size/8/back.bin", a.base_url()),
    );
    get_with_credentials(svc_trusting(&[&a, &b]), &a, "/start", &token)
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
    redirect_once(&a, "/start", 301, "/v1/illust/detail?illust_id=7");
    let resp = get_with_credentials(svc(&a), &a, "/start", &token)
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
    let err = get_with_credentials(svc(&a), &a, "/loop", "t")
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
        redirect_once(&a, format!("/hop{i}"), 302, format!("/hop{}", i + 1));
    }
    let err = get_with_credentials(svc(&a), &a, "/hop0", "t")
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
        redirect_once(&a, format!("/hop{i}"), 302, next);
    }
    let resp = get_with_credentials(svc(&a), &a, "/hop0", "t")
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
        redirect_once(&a, path, 302, location);
        let err = get_with_credentials(svc(&a), &a, path, "t")
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
