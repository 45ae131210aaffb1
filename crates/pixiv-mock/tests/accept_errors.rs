//! Accept errors (EMFILE) pause the accept loop instead of spinning or panicking, and the server
//! recovers. Its own test binary, because it lowers this process's descriptor limit.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use http::StatusCode;
use pixiv_mock::MockPixiv;

fn set_soft_nofile(limit: u64) -> bool {
    Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--nofile={limit}:"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn soft_nofile() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[tokio::test]
async fn emfile_pauses_accepting_and_the_server_recovers() {
    let Some(original) = soft_nofile() else {
        eprintln!("skipped: no /proc/self/limits");
        return;
    };
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    let open_now = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    if !set_soft_nofile(open_now + 8) {
        eprintln!("skipped: prlimit is not available");
        return;
    }
    // Each accepted connection costs the server two descriptors (the stream and the dup kept
    // for resets), the client one: the server runs out first while the kernel keeps completing
    // handshakes into the backlog.
    let mut streams = Vec::new();
    for _ in 0..16 {
        match tokio::net::TcpStream::connect(mock.addr()).await {
            Ok(s) => streams.push(s),
            Err(_) => break,
        }
    }
    tokio::time::sleep(Duration::from_millis(350)).await;
    let errors = mock.accept_errors();
    drop(streams);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(set_soft_nofile(original), "could not restore the limit");

    assert!(errors >= 1, "the limit should have been hit");
    assert!(
        errors <= 10,
        "{errors} accept errors in 350 ms: the loop spins"
    );
    let client = plain_client(false);
    let a = get(
        &client,
        &format!("{}/size/3/x", mock.base_url()),
        &[("referer", REFERER)],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
}
