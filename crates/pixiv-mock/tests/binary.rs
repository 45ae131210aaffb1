//! The `pixiv-mock` binary: prints its base URL, the demo refresh token and an access token, and
//! writes its CA.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use common::*;
use http::{StatusCode, Version};

/// Kills the child when the test ends, pass or fail.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_tls_with_the_ca_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_pixiv-mock"))
            .args(["--port", "0", "--tls", "--h2", "--ca-out"])
            .arg(&ca_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let base_url = lines.next().unwrap().unwrap();
    assert!(base_url.starts_with("https://127.0.0.1:"), "{base_url}");
    let refresh_line = lines.next().unwrap().unwrap();
    assert_eq!(
        refresh_line,
        format!("refresh_token={}", pixiv_mock::DEMO_REFRESH_TOKEN)
    );
    let access_line = lines.next().unwrap().unwrap();
    let access = access_line
        .strip_prefix("access_token=")
        .unwrap()
        .to_owned();

    let pem = std::fs::read(&ca_path).unwrap();
    let der = rustls_pki_types::pem::PemObject::from_pem_slice(&pem)
        .map(|c: rustls_pki_types::CertificateDer<'static>| c.to_vec())
        .unwrap();
    let client = client_with(tls_config(&der));
    let image = get(
        &client,
        &format!("{base_url}/size/1000/x"),
        &[("referer", REFERER)],
    )
    .await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.version, Version::HTTP_2);
    assert_eq!(
        image.bytes()[..],
        pixiv_mock::content::expected_bytes("/size/1000/x")[..]
    );
    let api = get(
        &client,
        &format!("{base_url}/v1/illust/detail?illust_id=1"),
        &[("authorization", &format!("Bearer {access}"))],
    )
    .await;
    assert_ne!(
        api.status,
        StatusCode::BAD_REQUEST,
        "the printed access token is accepted"
    );
}
