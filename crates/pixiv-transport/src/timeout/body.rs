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
        // Armed when a poll finds no frame; disarmed by the next frame.
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
            idle_sleep: idle.map(|_| sleep_until(Instant::now())),
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
        if let (Some(idle), Some(mut sleep)) = (*this.idle, this.idle_sleep.as_mut().as_pin_mut()) {
            if !*this.idle_armed {
                sleep.as_mut().reset(Instant::now() + idle);
                *this.idle_armed = true;
            }
            if sleep.poll(cx).is_ready() {
                *this.done = true;
                return Poll::Ready(Some(Err(PixivError::timeout(TimeoutPhase::BodyIdle))));
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
