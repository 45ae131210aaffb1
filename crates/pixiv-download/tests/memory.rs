//! Memory stays flat: bytes reach the destination while the body is still arriving, in frames,
//! never after collecting the whole body.

mod common;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use common::{downloader, mock, url};
use pixiv_mock::{Fault, RouteMatch};
use tokio::io::AsyncWrite;

/// Counts bytes and remembers the largest single write.
struct Counting {
    total: Arc<AtomicU64>,
    largest: Arc<AtomicU64>,
}

impl AsyncWrite for Counting {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.total.fetch_add(buf.len() as u64, Ordering::SeqCst);
        self.largest.fetch_max(buf.len() as u64, Ordering::SeqCst);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn bytes_flow_out_while_the_body_is_still_arriving() {
    let mock = mock().await;
    let path = "/size/3000000/stream.bin";
    // 2 MB, then the server stalls far longer than this test waits.
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::StallBody {
            after: 2_000_000,
            stall: Duration::from_secs(3600),
        }],
    );
    let total = Arc::new(AtomicU64::new(0));
    let largest = Arc::new(AtomicU64::new(0));
    let mut writer = Counting {
        total: Arc::clone(&total),
        largest: Arc::clone(&largest),
    };
    let d = downloader(&mock);
    let download = d.download_to_writer(&url(&mock, path), &mut writer);
    let watch = async {
        while total.load(Ordering::SeqCst) < 2_000_000 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::select! {
        r = download => panic!("the body is stalled, the download cannot end: {r:?}"),
        () = watch => {}
    }
    // All 2 MB sent so far were handed on before the body ended, one frame at a time.
    assert_eq!(total.load(Ordering::SeqCst), 2_000_000);
    let largest = largest.load(Ordering::SeqCst);
    assert!(largest <= 1024 * 1024, "largest write {largest}");
}
