//! TLS against pixiv-mock over real sockets: trusted CA and ALPN h2, untrusted CA, the insecure
//! opt-in (one warning), a certificate for another name, SNI off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::Bytes;
use common::{LogCapture, get_with_referer, trusting};
use http::Version;
use http_body_util::BodyExt;
use pixiv_mock::MockPixiv;
use pixiv_transport::PixivError;
use pixiv_transport::connect::{ConnectConfig, HttpClient, StaticResolver, TlsConfig};
use tower::ServiceExt;

async fn get(client: &HttpClient, url: &str) -> Result<(Version, Bytes), PixivError> {
    let resp = client.clone().oneshot(get_with_referer(url)).await?;
    assert_eq!(resp.status(), 200, "{url}");
    let version = resp.version();
    Ok((
        version,
        resp.into_body().collect().await.unwrap().to_bytes(),
    ))
}

/// What the TLS error says that a GET of a small image on `mock` through `client` fails with.
async fn tls_failure(client: &HttpClient, mock: &MockPixiv) -> String {
    match get(client, &format!("{}/size/10/a", mock.base_url())).await {
        Err(PixivError::Tls { source }) => source.to_string(),
        other => panic!("expected Tls, got {other:?}"),
    }
}

/// A resolver mapping `localhost` to 127.0.0.1, and no other name.
fn localhost() -> StaticResolver {
    StaticResolver::new().with("localhost", ["127.0.0.1".parse().unwrap()])
}

#[tokio::test]
async fn trusted_ca_works_and_uses_http2_when_offered() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = HttpClient::new(
        ConnectConfig::new()
            .tls(trusting(&mock))
            .resolver(localhost()),
    )
    .unwrap();
    let url = format!("https://localhost:{}/size/1000/a.bin", mock.addr().port());
    let (version, body) = get(&client, &url).await.unwrap();
    assert_eq!(version, Version::HTTP_2);
    assert_eq!(body.len(), 1000);
    let log = mock.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].version, Version::HTTP_2);
    assert_eq!(log[0].sni.as_deref(), Some("localhost"));
}

#[tokio::test]
async fn http2_off_speaks_http1() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = HttpClient::new(ConnectConfig::new().http2(false).tls(trusting(&mock))).unwrap();
    let (version, _) = get(&client, &format!("{}/size/10/a", mock.base_url()))
        .await
        .unwrap();
    assert_eq!(version, Version::HTTP_11);
    assert_eq!(mock.requests()[0].version, Version::HTTP_11);
}

#[tokio::test]
async fn untrusted_ca_is_a_tls_error_unknown_issuer() {
    let mock = MockPixiv::builder().start().await.unwrap();
    // Bundled Mozilla roots: the mock's CA is not among them.
    let client = HttpClient::new(ConnectConfig::new()).unwrap();
    let source = tls_failure(&client, &mock).await;
    assert!(source.contains("unknown issuer"), "{source}");
    assert!(
        mock.requests().is_empty(),
        "no request may reach the server"
    );
}

#[tokio::test]
async fn certificate_for_another_name_is_a_tls_error() {
    let mock = MockPixiv::builder()
        .tls_names(["other.example"])
        .start()
        .await
        .unwrap();
    let client = HttpClient::new(ConnectConfig::new().tls(trusting(&mock))).unwrap();
    let source = tls_failure(&client, &mock).await;
    assert!(source.contains("not valid for"), "{source}");
}

#[tokio::test]
async fn insecure_opt_in_works_and_warns_exactly_once() {
    // INFO and above, as the fmt subscriber's default.
    let (logs, _guard) = LogCapture::start("info");

    // A certificate for another name, from a CA nobody trusts: everything wrong at once.
    let mock = MockPixiv::builder()
        .tls_names(["other.example"])
        .start()
        .await
        .unwrap();
    // No idle connection kept: every request makes a new handshake.
    let client = HttpClient::new(
        ConnectConfig::new()
            .pool_max_idle_per_host(0)
            .tls(TlsConfig::new().danger_accept_invalid_certs(true)),
    )
    .unwrap();
    for _ in 0..3 {
        get(&client, &format!("{}/size/10/a", mock.base_url()))
            .await
            .unwrap();
    }
    assert_eq!(client.connections_opened(), 3);
    let text = logs.text();
    assert_eq!(
        text.matches("verification is DISABLED").count(),
        1,
        "logs:\n{text}"
    );
    assert!(text.contains("WARN"), "{text}");
}

#[tokio::test]
async fn sni_off_still_verifies_the_name() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = HttpClient::new(
        ConnectConfig::new()
            .tls(trusting(&mock).enable_sni(false))
            .resolver(localhost()),
    )
    .unwrap();
    let url = format!("https://localhost:{}/size/10/a", mock.addr().port());
    get(&client, &url).await.unwrap();
    assert_eq!(mock.requests()[0].sni, None, "no SNI on the wire");

    // The name is still checked against the certificate.
    let wrong = MockPixiv::builder()
        .tls_names(["other.example"])
        .start()
        .await
        .unwrap();
    let client = HttpClient::new(
        ConnectConfig::new()
            .tls(trusting(&wrong).enable_sni(false))
            .resolver(localhost()),
    )
    .unwrap();
    let url = format!("https://localhost:{}/size/10/a", wrong.addr().port());
    assert!(matches!(
        get(&client, &url).await,
        Err(PixivError::Tls { .. })
    ));
}
