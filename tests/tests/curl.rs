//! The mock as people at a terminal meet it: curl (a client nobody here wrote) with `--cacert`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test helper's panic is a failed assertion

use std::path::Path;
use std::process::Output;

use pixiv_mock::{MockPixiv, content, data};
use serde_json::Value;

async fn curl(args: &[&str]) -> Output {
    let output = tokio::process::Command::new("curl")
        .args(["--silent", "--show-error"])
        .args(args)
        .output()
        .await
        .expect("curl is installed (.ci/run installs it)");
    assert!(
        output.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn write_ca(dir: &Path, mock: &MockPixiv) -> String {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, mock.ca_pem()).unwrap();
    ca.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_reads_an_illust_over_verified_tls_and_http2() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = write_ca(dir.path(), &mock);
    let token = mock.issue_access_token();
    let url = format!("{}/v1/illust/detail?illust_id=12", mock.base_url());
    let auth = format!("Authorization: Bearer {token}");

    let out = curl(&["--cacert", &ca, "--http2", "-H", &auth, &url]).await;
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["illust"]["id"], 12);
    assert_eq!(
        body["illust"]["title"],
        data::illust(12, &mock.base_url())["title"]
    );
    let seen = mock.requests();
    let last = seen.last().unwrap();
    assert_eq!(
        last.version,
        http::Version::HTTP_2,
        "curl negotiated h2 by ALPN"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_rejects_the_mock_without_its_ca() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let url = format!("{}/v1/illust/detail?illust_id=12", mock.base_url());
    let output = tokio::process::Command::new("curl")
        .args(["--silent", "--show-error", &url])
        .output()
        .await
        .unwrap();
    // 60: peer certificate cannot be authenticated with known CA certificates.
    assert_eq!(output.status.code(), Some(60), "{output:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_downloads_an_original_with_the_referer_and_resumes_with_a_range() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = write_ca(dir.path(), &mock);
    let path = "/img-original/img/2024/01/01/00/00/00/12_p0.png";
    let url = format!("{}{path}", mock.base_url());
    let file = dir.path().join("12_p0.png");
    let file_arg = file.to_string_lossy().into_owned();
    let expected = content::expected_bytes(path);

    // Without the Referer the image host answers 403, like i.pximg.net.
    let denied = curl(&[
        "--cacert",
        &ca,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &url,
    ])
    .await;
    assert_eq!(String::from_utf8_lossy(&denied.stdout), "403");

    // Half the file, then `curl -C -` resumes it with a Range request.
    let half = expected.len() / 2;
    std::fs::write(&file, &expected[..half]).unwrap();
    curl(&[
        "--cacert",
        &ca,
        "-e",
        "https://app-api.pixiv.net/",
        "-C",
        "-",
        "-o",
        &file_arg,
        &url,
    ])
    .await;
    assert_eq!(std::fs::read(&file).unwrap(), expected);
    let ranged = mock
        .requests()
        .into_iter()
        .rfind(|r| r.path == path)
        .unwrap();
    assert_eq!(ranged.headers["range"], format!("bytes={half}-"));
}
