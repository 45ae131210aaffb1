//! `pixiv login` takes the refresh token from stdin, out of `ps` and shell history: with
//! `--refresh-token` alone or `-`, and, when stdin is not a terminal, as the line answering the
//! browser login's prompt (a line with `code=` stays a PKCE code: tests/commands.rs).

// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, run, text};
use pixiv_mock::DEMO_REFRESH_TOKEN;

/// `pixiv login ARGS` against the mock, with no token in the environment.
fn login(env: &Env, args: &[&str]) -> tokio::process::Command {
    let base = env.base();
    let mut cmd = env.bare();
    cmd.args(["--api-url", &base, "--oauth-url", &base])
        .arg("--ca-cert")
        .arg(&env.ca)
        .arg("login")
        .args(args);
    cmd
}

/// The token was checked with the mock (a refresh-token grant, no code exchange) and the
/// (rotated) one stored.
fn assert_stored_by_refresh(env: &Env, stderr: &str) {
    assert!(stderr.contains("logged in as"), "{stderr}");
    let stored = std::fs::read_to_string(env.config_dir().join("refresh_token")).unwrap();
    assert!(!stored.trim().is_empty());
    let grants: Vec<String> = env
        .mock
        .requests_to("/auth/token")
        .into_iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert!(grants[0].contains("grant_type=refresh_token"), "{grants:?}");
    // The token never reaches stderr.
    assert!(!stderr.contains(DEMO_REFRESH_TOKEN), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_reads_a_piped_refresh_token_without_any_flag() {
    let env = Env::start().await;
    let out = run(&mut login(&env, &[]), &format!("{DEMO_REFRESH_TOKEN}\n")).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_stored_by_refresh(&env, &stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_token_with_no_value_or_dash_reads_stdin() {
    for args in [&["--refresh-token"][..], &["--refresh-token", "-"]] {
        let env = Env::start().await;
        let out = run(&mut login(&env, args), &format!("  {DEMO_REFRESH_TOKEN}\n")).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_stored_by_refresh(&env, &stderr);
        // No browser login was offered.
        assert!(!stderr.contains("code: "), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_token_on_stdin_is_refused_before_any_request() {
    let env = Env::start().await;
    let out = run(&mut login(&env, &["--refresh-token"]), "\n  \n").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the token is empty"), "{stderr}");
    assert!(env.mock.requests().is_empty());
    assert!(!env.config_dir().join("refresh_token").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_piped_token_pixiv_rejects_stores_nothing() {
    let env = Env::start().await;
    let out = run(&mut login(&env, &[]), "not-a-token\n").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: login: "), "{stderr}");
    assert!(!env.config_dir().join("refresh_token").exists());
}
