//! Batches: input order, typed errors that do not stop the rest, bounded concurrency, duplicate
//! targets refused, progress events in order per item.

mod common;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use common::{mock, mock_h1, names_in, quick_policy, recorder, requests_for, stack, url};
use http::{Request, Response};
use http_body::{Frame, SizeHint};
use pixiv_download::{BatchItem, BatchOptions, Downloader, Event, Outcome, PixivError, Target};
use pixiv_mock::content::expected_bytes;
use pixiv_mock::{Fault, RouteMatch};
use pixiv_transport::{Body, RequestBody};

/// Counts the requests in flight through a service: from `call` until the response body is
/// finished or dropped.
#[derive(Clone)]
struct InFlight<S> {
    inner: S,
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
}

struct Release(Arc<AtomicUsize>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Tracked {
    inner: Body,
    _release: Release,
}

impl http_body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = PixivError;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<S> tower::Service<Request<RequestBody>> for InFlight<S>
where
    S: tower::Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError>,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, PixivError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), PixivError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<RequestBody>) -> Self::Future {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        let release = Release(Arc::clone(&self.now));
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            Ok(resp.map(|inner| {
                pixiv_transport::body::boxed(Tracked {
                    inner,
                    _release: release,
                })
            }))
        })
    }
}

#[tokio::test]
async fn two_hundred_items_with_ten_failures_come_back_in_order() {
    let mock = mock_h1().await;
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = (0..200)
        .map(|i| format!("/size/{}/item{i:03}.bin", 1000 + i * 37))
        .collect();
    let failing: Vec<usize> = (0..10).map(|k| 7 + k * 19).collect();
    for &i in &failing {
        mock.push_faults(RouteMatch::path(paths[i].as_str()), [Fault::Status(404)]);
    }
    let counted = InFlight {
        inner: stack(&mock, false),
        now: Arc::new(AtomicUsize::new(0)),
        max: Arc::new(AtomicUsize::new(0)),
    };
    let max = Arc::clone(&counted.max);
    let d = Downloader::new(counted).retry_policy(quick_policy());
    let (sink, events) = recorder();
    // Sample the mock's open connections while the batch runs (HTTP/1.1 only: one request per
    // connection at a time).
    let sampling = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let sampling = Arc::clone(&sampling);
        let mock_conns = &mock;
        async move {
            loop {
                let open = mock_conns.open_connections() as usize;
                sampling.fetch_max(open, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        }
    };
    let items = paths
        .iter()
        .map(|p| (url(&mock, p), Target::dir(dir.path())));
    let results = tokio::select! {
        r = d.download_batch(items, BatchOptions::new().on_event(sink)) => r,
        () = sampler => unreachable!(),
    };

    assert_eq!(results.len(), 200);
    for (i, r) in results.iter().enumerate() {
        let name = format!("item{i:03}.bin");
        if failing.contains(&i) {
            let err = r.as_ref().unwrap_err();
            assert_eq!(
                err.status(),
                Some(http::StatusCode::NOT_FOUND),
                "{i}: {err:?}"
            );
            assert!(!dir.path().join(&name).exists());
        } else {
            let done = r.as_ref().unwrap();
            assert_eq!(
                done.path,
                dir.path().join(&name),
                "result {i} in input order"
            );
            assert_eq!(done.bytes, 1000 + i as u64 * 37);
            assert_eq!(done.outcome, Outcome::Written);
            assert_eq!(
                std::fs::read(&done.path).unwrap(),
                expected_bytes(&paths[i])
            );
        }
    }
    assert_eq!(
        names_in(dir.path()).len(),
        190,
        "190 files and nothing else"
    );
    assert_eq!(mock.requests().len(), 200);

    let max = max.load(Ordering::SeqCst);
    assert!(max <= 5, "{max} requests in flight at once");
    assert!(max >= 2, "the batch should run concurrently (max {max})");
    // Connections follow the requests in flight, not the number of items. Not exactly 5 at
    // once: hyper hands a connection back to its pool just after its body ends, so a request
    // started in that moment opens another, and the mock counts a connection until it sees the
    // close; so at most one extra per slot, and connections are reused across the 200 items.
    let open = sampling.load(Ordering::SeqCst);
    let opened = mock.connections_opened();
    eprintln!("at most {open} connections open at once, {opened} opened in all");
    assert!(
        open <= 2 * 5,
        "the mock saw {open} connections open at once"
    );
    assert!(opened >= 2, "the batch should use parallel connections");
    assert!(
        opened <= 20,
        "connections should be reused: {opened} for 200 items"
    );

    // Events: per item, Queued, then Started, Progress.., Finished or Failed.
    let events = events.lock().unwrap();
    for i in 0..200 {
        let mine: Vec<&Event> = events.iter().filter(|e| e.index() == i).collect();
        assert!(matches!(mine[0], Event::Queued { .. }), "{i}: {mine:?}");
        if failing.contains(&i) {
            assert_eq!(mine.len(), 2, "{i}: {mine:?}");
            assert!(
                matches!(mine[1], Event::Failed { error, .. } if error.status() == Some(http::StatusCode::NOT_FOUND))
            );
        } else {
            assert!(
                matches!(
                    mine[1],
                    Event::Started {
                        resumed_from: 0,
                        ..
                    }
                ),
                "{i}: {mine:?}"
            );
            assert!(
                matches!(mine.last().unwrap(), Event::Finished { .. }),
                "{i}: {mine:?}"
            );
            let size = 1000 + i as u64 * 37;
            assert!(
                matches!(mine[mine.len() - 2], Event::Progress { received, expected: Some(e), .. } if *received == size && *e == size),
                "{i}: {mine:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_concurrency_limit_holds_for_other_values() {
    let mock = mock_h1().await;
    let dir = tempfile::tempdir().unwrap();
    let counted = InFlight {
        inner: stack(&mock, false),
        now: Arc::new(AtomicUsize::new(0)),
        max: Arc::new(AtomicUsize::new(0)),
    };
    let max = Arc::clone(&counted.max);
    let d = Downloader::new(counted);
    let items: Vec<BatchItem> = (0..20)
        .map(|i| {
            BatchItem::new(
                url(&mock, &format!("/size/50000/c{i}.bin")),
                Target::dir(dir.path()),
            )
        })
        .collect();
    let results = d
        .download_batch(items, BatchOptions::new().concurrency(2))
        .await;
    assert!(results.iter().all(Result::is_ok));
    let max = max.load(Ordering::SeqCst);
    assert!((1..=2).contains(&max), "{max}");
    // Connections are reused, not one per file. Not `<= 2`: hyper-util hands an HTTP/1
    // connection back to its pool from the connection's own task, after the body's last byte
    // reached the reader, so under load the next item can start before it is back and open one
    // more (seen once in a full run on the 2-core machine). The limit itself is `max` above.
    assert!(
        mock.connections_opened() <= 4,
        "{}",
        mock.connections_opened()
    );
}

#[tokio::test]
async fn two_items_for_one_file_are_refused_up_front() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let d = Downloader::new(stack(&mock, true));
    let sub = dir.path().join("sub");
    let items = vec![
        BatchItem::new(url(&mock, "/size/100/same.png"), Target::dir(dir.path())),
        BatchItem::new(url(&mock, "/size/200/other.png"), Target::dir(dir.path())),
        // Another URL, same final name: the race is refused.
        BatchItem::new(url(&mock, "/size/300/same.png"), Target::dir(dir.path())),
        // Spelled differently, same file.
        BatchItem::new(
            url(&mock, "/size/400/x.png"),
            Target::path(sub.join("./../same.png")),
        ),
        BatchItem::new(
            url(&mock, "/size/500/same.png"),
            Target::dir(dir.path().join(".")),
        ),
    ];
    let (sink, events) = recorder();
    let results = d
        .download_batch(items, BatchOptions::new().on_event(sink))
        .await;
    assert!(results[0].is_ok());
    assert!(results[1].is_ok());
    assert!(
        matches!(&results[2], Err(PixivError::InvalidInput { .. })),
        "{:?}",
        results[2]
    );
    assert!(
        matches!(&results[3], Err(PixivError::InvalidInput { .. })),
        "{:?}",
        results[3]
    );
    assert!(
        matches!(&results[4], Err(PixivError::InvalidInput { .. })),
        "{:?}",
        results[4]
    );
    assert_eq!(
        std::fs::read(dir.path().join("same.png")).unwrap(),
        expected_bytes("/size/100/same.png")
    );
    assert!(requests_for(&mock, "/size/300/same.png").is_empty());
    assert!(requests_for(&mock, "/size/400/x.png").is_empty());
    assert!(requests_for(&mock, "/size/500/same.png").is_empty());
    let failed: Vec<usize> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::Failed { .. }))
        .map(Event::index)
        .collect();
    assert_eq!(failed, [2, 3, 4]);
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_folder_is_seen_through() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
    let d = Downloader::new(stack(&mock, true));
    let results = d
        .download_batch(
            [
                (url(&mock, "/size/100/a.png"), Target::dir(&real)),
                (
                    url(&mock, "/size/200/a.png"),
                    Target::dir(dir.path().join("link")),
                ),
            ],
            BatchOptions::new(),
        )
        .await;
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(PixivError::InvalidInput { .. })),
        "{:?}",
        results[1]
    );
    assert_eq!(
        std::fs::read(real.join("a.png")).unwrap(),
        expected_bytes("/size/100/a.png")
    );
}

#[tokio::test]
async fn skipped_items_report_skipped() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("have.bin"), b"x").unwrap();
    let d = Downloader::new(stack(&mock, true));
    let (sink, events) = recorder();
    let results = d
        .download_batch(
            [
                (url(&mock, "/size/10/have.bin"), Target::dir(dir.path())),
                (url(&mock, "/size/10/new.bin"), Target::dir(dir.path())),
            ],
            BatchOptions::new().on_event(sink),
        )
        .await;
    assert_eq!(results[0].as_ref().unwrap().outcome, Outcome::Skipped);
    assert_eq!(results[1].as_ref().unwrap().outcome, Outcome::Written);
    assert!(requests_for(&mock, "/size/10/have.bin").is_empty());
    let events = events.lock().unwrap();
    let first: Vec<&Event> = events.iter().filter(|e| e.index() == 0).collect();
    assert!(
        matches!(first[..], [Event::Queued { .. }, Event::Skipped { .. }]),
        "{first:?}"
    );
}
