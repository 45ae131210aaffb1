//! The response body: a small buffer or generated image bytes streamed as slices of one 64 KiB
//! block, optionally misbehaving (stall, reset, short) at a byte offset.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::Notify;
use tokio::time::Sleep;

use crate::content::Content;

/// The error a misbehaving body ends with (hyper turns it into a close or a stream reset).
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Polls a body makes (returning `Pending` and waking itself) before it resets or cuts the
/// connection, so hyper flushes the bytes already handed over first.
const DRAIN_POLLS: u8 = 3;

#[derive(Debug)]
enum Source {
    Full(Option<Bytes>),
    Pattern {
        block: Bytes,
        pos: u64,
        remaining: u64,
    },
}

/// How the body misbehaves.
pub(crate) enum BodyFault {
    /// Sleep `stall` once `after` bytes are out.
    Stall {
        after: u64,
        stall: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
        done: bool,
    },
    /// Once `after` bytes are out: `kill` set = ask the connection to RST (HTTP/1.1); none = end
    /// the body with an error (HTTP/2: RST_STREAM).
    Reset {
        after: u64,
        kill: Option<Arc<Notify>>,
        drained: u8,
    },
    /// End with an error once `stop_at` bytes are out.
    Short { stop_at: u64, drained: u8 },
    /// One byte, then sleep `every`, and again.
    Trickle {
        every: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
    },
}

impl std::fmt::Debug for BodyFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyFault::Stall { after, stall, .. } => f
                .debug_struct("Stall")
                .field("after", after)
                .field("stall", stall)
                .finish(),
            BodyFault::Reset { after, .. } => {
                f.debug_struct("Reset").field("after", after).finish()
            }
            BodyFault::Short { stop_at, .. } => {
                f.debug_struct("Short").field("stop_at", stop_at).finish()
            }
            BodyFault::Trickle { every, .. } => {
                f.debug_struct("Trickle").field("every", every).finish()
            }
        }
    }
}

/// The body of every answer of the mock.
#[derive(Debug)]
pub(crate) struct MockBody {
    source: Source,
    fault: Option<BodyFault>,
    sent: u64,
    /// Where the bytes handed to hyper are counted (the mock's `body_bytes_sent`).
    counter: Option<Arc<AtomicU64>>,
}

#[derive(Debug)]
struct FaultError(&'static str);

impl std::fmt::Display for FaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for FaultError {}

impl MockBody {
    /// A body of these bytes.
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let source = Source::Full((!bytes.is_empty()).then_some(bytes));
        MockBody {
            source,
            fault: None,
            sent: 0,
            counter: None,
        }
    }

    /// No body.
    pub(crate) fn empty() -> Self {
        MockBody {
            source: Source::Full(None),
            fault: None,
            sent: 0,
            counter: None,
        }
    }

    /// `len` bytes of `content` from byte `start`.
    pub(crate) fn content(content: &Content, start: u64, len: u64) -> Self {
        let source = Source::Pattern {
            block: content.block.clone(),
            pos: start,
            remaining: len,
        };
        MockBody {
            source,
            fault: None,
            sent: 0,
            counter: None,
        }
    }

    /// The number of bytes this body will produce (before faults).
    pub(crate) fn len(&self) -> u64 {
        match &self.source {
            Source::Full(b) => b.as_ref().map_or(0, |b| b.len() as u64),
            Source::Pattern { remaining, .. } => *remaining,
        }
    }

    /// Counts the bytes this body hands over into `counter`.
    pub(crate) fn counted(mut self, counter: Arc<AtomicU64>) -> Self {
        self.counter = Some(counter);
        self
    }

    /// Makes the body misbehave.
    pub(crate) fn with_fault(mut self, fault: BodyFault) -> Self {
        self.fault = Some(fault);
        self
    }

    fn next_chunk(&mut self, limit: u64) -> Option<Bytes> {
        match &mut self.source {
            Source::Full(slot) => {
                let mut bytes = slot.take()?;
                if (bytes.len() as u64) > limit {
                    let rest = bytes.split_off(usize::try_from(limit).unwrap_or(usize::MAX));
                    *slot = Some(rest);
                }
                Some(bytes)
            }
            Source::Pattern {
                block,
                pos,
                remaining,
            } => {
                if *remaining == 0 || block.is_empty() {
                    return None;
                }
                let off = (*pos % block.len() as u64) as usize;
                let avail = (block.len() - off) as u64;
                let n = avail.min(*remaining).min(limit);
                let n_usize = n as usize;
                *pos += n;
                *remaining -= n;
                Some(block.slice(off..off + n_usize))
            }
        }
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        let sent = this.sent;
        let mut limit = u64::MAX;
        match &mut this.fault {
            None => {}
            Some(BodyFault::Stall {
                after,
                stall,
                sleep,
                done,
            }) => {
                if !*done && sent >= *after {
                    let s = sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(*stall)));
                    if s.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *done = true;
                    *sleep = None;
                } else if !*done {
                    limit = *after - sent;
                }
            }
            Some(BodyFault::Reset {
                after,
                kill,
                drained,
            }) => {
                if sent >= *after {
                    if *drained < DRAIN_POLLS {
                        *drained += 1;
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                    return match kill {
                        // The connection task drops the connection with SO_LINGER 0: an RST.
                        Some(kill) => {
                            kill.notify_one();
                            Poll::Pending
                        }
                        None => Poll::Ready(Some(Err(Box::new(FaultError(
                            "pixiv-mock: ResetBody fault",
                        ))))),
                    };
                }
                limit = *after - sent;
            }
            Some(BodyFault::Short { stop_at, drained }) => {
                if sent >= *stop_at {
                    if *drained < DRAIN_POLLS {
                        *drained += 1;
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                    return Poll::Ready(Some(Err(Box::new(FaultError(
                        "pixiv-mock: ShortBody fault",
                    )))));
                }
                limit = *stop_at - sent;
            }
            Some(BodyFault::Trickle { sleep, .. }) => {
                if let Some(s) = sleep {
                    if s.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *sleep = None;
                }
                limit = 1;
            }
        }
        match this.next_chunk(limit) {
            Some(chunk) => {
                this.sent += chunk.len() as u64;
                if let Some(counter) = &this.counter {
                    counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                if let Some(BodyFault::Trickle { every, sleep }) = &mut this.fault {
                    *sleep = Some(Box::pin(tokio::time::sleep(*every)));
                }
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.fault.is_none() && self.len() == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len())
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;

    use super::*;

    async fn frames(mut body: MockBody) -> (Vec<usize>, Option<String>) {
        let mut sizes = Vec::new();
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(f) => sizes.push(f.into_data().map_or(0, |d| d.len())),
                Err(e) => return (sizes, Some(e.to_string())),
            }
        }
        (sizes, None)
    }

    #[tokio::test]
    async fn content_streams_in_block_sized_slices_from_any_offset() {
        let content = Content::for_path("/size/200000/x");
        let (sizes, err) = frames(MockBody::content(&content, 65_000, 100_000)).await;
        assert_eq!(err, None);
        // Up to the block's end, a whole block, then the rest.
        assert_eq!(sizes, [536, 65_536, 33_928]);
    }

    #[tokio::test]
    async fn short_and_reset_bodies_stop_at_their_offset_with_an_error() {
        let (sizes, err) = frames(
            MockBody::full(vec![7u8; 1000]).with_fault(BodyFault::Short {
                stop_at: 900,
                drained: 0,
            }),
        )
        .await;
        assert_eq!(sizes, [900]);
        assert!(err.unwrap().contains("ShortBody"));
        let content = Content::for_path("/size/5000/x");
        let body = MockBody::content(&content, 0, 5000).with_fault(BodyFault::Reset {
            after: 10,
            kill: None,
            drained: 0,
        });
        let (sizes, err) = frames(body).await;
        assert_eq!(sizes, [10]);
        assert!(err.unwrap().contains("ResetBody"));
    }

    #[tokio::test(start_paused = true)]
    async fn trickle_sends_one_byte_per_interval_and_counts_them() {
        let counter = Arc::new(AtomicU64::new(0));
        let body = MockBody::full(vec![1u8; 5])
            .with_fault(BodyFault::Trickle {
                every: Duration::from_secs(1),
                sleep: None,
            })
            .counted(counter.clone());
        let start = tokio::time::Instant::now();
        let (sizes, err) = frames(body).await;
        assert_eq!((sizes, err), (vec![1; 5], None));
        // A pause after each byte, the last one included (the end is only seen after it).
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        assert_eq!(counter.load(Ordering::Relaxed), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn stall_pauses_once_at_its_offset() {
        let body = MockBody::full(vec![1u8; 100]).with_fault(BodyFault::Stall {
            after: 40,
            stall: Duration::from_secs(9),
            sleep: None,
            done: false,
        });
        let start = tokio::time::Instant::now();
        let (sizes, err) = frames(body).await;
        assert_eq!((sizes, err), (vec![40, 60], None));
        assert!(start.elapsed() >= Duration::from_secs(9));
    }
}
