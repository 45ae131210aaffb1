//! Hostile servers, download side: an answer that would inflate, a page where a picture was asked
//! for, an endless body, a name that displays as another. Each ends in a typed error (or a safe
//! name) and leaves nothing behind: no final file, no `.part`, no resume record.
//!
//! Through the whole `Transport` stack against pixiv-mock over TLS (`Fault::Raw`, `/size/{N}/..`),
//! or a small plain-HTTP server written here when the peer must misbehave without end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use common::*;
use pixiv_download::{Downloader, Outcome, Target};
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, MockPixiv, RouteMatch, content};
use pixiv_transport::Transport;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const ORIGINAL: &str = "/img-original/img/2024/01/01/00/00/00/12_p0.png";

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn raw(headers: &[(&str, &str)], body: impl Into<Bytes>) -> Fault {
    Fault::Raw {
        status: 200,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.into(),
    }
}

fn downloader(mock: &MockPixiv) -> Downloader<Transport> {
    Downloader::new(transport(mock))
}

/// 1 MiB of zeros, gzip: 1,051 bytes (made with Python's `gzip.compress(b"\0" * 2**20, mtime=0)`).
fn gzip_bomb() -> Vec<u8> {
    let mut out = hex("1f8b0800000000000203edc13101000000c2a0f54f6d085fa0");
    out.resize(out.len() + 1016, 0);
    out.extend(hex("3e031cea38a700001000"));
    out
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Decompression (#12.2).

#[tokio::test]
async fn a_gzip_answer_to_a_download_is_refused_and_nothing_is_saved() {
    let mock = mock().await;
    mock.push_faults(
        RouteMatch::path(ORIGINAL),
        [raw(
            &[("content-type", "image/png"), ("content-encoding", "gzip")],
            gzip_bomb(),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let err = downloader(&mock)
        .download(
            &format!("{}{ORIGINAL}", mock.base_url()),
            &Target::dir(dir.path()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PixivError::Decode { message, .. } if message.contains("Content-Encoding \"gzip\"")),
        "{err:?}"
    );
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    // The request asked for the bytes as they are.
    let sent = &mock.requests_to("/img-original")[0];
    assert_eq!(sent.headers["accept-encoding"], "identity");
}

#[tokio::test]
async fn a_redirected_download_still_asks_for_identity_and_is_not_inflated() {
    let mock = mock().await;
    let there = "/elsewhere/x.png";
    mock.push_faults(
        RouteMatch::path(ORIGINAL),
        [Fault::Redirect {
            status: 302,
            location: format!("{}{there}", mock.base_url()),
        }],
    );
    mock.push_faults(
        RouteMatch::path(there),
        [raw(
            &[("content-type", "image/png"), ("content-encoding", "gzip")],
            gzip_bomb(),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let err = downloader(&mock)
        .download(
            &format!("{}{ORIGINAL}", mock.base_url()),
            &Target::dir(dir.path()),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, PixivError::Decode { .. }), "{err:?}");
    assert!(names_in(dir.path()).is_empty());
    assert_eq!(
        mock.requests_to("/elsewhere/")[0].headers["accept-encoding"],
        "identity"
    );
}

#[tokio::test]
async fn json_calls_still_decompress_gzip() {
    let mock = mock().await;
    mock.push_faults(
        RouteMatch::path("/v1/gz"),
        [raw(
            &[
                ("content-type", "application/json"),
                ("content-encoding", "gzip"),
            ],
            hex("1f8b0800000000000203ab564acc2b2e4f2d52b2523031aa05004ad2ba9d0e000000"),
        )],
    );
    let answer: Value = transport(&mock).json(get(&mock, "/v1/gz")).await.unwrap();
    assert_eq!(answer["answer"], 42);
    let accept = mock.requests()[0].headers["accept-encoding"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(accept.contains("gzip"), "{accept}");
}

// ---------------------------------------------------------------------------------------------
// A page is not an image (#12.3).

#[tokio::test]
async fn an_html_page_for_a_png_is_refused_by_its_type_and_by_its_bytes() {
    let mock = mock().await;
    let page = "<!DOCTYPE html><html><body>Please log in</body></html>";
    mock.push_faults(
        RouteMatch::path(ORIGINAL),
        [
            raw(&[("content-type", "text/html; charset=utf-8")], page),
            // The same page claiming to be a PNG, its first bytes split across frames would
            // not matter: they are read before anything is written.
            raw(&[("content-type", "image/png")], page),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}{ORIGINAL}", mock.base_url());
    let d = downloader(&mock);
    let by_type = d
        .download(&url, &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(&by_type, PixivError::Decode { message, .. }
            if message.contains("expected a PNG file") && message.contains("text/html")),
        "{by_type:?}"
    );
    assert!(names_in(dir.path()).is_empty());
    let by_bytes = d
        .download(&url, &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(&by_bytes, PixivError::Decode { message, .. }
            if message.contains("expected a PNG file, the bytes look like HTML")),
        "{by_bytes:?}"
    );
    assert!(names_in(dir.path()).is_empty());
    // With the faults spent, the real original comes, checked and whole.
    let done = d.download(&url, &Target::dir(dir.path())).await.unwrap();
    assert_eq!(
        std::fs::read(&done.path).unwrap(),
        content::expected_bytes(ORIGINAL)
    );
    assert_eq!(names_in(dir.path()), ["12_p0.png"]);
}

#[tokio::test]
async fn plain_files_of_other_extensions_are_saved_as_served() {
    let mock = mock().await;
    mock.push_faults(
        RouteMatch::path("/files/readme.txt"),
        [raw(&[("content-type", "text/plain")], "hello\n")],
    );
    let dir = tempfile::tempdir().unwrap();
    let done = downloader(&mock)
        .download(
            &format!("{}/files/readme.txt", mock.base_url()),
            &Target::dir(dir.path()),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&done.path).unwrap(), b"hello\n");
}

#[tokio::test]
async fn originals_and_both_ugoira_zips_are_real_files_and_pass_the_checks() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(&mock);
    for (path, magic) in [
        (ORIGINAL, &b"\x89PNG\r\n\x1a\n"[..]),
        (
            // Ugoira 14's original: its first frame, a JPEG.
            "/img-original/img/2024/01/01/00/00/00/14_ugoira0.jpg",
            b"\xff\xd8\xff",
        ),
        (
            "/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira600x600.zip",
            b"PK\x03\x04",
        ),
        (
            "/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira1920x1080.zip",
            b"PK\x03\x04",
        ),
    ] {
        let done = d
            .download(
                &format!("{}{path}", mock.base_url()),
                &Target::dir(dir.path()),
            )
            .await
            .unwrap();
        let bytes = std::fs::read(&done.path).unwrap();
        assert_eq!(bytes, content::expected_bytes(path), "{path}");
        assert!(bytes.starts_with(magic), "{path}");
    }
    // Work 12 has three pages: a fourth is not there.
    let err = d
        .download(
            &format!(
                "{}/img-original/img/2024/01/01/00/00/00/12_p3.png",
                mock.base_url()
            ),
            &Target::dir(dir.path()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Size cap (#12.4).

#[tokio::test]
async fn a_content_length_above_the_cap_is_refused_before_the_body() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let err = downloader(&mock)
        .max_size(1 << 20)
        .download(
            &format!("{}/size/{}/x.bin", mock.base_url(), 10u64 << 30),
            &Target::dir(dir.path()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, PixivError::BodyTooLarge { limit } if limit == 1 << 20),
        "{err:?}"
    );
    assert!(names_in(dir.path()).is_empty());
    assert!(
        mock.body_bytes_sent() < 4 << 20,
        "{}",
        mock.body_bytes_sent()
    );
}

/// A plain HTTP/1.1 server that answers every request with an endless chunked body (no
/// `Content-Length`, a strong ETag so a `.part` would get a resume record); counts what it sent.
async fn endless_server() -> (String, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\netag: \"endless\"\r\n\
                            transfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = b"\x89PNG\r\n\x1a\n".to_vec();
                chunk.resize(64 * 1024, 7);
                loop {
                    let frame =
                        [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                    if socket.write_all(&frame).await.is_err() {
                        return;
                    }
                    counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    (base, sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_stops_at_the_cap_and_leaves_nothing() {
    let (base, sent) = endless_server().await;
    let dir = tempfile::tempdir().unwrap();
    let transport = Transport::builder().no_rate_limit().build().unwrap();
    let cap = 3 << 20;
    let err = Downloader::new(transport)
        .max_size(cap)
        .download(&format!("{base}/endless.png"), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PixivError::BodyTooLarge { limit } if limit == cap),
        "{err:?}"
    );
    // No final file, no `.part`, no `.part.meta`.
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 64 << 20, "the server sent {sent} bytes");
}

// ---------------------------------------------------------------------------------------------
// Names (#19.7).

#[tokio::test]
async fn a_bidi_override_in_a_server_name_is_replaced() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    // 12_p0.<U+202E>gnp.exe displays as 12_p0.exe.png.
    let done = downloader(&mock)
        .download(
            &format!("{}/files/12_p0.%E2%80%AEgnp.exe", mock.base_url()),
            &Target::dir(dir.path()),
        )
        .await
        .unwrap();
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(done.path, dir.path().join("12_p0._gnp.exe"));
    assert_eq!(names_in(dir.path()), ["12_p0._gnp.exe"]);
}

#[tokio::test]
async fn the_facade_passes_max_size_on_to_every_page() {
    let mock = mock().await;
    let client = client_builder(&mock).build().unwrap();
    let work = client.illust_detail(12).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = client
        .download_illust(
            &work,
            dir.path(),
            &pixiv::DownloadOptions::new().max_size(1000),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, PixivError::BodyTooLarge { limit: 1000 }),
        "{err:?}"
    );
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}
