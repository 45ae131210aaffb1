//! Transport-side hostile cases seen through the `pixiv` binary: a malformed proxy in the
//! environment, and long waits said on stderr (docs/security.md, docs/reliability.md).

mod common;

use common::{Env, run, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_proxy_variable_is_an_error_naming_it_not_a_direct_connection() {
    let env = Env::start().await;
    let base = env.base();
    for (name, value) in [
        ("HTTPS_PROXY", "http://u:p ss@127.0.0.1:3128"),
        ("https_proxy", "http://u:pss@[::1"),
        ("ALL_PROXY", "http://u:pss@127.0.0.1:3128 x"),
    ] {
        let output = run(
            env.pixiv()
                .env(name, value)
                .args(["download", "-d"])
                .arg(env.out())
                .arg(format!("{base}/size/10/a.bin")),
            "",
        )
        .await;
        let stderr = text(&output.stderr);
        assert_ne!(output.status.code(), Some(0), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(
            !stderr.contains("pss") && !stderr.contains("p ss"),
            "{stderr}"
        );
    }
    assert!(
        env.mock.requests().is_empty(),
        "no direct connection was made"
    );
    assert_eq!(env.mock.connections_opened(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_wait_is_said_on_stderr() {
    use pixiv_mock::{Fault, RetryAfter, RouteMatch};
    let env = Env::start().await;
    env.mock.push_faults(
        RouteMatch::path("/size/10/a.bin"),
        [Fault::TooManyRequests {
            retry_after: Some(RetryAfter::Seconds(1)),
        }],
    );
    let output = run(
        env.pixiv()
            .args(["download", "-d"])
            .arg(env.out())
            .arg(format!("{}/size/10/a.bin", env.base())),
        "",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("retrying in 1.0 s (retry 1): "))
            .count(),
        1,
        "{stderr}"
    );
}
