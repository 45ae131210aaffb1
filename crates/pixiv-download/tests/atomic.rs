//! Atomicity: a failure never leaves anything at the final path, and an error page is never
//! saved as the file.
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{downloader, mock, names_in, requests_for, url};
use pixiv_download::{Outcome, PixivError, RetryPolicy, Target};
use pixiv_mock::{Fault, RouteMatch};

#[tokio::test]
async fn a_short_body_leaves_no_file_at_the_final_path() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/short.bin";
    mock.push_faults(RouteMatch::path(path), [Fault::ShortBody { missing: 1000 }]);
    let err = downloader(&mock)
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Truncated { .. }), "{err:?}");
    assert!(!dir.path().join("short.bin").exists());
    // The transfer broke off and the server gave a validator: kept for a resume.
    assert_eq!(
        names_in(dir.path()),
        ["short.bin.part", "short.bin.part.meta"]
    );
}

#[tokio::test]
async fn a_reset_mid_body_leaves_no_file_at_the_final_path() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/reset.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ResetBody { after: 100_000 }],
    );
    let err = downloader(&mock)
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert!(!dir.path().join("reset.bin").exists());
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reset.bin.part.meta")).unwrap())
            .unwrap();
    assert_eq!(meta["url"], url(&mock, path));
    assert_eq!(meta["total"], 300_000);
    assert!(meta["etag"].as_str().unwrap().starts_with('"'), "{meta}");
}

#[tokio::test]
async fn failures_on_every_retry_leave_no_file_and_use_every_retry() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/200000/flaky.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [
            Fault::ShortBody { missing: 150_000 },
            Fault::ShortBody { missing: 100 },
            Fault::ResetBody { after: 10 },
        ],
    );
    let err = downloader(&mock)
        .retry_policy(common::quick_policy().max_retries(2))
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(requests_for(&mock, path).len(), 3);
    assert!(!dir.path().join("flaky.bin").exists());
}

#[tokio::test]
async fn an_error_answer_is_never_saved() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/5000/missing.png";
    mock.push_faults(RouteMatch::path(path), [Fault::Status(404)]);
    let err = downloader(&mock)
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND), "{err:?}");
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

#[tokio::test]
async fn an_error_answer_from_a_stack_without_error_map_is_checked_too() {
    // A user's own stack may hand error answers back as `Ok`: the status is still checked.
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let service = common::raw_service(&mock);
    let path = "/size/5000/forbidden.png";
    let err = pixiv_download::Downloader::new(service)
        .referer("https://nope.example/")
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN), "{err:?}");
    assert!(names_in(dir.path()).is_empty());
}

#[tokio::test]
async fn a_body_without_a_validator_that_breaks_is_not_kept() {
    // No ETag, no Last-Modified: a `.part` could never be resumed, so nothing stays.
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/100/novalidator.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::Raw {
            status: 200,
            headers: vec![("content-length".into(), "100".into())],
            body: bytes::Bytes::from_static(&[7u8; 60]),
        }],
    );
    let result = downloader(&mock)
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await;
    let err = result.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

/// Unmounts the tmpfs when the test ends, however it ends.
struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_full_disk_is_an_io_error_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(dir.path())
        .output();
    match mounted {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            // Only where the sandbox forbids mounting: there is no honest way to fake ENOSPC.
            eprintln!(
                "SKIPPED a_full_disk_is_an_io_error_and_leaves_no_file: mount failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED a_full_disk_is_an_io_error_and_leaves_no_file: no mount: {e}");
            return;
        }
    }
    let _unmount = Unmount(dir.path().to_path_buf());
    let mock = mock().await;
    let path = "/size/3000000/big.bin";
    let err = downloader(&mock)
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    match &err {
        PixivError::Io {
            source,
            path: Some(p),
        } => {
            assert_eq!(source.raw_os_error(), Some(28), "ENOSPC expected: {err:?}");
            assert!(p.starts_with(dir.path()));
        }
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(!dir.path().join("big.bin").exists());
    // Not resumable into a full disk: the partial bytes are removed, freeing the space.
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    // Only one request: a local error is not retried.
    assert_eq!(requests_for(&mock, path).len(), 1);
}

#[tokio::test]
async fn a_second_download_of_a_file_being_downloaded_is_refused() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/busy.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::StallBody {
            after: 100_000,
            stall: std::time::Duration::from_millis(300),
        }],
    );
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let started_tx = std::sync::Mutex::new(Some(started_tx));
    // The registry belongs to the downloader, and its clones share it (a clone is made by
    // `on_event`, another by the call below).
    let base = downloader(&mock);
    let first = base
        .clone()
        .on_event(pixiv_download::EventSink::new(move |e| {
            if matches!(e, pixiv_download::Event::Started { .. }) {
                if let Some(tx) = started_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
            }
        }))
        .download(&url(&mock, path), &Target::dir(dir.path()));
    let second = async {
        started_rx.await.unwrap();
        // Another URL, the same file name in the same folder (spelled differently).
        base.download(
            &url(&mock, "/size/10/busy.bin"),
            &Target::dir(dir.path().join(".")),
        )
        .await
    };
    let (first, second) = tokio::join!(first, second);
    let err = second.unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
    assert!(requests_for(&mock, "/size/10/busy.bin").is_empty());
    let done = first.unwrap();
    assert_eq!(
        std::fs::read(&done.path).unwrap(),
        pixiv_mock::content::expected_bytes(path)
    );
    // Released: the same target can be downloaded again.
    downloader(&mock)
        .download(
            &url(&mock, "/size/10/busy.bin"),
            &Target::dir(dir.path()).replace(true),
        )
        .await
        .unwrap();
}

/// A file outside the download folder that a planted link points at.
#[cfg(unix)]
fn victim() -> (tempfile::TempDir, std::path::PathBuf) {
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("precious.txt");
    std::fs::write(&file, b"precious").unwrap();
    (elsewhere, file)
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_planted_at_the_part_name_is_refused_not_written_through() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_elsewhere, precious) = victim();
    std::os::unix::fs::symlink(&precious, dir.path().join("x.bin.part")).unwrap();
    let err = downloader(&mock)
        .download(&url(&mock, "/size/5000/x.bin"), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    match &err {
        PixivError::Io { source, path } => {
            assert_eq!(source.raw_os_error(), Some(libc::ELOOP), "{err:?}");
            assert_eq!(
                path.as_deref(),
                Some(dir.path().join("x.bin.part").as_path())
            );
        }
        other => panic!("expected Io, got {other:?}"),
    }
    assert_eq!(std::fs::read(&precious).unwrap(), b"precious");
    assert!(!dir.path().join("x.bin").exists());
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_planted_at_the_sidecar_name_is_replaced_not_written_through() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_elsewhere, precious) = victim();
    std::os::unix::fs::symlink(&precious, dir.path().join("x.bin.part.meta")).unwrap();
    let path = "/size/5000/x.bin";
    downloader(&mock)
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&precious).unwrap(), b"precious");
    assert_eq!(
        std::fs::read(dir.path().join("x.bin")).unwrap(),
        pixiv_mock::content::expected_bytes(path)
    );
    assert_eq!(names_in(dir.path()), ["x.bin"]);
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_at_the_final_path_is_replaced_by_the_file_not_written_through() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_elsewhere, precious) = victim();
    let final_path = dir.path().join("x.bin");
    std::os::unix::fs::symlink(&precious, &final_path).unwrap();
    let path = "/size/5000/x.bin";
    // Without `replace` the name is taken: skipped, nothing written anywhere.
    let skipped = downloader(&mock)
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(skipped.outcome, Outcome::Skipped);
    assert_eq!(std::fs::read(&precious).unwrap(), b"precious");
    // With `replace` the rename puts the file in the link's place; the file it named is intact.
    let replaced = downloader(&mock)
        .download(&url(&mock, path), &Target::dir(dir.path()).replace(true))
        .await
        .unwrap();
    assert_eq!(replaced.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&precious).unwrap(), b"precious");
    assert!(!final_path.symlink_metadata().unwrap().is_symlink());
    assert_eq!(
        std::fs::read(&final_path).unwrap(),
        pixiv_mock::content::expected_bytes(path)
    );
}

#[tokio::test]
async fn an_error_answer_is_classified_from_up_to_64_kib_of_its_body() {
    // Through a stack that hands error answers back as `Ok`, the downloader reads the body to
    // classify it: Pixiv's "Rate Limit" behind 60 KB of other fields is still seen as one.
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/5000/limited.png";
    let body = format!(
        r#"{{"padding":"{}","error":{{"message":"Rate Limit"}}}}"#,
        "p".repeat(60_000)
    );
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::Raw {
            status: 403,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into_bytes().into(),
        }],
    );
    let err = pixiv_download::Downloader::new(common::raw_service(&mock))
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
    assert!(names_in(dir.path()).is_empty());
}

/// A stack that answers every request with `status`, `headers` and `body` itself (no hyper, so
/// nothing below checks the body against its `Content-Length`).
fn answering(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
) -> impl tower::Service<
    http::Request<pixiv_transport::RequestBody>,
    Response = http::Response<pixiv_transport::Body>,
    Error = PixivError,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    tower::service_fn(
        move |_req: http::Request<pixiv_transport::RequestBody>| async move {
            let mut response = http::Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(*name, *value);
            }
            let body = pixiv_transport::body::boxed(http_body_util::Full::new(
                bytes::Bytes::from_static(body),
            ));
            Ok::<_, PixivError>(response.body(body).unwrap())
        },
    )
}

#[tokio::test]
async fn a_body_that_ends_cleanly_before_its_length_is_truncated() {
    // The downloader counts bytes itself: a stack that ends a body early without an error
    // (not hyper, which would) still gives `Truncated`, and nothing at the final path.
    let dir = tempfile::tempdir().unwrap();
    let err =
        pixiv_download::Downloader::new(answering(200, &[("content-length", "20")], b"0123456789"))
            .retry_policy(RetryPolicy::none())
            .download("https://i.pximg.net/img/x.bin", &Target::dir(dir.path()))
            .await
            .unwrap_err();
    match &err {
        PixivError::Truncated { expected, received } => {
            assert_eq!((*expected, *received), (Some(20), 10), "{err:?}");
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    assert!(!dir.path().join("x.bin").exists());
}

#[tokio::test]
async fn a_2xx_other_than_200_or_206_is_refused_as_unexpected() {
    let dir = tempfile::tempdir().unwrap();
    let err = pixiv_download::Downloader::new(answering(204, &[], b""))
        .download("https://i.pximg.net/img/x.bin", &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NO_CONTENT), "{err:?}");
    assert!(err.to_string().contains("expected 200 or 206"), "{err}");
    assert!(names_in(dir.path()).is_empty());
}

#[tokio::test]
async fn a_416_to_a_fresh_download_is_the_error_not_a_restart() {
    // Only held bytes can be "not satisfiable"; without any, a 416 is an ordinary error answer
    // (one request, no start-over).
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/5000/unsatisfiable.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::Status(416), Fault::Status(416)],
    );
    let err = pixiv_download::Downloader::new(common::raw_service(&mock))
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(http::StatusCode::RANGE_NOT_SATISFIABLE),
        "{err:?}"
    );
    assert_eq!(requests_for(&mock, path).len(), 1);
    assert!(names_in(dir.path()).is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_error_answer_is_read_no_further_than_64_kib() {
    // 70 KB holding a whole "Rate Limit" body, then a body that never ends: the
    // downloader takes 64 KiB (too little to see the error object, so a plain 403) and stops
    // reading, instead of waiting on the rest.
    use futures_util::StreamExt as _;
    let json = format!(
        r#"{{"padding":"{}","error":{{"message":"Rate Limit"}}}}"#,
        "p".repeat(70_000)
    );
    // In two frames, so the cut falls inside the second.
    let json = bytes::Bytes::from(json);
    let service = tower::service_fn(move |_req: http::Request<pixiv_transport::RequestBody>| {
        let halves = [json.slice(..35_000), json.slice(35_000..)];
        async move {
            let frames = futures_util::stream::iter(
                halves.map(|half| Ok::<_, PixivError>(http_body::Frame::data(half))),
            )
            .chain(futures_util::stream::pending());
            let body = pixiv_transport::body::boxed(http_body_util::StreamBody::new(frames));
            Ok::<_, PixivError>(
                http::Response::builder()
                    .status(403)
                    .header("content-type", "application/json")
                    .body(body)
                    .unwrap(),
            )
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let download = pixiv_download::Downloader::new(service)
        .retry_policy(RetryPolicy::none())
        .download("https://i.pximg.net/img/x.bin", &Target::dir(dir.path()));
    let err = tokio::time::timeout(std::time::Duration::from_secs(3600), download)
        .await
        .expect("kept reading an error body past 64 KiB")
        .unwrap_err();
    assert!(matches!(err, PixivError::Http { .. }), "{err:?}");
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN));
    assert!(names_in(dir.path()).is_empty());
}
