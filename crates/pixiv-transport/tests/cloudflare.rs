//! Cloudflare challenge pages become `PixivError::CloudflareChallenge` on every host (App API,
//! OAuth, image host), through the whole `Transport` stack, without the `bypass` feature.
// Helpers outside #[test] fns unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, StatusCode};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::auth::StaticToken;
use pixiv_transport::connect::StaticResolver;
use pixiv_transport::{PixivError, RequestBody, Transport};

const HOSTS: [&str; 3] = ["app-api.pixiv.net", "oauth.secure.pixiv.net", "i.pximg.net"];

/// A transport that reaches the mock under Pixiv's real host names (a static table), trusting the
/// mock's CA, with a Bearer for the App API host.
fn transport(mock: &MockPixiv) -> Transport {
    let mut resolver = StaticResolver::new();
    for host in HOSTS {
        resolver = resolver.with(host, ["127.0.0.1".parse().unwrap()]);
    }
    Transport::builder()
        .connect(|c| c.resolver(resolver))
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
        .auth_hosts(["app-api.pixiv.net"])
        .build()
        .unwrap()
}

fn url(mock: &MockPixiv, host: &str, path: &str) -> String {
    format!("https://{host}:{}{path}", mock.addr().port())
}

/// The challenge's ray id as the mock sends it: 16 hex digits, `-NRT`.
fn assert_challenge(err: &PixivError, status: StatusCode) -> String {
    match err {
        PixivError::CloudflareChallenge {
            status: got,
            ray_id: Some(ray),
            ..
        } => {
            assert_eq!(*got, status);
            let (hex, colo) = ray.split_once('-').unwrap();
            assert_eq!((hex.len(), colo), (16, "NRT"), "{ray}");
            assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{ray}");
            ray.clone()
        }
        other => panic!("expected CloudflareChallenge with a ray id, got {other:?}"),
    }
}

#[tokio::test]
async fn challenge_on_the_api_host_is_typed_for_send_and_json() {
    let mock = common::mock().await;
    let t = transport(&mock);
    let detail = url(&mock, "app-api.pixiv.net", "/v1/illust/detail");
    mock.push_faults(
        RouteMatch::path("/v1/illust/detail"),
        [Fault::CloudflareChallenge, Fault::CloudflareChallenge],
    );

    let err = t.get(&detail, &[("illust_id", "1")]).await.unwrap_err();
    let ray = assert_challenge(&err, StatusCode::FORBIDDEN);
    assert!(err.to_string().contains(&ray), "{err}");
    assert!(!err.is_retryable());

    // `json()` sees the typed error, not a decode error of the HTML page.
    let req = Request::get(format!("{detail}?illust_id=1"))
        .body(RequestBody::default())
        .unwrap();
    let err = t.json::<serde_json::Value>(req).await.unwrap_err();
    assert_challenge(&err, StatusCode::FORBIDDEN);

    // Not retried (nothing passes a challenge by repeating), and the wire saw the real host.
    let log = mock.requests_to("/v1/illust/detail");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].sni.as_deref(), Some("app-api.pixiv.net"));
}

#[tokio::test]
async fn challenge_on_the_oauth_endpoint_is_typed() {
    let mock = common::mock().await;
    let t = transport(&mock);
    mock.push_faults(
        RouteMatch::path("/auth/token"),
        [Fault::CloudflareChallenge],
    );
    let err = t
        .post_form(
            &url(&mock, "oauth.secure.pixiv.net", "/auth/token"),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", pixiv_mock::DEMO_REFRESH_TOKEN),
                ("client_id", pixiv_mock::CLIENT_ID),
                ("client_secret", pixiv_mock::CLIENT_SECRET),
            ],
        )
        .await
        .unwrap_err();
    assert_challenge(&err, StatusCode::FORBIDDEN);
    // A challenge is no OAuth verdict: the refresh token must not look rejected.
    assert_eq!(err.auth_kind(), None);
    let log = mock.requests_to("/auth/token");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].sni.as_deref(), Some("oauth.secure.pixiv.net"));
}

#[tokio::test]
async fn challenge_on_the_image_host_is_typed() {
    let mock = common::mock().await;
    let t = transport(&mock);
    let path = "/img-original/img/2024/01/01/00/00/00/1_p0.png";
    mock.push_faults(RouteMatch::path(path), [Fault::CloudflareChallenge]);
    let req = Request::get(url(&mock, "i.pximg.net", path))
        .header("referer", common::REFERER)
        .body(RequestBody::default())
        .unwrap();
    let err = t.send(req).await.unwrap_err();
    assert_challenge(&err, StatusCode::FORBIDDEN);
    assert_eq!(mock.requests_to(path).len(), 1);
}

#[tokio::test]
async fn a_503_challenge_keeps_its_status_and_is_not_retried() {
    let mock = common::mock().await;
    let t = transport(&mock);
    let challenge = Fault::Raw {
        status: 503,
        headers: vec![
            ("server".into(), "cloudflare".into()),
            ("cf-ray".into(), "0123456789abcdef-NRT".into()),
            ("content-type".into(), "text/html; charset=UTF-8".into()),
        ],
        body: Bytes::from_static(
            b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>\
              <body><script>window._cf_chl_opt={cType:'managed'};</script></body></html>",
        ),
    };
    mock.push_faults(RouteMatch::path("/v1/illust/detail"), [challenge]);
    let err = t
        .get(
            &url(&mock, "app-api.pixiv.net", "/v1/illust/detail"),
            &[("illust_id", "1")],
        )
        .await
        .unwrap_err();
    assert_eq!(
        assert_challenge(&err, StatusCode::SERVICE_UNAVAILABLE),
        "0123456789abcdef-NRT"
    );
    // A plain 503 is retried by PixivPy's policy; a challenge page with that status is not.
    assert_eq!(mock.requests_to("/v1/illust/detail").len(), 1);
}
