//! Small files fast (issue #18): the resume record only where resuming pays, and the in-process
//! registry owned by the downloader.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{downloader, mock, names_in, url};
use pixiv_download::{Event, EventSink, Outcome, PixivError, RESUME_RECORD_MIN_BYTES, Target};
use pixiv_mock::content::expected_bytes;
use pixiv_mock::{Fault, RouteMatch};
use tokio::sync::oneshot;

/// A sink that fires once the first `Progress` event arrives.
#[allow(clippy::unwrap_used)] // a helper of the tests: a panic is a failed test
fn on_first_progress() -> (EventSink, oneshot::Receiver<()>) {
    let (tx, rx) = oneshot::channel();
    let tx = Mutex::new(Some(tx));
    let sink = EventSink::new(move |e: &Event| {
        if matches!(e, Event::Progress { .. }) {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
    });
    (sink, rx)
}

const STALL: Duration = Duration::from_millis(300);

/// Downloads `path` (stalled after `after` bytes), looks at the folder while it is stalled, and
/// returns what it held then; the download must then finish with the right bytes.
#[allow(clippy::unwrap_used)] // a helper of the tests: a panic is a failed test
async fn folder_while_stalled(path: &str, after: u64, buffer: usize) -> Vec<String> {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::StallBody {
            after,
            stall: STALL,
        }],
    );
    let (sink, fired) = on_first_progress();
    let d = downloader(&mock).buffer_capacity(buffer).on_event(sink);
    let download = d.download(&url(&mock, path), &Target::dir(dir.path()));
    let look = async {
        fired.await.unwrap();
        // The body is stalled now; a flush of the bytes received is given time to land.
        tokio::time::sleep(STALL / 3).await;
        names_in(dir.path())
    };
    let (done, seen) = tokio::join!(download, look);
    let done = done.unwrap();
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
    let name = path.rsplit('/').next().unwrap();
    assert_eq!(names_in(dir.path()), [name]);
    seen
}

#[tokio::test]
async fn a_small_file_gets_no_resume_record_while_it_downloads() {
    // 200 KB, below RESUME_RECORD_MIN_BYTES, with a validator (the mock sends an ETag).
    let seen = folder_while_stalled("/size/200000/small.bin", 100_000, 16 * 1024).await;
    assert!(
        !seen.iter().any(|n| n.ends_with(".part.meta")),
        "a small file wrote a resume record: {seen:?}"
    );
}

#[tokio::test]
async fn a_large_file_gets_its_resume_record_before_its_bytes() {
    let size = RESUME_RECORD_MIN_BYTES + 100_000;
    let seen = folder_while_stalled(&format!("/size/{size}/large.bin"), 200_000, 16 * 1024).await;
    assert!(seen.contains(&"large.bin.part.meta".to_owned()), "{seen:?}");
    assert!(seen.contains(&"large.bin.part".to_owned()), "{seen:?}");
}

#[tokio::test]
async fn clones_share_the_registry_and_independent_downloaders_wait_for_the_lock() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/shared.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::StallBody {
            after: 100_000,
            stall: STALL,
        }],
    );
    let (sink, fired) = on_first_progress();
    let first = downloader(&mock);
    let running = first
        .clone()
        .on_event(sink)
        .download(&url(&mock, path), &Target::dir(dir.path()));
    let others = async {
        fired.await.unwrap();
        // A clone of the running downloader: refused at once, no request.
        let clone = first
            .download(&url(&mock, path), &Target::dir(dir.path()))
            .await;
        // Another downloader of this process: waits for the file's lock like another process,
        // then finds the file there.
        let other = downloader(&mock)
            .lock_wait(Duration::from_secs(30))
            .download(&url(&mock, path), &Target::dir(dir.path()))
            .await;
        (clone, other)
    };
    let (done, (clone, other)) = tokio::join!(running, others);
    assert_eq!(done.unwrap().outcome, Outcome::Written);
    let err = clone.unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
    assert_eq!(other.unwrap().outcome, Outcome::Skipped);
    assert_eq!(common::requests_for(&mock, path).len(), 1);
}
