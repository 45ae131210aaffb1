//! Listings stream: `search` prints each page as it arrives (the first works are out long before
//! the last page is asked for), memory stays flat, and Ctrl-C keeps what was printed as a whole
//! JSON array.

// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, text};
use pixiv_mock::MockPixiv;
use tokio::io::AsyncReadExt as _;

/// Works the mock's search finds: 33,334 pages.
const TOTAL: u64 = 1_000_000;

/// Peak resident memory of `pid` (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_prints_pages_as_they_arrive_and_ctrl_c_keeps_them() {
    let env = Env::start_with(MockPixiv::builder().search_results(TOTAL)).await;
    let mut child = env
        .pixiv()
        .args(["--rate-limit", "0", "search", "cat", "--json", "--limit"])
        .arg(TOTAL.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut printed = Vec::new();
    let mut chunk = vec![0_u8; 64 * 1024];
    let deadline = Instant::now() + Duration::from_secs(60);
    // Each work has one `create_date`; 3,000 works are 100 pages of 30.
    let mut works_seen = 0;
    while works_seen < 3_000 {
        let left = deadline.saturating_duration_since(Instant::now());
        let n = tokio::time::timeout(left, stdout.read(&mut chunk))
            .await
            .expect("no works printed while the listing was still paging")
            .unwrap();
        assert!(n > 0, "stdout closed early");
        // Counted in the new bytes (and the needle's length before them, for one cut in two).
        let from = printed.len().saturating_sub(NEEDLE.len() - 1);
        printed.extend_from_slice(&chunk[..n]);
        works_seen += count(&printed[from..], NEEDLE);
    }
    // Printed long before the last page was asked for.
    let asked = env.mock.requests_to("/v1/search/illust").len();
    assert!(
        asked < 1_000,
        "{asked} pages asked before 3,000 works were printed"
    );
    let peak = peak_rss_kib(pid);
    assert!(peak < 100 * 1024, "peak RSS {peak} KiB while streaming");

    let sent = common::interrupt(&pid.to_string()).status().unwrap();
    assert!(sent.success());
    // It stops although nothing read its stdout for a while (a full pipe): the signal is
    // honoured while printing. The rest is read as it stops, as a terminal or a pipe would.
    let (status, rest) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(child.wait(), stdout.read_to_end(&mut printed))
    })
    .await
    .expect("pixiv ignored Ctrl-C while printing");
    assert_eq!(status.unwrap().code(), Some(130));
    rest.unwrap();
    let mut stderr = Vec::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .await
        .unwrap();
    assert!(
        text(&stderr).contains("interrupted (SIGINT)"),
        "{}",
        text(&stderr)
    );
    // What was printed is kept, as one whole JSON array of whole pages, in order.
    let works: Vec<serde_json::Value> =
        serde_json::from_slice(&printed).unwrap_or_else(|e| panic!("not a JSON array: {e}"));
    assert!(
        works.len() >= 3_000 && works.len() % 30 == 0,
        "{}",
        works.len()
    );
    for (i, work) in works.iter().enumerate() {
        assert_eq!(work["id"].as_u64(), Some(i as u64 + 1));
    }
}

const NEEDLE: &[u8] = b"\"create_date\"";

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}
