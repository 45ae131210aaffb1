//! Progress events of a single download: order, throttling, the final count.

mod common;

use common::{downloader, mock, recorder, url};
use pixiv_download::{Event, Outcome, PROGRESS_STEP, Target};

#[tokio::test]
async fn events_come_in_order_and_progress_is_throttled() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/progress.bin";
    let (sink, events) = recorder();
    let done = downloader(&mock)
        .on_event(sink)
        .download(&url(&mock, path), &Target::dir(dir.path()))
        .await
        .unwrap();
    let events = events.lock().unwrap();
    assert!(matches!(&events[0], Event::Queued { index: 0, url: u } if *u == url(&mock, path)));
    assert!(matches!(
        events[1],
        Event::Started {
            index: 0,
            expected_len: Some(300_000),
            resumed_from: 0
        }
    ));
    let progress: Vec<u64> = events[2..events.len() - 1]
        .iter()
        .map(|e| match e {
            Event::Progress {
                received,
                expected: Some(300_000),
                ..
            } => *received,
            other => panic!("expected Progress, got {other:?}"),
        })
        .collect();
    assert_eq!(progress.last(), Some(&300_000));
    for pair in progress.windows(2) {
        assert!(pair[1] > pair[0]);
    }
    for pair in progress[..progress.len() - 1].windows(2) {
        assert!(pair[1] - pair[0] >= PROGRESS_STEP, "{progress:?}");
    }
    assert!(
        progress.len() as u64 <= 300_000 / PROGRESS_STEP + 1,
        "{progress:?}"
    );
    assert!(matches!(
        events.last().unwrap(),
        Event::Finished { index: 0, path, bytes: 300_000 } if *path == done.path
    ));
}

#[tokio::test]
async fn an_empty_file_is_written_and_reported() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let (sink, events) = recorder();
    let done = downloader(&mock)
        .on_event(sink)
        .download(&url(&mock, "/size/0/empty.bin"), &Target::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(done.bytes, 0);
    assert_eq!(std::fs::read(&done.path).unwrap(), b"");
    let events = events.lock().unwrap();
    assert!(
        matches!(
            events[..],
            [
                Event::Queued { .. },
                Event::Started {
                    expected_len: Some(0),
                    ..
                },
                Event::Progress { received: 0, .. },
                Event::Finished { bytes: 0, .. }
            ]
        ),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_failure_is_reported_with_its_error() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let (sink, events) = recorder();
    let err = downloader(&mock)
        .on_event(sink)
        .referer("https://elsewhere.example/")
        .download(&url(&mock, "/size/10/x.bin"), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    let events = events.lock().unwrap();
    match &events[..] {
        [Event::Queued { .. }, Event::Failed { error, .. }] => {
            assert_eq!(error.status(), err.status());
            assert_eq!(error.to_string(), err.to_string());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn downloads_without_a_file_report_too() {
    let mock = mock().await;
    let (sink, events) = recorder();
    let d = downloader(&mock).on_event(sink);
    let bytes = d
        .download_bytes(&url(&mock, "/size/100000/mem.bin"))
        .await
        .unwrap();
    assert_eq!(bytes.len(), 100_000);
    {
        let events = events.lock().unwrap();
        assert!(matches!(events[0], Event::Queued { .. }), "{events:?}");
        assert!(matches!(
            events[1],
            Event::Started {
                expected_len: Some(100_000),
                ..
            }
        ));
        assert!(matches!(
            events.last().unwrap(),
            Event::Finished { path, bytes: 100_000, .. } if path.as_os_str().is_empty()
        ));
    }
    events.lock().unwrap().clear();
    let mut sinkhole = tokio::io::sink();
    let err = d
        .clone()
        .referer("https://elsewhere.example/")
        .download_to_writer(&url(&mock, "/size/10/w.bin"), &mut sinkhole)
        .await
        .unwrap_err();
    let events = events.lock().unwrap();
    assert!(
        matches!(&events[..], [Event::Queued { .. }, Event::Failed { error, .. }] if error.status() == err.status()),
        "{events:?}"
    );
}
