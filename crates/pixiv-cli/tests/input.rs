//! `download`'s input under hostile conditions: a million-line `--input` starts at once and stays
//! small, a 10 MB line is echoed cut, `-d` naming a file and a missing `--input` are usage errors
//! before any request, and a server-chosen name with a bidi control is printed escaped.

// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, files, run, text};

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
async fn a_million_line_input_starts_at_once_and_stays_small() {
    let env = Env::start().await;
    let list = env.tmp.path().join("million.txt");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&list).unwrap());
        for i in 0..1_000_000 {
            writeln!(w, "{}/size/16/f{i}.bin", env.base()).unwrap();
        }
        w.flush().unwrap();
    }
    let out = env.out();
    let mut child = env
        .pixiv()
        .args(["--rate-limit", "0", "download", "--no-progress", "-d"])
        .arg(&out)
        .arg("--input")
        .arg(&list)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while env.mock.requests_to("/size/").is_empty() {
        assert!(Instant::now() < deadline, "no download started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The first request went out before the input was read whole: memory is still small.
    let at_first = peak_rss_kib(pid);
    assert!(
        at_first < 100 * 1024,
        "{at_first} KiB before the first request"
    );
    while files(&out).len() < 1_000 {
        assert!(Instant::now() < deadline, "fewer than 1,000 files in 60 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let peak = peak_rss_kib(pid);
    assert!(peak < 100 * 1024, "{peak} KiB after 1,000 files");
    let stopped = common::interrupt(&pid.to_string()).status().unwrap();
    assert!(stopped.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("pixiv ignored Ctrl-C")
        .unwrap();
    assert_eq!(status.code(), Some(130));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_line_is_echoed_cut_and_the_others_are_done() {
    let env = Env::start().await;
    let base = env.base();
    let list = env.tmp.path().join("list.txt");
    let huge = "x".repeat(10 * 1024 * 1024);
    let huge_url = format!("{base}/size/10/{}", "a".repeat(10 * 1024 * 1024));
    std::fs::write(
        &list,
        format!("{base}/size/10/ok.bin\n{huge}\n{huge_url}\n{base}/size/10/ok2.bin\n"),
    )
    .unwrap();
    let output = run(
        env.pixiv()
            .args(["download", "--no-progress", "-d"])
            .arg(env.out())
            .arg("--input")
            .arg(&list),
        "",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 2, "{}", &stderr[..stderr.len().min(2000)]);
    for line in &errors {
        assert!(line.len() < 600, "an error line of {} bytes", line.len());
        assert!(line.contains("bytes"), "{line}");
    }
    assert!(errors[0].contains("line 2"), "{}", errors[0]);
    assert!(
        errors[0].contains(&format!("{} bytes", huge.len())),
        "{}",
        errors[0]
    );
    assert!(env.out().join("ok.bin").exists() && env.out().join("ok2.bin").exists());

    // A long argument (the kernel caps one at 128 KiB) is a usage error, cut too.
    let long_arg = "y".repeat(100_000);
    let output = run(
        env.pixiv()
            .args(["download", "-d"])
            .arg(env.out())
            .arg(&long_arg),
        "",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1);
    assert!(stderr.len() < 600, "an error of {} bytes", stderr.len());
    assert!(stderr.contains("(100002 bytes)"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_named_by_d_or_a_missing_input_is_a_usage_error_before_any_request() {
    let env = Env::start().await;
    let file = env.tmp.path().join("taken");
    std::fs::write(&file, b"not a folder").unwrap();
    let url = format!("{}/size/10/a.bin", env.base());
    let output = run(
        env.pixiv().args(["download", "-d"]).arg(&file).arg(&url),
        "",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is a file, not a folder"), "{stderr}");
    assert!(stderr.contains("taken"), "{stderr}");

    let output = run(
        env.pixiv()
            .args(["download", "--input", "/nonexistent/list.txt", "-d"])
            .arg(env.out())
            .arg(&url),
        "",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--input /nonexistent/list.txt"), "{stderr}");
    assert!(env.mock.requests().is_empty(), "a request was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bidi_control_in_a_name_is_printed_escaped() {
    let env = Env::start().await;
    // `12_p0.<U+202E>gnp.exe` would display as `12_p0.exe.png`.
    let url = format!("{}/size/10/12_p0.%E2%80%AEgnp.exe", env.base());
    let output = run(
        env.pixiv()
            .args(["download", "--no-progress", "-d"])
            .arg(env.out())
            .arg(&url),
        "",
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(
        !stdout.contains('\u{202e}') && !stderr.contains('\u{202e}'),
        "printed raw: {stdout:?} {stderr:?}"
    );
    // Saved under that name and printed escaped; or renamed or refused by the downloader, and
    // never shown raw either way.
    let raw_named = files(&env.out())
        .iter()
        .any(|p| p.to_string_lossy().contains('\u{202e}'));
    if raw_named {
        assert!(stdout.contains("12_p0.\\u{202e}gnp.exe"), "{stdout:?}");
    }
}
