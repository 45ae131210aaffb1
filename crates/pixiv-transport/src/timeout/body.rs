//! [`TimeoutBody`]: body idle timeout and the rest of the total deadline.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use pixiv_errors::{PixivError, TimeoutPhase};
use tokio::time::{Instant, Sleep, sleep_until};

pin_project! {
    /// A response body that fails with `Timeout { phase: BodyIdle }` when no frame arrives for the
    /// idle timeout while the reader waits, and with `Timeout { phase: Total }` at the deadline.
    pub struct TimeoutBody<B> {
        #[pin]
        inner: B,
        idle: Option<Duration>,
        // Made when a poll first finds no frame (a body already in memory never needs it), armed
        // then; disarmed by the next frame.
        #[pin]
        idle_sleep: Option<Sleep>,
        idle_armed: bool,
        #[pin]
        total_sleep: Option<Sleep>,
        done: bool,
    }
}

impl<B> TimeoutBody<B> {
    /// Wraps `inner`: `idle` is the longest wait for a frame, `deadline` the total deadline.
    pub fn new(inner: B, idle: Option<Duration>, deadline: Option<Instant>) -> Self {
        Self {
            inner,
            idle,
            idle_sleep: None,
            idle_armed: false,
            total_sleep: deadline.map(sleep_until),
            done: false,
        }
    }
}

impl<B> std::fmt::Debug for TimeoutBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeoutBody")
            .field("idle", &self.idle)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<B> HttpBody for TimeoutBody<B>
where
    B: HttpBody<Data = Bytes, Error = PixivError>,
{
    type Data = Bytes;
    type Error = PixivError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, PixivError>>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = this.inner.poll_frame(cx) {
            *this.idle_armed = false;
            if !matches!(frame, Some(Ok(_))) {
                *this.done = true;
            }
            return Poll::Ready(frame);
        }
        if let Some(total) = this.total_sleep.as_pin_mut() {
            if total.poll(cx).is_ready() {
                *this.done = true;
                return Poll::Ready(Some(Err(PixivError::timeout(TimeoutPhase::Total))));
            }
        }
        if let Some(idle) = *this.idle {
            if !*this.idle_armed {
                let deadline = crate::wait::deadline_after(Instant::now(), idle);
                match this.idle_sleep.as_mut().as_pin_mut() {
                    Some(sleep) => sleep.reset(deadline),
                    None => this.idle_sleep.set(Some(sleep_until(deadline))),
                }
                *this.idle_armed = true;
            }
            if let Some(sleep) = this.idle_sleep.as_pin_mut() {
                if sleep.poll(cx).is_ready() {
                    *this.done = true;
                    return Poll::Ready(Some(Err(PixivError::timeout(TimeoutPhase::BodyIdle))));
                }
            }
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::{BodyExt, StreamBody};
    use tokio::sync::mpsc;
    use tokio_stream_shim::ReceiverStream;

    use super::*;

    /// A minimal `Stream` over an mpsc receiver (no tokio-stream dependency).
    mod tokio_stream_shim {
        use std::pin::Pin;
        use std::task::{Context, Poll};

        use tokio::sync::mpsc;

        pub(super) struct ReceiverStream<T>(pub(super) mpsc::Receiver<T>);

        impl<T> futures_util::Stream for ReceiverStream<T> {
            type Item = T;
            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
                self.0.poll_recv(cx)
            }
        }
    }

    type Chunks = mpsc::Sender<Result<Frame<Bytes>, PixivError>>;

    type Timed = Pin<Box<TimeoutBody<crate::Body>>>;

    fn body(idle: Option<Duration>, total: Option<Duration>) -> (Chunks, Timed) {
        let (tx, rx) = mpsc::channel(4);
        let inner = crate::body::boxed(StreamBody::new(ReceiverStream(rx)));
        let deadline = total.map(|t| Instant::now() + t);
        (tx, Box::pin(TimeoutBody::new(inner, idle, deadline)))
    }

    fn data(s: &'static str) -> Result<Frame<Bytes>, PixivError> {
        Ok(Frame::data(Bytes::from_static(s.as_bytes())))
    }

    #[tokio::test(start_paused = true)]
    async fn idle_timer_restarts_with_every_frame() {
        let (tx, mut body) = body(Some(Duration::from_secs(5)), None);
        tokio::spawn(async move {
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_secs(4)).await;
                tx.send(data("x")).await.unwrap();
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(tx);
        });
        for _ in 0..3 {
            assert!(body.frame().await.unwrap().unwrap().is_data());
        }
        let start = Instant::now();
        let err = body.frame().await.unwrap().unwrap_err();
        assert!(matches!(
            err,
            PixivError::Timeout {
                phase: TimeoutPhase::BodyIdle
            }
        ));
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        assert!(body.frame().await.is_none(), "ends after the error");
    }

    #[tokio::test(start_paused = true)]
    async fn total_deadline_cuts_a_flowing_body() {
        let (tx, mut body) = body(Some(Duration::from_secs(5)), Some(Duration::from_secs(10)));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if tx.send(data("x")).await.is_err() {
                    return;
                }
            }
        });
        let start = Instant::now();
        let err = loop {
            match body.frame().await.unwrap() {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert!(matches!(
            err,
            PixivError::Timeout {
                phase: TimeoutPhase::Total
            }
        ));
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn no_timeouts_wait_forever_and_end_cleanly() {
        let (tx, body) = body(None, None);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            tx.send(data("late")).await.unwrap();
        });
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes, "late");
    }

    #[tokio::test(start_paused = true)]
    async fn debug_shows_the_idle_timeout() {
        let (_tx, body) = body(Some(Duration::from_secs(10)), None);
        let shown = format!("{body:?}");
        assert!(shown.contains("TimeoutBody"), "{shown}");
        assert!(shown.contains("idle: Some(10s)"), "{shown}");
    }

    #[tokio::test(start_paused = true)]
    async fn size_and_end_are_the_inner_bodys_until_a_timeout_ends_it() {
        let full = crate::body::boxed(http_body_util::Full::new(Bytes::from_static(b"abc")));
        let mut timed = Box::pin(TimeoutBody::new(full, Some(Duration::from_secs(1)), None));
        assert_eq!(timed.size_hint().exact(), Some(3));
        assert!(!timed.is_end_stream());
        let frame = timed.frame().await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap(), "abc");
        assert!(timed.is_end_stream());

        // A body that never ends on its own is ended by its idle timeout.
        let (_tx, mut silent) = body(Some(Duration::from_secs(1)), None);
        assert!(!silent.is_end_stream());
        assert!(silent.frame().await.unwrap().is_err());
        assert!(silent.is_end_stream());
    }
}
