//! `DefaultHeadersLayer` over ErrorMap + a raw client, checked in pixiv-mock's request log.
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{header, mock, raw_client};
use http::{HeaderValue, Request};
use pixiv_mock::MockPixiv;
use pixiv_transport::RequestBody;
use pixiv_transport::error_map::ErrorMapLayer;
use pixiv_transport::headers::{
    ACCEPT_LANGUAGE, APP_OS, APP_OS_VERSION, DefaultHeadersLayer, USER_AGENT,
};
use tower::{ServiceBuilder, ServiceExt as _};

fn image_request(base: &str) -> http::request::Builder {
    Request::get(format!("{base}/size/16/a.bin")).header("referer", common::REFERER)
}

/// Sends `req` through `layer` over ErrorMap and a raw client; what went out is in the mock's log.
async fn send_through(layer: DefaultHeadersLayer, mock: &MockPixiv, req: http::request::Builder) {
    let svc = ServiceBuilder::new()
        .layer(layer)
        .layer(ErrorMapLayer::new())
        .service(raw_client(mock));
    svc.oneshot(req.body(RequestBody::default()).unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn every_default_header_is_sent() {
    let mock = mock().await;
    let req = image_request(&mock.base_url());
    send_through(DefaultHeadersLayer::new(), &mock, req).await;
    let log = mock.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(header(&log[0], "user-agent"), Some(USER_AGENT));
    assert_eq!(header(&log[0], "app-os"), Some(APP_OS));
    assert_eq!(header(&log[0], "app-os-version"), Some(APP_OS_VERSION));
    assert_eq!(header(&log[0], "accept-language"), Some(ACCEPT_LANGUAGE));
    assert_eq!(
        USER_AGENT, "PixivIOSApp/7.13.3 (iOS 14.6; iPhone13,2)",
        "PixivPy's User-Agent"
    );
}

#[tokio::test]
async fn request_headers_override_defaults() {
    let mock = mock().await;
    let req = image_request(&mock.base_url())
        .header("user-agent", "my-bot/1.0")
        .header("accept-language", "ja");
    send_through(DefaultHeadersLayer::new(), &mock, req).await;
    let log = mock.requests();
    assert_eq!(header(&log[0], "user-agent"), Some("my-bot/1.0"));
    assert_eq!(log[0].headers.get_all("user-agent").iter().count(), 1);
    assert_eq!(header(&log[0], "accept-language"), Some("ja"));
    assert_eq!(header(&log[0], "app-os"), Some(APP_OS));
}

#[tokio::test]
async fn configured_accept_language_and_extra_defaults_are_sent() {
    let mock = mock().await;
    let layer = DefaultHeadersLayer::new()
        .accept_language(HeaderValue::from_static("zh-cn"))
        .header(
            http::HeaderName::from_static("x-extra"),
            HeaderValue::from_static("1"),
        )
        .without(&http::HeaderName::from_static("app-os-version"));
    send_through(layer, &mock, image_request(&mock.base_url())).await;
    let log = mock.requests();
    assert_eq!(header(&log[0], "accept-language"), Some("zh-cn"));
    assert_eq!(header(&log[0], "x-extra"), Some("1"));
    assert_eq!(header(&log[0], "app-os-version"), None);
}
