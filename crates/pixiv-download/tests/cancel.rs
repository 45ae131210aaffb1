//! Cancel: dropping the future stops the transfer, leaves nothing at the final path, and keeps a
//! resumable `.part` for the next call.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{downloader, mock, names_in, requests_for, url};
use pixiv_download::{BatchItem, BatchOptions, Event, EventSink, Outcome, Target};
use pixiv_mock::content::expected_bytes;
use pixiv_mock::{Fault, RouteMatch};
use tokio::sync::oneshot;

/// A sink that fires `tx` once `count` items have reported progress.
#[allow(clippy::unwrap_used)] // a helper of the tests: a panic is a failed test
fn fire_after_progress(count: usize) -> (EventSink, oneshot::Receiver<()>) {
    let (tx, rx) = oneshot::channel();
    let tx = Mutex::new(Some(tx));
    let seen = Mutex::new(std::collections::HashSet::new());
    let sink = EventSink::new(move |e: &Event| {
        if let Event::Progress { index, .. } = e {
            let mut seen = seen.lock().unwrap();
            seen.insert(*index);
            if seen.len() >= count {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
            }
        }
    });
    (sink, rx)
}

/// How long the mock stalls: long enough that a transfer still running would visibly finish
/// in the test's wait after the cancel.
const STALL: Duration = Duration::from_millis(200);

#[tokio::test]
async fn dropping_a_download_mid_body_keeps_a_resumable_part_and_no_file() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/500000/cancelled.bin";
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::StallBody {
            after: 200_000,
            stall: STALL,
        }],
    );
    let (sink, fired) = fire_after_progress(1);
    // A small write buffer, so the bytes received reach the disk before the cancel.
    let d = downloader(&mock).buffer_capacity(16 * 1024);
    let download = d
        .clone()
        .on_event(sink)
        .download(&url(&mock, path), &Target::dir(dir.path()));
    tokio::select! {
        r = download => panic!("the download should still be stalled: {r:?}"),
        _ = fired => {}
    }
    // Had the transfer gone on, the stall would be over and the file complete by now.
    tokio::time::sleep(STALL * 2).await;
    assert!(!dir.path().join("cancelled.bin").exists());
    assert_eq!(
        names_in(dir.path()),
        ["cancelled.bin.part", "cancelled.bin.part.meta"]
    );
    let held = std::fs::metadata(dir.path().join("cancelled.bin.part"))
        .unwrap()
        .len();
    assert!(held > 0 && held <= 200_000, "{held}");

    let done = d
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, path);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].header("range"), Some(&*format!("bytes={held}-")));
    assert_eq!(done.outcome, Outcome::Resumed { from: held });
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(path));
    assert_eq!(names_in(dir.path()), ["cancelled.bin"]);
}

#[tokio::test]
async fn dropping_a_batch_stops_every_transfer() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = (0..3)
        .map(|i| format!("/size/400000/batch{i}.bin"))
        .collect();
    for p in &paths {
        mock.push_faults(
            RouteMatch::path(p.as_str()),
            [Fault::StallBody {
                after: 150_000,
                stall: STALL,
            }],
        );
    }
    let (sink, fired) = fire_after_progress(3);
    let items: Vec<BatchItem> = paths
        .iter()
        .map(|p| BatchItem::new(url(&mock, p), Target::dir(dir.path())))
        .collect();
    let batch = downloader(&mock)
        .buffer_capacity(16 * 1024)
        .download_batch(items, BatchOptions::new().on_event(sink));
    tokio::select! {
        r = batch => panic!("the batch should still be stalled: {r:?}"),
        _ = fired => {}
    }
    tokio::time::sleep(STALL * 2).await;
    let names = names_in(dir.path());
    assert_eq!(
        names,
        [
            "batch0.bin.part",
            "batch0.bin.part.meta",
            "batch1.bin.part",
            "batch1.bin.part.meta",
            "batch2.bin.part",
            "batch2.bin.part.meta"
        ]
    );
    for i in 0..3 {
        let held = std::fs::metadata(dir.path().join(format!("batch{i}.bin.part")))
            .unwrap()
            .len();
        assert!(held <= 150_000, "item {i} went on after the cancel: {held}");
    }
    assert_eq!(mock.requests().len(), 3, "no request after the cancel");
}

#[tokio::test]
async fn the_download_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mock = mock().await;
    let d = downloader(&mock);
    let target = Target::new();
    let f = d.download("https://i.pximg.net/a.png", &target);
    assert_send(&f);
    let b = d.download_batch(Vec::<BatchItem>::new(), BatchOptions::new());
    assert_send(&b);
    let mut w = Vec::new();
    let wf = d.download_to_writer("https://i.pximg.net/a.png", &mut w);
    assert_send(&wf);
    assert_send(&d.download_bytes("https://i.pximg.net/a.png"));
    // And a spawned batch runs to its end on another task.
    let results = tokio::spawn(b).await.unwrap();
    assert!(results.is_empty());
}
