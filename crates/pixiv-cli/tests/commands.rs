//! The other commands against pixiv-mock: demo, login/logout and the token file, JSON commands,
//! error lines, and no token in verbose output.

mod common;

use common::{Env, IMG_DIR, assert_content, files, run, text};
use pixiv_mock::{DEMO_REFRESH_TOKEN, Fault, RouteMatch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_downloads_what_the_mock_serves() {
    let env = Env::start().await;
    let dir = env.tmp.path().join("demo");
    // No URLs, no CA, no token: the demo brings its own server.
    let output = run(
        env.bare()
            .args(["demo", "--no-progress", "--dir"])
            .arg(&dir),
        "",
    )
    .await;
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("Logged in as"), "{stdout}");
    assert!(stdout.contains("#1 "), "{stdout}");
    let saved = stdout.lines().filter(|l| l.starts_with("saved ")).count();
    let found = files(&dir);
    assert!(found.len() >= 5, "{found:?}");
    assert_eq!(saved, found.len());
    for file in &found {
        let name = file.file_name().unwrap().to_string_lossy();
        // Originals are PNGs, an ugoira's its first frame (`{id}_ugoira0.jpg`, as Pixiv names it).
        assert!(
            name.ends_with(".png") || name.ends_with("_ugoira0.jpg"),
            "{name}"
        );
        assert_content(file, &format!("{IMG_DIR}/{name}"));
    }
    assert!(
        stdout.contains(&format!("{} saved, 0 skipped, 0 failed", found.len())),
        "{stdout}"
    );
    // Binary units for sizes and rates (issue #16.7): `(15.6 MiB/s)`, never `MB/s`.
    assert!(stdout.contains("B/s), "), "{stdout}");
    assert!(
        !stdout.contains(" MB") && !stdout.contains(" kB"),
        "{stdout}"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_the_token_owner_only_and_logout_removes_it() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = Env::start().await;
    let base = env.base();
    let mut login = env.bare();
    login
        .args([
            "--api-url",
            &base,
            "--oauth-url",
            &base,
            "--image-url",
            &base,
        ])
        .arg("--ca-cert")
        .arg(&env.ca)
        .args(["login", "--refresh-token", DEMO_REFRESH_TOKEN]);
    let output = run(&mut login, "").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("logged in as"));
    let file = env.config_dir().join("refresh_token");
    // The mock rotates the refresh token on login, as Pixiv may: the new one is stored.
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(!stored.trim().is_empty());
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(files(&env.config_dir()).len(), 1, "no temporary file left");

    // The stored token is used when the environment has none.
    let mut illust = env.bare();
    illust
        .args(["--api-url", &base, "--oauth-url", &base])
        .arg("--ca-cert")
        .arg(&env.ca)
        .args(["illust", "12", "--json"]);
    let output = run(&mut illust, "").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let work: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(work["id"], 12);

    let output = run(env.bare().arg("logout"), "").await;
    assert_eq!(output.status.code(), Some(0));
    assert!(!file.exists());
    let output = run(&mut illust, "").await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("not logged in"),
        "{}",
        text(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_login_stores_nothing() {
    let env = Env::start().await;
    let base = env.base();
    let output = run(
        env.bare()
            .args(["--api-url", &base, "--oauth-url", &base])
            .arg("--ca-cert")
            .arg(&env.ca)
            .args(["login", "--refresh-token", "not-a-token"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("error: login: "), "{stderr}");
    assert!(stderr.contains("refresh token was rejected"), "{stderr}");
    assert!(stderr.contains("run `pixiv login`"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("not-a-token"), "{stderr}");
    assert!(!env.config_dir().join("refresh_token").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_commands_print_what_the_api_says() {
    let env = Env::start().await;
    let user = run(env.pixiv().args(["user", "13"]), "").await;
    assert_eq!(user.status.code(), Some(0), "{}", text(&user.stderr));
    let user: serde_json::Value = serde_json::from_slice(&user.stdout).unwrap();
    assert_eq!(user["user"]["id"], 13);

    let ranking = run(
        env.pixiv()
            .args(["ranking", "--mode", "week", "--date", "2024-01-02"]),
        "",
    )
    .await;
    assert_eq!(ranking.status.code(), Some(0), "{}", text(&ranking.stderr));
    let ranking: serde_json::Value = serde_json::from_slice(&ranking.stdout).unwrap();
    assert_eq!(ranking["illusts"].as_array().unwrap().len(), 30);
    let sent = env.mock.requests_to("/v1/illust/ranking");
    assert!(
        sent[0]
            .query
            .contains(&("date".into(), "2024-01-02".into()))
    );

    let search = run(env.pixiv().args(["search", "猫", "--limit", "45"]), "").await;
    assert_eq!(search.status.code(), Some(0), "{}", text(&search.stderr));
    let works: serde_json::Value = serde_json::from_slice(&search.stdout).unwrap();
    assert_eq!(works.as_array().unwrap().len(), 45);

    let api = run(
        env.pixiv().args([
            "api",
            "get",
            "/v1/illust/detail",
            "--query",
            "illust_id=12",
            "--json",
        ]),
        "",
    )
    .await;
    assert_eq!(api.status.code(), Some(0), "{}", text(&api.stderr));
    assert_eq!(text(&api.stdout).lines().count(), 1, "compact with --json");
    let answer: serde_json::Value = serde_json::from_slice(&api.stdout).unwrap();
    assert_eq!(answer["illust"]["id"], 12);

    let post = run(
        env.pixiv().args([
            "api",
            "POST",
            "/v2/illust/bookmark/add",
            "-f",
            "illust_id=12",
            "-f",
            "restrict=public",
        ]),
        "",
    )
    .await;
    assert_eq!(post.status.code(), Some(0), "{}", text(&post.stderr));
    let sent = env.mock.requests_to("/v2/illust/bookmark/add");
    assert_eq!(sent[0].body.as_ref(), b"illust_id=12&restrict=public");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_plain_line() {
    let env = Env::start().await;
    env.mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [Fault::Restricted],
    );
    let output = run(env.pixiv().args(["illust", "123"]), "").await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "error: illust 123: access restricted (Pixiv said: \"Your access is currently restricted.\")\n"
    );

    // Ids above 10^12 do not exist on the mock.
    let missing = run(env.pixiv().args(["illust", "2000000000000"]), "").await;
    assert_eq!(missing.status.code(), Some(1));
    let stderr = text(&missing.stderr);
    assert!(
        stderr.starts_with("error: illust 2000000000000: not found"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    // An untrusted server: a TLS error that says what to do.
    let untrusted = run(
        env.bare()
            .args(["--api-url", &env.base(), "--oauth-url", &env.base()])
            .env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN)
            .args(["illust", "12"]),
        "",
    )
    .await;
    assert_eq!(untrusted.status.code(), Some(1));
    let stderr = text(&untrusted.stderr);
    assert!(stderr.contains("--ca-cert"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_output_holds_no_token() {
    let env = Env::start().await;
    let out = env.out();
    let illust = run(env.pixiv().args(["-vv", "illust", "12"]), "").await;
    assert_eq!(illust.status.code(), Some(0), "{}", text(&illust.stderr));
    let download = run(
        env.pixiv().args(["download", "-v", "12", "-d"]).arg(&out),
        "",
    )
    .await;
    assert_eq!(
        download.status.code(),
        Some(0),
        "{}",
        text(&download.stderr)
    );
    let access_tokens: Vec<String> = env
        .mock
        .requests()
        .iter()
        .filter_map(|r| r.headers.get("authorization"))
        .map(|v| v.to_str().unwrap().trim_start_matches("Bearer ").to_owned())
        .collect();
    assert!(!access_tokens.is_empty());
    let logs = format!("{}{}", text(&illust.stderr), text(&download.stderr));
    assert!(logs.lines().count() > 5, "-v logs something:\n{logs}");
    // A refresh token the CLI stored (a rotated one, if the mock rotated it) is a secret too.
    let stored =
        std::fs::read_to_string(env.config_dir().join("refresh_token")).unwrap_or_default();
    let secrets = [
        DEMO_REFRESH_TOKEN,
        pixiv_mock::CLIENT_SECRET,
        pixiv_mock::HASH_SECRET,
        stored.trim(),
    ];
    for token in access_tokens
        .iter()
        .map(String::as_str)
        .chain(secrets.into_iter().filter(|s| !s.is_empty()))
    {
        assert!(!logs.contains(token), "a token in the logs:\n{logs}");
        assert!(!text(&download.stdout).contains(token));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkce_login_prints_the_url_reads_the_code_and_stores_the_token() {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
    // Plain HTTP, so the test can play the browser with a bare TCP request.
    let mock = pixiv_mock::MockPixiv::builder()
        .tls(false)
        .start()
        .await
        .unwrap();
    let env = Env::start().await;
    let base = mock.base_url();
    let mut child = env
        .bare()
        .args(["--api-url", &base, "--oauth-url", &base, "login"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap());
    let mut login_url = None;
    let mut line = String::new();
    while login_url.is_none() {
        line.clear();
        assert!(
            stderr.read_line(&mut line).await.unwrap() > 0,
            "no login URL printed"
        );
        if let Some(url) = line.trim().strip_prefix(&format!("{base}/web/v1/login?")) {
            login_url = Some(format!("/web/v1/login?{url}"));
        }
    }
    // The "browser": the login page redirects to pixiv://account/login?code=...
    let mut tcp = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: app-api.pixiv.net\r\nConnection: close\r\n\r\n",
        login_url.unwrap()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    let location = answer
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .unwrap_or_else(|| panic!("no redirect: {answer}"))
        .trim()
        .to_owned();
    assert!(
        location.starts_with("pixiv://account/login?code="),
        "{location}"
    );
    // Pasting the whole redirect URL works as well as the bare code.
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{location}\n").as_bytes())
        .await
        .unwrap();
    drop(stdin);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).await.unwrap();
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(rest.contains("logged in as"), "{rest}");
    let stored = std::fs::read_to_string(env.config_dir().join("refresh_token")).unwrap();
    assert!(!stored.trim().is_empty());
    let exchange = mock.requests_to("/auth/token").into_iter().next().unwrap();
    let form = String::from_utf8_lossy(&exchange.body).into_owned();
    assert!(form.contains("grant_type=authorization_code"), "{form}");
    assert!(form.contains("code_verifier="), "{form}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_at_the_login_prompt_exits_130() {
    use tokio::io::AsyncReadExt as _;
    let env = Env::start().await;
    let mut child = env
        .bare()
        .args(["--api-url", &env.base(), "login"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Held open until the command has exited, as a terminal is: Ctrl-C must stop the prompt by
    // itself. (`Child::wait` closes a stdin still in `child`, and that end-of-file raced the
    // signal: the command then saw an empty line and exited 2 "no code given".)
    let stdin = child.stdin.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0_u8; 256];
    while !text(&seen).contains("code: ") {
        let n = stderr.read(&mut buf).await.unwrap();
        assert!(n > 0, "no prompt: {}", text(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let pid = child.id().unwrap().to_string();
    assert!(common::interrupt(&pid).status().unwrap().success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait())
        .await
        .expect("pixiv login ignored Ctrl-C")
        .unwrap();
    drop(stdin);
    let _ = stderr.read_to_end(&mut seen).await;
    assert_eq!(status.code(), Some(130), "stderr: {}", text(&seen));
    assert!(!env.config_dir().join("refresh_token").exists());
}

#[tokio::test]
async fn end_of_input_at_the_login_prompt_is_a_usage_error() {
    // `pixiv login </dev/null`: no code will ever come, so say so rather than wait.
    let env = Env::start().await;
    let output = env
        .bare()
        .args(["--api-url", &env.base(), "login"])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("code: "), "{stderr}");
    assert!(
        stderr.ends_with("error: no code or refresh token given on stdin\n"),
        "{stderr}"
    );
    assert!(!env.config_dir().join("refresh_token").exists());
}
