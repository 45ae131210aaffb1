//! `pixiv download` against pixiv-mock: URLs, work ids, stdin, JSON lines, a failing item,
//! skip and replace, proxies (a real tinyproxy), Ctrl-C.

mod common;

use common::{Env, IMG_DIR, assert_content, files, json_lines, run, text};
use pixiv_mock::{Fault, RouteMatch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_ids_and_stdin_with_json_lines_that_match_the_files() {
    let env = Env::start().await;
    let base = env.base();
    let out = env.out();
    let stdin = format!("# a comment\n\n{base}/size/2000/b.bin\n13\n");
    let output = run(
        env.pixiv()
            .args(["download", "--json", "-d"])
            .arg(&out)
            .arg(format!("{base}/size/1000/a.bin"))
            .arg("12")
            .args(["--input", "-"]),
        &stdin,
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let lines = json_lines(&output);
    // a.bin, 3 pages of 12, b.bin, 4 pages of 13.
    assert_eq!(lines.len(), 1 + 3 + 1 + 4, "{lines:#?}");
    for line in &lines {
        assert_eq!(line["status"], "ok", "{line}");
        assert!(line["error"].is_null());
        let path = std::path::PathBuf::from(line["path"].as_str().unwrap());
        let url = url::Url::parse(line["url"].as_str().unwrap()).unwrap();
        assert_eq!(
            line["bytes"].as_u64().unwrap(),
            std::fs::metadata(&path).unwrap().len()
        );
        assert_content(&path, url.path());
    }
    let names: Vec<String> = files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "12_p0.png",
            "12_p1.png",
            "12_p2.png",
            "13_p0.png",
            "13_p1.png",
            "13_p2.png",
            "13_p3.png",
            "a.bin",
            "b.bin"
        ]
    );
    // Plain URLs went to the image host without a token; works were looked up on the API.
    for req in env.mock.requests_to("/size/") {
        assert!(!req.headers.contains_key("authorization"));
    }
    assert_eq!(env.mock.requests_to("/v1/illust/detail").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_urls_need_no_login() {
    let env = Env::start().await;
    let base = env.base();
    let out = env.out();
    let output = run(
        env.bare()
            .arg("--ca-cert")
            .arg(&env.ca)
            .args(["download", "-d"])
            .arg(&out)
            .arg(format!("{base}/size/300/x.bin")),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_content(&out.join("x.bin"), "/size/300/x.bin");
    assert!(
        text(&output.stdout).starts_with("saved "),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(env.mock.oauth_calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_item_exits_1_and_the_others_are_saved() {
    let env = Env::start().await;
    let base = env.base();
    let out = env.out();
    env.mock
        .push_faults(RouteMatch::path("/size/500/bad.bin"), [Fault::Status(404)]);
    let output = run(
        env.pixiv()
            .args(["download", "--no-progress", "-d"])
            .arg(&out)
            .arg(format!("{base}/size/400/good1.bin"))
            .arg(format!("{base}/size/500/bad.bin"))
            .arg(format!("{base}/size/600/good2.bin")),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(error_lines[0].contains("bad.bin: not found"), "{stderr}");
    assert!(!stderr.contains("Http {"), "no Debug dump: {stderr}");
    assert!(stderr.contains("2 saved, 0 skipped, 1 failed"), "{stderr}");
    let names: Vec<_> = files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["good1.bin", "good2.bin"]);
    assert_eq!(text(&output.stdout).lines().count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_files_are_skipped_unless_replace() {
    let env = Env::start().await;
    let url = format!("{}/size/700/r.bin", env.base());
    let out = env.out();
    let first = run(env.pixiv().args(["download", "-d"]).arg(&out).arg(&url), "").await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    std::fs::write(out.join("r.bin"), b"changed").unwrap();
    env.mock.clear_requests();

    let skipped = run(
        env.pixiv()
            .args(["download", "--json", "-d"])
            .arg(&out)
            .arg(&url),
        "",
    )
    .await;
    assert_eq!(skipped.status.code(), Some(0));
    let lines = json_lines(&skipped);
    assert_eq!(lines[0]["status"], "skipped");
    assert_eq!(lines[0]["bytes"], 7);
    assert_eq!(std::fs::read(out.join("r.bin")).unwrap(), b"changed");
    assert!(
        env.mock.requests_to("/size/").is_empty(),
        "a skip makes no request"
    );

    let replaced = run(
        env.pixiv()
            .args(["download", "--json", "--replace", "-d"])
            .arg(&out)
            .arg(&url),
        "",
    )
    .await;
    assert_eq!(replaced.status.code(), Some(0));
    assert_eq!(json_lines(&replaced)[0]["status"], "ok");
    assert_content(&out.join("r.bin"), "/size/700/r.bin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefix_and_ext_name_the_files() {
    let env = Env::start().await;
    let out = env.out();
    let output = run(
        env.pixiv()
            .args(["download", "--prefix", "px_", "--ext", "jpg", "-d"])
            .arg(&out)
            .arg("12"),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    for page in 0..3 {
        assert_content(
            &out.join(format!("px_12_p{page}.jpg")),
            &format!("{IMG_DIR}/12_p{page}.png"),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_proxy_carries_everything() {
    let env = Env::start().await;
    let proxy = common::start_proxy(env.mock.addr().port());
    let out = env.out();
    let output = run(
        env.pixiv()
            .args(["download", "--proxy", &proxy.url(), "-d"])
            .arg(&out)
            .arg(format!("{}/size/800/p.bin", env.base()))
            .arg("12"),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_content(&out.join("p.bin"), "/size/800/p.bin");
    assert_eq!(files(&out).len(), 4);
    let port = env.mock.addr().port();
    assert!(
        proxy.log().contains(&format!("CONNECT 127.0.0.1:{port}")),
        "tinyproxy saw no CONNECT:\n{}",
        proxy.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_from_the_environment_unless_no_proxy() {
    let env = Env::start().await;
    let proxy = common::start_proxy(env.mock.addr().port());
    let url = format!("{}/size/900/e.bin", env.base());
    let connect = format!("CONNECT 127.0.0.1:{}", env.mock.addr().port());

    let ignored = run(
        env.pixiv()
            .env("https_proxy", proxy.url())
            .args(["download", "--no-proxy", "-d"])
            .arg(env.out())
            .arg(&url),
        "",
    )
    .await;
    assert_eq!(ignored.status.code(), Some(0), "{}", text(&ignored.stderr));
    assert!(
        !proxy.log().contains(&connect),
        "--no-proxy went through the proxy"
    );

    let used = run(
        env.pixiv()
            .env("HTTPS_PROXY", proxy.url())
            .args(["download", "--replace", "-d"])
            .arg(env.out())
            .arg(&url),
        "",
    )
    .await;
    assert_eq!(used.status.code(), Some(0), "{}", text(&used.stderr));
    assert!(
        proxy.log().contains(&connect),
        "HTTPS_PROXY was not used:\n{}",
        proxy.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_exits_130_and_leaves_no_file() {
    let env = Env::start().await;
    env.mock.push_faults(
        RouteMatch::path("/size/100000/slow.bin"),
        [Fault::StallBody {
            after: 1000,
            stall: std::time::Duration::from_secs(60),
        }],
    );
    let out = env.out();
    let mut child = env
        .pixiv()
        .args(["download", "-d"])
        .arg(&out)
        .arg(format!("{}/size/100000/slow.bin", env.base()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while env.mock.requests_to("/size/100000/slow.bin").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the download never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let pid = child.id().unwrap().to_string();
    let killed = common::interrupt(&pid).status().unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait())
        .await
        .expect("pixiv did not stop after SIGINT")
        .unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        !out.join("slow.bin").exists(),
        "a partial file at the final path"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    let env = Env::start().await;
    for args in [
        &["download", "--jobs", "0", "1"][..],
        &["download", "not-a-url-or-id"],
        &["download"],
        &["frobnicate"],
    ] {
        let output = run(env.pixiv().args(args), "").await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ugoira_gets_its_zip_and_a_restricted_work_fails_alone() {
    let env = Env::start().await;
    let out = env.out();
    // 7 is an ugoira (7 % 7 == 0), 22 is restricted (22 % 11 == 0), 12 is an ordinary work.
    let output = run(
        env.pixiv()
            .args(["download", "--no-progress", "-d"])
            .arg(&out)
            .args(["7", "22", "12"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: illust 22: not viewable by this account (restricted): work 22"),
        "{stderr}"
    );
    let names: Vec<String> = files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "12_p0.png",
            "12_p1.png",
            "12_p2.png",
            "7_ugoira0.jpg",
            "7_ugoira600x600.zip",
            "7_ugoira_frames.json"
        ]
    );
    let zip = env
        .mock
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with(".zip"))
        .unwrap();
    assert_content(&out.join("7_ugoira600x600.zip"), &zip.path);
    let frames: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("7_ugoira_frames.json")).unwrap()).unwrap();
    assert!(!frames.as_array().unwrap().is_empty());
    assert!(stderr.contains("6 saved, 0 skipped, 1 failed"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bars_on_a_terminal_and_clean_lines_on_the_pipe() {
    // `script` (util-linux, Debian's essential bsdutils) gives the command a terminal; stdout is
    // redirected to a file inside it, as `pixiv download ... > list.txt` would be.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("this test needs `script` (Debian package bsdutils)");
    }
    let env = Env::start().await;
    let out = env.out();
    let list = env.tmp.path().join("list.txt");
    let pixiv = format!(
        "{} --api-url {base} --oauth-url {base} --image-url {base} --ca-cert {ca} \
         download -d {out} 12 {base}/size/3000000/big.bin > {list}",
        env!("CARGO_BIN_EXE_pixiv"),
        base = env.base(),
        ca = env.ca.display(),
        out = out.display(),
        list = list.display(),
    );
    let mut script = tokio::process::Command::new("script");
    script
        .env("PIXIV_REFRESH_TOKEN", pixiv_mock::DEMO_REFRESH_TOKEN)
        .env("PIXIV_CONFIG_DIR", env.config_dir())
        .env("TERM", "xterm")
        .args(["-qec", &pixiv, "/dev/null"])
        .kill_on_drop(true);
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "RUST_LOG",
    ] {
        script.env_remove(var);
    }
    let output = run(&mut script, "").await;
    let terminal = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{terminal}");
    assert!(
        terminal.contains("files"),
        "no total bar on the terminal:\n{terminal}"
    );
    assert!(
        terminal.contains("ETA"),
        "no total bar on the terminal:\n{terminal}"
    );
    assert!(
        terminal.contains("4 saved, 0 skipped, 0 failed"),
        "{terminal}"
    );
    let listed = std::fs::read_to_string(&list).unwrap();
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 4, "{listed:?}");
    for line in lines {
        assert!(line.starts_with("saved "), "{line:?}");
        assert!(
            !line.contains('\u{1b}'),
            "escape codes in the piped output: {line:?}"
        );
    }
}
