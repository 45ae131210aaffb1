//! `pixiv --proxy socks5h://...` and `ALL_PROXY=socks5://...` end to end through the binary, via
//! a real SOCKS5 proxy: Debian's `microsocks` (the tests fail, not skip, without it:
//! `apt-get install -y microsocks`).

mod common;

use common::{Env, assert_content, files, run, text};
use pixiv_mock::DEMO_REFRESH_TOKEN;
use pixiv_mock::microsocks::MicroSocks;

/// 8 characters or more: `cargo xtask secrets` looks for it in every log line.
const PASS: &str = "s0cks-cli-pw";

fn start_proxy() -> MicroSocks {
    MicroSocks::start(Some(("pixiv", PASS))).unwrap_or_else(|e| panic!("{e}"))
}

/// `pixiv` against the mock under its name `localhost` (which socks5h leaves to the proxy), with
/// its CA and the demo token.
fn pixiv(env: &Env) -> tokio::process::Command {
    let base = format!("https://localhost:{}", env.mock.addr().port());
    let mut cmd = env.servers(&base);
    cmd.env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks5h_carries_the_api_and_the_downloads() {
    let env = Env::start().await;
    let proxy = start_proxy();
    let url = proxy.url_with("socks5h", "pixiv", PASS);
    let port = env.mock.addr().port();

    let api = run(pixiv(&env).args(["--proxy", &url, "illust", "12"]), "").await;
    assert_eq!(api.status.code(), Some(0), "{}", text(&api.stderr));
    assert!(!api.stdout.is_empty());

    let out = env.out();
    let download = run(
        pixiv(&env)
            .args(["--proxy", &url, "download", "-d"])
            .arg(&out)
            .arg(format!("https://localhost:{port}/size/700/s.bin"))
            .arg("12"),
        "",
    )
    .await;
    assert_eq!(
        download.status.code(),
        Some(0),
        "{}",
        text(&download.stderr)
    );
    assert_content(&out.join("s.bin"), "/size/700/s.bin");
    assert_eq!(files(&out).len(), 4);

    // The same with a wrong password: the proxy refuses, so it was the one carrying the above.
    let wrong = proxy.url_with("socks5h", "pixiv", "wrong-cli-pw");
    let refused = run(pixiv(&env).args(["--proxy", &wrong, "illust", "12"]), "").await;
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("authentication failed"), "{stderr}");
    assert!(
        stderr.contains(&format!("127.0.0.1:{}", proxy.port())),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong-cli-pw") && !stderr.contains(PASS),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_proxy_with_socks5_and_a_proxy_that_is_down() {
    let env = Env::start().await;
    let proxy = start_proxy();
    let url = format!(
        "https://localhost:{}/size/300/e.bin",
        env.mock.addr().port()
    );
    let used = run(
        pixiv(&env)
            .env("ALL_PROXY", proxy.url_with("socks5", "pixiv", PASS))
            .args(["download", "-d"])
            .arg(env.out())
            .arg(&url),
        "",
    )
    .await;
    assert_eq!(used.status.code(), Some(0), "{}", text(&used.stderr));
    assert_content(&env.out().join("e.bin"), "/size/300/e.bin");

    let port = proxy.port();
    drop(proxy);
    let down = run(
        pixiv(&env)
            .env(
                "ALL_PROXY",
                format!("socks5h://pixiv:{PASS}@127.0.0.1:{port}"),
            )
            .args(["download", "--replace", "-d"])
            .arg(env.out())
            .arg(&url),
        "",
    )
    .await;
    let stderr = text(&down.stderr);
    assert_eq!(down.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "could not connect to the SOCKS proxy 127.0.0.1:{port}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(PASS), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_socks_url_is_a_usage_error_without_its_password() {
    let env = Env::start().await;
    let output = run(
        pixiv(&env).args([
            "--proxy",
            &format!("socks4://pixiv:{PASS}@127.0.0.1:1"),
            "illust",
            "12",
        ]),
        "",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--proxy") && stderr.contains("socks5h://"),
        "{stderr}"
    );
    assert!(!stderr.contains(PASS), "{stderr}");
    assert!(env.mock.requests().is_empty());
}
