//! The facade through a real SOCKS5 proxy (Debian's `microsocks`; the tests fail, not skip,
//! without it: `apt-get install -y microsocks`): login, an App API call and a work's download,
//! with `socks5h://` (the proxy resolves the hosts) and `socks5://` (the client does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use pixiv::{Client, PixivError, ProxyConfig};
use pixiv_mock::MockPixiv;
use pixiv_mock::microsocks::MicroSocks;
use pixiv_transport::connect::StaticResolver;

const USER: &str = "pixiv";
/// 8 characters or more: `cargo xtask secrets` looks for it in every log line.
const PASS: &str = "s0cks-facade-pw";

fn start_proxy() -> MicroSocks {
    MicroSocks::start(Some((USER, PASS))).unwrap_or_else(|e| panic!("{e}"))
}

/// A client for every host at `https://{host}:{mock port}`, resolving names with `resolver` only.
fn client(mock: &MockPixiv, host: &str, resolver: StaticResolver, proxy: ProxyConfig) -> Client {
    Client::builder()
        .refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
        .base_url(&format!("https://{host}:{}", mock.addr().port()))
        .transport(|t| {
            t.connect(|c| c.resolver(resolver))
                .proxy(proxy)
                .add_root_certificate_pem(mock.ca_pem())
        })
        .build()
        .unwrap()
}

async fn login_detail_and_download(client: &Client) -> Result<usize, PixivError> {
    client.login().await?;
    let work = client.illust_detail(12).await?;
    assert_eq!(work.id, 12);
    let dir = tempfile::tempdir().unwrap();
    let done = client
        .download_illust(&work, dir.path(), &pixiv::DownloadOptions::new())
        .await?;
    for file in &done {
        assert!(std::fs::metadata(&file.path).unwrap().len() > 0);
    }
    Ok(done.len())
}

#[tokio::test]
async fn socks5h_the_proxy_resolves_every_host() {
    let mock = common::mock().await;
    let proxy = start_proxy();
    // The client can resolve nothing: `localhost` reaches the mock only through the proxy.
    let client = client(
        &mock,
        "localhost",
        StaticResolver::new(),
        ProxyConfig::url(&proxy.url_with("socks5h", USER, PASS)).unwrap(),
    );
    assert_eq!(login_detail_and_download(&client).await.unwrap(), 3);
    let seen = mock.requests();
    assert!(seen.iter().any(|r| r.path == "/auth/token"), "{seen:?}");
    assert!(seen.iter().all(|r| r.sni.as_deref() == Some("localhost")));
}

#[tokio::test]
async fn socks5_the_client_resolves_and_the_proxy_connects() {
    let mock = common::mock().await;
    let proxy = start_proxy();
    // `app-api.pixiv.net` is the mock's address only in the client's own table.
    let resolver = StaticResolver::new().with("app-api.pixiv.net", [mock.addr().ip()]);
    let client = client(
        &mock,
        "app-api.pixiv.net",
        resolver,
        ProxyConfig::url(&proxy.url_with("socks5", USER, PASS)).unwrap(),
    );
    assert_eq!(login_detail_and_download(&client).await.unwrap(), 3);
}

#[tokio::test]
async fn a_wrong_password_stops_login_with_a_proxy_error() {
    let mock = common::mock().await;
    let proxy = start_proxy();
    let client = client(
        &mock,
        "localhost",
        StaticResolver::new(),
        ProxyConfig::url(&proxy.url_with("socks5h", USER, "wrong-facade-pw")).unwrap(),
    );
    let err = login_detail_and_download(&client).await.unwrap_err();
    let PixivError::Proxy { message } = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("authentication failed"), "{message}");
    assert!(!format!("{err:?}").contains("wrong-facade-pw"));
    assert!(mock.requests().is_empty());
}
