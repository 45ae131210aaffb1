//! SOCKS5 proxies, through a real one: Debian's `microsocks`, started per test.
//!
//! The tests FAIL (not skip) when `microsocks` is missing: `apt-get install -y microsocks`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{ClosedPort, fetch, timeout_phase, trusting};
use http::Version;
use pixiv_errors::TimeoutPhase;
use pixiv_mock::MockPixiv;
use pixiv_mock::microsocks::MicroSocks;
use pixiv_transport::PixivError;
use pixiv_transport::connect::{ConnectConfig, HttpClient, ProxyConfig, StaticResolver};

/// Passwords of 8 characters or more: `cargo xtask secrets` looks for them in every log line.
const USER: &str = "pixiv";
const PASS: &str = "s0cks-proxy-pw";

fn start_proxy(auth: Option<(&str, &str)>) -> MicroSocks {
    MicroSocks::start(auth).unwrap_or_else(|e| panic!("{e}"))
}

/// A client trusting the mock's CA, through `proxy`, resolving names with `resolver` only.
fn client(mock: &MockPixiv, proxy: ProxyConfig, resolver: StaticResolver) -> HttpClient {
    HttpClient::new(
        ConnectConfig::new()
            .tls(trusting(mock))
            .proxy(proxy)
            .resolver(resolver),
    )
    .unwrap()
}

/// A `Proxy` error mentioning `needle`, and never the proxy's password.
fn expect_proxy_error(result: Result<(Version, usize), PixivError>, needle: &str) -> String {
    let message = common::expect_proxy_error(result, needle);
    assert!(!message.contains(PASS), "{message}");
    message
}

#[tokio::test]
async fn socks5h_lets_the_proxy_resolve_and_tls_runs_inside() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let proxy = start_proxy(None);
    // The client resolves nothing: only the proxy can turn `localhost` into an address.
    let client = client(
        &mock,
        ProxyConfig::url(&proxy.url("socks5h")).unwrap(),
        StaticResolver::new(),
    );
    let url = format!("https://localhost:{}/size/1000/a.bin", mock.addr().port());
    assert_eq!(fetch(&client, &url).await.unwrap(), (Version::HTTP_2, 1000));
    // The certificate was checked for the name (TLS inside the tunnel, SNI `localhost`).
    assert_eq!(
        mock.requests()[0].sni.as_deref(),
        Some("localhost"),
        "{:?}",
        mock.requests()[0]
    );
}

#[tokio::test]
async fn socks5_resolves_on_the_client_with_credentials() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let proxy = start_proxy(Some((USER, PASS)));
    // `app-api.pixiv.net` is known only to the client's resolver (the machine has no route to
    // the real one): a success proves the proxy was asked for the address the client found.
    let resolver = StaticResolver::new().with("app-api.pixiv.net", [mock.addr().ip()]);
    let config = ProxyConfig::url(&proxy.url_with("socks5", USER, PASS)).unwrap();
    assert!(!format!("{config:?}").contains(PASS));
    let client = client(&mock, config, resolver);
    let url = format!(
        "https://app-api.pixiv.net:{}/size/5000/a.bin",
        mock.addr().port()
    );
    assert_eq!(fetch(&client, &url).await.unwrap().1, 5000);
    // Plain HTTP goes through the same tunnel (no absolute form, no Proxy-Authorization).
    let plain = MockPixiv::builder().tls(false).start().await.unwrap();
    let url = format!("http://127.0.0.1:{}/size/10/b.bin", plain.addr().port());
    assert_eq!(fetch(&client, &url).await.unwrap().1, 10);
    let seen = &plain.requests()[0];
    assert!(seen.headers.get("proxy-authorization").is_none());
}

#[tokio::test]
async fn socks5_applies_the_address_policy_to_what_the_client_resolved() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let proxy = start_proxy(None);
    let resolver =
        StaticResolver::new().with("metadata.example", ["169.254.169.254".parse().unwrap()]);
    let client = client(
        &mock,
        ProxyConfig::url(&proxy.url("socks5")).unwrap(),
        resolver,
    );
    let err = fetch(&client, "https://metadata.example/latest")
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::AddressRefused { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_typed_errors() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let proxy = start_proxy(Some((USER, PASS)));
    let url = format!("https://localhost:{}/size/10/a.bin", mock.addr().port());
    let name = format!("127.0.0.1:{}", proxy.port());

    let bad = client(
        &mock,
        ProxyConfig::url(&proxy.url_with("socks5h", USER, "wrong-proxy-pw")).unwrap(),
        StaticResolver::new(),
    );
    let message = expect_proxy_error(fetch(&bad, &url).await, "authentication failed");
    assert!(message.contains(&name), "{message}");
    assert!(!message.contains("wrong-proxy-pw"), "{message}");

    let none = client(
        &mock,
        ProxyConfig::url(&proxy.url("socks5h")).unwrap(),
        StaticResolver::new(),
    );
    expect_proxy_error(fetch(&none, &url).await, "authentication required");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn an_unreachable_target_is_the_proxys_answer() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let proxy = start_proxy(None);
    let dead = ClosedPort::new();
    let client = client(
        &mock,
        ProxyConfig::url(&proxy.url("socks5h")).unwrap(),
        StaticResolver::new(),
    );
    let url = format!("https://localhost:{}/a", dead.addr().port());
    let message = expect_proxy_error(fetch(&client, &url).await, "could not reach");
    assert!(
        message.contains(&format!("127.0.0.1:{}", proxy.port())),
        "{message}"
    );
}

#[tokio::test]
async fn a_proxy_that_is_down_fails_at_once_without_retries() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let dead = ClosedPort::new();
    let client = client(
        &mock,
        ProxyConfig::url(&format!("socks5h://{USER}:{PASS}@{}", dead.addr())).unwrap(),
        StaticResolver::new(),
    );
    let url = format!("https://localhost:{}/size/10/a.bin", mock.addr().port());
    let message = expect_proxy_error(
        fetch(&client, &url).await,
        "could not connect to the SOCKS proxy",
    );
    assert!(message.contains(&dead.addr().to_string()), "{message}");
    assert!(!PixivError::proxy(message).is_retryable());
}

#[tokio::test]
async fn a_silent_proxy_is_a_connect_timeout() {
    let mock = MockPixiv::builder().start().await.unwrap();
    // Accepts and says nothing: the SOCKS handshake never completes.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    let client = HttpClient::new(
        ConnectConfig::new()
            .tls(trusting(&mock))
            .proxy(ProxyConfig::url(&format!("socks5h://{addr}")).unwrap())
            .resolver(StaticResolver::new())
            .connect_timeout(Some(Duration::from_millis(300))),
    )
    .unwrap();
    let url = format!("https://localhost:{}/size/10/a.bin", mock.addr().port());
    let err = fetch(&client, &url).await.unwrap_err();
    assert_eq!(timeout_phase(&err), Some(TimeoutPhase::Connect), "{err:?}");
    hold.abort();
}

#[tokio::test]
async fn socks_from_the_environment_and_no_proxy() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let port = mock.addr().port();
    let proxy = start_proxy(Some((USER, PASS)));
    let proxy_url = proxy.url_with("socks5h", USER, PASS);
    let env = move |name: &str| match name {
        "ALL_PROXY" => Some(proxy_url.clone()),
        "no_proxy" => Some("127.0.0.1".to_owned()),
        _ => None,
    };
    let config = ProxyConfig::from_env_vars(env).unwrap();
    assert!(!format!("{config:?}").contains(PASS));
    // 127.0.0.1 is in NO_PROXY: direct; localhost only the proxy can resolve.
    let client = client(&mock, config, StaticResolver::new());
    fetch(&client, &format!("https://127.0.0.1:{port}/size/10/a.bin"))
        .await
        .unwrap();
    fetch(&client, &format!("https://localhost:{port}/size/10/b.bin"))
        .await
        .unwrap();
    drop(proxy);
    // The proxy is gone: 127.0.0.1 still works (it never used it), localhost no longer does.
    let fresh = HttpClient::new(
        ConnectConfig::new()
            .tls(trusting(&mock))
            .proxy(
                ProxyConfig::from_env_vars(|k| {
                    (k == "HTTPS_PROXY").then(|| "socks5h://127.0.0.1:1".to_owned())
                })
                .unwrap()
                .no_proxy("127.0.0.1"),
            )
            .resolver(StaticResolver::new()),
    )
    .unwrap();
    fetch(&fresh, &format!("https://127.0.0.1:{port}/size/10/c.bin"))
        .await
        .unwrap();
    expect_proxy_error(
        fetch(&fresh, &format!("https://localhost:{port}/size/10/d.bin")).await,
        "127.0.0.1:1",
    );
}

#[test]
fn socks_urls_are_checked_up_front() {
    for (url, needle) in [
        ("socks4://127.0.0.1:1080", "socks5h://"),
        ("socks5h://", ""),
        ("socks5h://127.0.0.1:99999", "65535"),
    ] {
        match ProxyConfig::url(url) {
            Err(PixivError::InvalidInput { why, .. }) => assert!(why.contains(needle), "{why}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    let long = "x".repeat(256);
    match ProxyConfig::url(&format!("socks5://u:{long}@127.0.0.1:1080")) {
        Err(PixivError::InvalidInput { why, what }) => {
            assert!(why.contains("255"), "{why}");
            assert!(!what.contains(&long), "{what}");
        }
        other => panic!("{other:?}"),
    }
}
