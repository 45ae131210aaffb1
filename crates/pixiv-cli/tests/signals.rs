//! SIGTERM and SIGHUP stop `pixiv` as Ctrl-C does: the same message, exit 128 + the signal's
//! number, and a `.part` that keeps its resume record, so the next run resumes it.

// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, assert_content, run, text};
use pixiv_mock::{Fault, RouteMatch};
use tokio::io::AsyncReadExt as _;

const SLOW: &str = "/size/2000000/slow.bin";

/// Starts `pixiv download` of a body that stalls after 1 MB, sends `signal` once the bytes are
/// flowing, and returns the exit code and stderr.
async fn stop_mid_download(env: &Env, signal: &str) -> (Option<i32>, String) {
    env.mock.push_faults(
        RouteMatch::path(SLOW),
        [Fault::StallBody {
            after: 1_000_000,
            stall: Duration::from_secs(60),
        }],
    );
    let mut child = env
        .pixiv()
        .args(["download", "--no-progress", "-d"])
        .arg(env.out())
        .arg(format!("{}{SLOW}", env.base()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The part file holds flushed bytes once the stall has begun.
    let part = env.out().join("slow.bin.part");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&part).map_or(0, |m| m.len()) == 0 {
        assert!(Instant::now() < deadline, "the download never wrote bytes");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = child.id().unwrap();
    let sent = std::process::Command::new("sh")
        .args(["-c", &format!("kill -{signal} {pid}")])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .unwrap_or_else(|_| panic!("pixiv did not stop after SIG{signal}"))
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    (status.code(), stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_143_and_the_next_run_resumes() {
    let env = Env::start().await;
    let (code, stderr) = stop_mid_download(&env, "TERM").await;
    assert_eq!(code, Some(143), "{stderr}");
    assert!(stderr.contains("interrupted (SIGTERM)"), "{stderr}");
    let out = env.out();
    assert!(
        !out.join("slow.bin").exists(),
        "a partial file at the final path"
    );
    let held = std::fs::metadata(out.join("slow.bin.part")).unwrap().len();
    assert!(held > 0, "the .part was removed");
    assert!(
        out.join("slow.bin.part.meta").exists(),
        "the .part lost its resume record"
    );

    // The next run asks only for the rest.
    let again = run(
        env.pixiv()
            .args(["download", "--no-progress", "-d"])
            .arg(&out)
            .arg(format!("{}{SLOW}", env.base())),
        "",
    )
    .await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let last = env.mock.requests_to(SLOW).pop().unwrap();
    let range = last
        .headers
        .get("range")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(range, Some(format!("bytes={held}-")));
    assert_content(&out.join("slow.bin"), SLOW);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_exits_129_with_the_same_message() {
    let env = Env::start().await;
    let (code, stderr) = stop_mid_download(&env, "HUP").await;
    assert_eq!(code, Some(129), "{stderr}");
    assert!(stderr.contains("interrupted (SIGHUP)"), "{stderr}");
    assert!(env.out().join("slow.bin.part.meta").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_names_the_exit_codes() {
    let env = Env::start().await;
    let help = run(env.bare().arg("--help"), "").await;
    let help = text(&help.stdout);
    for code in ["130", "143", "129"] {
        assert!(help.contains(code), "{help}");
    }
}
