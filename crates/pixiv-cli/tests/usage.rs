//! Usage errors come before any request: one line naming the flag and what would be valid,
//! exit 2, never a panic (exit 101).

mod common;

use common::{Env, run, text};

/// Runs `args` against the mock and checks the one-line usage error naming `flag` and `valid`.
async fn assert_usage(env: &Env, args: &[&str], flag: &str, valid: &str) {
    let output = run(env.pixiv().args(args), "").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    assert!(
        stderr.contains(flag),
        "{args:?} should name {flag}: {stderr}"
    );
    assert!(
        stderr.contains(valid),
        "{args:?} should say {valid}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numeric_options_out_of_range_exit_2_naming_the_range() {
    let env = Env::start().await;
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--timeout", "9223372036854775807", "illust", "12"],
            "--timeout",
            "86400",
        ),
        (
            &["--timeout", "1e-12", "illust", "12"],
            "--timeout",
            "0.001",
        ),
        (&["--timeout", "NaN", "illust", "12"], "--timeout", "86400"),
        (
            &["--timeout", "0", "illust", "12"],
            "--timeout",
            "omit --timeout",
        ),
        (&["--timeout", "-1", "illust", "12"], "--timeout", "86400"),
        (
            &["--rate-limit", "1/18446744073709551615", "illust", "12"],
            "--rate-limit",
            "86400",
        ),
        (
            &["--rate-limit", "18446744073709551615/1", "illust", "12"],
            "--rate-limit",
            "100000",
        ),
        (
            &["--rate-limit", "1/1e300", "illust", "12"],
            "--rate-limit",
            "86400",
        ),
        (
            &["--rate-limit", "1/0.0000000001", "illust", "12"],
            "--rate-limit",
            "0.001",
        ),
        (
            &["--retries", "4294967296", "illust", "12"],
            "--retries",
            "100",
        ),
        (&["--retries", "1000", "illust", "12"], "--retries", "100"),
        (&["download", "-j", "0", "12"], "--jobs", "1..=256"),
        (&["download", "-j", "-1", "12"], "--jobs", "1..=256"),
        (&["download", "-j", "99999999999", "12"], "--jobs", "256"),
        (
            &["mock", "--token-lifetime", "18446744073709551615"],
            "--token-lifetime",
            "31536000",
        ),
        (
            &["mock", "--token-lifetime", "0"],
            "--token-lifetime",
            "31536000",
        ),
        (&["demo", "--works", "0"], "--works", "1..=30"),
        (&["demo", "--works", "31"], "--works", "1..=30"),
    ];
    for (args, flag, valid) in cases {
        assert_usage(&env, args, flag, valid).await;
    }
    assert!(env.mock.requests().is_empty(), "a request was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_files_proxies_and_modes_exit_2_before_any_request() {
    let env = Env::start().await;
    let file = env.tmp.path().join("taken");
    std::fs::write(&file, b"x").unwrap();
    let file = file.to_str().unwrap().to_owned();
    let url = format!("{}/size/10/a.bin", env.base());
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--ca-cert", "/nonexistent/ca.pem", "illust", "12"],
            "--ca-cert",
            "No such file",
        ),
        (
            &["--proxy", "socks4://127.0.0.1:1080", "download", &url],
            "--proxy",
            "http://",
        ),
        (
            &["--proxy", "socks4a://127.0.0.1:1080", "illust", "12"],
            "--proxy",
            "http://",
        ),
        (&["ranking", "--mode", "weekly"], "--mode", "week, month"),
        (&["demo", "-d", &file], "-d", "is a file, not a folder"),
        (
            &["download", "--input", "/nonexistent/list", &url],
            "--input",
            "No such file",
        ),
    ];
    for (args, flag, valid) in cases {
        assert_usage(&env, args, flag, valid).await;
    }
    assert!(env.mock.requests().is_empty(), "a request was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn q_is_quiet_before_or_after_the_command() {
    let env = Env::start().await;
    let url = format!("{}/size/10/q.bin", env.base());
    for args in [
        &["-q", "download", "--replace", "-d", "out", &url][..],
        &["download", "-q", "--replace", "-d", "out", &url],
    ] {
        let output = run(env.pixiv().args(args), "").await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert!(
            output.stdout.is_empty(),
            "{args:?}: {}",
            text(&output.stdout)
        );
        assert!(
            output.stderr.is_empty(),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
    assert!(env.tmp.path().join("out/q.bin").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enum_value_not_known_lists_the_valid_ones_on_its_line() {
    let env = Env::start().await;
    let url = format!("{}/size/10/a.bin", env.base());
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--color", "sometimes", "illust", "12"],
            "--color",
            "valid values: auto, always, never",
        ),
        (
            &["download", "--novel-format", "pdf", &url],
            "--novel-format",
            "valid values: txt, md, html",
        ),
        (
            &["download", "--ugoira", "avi", &url],
            "--ugoira",
            "valid values: zip,",
        ),
        (
            &["api", "PUT", "/v1/x"],
            "<METHOD>",
            "valid values: GET, POST, DELETE",
        ),
        (
            &["completions", "tcsh"],
            "<SHELL>",
            "valid values: bash, elvish, fish, powershell, zsh",
        ),
    ];
    for (args, flag, valid) in cases {
        assert_usage(&env, args, flag, valid).await;
    }
    assert!(env.mock.requests().is_empty(), "a request was made");
}
