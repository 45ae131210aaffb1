//! [`ResponseFuture`]: waits for the head under the headers and total deadlines.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Response;
use pin_project_lite::pin_project;
use pixiv_errors::{PixivError, TimeoutPhase};
use tokio::time::{Instant, Sleep, sleep_until};

use super::body::TimeoutBody;
use super::layer::Settings;
use crate::Body;
use crate::connect::progress::ConnectProgress;
use crate::wait::deadline_after;

pin_project! {
    /// The response future of [`Timeout`](super::Timeout).
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        // The earlier of the headers and total deadlines, and which one it is.
        #[pin]
        sleep: Option<Sleep>,
        phase: TimeoutPhase,
        total_deadline: Option<Instant>,
        body_idle: Option<Duration>,
        progress: Option<ConnectProgress>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, now: Instant, s: Settings) -> Self {
        // Capped at `MAX_WAIT`: a timeout of `Duration::MAX` means "never", not a panic.
        let headers = s
            .headers
            .map(|d| (deadline_after(now, d), TimeoutPhase::Headers));
        let total_deadline = s.total.map(|d| deadline_after(now, d));
        let total = total_deadline.map(|t| (t, TimeoutPhase::Total));
        let first = match (headers, total) {
            (Some(h), Some(t)) => Some(if t.0 < h.0 { t } else { h }),
            (h, t) => h.or(t),
        };
        Self {
            inner,
            sleep: first.map(|(at, _)| sleep_until(at)),
            phase: first.map_or(TimeoutPhase::Headers, |(_, p)| p),
            total_deadline,
            body_idle: s.body_idle,
            progress: None,
        }
    }

    /// Reports an elapsed headers timeout in the connection phase `progress` was left in.
    pub(crate) fn with_progress(mut self, progress: ConnectProgress) -> Self {
        self.progress = Some(progress);
        self
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("phase", &self.phase)
            .field("total_deadline", &self.total_deadline)
            .field("body_idle", &self.body_idle)
            .finish_non_exhaustive()
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<Body>, PixivError>>,
{
    type Output = Result<Response<Body>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(res) = this.inner.poll(cx) {
            let total = *this.total_deadline;
            let idle = *this.body_idle;
            return Poll::Ready(res.map(|resp| {
                resp.map(|body| crate::body::boxed(TimeoutBody::new(body, idle, total)))
            }));
        }
        if let Some(sleep) = this.sleep.as_pin_mut() {
            if sleep.poll(cx).is_ready() {
                let phase = match (*this.phase, this.progress.as_ref()) {
                    (TimeoutPhase::Headers, Some(p)) => p.headers_timeout_phase(),
                    (phase, _) => phase,
                };
                return Poll::Ready(Err(PixivError::timeout(phase)));
            }
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn debug_shows_the_phase_and_the_body_idle_timeout() {
        let settings = Settings {
            headers: Some(Duration::from_secs(10)),
            body_idle: Some(Duration::from_secs(7)),
            total: None,
        };
        let future = ResponseFuture::new(std::future::pending::<()>(), Instant::now(), settings);
        let shown = format!("{future:?}");
        for part in ["ResponseFuture", "phase: Headers", "body_idle: Some(7s)"] {
            assert!(shown.contains(part), "{shown}");
        }
    }
}
