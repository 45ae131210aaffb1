//! `-v`, `-vv` and `-vvv` print different sets of lines, and every retry is one stderr line
//! with its wait and its error, whatever the verbosity (docs/cli.md, "Verbosity and retries").

// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, run, text};
use pixiv_mock::{Fault, RouteMatch};

/// `pixiv -v… illust 12` against the mock: its stderr.
async fn illust_stderr(env: &Env, verbosity: Option<&str>) -> String {
    let mut cmd = env.pixiv();
    if let Some(v) = verbosity {
        cmd.arg(v);
    }
    let out = run(cmd.args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{verbosity:?}: {stderr}");
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_v_shows_more_than_the_last() {
    let env = Env::start().await;
    let quiet = illust_stderr(&env, None).await;
    let v = illust_stderr(&env, Some("-v")).await;
    let vv = illust_stderr(&env, Some("-vv")).await;
    let vvv = illust_stderr(&env, Some("-vvv")).await;
    let lines = |s: &str, what: &str| s.lines().filter(|l| l.contains(what)).count();

    assert_eq!(quiet, "", "no -v: nothing but results");
    // -v: debug of the pixiv crates, no trace, no targets.
    assert!(lines(&v, "DEBUG") > 0, "{v}");
    assert_eq!(lines(&v, "TRACE"), 0, "{v}");
    // -vv: trace of the pixiv crates (the settings in force), nothing of the HTTP crates.
    assert!(lines(&vv, "TRACE pixiv::") > 0, "{vv}");
    assert!(vv.contains("client settings"), "{vv}");
    assert_eq!(lines(&vv, " h2::"), 0, "{vv}");
    assert_eq!(lines(&vv, " hyper"), 0, "{vv}");
    // -vvv: everything, the HTTP/2 frames included.
    assert!(lines(&vvv, " h2::") > 0, "{vvv}");
    assert!(lines(&vvv, "TRACE pixiv::") > 0, "{vvv}");
    // No level leaks a token.
    for log in [&v, &vv, &vvv] {
        assert!(!log.contains(pixiv_mock::DEMO_REFRESH_TOKEN));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_retry_is_one_stderr_line_with_its_error() {
    let env = Env::start().await;
    env.mock.push_faults(
        RouteMatch::path("/v1/illust/detail"),
        [Fault::Status(503), Fault::Status(502)],
    );
    let out = run(env.pixiv().args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let retries: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("retrying in "))
        .collect();
    assert_eq!(retries.len(), 2, "{stderr}");
    assert!(
        retries[0].contains("(retry 1): ") && retries[0].contains("503"),
        "{stderr}"
    );
    assert!(
        retries[1].contains("(retry 2): ") && retries[1].contains("502"),
        "{stderr}"
    );
    // Nothing else: the waits are not said twice.
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    let work: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(work["id"], 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_resumed_after_a_broken_body_says_so() {
    let env = Env::start().await;
    env.mock.push_faults(
        RouteMatch::path("/size/300000/a.bin"),
        // The body stops part way (the answer's headers long arrived): the body-idle timeout
        // breaks it off, and the download resumes rather than the request being retried.
        [Fault::StallBody {
            after: 150_000,
            stall: std::time::Duration::from_secs(60),
        }],
    );
    let out = run(
        env.pixiv()
            .args(["--no-progress", "--timeout", "0.5", "download", "-d"])
            .arg(env.out())
            .arg(format!("{}/size/300000/a.bin", env.base())),
        "",
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let resumes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("resuming a broken download (retry 1): "))
        .collect();
    assert_eq!(resumes.len(), 1, "{stderr}");
    common::assert_content(&env.out().join("a.bin"), "/size/300000/a.bin");
}
