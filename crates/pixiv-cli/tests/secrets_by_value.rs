//! The `error:` line holds no secret even when the server quotes one in prose, where no key names
//! it (issue #12.6): the real `pixiv` binary against the mock, stderr scanned for the refresh
//! token and the client secret the mock was sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use pixiv_mock::{DEMO_REFRESH_TOKEN, Fault, RouteMatch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_error_quoting_the_refresh_token_prints_no_secret() {
    let env = Env::start().await;
    let body = format!(
        r#"{{"has_error": true, "errors": {{"system": {{"message": "grant {DEMO_REFRESH_TOKEN} of client {} is unknown", "code": 1508}}}}}}"#,
        pixiv_mock::CLIENT_SECRET
    );
    env.mock.push_faults(
        RouteMatch::path("/auth/token"),
        [Fault::Raw {
            status: 400,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        }],
    );
    let out = run(env.pixiv().args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("error:"), "{stderr}");
    assert!(stderr.contains("<redacted>"), "{stderr}");
    for secret in [DEMO_REFRESH_TOKEN, pixiv_mock::CLIENT_SECRET] {
        assert!(!stderr.contains(secret), "stderr leaks {secret}:\n{stderr}");
        assert!(!text(&out.stdout).contains(secret));
    }
}
