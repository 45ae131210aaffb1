//! Two processes, one file: each download holds an exclusive lock on its target's `.part` for the
//! whole transfer, so two processes never make a wrong file (issue 19.2).
//!
//! Real processes: this test binary runs itself again (the `child` test below, told what to do
//! by environment variables), each child a downloader of its own against the same mock over TLS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{mock, names_in};
use pixiv_download::{Downloader, Outcome, Target};
use pixiv_mock::content::expected_bytes;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::Transport;

const CHILD_ENV: &str = "PIXIV_DOWNLOAD_LOCK_CHILD";

/// The child half: downloads `$URL` into `$DIR` waiting `$WAIT_MS` for the lock and prints one
/// line, `outcome=Written|Skipped|...` or `error=...`. Run by the tests below in processes of
/// their own; run as an ordinary test (no `PIXIV_DOWNLOAD_LOCK_CHILD`), it has nothing to do.
#[tokio::test]
#[allow(clippy::print_stdout)]
async fn child() {
    let Ok(url) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = std::env::var("LOCK_CHILD_DIR").unwrap();
    let wait: u64 = std::env::var("LOCK_CHILD_WAIT_MS")
        .unwrap()
        .parse()
        .unwrap();
    let transport = Transport::builder()
        .add_root_certificate_pem(std::env::var("LOCK_CHILD_CA").unwrap())
        .no_rate_limit()
        .build()
        .unwrap();
    let result = Downloader::new(transport)
        .lock_wait(Duration::from_millis(wait))
        .download(&url, &Target::dir(dir))
        .await;
    match result {
        Ok(done) => println!("outcome={:?}", done.outcome),
        Err(e) => println!("error={e}"),
    }
}

/// Starts a child downloading `path` from `mock` into `dir`.
fn spawn(mock: &MockPixiv, path: &str, dir: &Path, wait_ms: u64) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{}{path}", mock.base_url()))
        .env("LOCK_CHILD_DIR", dir)
        .env("LOCK_CHILD_WAIT_MS", wait_ms.to_string())
        .env("LOCK_CHILD_CA", mock.ca_pem())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The child's one line of result.
fn result_of(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "child failed: {:?}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        // The harness prints `test child ... ` before it on the same line.
        .find_map(|l| {
            l.find("outcome=")
                .or_else(|| l.find("error="))
                .map(|at| &l[at..])
        })
        .unwrap_or_else(|| panic!("no result line in {stdout}"))
        .to_owned()
}

/// Waits (real time: the other side is another process) until the mock has seen `n` requests
/// under `prefix`.
async fn wait_for_requests(mock: &MockPixiv, prefix: &str, n: usize) {
    for _ in 0..1000 {
        if mock.requests_to(prefix).len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no request to {prefix} came");
}

fn stall() -> Fault {
    Fault::StallBody {
        after: 100,
        stall: Duration::from_millis(1500),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_saving_different_urls_under_one_name_leave_one_whole_source() {
    let mock = mock().await;
    let (one, two) = ("/one/pic.png", "/two/pic.png");
    assert_ne!(expected_bytes(one), expected_bytes(two));
    mock.push_faults(RouteMatch::path(one), [stall()]);
    mock.push_faults(RouteMatch::path(two), [stall()]);
    let dir = tempfile::tempdir().unwrap();
    let a = spawn(&mock, one, dir.path(), 30_000);
    let b = spawn(&mock, two, dir.path(), 30_000);
    let mut results = [result_of(a), result_of(b)];
    results.sort();
    // One wrote, the other found the file there once it had the lock.
    assert_eq!(
        results,
        [
            format!("outcome={:?}", Outcome::Skipped),
            format!("outcome={:?}", Outcome::Written)
        ]
    );
    let saved = std::fs::read(dir.path().join("pic.png")).unwrap();
    assert!(
        saved == expected_bytes(one) || saved == expected_bytes(two),
        "the file matches neither source"
    );
    assert_eq!(names_in(dir.path()), ["pic.png"]);
    // Only the writer asked for anything.
    let asked = mock.requests_to("/one/").len() + mock.requests_to("/two/").len();
    assert_eq!(asked, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_url_from_two_processes_is_transferred_once() {
    let mock = mock().await;
    let path = "/img-original/img/2024/01/01/00/00/00/12_p0.png";
    mock.push_faults(RouteMatch::path(path), [stall()]);
    let dir = tempfile::tempdir().unwrap();
    let a = spawn(&mock, path, dir.path(), 30_000);
    let b = spawn(&mock, path, dir.path(), 30_000);
    let mut results = [result_of(a), result_of(b)];
    results.sort();
    assert_eq!(results, ["outcome=Skipped", "outcome=Written"]);
    assert_eq!(
        std::fs::read(dir.path().join("12_p0.png")).unwrap(),
        expected_bytes(path)
    );
    assert_eq!(mock.requests_to("/img-original/").len(), 1);
    assert_eq!(mock.body_bytes_sent(), expected_bytes(path).len() as u64);
    assert_eq!(names_in(dir.path()), ["12_p0.png"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_told_not_to_wait_fails_fast_and_touches_nothing() {
    let mock = mock().await;
    let path = "/one/pic.png";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::StallBody {
            after: 100,
            stall: Duration::from_secs(3),
        }],
    );
    let dir = tempfile::tempdir().unwrap();
    let a = spawn(&mock, path, dir.path(), 30_000);
    // The first holds the lock from before its request until after the rename.
    wait_for_requests(&mock, "/one/", 1).await;
    let b = spawn(&mock, path, dir.path(), 0);
    let b = result_of(b);
    assert!(
        b.starts_with("error=invalid download target")
            && b.contains("is being downloaded by another process"),
        "{b}"
    );
    assert_eq!(result_of(a), "outcome=Written");
    assert_eq!(
        std::fs::read(dir.path().join("pic.png")).unwrap(),
        expected_bytes(path)
    );
    assert_eq!(mock.requests_to("/one/").len(), 1);
    assert_eq!(names_in(dir.path()), ["pic.png"]);
}
