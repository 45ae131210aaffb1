//! Resume: Range/If-Range on the wire, byte-identical results, and a fresh start when the file
//! changed on the server.
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{downloader, mock, names_in, recorder, requests_for, url};
use pixiv_download::{Event, Outcome, RetryPolicy, Target};
use pixiv_mock::content::expected_bytes;
use pixiv_mock::{Fault, RouteMatch};

/// The `Range` start of a logged request.
fn range_start(req: &pixiv_mock::LoggedRequest) -> Option<u64> {
    req.header("range")?
        .strip_prefix("bytes=")?
        .strip_suffix('-')?
        .parse()
        .ok()
}

#[tokio::test]
async fn a_reset_is_resumed_within_one_download_from_the_right_offset() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/1000000/resumed.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ResetBody { after: 900_000 }],
    );
    let (sink, events) = recorder();
    let done = downloader(&mock)
        .on_event(sink)
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();

    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2, "one reset, one resume");
    assert_eq!(log[0].header("range"), None);
    let from = range_start(&log[1]).expect("the retry asks for a range");
    // Everything the client held, not zero: a reset at 90% does not start over.
    assert!(from > 500_000 && from <= 900_000, "resumed from {from}");
    let if_range = log[1].header("if-range").expect("If-Range sent");
    assert!(if_range.starts_with('"'), "a strong ETag: {if_range}");
    assert_eq!(done.outcome, Outcome::Resumed { from });
    assert_eq!(done.bytes, 1_000_000);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
    assert_eq!(names_in(dir.path()), ["resumed.bin"]);

    // The second Started says where it resumed from.
    let starts: Vec<u64> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::Started { resumed_from, .. } => Some(*resumed_from),
            _ => None,
        })
        .collect();
    assert_eq!(starts, [0, from]);
}

#[tokio::test]
async fn an_interrupted_download_resumes_on_the_next_call() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/400000/later.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ShortBody { missing: 100_000 }],
    );
    let d = downloader(&mock);
    d.clone()
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    let held = std::fs::metadata(dir.path().join("later.bin.part"))
        .unwrap()
        .len();
    assert!(held > 0 && held <= 300_000, "{held}");

    let done = d
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert_eq!(range_start(&log[1]), Some(held));
    assert!(log[1].header("if-range").is_some());
    assert_eq!(done.outcome, Outcome::Resumed { from: held });
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
    assert_eq!(names_in(dir.path()), ["later.bin"]);
}

#[tokio::test]
async fn an_error_answer_to_a_resume_keeps_the_held_bytes() {
    // Only a 416 says the held bytes cannot be continued: another error to the resume is the
    // result (no fresh start in the same call), and a transient one leaves the bytes for the
    // next call.
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/400000/kept.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ShortBody { missing: 100_000 }, Fault::Status(503)],
    );
    let d = downloader(&mock).retry_policy(RetryPolicy::none());
    d.clone()
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    let part = dir.path().join("kept.bin.part");
    let held = std::fs::metadata(&part).unwrap().len();

    let err = d
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(http::StatusCode::SERVICE_UNAVAILABLE),
        "{err:?}"
    );
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2, "the 503 is not followed by a fresh start");
    assert_eq!(range_start(&log[1]), Some(held));
    assert_eq!(std::fs::metadata(&part).unwrap().len(), held);
}

#[tokio::test]
async fn a_changed_etag_restarts_from_the_first_byte() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/changed.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ResetBody { after: 150_000 }],
    );
    let d = downloader(&mock);
    d.clone()
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert!(dir.path().join("changed.bin.part").exists());

    mock.bump_etag();
    let done = d
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2, "the 200 answer is used, no extra request");
    assert!(range_start(&log[1]).is_some(), "it asked to resume");
    assert_eq!(done.outcome, Outcome::Written, "the server sent it whole");
    assert_eq!(done.bytes, 300_000);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
    assert_eq!(names_in(dir.path()), ["changed.bin"]);
}

#[tokio::test]
async fn a_part_of_another_url_is_not_resumed() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/same-name.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ResetBody { after: 100_000 }],
    );
    let d = downloader(&mock);
    d.clone()
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    // Another URL with the same file name: its sidecar does not match, so no Range.
    let other = "/size/200000/same-name.bin";
    let done = d
        .download(&url(&mock, other), &Target::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(requests_for(&mock, other)[0].header("range"), None);
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(other));
    assert_eq!(names_in(dir.path()), ["same-name.bin"]);
}

#[tokio::test]
async fn download_to_writer_resumes_in_memory_after_a_reset() {
    let mock = mock().await;
    let path = "/size/500000/writer.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ResetBody { after: 300_000 }],
    );
    let mut out = Vec::new();
    let n = downloader(&mock)
        .download_to_writer(&url(&mock, path), &mut out)
        .await
        .unwrap();
    assert_eq!(n, 500_000);
    assert_eq!(out, expected_bytes(path));
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert!(range_start(&log[1]).is_some_and(|s| s > 0));
}

/// A 500,000-byte download into a writer, broken at 300,000 bytes, whose resume is answered
/// with `then`: bytes in the caller's writer cannot be taken back, so the call must end with a
/// `Decode` error after exactly those two requests, the second a range request.
async fn writer_resume_answered_with(then: Fault) {
    let mock = mock().await;
    let path = "/size/500000/to-writer.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ResetBody { after: 300_000 }, then],
    );
    let mut out = Vec::new();
    let err = downloader(&mock)
        .download_to_writer(&url(&mock, path), &mut out)
        .await
        .unwrap_err();
    assert!(
        matches!(err, pixiv_download::PixivError::Decode { .. }),
        "{err:?}"
    );
    assert!(out.len() < 500_000);
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2, "no request for the file again");
    assert!(
        range_start(&log[1]).is_some_and(|s| s > 0),
        "the resume asked for a range"
    );
}

#[tokio::test]
async fn download_to_writer_refuses_a_restart_it_cannot_take_back() {
    // The file changed before the resume: the server answers with the whole new file, 200.
    writer_resume_answered_with(Fault::Raw {
        status: 200,
        headers: vec![("etag".into(), "\"changed\"".into())],
        body: expected_bytes("/size/500000/to-writer.bin").into(),
    })
    .await;
}

#[tokio::test]
async fn download_to_writer_stops_when_written_bytes_cannot_be_continued() {
    // The resume is refused (416): starting over is impossible.
    writer_resume_answered_with(Fault::Status(416)).await;
}

#[tokio::test]
async fn download_bytes_is_capped() {
    let mock = mock().await;
    let d = downloader(&mock).max_bytes(10_000);
    let ok = d
        .download_bytes(&url(&mock, "/size/10000/fits.bin"))
        .await
        .unwrap();
    assert_eq!(ok.as_ref(), expected_bytes("/size/10000/fits.bin"));
    let err = d
        .download_bytes(&url(&mock, "/size/10001/big.bin"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            pixiv_download::PixivError::BodyTooLarge { limit: 10_000 }
        ),
        "{err:?}"
    );
}

/// Leaves a resumable `.part` of `path` in `dir` (a reset with no retries), then rewrites it to
/// hold `held` bytes and a sidecar claiming `total`.
async fn doctored_part(
    mock: &pixiv_mock::MockPixiv,
    dir: &std::path::Path,
    path: &str,
    held: u64,
    total: u64,
) {
    mock.push_faults(RouteMatch::path(path), [Fault::ResetBody { after: 100 }]);
    downloader(mock)
        .retry_policy(RetryPolicy::none())
        .download(&url(mock, path), &Target::dir(dir))
        .await
        .unwrap_err();
    let name = path.rsplit('/').next().unwrap();
    let meta_path = dir.join(format!("{name}.part.meta"));
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    meta["total"] = total.into();
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let part = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join(format!("{name}.part")))
        .unwrap();
    part.set_len(held).unwrap();
    mock.clear_requests();
}

#[tokio::test]
async fn an_empty_or_complete_part_is_not_resumed() {
    // Nothing held, or everything the sidecar promised: neither is a resume, so the file is
    // asked for whole (no `bytes=0-`, no range past the end to be refused).
    let mock = mock().await;
    for (held, name) in [(0, "empty-part.bin"), (3000, "complete-part.bin")] {
        let dir = tempfile::tempdir().unwrap();
        let path = format!("/size/3000/{name}");
        doctored_part(&mock, dir.path(), &path, held, 3000).await;
        let done = downloader(&mock)
            .retry_policy(RetryPolicy::none())
            .download(&url(&mock, &path), &Target::dir(dir.path()))
            .await
            .unwrap();
        let log = requests_for(&mock, &path);
        assert_eq!(log.len(), 1, "{name}");
        assert_eq!(log[0].header("range"), None, "{name}");
        assert_eq!(done.outcome, Outcome::Written, "{name}");
        assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(&path));
    }
}

#[tokio::test]
async fn a_range_the_server_cannot_satisfy_restarts_from_zero() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/3000/shrunk.bin";
    // The sidecar says 10000 bytes and 5000 are held: the server's file has 3000, so 416.
    doctored_part(&mock, dir.path(), path, 5000, 10_000).await;
    let done = downloader(&mock)
        .retry_policy(RetryPolicy::none())
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].header("range"), Some("bytes=5000-"));
    assert_eq!(log[1].header("range"), None);
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
    assert_eq!(names_in(dir.path()), ["shrunk.bin"]);
}

#[tokio::test]
async fn a_partial_answer_for_another_total_restarts_from_zero() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/3000/other-total.bin";
    // 1000 held of a claimed 10000: the 206 says `bytes 1000-2999/3000`, which does not fit.
    doctored_part(&mock, dir.path(), path, 1000, 10_000).await;
    let done = downloader(&mock)
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].header("range"), Some("bytes=1000-"));
    assert_eq!(log[1].header("range"), None);
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
}

#[tokio::test]
async fn a_416_from_a_stack_without_error_map_restarts_too() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/3000/raw416.bin";
    doctored_part(&mock, dir.path(), path, 5000, 10_000).await;
    let done = pixiv_download::Downloader::new(common::raw_service(&mock))
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].header("range"), Some("bytes=5000-"));
    assert_eq!(log[1].header("range"), None);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
    assert_eq!(names_in(dir.path()), ["raw416.bin"]);
}

#[tokio::test]
async fn download_to_writer_flushes_what_it_wrote_on_success_and_on_failure() {
    let mock = mock().await;
    let path = "/size/100000/flushed.bin";
    // Nothing reaches the Vec until the downloader flushes its writer.
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, Vec::new());
    let n = downloader(&mock)
        .download_to_writer(&url(&mock, path), &mut out)
        .await
        .unwrap();
    assert_eq!(n, 100_000);
    assert_eq!(out.get_ref(), &expected_bytes(path));

    let broken = "/size/100000/broken.bin";
    mock.push_faults(
        RouteMatch::path(broken),
        [Fault::ResetBody { after: 50_000 }],
    );
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, Vec::new());
    downloader(&mock)
        .retry_policy(RetryPolicy::none())
        .download_to_writer(&url(&mock, broken), &mut out)
        .await
        .unwrap_err();
    let held = out.get_ref();
    assert!(!held.is_empty() && held.len() <= 50_000, "{}", held.len());
    assert_eq!(held[..], expected_bytes(broken)[..held.len()]);
}

#[tokio::test]
async fn download_to_writer_starts_over_when_it_has_written_nothing() {
    // A 206 that does not continue anything (the request asked for no range): the held bytes
    // are none, so starting over is free.
    let mock = mock().await;
    let path = "/size/5000/bogus-partial.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::Raw {
            status: 206,
            headers: vec![("content-range".into(), "bytes 5-9/5000".into())],
            body: bytes::Bytes::from_static(b"56789"),
        }],
    );
    let mut out = Vec::new();
    let n = downloader(&mock)
        .download_to_writer(&url(&mock, path), &mut out)
        .await
        .unwrap();
    assert_eq!(n, 5000);
    assert_eq!(out, expected_bytes(path));
    assert_eq!(requests_for(&mock, path).len(), 2);
}

#[tokio::test]
async fn download_bytes_resumes_in_memory_after_a_reset() {
    let mock = mock().await;
    let path = "/size/500000/memory.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::ResetBody { after: 300_000 }],
    );
    let bytes = downloader(&mock)
        .download_bytes(&url(&mock, path))
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), expected_bytes(path));
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert!(range_start(&log[1]).is_some_and(|s| s > 0), "{:?}", log[1]);
}

#[tokio::test]
async fn nothing_held_means_no_range_on_the_retry() {
    // The head arrived, then the connection died before the first body byte: the retry asks
    // for the whole file, not for `bytes=0-`.
    let mock = mock().await;
    let path = "/size/5000/empty-handed.bin";
    mock.push_faults(RouteMatch::path(path), [Fault::ResetBody { after: 0 }]);
    let bytes = downloader(&mock)
        .download_bytes(&url(&mock, path))
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), expected_bytes(path));
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].header("range"), None);
}
