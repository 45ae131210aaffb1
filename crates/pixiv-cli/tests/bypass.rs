//! `--bypass` (default cargo feature `bypass`): the alternate route from the command line, as
//! pixiv-transport's own bypass tests exercise it. The mock answers DNS over HTTPS at
//! `/dns-query` and maps app-api.pixiv.net to 127.0.0.1; the command reaches the mock by that name
//! with no system DNS entry for it, and its ClientHello carries no SNI (docs/bypass.md).
#![cfg(feature = "bypass")]
// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, run, text};
use pixiv_mock::{DEMO_REFRESH_TOKEN, MockPixiv};

const API: &str = "app-api.pixiv.net";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bypass_reaches_pixiv_by_doh_without_sni() {
    let env =
        Env::start_with(MockPixiv::builder().dns(API, vec!["127.0.0.1".parse().unwrap()], 300))
            .await;
    let by_name = format!("https://{API}:{}", env.mock.addr().port());
    let doh = format!("{}/dns-query", env.base());
    let out = run(
        env.bare()
            .args(["--api-url", &by_name, "--oauth-url", &by_name])
            .arg("--ca-cert")
            .arg(&env.ca)
            .args(["--bypass", "--doh-url", &doh, "illust", "12"])
            .env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN),
        "",
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let work: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(work["id"], 12);

    let detail = env.mock.requests_to("/v1/illust/detail");
    assert_eq!(detail.len(), 1);
    assert_eq!(detail[0].sni, None, "no SNI in the ClientHello");
    let host = format!("{API}:{}", env.mock.addr().port());
    assert_eq!(detail[0].host.as_deref(), Some(host.as_str()));
    let dns = env.mock.requests_to("/dns-query");
    assert!(!dns.is_empty());
    assert!(
        dns.iter()
            .all(|q| q.dns_question().is_some_and(|(name, _)| name == API)),
        "every DoH query asks for {API}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bypass_is_a_config_key_and_a_doh_url_must_be_https() {
    let env = Env::start().await;
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_dir().join("config.toml"),
        "bypass = true\ndoh-url = [\"http://127.0.0.1:1/dns-query\"]\n",
    )
    .unwrap();
    let out = run(env.pixiv().args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--doh-url"), "{stderr}");
    assert!(stderr.contains("https://"), "{stderr}");
    assert!(env.mock.requests().is_empty());
}
