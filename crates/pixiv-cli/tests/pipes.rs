//! A reader that stops reading stdout (`pixiv search cat | head -1`) ends the command quietly
//! with exit 0, as Unix tools do (docs/cli.md, "Exit codes").

// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{Env, text};
use pixiv_mock::MockPixiv;
use tokio::io::AsyncReadExt as _;

/// Runs `args` with stdout a pipe closed after its first bytes; returns the exit code and stderr.
async fn closed_early(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let mut child = env
        .pixiv()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0_u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(60), stdout.read(&mut first))
        .await
        .expect("nothing printed")
        .unwrap();
    assert!(n > 0, "stdout closed before anything was printed");
    // `head -1` exits: the read end of the pipe is closed.
    drop(stdout);
    let mut stderr = Vec::new();
    let mut err = child.stderr.take().unwrap();
    let (status, read) = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::join!(child.wait(), err.read_to_end(&mut stderr))
    })
    .await
    .expect("pixiv kept running after its reader went away");
    read.unwrap();
    (status.unwrap().code(), text(&stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_into_a_closed_pipe_ends_quietly_with_exit_0() {
    // Far more works than a pipe holds, so the writes meet the closed pipe.
    let env = Env::start_with(MockPixiv::builder().search_results(100_000)).await;
    let (code, stderr) = closed_early(
        &env,
        &["--rate-limit", "0", "search", "cat", "--limit", "100000"],
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_paginate_into_a_closed_pipe_ends_quietly_with_exit_0() {
    let env = Env::start_with(MockPixiv::builder().search_results(100_000)).await;
    let (code, stderr) = closed_early(
        &env,
        &[
            "--rate-limit",
            "0",
            "api",
            "get",
            "/v1/search/illust",
            "--query",
            "word=cat",
            "--paginate",
        ],
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}
