//! Proxies, through a real proxy: Debian's `tinyproxy`, started per test with a generated config.
//!
//! The tests FAIL (not skip) when `tinyproxy` is missing: `apt-get install -y tinyproxy`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ClosedPort, expect_proxy_error, fetch, get_with_referer, trusting};
use http::Version;
use pixiv_mock::MockPixiv;
use pixiv_transport::connect::{ConnectConfig, HttpClient, ProxyConfig, StaticResolver};
use tower::ServiceExt;

use pixiv_mock::tinyproxy::{ProxyOptions, TinyProxy};

/// A tinyproxy for one test; the test fails (not skips) when it cannot start.
fn start_proxy(options: ProxyOptions<'_>) -> TinyProxy {
    TinyProxy::start(options).unwrap_or_else(|e| panic!("{e}"))
}

/// A client trusting the mock's CA, through `proxy`, resolving no name itself (a direct
/// connection to `localhost` would fail, so a success proves the proxy carried it).
fn client(mock: &MockPixiv, proxy: ProxyConfig) -> HttpClient {
    HttpClient::new(
        ConnectConfig::new()
            .tls(trusting(mock))
            .proxy(proxy)
            .resolver(StaticResolver::new()),
    )
    .unwrap()
}

#[tokio::test]
async fn plain_http_goes_to_the_proxy_in_absolute_form() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    let proxy = start_proxy(ProxyOptions {
        connect_ports: &[],
        auth: None,
    });
    let client = client(&mock, ProxyConfig::url(&proxy.url()).unwrap());
    let url = format!("http://localhost:{}/size/100/a.bin", mock.addr().port());
    assert_eq!(fetch(&client, &url).await.unwrap(), (Version::HTTP_11, 100));

    let log = proxy.log();
    assert!(
        log.contains(&format!("GET {url} HTTP/1.1")),
        "absolute form expected:\n{log}"
    );
    let seen = &mock.requests()[0];
    let via = seen.headers.get("via").unwrap().to_str().unwrap();
    assert!(via.contains("tinyproxy"), "{via}");
}

#[tokio::test]
async fn plain_http_with_proxy_credentials() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    // Passwords of 8 characters or more: `cargo xtask secrets` looks for them in every log line.
    let proxy = start_proxy(ProxyOptions {
        connect_ports: &[],
        auth: Some(("pixiv", "s3cret-proxy-pw")),
    });
    let url = format!("http://localhost:{}/size/10/a.bin", mock.addr().port());

    let good = client(
        &mock,
        ProxyConfig::url(&proxy.url_with("pixiv", "s3cret-proxy-pw")).unwrap(),
    );
    assert_eq!(fetch(&good, &url).await.unwrap().1, 10);

    // No credentials: tinyproxy answers 407, which the client reports as a proxy error.
    let none = client(&mock, ProxyConfig::url(&proxy.url()).unwrap());
    expect_proxy_error(fetch(&none, &url).await, "proxy authentication required");

    // Wrong credentials: tinyproxy 1.11 answers 401 with `WWW-Authenticate` (not 407), which a
    // client cannot tell from the target's own 401; it comes back as an answer.
    let bad = client(
        &mock,
        ProxyConfig::url(&proxy.url_with("pixiv", "wrong-proxy-pw")).unwrap(),
    );
    let resp = bad.oneshot(get_with_referer(&url)).await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()["server"]
            .to_str()
            .unwrap()
            .starts_with("tinyproxy")
    );

    assert_eq!(
        mock.requests().len(),
        1,
        "only the authorized request reached the server"
    );
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_h2_inside() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let port = mock.addr().port();
    let proxy = start_proxy(ProxyOptions {
        connect_ports: &[port],
        auth: None,
    });
    let client = client(&mock, ProxyConfig::url(&proxy.url()).unwrap());
    let url = format!("https://localhost:{port}/size/1000/a.bin");
    assert_eq!(fetch(&client, &url).await.unwrap(), (Version::HTTP_2, 1000));
    assert_eq!(fetch(&client, &url).await.unwrap().1, 1000);

    let log = proxy.log();
    assert_eq!(
        log.matches(&format!("CONNECT localhost:{port} HTTP/1.1"))
            .count(),
        1,
        "one tunnel, reused:\n{log}"
    );
    let seen = mock.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].sni.as_deref(),
        Some("localhost"),
        "TLS to the target, inside the tunnel"
    );
    assert_eq!(seen[0].version, Version::HTTP_2);
    assert_eq!(client.connections_opened(), 1);
}

#[tokio::test]
async fn connect_tunnel_with_credentials_and_a_wrong_password() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let port = mock.addr().port();
    let proxy = start_proxy(ProxyOptions {
        connect_ports: &[port],
        // tinyproxy's config accepts only simple passwords.
        auth: Some(("pixiv", "pass-word")),
    });
    let url = format!("https://localhost:{port}/size/10/a.bin");

    // Userinfo is percent-decoded: "pass%2Dword" is "pass-word".
    let good = client(
        &mock,
        ProxyConfig::url(&proxy.url_with("pixiv", "pass%2Dword")).unwrap(),
    );
    assert_eq!(fetch(&good, &url).await.unwrap().1, 10);
    let seen = &mock.requests()[0];
    assert!(
        seen.headers.get("proxy-authorization").is_none(),
        "credentials stay with the proxy"
    );

    let bad = client(
        &mock,
        ProxyConfig::url(&proxy.url_with("pixiv", "nope-proxy-pw")).unwrap(),
    );
    let message = expect_proxy_error(fetch(&bad, &url).await, "proxy authentication required");
    // tinyproxy answers 401 (not 407) to wrong credentials; the message quotes it.
    assert!(message.contains("HTTP/1.0 401"), "{message}");
    assert!(message.contains("rejected the credentials"), "{message}");
    assert!(!message.contains("nope"), "{message}");

    let none = client(&mock, ProxyConfig::url(&proxy.url()).unwrap());
    let message = expect_proxy_error(fetch(&none, &url).await, "no credentials were given");
    assert!(message.contains("407"), "{message}");
}

#[tokio::test]
async fn proxy_refusing_connect_is_a_proxy_error_with_its_answer() {
    let mock = MockPixiv::builder().start().await.unwrap();
    // CONNECT allowed only to port 443: the mock's port is refused.
    let proxy = start_proxy(ProxyOptions {
        connect_ports: &[443],
        auth: None,
    });
    let client = client(&mock, ProxyConfig::url(&proxy.url()).unwrap());
    let url = format!("https://localhost:{}/size/10/a.bin", mock.addr().port());
    let message = expect_proxy_error(fetch(&client, &url).await, "403");
    assert!(message.contains("refused the CONNECT"), "{message}");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn unreachable_proxy_is_a_proxy_error() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let dead = ClosedPort::new();
    let client = client(
        &mock,
        ProxyConfig::url(&format!("http://u:hidden@{}", dead.addr())).unwrap(),
    );
    let url = format!("https://localhost:{}/size/10/a.bin", mock.addr().port());
    let message = expect_proxy_error(fetch(&client, &url).await, "could not connect to the proxy");
    assert!(!message.contains("hidden"), "{message}");
}

#[tokio::test]
async fn no_proxy_from_the_environment_is_respected() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let port = mock.addr().port();
    let proxy = start_proxy(ProxyOptions {
        connect_ports: &[port],
        auth: None,
    });
    let proxy_url = proxy.url();
    let env = move |name: &str| match name {
        "https_proxy" => Some(proxy_url.clone()),
        "NO_PROXY" => Some("127.0.0.1, .example".to_owned()),
        _ => None,
    };
    let config = ProxyConfig::from_env_vars(env).unwrap();
    let client = client(&mock, config);

    // 127.0.0.1 is in NO_PROXY: direct.
    fetch(&client, &format!("https://127.0.0.1:{port}/size/10/a.bin"))
        .await
        .unwrap();
    assert!(
        !proxy.log().contains("CONNECT 127.0.0.1"),
        "{}",
        proxy.log()
    );
    // localhost is not: through the proxy (the client itself cannot resolve it).
    fetch(&client, &format!("https://localhost:{port}/size/10/b.bin"))
        .await
        .unwrap();
    assert!(
        proxy.log().contains(&format!("CONNECT localhost:{port}")),
        "{}",
        proxy.log()
    );
    assert_eq!(mock.requests().len(), 2);
}
