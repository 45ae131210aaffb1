//! Real TLS verified against the exported CA, HTTP/2 by ALPN, h2c, SNI in the log.

mod common;

use common::*;
use http::{StatusCode, Version};
use pixiv_mock::MockPixiv;

#[tokio::test]
async fn https_with_the_exported_ca_negotiates_http2() {
    let mock = MockPixiv::builder().start().await.unwrap();
    assert!(mock.base_url().starts_with("https://127.0.0.1:"));
    assert!(mock.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    let client = client(&mock);
    let a = get_image(&client, &mock, "/size/10/x", &[]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.version, Version::HTTP_2);
    let log = mock.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].version, Version::HTTP_2);
    // rustls sends no SNI for an IP address.
    assert_eq!(log[0].sni, None);
    // HTTP/2 carries the authority in the URI; the log keeps path and query, and the host apart.
    assert_eq!(log[0].uri, "/size/10/x");
    assert_eq!(
        log[0].host.as_deref(),
        Some(mock.addr().to_string().as_str())
    );
}

#[tokio::test]
async fn http1_only_clients_get_http11_over_tls() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let a = get_image(&client_h1(&mock), &mock, "/size/10/x", &[]).await;
    assert_eq!(a.version, Version::HTTP_11);
    assert_eq!(mock.requests()[0].version, Version::HTTP_11);
}

#[tokio::test]
async fn http2_off_offers_only_http11() {
    let mock = MockPixiv::builder().http2(false).start().await.unwrap();
    let a = get_image(&client(&mock), &mock, "/size/10/x", &[]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.version, Version::HTTP_11);
}

#[tokio::test]
async fn sni_is_logged_for_a_host_name() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let url = format!("https://localhost:{}/size/3/x", mock.addr().port());
    let a = get(&client, &url, &[("referer", REFERER)]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(mock.requests()[0].sni.as_deref(), Some("localhost"));
}

#[tokio::test]
async fn a_client_without_the_ca_fails_verification() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let other = MockPixiv::builder().start().await.unwrap();
    // Trusts another mock's CA only.
    let client = client_with(tls_config(&other.ca_der()));
    let req = http::Request::get(format!("{}/size/1/x", mock.base_url()))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let err = client.request(req).await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn tls_names_replace_the_leaf_names() {
    let mock = MockPixiv::builder()
        .tls_names(["wrong.example"])
        .start()
        .await
        .unwrap();
    let req = http::Request::get(format!("{}/size/1/x", mock.base_url()))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let err = client(&mock).request(req).await.unwrap_err();
    assert!(format!("{err:?}").contains("NotValidForName"), "{err:?}");

    // The same certificate is fine for the name it carries.
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(&mock.ca_der()))
        .https_only()
        .with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(
            rustls_pki_types::ServerName::try_from("wrong.example").unwrap(),
        ))
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(https);
    let a = get(
        &client,
        &format!("{}/size/1/x", mock.base_url()),
        &[("referer", REFERER)],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(mock.requests()[0].sni.as_deref(), Some("wrong.example"));
}

#[tokio::test]
async fn plain_http_serves_http1_and_h2c() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    assert!(mock.base_url().starts_with("http://"));
    assert!(mock.ca_pem().is_empty());
    let url = format!("{}/size/4/x", mock.base_url());
    let a = get(&plain_client(false), &url, &[("referer", REFERER)]).await;
    assert_eq!((a.status, a.version), (StatusCode::OK, Version::HTTP_11));
    let b = get(&plain_client(true), &url, &[("referer", REFERER)]).await;
    assert_eq!((b.status, b.version), (StatusCode::OK, Version::HTTP_2));
    let versions: Vec<_> = mock.requests().iter().map(|r| r.version).collect();
    assert_eq!(versions, [Version::HTTP_11, Version::HTTP_2]);
    assert!(mock.requests().iter().all(|r| r.sni.is_none()));
}

#[tokio::test]
async fn routing_ignores_the_host_header() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client_h1(&mock);
    let token = mock.issue_access_token();
    let auth = format!("Bearer {token}");
    let a = get(
        &client,
        &format!("{}/size/2/x", mock.base_url()),
        &[("host", "i.pximg.net"), ("referer", REFERER)],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let b = get(
        &client,
        &format!("{}/v1/illust/detail?illust_id=1", mock.base_url()),
        &[("host", "app-api.pixiv.net"), ("authorization", &auth)],
    )
    .await;
    // Authenticated: whatever the API answers, it is not the invalid_grant 400.
    assert_ne!(b.status, StatusCode::BAD_REQUEST);
    let log = mock.requests();
    assert_eq!(log[0].header("host"), Some("i.pximg.net"));
    assert_eq!(log[0].host.as_deref(), Some("i.pximg.net"));
    assert_eq!(log[1].header("host"), Some("app-api.pixiv.net"));
}
